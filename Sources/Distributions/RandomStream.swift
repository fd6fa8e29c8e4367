import CGSL

/// A reproducible stream of random numbers, one generator per stream.
///
/// A stream is identified by a master `seed` and a `path` of integers (scenario, cell,
/// replication, purpose, …). The pair is reduced to a 64-bit key with the SplitMix64 mixing
/// function (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014), and the key fills the 256-bit state of the generator with SplitMix64, as its
/// authors recommend. Any replication's numbers can thus be regenerated alone, from
/// `(seed, path)`, without running the others.
///
/// **Generator: xoshiro256\*\*** (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021).
/// - Period 2²⁵⁶ − 1; 4-dimensionally equidistributed; passes BigCrush and PractRand to the
///   terabytes tested by its authors.
/// - Known weaknesses: it is a linear (F₂) generator, so the lowest bits of the *state* have
///   linear complexity (the `**` scrambler hides this from the output; the low bits of the
///   output pass tests); it fails linearity tests (MatrixRank, LinearComp) like every F₂
///   generator; it is not cryptographic. Streams from distinct keys are not provably disjoint,
///   but with a period of 2²⁵⁶ the chance that two of 10⁹ streams of 10¹² draws overlap is
///   below 10⁻⁴⁰.
/// - Chosen over GSL's built-in generators because those use at most 32 bits of their seed
///   (`mt19937`, `taus2`: 32; `ranlxs0`, `gfsr4`: 31) — with 10⁵ replications two would share a
///   stream with probability ≈ 0.7 — and because it is the fastest in the measurements of
///   `scripts/bench-distributions` (see the README): ≈ 1–2 ns per 64-bit draw inline, against
///   ≈ 6.6 ns for `taus2` and ≈ 12 ns for `mt19937` through GSL, and stream creation costs a
///   few tens of nanoseconds (mt19937 seeding costs ≈ 6 µs).
///
/// The generator is registered with GSL as a custom `gsl_rng_type`, so every GSL sampler
/// (`gsl_ran_*`) draws from this same stream; ``nextUInt64()`` and ``uniform()`` step the
/// identical state inline for hot loops.
///
/// A stream is deliberately **not** `Sendable`: create one inside the task that uses it.
public final class RandomStream {
    /// The 64-bit key derived from `(seed, path)`; it determines the stream entirely.
    public let key: UInt64
    /// The master seed this stream was derived from.
    public let seed: UInt64
    /// The path of integers this stream was derived from.
    public let path: [UInt64]

    @usableFromInline let state: UnsafeMutablePointer<sb_xoshiro256ss_state>
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    /// Creates the stream for `seed` and `path`.
    public init(seed: UInt64, path: [UInt64] = []) {
        GSL.ensureInitialized()
        self.seed = seed
        self.path = path
        self.key = RandomStream.key(seed: seed, path: path)
        state = .allocate(capacity: 1)
        sb_xoshiro256ss_seed(state, key)
        rng = .allocate(capacity: 1)
        rng.initialize(to: gsl_rng(type: sb_xoshiro256ss_type(), state: UnsafeMutableRawPointer(state)))
    }

    /// Creates the stream for `seed` and the path given as variadic components.
    public convenience init(seed: UInt64, _ path: UInt64...) {
        self.init(seed: seed, path: path)
    }

    deinit {
        rng.deinitialize(count: 1)
        rng.deallocate()
        state.deallocate()
    }

    /// The stream whose path is this stream's path followed by `component`.
    public func child(_ component: UInt64) -> RandomStream {
        RandomStream(seed: seed, path: path + [component])
    }

    /// The 64-bit key of `(seed, path)`: the seed and each component pass through the SplitMix64
    /// finaliser in turn, and the path length is mixed in last, so `[a]` and `[a, 0]` differ.
    public static func key(seed: UInt64, path: [UInt64]) -> UInt64 {
        var h = mix64(seed ^ 0x5350_4C49_5442_454E)  // "SPLITBEN"
        for component in path {
            h = mix64(h ^ mix64(component &+ 0x9E37_79B9_7F4A_7C15))
        }
        return mix64(h &+ UInt64(truncatingIfNeeded: path.count))
    }

    /// SplitMix64's finaliser (Stafford's "Mix13"): a bijection of UInt64 with full avalanche.
    @inlinable
    public static func mix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits (one xoshiro256\*\* step, inline).
    @inlinable @inline(__always)
    public func nextUInt64() -> UInt64 {
        sb_xoshiro256ss_next(state)
    }

    /// A uniform double in [0, 1) with 53 random bits: `(next >> 11) · 2⁻⁵³`. The same value
    /// `gsl_rng_uniform` would return from this stream.
    @inlinable @inline(__always)
    public func uniform() -> Double {
        Double(nextUInt64() >> 11) * 0x1.0p-53
    }

    /// The next `out.count` values of ``uniform()``, in order, into `out` (the same values and the
    /// same state afterwards as that many calls; the generator's state stays in registers for
    /// the loop, about twice as fast in a hot loop).
    @inlinable
    public func fillUniform(_ out: UnsafeMutableBufferPointer<Double>) {
        guard let base = out.baseAddress, !out.isEmpty else { return }
        sb_xoshiro256ss_fill_uniform(state, base, out.count)
    }

    /// A uniform double drawn through GSL's generic interface (`gsl_rng_uniform`, an indirect
    /// call): the same value ``uniform()`` returns inline. Exposed for tests and benchmarks.
    public func gslUniform() -> Double {
        gsl_rng_uniform(rng)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire, "Fast random integer
    /// generation in an interval", ACM TOMACS 29(1), 2019). `bound` must be positive.
    @inlinable
    public func uniformInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniformInt(below:) needs a positive bound")
        var m = nextUInt64().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold {
                m = nextUInt64().multipliedFullWidth(by: bound)
            }
        }
        return m.high
    }

    /// Runs `body` with the underlying `gsl_rng` (module-internal: C types stay in this module).
    @inline(__always)
    func withGSL<T>(_ body: (UnsafeMutablePointer<gsl_rng>) -> T) -> T {
        body(rng)
    }
}

@available(*, unavailable, message: "a RandomStream belongs to one task: create one per task from (seed, path)")
extension RandomStream: Sendable {}
