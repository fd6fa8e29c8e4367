/// Sufficient statistics of a continuous metric in one group: n, Σy, Σy².
///
/// Immutable and summable (`+`), so per-day, per-stratum and per-look statistics combine by
/// addition (the design of GrowthBook gbstats' `SampleMeanStatistic`).
public struct MeanStatistic: Equatable, Hashable, Codable, Sendable {
    public let n: Int
    public let sum: Double
    public let sumOfSquares: Double

    public init(n: Int, sum: Double, sumOfSquares: Double) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }

    /// The statistics of `values` (summed in order).
    public init(values: some Sequence<Double>) {
        var n = 0, s = 0.0, ss = 0.0
        for y in values { n += 1; s += y; ss += y * y }
        self.init(n: n, sum: s, sumOfSquares: ss)
    }

    public static let zero = MeanStatistic(n: 0, sum: 0, sumOfSquares: 0)

    /// The sample mean Σy/n, or nil when n = 0.
    public var mean: Double? { n > 0 ? sum / Double(n) : nil }

    /// The sample variance with n − 1 in the denominator, (Σy² − (Σy)²/n)/(n − 1), clamped at
    /// 0 against rounding; nil when n < 2.
    public var variance: Double? {
        guard n >= 2 else { return nil }
        let v = (sumOfSquares - sum * sum / Double(n)) / Double(n - 1)
        return max(v, 0)
    }

    public static func + (a: MeanStatistic, b: MeanStatistic) -> MeanStatistic {
        MeanStatistic(n: a.n + b.n, sum: a.sum + b.sum, sumOfSquares: a.sumOfSquares + b.sumOfSquares)
    }
}

/// Sufficient statistics of a binary metric in one group: n and the number of successes.
public struct ProportionStatistic: Equatable, Hashable, Codable, Sendable {
    public let n: Int
    public let successes: Int

    public init(n: Int, successes: Int) {
        self.n = n
        self.successes = successes
    }

    public static let zero = ProportionStatistic(n: 0, successes: 0)

    /// successes / n, or nil when n = 0.
    public var proportion: Double? { n > 0 ? Double(successes) / Double(n) : nil }

    public static func + (a: ProportionStatistic, b: ProportionStatistic) -> ProportionStatistic {
        ProportionStatistic(n: a.n + b.n, successes: a.successes + b.successes)
    }
}

/// Sufficient statistics of a ratio metric R = ΣY/ΣX in one group, where each randomisation
/// unit contributes a numerator Y and a denominator X (e.g. clicks / page views per user):
/// n, ΣY, ΣX, ΣY², ΣX², ΣXY.
///
/// Immutable and summable; the delta-method variance of R̂ (Deng, Knoblich & Lu, KDD 2018,
/// eq. 3) needs exactly these six sums.
public struct RatioStatistic: Equatable, Hashable, Codable, Sendable {
    public let n: Int
    public let sumY: Double
    public let sumX: Double
    public let sumYSquares: Double
    public let sumXSquares: Double
    public let sumXY: Double

    /// The statistics from their sums (n units; Σ over units of Y, X, Y², X², X·Y).
    public init(n: Int, sumY: Double, sumX: Double, sumYSquares: Double, sumXSquares: Double, sumXY: Double) {
        self.n = n
        self.sumY = sumY
        self.sumX = sumX
        self.sumYSquares = sumYSquares
        self.sumXSquares = sumXSquares
        self.sumXY = sumXY
    }

