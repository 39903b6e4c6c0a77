/* rng.c: PCG64 XSL-RR 128/64 (O'Neill, 2014) registered as a gsl_rng_type. */
#include "rng.h"
#include "mask.h" /* spx_mix64 */

#include <limits.h>

#if ULONG_MAX < 0xffffffffffffffffUL
#error "spex-bench needs 64-bit unsigned long (LP64)"
#endif

__extension__ typedef unsigned __int128 u128;

typedef struct {
  u128 state;
  u128 inc;
} pcg64_state;

#define PCG_MULT ((((u128)2549297995355413924ULL) << 64) | (u128)4865540595714422341ULL)

static inline void pcg_step(pcg64_state *s) { s->state = s->state * PCG_MULT + s->inc; }

static inline uint64_t pcg_output(u128 state) {
  uint64_t x = (uint64_t)(state >> 64) ^ (uint64_t)state;
  unsigned rot = (unsigned)(state >> 122);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

static void pcg_seed(pcg64_state *s, u128 initstate, u128 initseq) {
  s->state = 0;
  s->inc = (initseq << 1) | 1u;
  pcg_step(s);
  s->state += initstate;
  pcg_step(s);
}

static unsigned long pcg_get(void *vstate) {
  pcg64_state *s = vstate;
  pcg_step(s);
  return (unsigned long)pcg_output(s->state);
}

static double pcg_get_double(void *vstate) {
  return (double)(pcg_get(vstate) >> 11) * 0x1.0p-53;
}

static void pcg_set(void *vstate, unsigned long seed) {
  pcg_seed(vstate, (u128)seed, ((u128)0xda3e39cb94b95bdbULL));
}

static const gsl_rng_type pcg64_type = {
    "pcg64", 0xffffffffffffffffUL, 0, sizeof(pcg64_state), pcg_set, pcg_get, pcg_get_double};

const gsl_rng_type *spx_rng_pcg64(void) { return &pcg64_type; }

void spx_rng_pcg64_seed(gsl_rng *r, uint64_t state_hi, uint64_t state_lo, uint64_t seq_hi,
                        uint64_t seq_lo) {
  pcg_seed(r->state, ((u128)state_hi << 64) | state_lo, ((u128)seq_hi << 64) | seq_lo);
}

uint64_t spx_rng_u64(gsl_rng *r) { return (uint64_t)gsl_rng_get(r); }

gsl_rng *spx_rng_stream(uint64_t seed, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  gsl_rng *r = gsl_rng_alloc(&pcg64_type);
  if (r == NULL) return NULL;
  uint64_t coords[5] = {seed, a, b, c, d};
  uint64_t h[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                   0x082efa98ec4e6c89ULL};
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) h[j] = spx_mix64(h[j] ^ spx_mix64(coords[i] + (uint64_t)j));
  spx_rng_pcg64_seed(r, h[0], h[1], h[2], h[3]);
  return r;
}

uint64_t spx_hash_string(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}
