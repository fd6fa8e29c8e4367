import Distributions
import Foundation

// Multi-armed bandit allocators: per-arm statistics in, allocation weights out. Every
// allocator is a deterministic function of the statistics (no random draws), so a simulated
// bandit is reproducible; where a policy is usually run by sampling (Thompson sampling), the
// weights are the exact probabilities the sampler would realise, computed by quadrature
// (BanditQuadrature.swift).

/// Per-arm data an allocator sees at an update: the number of observations and the sum and
/// sum of squares of their outcomes (for conversions, `sum = sumOfSquares = successes`).
public struct ArmStatistics: Equatable, Sendable, Codable {
    /// Observations so far (≥ 0).
    public var n: Int
    /// Σ yᵢ over the observations.
    public var sum: Double
    /// Σ yᵢ² over the observations.
    public var sumOfSquares: Double

    /// Statistics of `n` observations with the given sum and sum of squares.
    public init(n: Int, sum: Double, sumOfSquares: Double) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }

    /// Statistics of `n` Bernoulli outcomes with `successes` ones (sum = sum of squares = successes).
    public init(n: Int, successes: Int) {
        self.init(n: n, sum: Double(successes), sumOfSquares: Double(successes))
    }

    /// The sample mean `sum / n`, or nil when `n = 0`.
    public var mean: Double? { n > 0 ? sum / Double(n) : nil }
}

/// The posterior model a Bayesian policy puts on each arm's mean.
public enum BanditModel: Equatable, Sendable {
    /// Bernoulli outcomes with a Beta(`priorAlpha`, `priorBeta`) prior: arm i's posterior is
    /// Beta(α₀ + sᵢ, β₀ + nᵢ − sᵢ) with sᵢ = `sum` (conjugacy; Gelman et al., BDA3 §2.4).
    case bernoulli(priorAlpha: Double = 1, priorBeta: Double = 1)
    /// Any outcome, normal approximation with a flat prior and the sample variance taken as
    /// known: arm i's mean is N(ȳᵢ, sᵢ²/nᵢ), sᵢ² = (Σy² − (Σy)²/n)/(n − 1) (BDA3 §3.2 with σ²
    /// fixed at its estimate). An arm with zero sample variance is a point mass at ȳᵢ. The
    /// posterior needs n ≥ 2: while some arm has n < 2, the policy's weight goes in equal
    /// shares to those arms (each arm is observed before any is preferred, as in UCB1).
    case gaussian
}

/// How an allocator turns arm statistics into weights. Ties in the argmax policies are exact
/// equalities of the computed index (arms with equal statistics tie; the index is computed
/// the same way for every arm).
public enum BanditPolicy: Equatable, Sendable {
    /// Thompson sampling as probability matching for Bernoulli arms (Thompson 1933; Scott 2010,
    /// "A modern Bayesian look at the multi-armed bandit", Appl. Stoch. Models Bus. Ind. 26):
    /// wᵢ = P(arm i is best) = ∫₀¹ fᵢ(x) Πⱼ≠ᵢ Fⱼ(x) dx under independent Beta posteriors
    /// Beta(α₀ + sᵢ, β₀ + nᵢ − sᵢ) (f density, F cdf). Needs 0 ≤ sum ≤ n for each arm.
    case thompsonBernoulli(priorAlpha: Double = 1, priorBeta: Double = 1)
    /// Thompson sampling under ``BanditModel/gaussian``: wᵢ = P(arm i is best) =
    /// ∫ φ((x − μᵢ)/σᵢ)/σᵢ Πⱼ≠ᵢ Φ((x − μⱼ)/σⱼ) dx with μᵢ = ȳᵢ, σᵢ = sᵢ/√nᵢ.
    case thompsonGaussian
    /// Top-two Thompson sampling (Russo 2016, "Simple Bayesian algorithms for best arm
    /// identification", COLT; Operations Research 68(6), 2020): draw a posterior sample, let I
    /// be its best arm; with probability β play I, otherwise draw fresh samples until their
    /// best arm J differs from I and play J. With αᵢ = P(best = i) the probability of playing i is
    ///
    ///     wᵢ = β·αᵢ + (1 − β)·Σⱼ≠ᵢ αⱼ·P(J = i | I = j),   P(J = i | I = j) = αᵢ / (1 − αⱼ),
    ///
    /// i.e. wᵢ = αᵢ·[β + (1 − β)·Σⱼ≠ᵢ αⱼ/(1 − αⱼ)] (Russo's ψ for TTTS). See
    /// ``BanditAllocator/topTwoProbabilities(probabilityBest:beta:)``.
    case topTwoThompson(beta: Double = 0.5, model: BanditModel = .bernoulli())
    /// UCB1 (Auer, Cesa-Bianchi & Fischer 2002, "Finite-time analysis of the multiarmed bandit
    /// problem", Machine Learning 47, Fig. 1): all weight on argmaxᵢ ȳᵢ + √(2 ln N / nᵢ),
    /// N = Σ nᵢ, split equally between tied arms; while some arm has n = 0, all weight in
    /// equal shares on the arms with n = 0. (Its guarantees assume rewards in [0, 1].)
    case ucb1
    /// ε-greedy (Sutton & Barto 2018, *Reinforcement Learning*, 2nd ed., §2.2–2.3):
    /// wᵢ = ε/k + (1 − ε)·gᵢ, where g puts equal shares on the arms with the largest sample mean
    /// (ties split), or, while some arm has n = 0, on the arms with n = 0. ε ∈ [0, 1].
    case epsilonGreedy(epsilon: Double)
}