    /// The statistics of paired unit-level numerators `y` and denominators `x` (summed in
    /// order). Throws when the lengths differ.
    public init(numerators y: [Double], denominators x: [Double]) throws(AnalysisError) {
        guard y.count == x.count else {
            throw AnalysisError("RatioStatistic(numerators:denominators:)",
                                "numerators and denominators must have the same length, got \(y.count) and \(x.count)")
        }
        var sy = 0.0, sx = 0.0, syy = 0.0, sxx = 0.0, sxy = 0.0
        for i in y.indices {
            sy += y[i]; sx += x[i]; syy += y[i] * y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]
        }
        self.init(n: y.count, sumY: sy, sumX: sx, sumYSquares: syy, sumXSquares: sxx, sumXY: sxy)
    }

    public static let zero = RatioStatistic(n: 0, sumY: 0, sumX: 0, sumYSquares: 0, sumXSquares: 0, sumXY: 0)

    /// R̂ = ΣY/ΣX, or nil when ΣX = 0.
    public var ratio: Double? { sumX != 0 ? sumY / sumX : nil }

    /// The statistics of the union of two disjoint groups of units (component-wise sums).
    public static func + (a: RatioStatistic, b: RatioStatistic) -> RatioStatistic {
        RatioStatistic(n: a.n + b.n, sumY: a.sumY + b.sumY, sumX: a.sumX + b.sumX,
                       sumYSquares: a.sumYSquares + b.sumYSquares, sumXSquares: a.sumXSquares + b.sumXSquares,
                       sumXY: a.sumXY + b.sumXY)
    }
}

/// Sufficient statistics of a continuous metric Y together with a pre-period covariate X (for
/// CUPED, Deng, Xu, Kohavi & Walker, WSDM 2013): n, ΣY, ΣY², ΣX, ΣX², ΣXY.
///
/// Immutable and summable. ``outcome`` gives the plain ``MeanStatistic`` of Y.
public struct CovariateStatistic: Equatable, Hashable, Codable, Sendable {
    public let n: Int
    public let sum: Double
    public let sumOfSquares: Double
    public let preSum: Double
    public let preSumOfSquares: Double
    public let crossSum: Double

    /// The statistics from their sums (n units; ΣY, ΣY², ΣX_pre, ΣX_pre², ΣY·X_pre).
    public init(n: Int, sum: Double, sumOfSquares: Double, preSum: Double, preSumOfSquares: Double, crossSum: Double) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.preSum = preSum
        self.preSumOfSquares = preSumOfSquares
        self.crossSum = crossSum
    }

    /// The statistics of paired unit-level outcomes `y` and pre-period values `pre` (summed in
    /// order). Throws when the lengths differ.
    public init(values y: [Double], preValues x: [Double]) throws(AnalysisError) {
        guard y.count == x.count else {
            throw AnalysisError("CovariateStatistic(values:preValues:)",
                                "values and preValues must have the same length, got \(y.count) and \(x.count)")
        }
        var sy = 0.0, syy = 0.0, sx = 0.0, sxx = 0.0, sxy = 0.0
        for i in y.indices {
            sy += y[i]; syy += y[i] * y[i]; sx += x[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]
        }
        self.init(n: y.count, sum: sy, sumOfSquares: syy, preSum: sx, preSumOfSquares: sxx, crossSum: sxy)
    }

    public static let zero = CovariateStatistic(n: 0, sum: 0, sumOfSquares: 0, preSum: 0, preSumOfSquares: 0, crossSum: 0)

    /// The outcome's own statistics (n, ΣY, ΣY²).
    public var outcome: MeanStatistic { MeanStatistic(n: n, sum: sum, sumOfSquares: sumOfSquares) }

    /// The statistics of the union of two disjoint groups of units (component-wise sums).
    public static func + (a: CovariateStatistic, b: CovariateStatistic) -> CovariateStatistic {
        CovariateStatistic(n: a.n + b.n, sum: a.sum + b.sum, sumOfSquares: a.sumOfSquares + b.sumOfSquares,
                           preSum: a.preSum + b.preSum, preSumOfSquares: a.preSumOfSquares + b.preSumOfSquares,
                           crossSum: a.crossSum + b.crossSum)
    }
}

extension RatioStatistic {
    /// True when every sum is finite.
    var isFinite: Bool {
        sumY.isFinite && sumX.isFinite && sumYSquares.isFinite && sumXSquares.isFinite && sumXY.isFinite
    }
}

extension CovariateStatistic {
    /// True when every sum is finite.
    var isFinite: Bool {
        sum.isFinite && sumOfSquares.isFinite && preSum.isFinite && preSumOfSquares.isFinite && crossSum.isFinite
    }
}
