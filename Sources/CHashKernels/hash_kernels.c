// CPU-specific hash kernels (issue #19): SHA-256 with the x86 SHA extensions, GrowthBook v2
// (FNV-1a 32) in AVX2 lanes. The file is compiled for the baseline CPU; only the functions
// marked `target(...)` use the newer instructions, and they run only after a CPU check.
//
// Sources: FIPS 180-4 (SHA-256: §4.2.2 constants, §6.2.2 compression); Gulley et al., "Intel
// SHA Extensions" (Intel white paper, 2013) for the ABEF/CDGH register layout and the
// sha256msg1/msg2 message schedule; Fowler–Noll–Vo FNV-1a (draft-eastlake-fnv); GrowthBook SDK
// `hash(seed, value, 2)`.
#include "hash_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int shk_has_sha_ni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") ? 1 : 0;
}

int shk_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/// K₀ … K₆₃ (FIPS 180-4 §4.2.2).
static const uint32_t shk_k[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// The SHA instructions keep the state as two registers, ABEF and CDGH (white paper §3); these
// convert from and to the eight words H0 … H7 in memory.
#define SHK_SHA __attribute__((target("sha,sse4.1,ssse3"), always_inline)) static inline

SHK_SHA void shk_load_state(const uint32_t *state, __m128i *abef, __m128i *cdgh) {
    __m128i dcba = _mm_loadu_si128((const __m128i *)state);        // words A B C D (low → high)
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(state + 4));  // words E F G H
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

SHK_SHA void shk_store_state(uint32_t *state, __m128i abef, __m128i cdgh) {
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)state, _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/// Four rounds: t = 4g … 4g + 3 with the words w = W_t (host order).
SHK_SHA void shk_rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int g) {
    __m128i wk = _mm_add_epi32(w, _mm_load_si128((const __m128i *)(shk_k + 4 * g)));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

/// W_t for t = 4g … 4g + 3 (g ≥ 4) from the previous four groups w[g−4] … w[g−1]:
/// W_t = σ₁(W_{t−2}) + W_{t−7} + σ₀(W_{t−15}) + W_{t−16} (FIPS 180-4 §6.2.2 step 1):
/// msg1 adds σ₀(W_{t−15}) to W_{t−16}, the alignr supplies W_{t−7}, msg2 adds σ₁(W_{t−2}).
SHK_SHA __m128i shk_schedule(__m128i w4, __m128i w3, __m128i w2, __m128i w1) {
    __m128i x = _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4));
    return _mm_sha256msg2_epu32(x, w1);
}

/// Compresses `lanes` (1, 2 or 4) independent messages of `nblocks` blocks each, interleaving the
/// lanes instruction by instruction so that one lane's rounds fill the other's latency. Lane l
/// starts from `initial` when it is not NULL, else from `states[l]`; ends in `states[l]`.
SHK_SHA void shk_sha256_lanes(const uint32_t *initial, uint32_t *const *states, const uint8_t *const *data,
                              size_t nblocks, int lanes) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i abef[4], cdgh[4];
    for (int l = 0; l < lanes; l++) shk_load_state(initial ? initial : states[l], &abef[l], &cdgh[l]);
    for (size_t b = 0; b < nblocks; b++) {
        __m128i abef0[4], cdgh0[4], w[4][4];
        for (int l = 0; l < lanes; l++) {
            abef0[l] = abef[l];
            cdgh0[l] = cdgh[l];
        }
        for (int g = 0; g < 16; g++) {
            for (int l = 0; l < lanes; l++) {
                __m128i x;
                if (g < 4) {
                    x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data[l] + 64 * b + 16 * g)), bswap);
                } else {
                    x = shk_schedule(w[l][g & 3], w[l][(g + 1) & 3], w[l][(g + 2) & 3], w[l][(g + 3) & 3]);
                }
                w[l][g & 3] = x;
                shk_rounds4(&abef[l], &cdgh[l], x, g);
            }
        }
        for (int l = 0; l < lanes; l++) {
            abef[l] = _mm_add_epi32(abef[l], abef0[l]);
            cdgh[l] = _mm_add_epi32(cdgh[l], cdgh0[l]);
        }
    }
    for (int l = 0; l < lanes; l++) shk_store_state(states[l], abef[l], cdgh[l]);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shk_sha256_one(uint32_t *state, const uint8_t *blocks, size_t nblocks) {
    uint32_t *s[1] = {state};
    const uint8_t *d[1] = {blocks};
    shk_sha256_lanes(NULL, s, d, nblocks, 1);
}