/// A bandit input that cannot be allocated: a bad parameter or inconsistent statistics.
public struct BanditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The function or parameter at fault, e.g. `BanditAllocator.weights`.
    public let context: String
    /// What is wrong, naming the offending value.
    public let problem: String

    public init(_ context: String, _ problem: String) {
        self.context = context
        self.problem = problem
    }

    public var description: String { "\(context): \(problem)" }
}

/// One logged bandit update: at the start of `period` (on `day` of the experiment) the
/// allocator set `weights`, having seen `counts` observations per arm.
public struct BanditUpdate: Equatable, Sendable, Codable {
    /// The allocation period the weights apply to (0 = the first).
    public var period: Int
    /// The experiment day the update took effect.
    public var day: Double
    /// The weights set for the period (sum 1).
    public var weights: [Double]
    /// Observations per arm the update was based on.
    public var counts: [Int]

    public init(period: Int, day: Double, weights: [Double], counts: [Int]) {
        self.period = period
        self.day = day
        self.weights = weights
        self.counts = counts
    }
}

/// Turns per-arm statistics into allocation weights for `arms` arms under a ``BanditPolicy``,
/// with an optional minimum weight per arm.
///
/// Floor rule: with the policy's weights r (sum 1), the allocator returns
/// wᵢ = floor + (1 − k·floor)·rᵢ, so every wᵢ ≥ floor, Σ wᵢ = 1, and the policy's ranking of
/// the arms is kept (floor = 1/k gives the uniform allocation).
///
/// Assignment: the weights become bucket ranges exactly as a ruleset's variant weights do
/// (``ranges(weights:coverage:experiment:)``, i.e. ``bucketRanges(experiment:weights:coverage:)``):
/// arm i owns the hash buckets in [w₀ + … + wᵢ₋₁, w₀ + … + wᵢ). A weight change moves range
/// boundaries, so the hash alone would move some enrolled units to another arm; bandit
/// assignment is therefore sticky through a ledger (``assign(unit:experiment:hasher:ranges:ledger:)``):
/// a weight change applies to units arriving after it, and every enrolled unit keeps the arm
/// it first got.
public struct BanditAllocator: Sendable {
    public let policy: BanditPolicy
    public let arms: Int
    /// Minimum weight per arm, in [0, 1/arms].
    public let floor: Double

    /// An allocator for `arms` ≥ 1 arms. Throws when `floor` is not in [0, 1/arms] (k·floor > 1
    /// leaves no valid weights) or a policy parameter is invalid: priors must be finite and
    /// ≥ 0.1 (below that the prior's mass piles up within 10⁻³⁰⁰ of 0 or 1, beyond what
    /// double-precision quadrature resolves), β and ε must lie in [0, 1].
    public init(policy: BanditPolicy, arms: Int, floor: Double = 0) throws(BanditError) {
        let ctx = "BanditAllocator.init"
        guard arms >= 1 else { throw BanditError(ctx, "arms must be ≥ 1, got \(arms)") }
        guard floor.isFinite, floor >= 0 else { throw BanditError(ctx, "floor must be finite and ≥ 0, got \(floor)") }
        guard floor * Double(arms) <= 1 else {
            throw BanditError(ctx, "floor \(floor) × \(arms) arms = \(floor * Double(arms)) exceeds 1")
        }
        func checkPrior(_ a: Double, _ b: Double) throws(BanditError) {
            for (name, v) in [("priorAlpha", a), ("priorBeta", b)] where !(v.isFinite && v >= Self.minimumPrior) {
                throw BanditError(ctx, "\(name) must be finite and ≥ \(Self.minimumPrior), got \(v)")
            }
        }
        func checkUnit(_ name: String, _ v: Double) throws(BanditError) {
            guard v.isFinite, v >= 0, v <= 1 else { throw BanditError(ctx, "\(name) must be in [0, 1], got \(v)") }
        }
        switch policy {
        case let .thompsonBernoulli(a, b): try checkPrior(a, b)
        case .thompsonGaussian, .ucb1: break
        case let .topTwoThompson(beta, model):
            try checkUnit("beta", beta)
            if case let .bernoulli(a, b) = model { try checkPrior(a, b) }
        case let .epsilonGreedy(eps): try checkUnit("epsilon", eps)
        }
        self.policy = policy
        self.arms = arms
        self.floor = floor
    }

