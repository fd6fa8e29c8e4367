/// A half-open interval `[start, end)` of the unit interval that one variant owns.
public struct BucketRange: Sendable, Equatable, Hashable, Codable {
    /// Inclusive lower end, in [0, 1].
    public let start: Double
    /// Exclusive upper end, in [start, 1].
    public let end: Double

    /// A range; callers validate `0 ≤ start ≤ end ≤ 1` (`bucketRanges` and the ruleset loader do).
    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }

    /// Its width, `end − start`.
    public var width: Double { end - start }

    /// Whether two half-open ranges share any point.
    public func overlaps(_ other: BucketRange) -> Bool {
        start < other.end && other.start < end && width > 0 && other.width > 0
    }

    /// The range in integer buckets for a scheme with `count` buckets: bucket `b` is inside
    /// exactly when `lower ≤ b < upper`, i.e. when `start ≤ b / count < end`. Products within
    /// 1e-9 of an integer are snapped to it, so cumulative sums such as 0.1 + 0.2 do not move
    /// a boundary by one bucket through floating-point noise.
    public func bucketBounds(count: UInt32) -> (lower: UInt32, upper: UInt32) {
        (Self.boundary(start, count), Self.boundary(end, count))
    }

    static func boundary(_ x: Double, _ count: UInt32) -> UInt32 {
        let y = x * Double(count)
        guard y.isFinite else { return y == .infinity ? count : 0 }  // NaN → 0
        let nearest = y.rounded()
        let b = abs(y - nearest) < 1e-9 ? nearest : y.rounded(.up)
        return UInt32(min(max(b, 0), Double(count)))
    }
}

/// Why a set of weights and a coverage cannot be turned into bucket ranges.
public struct BucketRangeError: Error, Equatable, CustomStringConvertible {
    /// The experiment the weights belong to.
    public let experiment: String
    /// What is wrong.
    public let problem: String

    public var description: String { "experiment '\(experiment)': \(problem)" }
}

/// Tolerance on the sum of variant weights (issue 3: weights must sum to 1 ± 1e-9).
public let weightSumTolerance = 1e-9

/// The bucket ranges of an experiment's variants (DESIGN.md §3): variant i starts at the
/// cumulative weight `w₀ + … + wᵢ₋₁` and has width `coverage × wᵢ`, so lowering the coverage
/// (traffic allocation) only shrinks every range from its right end and never moves a unit from
/// one variant to another. This is GrowthBook's `getBucketRanges`, except that invalid input is
/// rejected instead of silently normalised: weights must be non-negative and finite and sum to
/// 1 ± 1e-9, and `coverage` must lie in [0, 1].
public func bucketRanges(experiment: String, weights: [Double], coverage: Double) throws(BucketRangeError) -> [BucketRange] {
    func fail(_ p: String) -> BucketRangeError { BucketRangeError(experiment: experiment, problem: p) }
    guard !weights.isEmpty else { throw fail("no variants") }
    guard coverage.isFinite, coverage >= 0, coverage <= 1 else {
        throw fail("coverage \(coverage) is outside [0, 1]")
    }
    for (i, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
        throw fail("variant \(i) has weight \(w); weights must be finite and ≥ 0")
    }
    let sum = weights.reduce(0, +)
    guard abs(sum - 1) <= weightSumTolerance else {
        throw fail("weights sum to \(sum), expected 1 ± \(weightSumTolerance)")
    }
    var cumulative = 0.0
    var ranges: [BucketRange] = []
    ranges.reserveCapacity(weights.count)
    for w in weights {
        ranges.append(BucketRange(start: cumulative, end: cumulative + coverage * w))
        cumulative += w
    }
    return ranges
}
