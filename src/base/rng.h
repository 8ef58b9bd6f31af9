/* rng.h — the host's seeded random numbers (initialisation, shuffling, device keys): splitmix64,
 * small and reproducible on every platform.
 */
#ifndef CLGAN_BASE_RNG_H
#define CLGAN_BASE_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct clg_rng {
    uint64_t s;
} clg_rng;

static inline uint64_t clg_rng_next(clg_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform in [0, 1) with 53 bits */
static inline double clg_rng_uniform(clg_rng *r) { return (double)(clg_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

static inline double clg_rng_normal(clg_rng *r)
{
    double u1 = 1.0 - clg_rng_uniform(r), u2 = clg_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* lowbias32, the integer hash of cl/prelude.cl (hash32), on the host: dropout keys, the tests' references */
static inline uint32_t clg_hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* uniform integer in [0, n) */
static inline uint32_t clg_rng_below(clg_rng *r, uint32_t n) { return (uint32_t)(clg_rng_uniform(r) * n); }

#endif
