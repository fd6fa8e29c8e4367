import Distributions
import Foundation

// Stratified assignment: two ways to make the arms more alike on pre-experiment data than a
// plain hash split makes them.
//
// 1. Blocking within strata (permuted blocks; Fisher 1935, Zelen 1974 for the clinical-trial
//    form). Units of each stratum are assigned in arrival order through consecutive blocks of
//    B slots; every block holds arm a exactly B·w_a times in an order drawn from a hash of
//    (salt, stratum, block index). At the end of every block each arm has exactly its share
//    of the stratum; in between, an arm is at most B·w_a units off.
// 2. Re-salting (Statsig's "stratified sampling"; Morgan & Rubin 2012, "Rerandomization to
//    improve covariate balance in experiments", Ann. Statist. 40(2)): hash the units under k
//    candidate salts `salt/0 … salt/(k−1)`, measure each assignment's imbalance on a
//    pre-experiment covariate, and keep the most balanced salt.
//
// Neither uses a random generator: every choice is a function of the salt, so a replay of
// the same salt gives the same arms.

/// A stratified assignment that cannot be built (bad block size, weights, covariates).
public struct StratifiedAssignmentError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Permuted blocks: the arms of block `b` of stratum `s` are a permutation of the template
/// (arm a repeated B·w_a times, arms in order), the permutation drawn by a Fisher–Yates
/// shuffle whose j-th step (j = B − 1 … 1) swaps slot j with slot
/// r_j = ⌊h_j·(j + 1)/H⌋, where h_j is the bucket of the unit id `"<j>"` under the salt
/// `"<salt>/s<s>/b<b>"` in the given ``HashScheme`` and H is its bucket count (10 000, or
/// 1 000 for `growthbook_v1`).
///
/// Weights must make every B·w_a an integer (within 1e−9): with equal weights any multiple of
/// the number of arms works (B = m·arms); unequal weights such as (1/3, 2/3) need B a multiple
/// of 3. Other weights are rejected, since a block could not hold them exactly.
///
/// The map from h_j to r_j gives each r either ⌊H/(j + 1)⌋ or ⌈H/(j + 1)⌉ buckets, so every
/// swap target's probability is within (j + 1)/H of 1/(j + 1): for B = 4 and H = 10 000 the
/// permutation probabilities are 1/24 to within 0.04 % relative. Balance at block ends is
/// exact whatever the hash.
public struct PermutedBlocks: Sendable, Equatable {
    /// The hash scheme of the shuffle.
    public let scheme: HashScheme
    /// The assignment salt.
    public let salt: String
    /// Slots per block, B.
    public let blockSize: Int
    /// The block before shuffling: arm a repeated B·w_a times, in arm order.
    public let template: [Int]

    /// Blocks of `blockSize` slots for arms with `weights` (normalised to sum 1).
    public init(scheme: HashScheme, salt: String, weights: [Double], blockSize: Int) throws(StratifiedAssignmentError) {
        guard weights.count >= 2 else { throw StratifiedAssignmentError("permuted blocks need at least two arms, got \(weights.count)") }
        guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw StratifiedAssignmentError("arm weights must be positive, got \(weights)") }
        guard blockSize >= weights.count else {
            throw StratifiedAssignmentError("a block must hold every arm at least once: block size \(blockSize) < \(weights.count) arms")
        }
        let total = weights.reduce(0, +)
        var template: [Int] = []
        for (a, w) in weights.enumerated() {
            let slots = Double(blockSize) * w / total
            let rounded = slots.rounded()
            guard abs(slots - rounded) <= 1e-9, rounded >= 1 else {
                throw StratifiedAssignmentError("block size \(blockSize) cannot hold arm \(a)'s weight \(w / total) exactly (\(slots) slots); choose a block size B with B·w an integer for every arm")
            }
            template += [Int](repeating: a, count: Int(rounded))
        }
        guard template.count == blockSize else {
            throw StratifiedAssignmentError("the weights fill \(template.count) slots, not the block size \(blockSize)")
        }
        self.scheme = scheme
        self.salt = salt
        self.blockSize = blockSize
        self.template = template
    }

    /// The arms of block `index` of `stratum`, in slot (arrival) order.
    public func block(stratum: Int, index: Int) -> [Int] {
        var arms = template
        let hasher = SaltedHasher(scheme: scheme, salt: "\(salt)/s\(stratum)/b\(index)")
        let h = UInt64(hasher.bucketCount)
        var j = blockSize - 1
        while j > 0 {
            let r = Int(UInt64(hasher.bucket(String(j))) * UInt64(j + 1) / h)
            arms.swapAt(j, r)
            j -= 1
        }
        return arms
    }
}

