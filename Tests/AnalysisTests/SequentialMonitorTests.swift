import Distributions
import Foundation
import Testing
@testable import Analysis

/// `scenarios/calibration/rpact-boundaries.json` (scripts/reference/calibration_boundaries.py, rpact 3.3.4).
struct RpactBoundaries: Decodable {
    struct Design: Decodable { let design: String, looks: Int, criticalValues: [Double], call: String }
    let software: String
    let designs: [Design]

    static func load() throws -> RpactBoundaries {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("scenarios/calibration/rpact-boundaries.json")
        return try JSONDecoder().decode(RpactBoundaries.self, from: Data(contentsOf: url))
    }
}

/// A look of a z-type method with θ̂ = z·SE: p = 2[1 − Φ(|z|)], the 95% Wald interval
/// θ̂ ± 1.96·SE, significant when p < 0.05.
func zLook(_ j: Int, z: Double, se: Double = 0.1, n: Int = 1000, chance: Double? = nil) -> LookObservation {
    let p = 2 * Normal.standard.sf(abs(z)), est = z * se
    return LookObservation(look: j, estimate: est, standardError: se, statistic: z, lower: est - 1.959963984540054 * se,
                           upper: est + 1.959963984540054 * se, pValue: p, isSignificant: p < 0.05, sampleSize: n,
                           chanceToBeat: chance)
}

/// The rpact tolerance of `GroupSequentialTests.criticalValuesMatchRpact`: 1e-5, or 2e-4 at a
/// look that spends less than 1e-4 (rpact's own root search is that loose there).
func rpactTolerance(_ alphaSpent: [Double], _ k: Int) -> Double {
    alphaSpent[k] - (k > 0 ? alphaSpent[k - 1] : 0) < 1e-4 ? 2e-4 : 1e-5
}

@Suite struct GroupSequentialRuleTests {
    static let fractions = [0.2, 0.4, 0.6, 0.8, 1.0]