    /// The smallest Beta prior parameter accepted.
    public static let minimumPrior = 0.1

    /// The allocation for the next period: the policy's weights with the floor applied
    /// (see the type's documentation). Sums to 1 (to rounding), each weight ≥ `floor`.
    ///
    /// Throws when `stats.count ≠ arms`, or an arm has n < 0, a non-finite sum or sum of
    /// squares, a negative sum of squares, n = 0 with a nonzero sum, Σy² < (Σy)²/n (beyond
    /// rounding), or, under a Bernoulli model, a sum outside [0, n].
    public func weights(_ stats: [ArmStatistics]) throws(BanditError) -> [Double] {
        let raw = try policyWeights(stats)
        let total = raw.reduce(0, +)
        guard total > 0, total.isFinite else {
            throw BanditError("BanditAllocator.weights", "the policy's weights sum to \(total)")
        }
        let k = Double(arms)
        let spread = max(0, 1 - k * floor)
        return raw.map { floor + spread * ($0 / total) }
    }

    /// The policy's weights before the floor (sum 1).
    public func policyWeights(_ stats: [ArmStatistics]) throws(BanditError) -> [Double] {
        let ctx = "BanditAllocator.weights"
        guard stats.count == arms else {
            throw BanditError(ctx, "expected statistics for \(arms) arms, got \(stats.count)")
        }
        for (i, s) in stats.enumerated() {
            guard s.n >= 0 else { throw BanditError(ctx, "arm \(i) has n = \(s.n) < 0") }
            guard s.sum.isFinite, s.sumOfSquares.isFinite else {
                throw BanditError(ctx, "arm \(i) has sum \(s.sum), sumOfSquares \(s.sumOfSquares); both must be finite")
            }
            guard s.sumOfSquares >= 0 else { throw BanditError(ctx, "arm \(i) has sumOfSquares \(s.sumOfSquares) < 0") }
            if s.n == 0, s.sum != 0 || s.sumOfSquares != 0 {
                throw BanditError(ctx, "arm \(i) has n = 0 but sum \(s.sum), sumOfSquares \(s.sumOfSquares)")
            }
            if s.n > 0 {
                let centred = s.sumOfSquares - s.sum * s.sum / Double(s.n)
                guard centred >= -1e-10 * s.sumOfSquares else {
                    throw BanditError(ctx, "arm \(i) has sumOfSquares \(s.sumOfSquares) < sum²/n = \(s.sum * s.sum / Double(s.n))")
                }
            }
        }
        if arms == 1 { return [1] }
        switch policy {
        case let .thompsonBernoulli(a, b):
            return try Self.probabilityBest(betaPosteriors: try Self.betaPosteriors(stats, a, b, ctx))
        case .thompsonGaussian:
            return try gaussianProbabilityBest(stats) ?? Self.coldStart(stats, below: 2)
        case let .topTwoThompson(beta, model):
            let alpha: [Double]
            switch model {
            case let .bernoulli(a, b):
                alpha = try Self.probabilityBest(betaPosteriors: try Self.betaPosteriors(stats, a, b, ctx))
            case .gaussian:
                guard let p = try gaussianProbabilityBest(stats) else { return Self.coldStart(stats, below: 2) }
                alpha = p
            }
            return try Self.topTwoProbabilities(probabilityBest: alpha, beta: beta)
        case .ucb1:
            if stats.contains(where: { $0.n == 0 }) { return Self.coldStart(stats, below: 1) }
            let total = Double(stats.reduce(0) { $0 + $1.n })
            let index = stats.map { $0.sum / Double($0.n) + (2 * Foundation.log(total) / Double($0.n)).squareRoot() }
            return Self.argmaxShares(index)
        case let .epsilonGreedy(eps):
            let greedy = stats.contains(where: { $0.n == 0 })
                ? Self.coldStart(stats, below: 1)
                : Self.argmaxShares(stats.map { $0.sum / Double($0.n) })
            let k = Double(arms)
            return greedy.map { eps / k + (1 - eps) * $0 }
        }
    }