/// Assignment in arrival order within strata through ``PermutedBlocks``: the n-th unit to
/// arrive in stratum s (n = 0, 1, …) gets slot n mod B of block ⌊n/B⌋ of stratum s.
public struct BlockedAssigner: Sendable {
    public let blocks: PermutedBlocks
    /// Units assigned so far per stratum.
    public private(set) var counts: [Int]
    private var current: [[Int]]

    /// An assigner for strata 0 ..< `strata`.
    public init(blocks: PermutedBlocks, strata: Int) {
        self.blocks = blocks
        counts = [Int](repeating: 0, count: max(strata, 0))
        current = [[Int]](repeating: [], count: max(strata, 0))
    }

    /// The arm of the next unit to arrive in `stratum` (0 ..< strata).
    public mutating func nextArm(stratum s: Int) -> Int {
        let n = counts[s]
        let slot = n % blocks.blockSize
        if slot == 0 { current[s] = blocks.block(stratum: s, index: n / blocks.blockSize) }
        counts[s] = n + 1
        return current[s][slot]
    }
}

/// Re-salting to the most balanced of k salts (Statsig's stratified sampling; a best-of-k
/// form of Morgan & Rubin's 2012 rerandomization).
///
/// Candidate salts are `salt/0 … salt/(k−1)`. For each, the units' hashed arms give the
/// imbalance on a pre-experiment covariate x (``imbalance(arms:covariate:armCount:)``):
///
///     d = max over arms a ≥ 1 of |x̄_a − x̄_0| / s_p,   s_p² = ((n_a − 1)s_a² + (n_0 − 1)s_0²)/(n_a + n_0 − 2),
///
/// the absolute standardised mean difference of each treatment against the control (arm 0).
/// The chosen salt has the smallest d; ties go to the lowest index.
///
/// What it buys, for two arms: under one salt, Z = d·√(n_0 n_1/(n_0 + n_1)) is |N(0, 1)|
/// asymptotically, and salts give nearly independent splits, so the chosen Z is the minimum
/// M of k independent |N(0, 1)| with P(M > t) = (2Φ̄(t))^k and
///
///     v_k = E[M²] = ∫₀^∞ 2t·(2Φ̄(t))^k dt      (v_1 = 1, v_2 = 1 − 2/π, v_10 ≈ 0.0247)
///
/// (``expectedSquaredImbalance(bestOf:)``). For an outcome whose regression on x explains a
/// share R² of its variance, the difference in means then has variance
///
///     Var(τ̂ | chosen) / Var(τ̂ | one salt) = 1 − (1 − v_k)·R²
///
/// — Morgan & Rubin's Theorem 3.2 form 1 − (1 − v_a)R², with their v_a = P(χ²₃ ≤ a)/P(χ²₁ ≤ a)
/// for acceptance below a threshold a replaced by v_k for the best of k
/// (``varianceRatio(bestOf:rSquared:)``). Welch's SE does not know about the selection, so an
/// unadjusted test is conservative; regressing on x (CUPED) restores the nominal size.
public enum Resalting {
    /// The k candidate salts `salt/0 … salt/(k−1)`.
    public static func candidateSalts(_ salt: String, count k: Int) -> [String] {
        (0..<max(k, 0)).map { "\(salt)/\($0)" }
    }