    /// K = 5 equally spaced looks, O'Brien–Fleming-type spending (rpact `asOF`, two-sided α =
    /// 0.05): c = 4.877, 3.357, 2.680, 2.290, 2.031, the committed rpact values.
    @Test func obrienFlemingBoundariesAreRpacts() throws {
        let plan = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05, informationFractions: Self.fractions)
        #expect(plan.activeLooks == [0, 1, 2, 3, 4])
        let calibration = try #require(try RpactBoundaries.load().designs.first { $0.design == "obf" && $0.looks == 5 })
        let fixture = try #require(SequentialFixture.designs.first { $0.typeOfDesign == "asOF" && $0.informationRates == Self.fractions })
        #expect(calibration.criticalValues == fixture.criticalValues)
        try #require(plan.criticalValues.count == 5)
        for k in 0..<5 {
            #expect(abs(plan.criticalValues[k] - calibration.criticalValues[k]) <= rpactTolerance(fixture.alphaSpent, k),
                    "look \(k + 1): \(plan.criticalValues[k]) vs rpact \(calibration.criticalValues[k])")
        }
        // Exactly the boundaries of the design API (the same monitor calls).
        let design = try GroupSequentialDesign.lanDeMets(alpha: 0.05, spending: .obrienFleming, informationFractions: Self.fractions)
        #expect(plan.criticalValues.map(\.bitPattern) == design.criticalValues.map(\.bitPattern))
    }

    /// H1-like: z = 2.5, 3.2, 2.9, … — below 4.877 and 3.357 at looks 1–2, above 2.680 at look 3:
    /// the design stops at look 3 with the repeated CI θ̂ ± c₃·SE and p = 2[1 − Φ(2.9)] = 0.003732.
    /// Naive peeking would have stopped at look 1 (p = 0.0124).
    @Test func rejectsAtTheFirstLookAtOrAboveTheBoundary() throws {
        let plan = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05, informationFractions: Self.fractions)
        let c = plan.criticalValues
        let zs = [2.5, 3.2, 2.9, 3.5, 4.0]
        #expect(zs[0] < c[0] && zs[1] < c[1] && zs[2] >= c[2])
        var monitor = plan.monitor
        let verdicts = monitor.observeUntilStop(zs.enumerated().map { zLook($0, z: $1, se: 0.05) })
        #expect(verdicts.count == 3)
        #expect(verdicts.prefix(2).allSatisfy { !$0.rejected && !$0.stops })
        let stop = try #require(verdicts.last)
        #expect(stop.rejected && stop.stops)
        #expect(close(stop.pValue, 0.003731626600768077, rel: 1e-12))
        #expect(stop.lower == 2.9 * 0.05 - c[2] * 0.05 && stop.upper == 2.9 * 0.05 + c[2] * 0.05)
        // Interim intervals are the repeated CIs too: wider than the Wald interval.
        #expect(close(verdicts[0].upper - verdicts[0].lower, 2 * c[0] * 0.05, rel: 1e-12))

        var naive = NaivePeekingRule()
        #expect(naive.observeUntilStop(zs.enumerated().map { zLook($0, z: $1) }).count == 1)
    }

    /// |Z_k| = c_k exactly rejects (≥), and so does Z_k = −c_k (two-sided).
    @Test func theBoundaryItselfRejectsOnEitherSide() throws {
        let plan = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05, informationFractions: Self.fractions)
        for sign in [1.0, -1.0] {
            var m = plan.monitor
            let v = m.observeUntilStop([zLook(0, z: 1), zLook(1, z: sign * plan.criticalValues[1])])
            #expect(v.count == 2 && v[1].rejected && v[1].stops)
            var below = plan.monitor
            #expect(!below.observe(zLook(1, z: sign * plan.criticalValues[1].nextDown)).rejected)
        }
    }

    /// H0-like: |z| stays below every boundary (look 4's −2.2 would reject naively), so the
    /// design runs to the end without rejecting.
    @Test func doesNotRejectAnH0LikePath() throws {
        let plan = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05, informationFractions: Self.fractions)
        var monitor = plan.monitor
        let verdicts = monitor.observeUntilStop([0.4, -1.1, 1.7, -2.2, 1.9].enumerated().map { zLook($0, z: $1) })
        #expect(verdicts.count == 5 && verdicts.allSatisfy { !$0.rejected && !$0.stops })
        #expect(close(verdicts[3].pValue, 2 * Normal.standard.sf(2.2), rel: 1e-15) && verdicts[3].pValue < 0.05)
    }

    /// Looks without new information are skipped (t = 0, a repeated 0.25): the remaining looks
    /// at 0.25, 0.5, 0.75, 1 get rpact's K = 4 boundaries.
    @Test func looksWithoutNewInformationAreSkipped() throws {
        let plan = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05,
                                      informationFractions: [0, 0.25, 0.25, 0.5, 0.75, 1])
        #expect(plan.activeLooks == [1, 3, 4, 5])
        let f = try #require(SequentialFixture.designs.first { $0.typeOfDesign == "asOF" && $0.informationRates == [0.25, 0.5, 0.75, 1] })
        try #require(plan.criticalValues.count == 4)
        for k in 0..<4 { #expect(abs(plan.criticalValues[k] - f.criticalValues[k]) <= rpactTolerance(f.alphaSpent, k)) }
    }

    /// Traffic at 150% of plan: the look at t = 1.2 is final (truncation) and later looks are not
    /// active; at 50% of plan the last look spends all remaining α. Both against rpact `asUser`.
    @Test func overrunIsTruncatedAndUnderrunSpendsEverything() throws {
        let over = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05,
                                      informationFractions: [0.3, 0.6, 0.9, 1.2, 1.5])
        #expect(over.activeLooks == [0, 1, 2, 3])
        let fo = try #require(SequentialFixture.designs.first { $0.spending == "asOF-overrun-1.5" })
        for k in 0..<4 { #expect(abs(over.criticalValues[k] - fo.criticalValues[k]) <= rpactTolerance(fo.alphaSpent, k)) }

        let under = try MonitoringPlan(policy: .groupSequential(spending: .obrienFleming), alpha: 0.05,
                                       informationFractions: [0.1, 0.2, 0.3, 0.4, 0.5])
        #expect(under.activeLooks == [0, 1, 2, 3, 4])
        let fu = try #require(SequentialFixture.designs.first { $0.spending == "asOF-underrun-0.5" })
        for k in 0..<5 { #expect(abs(under.criticalValues[k] - fu.criticalValues[k]) <= rpactTolerance(fu.alphaSpent, k)) }
    }

    /// The factory reproduces `PlannedAnalysis.init`'s look-by-look construction from units.
    @Test(arguments: [
        ([1000, 2000, 3000, 4000, 5000], 5000), ([0, 1500, 1500, 4000, 5000], 5000), ([2000, 4000, 6000, 8000], 5000),
        ([700, 1400, 2100], 7000), ([333, 667, 1000], 1000),
    ])
    func factoryEqualsTheHarnessConstruction(_ units: [Int], _ planned: Int) throws {
        for spending in [AlphaSpending.obrienFleming, .pocock, .power(rho: 3)] {
            let ref = try referenceGroupSequentialPlan(alpha: 0.05, spending: spending, lookUnits: units, plannedUnits: planned)
            let plan = try MonitoringPlan(policy: .groupSequential(spending: spending), alpha: 0.05,
                                          informationFractions: units.map { Double($0) / Double(planned) })
            #expect(plan.activeLooks == ref.active)
            #expect(plan.criticalValues.map(\.bitPattern) == ref.critical.map(\.bitPattern))
        }
    }
}