/// Message m's state and blocks (`bytes` per message) for m = first … first + lanes − 1.
__attribute__((target("sha,sse4.1,ssse3")))
static void shk_sha256_group(const uint32_t *initial, uint32_t *states, const uint8_t *blocks, size_t bytes,
                             size_t nblocks, int lanes) {
    uint32_t *s[4];
    const uint8_t *d[4];
    for (int l = 0; l < lanes; l++) {
        s[l] = states + 8 * l;
        d[l] = blocks + bytes * (size_t)l;
    }
    // Constant `lanes` per call, so each call inlines to straight-line, interleaved code.
    if (lanes == 4) shk_sha256_lanes(initial, s, d, nblocks, 4);
    else if (lanes == 2) shk_sha256_lanes(initial, s, d, nblocks, 2);
    else shk_sha256_lanes(initial, s, d, nblocks, 1);
}

int shk_sha256_compress(uint32_t *state, const uint8_t *blocks, size_t block_count) {
    if (!shk_has_sha_ni()) return 0;
    if (block_count > 0) shk_sha256_one(state, blocks, block_count);
    return 1;
}

int shk_sha256_compress_many(const uint32_t *initial, uint32_t *states, const uint8_t *blocks, size_t message_count,
                             size_t block_count) {
    if (!shk_has_sha_ni()) return 0;
    if (block_count == 0) {
        if (initial) for (size_t w = 0; w < 8 * message_count; w++) states[w] = initial[w % 8];
        return 1;
    }
    const size_t bytes = 64 * block_count;
    size_t m = 0;
    // Four messages at a time (measured on this project's AMD EPYC: 4 interleaved ≈ 30 ns per block, 2 ≈ 40,
    // 1 ≈ 72; the rounds of one message are a dependency chain), then 2, then 1.
    for (; m + 4 <= message_count; m += 4) shk_sha256_group(initial, states + 8 * m, blocks + bytes * m, bytes, block_count, 4);
    for (; m + 2 <= message_count; m += 2) shk_sha256_group(initial, states + 8 * m, blocks + bytes * m, bytes, block_count, 2);
    if (m < message_count) shk_sha256_group(initial, states + 8 * m, blocks + bytes * m, bytes, block_count, 1);
    return 1;
}

// ---------------------------------------------------------------------------------------------
// GrowthBook v2 in AVX2.

#define SHK_AVX2 __attribute__((target("avx2"), always_inline)) static inline

/// ⌊x / 10⌋ in each 32-bit lane, exactly for every x < 2³²: ⌊x·m / 2³⁵⌋ with m = ⌈2³⁵/10⌉ =
/// 0xCCCCCCCD. Proof (Granlund & Montgomery 1994, Thm 4.2): m·10 = 2³⁵ + 2, so
/// x·m / 2³⁵ = x/10 + 2x/(10·2³⁵); with x = 10q + r, r ≤ 9, the fractional part is
/// (r + 2x/2³⁵)/10 < (9 + 2⁻²)/10 < 1, so the floor is q. x·m < 2⁶⁴ (no overflow in the 64-bit
/// product of `vpmuludq`). Even lanes: the product's bits 35…66 shifted down; odd lanes: the
/// odd words moved down, multiplied, and the product shifted right by 3 so that its upper word
/// holds bits 35…66 (q < 2²⁹, so nothing above bit 63 is lost).
SHK_AVX2 __m256i shk_div10(__m256i x) {
    const __m256i m = _mm256_set1_epi64x(0xCCCCCCCDLL);
    __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, m), 35);
    __m256i odd = _mm256_srli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), m), 3);
    return _mm256_blend_epi32(even, odd, 0xAA);
}