    /// Equal shares on the arms with n < `below` (callers ensure there is one).
    static func coldStart(_ stats: [ArmStatistics], below: Int) -> [Double] {
        let m = Double(stats.filter { $0.n < below }.count)
        return stats.map { $0.n < below ? 1 / m : 0 }
    }

    /// Equal shares on the arms whose value equals the maximum (NaN never wins).
    static func argmaxShares(_ values: [Double]) -> [Double] {
        let best = values.filter { !$0.isNaN }.max() ?? -.infinity
        let m = Double(values.filter { $0 == best }.count)
        return values.map { $0 == best ? 1 / m : 0 }
    }

    static func betaPosteriors(_ stats: [ArmStatistics], _ a: Double, _ b: Double,
                               _ ctx: String) throws(BanditError) -> [(alpha: Double, beta: Double)] {
        var out: [(alpha: Double, beta: Double)] = []
        for (i, s) in stats.enumerated() {
            guard s.sum >= 0, s.sum <= Double(s.n) else {
                throw BanditError(ctx, "arm \(i): a Bernoulli arm needs 0 ≤ sum ≤ n, got sum \(s.sum), n = \(s.n)")
            }
            out.append((a + s.sum, b + (Double(s.n) - s.sum)))
        }
        return out
    }

    /// P(best) under the Gaussian model, or nil while some arm has n < 2 (cold start).
    func gaussianProbabilityBest(_ stats: [ArmStatistics]) throws(BanditError) -> [Double]? {
        guard !stats.contains(where: { $0.n < 2 }) else { return nil }
        let posteriors = stats.map { s -> (mean: Double, sd: Double) in
            let n = Double(s.n)
            let variance = max(0, (s.sumOfSquares - s.sum * s.sum / n) / (n - 1))
            return (s.sum / n, (variance / n).squareRoot())
        }
        return try Self.probabilityBest(normalPosteriors: posteriors)
    }
}

// MARK: - Posterior probabilities

extension BanditAllocator {
    /// P(arm i is best) for independent Beta(αᵢ, βᵢ) arms:
    /// P(i) = ∫₀¹ fᵢ(x) Πⱼ≠ᵢ Fⱼ(x) dx (Scott 2010, eq. 3), with the Distributions module's Beta
    /// density and cdf (GSL `gsl_ran_beta_pdf`, `gsl_cdf_beta_P/Q`).
    ///
    /// Quadrature (deterministic, no sampling): composite 10-point Gauss–Legendre on panels at
    /// most half a posterior sd wide over each arm's region (mean ± 12 sd, widened until each
    /// tail beyond it holds < 10⁻³⁰ of the arm's mass; where regions overlap the narrowest width
    /// wins), geometrically graded (ratio 2) towards 0 and 1 until every arm's mass beyond the
    /// last panel is < 10⁻³⁰, with [½, 1] integrated in t = 1 − x (density and cdf of Beta(β, α))
    /// so points near 1 keep full precision. Each P(i) is divided by the same quadrature of
    /// ∫ fᵢ = 1, which cancels the constant relative error (up to 2·10⁻¹⁰ at parameters ~10⁵) of
    /// GSL's Beta density. Truncation error < 10⁻²⁸ absolute.
    ///
    /// Measured accuracy (Tests/AssignmentTests/Fixtures/bandits.json, `BanditTests`): within
    /// 2·10⁻¹⁵ absolute of mpmath (30 digits; parameters ≤ 2000), within 1.6·10⁻¹³ absolute and
    /// 2.3·10⁻¹² relative of Evan Miller's exact two-arm sum up to n = 10⁵ (the residue is GSL's
    /// Beta cdf at large parameters), down to P = 3.7·10⁻¹²; the target was 10⁻⁸ absolute.
    /// Panels twice as wide give the same values, six times as wide lose ~10⁻¹¹. Each αᵢ, βᵢ must
    /// be finite and ≥ ``minimumPrior``.
    public static func probabilityBest(betaPosteriors: [(alpha: Double, beta: Double)]) throws(BanditError) -> [Double] {
        let ctx = "BanditAllocator.probabilityBest(betaPosteriors:)"
        guard !betaPosteriors.isEmpty else { throw BanditError(ctx, "no arms") }
        for (i, p) in betaPosteriors.enumerated() where !(p.alpha.isFinite && p.beta.isFinite && p.alpha >= minimumPrior && p.beta >= minimumPrior) {
            throw BanditError(ctx, "arm \(i) has Beta(\(p.alpha), \(p.beta)); parameters must be finite and ≥ \(minimumPrior)")
        }
        do {
            return try BanditQuadrature.betaProbabilityBest(betaPosteriors)
        } catch {
            throw BanditError(ctx, "\(error)")
        }
    }

