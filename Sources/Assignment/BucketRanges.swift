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

/// How a ruleset turns weights and coverage into ranges (the top-level `"bucket_ranges"` key).
public enum BucketRangeRules: String, Sendable, Equatable, CaseIterable {
    /// Reject invalid input (`bucketRanges`): the default.
    case strict
    /// Repair it as GrowthBook's `getBucketRanges` does (`growthBookBucketRanges`); `assign
    /// --check` lists every repair as a warning.
    case growthbook
}

/// GrowthBook's `getEqualWeights`: `n` weights of `1/n` (none when `n ≤ 0`).
/// Source: GrowthBook JS SDK `packages/sdk-js/src/util.ts` and its `cases.json`.
public func growthBookEqualWeights(_ n: Int) -> [Double] {
    n <= 0 ? [] : [Double](repeating: 1 / Double(n), count: n)
}

/// Bucket ranges by GrowthBook's `getBucketRanges` rules (JS SDK `util.ts`, conformance
/// section `getBucketRange` of `cases.json`): coverage is clamped to [0, 1] (nil means 1);
/// weights that are missing, of the wrong length, or summing outside [0.99, 1.01] are replaced
/// by equal weights; otherwise variant i starts at the cumulative weight and has width
/// `coverage × wᵢ`. Returns the ranges, the weights used and a note for every repair applied (empty when the
/// input was valid as given). A non-finite coverage is treated as 0.
public func growthBookBucketRanges(variations n: Int, coverage: Double?, weights: [Double]?) -> (ranges: [BucketRange], weights: [Double], repairs: [String]) {
    var repairs: [String] = []
    var c = coverage ?? 1
    if !c.isFinite {
        repairs.append("coverage \(c) is not a number; using 0")
        c = 0
    } else if c < 0 {
        repairs.append("coverage \(c) is below 0; clamped to 0 as GrowthBook does")
        c = 0
    } else if c > 1 {
        repairs.append("coverage \(c) is above 1; clamped to 1 as GrowthBook does")
        c = 1
    }
    let equal = growthBookEqualWeights(n)
    var w = weights ?? equal
    if w.count != n {
        repairs.append("\(w.count) weights for \(n) variants; using equal weights as GrowthBook does")
        w = equal
    }
    let total = w.reduce(0, +)
    if !(total >= 0.99 && total <= 1.01) {
        repairs.append("weights sum to \(total), outside GrowthBook's [0.99, 1.01]; using equal weights as GrowthBook does")
        w = equal
    } else if abs(total - 1) > weightSumTolerance {
        repairs.append("weights sum to \(total), not 1; accepted as GrowthBook does (sum within [0.99, 1.01])")
    }
    var cumulative = 0.0
    let ranges = w.map { wi -> BucketRange in
        let start = cumulative
        cumulative += wi
        return BucketRange(start: start, end: start + c * wi)
    }
    return (ranges, w, repairs)
}

/// GrowthBook's `chooseVariation`: the index of the first range containing `n` (half-open),
/// or nil (GrowthBook's −1) when none does.
public func growthBookChooseVariation(_ n: Double, ranges: [BucketRange]) -> Int? {
    ranges.firstIndex { n >= $0.start && n < $0.end }
}

/// GrowthBook's `inNamespace`: whether the unit's namespace hash (`growthbook_v1` with salt
/// `"__" + namespace`, i.e. FNV-1a of id + salt modulo 1000, divided by 1000) lies in
/// `[start, end)`.
public func growthBookInNamespace(_ unit: String, namespace: String, start: Double, end: Double) -> Bool {
    let n = SaltedHasher(scheme: .growthbookV1, salt: "__" + namespace).unitInterval(unit)
    return n >= start && n < end
}