@Suite struct AlwaysValidRuleTests {
    /// mSPRT with τ² = 0.04 at looks with V_k = 0.04/k (Johari et al. 2017):
    /// Λ_k = √(V/(V + τ²))·exp(τ²θ̂²/(2V(V + τ²))), p_k = min(p_{k−1}, 1/Λ_k), reject at Λ ≥ 20.
    static func lambda(_ est: Double, _ v: Double, tau2: Double = 0.04) -> Double {
        (v / (v + tau2)).squareRoot() * exp(tau2 * est * est / (2 * v * (v + tau2)))
    }

    static func msprtLooks(_ zs: [Double]) -> [LookObservation] {
        zs.enumerated().map { j, z in zLook(j, z: z, se: (0.04 / Double(j + 1)).squareRoot()) }
    }

    /// H0-like: z = 1.0, 2.2, 0.5, 1.5, −0.8. Λ₂ = 2.898 (p = 0.3451) is the largest; the running
    /// minimum keeps 0.3451 at looks 3–5 although their own 1/Λ are larger. Never Λ ≥ 20 — while
    /// naive peeking would reject at look 2 (z = 2.2).
    @Test func msprtRunningMinimumUnderH0() throws {
        let plan = try MonitoringPlan(policy: .mixtureSPRT(tau2: 0.04), alpha: 0.05, informationFractions: [0.2, 0.4, 0.6, 0.8, 1])
        var monitor = plan.monitor
        let looks = Self.msprtLooks([1.0, 2.2, 0.5, 1.5, -0.8])
        let verdicts = monitor.observeUntilStop(looks)
        #expect(verdicts.count == 5 && verdicts.allSatisfy { !$0.rejected && !$0.stops })
        var running = 1.0
        for (o, v) in zip(looks, verdicts) {
            let own = min(1, 1 / Self.lambda(o.estimate, o.standardError * o.standardError))
            running = min(running, own)
            #expect(close(v.pValue, running, rel: 1e-12), "look \(o.look + 1)")
        }
        #expect(zip(verdicts, verdicts.dropFirst()).allSatisfy { $1.pValue <= $0.pValue })
        #expect(close(verdicts[1].pValue, 0.34506337298804063, rel: 1e-9))
        #expect(verdicts[4].pValue == verdicts[1].pValue)
        #expect(1 / Self.lambda(looks[3].estimate, 0.01) > verdicts[3].pValue)
        #expect(looks[1].isSignificant)
    }