    /// P(arm i is best) for independent N(μᵢ, σᵢ²) arms:
    /// P(i) = ∫ φ((x − μᵢ)/σᵢ)/σᵢ Πⱼ≠ᵢ Φ((x − μⱼ)/σⱼ) dx. An arm with σ = 0 is a point mass: with c
    /// the largest point-mass mean, the integrals run over [c, ∞), and each point-mass arm at c
    /// gets Πⱼ continuous Φ((c − μⱼ)/σⱼ) divided by the number of point-mass arms tied at c.
    ///
    /// Quadrature as for ``probabilityBest(betaPosteriors:)`` over μ ± 12σ per arm (tail mass
    /// Φ(−12) ≈ 2·10⁻³³), panels ≤ σ/2, no grading; within 1.5·10⁻¹⁵ absolute of mpmath
    /// (30 digits) on the fixture cases. Means must be finite, sds finite and ≥ 0.
    public static func probabilityBest(normalPosteriors: [(mean: Double, sd: Double)]) throws(BanditError) -> [Double] {
        let ctx = "BanditAllocator.probabilityBest(normalPosteriors:)"
        guard !normalPosteriors.isEmpty else { throw BanditError(ctx, "no arms") }
        for (i, p) in normalPosteriors.enumerated() where !(p.mean.isFinite && p.sd.isFinite && p.sd >= 0) {
            throw BanditError(ctx, "arm \(i) has N(\(p.mean), sd \(p.sd)); the mean must be finite, the sd finite and ≥ 0")
        }
        do {
            return try BanditQuadrature.normalProbabilityBest(normalPosteriors)
        } catch {
            throw BanditError(ctx, "\(error)")
        }
    }

    /// Top-two Thompson sampling's selection probabilities from the P(best) vector α (Russo
    /// 2016, TTTS with resampling; see ``BanditPolicy/topTwoThompson(beta:model:)``):
    ///
    ///     wᵢ = β·αᵢ + (1 − β)·Σⱼ≠ᵢ αⱼ·αᵢ/(1 − αⱼ).
    ///
    /// The challenger's law given leader j is the law of the best arm of an independent
    /// posterior draw conditioned on differing from j, αᵢ/(1 − αⱼ); 1 − αⱼ is computed as
    /// Σₘ≠ⱼ αₘ (no cancellation). When every other arm's P(best) is 0 in double precision the
    /// challenger is split equally among them (the conditional law is then undefined; TTTS
    /// would resample forever). α is normalised to sum 1 first. Throws when α is empty, has a
    /// negative or non-finite entry or sums to 0, or β is outside [0, 1].
    public static func topTwoProbabilities(probabilityBest alpha: [Double], beta: Double) throws(BanditError) -> [Double] {
        let ctx = "BanditAllocator.topTwoProbabilities"
        guard beta.isFinite, beta >= 0, beta <= 1 else { throw BanditError(ctx, "beta must be in [0, 1], got \(beta)") }
        guard !alpha.isEmpty else { throw BanditError(ctx, "no arms") }
        for (i, a) in alpha.enumerated() where !(a.isFinite && a >= 0) {
            throw BanditError(ctx, "P(best) of arm \(i) is \(a); must be finite and ≥ 0")
        }
        let total = alpha.reduce(0, +)
        guard total > 0 else { throw BanditError(ctx, "P(best) sums to 0") }
        let a = alpha.map { $0 / total }
        let k = a.count
        if k == 1 { return [1] }
        var others = [Double](repeating: 0, count: k)  // Σₘ≠ⱼ αₘ
        for j in 0..<k { for m in 0..<k where m != j { others[j] += a[m] } }
        var w = a.map { beta * $0 }
        for j in 0..<k where a[j] > 0 {
            for i in 0..<k where i != j {
                let conditional = others[j] > 0 ? a[i] / others[j] : 1 / Double(k - 1)
                w[i] += (1 - beta) * a[j] * conditional
            }
        }
        return w
    }
}

