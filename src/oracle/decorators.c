/* decorators.c: oracles that wrap another oracle: a counting scope and additive noise.
 *
 * Every spx_oracle handle counts the queries and seconds that pass through spx_oracle_eval;
 * a counting wrapper is a fresh handle around an existing oracle, so a caller can measure one
 * scope (a grid cell, a method run) while the inner oracle keeps its running totals. The
 * noise wrapper adds Gaussian noise that is a pure function of (seed, mask), so the same mask
 * always gets the same value however batches are split over ranks. */
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"
#include "oracle/oracle.h"

typedef struct {
  double sd;
  uint64_t seed;
  gsl_rng *rng;
} noise_state;

static int forward_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                        double *out, spx_error *err) {
  return spx_oracle_eval(self->inner, masks, first, count, out, err);
}

static void no_close(spx_oracle *self) { (void)self; }

static const spx_oracle_type counting_type = {
    .name = "counting",
    .summary = "counts queries and seconds of the oracle it wraps",
    .open = NULL,
    .explicands = NULL,
    .eval = forward_eval,
    .truth = NULL,
    .close = no_close};

static int noise_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                      double *out, spx_error *err) {
  noise_state *s = self->state;
  int rc = spx_oracle_eval(self->inner, masks, first, count, out, err);
  if (rc) return rc;
  for (size_t i = 0; i < count; i++) {
    const uint64_t *m = spx_maskset_row(masks, first + i);
    uint64_t h = s->seed ^ 0x6a09e667f3bcc909ULL;
    for (size_t w = 0; w < masks->words; w++) {
      h ^= m[w];
      h *= 0x9fb21c651e98df25ULL;
      h ^= h >> 29;
    }
    spx_rng_pcg64_seed(s->rng, h, ~h, s->seed, 0x5851f42d4c957f2dULL);
    out[i] += gsl_ran_gaussian_ziggurat(s->rng, s->sd);
  }
  return SPX_OK;
}

static void noise_close(spx_oracle *self) {
  noise_state *s = self->state;
  gsl_rng_free(s->rng);
  free(s);
}

static const spx_oracle_type noise_type = {
    .name = "noise",
    .summary = "adds deterministic Gaussian noise to the oracle it wraps",
    .open = NULL,
    .explicands = NULL,
    .eval = noise_eval,
    .truth = NULL,
    .close = noise_close};

/* Make a wrapper of type around *o and put it in *o's place. */
static int wrap(spx_oracle **o, const spx_oracle_type *type, void *state, spx_error *err) {
  spx_oracle *w = spx_oracle_alloc(type);
  SPX_CHECK_ALLOC(w, err);
  w->inner = *o;
  w->state = state;
  w->n = (*o)->n;
  w->concurrent = (*o)->concurrent;
  *o = w;
  return SPX_OK;
}

int spx_oracle_wrap_counting(spx_oracle **o, spx_error *err) {
  return wrap(o, &counting_type, NULL, err);
}

int spx_oracle_wrap_noise(spx_oracle **o, double sd, uint64_t seed, spx_error *err) {
  if (!(sd >= 0))
    return spx_error_set(err, SPX_EINVAL, "noise standard deviation must be >= 0, got %g", sd);
  noise_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->sd = sd;
  s->seed = seed;
  s->rng = gsl_rng_alloc(spx_rng_pcg64());
  if (s->rng == NULL) {
    free(s);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  int rc = wrap(o, &noise_type, s, err);
  if (rc) {
    gsl_rng_free(s->rng);
    free(s);
  }
  return rc;
}

spx_oracle *spx_oracle_unwrap(spx_oracle **o) {
  spx_oracle *w = *o;
  if (w == NULL || w->inner == NULL) return NULL;
  *o = w->inner;
  w->inner = NULL;
  return w;
}
