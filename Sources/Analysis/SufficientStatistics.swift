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
