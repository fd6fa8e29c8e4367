import Distributions
import Foundation
import Testing
@testable import Analysis

@Suite struct ExperimentAnalysisTests {
    static let fixture = Fixture.shared

    /// Control and treatment of every kind of metric (continuous with a covariate, ratio with a
    /// positive denominator, binary), from fixed seeds.
    static func data(_ method: MetricTest, seed: UInt64) throws -> (MomentStatistic, MomentStatistic) {
        var rng = SplitMix64(seed: seed)
        let binary = method == .zTest
        let c = armData(&rng, n: 300, mean: binary ? 0.2 : 4, binary: binary)
        let t = armData(&rng, n: 280, mean: binary ? 0.25 : 4.4, binary: binary)
        return (try MomentStatistic(values: c.y, covariates: c.x), try MomentStatistic(values: t.y, covariates: t.x))
    }

    static let cases: [(MetricTest, LiftScale, Alternative)] = MetricTest.allCases.flatMap { m in
        LiftScale.allCases.flatMap { s in Alternative.allCases.map { (m, s, $0) } }
    }

    /// `compare` must return exactly what the direct call on the converted statistics returns —
    /// the harness's `analyseAt` made those calls, so its numbers stay the same.
    @Test(arguments: cases)
    func compareEqualsTheDirectComparisonCall(_ method: MetricTest, _ scale: LiftScale, _ alt: Alternative) throws {
        let (c, t) = try Self.data(method, seed: 42)
        let got = try ExperimentAnalysis.compare(control: c, treatment: t, method: method, scale: scale, alpha: 0.1, alternative: alt)
        let expected: FixedHorizonResult
        var reduction: Double? = nil, theta: Double? = nil, correlation: Double? = nil
        switch method {
        case .zTest:
            expected = try Comparisons.twoProportion(control: c.proportion, treatment: t.proportion, scale: scale, alpha: 0.1, alternative: alt)
            #expect(expected.method == .twoProportionZ)
        case .welchT:
            expected = try Comparisons.welch(control: c.mean, treatment: t.mean, scale: scale, alpha: 0.1, alternative: alt)
            #expect(expected.method == .welch)
        case .studentT:
            expected = try Comparisons.student(control: c.mean, treatment: t.mean, scale: scale, alpha: 0.1, alternative: alt)
            #expect(expected.method == .student)
        case .cuped:
            let r = try Comparisons.cuped(control: c.covariate, treatment: t.covariate, scale: scale, alpha: 0.1, alternative: alt)
            expected = r.comparison
            reduction = r.varianceReduction; theta = r.theta; correlation = r.correlation
            #expect(reduction != nil)
        case .deltaRatio:
            expected = try Comparisons.ratio(control: c.ratio, treatment: t.ratio, scale: scale, alpha: 0.1, alternative: alt)
            #expect(expected.method == .ratioDelta)
        }
        #expect(expected.status == .ok)
        #expect(sameBits(got.result, expected), "\(method) \(scale) \(alt)")
        #expect(sameBits(got.varianceReduction, reduction) && sameBits(got.theta, theta) && sameBits(got.correlation, correlation))
    }

    @Test func methodNamesAreTheHarnessNames() {
        #expect(MetricTest.allCases.map(\.rawValue) == ["z_test", "welch_t", "student_t", "cuped", "delta_ratio"])
        #expect(MetricTest(rawValue: "srm") == nil)
    }

    // MARK: Against the reference software, through `compare`

    @Test(arguments: fixture?.welch ?? [])
    func welchThroughCompareMatchesScipy(_ c: TCase) throws {
        let control = try MomentStatistic(values: c.control.map(\.v), covariates: c.control.map { _ in 0 })
        let treatment = try MomentStatistic(values: c.treatment.map(\.v), covariates: c.treatment.map { _ in 0 })
        let r = try ExperimentAnalysis.compare(control: control, treatment: treatment, method: .welchT, alpha: c.alpha,
                                               alternative: alternative(c.alternative))
        ComparisonTests().check(r.result, c)
        #expect(r.varianceReduction == nil)
    }

    @Test(arguments: fixture?.student ?? [])
    func studentThroughCompareMatchesScipy(_ c: TCase) throws {
        let control = try MomentStatistic(values: c.control.map(\.v), covariates: c.control.map { _ in 0 })
        let treatment = try MomentStatistic(values: c.treatment.map(\.v), covariates: c.treatment.map { _ in 0 })
        let r = try ExperimentAnalysis.compare(control: control, treatment: treatment, method: .studentT, alpha: c.alpha,
                                               alternative: alternative(c.alternative))
        ComparisonTests().check(r.result, c)
    }

    /// 0/1 unit values summed into a MomentStatistic give statsmodels' two-proportion z test.
    @Test(arguments: fixture?.proportions ?? [])
    func zTestThroughCompareMatchesStatsmodels(_ c: ZCase) throws {
        func arm(_ k: Counts) throws -> MomentStatistic {
            try MomentStatistic(values: (0..<k.n).map { $0 < k.successes ? 1 : 0 }, covariates: [Double](repeating: 0, count: k.n))
        }
        let r = try ExperimentAnalysis.compare(control: try arm(c.control), treatment: try arm(c.treatment), method: .zTest,
                                               alpha: c.alpha, alternative: alternative(c.alternative)).result
        #expect(r.status == .ok && r.method == .twoProportionZ)
        #expect(close(r.statistic, c.statistic.v, rel: 1e-9, abs: 1e-13), "pooled z \(c.name)")
        #expect(close(r.pValue, c.pValue.v), "p \(c.name)")
        #expect(close(r.lower, c.lower.v, rel: 1e-9, abs: 1e-15) && close(r.upper, c.upper.v, rel: 1e-9, abs: 1e-15))
    }

