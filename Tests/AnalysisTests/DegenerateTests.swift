import Testing
@testable import Analysis

/// Every degenerate case of issue 4 item 12 returns a status saying why — never a crash, never
/// a NaN in a field. The fixture records what scipy/statsmodels return for the same data (NaN
/// or ±inf) to show the silent failure these statuses replace.
@Suite struct DegenerateTests {
    /// No field of a result is NaN.
    func noNaN(_ r: FixedHorizonResult) -> Bool {
        [r.controlMean, r.treatmentMean, r.estimate, r.standardError, r.lower, r.upper, r.statistic,
         r.degreesOfFreedom, r.pValue].allSatisfy { !($0?.isNaN ?? false) }
    }

    @Test(arguments: Fixture.shared?.degenerate.welch ?? [])
    func meanComparisons(_ c: DegenerateWelch) throws {
        let control = MeanStatistic(values: c.control.map(\.v)), treatment = MeanStatistic(values: c.treatment.map(\.v))
        for r in [try Comparisons.welch(control: control, treatment: treatment),
                  try Comparisons.student(control: control, treatment: treatment),
                  try Comparisons.welch(control: control, treatment: treatment, scale: .relative)] {
            #expect(r.status.rawValue == c.status, "\(c.name): \(r.status) (scipy: \(c.scipy))")
            #expect(r.pValue == nil && !r.isSignificant)
            #expect(noNaN(r))
        }
        let n = try Bayesian.normalNormal(control: control, treatment: treatment)
        #expect(n.status.rawValue == c.status && n.chanceToBeatControl == nil)
    }

    @Test(arguments: Fixture.shared?.degenerate.proportions ?? [])
    func proportionComparisons(_ c: DegenerateProportion) throws {
        let r = try Comparisons.twoProportion(control: .init(n: c.control.n, successes: c.control.successes),
                                              treatment: .init(n: c.treatment.n, successes: c.treatment.successes))
        #expect(r.status.rawValue == c.status, "\(c.name): \(r.status)")
        #expect(r.pValue == nil && noNaN(r))
    }

    @Test func zeroVarianceKeepsTheEstimate() throws {
        let r = try Comparisons.welch(control: MeanStatistic(values: [5, 5, 5]), treatment: MeanStatistic(values: [6, 6]))
        #expect(r.status == .zeroVariance && r.estimate == 1 && r.standardError == nil)
    }

    @Test func relativeLiftWithZeroControlMean() throws {
        let r = try Comparisons.welch(control: MeanStatistic(values: [-1, 1, 0]), treatment: MeanStatistic(values: [1, 2]),
                                      scale: .relative)
        #expect(r.status == .zeroControlMean && noNaN(r))
        let p = try Comparisons.twoProportion(control: .init(n: 100, successes: 0), treatment: .init(n: 100, successes: 3),
                                              scale: .relative)
        #expect(p.status == .zeroControlMean && noNaN(p))
        // The absolute comparison of the same data is fine.
        #expect(try Comparisons.twoProportion(control: .init(n: 100, successes: 0), treatment: .init(n: 100, successes: 3)).status == .ok)
    }

    @Test func ratioDegenerateCases() throws {
        let ok = try RatioStatistic(numerators: [1, 2, 3], denominators: [2, 2, 4])
        #expect(try Comparisons.ratio(control: .zero, treatment: ok).status == .emptyArm)
        let one = try RatioStatistic(numerators: [1], denominators: [2])
        #expect(try Comparisons.ratio(control: one, treatment: ok).status == .insufficientSample)
        let zeroDen = try RatioStatistic(numerators: [0, 0], denominators: [0, 0])
        #expect(try Comparisons.ratio(control: zeroDen, treatment: ok).status == .zeroDenominator)
        let constant = try RatioStatistic(numerators: [1, 1], denominators: [2, 2])
        #expect(try Comparisons.ratio(control: constant, treatment: constant).status == .zeroVariance)
        let nan = try RatioStatistic(numerators: [1, .nan], denominators: [2, 2])
        #expect(try Comparisons.ratio(control: nan, treatment: ok).status == .nonFiniteInput)
    }

    @Test func cupedDegenerateCases() throws {
        let ok = try CovariateStatistic(values: [1, 2, 3], preValues: [1, 3, 2])
        #expect(try Comparisons.cuped(control: .zero, treatment: ok).comparison.status == .emptyArm)
        let one = try CovariateStatistic(values: [1], preValues: [2])
        #expect(try Comparisons.cuped(control: one, treatment: ok).comparison.status == .insufficientSample)
        let inf = try CovariateStatistic(values: [1, .infinity], preValues: [2, 2])
        #expect(try Comparisons.cuped(control: inf, treatment: ok).comparison.status == .nonFiniteInput)
        // Y is an exact linear function of X in both arms: after adjustment nothing varies.
        let c = try CovariateStatistic(values: [2, 4, 6], preValues: [1, 2, 3])
        let t = try CovariateStatistic(values: [8, 10], preValues: [4, 5])
        #expect(try Comparisons.cuped(control: c, treatment: t).comparison.status == .zeroVariance)
    }

    @Test func impossibleStatistics() throws {
        let bad = MeanStatistic(n: 3, sum: 3, sumOfSquares: -1)
        #expect(try Comparisons.welch(control: bad, treatment: MeanStatistic(values: [1, 2])).status == .invalidStatistics)
        #expect(try Comparisons.twoProportion(control: .init(n: -1, successes: 0), treatment: .init(n: 3, successes: 1)).status == .invalidStatistics)
    }
}

/// A z test whose arms have rates 0 and 1 has a pooled test but a zero-width Wald interval: it is
/// reported as `degenerate_interval` (with the estimate), never as an `ok` interval [d, d].
@Suite struct DegenerateIntervalTests {
    @Test(arguments: [(0, 100, 100, 100), (100, 100, 0, 100), (0, 1, 1, 1), (0, 5, 0, 7)])
    func zeroWidthWaldIntervalIsAStatus(_ xc: Int, _ nc: Int, _ xt: Int, _ nt: Int) throws {
        let r = try Comparisons.twoProportion(control: ProportionStatistic(n: nc, successes: xc), treatment: ProportionStatistic(n: nt, successes: xt))
        if xc + xt == 0 {
            #expect(r.status == .noConversions)
        } else {
            #expect(r.status == .degenerateInterval)
            #expect(r.estimate == Double(xt) / Double(nt) - Double(xc) / Double(nc))
            #expect(r.lower == nil && r.upper == nil && r.pValue == nil)
        }
        // With one success and one failure more in the control, the interval has width again.
        let ok = try Comparisons.twoProportion(control: ProportionStatistic(n: nc + 2, successes: xc + 1), treatment: ProportionStatistic(n: nt, successes: xt))
        if xc + xt > 0 { #expect(ok.status == .ok && (ok.upper ?? 0) > (ok.lower ?? 0)) }
    }
}