    /// H1-like: z = 1.5, 2.5, 3.0, 3.4, 4.5. Λ₃ = 14.61 < 20 (no stop, though z = 3), Λ₄ = 45.57 ≥ 20:
    /// stop at look 4 with p = 1/45.57 = 0.02194 and the always-valid interval
    /// θ̂ ± √(V(V + τ²)/τ²·(2 ln 20 + ln((V + τ²)/V))).
    @Test func msprtRejectsOnceLambdaReachesOneOverAlpha() throws {
        var monitor = MixtureSPRTRule(test: try MixtureSPRT(alpha: 0.05, tau2: 0.04))
        let looks = Self.msprtLooks([1.5, 2.5, 3.0, 3.4, 4.5])
        let verdicts = monitor.observeUntilStop(looks)
        #expect(verdicts.count == 4)
        for (o, v) in zip(looks, verdicts) {
            #expect(v.rejected == (Self.lambda(o.estimate, o.standardError * o.standardError) >= 20), "look \(o.look + 1)")
        }
        #expect(close(Self.lambda(looks[2].estimate, 0.04 / 3), 14.612141890617464, rel: 1e-9))
        #expect(close(Self.lambda(looks[3].estimate, 0.01), 45.57143267529171, rel: 1e-9))
        let stop = try #require(verdicts.last)
        #expect(stop.stops && close(stop.pValue, 1 / 45.57143267529171, rel: 1e-9))
        #expect(monitor.runningPValue == stop.pValue)
        let v = 0.01, hw = (v * (v + 0.04) / 0.04 * (2 * log(20) + log((v + 0.04) / v))).squareRoot()
        #expect(close(stop.lower, 0.34 - hw, rel: 1e-12) && close(stop.upper, 0.34 + hw, rel: 1e-12))
    }

    /// Asymptotic confidence sequence, N* = 5000, two-sided α = 0.05, n_k = 1000k, SE = 2/√n:
    /// ρ = √((−2 ln α + ln(−2 ln α + 1))/N*), p = min(1, √(nρ² + 1)·exp(−nρ²z²/(2(nρ² + 1)))),
    /// halfwidth = SE√n·√(2(nρ² + 1) ln(√(nρ² + 1)/α)/(nρ)²).
    static func csExpected(z: Double, n: Double) -> (p: Double, halfwidth: Double) {
        let a = 0.05, rho = ((-2 * log(a) + log(-2 * log(a) + 1)) / 5000).squareRoot()
        let q = n * rho * rho + 1, se = 2 / n.squareRoot()
        let p = min(1, q.squareRoot() * exp(-n * rho * rho * z * z / (2 * q)))
        return (p, se * n.squareRoot() * (2 * q * log(q.squareRoot() / a) / ((n * rho) * (n * rho))).squareRoot())
    }

    static func csLooks(_ zs: [Double]) -> [LookObservation] {
        zs.enumerated().map { j, z in
            let n = 1000 * (j + 1)
            return zLook(j, z: z, se: 2 / Double(n).squareRoot(), n: n)
        }
    }

    /// H0-like z = 1.0, 2.3, 0.4, 1.8, −0.9: the minimum p = 0.2734 at look 2 is kept; no rejection.
    /// H1-like z = 1.3, 2.2, 3.0, 3.8, 4.2: look 3 (z = 3, p = 0.058) does not exclude 0, look 4
    /// (p = 0.0053) does: stop there with the sequence as the interval.
    @Test func confidenceSequenceRunningMinimumAndStop() throws {
        let plan = try MonitoringPlan(policy: .confidenceSequence(tuningSampleSize: 5000), alpha: 0.05,
                                      informationFractions: [0.2, 0.4, 0.6, 0.8, 1])
        var h0 = plan.monitor
        let l0 = Self.csLooks([1.0, 2.3, 0.4, 1.8, -0.9])
        let v0 = h0.observeUntilStop(l0)
        #expect(v0.count == 5 && v0.allSatisfy { !$0.rejected })
        var running = 1.0
        for (o, v) in zip(l0, v0) {
            let e = Self.csExpected(z: o.statistic, n: Double(o.sampleSize))
            running = min(running, e.p)
            #expect(close(v.pValue, running, rel: 1e-12), "look \(o.look + 1)")
            #expect(close(v.lower, o.estimate - e.halfwidth, rel: 1e-12, abs: 1e-15) && close(v.upper, o.estimate + e.halfwidth, rel: 1e-12))
        }
        #expect(close(v0[4].pValue, 0.27337995690635913, rel: 1e-9) && v0[4].pValue == v0[1].pValue)

        var h1 = plan.monitor
        let l1 = Self.csLooks([1.3, 2.2, 3.0, 3.8, 4.2])
        let v1 = h1.observeUntilStop(l1)
        #expect(v1.count == 4 && !v1[2].rejected && v1[3].rejected && v1[3].stops)
        #expect(close(v1[2].pValue, 0.05822945974491245, rel: 1e-9) && close(v1[3].pValue, 0.0052988457051967456, rel: 1e-9))
        #expect(v1[3].lower > 0 && v1[2].lower <= 0)
    }

