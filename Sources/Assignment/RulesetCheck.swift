import Foundation
import Distributions

/// A Pearson χ² test result.
public struct ChiSquareTest: Sendable, Equatable, Codable {
    /// The statistic Σ (O − E)² / E.
    public let chiSquare: Double
    /// Degrees of freedom.
    public let degreesOfFreedom: Int
    /// P(χ²_df ≥ statistic), from GSL's `gsl_cdf_chisq_Q`.
    public let pValue: Double

    enum CodingKeys: String, CodingKey {
        case chiSquare = "chi_square", degreesOfFreedom = "df", pValue = "p_value"
    }

    /// Pearson's goodness-of-fit test of `observed` counts against `expected` counts (same
    /// length); `df` is cells − 1 when the expected shares are fixed by design. A cell with
    /// expected 0 and observed > 0 makes the statistic infinite (p = 0). Nil when df < 1.
    public static func goodnessOfFit(observed: [Double], expected: [Double], degreesOfFreedom df: Int) -> ChiSquareTest? {
        guard df >= 1 else { return nil }
        var x = 0.0
        for (o, e) in zip(observed, expected) {
            if e > 0 { x += (o - e) * (o - e) / e } else if o > 0 { x = .infinity }
        }
        return ChiSquareTest(chiSquare: x, degreesOfFreedom: df, pValue: pValue(x, df))
    }

    /// Pearson's test of independence for a contingency table (rows and columns with a zero
    /// total are dropped; df = (r − 1)(c − 1)); nil when fewer than two rows or columns remain.
    public static func independence(_ table: [[Double]]) -> ChiSquareTest? {
        let rows = table.filter { $0.reduce(0, +) > 0 }
        guard let width = rows.first?.count else { return nil }
        let keepCols = (0..<width).filter { j in rows.reduce(0) { $0 + $1[j] } > 0 }
        let t = rows.map { r in keepCols.map { r[$0] } }
        guard t.count >= 2, keepCols.count >= 2 else { return nil }
        let rowSums = t.map { $0.reduce(0, +) }
        let colSums = keepCols.indices.map { j in t.reduce(0) { $0 + $1[j] } }
        let n = rowSums.reduce(0, +)
        var x = 0.0
        for i in t.indices {
            for j in keepCols.indices {
                let e = rowSums[i] * colSums[j] / n
                x += (t[i][j] - e) * (t[i][j] - e) / e
            }
        }
        let df = (t.count - 1) * (keepCols.count - 1)
        return ChiSquareTest(chiSquare: x, degreesOfFreedom: df, pValue: pValue(x, df))
    }

    static func pValue(_ x: Double, _ df: Int) -> Double {
        guard x.isFinite else { return 0 }
        guard let dist = try? ChiSquared(nu: Double(df)) else { return .nan }
        return dist.sf(x)
    }
}

/// The statistical self-check of a ruleset behind `splitbench assign --check`: N synthetic unit
/// ids (`check-unit-0`, `check-unit-1`, …) are pushed through every experiment, with targeting,
/// status, time windows and sample caps ignored (the check is about bucketing; holdouts,
/// layers and allocation still apply). Three families of Pearson χ² tests, each failing when
/// p < its threshold:
///
/// - **SRM** per experiment: enrolled counts per variant against the design weights
///   (df = variants − 1; the GrowthBook default threshold 0.001, ORACLES.md §7).
/// - **Bucket uniformity** per experiment: the raw buckets of all N ids, grouped into equal
///   bins with ≥ 5 expected per bin, against the uniform distribution.
/// - **Independence** per pair of experiments: the variant × variant table of the units
///   enrolled in both (df = (r − 1)(c − 1)); pairs in one layer are exclusive by design and
///   skipped. A dependent pair usually means a reused salt.
public struct RulesetCheck: Sendable {
    /// p-value thresholds below which a check fails.
    public struct Thresholds: Sendable, Equatable {
        public var srm: Double
        public var uniformity: Double
        public var independence: Double
        /// Thresholds; 0.001 each by default (GrowthBook's SRM default, ORACLES.md §7).
        public init(srm: Double = 0.001, uniformity: Double = 0.001, independence: Double = 0.001) {
            self.srm = srm
            self.uniformity = uniformity
            self.independence = independence
        }
    }

    public struct VariantCount: Sendable, Equatable {
        public let name: String
        public let weight: Double
        public let count: Int
        public let expected: Double
    }

    public struct ExperimentResult: Sendable {
        public let id: String
        public let hash: HashScheme
        public let enrolled: Int
        public let variants: [VariantCount]
        /// nil when fewer than two variants have weight or no unit was enrolled.
        public let srm: ChiSquareTest?
        public let srmFailed: Bool
        public let uniformityBins: Int
        public let uniformity: ChiSquareTest?
        public let uniformityFailed: Bool
    }

    public struct PairResult: Sendable {
        public let a: String
        public let b: String
        public let unitsInBoth: Int
        public let test: ChiSquareTest?
        /// Why the pair was not tested, if it was not.
        public let skipped: String?
        public let failed: Bool
    }