/// x mod 10 000 in each 32-bit lane, x − 10⁴·⌊x·m / 2⁴⁵⌋ with m = ⌈2⁴⁵/10⁴⌉ = 3 518 437 209
/// (< 2³²): m·10⁴ − 2⁴⁵ = 1 168 and 1 168·x < 2⁴⁵ for x < 2³², so (as above) the floor is exact.
SHK_AVX2 __m256i shk_mod10000(__m256i x) {
    const __m256i m = _mm256_set1_epi64x(3518437209LL);
    __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, m), 45);
    __m256i odd = _mm256_srli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), m), 13);
    __m256i q = _mm256_blend_epi32(even, odd, 0xAA);
    return _mm256_sub_epi32(x, _mm256_mullo_epi32(q, _mm256_set1_epi32(10000)));
}

/// One FNV-1a 32 step in each lane: (h ⊕ byte) · 16 777 619 mod 2³².
SHK_AVX2 __m256i shk_fnv(__m256i h, __m256i byte) {
    return _mm256_mullo_epi32(_mm256_xor_si256(h, byte), _mm256_set1_epi32(16777619));
}

static uint32_t shk_fnv_scalar(uint32_t h, uint8_t byte) { return (h ^ byte) * 16777619u; }

/// The buckets of `lanes` (1 or 2) vectors of inner hashes: outer FNV-1a over the decimal
/// digits of inner (1 to 10 digits, no leading zeros), mod 10 000. With q_j = ⌊inner / 10^j⌋
/// (q₁₀ = 0 since inner < 2³² < 10¹⁰), digit j is q_j − 10·q_{j+1}, present iff j = 0 or
/// q_j ≠ 0; absorbed most significant first. Two vectors are interleaved statement by statement
/// (each is a chain of ~20 dependent multiplies; two chains fill the multiplier's pipeline).
SHK_AVX2 void shk_growthbook_v2_outer(__m256i *v, int lanes) {
    const __m256i zero = _mm256_set1_epi32(0x30), ten = _mm256_set1_epi32(10);
    __m256i q[2][10], outer[2];
    for (int l = 0; l < lanes; l++) {
        q[l][0] = v[l];
        outer[l] = _mm256_set1_epi32((int)2166136261u);
    }
    for (int j = 1; j < 10; j++)
        for (int l = 0; l < lanes; l++) q[l][j] = shk_div10(q[l][j - 1]);
    for (int j = 9; j >= 1; j--) {
        for (int l = 0; l < lanes; l++) {
            __m256i next = j == 9 ? _mm256_setzero_si256() : q[l][j + 1];
            __m256i digit = _mm256_add_epi32(_mm256_sub_epi32(q[l][j], _mm256_mullo_epi32(next, ten)), zero);
            __m256i absent = _mm256_cmpeq_epi32(q[l][j], _mm256_setzero_si256());
            outer[l] = _mm256_blendv_epi8(shk_fnv(outer[l], digit), outer[l], absent);
        }
    }
    for (int l = 0; l < lanes; l++) {
        outer[l] = shk_fnv(outer[l], _mm256_add_epi32(_mm256_sub_epi32(q[l][0], _mm256_mullo_epi32(q[l][1], ten)), zero));
        v[l] = shk_mod10000(outer[l]);
    }
}

/// Stores the first `n` lanes of `bucket` at `out`.
SHK_AVX2 void shk_store(uint32_t *out, __m256i bucket, size_t n) {
    if (n == 8) {
        _mm256_storeu_si256((__m256i *)out, bucket);
    } else {
        uint32_t tmp[8] __attribute__((aligned(32)));
        _mm256_store_si256((__m256i *)tmp, bucket);
        for (size_t l = 0; l < n; l++) out[l] = tmp[l];
    }
}