    /// A look the sequence cannot evaluate (n < 2) gives the interval (−∞, ∞), no rejection and an
    /// unchanged running minimum; a one-sided (greater) sequence has upper limit +∞.
    @Test func confidenceSequenceUnavailableLookAndOneSided() throws {
        var m = ConfidenceSequenceRule(sequence: try AsymptoticConfidenceSequence(alpha: 0.05, tuningSampleSize: 5000))
        let first = m.observe(zLook(0, z: 2.3, se: 2 / 1000.0.squareRoot(), n: 1000))
        let skipped = m.observe(zLook(1, z: 9, se: 0.1, n: 1))
        #expect(skipped.lower == -.infinity && skipped.upper == .infinity && !skipped.rejected)
        #expect(skipped.pValue == first.pValue && m.runningPValue == first.pValue)

        let plan = try MonitoringPlan(policy: .confidenceSequence(tuningSampleSize: 5000), alpha: 0.05, alternative: .greater,
                                      informationFractions: [0.5, 1])
        var g = plan.monitor
        let v = g.observe(zLook(0, z: 5, se: 2 / 2000.0.squareRoot(), n: 2000))
        #expect(v.upper == .infinity && v.lower > 0 && v.rejected)
    }
}

@Suite struct SimpleRuleTests {
    /// A fixed horizon analyses only the last look; interim looks get no decision even at z = 10,
    /// and the final look's decision is the method's own (and is never an early stop).
    @Test func fixedHorizonIgnoresInterimLooks() throws {
        let plan = try MonitoringPlan(policy: .fixedHorizon, alpha: 0.05, informationFractions: [0.2, 0.4, 0.6, 0.8, 1])
        #expect(plan.activeLooks == [4] && plan.criticalValues.isEmpty)
        var rule = FixedHorizonRule(finalLook: 4)
        let interim = rule.observe(zLook(1, z: 10))
        #expect(!interim.rejected && !interim.stops)
        let finalLook = zLook(4, z: 2.5)
        let v = rule.observe(finalLook)
        #expect(v == LookVerdict(rejected: true, pValue: finalLook.pValue, lower: finalLook.lower, upper: finalLook.upper, stops: false))
        // The plan's monitor sees the single active look as look 0.
        var m = plan.monitor
        #expect(m.observe(zLook(0, z: 2.5)).rejected)
        #expect(!m.observe(zLook(0, z: 1.9)).rejected)
    }

    /// Naive peeking stops at the first p < α with the method's own p and interval.
    @Test func naivePeekingStopsAtFirstSignificantLook() throws {
        var m = try MonitoringPlan(policy: .naivePeeking, alpha: 0.05, informationFractions: [0.25, 0.5, 0.75, 1]).monitor
        let looks = [1.0, 2.1, 3.0, 0.0].enumerated().map { zLook($0, z: $1) }
        let v = m.observeUntilStop(looks)
        #expect(v.count == 2 && v[1].stops && v[1].rejected)
        #expect(v[1] == LookVerdict(rejected: true, pValue: looks[1].pValue, lower: looks[1].lower, upper: looks[1].upper, stops: true))
        #expect(close(v[1].pValue, 0.035728841125633126, rel: 1e-12))
    }

