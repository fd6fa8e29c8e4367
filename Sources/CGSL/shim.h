/*
 * The slice of GSL that SplitBench uses, plus a 64-bit-seeded generator.
 *
 * Only the Swift module `Distributions` imports this header.
 *
 * GSL's own generator types (gsl_rng_mt19937, ...) are mutable C globals, which
 * Swift 6 rejects as shared state, and they use at most 32 bits of their seed.
 * Instead we register xoshiro256** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021) as a custom
 * gsl_rng_type whose 256-bit state the Swift side fills from SplitMix64, so every
 * gsl_ran_* sampler draws from a fully 64-bit-seeded stream.
 */
#ifndef SPLITBENCH_CGSL_SHIM_H
#define SPLITBENCH_CGSL_SHIM_H

#include <stdint.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_result.h>

typedef struct {
    uint64_t s[4];
} sb_xoshiro256ss_state;

static inline uint64_t sb_rotl64(const uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

/* One step of xoshiro256**: returns 64 random bits. */
static inline uint64_t sb_xoshiro256ss_next(sb_xoshiro256ss_state *st) {
    uint64_t *s = st->s;
    const uint64_t result = sb_rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sb_rotl64(s[3], 45);
    return result;
}

/* The next n uniforms in [0, 1) of *st, (next >> 11) * 2^-53 each, into out: exactly n calls
   of sb_xoshiro256ss_next, with the state held in locals for the loop (a hot loop that calls
   the step through the pointer reloads and stores the state on every draw). */
static inline void sb_xoshiro256ss_fill_uniform(sb_xoshiro256ss_state *st, double *out, long n) {
    uint64_t s0 = st->s[0], s1 = st->s[1], s2 = st->s[2], s3 = st->s[3];
    for (long k = 0; k < n; k++) {
        const uint64_t result = sb_rotl64(s1 * 5, 7) * 9;
        const uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = sb_rotl64(s3, 45);
        out[k] = (double)(result >> 11) * 0x1.0p-53;
    }
    st->s[0] = s0; st->s[1] = s1; st->s[2] = s2; st->s[3] = s3;
}

/* SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): advances *x and returns the mixed value. */
static inline uint64_t sb_splitmix64_next(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fills the 256-bit state from a 64-bit key with SplitMix64, as Vigna recommends. */
static inline void sb_xoshiro256ss_seed(sb_xoshiro256ss_state *st, uint64_t key) {
    uint64_t x = key;
    for (int i = 0; i < 4; i++) st->s[i] = sb_splitmix64_next(&x);
}

static void sb_xoshiro_gsl_set(void *vstate, unsigned long int seed) {
    sb_xoshiro256ss_seed((sb_xoshiro256ss_state *)vstate, (uint64_t)seed);
}

/* gsl_rng_get: the upper 32 bits (the better bits), range [0, 2^32 - 1] like GSL's own generators. */
static unsigned long int sb_xoshiro_gsl_get(void *vstate) {
    return (unsigned long int)(sb_xoshiro256ss_next((sb_xoshiro256ss_state *)vstate) >> 32);
}

/* gsl_rng_uniform: 53 random bits in [0, 1). */
static double sb_xoshiro_gsl_get_double(void *vstate) {
    return (double)(sb_xoshiro256ss_next((sb_xoshiro256ss_state *)vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type sb_xoshiro256ss_gsl_type = {
    "xoshiro256**",
    0xffffffffUL,
    0,
    sizeof(sb_xoshiro256ss_state),
    &sb_xoshiro_gsl_set,
    &sb_xoshiro_gsl_get,
    &sb_xoshiro_gsl_get_double
};

/* Accessor: Swift 6 cannot touch the C global directly. */
static inline const gsl_rng_type *sb_xoshiro256ss_type(void) {
    return &sb_xoshiro256ss_gsl_type;
}

/* Accessors for GSL's built-in generator types (benchmarked against xoshiro256**). */
static inline const gsl_rng_type *sb_gsl_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_rng_type *sb_gsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *sb_gsl_rng_ranlxd1(void) { return gsl_rng_ranlxd1; }

/* Accessor for the run-time GSL version string (a mutable C global). */
static inline const char *sb_gsl_version(void) {
    return gsl_version;
}

/* The state of a generator allocated with sb_xoshiro256ss_type(). */
static inline sb_xoshiro256ss_state *sb_xoshiro256ss_state_of(gsl_rng *r) {
    return (sb_xoshiro256ss_state *)r->state;
}

#endif
