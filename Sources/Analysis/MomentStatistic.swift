/// The six running sums of one metric in one group of units: n, Σy, Σy², Σx, Σx², Σxy.
///
/// y is the metric's value for a unit; x is a second value of the same unit: the pre-period
/// value of the metric (the CUPED covariate) or, for a ratio metric Y/X, the denominator. These
/// six sums are sufficient for every comparison the harness makes:
///
/// - a mean (Welch, Student): n, Σy, Σy² (``mean``);
/// - a proportion (two-proportion z test): n and the successes Σy of 0/1 values (``proportion``);
/// - a ratio ΣY/ΣX by the delta method (Deng, Knoblich & Lu, KDD 2018, eq. 3): all six (``ratio``);
/// - CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013, eq. 4): all six (``covariate``).
///
/// The sums of disjoint groups (arms pooled into a factor level, or the intervals between looks
/// accumulated into cumulative statistics) combine with `+`, the same sufficient-statistics
/// design as GrowthBook gbstats' `SampleMeanStatistic` / `RatioStatistic` /
/// `RegressionAdjustedStatistic`.
///
/// **Bit-for-bit contract.** ``add(_:covariate:)``, `+` and the four conversions perform exactly
/// the floating-point operations of the Monte Carlo harness's former `Sums` type
/// (`Sources/Simulation/Replication.swift`): in `add`, n += 1; Σy += y; Σy² += y·y; Σx += x;
/// Σx² += x·x; Σxy += x·y; in `+`, one addition per field. Swift never contracts these into
/// fused multiply-adds, so the committed Monte Carlo numbers do not change when the harness
/// switches to this type. The members are `@inlinable` so the harness's hot loop can inline them
/// across the module boundary.
public struct MomentStatistic: Equatable, Hashable, Codable, Sendable {
    /// The number of units.
    public var n: Int
    /// Σy.
    public var sum: Double
    /// Σy².
    public var sumOfSquares: Double
    /// Σx (pre-period covariate or ratio denominator).
    public var covariateSum: Double
    /// Σx².
    public var covariateSumOfSquares: Double
    /// Σxy.
    public var crossSum: Double

    /// The statistics from their sums; every sum defaults to zero (no units).
    @inlinable
    public init(n: Int = 0, sum: Double = 0, sumOfSquares: Double = 0, covariateSum: Double = 0,
                covariateSumOfSquares: Double = 0, crossSum: Double = 0) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.covariateSum = covariateSum
        self.covariateSumOfSquares = covariateSumOfSquares
        self.crossSum = crossSum
    }

    /// The statistics of paired unit values `y` and covariates `x`, added in order with
    /// ``add(_:covariate:)``. Throws when the lengths differ.
    public init(values y: [Double], covariates x: [Double]) throws(AnalysisError) {
        guard y.count == x.count else {
            throw AnalysisError("MomentStatistic(values:covariates:)",
                                "values and covariates must have the same length, got \(y.count) and \(x.count)")
        }
        self.init()
        for i in y.indices { add(y[i], covariate: x[i]) }
    }

    /// The sum of `statistics` in order, starting from zero:
    /// `var g = MomentStatistic(); for s in statistics { g = g + s }` — how the harness pools the
    /// arms of a comparison group.
    @inlinable
    public init(combining statistics: some Sequence<MomentStatistic>) {
        var g = MomentStatistic()
        for s in statistics { g = g + s }
        self = g
    }

    /// No units.
    public static let zero = MomentStatistic()

    /// Adds one unit with value `y` and covariate `x` (pass 0 when there is none):
    /// n += 1, Σy += y, Σy² += y², Σx += x, Σx² += x², Σxy += x·y, in that order.
    @inlinable @inline(__always)
    public mutating func add(_ y: Double, covariate x: Double) {
        n += 1
        sum += y; sumOfSquares += y * y
        covariateSum += x; covariateSumOfSquares += x * x; crossSum += x * y
    }

    /// The statistics of the union of two disjoint groups: each field is a's plus b's (one
    /// floating-point addition per field, a's operand first).
    @inlinable
    public static func + (a: MomentStatistic, b: MomentStatistic) -> MomentStatistic {
        MomentStatistic(n: a.n + b.n, sum: a.sum + b.sum, sumOfSquares: a.sumOfSquares + b.sumOfSquares,
                        covariateSum: a.covariateSum + b.covariateSum,
                        covariateSumOfSquares: a.covariateSumOfSquares + b.covariateSumOfSquares,
                        crossSum: a.crossSum + b.crossSum)
    }

    /// The metric's own statistics (n, Σy, Σy²) for Welch's or Student's t test and the
    /// normal–normal posterior.
    @inlinable
    public var mean: MeanStatistic { MeanStatistic(n: n, sum: sum, sumOfSquares: sumOfSquares) }

    /// A binary metric's statistics: n and successes = Σy rounded to the nearest integer (ties
    /// away from zero, `Double.rounded()`), which is exact for sums of 0/1 values below 2⁵³.
    ///
    /// A Σy that is not finite or does not fit an `Int` gives successes = −1, so the two-proportion
    /// test reports `invalid_statistics` instead of trapping (the harness's `Sums` trapped there;
    /// every other input converts identically).
    @inlinable
    public var proportion: ProportionStatistic {
        let rounded = sum.rounded()
        guard rounded.isFinite, abs(rounded) < 9.0e18 else { return ProportionStatistic(n: n, successes: -1) }
        return ProportionStatistic(n: n, successes: Int(rounded))
    }

    /// A ratio metric's statistics: numerator Y = y, denominator X = x
    /// (ΣY = Σy, ΣX = Σx, ΣY² = Σy², ΣX² = Σx², ΣXY = Σxy).
    @inlinable
    public var ratio: RatioStatistic {
        RatioStatistic(n: n, sumY: sum, sumX: covariateSum, sumYSquares: sumOfSquares,
                       sumXSquares: covariateSumOfSquares, sumXY: crossSum)
    }

    /// CUPED's statistics: outcome Y = y, pre-period covariate X = x.
    @inlinable
    public var covariate: CovariateStatistic {
        CovariateStatistic(n: n, sum: sum, sumOfSquares: sumOfSquares, preSum: covariateSum,
                           preSumOfSquares: covariateSumOfSquares, crossSum: crossSum)
    }
}

extension MomentStatistic {
    /// The moments of a mean metric's summary (no covariate).
    public init(_ s: MeanStatistic) {
        self.init(n: s.n, sum: s.sum, sumOfSquares: s.sumOfSquares)
    }

    /// The moments of a conversion summary: y ∈ {0, 1}, so Σy = Σy² = successes, and
    /// ``proportion`` gives the summary back exactly.
    public init(_ s: ProportionStatistic) {
        self.init(n: s.n, sum: Double(s.successes), sumOfSquares: Double(s.successes))
    }

    /// The moments of a metric with its pre-period covariate (CUPED); ``covariate`` gives the
    /// summary back exactly.
    public init(_ s: CovariateStatistic) {
        self.init(n: s.n, sum: s.sum, sumOfSquares: s.sumOfSquares, covariateSum: s.preSum,
                  covariateSumOfSquares: s.preSumOfSquares, crossSum: s.crossSum)
    }
}