    /// Stop when the chance to beat control is strictly above the threshold; p = 1 − chance; the
    /// interval is the look's (credible) interval. Without a chance (a contrast of several groups)
    /// the method's own test decides.
    @Test func bayesianStopThreshold() throws {
        var m = BayesianStopRule(threshold: 0.95)
        let at = m.observe(zLook(0, z: 3, chance: 0.95))
        #expect(!at.rejected && !at.stops && at.pValue == 1 - 0.95)
        let above = m.observe(zLook(1, z: 0.1, chance: 0.9501))
        #expect(above.rejected && above.stops && above.pValue == 1 - 0.9501)
        #expect(above.lower == zLook(1, z: 0.1).lower)
        let none = m.observe(zLook(2, z: 2.5))
        #expect(none.rejected && none.stops && none.pValue == zLook(2, z: 2.5).pValue)
    }

    /// On data: a clear effect (4.0 vs 4.6, n ≈ 300, SE ≈ 0.13) has chance ≈ 1 and stops at the
    /// first look with the credible interval; identical arms have chance Φ(0) = 0.5 and do not.
    @Test func bayesianStopOnDataFromTheComparisons() throws {
        var rng = SplitMix64(seed: 99)
        let c = armData(&rng, n: 300, mean: 4), t = armData(&rng, n: 300, mean: 4.6)
        let mc = try MomentStatistic(values: c.y, covariates: c.x), mt = try MomentStatistic(values: t.y, covariates: t.x)
        func look(_ control: MomentStatistic, _ treatment: MomentStatistic) throws -> LookObservation {
            let r = try ExperimentAnalysis.compare(control: control, treatment: treatment, method: .welchT, alpha: 0.05)
            let b = try ExperimentAnalysis.chanceToBeat(control: control, treatment: treatment, level: 0.95)
            return try #require(LookObservation(look: 0, result: r.result)?.withPosterior(b))
        }
        let plan = try MonitoringPlan(policy: .bayesianStop(threshold: 0.95), alpha: 0.05, informationFractions: [0.5, 1])
        var h1 = plan.monitor
        let o1 = try look(mc, mt)
        let v1 = h1.observe(o1)
        let b = try ExperimentAnalysis.chanceToBeat(control: mc, treatment: mt, level: 0.95)
        #expect(v1.rejected && v1.stops && (b.chanceToBeatControl ?? 0) > 0.999)
        #expect(v1.lower == b.credibleLower && v1.upper == b.credibleUpper)

        var h0 = plan.monitor
        let v0 = h0.observe(try look(mc, mc))
        #expect(!v0.rejected && v0.pValue == 0.5)
    }

    /// A comparison that could not be computed is not an observation, nor is a failed posterior.
    @Test func failedResultsAreNotObservations() throws {
        let failed = try Comparisons.welch(control: .zero, treatment: MeanStatistic(values: [1, 2]))
        #expect(LookObservation(look: 0, result: failed) == nil)
        let ok = try Comparisons.welch(control: MeanStatistic(values: [1, 2, 4]), treatment: MeanStatistic(values: [2, 5, 7]))
        let o = try #require(LookObservation(look: 3, result: ok))
        #expect(o.look == 3 && o.statistic == ok.statistic && o.sampleSize == 6 && o.isSignificant == ok.isSignificant)
        let badPosterior = try Bayesian.normalNormal(control: MeanStatistic(values: [1, 1]), treatment: MeanStatistic(values: [1, 1]))
        #expect(badPosterior.status == .zeroVariance && o.withPosterior(badPosterior) == nil)
    }

    @Test func invalidPlansThrow() {
        #expect(throws: AnalysisError.self) { try MonitoringPlan(policy: .naivePeeking, alpha: 0.05, informationFractions: []) }
        #expect(throws: AnalysisError.self) { try MonitoringPlan(policy: .fixedHorizon, alpha: 1, informationFractions: [1]) }
        #expect(throws: AnalysisError.self) { try MonitoringPlan(policy: .mixtureSPRT(tau2: 0), alpha: 0.05, informationFractions: [1]) }
        #expect(throws: AnalysisError.self) {
            try MonitoringPlan(policy: .confidenceSequence(tuningSampleSize: 100), alpha: 0.6, alternative: .less, informationFractions: [1])
        }
        #expect(throws: AnalysisError.self) {
            try MonitoringPlan(policy: .groupSequential(spending: .power(rho: -1)), alpha: 0.05, informationFractions: [1])
        }
    }
}