    /// The imbalance d of an assignment on covariate x: the largest |x̄_a − x̄_0|/s_p over the
    /// treatment arms a ≥ 1 (formula in ``Resalting``). Units with arm −1 (not enrolled) are
    /// skipped. +∞ when the control or a treatment arm is empty, or when s_p = 0 and the means
    /// differ; 0 when s_p = 0 and they do not.
    public static func imbalance(arms: [Int], covariate x: [Double], armCount: Int) -> Double {
        var n = [Double](repeating: 0, count: armCount)
        var sum = n, sumSq = n
        for (i, a) in arms.enumerated() where a >= 0 && a < armCount && i < x.count {
            n[a] += 1
            sum[a] += x[i]
            sumSq[a] += x[i] * x[i]
        }
        guard armCount >= 2, n[0] > 0 else { return .infinity }
        func moments(_ a: Int) -> (mean: Double, ss: Double) {
            let m = sum[a] / n[a]
            return (m, max(sumSq[a] - n[a] * m * m, 0))
        }
        let control = moments(0)
        var worst = 0.0
        for a in 1..<armCount {
            guard n[a] > 0 else { return .infinity }
            let t = moments(a)
            let diff = abs(t.mean - control.mean)
            let df = n[a] + n[0] - 2
            let sp = df > 0 ? ((t.ss + control.ss) / df).squareRoot() : 0
            let d: Double
            if sp > 0 { d = diff / sp } else { d = diff == 0 ? 0 : .infinity }
            worst = max(worst, d)
        }
        return worst
    }

    /// The index of the smallest imbalance, ties to the lowest index (nil when empty; NaN
    /// counts as +∞).
    public static func choose(imbalances: [Double]) -> Int? {
        var best: Int?
        var bestValue = Double.infinity
        for (j, d) in imbalances.enumerated() {
            let v = d.isNaN ? .infinity : d
            if best == nil || v < bestValue { best = j; bestValue = v }
        }
        return best
    }

    /// The chosen salt and every candidate's imbalance.
    public struct Selection: Equatable, Sendable {
        /// Index of the chosen salt among the candidates.
        public let index: Int
        /// The chosen salt (`salt/index`).
        public let salt: String
        /// Each candidate's imbalance d, in candidate order.
        public let imbalances: [Double]
    }

    /// Hashes the units under each candidate salt (`arms(salt)` returns every unit's arm, −1
    /// outside the experiment), measures the imbalance on `covariate` and keeps the argmin.
    public static func select(salt: String, candidates k: Int, armCount: Int, covariate: [Double],
                              arms: (String) -> [Int]) throws(StratifiedAssignmentError) -> Selection {
        guard k >= 1 else { throw StratifiedAssignmentError("re-salting needs at least one candidate salt, got \(k)") }
        let salts = candidateSalts(salt, count: k)
        let d = salts.map { imbalance(arms: arms($0), covariate: covariate, armCount: armCount) }
        guard let j = choose(imbalances: d) else { throw StratifiedAssignmentError("no candidate salt") }
        return Selection(index: j, salt: salts[j], imbalances: d)
    }

    /// v_k = E[M²] for M the minimum of k independent |N(0, 1)|: ∫₀^∞ 2t·(2Φ̄(t))^k dt,
    /// by composite Simpson on [0, 12] with 6 000 intervals (the integrand is below 1e−30
    /// beyond 12 for every k ≥ 1). v_1 = 1.
    public static func expectedSquaredImbalance(bestOf k: Int) -> Double {
        guard k >= 1 else { return .nan }
        let upper = 12.0, intervals = 6_000
        let h = upper / Double(intervals)
        func f(_ t: Double) -> Double { 2 * t * pow(2 * Normal.standard.sf(t), Double(k)) }
        var s = f(0) + f(upper)
        for i in 1..<intervals { s += f(Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return s * h / 3
    }

    /// The variance of the difference in means under the best of k salts relative to one salt,
    /// for an outcome whose regression on the balanced covariate has R² = `rSquared`:
    /// 1 − (1 − v_k)·R² (Morgan & Rubin 2012, Theorem 3.2, with v_k for the best of k).
    public static func varianceRatio(bestOf k: Int, rSquared: Double) -> Double {
        1 - (1 - expectedSquaredImbalance(bestOf: k)) * rSquared
    }
}
