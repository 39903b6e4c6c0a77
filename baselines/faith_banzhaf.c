/* faith_banzhaf.c: the Faith-Banzhaf interaction index of order k by regression on uniform
 * masks (spectral-explain's fit_regression in the Moebius basis, reference-code.md §4.2):
 * least squares over every subset T with |T| <= k, design 1[T ⊆ kept(m)], ridge penalty
 * chosen by leave-one-out over {0.1, 1, 10} (RidgeCV, penalty on every column including ∅).
 * Under uniform masks the unpenalised solution is the FBII of order k; with a budget of 2^n
 * or more every mask is enumerated once and the result is exact.
 *
 * Output: Moebius transform, a(T) = FBII(T) for 1 <= |T| <= k and a(∅) = the fitted
 * intercept (the FBII value of ∅). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"

typedef struct {
  spx_baseline_state base;
  unsigned order;
  spx_baseline_penalty pen;
} fb_state;

static const spx_option_decl fb_rows[] = {
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_order_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_penalty_loo_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

/* order, penalty and limits into an spx_baseline_cfg. */
static int fb_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  spx_baseline_cfg *c = cfg;
  int rc = spx_baseline_read_order(opts, n, &c->order, err);
  if (rc == SPX_OK) rc = spx_baseline_read_penalty(opts, &c->pen, err);
  if (rc == SPX_OK) rc = spx_baseline_read_memory(opts, &c->limits, err);
  return rc;
}

static void fb_estimates(const void *cfg, spx_index *index, unsigned *order) {
  *index = SPX_INDEX_FBII;
  *order = ((const spx_baseline_cfg *)cfg)->order;
}

static int fb_applicable(size_t n, size_t budget, const void *cfg, char *why,
                         size_t whylen) {
  const spx_baseline_cfg *c = cfg;
  unsigned order = c->order;
  if (n == 0) {
    snprintf(why, whylen, "n = 0: nothing to explain");
    return 0;
  }
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  double p = spx_baseline_num_columns(n, 0, order);
  if (budget < 1) {
    snprintf(why, whylen, "budget 0: at least one mask is needed");
    return 0;
  }
  char what[32];
  snprintf(what, sizeof what, " of order %u", order);
  return spx_baseline_check_fit(n, p, p, rows, budget, spx_baseline_penalty_positive(&c->pen),
                                c->pen.loo || c->pen.value != 0.0, &c->limits, what, "penalty",
                                why, whylen);
}

static int fb_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                    spx_error *err) {
  const spx_baseline_cfg *c = cfg;
  fb_state *s = *state = spx_baseline_uniform_begin(sizeof *s, n, budget, rng, err);
  if (s == NULL) return err ? err->code : SPX_ENOMEM;
  s->order = c->order;
  s->pen = c->pen;
  return SPX_OK;
}

static int fb_finish(void *state, spx_transform **out, spx_error *err) {
  fb_state *s = state;
  spx_baseline_fit_info info;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  return spx_baseline_fit_transform(&s->base, 0, s->order, 0, s->base.values, NULL, &s->pen, 0, 0,
                              0.0, 0, 0.0, out, &info, err);
}

const spx_method_type spx_method_faith_banzhaf = {
    .name = "faith_banzhaf",
    .summary = "Faith-Banzhaf index of order k: ridge regression (LOO penalty) on uniform masks",
    .options = fb_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = fb_configure,
    .estimates = fb_estimates,
    .applicable = fb_applicable,
    .begin = fb_begin,
    .step = spx_baseline_step,
    .finish = fb_finish,
    .destroy = spx_baseline_destroy};