__attribute__((target("avx2")))
static void shk_growthbook_v2_avx2(uint32_t after_salt, uint8_t prefix, uint64_t first, size_t count, uint32_t *out) {
    const __m256i zero = _mm256_set1_epi32(0x30), ten = _mm256_set1_epi32(10);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    uint64_t i = first, hundred = UINT64_MAX;
    uint32_t common = 0;
    size_t k = 0;
    // Groups are hashed in pairs: `pending` holds a group's inner hashes until the next one's.
    __m256i pair[2];
    size_t pending_k = 0, pending_n = 0;
    int pending = 0;
    while (k < count) {
        // A group of ≤ 8 ids never crosses a multiple of 100 (nor 10 below 100), so its ids share
        // all but their last one (i < 10) or two digits; `common` is the inner FNV state after
        // the salt, the prefix byte and the digits of ⌊i / 100⌋ (none when it is 0).
        uint32_t last2 = (uint32_t)(i % 100);
        size_t n = count - k;
        size_t room = i < 10 ? (size_t)(10 - i) : (size_t)(100 - last2);
        if (n > room) n = room;
        if (n > 8) n = 8;
        if (i / 100 != hundred) {
            hundred = i / 100;
            common = shk_fnv_scalar(after_salt, prefix);
            if (hundred > 0) {
                uint8_t digits[20];
                int nd = 0;
                for (uint64_t h = hundred; h > 0; h /= 10) digits[nd++] = (uint8_t)('0' + h % 10);
                while (nd > 0) common = shk_fnv_scalar(common, digits[--nd]);
            }
        }
        __m256i s = _mm256_add_epi32(_mm256_set1_epi32((int)last2), lane);  // < 108
        __m256i inner = _mm256_set1_epi32((int)common);
        if (i >= 10) {
            // ⌊s/10⌋ = ⌊s·205 / 2¹¹⌋, exact for s < 1 029 (here s < 108).
            __m256i tens = _mm256_srli_epi32(_mm256_mullo_epi32(s, _mm256_set1_epi32(205)), 11);
            inner = shk_fnv(inner, _mm256_add_epi32(tens, zero));
            inner = shk_fnv(inner, _mm256_add_epi32(_mm256_sub_epi32(s, _mm256_mullo_epi32(tens, ten)), zero));
        } else {
            inner = shk_fnv(inner, _mm256_add_epi32(s, zero));
        }
        if (pending) {
            pair[1] = inner;
            shk_growthbook_v2_outer(pair, 2);
            shk_store(out + pending_k, pair[0], pending_n);
            shk_store(out + k, pair[1], n);
            pending = 0;
        } else {
            pair[0] = inner;
            pending_k = k;
            pending_n = n;
            pending = 1;
        }
        i += n;
        k += n;
    }
    if (pending) {
        shk_growthbook_v2_outer(pair, 1);
        shk_store(out + pending_k, pair[0], pending_n);
    }
}

int shk_growthbook_v2_consecutive(uint32_t after_salt, uint8_t prefix, uint64_t first, size_t count, uint32_t *out) {
    if (!shk_has_avx2()) return 0;
    shk_growthbook_v2_avx2(after_salt, prefix, first, count, out);
    return 1;
}

#else  // not x86-64: no kernels; callers take their portable paths.

int shk_has_sha_ni(void) { return 0; }
int shk_has_avx2(void) { return 0; }
int shk_sha256_compress(uint32_t *state, const uint8_t *blocks, size_t block_count) {
    (void)state; (void)blocks; (void)block_count;
    return 0;
}
int shk_sha256_compress_many(const uint32_t *initial, uint32_t *states, const uint8_t *blocks, size_t message_count,
                             size_t block_count) {
    (void)initial; (void)states; (void)blocks; (void)message_count; (void)block_count;
    return 0;
}
int shk_growthbook_v2_consecutive(uint32_t after_salt, uint8_t prefix, uint64_t first, size_t count, uint32_t *out) {
    (void)after_salt; (void)prefix; (void)first; (void)count; (void)out;
    return 0;
}

#endif
