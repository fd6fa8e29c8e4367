import Testing
@testable import Analysis

/// Delta-method ratio metrics and CUPED against numpy/scipy (fixture `analysis-core.json`).
@Suite struct RatioCUPEDTests {
    static let fixture = Fixture.shared

    @Test func ratioOracleVector() throws {
        // ORACLES §11: X = [3,1,4,2,5,2,3,6,1,3], Y = [1,0,2,1,2,0,1,3,0,2]: R = 0.4, SE = 0.05258737585.
        let f = try #require(Self.fixture)
        let s = try RatioStatistic(numerators: f.ratioOracle.y, denominators: f.ratioOracle.x)
        let r = try #require(s.ratio)
        #expect(close(r, f.ratioOracle.ratio.v))
        let se = try #require(Comparisons.ratioVariance(s, r)).squareRoot()
        #expect(close(se, f.ratioOracle.standardError.v, rel: 1e-9))
        #expect(close(se, f.ratioOracle.publishedStandardError, rel: 1e-9))
        // The wrong-unit binomial SE sqrt(R(1-R)/ΣX) = 0.0894 must not be what we compute.
        #expect(abs(se - (0.4 * 0.6 / 30).squareRoot()) > 0.03)
        #expect(Comparisons.ratioVariance(try RatioStatistic(numerators: [1], denominators: [2]), 0.5) == nil)
    }

    @Test(arguments: fixture?.ratio ?? [])
    func ratioComparisonMatchesReference(_ c: RatioCase) throws {
        let control = try RatioStatistic(numerators: c.control.y, denominators: c.control.x)
        let treatment = try RatioStatistic(numerators: c.treatment.y, denominators: c.treatment.x)
        let alt = alternative(c.alternative)
        let r = try Comparisons.ratio(control: control, treatment: treatment, alpha: c.alpha, alternative: alt)
        #expect(r.status == .ok, "\(c.name)")
        #expect(close(r.controlMean, c.controlRatio.v) && close(r.treatmentMean, c.treatmentRatio.v))
        #expect(close(Comparisons.ratioVariance(control, c.controlRatio.v), c.controlVariance.v), "\(c.name)")
        #expect(close(r.estimate, c.estimate.v, rel: 1e-9, abs: 1e-13), "\(c.name)")
        #expect(close(r.standardError, c.standardError.v), "\(c.name)")
        #expect(close(r.statistic, c.statistic.v, rel: 1e-9, abs: 1e-12), "\(c.name)")
        #expect(close(r.pValue, c.pValue.v), "\(c.name)")
        #expect(close(r.lower, c.lower.v, rel: 1e-9, abs: 1e-13) && close(r.upper, c.upper.v, rel: 1e-9, abs: 1e-13), "\(c.name)")
        let rel = try Comparisons.ratio(control: control, treatment: treatment, scale: .relative)
        #expect(close(rel.estimate, c.relative.estimate.v, rel: 1e-9, abs: 1e-13), "relative \(c.name)")
        #expect(close(rel.standardError, c.relative.standardError.v), "relative SE \(c.name)")
    }

    @Test func ratioStatisticRejectsMismatchedLengths() {
        #expect(throws: AnalysisError.self) { try RatioStatistic(numerators: [1, 2], denominators: [1]) }
        #expect(throws: AnalysisError.self) { try CovariateStatistic(values: [1], preValues: [1, 2]) }
    }

    @Test func cupedOracleTinyVector() throws {
        // ORACLES §5: θ = 1.127777778, corr = 0.9943456833, Y_cv as printed. Split into two arms
        // of 4; θ is pooled, so it equals the single-sample θ.
        let f = try #require(Self.fixture).cupedOracle
        let c = try CovariateStatistic(values: Array(f.y[..<4]), preValues: Array(f.x[..<4]))
        let t = try CovariateStatistic(values: Array(f.y[4...]), preValues: Array(f.x[4...]))
        let r = try Comparisons.cuped(control: c, treatment: t)
        #expect(close(r.theta, f.theta, rel: 1e-9))
        #expect(close(r.correlation, f.correlation, rel: 1e-9))
        let cvC = f.yCv[..<4].reduce(0, +) / 4, cvT = f.yCv[4...].reduce(0, +) / 4
        #expect(close(r.comparison.controlMean, cvC, rel: 1e-9))
        #expect(close(r.comparison.treatmentMean, cvT, rel: 1e-9))
        #expect(close(r.comparison.estimate, cvT - cvC, rel: 1e-8))
    }