    public let units: Int
    public let thresholds: Thresholds
    public let experiments: [ExperimentResult]
    public let pairs: [PairResult]
    /// The ruleset's load warnings (GrowthBook bucket-range repairs, targeting GrowthBook
    /// evaluates as false …); they do not make the check fail.
    public let warnings: [RulesetProblem]

    /// True when no check failed.
    public var passed: Bool {
        !experiments.contains { $0.srmFailed || $0.uniformityFailed } && !pairs.contains { $0.failed }
    }

    /// The synthetic id of unit `i`.
    public static func unitID(_ i: Int) -> String { "check-unit-\(i)" }

    /// Runs every check with `units` synthetic units (at least 1).
    public init(ruleset: Ruleset, units: Int, thresholds: Thresholds = Thresholds(), at time: Date = Date(timeIntervalSince1970: 0)) {
        let n = max(units, 1)
        self.units = n
        self.thresholds = thresholds
        warnings = ruleset.warnings
        let evaluator = Evaluator(ruleset: ruleset, options: .init(ignoreTargeting: true, ignoreStatusAndTime: true, ignoreSampleCaps: true))
        let unitAttributes = Set(ruleset.experiments.map(\.unit) + ruleset.holdouts.map(\.unit) + ruleset.layers.map(\.unit))
        let exps = ruleset.experiments
        // variantOf[e][u] = variant index, or −1 when not enrolled.
        var variantOf = exps.map { _ in [Int32](repeating: -1, count: n) }
        var binCounts = exps.map { e in [Double](repeating: 0, count: Self.bins(bucketCount: e.hash.bucketCount, units: n)) }
        for u in 0..<n {
            let id = Self.unitID(u)
            var attrs = Attributes(minimumCapacity: unitAttributes.count)
            for a in unitAttributes { attrs[a] = .string(id) }
            for (k, e) in exps.enumerated() {
                let a = evaluator.evaluate(e, attrs, at: time)
                if case .variant(let index, _, _) = a.outcome { variantOf[k][u] = Int32(index) }
                let bins = binCounts[k].count
                let b = Int(e.hasher.bucket(id)) * bins / Int(e.hash.bucketCount)
                binCounts[k][b] += 1
            }
        }
        var results: [ExperimentResult] = []
        for (k, e) in exps.enumerated() {
            var counts = [Int](repeating: 0, count: e.variants.count)
            for v in variantOf[k] where v >= 0 { counts[Int(v)] += 1 }
            let enrolled = counts.reduce(0, +)
            let totalWeight = e.variants.reduce(0) { $0 + $1.weight }
            let expected = e.variants.map { totalWeight > 0 ? Double(enrolled) * $0.weight / totalWeight : 0 }
            let weighted = e.variants.filter { $0.weight > 0 }.count
            let srm = enrolled > 0 ? ChiSquareTest.goodnessOfFit(observed: counts.map(Double.init), expected: expected, degreesOfFreedom: weighted - 1) : nil
            let bins = binCounts[k]
            let uniform = ChiSquareTest.goodnessOfFit(observed: bins, expected: bins.map { _ in Double(n) / Double(bins.count) },
                                                      degreesOfFreedom: bins.count - 1)
            results.append(ExperimentResult(
                id: e.id, hash: e.hash, enrolled: enrolled,
                variants: e.variants.indices.map { VariantCount(name: e.variants[$0].name, weight: e.variants[$0].weight, count: counts[$0], expected: expected[$0]) },
                srm: srm, srmFailed: srm.map { !($0.pValue >= thresholds.srm) } ?? false,
                uniformityBins: bins.count, uniformity: uniform,
                uniformityFailed: uniform.map { !($0.pValue >= thresholds.uniformity) } ?? false))
        }
        experiments = results

        var pairResults: [PairResult] = []
        for i in exps.indices {
            for j in exps.indices where j > i {
                let (a, b) = (exps[i], exps[j])
                if let la = a.layer?.layer, la == b.layer?.layer {
                    pairResults.append(PairResult(a: a.id, b: b.id, unitsInBoth: 0, test: nil,
                                                  skipped: "same layer '\(la)': mutually exclusive by design", failed: false))
                    continue
                }
                var table = [[Double]](repeating: [Double](repeating: 0, count: b.variants.count), count: a.variants.count)
                var both = 0
                for u in 0..<n {
                    let va = variantOf[i][u], vb = variantOf[j][u]
                    if va >= 0 && vb >= 0 {
                        table[Int(va)][Int(vb)] += 1
                        both += 1
                    }
                }
                let test = ChiSquareTest.independence(table)
                pairResults.append(PairResult(a: a.id, b: b.id, unitsInBoth: both, test: test,
                                              skipped: test == nil ? "fewer than two variants with units in both experiments" : nil,
                                              failed: test.map { !($0.pValue >= thresholds.independence) } ?? false))
            }
        }
        pairs = pairResults
    }

    /// The number of equal bins for the uniformity test: the largest divisor of the bucket count
    /// among 10 000, 5 000, 2 000, …, 10 with at least 5 expected units per bin.
    static func bins(bucketCount: UInt32, units: Int) -> Int {
        for k in [10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10] where k <= Int(bucketCount) && Int(bucketCount) % k == 0 {
            if units >= 5 * k { return k }
        }
        return 10
    }
}
