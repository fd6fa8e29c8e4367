import Foundation
import Testing
@testable import Analysis

private func relClose(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol * max(abs(b), 1e-300)
}

@Suite struct MixtureSPRTTests {
    /// ORACLES §3a test vectors (two-sample form, known σ², n per arm).
    @Test(arguments: [
        (0.0, 0.1, 1000, 1.0, 0.01, 3.278721628, false),
        (0.0, 0.1, 1000, 1.0, 0.1, 1.624284767, false),
        (10.0, 10.05, 5000, 4.0, 0.01, 0.7283239415, false),
        (0.50, 0.52, 20000, 0.25, 0.0004, 451.6037304, true),
    ])
    func oracleVectors(_ x: Double, _ y: Double, _ n: Int, _ sigma2: Double, _ tau2: Double, _ lambda: Double, _ reject: Bool) throws {
        let m = try MixtureSPRT(alpha: 0.05, tau2: tau2)
        // Sufficient statistics with the given means (the sums of squares do not matter with a known σ²).
        let c = MeanStatistic(n: n, sum: x * Double(n), sumOfSquares: 0)
        let t = MeanStatistic(n: n, sum: y * Double(n), sumOfSquares: 0)
        let r = m.evaluate(control: c, treatment: t, knownVariance: sigma2)
        #expect(r.status == .ok)
        // The oracle prints 10 significant digits.
        #expect(relClose(r.likelihoodRatio, lambda, 1e-9), "Λ = \(String(describing: r.likelihoodRatio)) vs \(lambda)")
        #expect(relClose(r.pValue, min(1, 1 / lambda), 1e-9))
        #expect(r.rejects == reject)
        // The generic form with V = 2σ²/n gives the same.
        let g = m.evaluate(estimate: y - x, variance: 2 * sigma2 / Double(n))
        #expect(relClose(g.logLikelihoodRatio, r.logLikelihoodRatio ?? .nan, 1e-12))
    }

    @Test func proportionsUseTheBernoulliVariance() throws {
        let m = try MixtureSPRT(alpha: 0.05, tau2: 0.0004)
        let c = ProportionStatistic(n: 20000, successes: 10000), t = ProportionStatistic(n: 20000, successes: 10400)
        let r = m.evaluate(control: c, treatment: t)
        let v = 0.5 * 0.5 / 20000 + 0.52 * 0.48 / 20000
        let expected = 0.5 * log(v / (v + 0.0004)) + 0.0004 * 0.02 * 0.02 / (2 * v * (v + 0.0004))
        #expect(relClose(r.logLikelihoodRatio, expected, 1e-12))
        #expect(r.rejects)
    }

    @Test func sampleVariancesWhenVarianceUnknown() throws {
        let m = try MixtureSPRT(tau2: 0.01)
        let c = MeanStatistic(values: [1, 2, 3, 4]), t = MeanStatistic(values: [2, 4, 6, 8, 10])
        let r = m.evaluate(control: c, treatment: t)
        let v = (c.variance ?? .nan) / 4 + (t.variance ?? .nan) / 5
        #expect(relClose(r.variance, v, 1e-15))
        #expect(relClose(r.estimate, 6 - 2.5, 1e-15))
    }