/// Every monitor, driven by the harness's loop, against a verbatim copy of the harness's
/// per-look switch (`ReplicationEngine.analyse`), on random look sequences with drift, failed
/// looks, tiny samples and missing posteriors: the outcomes must be bit-identical.
@Suite struct MonitorHarnessEquivalenceTests {
    static let policies: [(MonitoringPolicy, ReferencePolicy, Alternative)] = [
        (.fixedHorizon, .fixedHorizon, .twoSided),
        (.naivePeeking, .naivePeeking, .twoSided),
        (.groupSequential(spending: .obrienFleming), .groupSequential, .twoSided),
        (.groupSequential(spending: .pocock), .groupSequential, .twoSided),
        (.mixtureSPRT(tau2: 0.05), .mixtureSPRT, .twoSided),
        (.confidenceSequence(tuningSampleSize: 1000), .confidenceSequence, .twoSided),
        (.confidenceSequence(tuningSampleSize: 1000), .confidenceSequence, .greater),
        (.bayesianStop(threshold: 0.95), .bayesianStop(threshold: 0.95), .twoSided),
    ]

    @Test(arguments: policies.indices)
    func monitorsReproduceTheHarnessBitForBit(_ index: Int) throws {
        let (policy, reference, alt) = Self.policies[index]
        let units = [1000, 2000, 3000, 4000, 5000, 6000], planned = 5000
        let fractions = units.map { Double($0) / Double(planned) }
        let plan = try MonitoringPlan(policy: policy, alpha: 0.05, alternative: alt, informationFractions: fractions)
        let msprt: MixtureSPRT? = if case let .mixtureSPRT(tau2) = policy { try MixtureSPRT(alpha: 0.05, tau2: tau2) } else { nil }
        let cs: AsymptoticConfidenceSequence? = if case let .confidenceSequence(n) = policy {
            try AsymptoticConfidenceSequence(alpha: 0.05, tuningSampleSize: n, alternative: alt)
        } else { nil }
        var rng = SplitMix64(seed: 1000 + UInt64(index))
        var stops = 0, rejections = 0
        for replication in 0..<400 {
            let drift = [0.0, 1.5, 3.0][replication % 3]
            let outcomes: [ReferenceOutcome] = plan.activeLooks.map { k in
                let n = rng.uniform() < 0.03 ? 1 : units[k]
                let se = 0.3 / Double(n).squareRoot() * (0.8 + 0.4 * rng.uniform())
                let z = drift * min(fractions[k], 1).squareRoot() + rng.normal()
                let est = z * se, p = 2 * Normal.standard.sf(abs(z))
                let chance: Double? = rng.uniform() < 0.1 ? nil : Normal.standard.cdf(z)
                return ReferenceOutcome(ok: rng.uniform() > 0.1, estimate: est, standardError: se, lower: est - 1.96 * se,
                                        upper: est + 1.96 * se, pValue: p, rejected: p < 0.05, stopLook: k + 1, sampleSize: n,
                                        finalPValue: p, statistic: z, chanceToBeat: chance)
            }
            let old = referenceAnalyse(policy: reference, lookCount: units.count, criticalValues: plan.criticalValues,
                                       msprt: msprt, confidenceSequence: cs, atLook: outcomes)
            let new = monitoredAnalyse(monitor: plan.monitor, lookCount: units.count, atLook: outcomes)
            #expect(sameBits(new, old), "replication \(replication): \(new) vs \(old)")
            if old.rejected { rejections += 1 }
            if old.stopLook < (plan.activeLooks.last ?? 0) + 1 { stops += 1 }
        }
        // The sequences exercise both decisions (and early stops for the sequential policies).
        #expect(rejections > 20 && rejections < 390)
        if policy != .fixedHorizon { #expect(stops > 10) }
    }
}
