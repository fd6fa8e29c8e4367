import Foundation
import Testing
@testable import Analysis

/// Family policies against statsmodels `multipletests` (the `corrections` vectors of
/// analysis-core.json, scripts/reference/analysis_core.py) and against a copy of the harness's
/// `FamilySpec.outcomes`.
@Suite struct MultipleTestingPolicyTests {
    static let methods: [(CorrectionMethod, String)] = [
        (.bonferroni, "bonferroni"), (.holm, "holm"), (.hochberg, "hochberg"),
        (.benjaminiHochberg, "bh"), (.benjaminiYekutieli, "by"),
    ]

    /// A correction applies to the whole family, whatever `primaryCount` says.
    @Test(arguments: Fixture.shared?.corrections ?? [])
    func correctionPolicyIsStatsmodelsOnTheWholeFamily(_ c: MTCase) throws {
        for (method, key) in Self.methods {
            let ref = try #require(c.methods[key])
            for k in [0, 1, c.p.count] {
                #expect(try MultipleTestingPolicy.correction(method).rejections(c.p, primaryCount: k, alpha: c.alpha) == ref.rejected,
                        "\(c.name) \(key) [\(ref.call)]")
            }
        }
        #expect(try MultipleTestingPolicy.correction(.none).rejections(c.p, primaryCount: 1, alpha: c.alpha) == c.p.map { $0 <= c.alpha })
    }

    /// Primary-uncorrected on [primary p-values] + (a statsmodels vector): the primaries are
    /// compared with α (strictly: p = α is not rejected; just below α is, although Holm over the
    /// whole family would need p ≤ α/m), and the rest must be exactly statsmodels' Holm
    /// rejections of that vector on its own.
    @Test(arguments: Fixture.shared?.corrections ?? [])
    func primaryUncorrectedIsAlphaThenHolmOnTheRest(_ c: MTCase) throws {
        let holm = try #require(c.methods["holm"])
        let primaries = [c.alpha * 0.999, c.alpha, min(1, c.alpha * 1.5)]
        let r = try MultipleTestingPolicy.primaryUncorrected.rejections(primaries + c.p, primaryCount: 3, alpha: c.alpha)
        #expect(Array(r.prefix(3)) == [true, false, false])
        #expect(Array(r.dropFirst(3)) == holm.rejected, "\(c.name) [\(holm.call) on the secondary p-values]")
    }

    /// FamilyTests' hand-computed family: p = (0.001, 0.02, 0.04, 0.5), only the first a true effect.
    @Test func handComputedFamily() throws {
        let p = [0.001, 0.02, 0.04, 0.5], isNull = [false, true, true, true]
        // none: 0.001, 0.02, 0.04 rejected → V = 2, R = 3, FDP = 2/3, power 1.
        let none = try MultipleTestingPolicy.correction(.none).summary(pValues: p, isNull: isNull, primaryCount: 1, alpha: 0.05)
        #expect(none.anyFalseRejection && none.falseDiscoveryProportion == 2.0 / 3 && none.power == 1 && none.anyTrueRejection)
        // Bonferroni at 0.0125: only 0.001.
        let bonf = try MultipleTestingPolicy.correction(.bonferroni).summary(pValues: p, isNull: isNull, primaryCount: 1, alpha: 0.05)
        #expect(!bonf.anyFalseRejection && bonf.falseDiscoveryProportion == 0 && bonf.power == 1)
        // BH: 0.001 ≤ 0.0125, 0.02 ≤ 0.025, 0.04 > 0.0375 → two rejections, one false.
        let bh = try MultipleTestingPolicy.correction(.benjaminiHochberg).summary(pValues: p, isNull: isNull, primaryCount: 1, alpha: 0.05)
        #expect(bh.falseRejections == 1 && bh.trueRejections == 1 && bh.falseDiscoveryProportion == 0.5)
        // Primary 0.001 at α; Holm on (0.02, 0.04, 0.5): 0.02 > 0.05/3 → nothing more.
        #expect(try MultipleTestingPolicy.primaryUncorrected.rejections(p, primaryCount: 1, alpha: 0.05) == [true, false, false, false])
    }

    /// The primary at 0.04 is rejected uncorrected although Holm over all three would not
    /// (0.04·2 > 0.05 after 0.001·3); the secondaries (0.001, 0.3) are Holm among two.
    @Test func primaryUncorrectedRejectsWhatTheWholeFamilyCorrectionWouldNot() throws {
        let p = [0.04, 0.001, 0.3]
        #expect(try MultipleTestingPolicy.primaryUncorrected.rejections(p, primaryCount: 1, alpha: 0.05) == [true, true, false])
        #expect(try MultipleTestingPolicy.correction(.holm).rejections(p, primaryCount: 1, alpha: 0.05) == [false, true, false])
        // Every hypothesis primary: all compared with α.
        #expect(try MultipleTestingPolicy.primaryUncorrected.rejections(p, primaryCount: 5, alpha: 0.05) == [true, true, false])
        // None primary: Holm on the whole family.
        #expect(try MultipleTestingPolicy.primaryUncorrected.rejections(p, primaryCount: 0, alpha: 0.05) == [false, true, false])
    }

    /// V, S and m₁ counted from the rejections: rejected (T, T, F, T, F) with nulls (T, F, F, F, T)
    /// → V = 1, S = 2, m₁ = 3: FDP = 1/3, power = 2/3. Nothing rejected → FDP 0 (V/max(R, 1));
    /// no true effects → power 0.
    @Test func errorSummaryCounts() throws {
        let s = try FamilyErrorSummary(rejected: [true, true, false, true, false], isNull: [true, false, false, false, true])
        #expect(s.falseRejections == 1 && s.trueRejections == 2 && s.trueEffects == 3)
        #expect(s.falseDiscoveryProportion == 1.0 / 3 && s.power == 2.0 / 3 && s.anyFalseRejection && s.anyTrueRejection)
        let empty = try FamilyErrorSummary(rejected: [false, false], isNull: [true, false])
        #expect(empty.falseDiscoveryProportion == 0 && empty.power == 0 && !empty.anyFalseRejection && !empty.anyTrueRejection)
        let allNull = try FamilyErrorSummary(rejected: [true, false], isNull: [true, true])
        #expect(allNull.power == 0 && allNull.falseDiscoveryProportion == 1 && allNull.anyFalseRejection)
        #expect(throws: AnalysisError.self) { try FamilyErrorSummary(rejected: [true], isNull: [true, false]) }
    }

    @Test func invalidFamiliesThrow() {
        for policy in [MultipleTestingPolicy.primaryUncorrected, .correction(.holm)] {
            #expect(throws: AnalysisError.self) { try policy.rejections([], primaryCount: 1, alpha: 0.05) }
            #expect(throws: AnalysisError.self) { try policy.rejections([0.1, 1.2], primaryCount: 1, alpha: 0.05) }
            #expect(throws: AnalysisError.self) { try policy.rejections([0.1, .nan], primaryCount: 1, alpha: 0.05) }
            #expect(throws: AnalysisError.self) { try policy.rejections([0.1], primaryCount: 1, alpha: 1) }
        }
        #expect(throws: AnalysisError.self) { try MultipleTestingPolicy.primaryUncorrected.rejections([0.1], primaryCount: -1, alpha: 0.05) }
    }

    @Test func descriptionsAreTheScenarioNames() {
        #expect(MultipleTestingPolicy.primaryUncorrected.description == "primary_uncorrected")
        #expect(MultipleTestingPolicy.correction(.benjaminiHochberg).description == "bh")
    }

    /// The harness's `FamilySpec.outcomes` (copied verbatim) and the new API agree on random
    /// families: metric-major p-values with `treatments` primary hypotheses, some true effects.
    @Test func sameOutcomesAsTheHarnessFamilySpec() throws {
        var rng = SplitMix64(seed: 314)
        let policies: [MultipleTestingPolicy] = CorrectionMethod.allCases.map { .correction($0) } + [.primaryUncorrected]
        var checked = 0
        for _ in 0..<300 {
            let metrics = 1 + Int(rng.next() % 8), treatments = 1 + Int(rng.next() % 3), affected = Int(rng.next() % UInt64(metrics + 1))
            var p: [Double] = [], isNull: [Bool] = []
            for m in 0..<metrics {
                for _ in 0..<treatments {
                    let null = m >= affected
                    p.append(null ? rng.uniform() : pow(rng.uniform(), 6))
                    isNull.append(null)
                }
            }
            for policy in policies {
                let old = try referenceFamilyOutcome(policy: policy, pValues: p, isNull: isNull, treatments: treatments, alpha: 0.05)
                let new = try policy.summary(pValues: p, isNull: isNull, primaryCount: treatments, alpha: 0.05)
                #expect(new.anyFalseRejection == old.anyFalse && new.anyTrueRejection == old.anyTrue)
                #expect(new.falseDiscoveryProportion.bitPattern == old.fdp.bitPattern && new.power.bitPattern == old.power.bitPattern)
                checked += 1
            }
        }
        #expect(checked == 300 * 7)
    }
}
