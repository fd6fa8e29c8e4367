import Testing
@testable import Analysis

/// Welch, Student and two-proportion z tests against scipy/statsmodels (fixture
/// `analysis-core.json`, made by `scripts/reference/analysis_core.py`), 1e-9 relative.
@Suite struct ComparisonTests {
    static let fixture = Fixture.shared

    func check(_ r: FixedHorizonResult, _ c: TCase, checkDF: Bool = true) {
        #expect(r.status == .ok, "\(c.name)")
        #expect(close(r.estimate, c.estimate.v), "estimate \(c.name): \(String(describing: r.estimate)) vs \(c.estimate.v)")
        #expect(close(r.standardError, c.standardError.v), "SE \(c.name)")
        #expect(close(r.statistic, c.statistic.v), "t \(c.name): \(String(describing: r.statistic)) vs \(c.statistic.v)")
        if checkDF { #expect(close(r.degreesOfFreedom, c.df.v), "df \(c.name)") }
        #expect(close(r.pValue, c.pValue.v), "p \(c.name): \(String(describing: r.pValue)) vs \(c.pValue.v) [\(c.call)]")
        #expect(close(r.lower, c.lower.v), "lower \(c.name): \(String(describing: r.lower)) vs \(c.lower.v)")
        #expect(close(r.upper, c.upper.v), "upper \(c.name): \(String(describing: r.upper)) vs \(c.upper.v)")
    }

    @Test(arguments: fixture?.welch ?? [])
    func welchMatchesScipy(_ c: TCase) throws {
        let r = try Comparisons.welch(control: MeanStatistic(values: c.control.map(\.v)),
                                      treatment: MeanStatistic(values: c.treatment.map(\.v)),
                                      alpha: c.alpha, alternative: alternative(c.alternative))
        #expect(r.method == .welch)
        check(r, c)
    }

    @Test(arguments: fixture?.student ?? [])
    func studentMatchesScipy(_ c: TCase) throws {
        let r = try Comparisons.student(control: MeanStatistic(values: c.control.map(\.v)),
                                        treatment: MeanStatistic(values: c.treatment.map(\.v)),
                                        alpha: c.alpha, alternative: alternative(c.alternative))
        #expect(r.method == .student)
        check(r, c)
    }

    @Test func welchOracleVectorPublishedValues() throws {
        // ORACLES §11, printed to 10 significant digits.
        let a = [12.1, 14.3, 13.8, 15.2, 11.9, 13.4, 14.8, 12.7], b = [14.9, 16.2, 15.1, 17.8, 13.9, 16.6, 15.4]
        let r = try Comparisons.welch(control: MeanStatistic(values: a), treatment: MeanStatistic(values: b))
        #expect(close(r.standardError, 0.6483725046, rel: 1e-9))
        #expect(close(r.statistic, 3.354553107, rel: 1e-9))
        #expect(close(r.degreesOfFreedom, 12.55818421, rel: 1e-9))
        #expect(close(r.pValue, 0.005406658688, rel: 1e-9))
        #expect(close(r.lower, 0.7692504173, rel: 1e-9) && close(r.upper, 3.580749583, rel: 1e-9))
        let s = try Comparisons.student(control: MeanStatistic(values: a), treatment: MeanStatistic(values: b))
        #expect(close(s.statistic, 3.365107093, rel: 1e-9) && s.degreesOfFreedom == 13)
        #expect(close(s.pValue, 0.005071252036, rel: 1e-9))
    }

    @Test(arguments: fixture?.relative ?? [])
    func relativeLiftDeltaMethod(_ c: RelCase) throws {
        let control: MeanStatistic, treatment: MeanStatistic
        if let cv = c.control.values, let tv = c.treatment.values {
            control = MeanStatistic(values: cv); treatment = MeanStatistic(values: tv)
        } else {
            control = MeanStatistic(n: c.control.n, mean: c.control.mean, variance: c.control.variance)
            treatment = MeanStatistic(n: c.treatment.n, mean: c.treatment.mean, variance: c.treatment.variance)
        }
        let r = try Comparisons.welch(control: control, treatment: treatment, scale: .relative, alpha: c.alpha,
                                      alternative: alternative(c.alternative))
        #expect(r.status == .ok && r.scale == .relative)
        #expect(close(r.estimate, c.estimate.v, rel: 1e-9, abs: 1e-13), "\(c.name)")
        #expect(close(r.standardError, c.standardError.v), "\(c.name)")
        #expect(close(r.statistic, c.statistic.v, rel: 1e-9, abs: 1e-12), "\(c.name)")
        #expect(close(r.pValue, c.pValue.v), "\(c.name)")
        #expect(close(r.lower, c.lower.v) && close(r.upper, c.upper.v), "\(c.name)")
        #expect(r.degreesOfFreedom == .infinity)
    }

    @Test func relativeLiftIsNotAbsoluteCIDividedByControlMean() throws {
        // ORACLES §11: SE 0.02335861725; the naive "absolute SE / control mean" would be
        // sqrt(25/1000 + 27/1000)/10 = 0.0228035, which ignores the control mean's own noise.
        let c = MeanStatistic(n: 1000, mean: 10, variance: 25), t = MeanStatistic(n: 1000, mean: 10.5, variance: 27)
        let r = try Comparisons.welch(control: c, treatment: t, scale: .relative)
        #expect(close(r.standardError, 0.02335861725, rel: 1e-9))
        #expect(close(r.pValue, 0.0323113404, rel: 1e-9))
        let naive = (25.0 / 1000 + 27.0 / 1000).squareRoot() / 10
        #expect(abs((r.standardError ?? 0) - naive) > 1e-4)
    }

    @Test(arguments: fixture?.proportions ?? [])
    func twoProportionMatchesStatsmodels(_ c: ZCase) throws {
        let control = ProportionStatistic(n: c.control.n, successes: c.control.successes)
        let treatment = ProportionStatistic(n: c.treatment.n, successes: c.treatment.successes)
        let alt = alternative(c.alternative)
        let r = try Comparisons.twoProportion(control: control, treatment: treatment, alpha: c.alpha, alternative: alt)
        #expect(r.status == .ok, "\(c.name)")
        #expect(close(r.estimate, c.estimate.v, rel: 1e-9, abs: 1e-15), "\(c.name)")
        #expect(close(r.standardError, c.standardError.v), "unpooled SE \(c.name)")
        #expect(close(r.statistic, c.statistic.v, rel: 1e-9, abs: 1e-13), "pooled z \(c.name)")
        #expect(close(r.pValue, c.pValue.v), "p \(c.name): \(String(describing: r.pValue)) vs \(c.pValue.v)")
        #expect(close(r.lower, c.lower.v, rel: 1e-9, abs: 1e-15), "lower \(c.name)")
        #expect(close(r.upper, c.upper.v, rel: 1e-9, abs: 1e-15), "upper \(c.name)")
        let rel = try Comparisons.twoProportion(control: control, treatment: treatment, scale: .relative,
                                                alpha: c.alpha, alternative: alt)
        #expect(close(rel.estimate, c.relative.estimate.v, rel: 1e-9, abs: 1e-13), "relative \(c.name)")
        #expect(close(rel.standardError, c.relative.standardError.v), "relative SE \(c.name)")
        #expect(close(rel.pValue, c.relative.pValue.v), "relative p \(c.name)")
    }

    @Test func twoProportionOraclePublishedValues() throws {
        // ORACLES §11 row 1: 120/1000 vs 150/1000.
        let r = try Comparisons.twoProportion(control: .init(n: 1000, successes: 120), treatment: .init(n: 1000, successes: 150))
        #expect(close(r.statistic, 1.963049808, rel: 1e-9))
        #expect(close(r.pValue, 0.04964038687, rel: 1e-9))
        #expect(close(r.standardError, 0.01526761278, rel: 1e-9))
        #expect(close(r.lower, 7.60288213e-05, rel: 1e-8) && close(r.upper, 0.05992397118, rel: 1e-9))
        #expect(r.isSignificant)
    }

    @Test func oneSidedPValuesAreHalfOrComplementOfTwoSided() throws {
        let c = MeanStatistic(values: [1, 2, 3, 4]), t = MeanStatistic(values: [2, 4, 6, 8, 10])
        let two = try Comparisons.welch(control: c, treatment: t)
        let greater = try Comparisons.welch(control: c, treatment: t, alternative: .greater)
        let less = try Comparisons.welch(control: c, treatment: t, alternative: .less)
        #expect(close(greater.pValue, (two.pValue ?? 0) / 2, rel: 1e-12))
        #expect(close(less.pValue, 1 - (two.pValue ?? 0) / 2, rel: 1e-12))
        #expect(greater.upper == .infinity && less.lower == -.infinity)
    }

    @Test func eachVariantAgainstControl() throws {
        let control = ProportionStatistic(n: 1000, successes: 120)
        let rs = try Comparisons.eachAgainstControl(control: control, treatments: [
            ProportionStatistic(n: 1000, successes: 150), ProportionStatistic(n: 1000, successes: 120),
        ]) { (c, t) throws(AnalysisError) in try Comparisons.twoProportion(control: c, treatment: t) }
        #expect(rs.count == 2)
        #expect(close(rs[0].pValue, 0.04964038687, rel: 1e-9))
        #expect(rs[1].estimate == 0 && rs[1].pValue == 1)
    }

    @Test(arguments: [0.0, 1.0, -0.1, 1.5, Double.nan])
    func alphaOutsideUnitIntervalThrows(_ alpha: Double) {
        let s = MeanStatistic(values: [1, 2, 3])
        #expect(throws: AnalysisError.self) { try Comparisons.welch(control: s, treatment: s, alpha: alpha) }
        #expect(throws: AnalysisError.self) { try Comparisons.student(control: s, treatment: s, alpha: alpha) }
        #expect(throws: AnalysisError.self) {
            try Comparisons.twoProportion(control: .init(n: 10, successes: 1), treatment: .init(n: 10, successes: 2), alpha: alpha)
        }
    }
}