    @Test(arguments: fixture?.cuped ?? [])
    func cupedMatchesWelchOnAdjustedValues(_ c: CupedCase) throws {
        let control = try CovariateStatistic(values: c.control.y, preValues: c.control.x)
        let treatment = try CovariateStatistic(values: c.treatment.y, preValues: c.treatment.x)
        let r = try Comparisons.cuped(control: control, treatment: treatment, alpha: c.alpha,
                                      alternative: alternative(c.alternative))
        let cmp = r.comparison
        #expect(cmp.status == .ok && cmp.method == .cuped, "\(c.name)")
        #expect(close(r.theta, c.theta.v), "θ \(c.name)")
        #expect(close(r.correlation, c.correlation.v), "ρ \(c.name)")
        #expect(close(r.varianceReduction, c.varianceReduction.v, rel: 1e-8), "reduction \(c.name)")
        #expect(close(cmp.controlMean, c.controlAdjustedMean.v) && close(cmp.treatmentMean, c.treatmentAdjustedMean.v))
        #expect(close(cmp.estimate, c.estimate.v, rel: 1e-9, abs: 1e-12), "\(c.name)")
        #expect(close(cmp.standardError, c.standardError.v, rel: 1e-8), "SE \(c.name)")
        #expect(close(cmp.degreesOfFreedom, c.df.v, rel: 1e-8), "df \(c.name)")
        #expect(close(cmp.pValue, c.pValue.v, rel: 1e-8), "p \(c.name): \(String(describing: cmp.pValue)) vs \(c.pValue.v)")
        #expect(close(cmp.lower, c.lower.v, rel: 1e-8, abs: 1e-12) && close(cmp.upper, c.upper.v, rel: 1e-8, abs: 1e-12))
    }

    @Test func cupedWithConstantCovariateEqualsWelch() throws {
        let y = [1.0, 2, 3, 4], y2 = [2.0, 4, 6, 8, 10]
        let c = try CovariateStatistic(values: y, preValues: [5, 5, 5, 5])
        let t = try CovariateStatistic(values: y2, preValues: [5, 5, 5, 5, 5])
        let r = try Comparisons.cuped(control: c, treatment: t)
        let w = try Comparisons.welch(control: MeanStatistic(values: y), treatment: MeanStatistic(values: y2))
        #expect(r.theta == 0 && r.correlation == nil)
        #expect(close(r.varianceReduction, 0, rel: 0, abs: 1e-12))
        #expect(close(r.comparison.pValue, w.pValue ?? .nan, rel: 1e-12))
    }
}

/// Winsorisation against numpy (`np.quantile` linear, `np.clip`).
@Suite struct WinsorizationTests {
    @Test(arguments: Fixture.shared?.winsorization ?? [])
    func capsAndClippingMatchNumpy(_ c: WinsorCase) throws {
        let caps = try Winsorization.quantileCaps(pooled: c.values, lower: c.lowerP, upper: c.upperP)
        #expect(close(caps.lower, c.lowerCap.v, rel: 1e-12), "\(c.call)")
        #expect(close(caps.upper, c.upperCap.v, rel: 1e-12), "\(c.call)")
        let w = try Winsorization.winsorize(c.values, lower: caps.lower, upper: caps.upper)
        #expect(w.count == c.winsorized.count)
        for (a, b) in zip(w, c.winsorized) { #expect(close(a, b, rel: 1e-12)) }
    }

    @Test func absoluteCapsAndBadArguments() throws {
        #expect(try Winsorization.winsorize([-5, 0, 3, 100], lower: 0, upper: 10) == [0, 0, 3, 10])
        #expect(throws: AnalysisError.self) { try Winsorization.winsorize([1], lower: 2, upper: 1) }
        #expect(throws: AnalysisError.self) { try Winsorization.quantileCaps(pooled: [], upper: 0.99) }
        #expect(throws: AnalysisError.self) { try Winsorization.quantileCaps(pooled: [1, 2], lower: 0.5, upper: 0.4) }
        #expect(throws: AnalysisError.self) { try Winsorization.quantileCaps(pooled: [1, .nan], upper: 0.9) }
    }

    /// The quickselect path gives exactly the sorted-array quantile, with ties, tiny arrays and
    /// the probabilities 0 and 1 (5 000 random arrays).
    @Test func selectionEqualsSorting() throws {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<5000 {
            let n = 1 + trial % 97
            let values = (0..<n).map { _ in trial % 3 == 0 ? Double(Int.random(in: 0...4, using: &rng)) : Double.random(in: -5...5, using: &rng) }
            let p = [0, 1, 0.5, 0.99, 0.999, Double.random(in: 0...1, using: &rng)][trial % 6]
            let sorted = values.sorted()
            let caps = try Winsorization.quantileCaps(pooled: values, lower: p, upper: p)
            #expect(caps.upper == Winsorization.linearQuantile(sorted, p), "n = \(n), p = \(p)")
        }
    }
}
