import CGSL

/// One of GSL's built-in generators, kept for comparison with ``RandomStream`` (the benchmark
/// `scripts/bench-distributions` times them side by side). Not used by the harness: these
/// generators take at most 32 bits of seed (`gsl_rng_set`), so they cannot give 10⁵
/// replications distinct streams.
public final class GSLBuiltinGenerator {
    public enum Kind: String, CaseIterable, Sendable {
        /// Tausworthe (L'Ecuyer 1996), period 2⁸⁸.
        case taus2
        /// Mersenne Twister (Matsumoto & Nishimura 1998), period 2¹⁹⁹³⁷ − 1.
        case mt19937
        /// RANLUX double precision, luxury level 1 (Lüscher 1994), slow but decorrelated.
        case ranlxd1
    }

    private let rng: UnsafeMutablePointer<gsl_rng>
    public let kind: Kind

    /// Allocates and seeds the generator (only the low 32 bits of `seed` are used by GSL).
    public init(_ kind: Kind, seed: UInt32) throws(DistributionError) {
        GSL.ensureInitialized()
        let type: UnsafePointer<gsl_rng_type>
        switch kind {
        case .taus2: type = sb_gsl_rng_taus2()
        case .mt19937: type = sb_gsl_rng_mt19937()
        case .ranlxd1: type = sb_gsl_rng_ranlxd1()
        }
        guard let r = gsl_rng_alloc(type) else {
            throw DistributionError(.gsl, "GSLBuiltinGenerator", "gsl_rng_alloc failed for \(kind)")
        }
        gsl_rng_set(r, UInt(seed))
        rng = r
        self.kind = kind
    }

    deinit { gsl_rng_free(rng) }

    /// `gsl_rng_uniform`: a double in [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }
}

@available(*, unavailable)
extension GSLBuiltinGenerator: Sendable {}
