import CGSL

/// The binomial distribution Bin(n, p). GSL: `gsl_cdf_binomial_{P,Q}`, `gsl_ran_binomial_pdf`,
/// sampler `gsl_ran_binomial` (Kachitvichyanukul & Schmeiser's BTPE, CACM 1988).
/// The quantile (GSL has none) is the smallest k with P(X ≤ k) ≥ p, found by a bracketed search
/// on GSL's cdf.
public struct Binomial: Equatable, Sendable {
    public let n: UInt32
    public let p: Double

    public init(n: UInt32, p: Double) throws(DistributionError) {
        try Check.probability(p, "p", in: "Binomial")
        GSL.ensureInitialized()
        self.n = n
        self.p = p
    }

    public var mean: Double { Double(n) * p }
    public var variance: Double { Double(n) * p * (1 - p) }

    /// P(X = k).
    public func pmf(_ k: Int) -> Double {
        guard k >= 0, k <= Int(n) else { return 0 }
        return gsl_ran_binomial_pdf(UInt32(k), p, n)
    }

    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= Int(n) { return 1 }
        return gsl_cdf_binomial_P(UInt32(k), p, n)
    }

    /// P(X > k).
    public func sf(_ k: Int) -> Double {
        if k < 0 { return 1 }
        if k >= Int(n) { return 0 }
        return gsl_cdf_binomial_Q(UInt32(k), p, n)
    }

    /// The smallest k with P(X ≤ k) ≥ q (scipy's `binom.ppf`).
    public func quantile(_ q: Double) throws(DistributionError) -> Int {
        try Check.probability(q, "q", in: "Binomial.quantile")
        if q == 0 { return 0 }  // smallest support point (scipy returns -1 for ppf(0))
        var lo = -1, hi = Int(n)  // invariant: cdf(lo) < q ≤ cdf(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if cdf(mid) >= q { hi = mid } else { lo = mid }
        }
        return hi
    }

    public func sample(using stream: RandomStream) -> Int {
        Int(stream.withGSL { gsl_ran_binomial($0, p, n) })
    }
}

/// The Bernoulli distribution: true with probability p. Drawn inline as `u < p` with `u` from
/// ``RandomStream/uniform()``, exactly as `gsl_ran_bernoulli` does with the same generator.
public struct Bernoulli: Equatable, Sendable {
    public let p: Double

    public init(p: Double) throws(DistributionError) {
        try Check.probability(p, "p", in: "Bernoulli")
        self.p = p
    }

    public var mean: Double { p }
    public var variance: Double { p * (1 - p) }

    @inlinable
    public func sample(using stream: RandomStream) -> Bool {
        stream.uniform() < p
    }
}

/// The Poisson distribution with mean μ ≥ 0. GSL: `gsl_cdf_poisson_{P,Q}`, sampler
/// `gsl_ran_poisson`.
public struct Poisson: Equatable, Sendable {
    public let mu: Double

    public init(mean mu: Double) throws(DistributionError) {
        guard mu.isFinite, mu >= 0 else {
            throw DistributionError(.domain, "Poisson", "mean must be finite and ≥ 0, got \(mu)")
        }
        GSL.ensureInitialized()
        self.mu = mu
    }

    public var mean: Double { mu }
    public var variance: Double { mu }

    public func pmf(_ k: Int) -> Double { k < 0 ? 0 : gsl_ran_poisson_pdf(UInt32(clamping: k), mu) }
    public func cdf(_ k: Int) -> Double { k < 0 ? 0 : gsl_cdf_poisson_P(UInt32(clamping: k), mu) }
    public func sf(_ k: Int) -> Double { k < 0 ? 1 : gsl_cdf_poisson_Q(UInt32(clamping: k), mu) }

    public func sample(using stream: RandomStream) -> Int {
        mu == 0 ? 0 : Int(stream.withGSL { gsl_ran_poisson($0, mu) })
    }
}

/// The negative binomial distribution for over-dispersed counts: the number of failures
/// before the `size`-th success with success probability `p`; mean size·(1−p)/p, variance
/// mean + mean²/size. `size` may be non-integer (a gamma–Poisson mixture). GSL:
/// `gsl_ran_negative_binomial` (gamma–Poisson), `gsl_cdf_negative_binomial_{P,Q}`.
public struct NegativeBinomial: Equatable, Sendable {
    public let p: Double
    public let size: Double