// MARK: - Assignment and regret helpers

extension BanditAllocator {
    /// The bucket ranges of the arms for `weights`: exactly the ruleset rule
    /// ``bucketRanges(experiment:weights:coverage:)`` (arm i starts at w₀ + … + wᵢ₋₁ and has
    /// width coverage·wᵢ). Throws `BucketRangeError` unless the weights are finite, ≥ 0 and sum
    /// to 1 ± 1e-9 and coverage ∈ [0, 1].
    public static func ranges(weights: [Double], coverage: Double = 1,
                              experiment: String = "bandit") throws(BucketRangeError) -> [BucketRange] {
        try bucketRanges(experiment: experiment, weights: weights, coverage: coverage)
    }

    /// The arm whose range holds `bucket` of a scheme with `bucketCount` buckets (bucket b is in
    /// arm i when `lower ≤ b < upper` of ``BucketRange/bucketBounds(count:)``, as
    /// ``Experiment/variantIndex(forBucket:)``), or nil when it is outside every range.
    public static func arm(forBucket bucket: UInt32, bucketCount: UInt32, ranges: [BucketRange]) -> Int? {
        for (i, r) in ranges.enumerated() {
            let b = r.bucketBounds(count: bucketCount)
            if bucket >= b.lower && bucket < b.upper { return i }
        }
        return nil
    }

    /// Sticky bandit assignment: a unit enrolled before keeps the arm recorded in `ledger`;
    /// a new unit is hashed (`hasher`) into the current `ranges` and recorded. So a weight
    /// change affects only units arriving after it. Returns nil (and records nothing) for a new
    /// unit whose bucket is outside the ranges (coverage < 1).
    public static func assign(unit: String, experiment: String, hasher: SaltedHasher, ranges: [BucketRange],
                              ledger: EnrollmentLedger) -> Int? {
        if let earlier = ledger.variant(experiment: experiment, unit: unit) { return earlier }
        guard let arm = arm(forBucket: hasher.bucket(unit), bucketCount: hasher.bucketCount, ranges: ranges) else {
            return nil
        }
        switch ledger.enroll(experiment: experiment, unit: unit, variant: arm, cap: .max) {
        case .enrolled(let v), .alreadyEnrolled(let v): return v
        case .capReached: return arm  // unreachable with cap = .max
        }
    }

    /// The Lai–Robbins constant of a Bernoulli bandit (Lai & Robbins 1985, "Asymptotically
    /// efficient adaptive allocation rules", Adv. Appl. Math. 6, Theorem 2): any uniformly good
    /// policy has regret ≥ (C + o(1))·ln T with
    ///
    ///     C = Σ_{i: pᵢ < p*} (p* − pᵢ) / KL(pᵢ ‖ p*),   KL(p‖q) = p ln(p/q) + (1 − p) ln((1 − p)/(1 − q)),
    ///
    /// p* = maxᵢ pᵢ (0·ln 0 = 0; an arm with KL = ∞, i.e. p* = 1, contributes 0). Throws when
    /// the list is empty or a mean is outside [0, 1].
    public static func laiRobbinsConstant(bernoulliMeans p: [Double]) throws(BanditError) -> Double {
        let ctx = "BanditAllocator.laiRobbinsConstant"
        guard !p.isEmpty else { throw BanditError(ctx, "no arms") }
        for (i, x) in p.enumerated() where !(x >= 0 && x <= 1) {
            throw BanditError(ctx, "mean of arm \(i) is \(x); must be in [0, 1]")
        }
        let best = p.max() ?? 0
        var c = 0.0
        for x in p where x < best {
            let kl = bernoulliKL(x, best)
            if kl.isFinite { c += (best - x) / kl }
        }
        return c
    }

    /// KL(Bernoulli(p) ‖ Bernoulli(q)) with log1p on the ratios (0·ln 0 = 0).
    static func bernoulliKL(_ p: Double, _ q: Double) -> Double {
        let first = p == 0 ? 0 : p * Foundation.log1p((p - q) / q)
        let second = p == 1 ? 0 : (q == 1 ? .infinity : (1 - p) * Foundation.log1p((q - p) / (1 - q)))
        return first + second
    }
}
