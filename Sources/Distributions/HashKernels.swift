import CHashKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// CPU-specific hash kernels with runtime dispatch (issue #19): SHA-256 compression with the
/// x86 SHA extensions and GrowthBook v2 bucketing in AVX2 lanes, written in C
/// (`Sources/CHashKernels`, each function compiled for its instruction set with
/// `__attribute__((target(...)))`, the rest of the program for the baseline CPU).
///
/// Every kernel checks the CPU before running: when the instructions are missing (another x86
/// CPU, another architecture), or when the environment variable `SPLITBENCH_NO_CPU_KERNELS` is
/// set to `1`, it does nothing and returns `false`, and the caller takes its portable Swift
/// path. Results are bit-identical to the portable paths (checked by the tests and by
/// `splitbench-bench hash-batch --verify`).
///
/// The assignment layer uses these through `SaltedHasher.buckets(ofConsecutiveIDs:…)`; this
/// module only exposes the arithmetic so that the C boundary stays in one module (DESIGN §9).
public enum HashKernels {
    /// `true` when `SPLITBENCH_NO_CPU_KERNELS=1` was set when the process first asked: every
    /// kernel then reports "unavailable" (read once; for benchmarks and tests of the fallback).
    public static let disabledByEnvironment: Bool = {
        guard let value = getenv("SPLITBENCH_NO_CPU_KERNELS") else { return false }
        return String(cString: value) == "1"
    }()

    /// The SHA-256 kernels can run: the CPU has the SHA extensions and SSE4.1 (checked with
    /// `__builtin_cpu_supports`), and they are not disabled by the environment.
    public static let shaExtensions: Bool = !disabledByEnvironment && shk_has_sha_ni() != 0

    /// The AVX2 kernel can run: the CPU and OS support AVX2, and it is not disabled by the
    /// environment.
    public static let avx2: Bool = !disabledByEnvironment && shk_has_avx2() != 0

    /// The SHA-256 compression function (FIPS 180-4 §6.2.2) applied to `count` consecutive
    /// 64-byte blocks at `blocks`, updating `state` (the eight words H₀ … H₇ in host order):
    /// for each block, W_t = M_t (big-endian words) for t < 16 and
    /// W_t = σ₁(W_{t−2}) + W_{t−7} + σ₀(W_{t−15}) + W_{t−16} after; 64 rounds; H += (a … h).
    /// Runs on the SHA extensions (`sha256rnds2`, `sha256msg1/2`; Gulley et al., "Intel SHA
    /// Extensions", 2013). The caller pads the message (FIPS 180-4 §5.1.1).
    ///
    /// - Returns: `true` when done; `false` (state untouched) when `shaExtensions` is `false`.
    @discardableResult
    public static func sha256Compress(state: UnsafeMutablePointer<UInt32>, blocks: UnsafePointer<UInt8>, count: Int) -> Bool {
        precondition(count >= 0, "sha256Compress: negative block count")
        guard shaExtensions else { return false }
        return shk_sha256_compress(state, blocks, count) != 0
    }

    /// `sha256Compress` for `messages` independent messages of `blocksPerMessage` blocks each:
    /// message m's state is `states[8m ..< 8m + 8]` and its blocks start at
    /// `blocks + 64 · blocksPerMessage · m`; with `from` (eight words, e.g. a salt's midstate)
    /// every message starts from it and `states` is output only. Four messages are compressed
    /// at a time, interleaved (one message's rounds form a dependency chain; four fill the SHA
    /// unit: ≈ 27 ns per block against ≈ 62 one at a time, measured on this project's AMD EPYC
    /// machine).
    ///
    /// - Returns: `true` when done; `false` (states untouched) when `shaExtensions` is `false`.
    @discardableResult
    public static func sha256CompressMany(from initial: UnsafePointer<UInt32>? = nil, states: UnsafeMutablePointer<UInt32>,
                                          blocks: UnsafePointer<UInt8>, messages: Int, blocksPerMessage: Int) -> Bool {
        precondition(messages >= 0 && blocksPerMessage >= 0, "sha256CompressMany: negative count")
        guard shaExtensions else { return false }
        return shk_sha256_compress_many(initial, states, blocks, messages, blocksPerMessage) != 0
    }

    /// GrowthBook hash version 2 buckets of consecutive ids: `out[k]` = FNV-1a 32 (offset basis
    /// 2 166 136 261, prime 16 777 619; Fowler–Noll–Vo, draft-eastlake-fnv) over the decimal
    /// digits of `inner_k`, mod 10 000, where `inner_k` is FNV-1a 32 continued from `afterSalt`
    /// (the state after the salt's UTF-16 code units) over the id `prefix` + decimal digits of
    /// `first + k` — GrowthBook SDK `hash(seed, value, 2)` — for k = 0 ..< `count`. Eight ids
    /// at a time in 32-bit AVX2 lanes, one call per block.
    ///
    /// Preconditions: `prefix` < 0x80 (an ASCII byte equals its UTF-16 code unit);
    /// `first + count` does not overflow `Int`.
    /// - Returns: `true` when done; `false` (nothing written) when `avx2` is `false`.
    @discardableResult
    public static func growthbookV2Buckets(afterSalt: UInt32, prefix: UInt8, first: Int, count: Int,
                                           into out: UnsafeMutablePointer<UInt32>) -> Bool {
        precondition(prefix < 0x80 && first >= 0 && count >= 0 && first <= Int.max - count,
                     "growthbookV2Buckets: non-ASCII prefix or ids out of range")
        guard avx2 else { return false }
        return shk_growthbook_v2_consecutive(afterSalt, prefix, UInt64(first), count, out) != 0
    }
}
