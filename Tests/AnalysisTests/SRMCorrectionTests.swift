import Testing
@testable import Analysis

/// SRM χ² against scipy `chisquare` and ORACLES §7.
@Suite struct SRMTests {
    @Test(arguments: Fixture.shared?.srm ?? [])
    func chiSquareMatchesScipy(_ c: SRMCase) throws {
        let r = try SampleRatioMismatch.test(observed: c.observed, weights: c.weights)
        #expect(r.status == .ok && r.degreesOfFreedom == c.df)
        #expect(close(r.chiSquare, c.chiSquare.v), "\(c.name)")
        #expect(close(r.pValue, c.pValue.v), "\(c.name): \(String(describing: r.pValue)) vs \(c.pValue.v)")
        if let published = c.publishedChiSquare, let pp = c.publishedPValue {
            #expect(close(r.chiSquare, published, rel: 1e-9), "published χ² \(c.name)")
            #expect(close(r.pValue, pp, rel: 1e-9), "published p \(c.name)")
        }
        #expect(r.flagged == (c.pValue.v < 0.001))
    }

    @Test func oracleFlagsAtDefaultThreshold() throws {
        // ORACLES §7: 50,000 vs 49,000 is not flagged at 0.001 (p = 0.00148); 821,588 vs 815,482 is.
        #expect(try !SampleRatioMismatch.test(observed: [50000, 49000], weights: [1, 1]).flagged)
        #expect(try SampleRatioMismatch.test(observed: [821588, 815482], weights: [1, 1]).flagged)
        #expect(try SampleRatioMismatch.test(observed: [600, 400], weights: [1, 1]).flagged)
        #expect(try SampleRatioMismatch.test(observed: [50000, 49000], weights: [1, 1], threshold: 0.01).flagged)
    }

    @Test func minimumShareDeviationRule() throws {
        // 821,588 vs 815,482: p ≈ 1.8e-6 but the share is 50.19% vs 50%, a 0.19 pp gap.
        let big = try SampleRatioMismatch.test(observed: [821588, 815482], weights: [1, 1], minimumShareDeviation: 0.005)
        #expect(big.pValue ?? 1 < 0.001 && !big.flagged)
        #expect(close(big.maxShareDeviation, 821588.0 / 1637070 - 0.5, rel: 1e-12))
        let small = try SampleRatioMismatch.test(observed: [600, 400], weights: [1, 1], minimumShareDeviation: 0.005)
        #expect(small.flagged)
    }

    @Test func degenerateAndInvalid() throws {
        let empty = try SampleRatioMismatch.test(observed: [0, 0], weights: [1, 1])
        #expect(empty.status == .emptyArm && !empty.flagged && empty.pValue == nil)
        #expect(throws: AnalysisError.self) { try SampleRatioMismatch.test(observed: [1, 2], weights: [1]) }
        #expect(throws: AnalysisError.self) { try SampleRatioMismatch.test(observed: [1], weights: [1]) }
        #expect(throws: AnalysisError.self) { try SampleRatioMismatch.test(observed: [1, 2], weights: [1, 0]) }
        #expect(throws: AnalysisError.self) { try SampleRatioMismatch.test(observed: [1, -2], weights: [1, 1]) }
        #expect(throws: AnalysisError.self) { try SampleRatioMismatch.test(observed: [1, 2], weights: [1, 1], threshold: 1) }
    }
}

/// Multiple-testing corrections against statsmodels `multipletests` (ORACLES §6 and random vectors).
@Suite struct MultipleTestingTests {
    static let methods: [(CorrectionMethod, String)] = [
        (.bonferroni, "bonferroni"), (.holm, "holm"), (.hochberg, "hochberg"),
        (.benjaminiHochberg, "bh"), (.benjaminiYekutieli, "by"),
    ]

    @Test(arguments: Fixture.shared?.corrections ?? [])
    func adjustedPValuesAndRejectionsMatchStatsmodels(_ c: MTCase) throws {
        for (method, key) in Self.methods {
            let ref = try #require(c.methods[key])
            let r = try MultipleTesting.adjust(c.p, method: method, alpha: c.alpha)
            #expect(r.adjusted.count == ref.adjusted.count)
            for (a, b) in zip(r.adjusted, ref.adjusted) {
                #expect(close(a, b, rel: 1e-12, abs: 1e-15), "\(c.name) \(key): \(r.adjusted) vs \(ref.adjusted)")
            }
            #expect(r.rejected == ref.rejected, "\(c.name) \(key) [\(ref.call)]")
        }
    }

    @Test func benjaminiHochbergPaperExampleRejectsFour() throws {
        // BH 1995's example (ORACLES §6 vector B): BH rejects 4, Bonferroni/Holm/Hochberg 3.
        let p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
                 0.6528, 0.7590, 1.0000]
        #expect(try MultipleTesting.adjust(p, method: .benjaminiHochberg).rejected.filter { $0 }.count == 4)
        for m in [CorrectionMethod.bonferroni, .holm, .hochberg, .benjaminiYekutieli] {
            #expect(try MultipleTesting.adjust(p, method: m).rejected.filter { $0 }.count == 3)
        }
        #expect(try MultipleTesting.adjust(p, method: .none).adjusted == p)
    }

    @Test func invalidFamiliesThrow() {
        #expect(throws: AnalysisError.self) { try MultipleTesting.adjust([], method: .holm) }
        #expect(throws: AnalysisError.self) { try MultipleTesting.adjust([0.1, .nan], method: .holm) }
        #expect(throws: AnalysisError.self) { try MultipleTesting.adjust([0.1, 1.2], method: .bonferroni) }
        #expect(throws: AnalysisError.self) { try MultipleTesting.adjust([0.1], method: .bonferroni, alpha: 0) }
    }
}