    @Test func degenerateDataReturnsAStatusNotNaN() throws {
        let m = try MixtureSPRT(tau2: 0.01)
        #expect(m.evaluate(control: .zero, treatment: MeanStatistic(values: [1, 2])).status == .insufficientData)
        #expect(m.evaluate(control: MeanStatistic(values: [1]), treatment: MeanStatistic(values: [1, 2])).status == .insufficientData)
        #expect(m.evaluate(control: MeanStatistic(values: [3, 3]), treatment: MeanStatistic(values: [3, 3])).status == .zeroVariance)
        #expect(m.evaluate(control: ProportionStatistic(n: 10, successes: 0), treatment: ProportionStatistic(n: 10, successes: 0)).status == .zeroVariance)
        #expect(m.evaluate(control: ProportionStatistic(n: 0, successes: 0), treatment: ProportionStatistic(n: 10, successes: 1)).status == .insufficientData)
        #expect(m.evaluate(estimate: .nan, variance: 1).status == .nonFinite)
        #expect(m.evaluate(control: ProportionStatistic(n: 10, successes: 11), treatment: ProportionStatistic(n: 10, successes: 1)).status == .invalidCounts)
        let r = m.evaluate(estimate: .infinity, variance: 1)
        #expect(r.status == .nonFinite && r.pValue == nil && !r.rejects)
        #expect(throws: AnalysisError.self) { try MixtureSPRT(alpha: 0, tau2: 1) }
        #expect(throws: AnalysisError.self) { try MixtureSPRT(tau2: 0) }
    }

    @Test func runningMinimumPValue() {
        var p = AlwaysValidPValue()
        #expect(p.update(0.6) == 0.6)
        #expect(p.update(nil) == 0.6)
        #expect(p.update(0.9) == 0.6)
        #expect(p.update(0.01) == 0.01)
        #expect(p.value == 0.01)
    }

    @Test func packageTau2IsPositiveAndShrinksWithHorizon() throws {
        let a = try MixtureSPRT.packageDefaultTau2(alpha: 0.05, variance: 1, truncation: 1000)
        let b = try MixtureSPRT.packageDefaultTau2(alpha: 0.05, variance: 1, truncation: 100000)
        #expect(a > 0 && b > 0 && b < a)
    }
}

@Suite struct ConfidenceSequenceTests {
    @Test(arguments: [(0.05, 5000.0, 0.03984006677), (0.05, 1000.0, 0.08908509753), (0.01, 5000.0, 0.04802861926)])
    func rhoMatchesOracle(_ alpha: Double, _ nStar: Double, _ rho: Double) throws {
        #expect(relClose(try AsymptoticConfidenceSequence(alpha: alpha, tuningSampleSize: nStar).rho, rho, 1e-9))
    }

    /// ORACLES §3b half-widths, s² = 1.
    @Test(arguments: [(1000.0, 0.1063754701), (5000.0, 0.04292433719), (20000.0, 0.02211203617), (100000.0, 0.01055207003)])
    func halfwidthMatchesOracle(_ n: Double, _ hw: Double) throws {
        let cs = try AsymptoticConfidenceSequence()
        #expect(relClose(cs.halfwidth(standardError: (1 / n).squareRoot(), totalSampleSize: n), hw, 1e-9))
    }

    @Test func twoSampleVectors() throws {
        let cs = try AsymptoticConfidenceSequence()
        let se = (2.0 / 2500).squareRoot()  // n_A = n_B = 2500, unit variances: 0.02828427125
        let a = cs.evaluate(estimate: 0.08, standardError: se, totalSampleSize: 5000)
        #expect(a.status == .ok)
        #expect(relClose(a.lower, -0.005848674377, 1e-8))  // a difference of two 10-digit numbers
        #expect(relClose(a.upper, 0.1658486744, 1e-9))
        #expect(relClose(a.pValue, 0.08566358218, 1e-9))
        #expect(!a.rejects)
        let b = cs.evaluate(estimate: 0.12, standardError: se, totalSampleSize: 5000)
        #expect(relClose(b.pValue, 0.001010002268, 1e-9))
        #expect(b.rejects)
        // It is the mSPRT with V = SE² and τ² = ρ²s² (ORACLES §3b).
        let m = try MixtureSPRT(tau2: cs.rho * cs.rho * se * se * 5000)
        #expect(relClose(m.evaluate(estimate: 0.12, variance: se * se).pValue, b.pValue ?? .nan, 1e-12))
    }

