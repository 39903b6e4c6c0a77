/* driver_types.h: a test-only oracle and method for exercising the configuration and the
 * experiment driver without depending on the product's oracles and methods.
 *
 *   oracle "tsparse":  a known sparse Fourier function of n features per explicand
 *                      (options n = 6, count = 3 explicands, fail_explicand = -1,
 *                      no_truth = false); truth() gives it.
 *   method "texhaust": queries all 2^n masks (in an order drawn from its rng, split over
 *                      `rounds` rounds) and returns the exact Fourier transform by a WHT,
 *                      truncated to degree <= max_degree; `fail = true` makes finish fail.
 *                      Applicable only when budget >= 2^n.
 * They are handed to the driver through spx_config_types; they are not in the registries. */
#ifndef SPX_TEST_DRIVER_TYPES_H
#define SPX_TEST_DRIVER_TYPES_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "config/config.h"
#include "core/metrics.h"
#include "core/wht.h"

/* ---- oracle ---------------------------------------------------------------------------------- */

typedef struct {
  spx_transform *truth;
  int no_truth;
} tsparse_state;

/* Fault injection for tests/mpi/retries.sh: with SPX_TEST_LOSE_AFTER=K in the environment
 * (and SPX_TEST_LOSE_RANK=R: only on world rank R), the oracle fails after K answers of this
 * process, and from then on no oracle of the process can be opened (a lost model). Process-
 * wide on purpose: a reopen must see it. */
static struct {
  long long answered;
  int lost;
} tsparse_fault;

static int tsparse_faulty_here(void) {
  const char *k = getenv("SPX_TEST_LOSE_AFTER"), *r = getenv("SPX_TEST_LOSE_RANK");
  const char *me = getenv("OMPI_COMM_WORLD_RANK");
  if (k == NULL) return 0;
  return r == NULL || strcmp(r, me ? me : "0") == 0;
}

static int tsparse_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  if (tsparse_fault.lost)
    return spx_error_set(err, SPX_EORACLE, "tsparse: the model is gone (test fault)");
  long long n, fail, count;
  int rc;
  if ((rc = spx_options_int_range(opts, "n", 6, 3, 20, &n, err)) ||
      (rc = spx_options_int_range(opts, "count", 3, 1, 1000000000000LL, &count, err)) ||
      (rc = spx_options_int(opts, "fail_explicand", -1, &fail, err)))
    return rc;
  int no_truth;
  if ((rc = spx_options_bool(opts, "no_truth", 0, &no_truth, err))) return rc;
  if ((long long)explicand == fail)
    return spx_error_set(err, SPX_EORACLE, "tsparse: explicand %zu fails on request", explicand);
  tsparse_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  o->state = s;
  s->no_truth = no_truth;
  o->n = (size_t)n;
  o->concurrent = 1;
  s->truth = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
  SPX_CHECK_ALLOC(s->truth, err);
  double e = (double)explicand;
  uint32_t a[3] = {0, 1, 2};
  uint32_t one = (uint32_t)(explicand % (size_t)n);
  uint32_t three[3] = {0, 2, (uint32_t)n - 1};
  if ((rc = spx_transform_add(s->truth, NULL, 0, 1.0 + e, err)) ||
      (rc = spx_transform_add(s->truth, a, 1, 0.5, err)) ||
      (rc = spx_transform_add(s->truth, a + 1, 2, -0.375 * (e + 1.0), err)) ||
      (rc = spx_transform_add(s->truth, &one, 1, 0.3, err)) ||
      (rc = spx_transform_add(s->truth, three, 3, 0.2, err)))
    return rc;
  char desc[64];
  snprintf(desc, sizeof desc, "tsparse explicand %zu", explicand);
  return spx_oracle_set_explicand(o, desc, err);
}

static int tsparse_count(spx_options *opts, size_t *count, spx_error *err) {
  long long c;
  int rc = spx_options_int_range(opts, "count", 3, 1, 1000000000000LL, &c, err);
  spx_options_known(opts, "n");
  spx_options_known(opts, "fail_explicand");
  spx_options_known(opts, "no_truth");
  *count = (size_t)c;
  return rc;
}

static int tsparse_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                        double *out, spx_error *err) {
  tsparse_state *s = o->state;
  if (tsparse_faulty_here()) {
    tsparse_fault.answered += (long long)count;
    if (tsparse_fault.answered > atoll(getenv("SPX_TEST_LOSE_AFTER"))) {
      tsparse_fault.lost = 1;
      return spx_error_set(err, SPX_EORACLE, "tsparse: the model died (test fault)");
    }
  }
  spx_maskset view = *masks;
  view.bits = spx_maskset_row(masks, first);
  view.count = count;
  return spx_transform_predict(s->truth, &view, out, err);
}

static const spx_transform *tsparse_truth(const spx_oracle *o) {
  const tsparse_state *s = o->state;
  return s->no_truth ? NULL : s->truth;
}

static void tsparse_close(spx_oracle *o) {
  tsparse_state *s = o->state;
  spx_transform_destroy(&s->truth);
  free(s);
  o->state = NULL;
}

static const spx_oracle_type tsparse_type = {
    .name = "tsparse",
    .summary = "test-only sparse Fourier function",
    .open = tsparse_open,
    .explicands = tsparse_count,
    .eval = tsparse_eval,
    .truth = tsparse_truth,
    .close = tsparse_close};

