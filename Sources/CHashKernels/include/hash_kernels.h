// CPU-specific hash kernels for SplitBench (issue #19), seen only by the `Distributions` module
// (DESIGN.md §9: one C boundary). Every function exists on every architecture; where the CPU
// (or the architecture) lacks the instructions, the kernels do nothing and return 0, and the
// caller takes its portable path.
#ifndef SPLITBENCH_HASH_KERNELS_H
#define SPLITBENCH_HASH_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU has the SHA extensions (and SSE4.1, which the kernel also uses), else 0.
int shk_has_sha_ni(void);

/// 1 when the CPU (and the OS) support AVX2, else 0.
int shk_has_avx2(void);

/// SHA-256 compression (FIPS 180-4 §6.2.2) of `block_count` consecutive 64-byte blocks into
/// `state` (eight words, H0 … H7, host order), with the SHA extensions. Returns 1, or 0 (and
/// leaves `state` alone) when the CPU lacks them.
int shk_sha256_compress(uint32_t *state, const uint8_t *blocks, size_t block_count);

/// `shk_sha256_compress` for `message_count` independent messages of `block_count` blocks each:
/// message m's state is `states[8m ..< 8m + 8]` and its blocks start at
/// `blocks + 64 · block_count · m`. When `initial` (eight words) is not NULL, every message
/// starts from it (e.g. a salt's midstate) and `states` is output only. Four messages are compressed at a time, interleaved, to fill
/// the SHA unit's pipeline. Returns 1, or 0 when the CPU lacks the SHA extensions.
int shk_sha256_compress_many(const uint32_t *initial, uint32_t *states, const uint8_t *blocks, size_t message_count,
                             size_t block_count);

/// GrowthBook hash version 2 buckets (FNV-1a 32 of the decimal string of FNV-1a 32 of salt +
/// id, mod 10 000) of the `count` ids `prefix` + decimal digits of `first + k` (ASCII, no leading
/// zeros), k = 0 … count − 1, written to `out[k]`; `after_salt` is the inner FNV state after the
/// salt. Eight ids at a time in 32-bit AVX2 lanes. Requires `prefix` < 0x80 and
/// first + count ≤ 2⁶³. Returns 1, or 0 (writing nothing) when the CPU lacks AVX2.
int shk_growthbook_v2_consecutive(uint32_t after_salt, uint8_t prefix, uint64_t first, size_t count,
                                  uint32_t *out);

#ifdef __cplusplus
}
#endif

#endif