    struct OneSided: Decodable, CustomTestStringConvertible {
        let alpha: Double, tuningSampleSize: Double, estimate: Double, standardError: Double, n: Double
        let alternative: String, rho: Double, halfwidth: Double, pValue: Double, call: String
        var testDescription: String { "\(alternative) θ̂=\(estimate) n=\(n)" }
    }
    static let oneSided: [OneSided] = {
        struct File: Decodable { let cases: [OneSided] }
        guard let url = Bundle.module.url(forResource: "confidence_sequence", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url), let f = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return f.cases
    }()

    @Test func oneSidedFixtureIsPresent() { #expect(Self.oneSided.count == 4) }

    /// gbstats one-sided formulas; its bisection p-value (run to 1e-15) against our closed form.
    @Test(arguments: oneSided)
    func oneSidedMatchesGbstats(_ c: OneSided) throws {
        let alt: Alternative = c.alternative == "greater" ? .greater : .less
        let cs = try AsymptoticConfidenceSequence(alpha: c.alpha, tuningSampleSize: c.tuningSampleSize, alternative: alt)
        #expect(relClose(cs.rho, c.rho, 1e-12))
        #expect(relClose(cs.halfwidth(standardError: c.standardError, totalSampleSize: c.n), c.halfwidth, 1e-12))
        let r = cs.evaluate(estimate: c.estimate, standardError: c.standardError, totalSampleSize: c.n)
        #expect(relClose(r.pValue, c.pValue, 1e-9))
        if alt == .greater { #expect(r.upper == .infinity) } else { #expect(r.lower == -.infinity) }
        #expect(r.rejects == (c.pValue <= c.alpha))
    }

    /// The mSPRT's always-valid interval with V = SE², τ² = ρ²s² is GrowthBook's sequence, and
    /// at its ends Λ = 1/α exactly.
    @Test func mixtureSPRTIntervalIsTheConfidenceSequence() throws {
        let cs = try AsymptoticConfidenceSequence(alpha: 0.05, tuningSampleSize: 5000)
        for n in [1000.0, 5000, 20000] {
            let se = (4 / n).squareRoot()
            let m = try MixtureSPRT(alpha: 0.05, tau2: cs.rho * cs.rho * se * se * n)
            let i = try #require(m.confidenceInterval(estimate: 0.08, variance: se * se))
            let r = cs.evaluate(estimate: 0.08, standardError: se, totalSampleSize: n)
            #expect(relClose(i.lower, r.lower ?? .nan, 1e-12) && relClose(i.upper, r.upper ?? .nan, 1e-12))
            let atEdge = try MixtureSPRT(alpha: 0.05, tau2: m.tau2, nullValue: i.upper).evaluate(estimate: 0.08, variance: se * se)
            #expect(relClose(atEdge.likelihoodRatio, 20, 1e-10))
        }
        #expect(try MixtureSPRT(tau2: 1).confidenceInterval(estimate: 1, variance: 0) == nil)
    }

    @Test func oneSidedWrongDirectionIsOneHalf() throws {
        let cs = try AsymptoticConfidenceSequence(alternative: .greater)
        #expect(cs.evaluate(estimate: -0.1, standardError: 0.01, totalSampleSize: 1000).pValue == 0.5)
    }

    @Test func degenerateInputsReturnStatus() throws {
        let cs = try AsymptoticConfidenceSequence()
        #expect(cs.evaluate(estimate: 0.1, standardError: 0, totalSampleSize: 100).status == .zeroVariance)
        #expect(cs.evaluate(estimate: 0.1, standardError: 0.1, totalSampleSize: 1).status == .insufficientData)
        #expect(cs.evaluate(estimate: .nan, standardError: 0.1, totalSampleSize: 100).status == .nonFinite)
        #expect(throws: AnalysisError.self) { try AsymptoticConfidenceSequence(tuningSampleSize: 0) }
        #expect(throws: AnalysisError.self) { try AsymptoticConfidenceSequence(alpha: 0.6, alternative: .less) }
    }
}