    /// y = numerator, x = denominator: the delta-method ratio comparison of the fixture.
    @Test(arguments: fixture?.ratio ?? [])
    func ratioThroughCompareMatchesReference(_ c: RatioCase) throws {
        let r = try ExperimentAnalysis.compare(control: try MomentStatistic(values: c.control.y, covariates: c.control.x),
                                               treatment: try MomentStatistic(values: c.treatment.y, covariates: c.treatment.x),
                                               method: .deltaRatio, alpha: c.alpha, alternative: alternative(c.alternative)).result
        #expect(r.status == .ok && r.method == .ratioDelta)
        #expect(close(r.estimate, c.estimate.v, rel: 1e-9, abs: 1e-13) && close(r.standardError, c.standardError.v), "\(c.name)")
        #expect(close(r.pValue, c.pValue.v), "p \(c.name)")
    }

    /// y = outcome, x = pre-period value: scipy's Welch test on the CUPED-adjusted values.
    @Test(arguments: fixture?.cuped ?? [])
    func cupedThroughCompareMatchesScipy(_ c: CupedCase) throws {
        let r = try ExperimentAnalysis.compare(control: try MomentStatistic(values: c.control.y, covariates: c.control.x),
                                               treatment: try MomentStatistic(values: c.treatment.y, covariates: c.treatment.x),
                                               method: .cuped, alpha: c.alpha, alternative: alternative(c.alternative))
        #expect(r.result.status == .ok && r.result.method == .cuped)
        #expect(close(r.theta, c.theta.v) && close(r.correlation, c.correlation.v), "\(c.name)")
        #expect(close(r.varianceReduction, c.varianceReduction.v, rel: 1e-8), "reduction \(c.name)")
        #expect(close(r.result.pValue, c.pValue.v, rel: 1e-8), "p \(c.name)")
    }

    // MARK: Contrast and posterior

    /// The 2×2 interaction contrast: bit-equal to `Comparisons.linearContrast` on the means, and
    /// on integer data L = ȳ₁ − ȳ₂ − ȳ₃ + ȳ₄ exactly, SE² = Σ s_g²/n_g.
    @Test func contrastEqualsLinearContrastOnTheMeans() throws {
        var rng = SplitMix64(seed: 11)
        let groups = try (0..<4).map { g in
            let d = armData(&rng, n: 150 + 10 * g, mean: Double(g))
            return try MomentStatistic(values: d.y, covariates: d.x)
        }
        let coefficients = [1.0, -1, -1, 1]
        let got = try ExperimentAnalysis.contrast(groups: groups, coefficients: coefficients, alpha: 0.05, alternative: .greater)
        let expected = try Comparisons.linearContrast(groups: groups.map(\.mean), coefficients: coefficients, alpha: 0.05, alternative: .greater)
        #expect(sameBits(got.result, expected) && got.varianceReduction == nil)

        let small = try [[1.0, 3], [2, 2, 5], [0, 4], [6, 8, 10]].map { try MomentStatistic(values: $0, covariates: $0.map { _ in 0 }) }
        let r = try ExperimentAnalysis.contrast(groups: small, coefficients: coefficients).result
        // Means 2, 3, 2, 8 → L = 2 − 3 − 2 + 8 = 5; variances 2, 3, 8, 4 → SE² = 2/2 + 3/3 + 8/2 + 4/3.
        #expect(r.estimate == 5)
        #expect(close(r.standardError, (1 + 1 + 4 + 4.0 / 3).squareRoot(), rel: 1e-15))
        #expect(throws: AnalysisError.self) { try ExperimentAnalysis.contrast(groups: small, coefficients: [1, -1]) }
    }

    /// The Bayesian stop's posterior: `Bayesian.normalNormal` with a flat prior, so the chance to
    /// beat control is Φ(d̂/SE) with Welch's d̂ and SE, and the credible interval is d̂ ± z·SE.
    @Test(arguments: [LiftScale.absolute, .relative])
    func chanceToBeatIsTheFlatPriorNormalPosterior(_ scale: LiftScale) throws {
        let (c, t) = try Self.data(.welchT, seed: 5)
        let got = try ExperimentAnalysis.chanceToBeat(control: c, treatment: t, scale: scale, level: 0.9)
        #expect(sameBits(got, try Bayesian.normalNormal(control: c.mean, treatment: t.mean, scale: scale, level: 0.9)))
        let w = try Comparisons.welch(control: c.mean, treatment: t.mean, scale: scale)
        let d = try #require(w.estimate), se = try #require(w.standardError)
        #expect(close(got.chanceToBeatControl, Normal.standard.cdf(d / se), rel: 1e-14))
        let z = try Normal.standard.inverseSurvival(0.05)
        #expect(close(got.credibleLower, d - z * se, rel: 1e-14) && close(got.credibleUpper, d + z * se, rel: 1e-14))
        #expect(throws: AnalysisError.self) { try ExperimentAnalysis.chanceToBeat(control: c, treatment: t, level: 1) }
    }

    @Test(arguments: MetricTest.allCases)
    func invalidAlphaThrowsAndEmptyArmIsAStatus(_ method: MetricTest) throws {
        let (c, t) = try Self.data(method, seed: 1)
        #expect(throws: AnalysisError.self) { try ExperimentAnalysis.compare(control: c, treatment: t, method: method, alpha: 0) }
        let r = try ExperimentAnalysis.compare(control: .zero, treatment: t, method: method)
        #expect(r.result.status == .emptyArm && r.result.pValue == nil)
    }
}