/* ---- method ---------------------------------------------------------------------------------- */

typedef struct {
  size_t n, total, rounds, round;
  long long max_degree;
  int fail;
  size_t *order;        /* order[i] = mask (as an integer) queried at position i */
  double *values;       /* values by mask integer */
  spx_maskset *batch;
} texhaust_state;

typedef struct {
  long long rounds, max_degree;
  int fail;
} texhaust_cfg;

static int texhaust_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  texhaust_cfg *c = cfg;
  int rc;
  if ((rc = spx_options_int_range(opts, "rounds", 1, 1, 8, &c->rounds, err)) ||
      (rc = spx_options_int_range(opts, "max_degree", (long long)n, 0, (long long)n,
                                  &c->max_degree, err)) ||
      (rc = spx_options_bool(opts, "fail", 0, &c->fail, err)))
    return rc;
  return SPX_OK;
}

static int texhaust_applicable(size_t n, size_t budget, const void *cfg, char *why,
                               size_t len) {
  (void)cfg;
  if (n > 16 || budget < ((size_t)1 << n)) {
    snprintf(why, len, "needs budget >= 2^n = %zu, has %zu", (size_t)1 << (n > 16 ? 16 : n),
             budget);
    return 0;
  }
  return 1;
}

static void texhaust_destroy(void *vs) {
  texhaust_state *s = vs;
  if (s == NULL) return;
  free(s->order);
  free(s->values);
  spx_maskset_destroy(&s->batch);
  free(s);
}

static int texhaust_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng,
                          void **state, spx_error *err) {
  (void)budget;
  const texhaust_cfg *c = cfg;
  long long rounds = c->rounds, maxdeg = c->max_degree;
  int fail = c->fail;
  texhaust_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  *state = s;
  s->n = n;
  s->total = (size_t)1 << n;
  s->rounds = (size_t)rounds;
  s->max_degree = maxdeg;
  s->fail = fail;
  s->order = malloc(s->total * sizeof *s->order);
  s->values = calloc(s->total, sizeof *s->values);
  s->batch = spx_maskset_create(n, 0);
  SPX_CHECK_ALLOC(s->order, err);
  SPX_CHECK_ALLOC(s->values, err);
  SPX_CHECK_ALLOC(s->batch, err);
  for (size_t i = 0; i < s->total; i++) s->order[i] = i;
  gsl_ran_shuffle(rng, s->order, s->total, sizeof *s->order);
  return SPX_OK;
}

static size_t texhaust_lo(const texhaust_state *s, size_t r) { return r * s->total / s->rounds; }

static int texhaust_step(void *vs, const double *values, const spx_maskset **next, int *done,
                         spx_error *err) {
  texhaust_state *s = vs;
  if (values) { /* answers of round s->round - 1 */
    size_t lo = texhaust_lo(s, s->round - 1), hi = texhaust_lo(s, s->round);
    for (size_t i = lo; i < hi; i++) s->values[s->order[i]] = values[i - lo];
  }
  if (s->round == s->rounds) {
    *done = 1;
    return SPX_OK;
  }
  size_t lo = texhaust_lo(s, s->round), hi = texhaust_lo(s, s->round + 1);
  int rc = spx_maskset_resize(s->batch, hi - lo, err);
  if (rc) return rc;
  for (size_t i = lo; i < hi; i++) {
    uint64_t *row = spx_maskset_row(s->batch, i - lo);
    row[0] = (uint64_t)s->order[i];
  }
  s->round++;
  *next = s->batch;
  *done = 0;
  return SPX_OK;
}

static int texhaust_finish(void *vs, spx_transform **out, spx_error *err) {
  texhaust_state *s = vs;
  if (s->fail) return spx_error_set(err, SPX_EINTERNAL, "texhaust: failure requested");
  spx_wht_plan *plan = spx_wht_plan_create((unsigned)s->n, err);
  if (plan == NULL) return err ? err->code : SPX_ENOMEM;
  spx_wht_execute(plan, s->values);
  spx_wht_plan_destroy(&plan);
  spx_transform *t = spx_transform_create((uint32_t)s->n, SPX_BASIS_FOURIER);
  SPX_CHECK_ALLOC(t, err);
  for (size_t k = 0; k < s->total; k++) {
    double v = s->values[k] / (double)s->total;
    uint32_t idx[32], d = 0;
    for (uint32_t i = 0; i < s->n; i++)
      if ((k >> i) & 1u) idx[d++] = i;
    if ((long long)d > s->max_degree || fabs(v) < 1e-12) continue;
    int rc = spx_transform_add(t, idx, d, v, err);
    if (rc) {
      spx_transform_destroy(&t);
      return rc;
    }
  }
  *out = t;
  return SPX_OK;
}

static const spx_method_type texhaust_type = {.name = "texhaust",
                                              .summary = "test-only exhaustive WHT",
                                              .cfg_size = sizeof(texhaust_cfg),
                                              .configure = texhaust_configure,
                                              .applicable = texhaust_applicable,
                                              .begin = texhaust_begin,
                                              .step = texhaust_step,
                                              .finish = texhaust_finish,
                                              .destroy = texhaust_destroy};

static const spx_oracle_type *const test_oracles[] = {&tsparse_type, NULL};
static const spx_method_type *const test_methods[] = {&texhaust_type, NULL};
static const spx_config_types test_types = {test_oracles, test_methods};

#endif