    /// NB(size, p) with 0 < p ≤ 1, size > 0.
    public init(size: Double, p: Double) throws(DistributionError) {
        try Check.positive(size, "size", in: "NegativeBinomial")
        guard p > 0, p <= 1 else {
            throw DistributionError(.domain, "NegativeBinomial", "p must be in (0, 1], got \(p)")
        }
        GSL.ensureInitialized()
        self.p = p
        self.size = size
    }

    /// The parameterisation by mean μ > 0 and dispersion `size` r (variance μ + μ²/r), as in
    /// R's `rnbinom(mu=, size=)`: p = r/(r + μ).
    public init(mean: Double, size: Double) throws(DistributionError) {
        try Check.positive(mean, "mean", in: "NegativeBinomial")
        try Check.positive(size, "size", in: "NegativeBinomial")
        try self.init(size: size, p: size / (size + mean))
    }

    public var mean: Double { size * (1 - p) / p }
    public var variance: Double { size * (1 - p) / (p * p) }

    public func pmf(_ k: Int) -> Double { k < 0 ? 0 : gsl_ran_negative_binomial_pdf(UInt32(clamping: k), p, size) }
    public func cdf(_ k: Int) -> Double { k < 0 ? 0 : gsl_cdf_negative_binomial_P(UInt32(clamping: k), p, size) }

    public func sample(using stream: RandomStream) -> Int {
        Int(stream.withGSL { gsl_ran_negative_binomial($0, p, size) })
    }
}

/// A categorical distribution over `0..<weights.count`, sampled in O(1) with Walker's alias
/// method (`gsl_ran_discrete_preproc` / `gsl_ran_discrete`). Weights need not sum to one.
public final class Categorical: @unchecked Sendable {
    // @unchecked: the GSL table is written once in `init` and only read afterwards.
    private let table: UnsafeMutablePointer<gsl_ran_discrete_t>
    /// The normalised probabilities.
    public let probabilities: [Double]

    public init(weights: [Double]) throws(DistributionError) {
        GSL.ensureInitialized()
        guard !weights.isEmpty else {
            throw DistributionError(.domain, "Categorical", "needs at least one weight")
        }
        for (i, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
            throw DistributionError(.domain, "Categorical", "weight \(i) must be finite and ≥ 0, got \(w)")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else {
            throw DistributionError(.domain, "Categorical", "weights must not all be zero")
        }
        guard let t = weights.withUnsafeBufferPointer({ gsl_ran_discrete_preproc($0.count, $0.baseAddress) }) else {
            throw DistributionError(.gsl, "Categorical", "gsl_ran_discrete_preproc failed for \(weights.count) weights")
        }
        table = t
        probabilities = weights.map { $0 / total }
    }

    deinit { gsl_ran_discrete_free(table) }

    public func sample(using stream: RandomStream) -> Int {
        stream.withGSL { gsl_ran_discrete($0, table) }
    }
}

/// The multinomial distribution: counts of `trials` draws over categories with the given
/// probabilities (normalised). GSL: `gsl_ran_multinomial` (conditional binomials).
public struct Multinomial: Equatable, Sendable {
    public let trials: UInt32
    public let probabilities: [Double]

    public init(trials: UInt32, weights: [Double]) throws(DistributionError) {
        guard !weights.isEmpty else {
            throw DistributionError(.domain, "Multinomial", "needs at least one weight")
        }
        for (i, w) in weights.enumerated() where !(w.isFinite && w >= 0) {
            throw DistributionError(.domain, "Multinomial", "weight \(i) must be finite and ≥ 0, got \(w)")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else {
            throw DistributionError(.domain, "Multinomial", "weights must not all be zero")
        }
        GSL.ensureInitialized()
        self.trials = trials
        self.probabilities = weights.map { $0 / total }
    }

    public func sample(using stream: RandomStream) -> [Int] {
        var counts = [UInt32](repeating: 0, count: probabilities.count)
        probabilities.withUnsafeBufferPointer { p in
            counts.withUnsafeMutableBufferPointer { c in
                stream.withGSL { gsl_ran_multinomial($0, p.count, trials, p.baseAddress, c.baseAddress) }
            }
        }
        return counts.map { Int($0) }
    }
}
