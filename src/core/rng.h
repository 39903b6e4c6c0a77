/* rng.h: PCG64 (XSL-RR 128/64) as a GSL generator type, and stream derivation.
 *
 * Every random choice in spex-bench comes from a gsl_rng of type spx_rng_pcg64 whose
 * (state, stream) are derived from experiment coordinates with spx_rng_stream, never from
 * the MPI rank, so results do not depend on the number of ranks (DESIGN §3.3). */
#ifndef SPX_RNG_H
#define SPX_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The generator type: gsl_rng_alloc(spx_rng_pcg64()). gsl_rng_set(r, s) seeds it as
 * pcg64(s, 0xda3e39cb94b95bdb) (the PCG reference default stream). */
const gsl_rng_type *spx_rng_pcg64(void);

/* Seed r (of type spx_rng_pcg64) exactly like the PCG reference pcg64(initstate, initseq)
 * with 128-bit arguments given as (hi, lo) halves. */
void spx_rng_pcg64_seed(gsl_rng *r, uint64_t state_hi, uint64_t state_lo, uint64_t seq_hi,
                        uint64_t seq_lo);

/* Full 64-bit output (gsl_rng_get returns unsigned long, which is 64 bits on LP64). */
uint64_t spx_rng_u64(gsl_rng *r);

/* A new generator whose stream is a pure function of (seed, a, b, c, d): e.g.
 * (experiment seed, explicand, method, budget, repeat). NULL when out of memory. */
gsl_rng *spx_rng_stream(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Stable 64-bit hash of a string (FNV-1a), for turning names into stream coordinates. */
uint64_t spx_hash_string(const char *s);

#endif
