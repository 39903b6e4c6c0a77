/* banzhaf.c: Banzhaf values from uniform masks (reference-code.md §4.2, §4.7).
 *
 * estimator = "regression" (default): Faith-Banzhaf of order 1, i.e. least squares on
 *   (1, x_1..x_n) with the ridge penalty chosen by leave-one-out over {0.1, 1, 10} (penalty on
 *   every column, as RidgeCV(fit_intercept=False) in spectral-explain).
 * estimator = "msr": maximum sample reuse (Wang & Jia): phi_i = mean of v over the masks that
 *   keep i minus the mean over those that drop i (0 when one side is empty), every mask used
 *   for every feature. (shapiq's RegressionMSR adds an XGBoost proxy first; not done here.)
 * With a budget of 2^n or more every mask is enumerated once and both are exact.
 *
 * Output: Moebius transform with a({i}) = phi_i and a(∅) = the intercept (regression) or
 * mean(v) - sum_i phi_i / 2 (msr), the constant that fits the sample mean under uniform
 * masks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"

enum { EST_REGRESSION = 0, EST_MSR = 1 };

typedef struct {
  spx_baseline_state base;
  int estimator;
  spx_baseline_penalty pen;
} bz_state;

static const char *const bz_estimators[] = {"regression", "msr", NULL};
static const spx_option_decl bz_rows[] = {
    {"estimator", SPX_DECL_CHOICE, "regression", 0, 0, bz_estimators,
     "regression (ridge on uniform masks) or msr (maximum sample reuse)", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_penalty_loo_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

typedef struct {
  int estimator;
  spx_baseline_penalty pen; /* regression */
  spx_baseline_limits memory;
} bz_cfg;

static int bz_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  (void)n;
  bz_cfg *c = cfg;
  int rc = spx_opt_choice(opts, "estimator", &c->estimator, err);
  if (rc) return rc;
  if (c->estimator == EST_MSR) {
    const char *bad = spx_options_has(opts, "penalty")        ? "penalty"
                      : spx_options_has(opts, "penalty_grid") ? "penalty_grid"
                                                              : NULL;
    if (bad) {
      spx_options_known(opts, bad);
      return spx_options_fail(opts, bad, SPX_EINVAL, err,
                              "applies only to estimator = \"regression\" (msr has no penalty)");
    }
  } else {
    rc = spx_baseline_read_penalty(opts, &c->pen, err);
    if (rc) return rc;
  }
  return spx_baseline_read_memory(opts, &c->memory, err);
}

/* Banzhaf values (either estimator). */
static void bz_estimates(const void *cfg, spx_index *index, unsigned *order) {
  (void)cfg;
  *index = SPX_INDEX_BV;
  *order = 1;
}

static int bz_applicable(size_t n, size_t budget, const void *cfg, char *why,
                         size_t whylen) {
  const bz_cfg *c = cfg;
  if (n == 0) {
    snprintf(why, whylen, "n = 0: nothing to explain");
    return 0;
  }
  if (budget < 1) {
    snprintf(why, whylen, "budget 0: at least one mask is needed");
    return 0;
  }
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  if (c->estimator == EST_MSR) {
    double need = (double)rows * (8.0 * spx_mask_words(n) + 8.0) + 32.0 * (double)n;
    if (need > c->memory.bytes) {
      snprintf(why, whylen, "%zu masks need %.3g GiB, above memory_gib = %.3g", rows,
               need / 1073741824.0, c->memory.bytes / 1073741824.0);
      return 0;
    }
    return 1;
  }
  double p = (double)n + 1.0;
  return spx_baseline_check_fit(n, p, p, rows, budget, spx_baseline_penalty_positive(&c->pen),
                                c->pen.loo || c->pen.value != 0.0, &c->memory, "", "penalty",
                                why, whylen);
}

static int bz_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                    spx_error *err) {
  const bz_cfg *c = cfg;
  bz_state *s = *state = spx_baseline_uniform_begin(sizeof *s, n, budget, rng, err);
  if (s == NULL) return err ? err->code : SPX_ENOMEM;
  s->estimator = c->estimator;
  s->pen = c->pen;
  return SPX_OK;
}

/* Maximum sample reuse: per-feature means of v with the feature kept / dropped. */
static int bz_msr(const bz_state *s, spx_transform **out, spx_error *err) {
  size_t n = s->base.n, N = s->base.masks->count;
  double *sum_in = calloc(n, sizeof *sum_in);
  size_t *cnt_in = calloc(n, sizeof *cnt_in);
  if (!sum_in || !cnt_in) {
    free(sum_in);
    free(cnt_in);
    return spx_error_set(err, SPX_ENOMEM, "banzhaf msr: out of memory (n = %zu)", n);
  }
  double total = 0.0;
  for (size_t r = 0; r < N; r++) {
    const uint64_t *m = spx_maskset_row(s->base.masks, r);
    double v = s->base.values[r];
    total += v;
    for (size_t i = spx_mask_next(m, n, 0); i < n; i = spx_mask_next(m, n, i + 1)) {
      sum_in[i] += v;
      cnt_in[i]++;
    }
  }
  int rc = SPX_OK;
  spx_transform *t = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
  if (t == NULL) rc = spx_error_set(err, SPX_ENOMEM, "banzhaf msr: out of memory");
  double sum_phi = 0.0;
  for (size_t i = 0; i < n && rc == SPX_OK; i++) {
    double phi = 0.0;
    if (cnt_in[i] > 0 && cnt_in[i] < N)
      phi = sum_in[i] / (double)cnt_in[i] - (total - sum_in[i]) / (double)(N - cnt_in[i]);
    sum_phi += phi;
    uint32_t idx = (uint32_t)i;
    rc = spx_transform_set(t, &idx, 1, phi, err);
  }
  if (rc == SPX_OK) rc = spx_transform_set(t, NULL, 0, total / (double)N - sum_phi / 2.0, err);
  free(sum_in);
  free(cnt_in);
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}

static int bz_finish(void *state, spx_transform **out, spx_error *err) {
  bz_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  if (s->estimator == EST_MSR) return bz_msr(s, out, err);
  spx_baseline_fit_info info;
  return spx_baseline_fit_transform(&s->base, 0, 1, 0, s->base.values, NULL, &s->pen, 0, 0, 0.0, 0,
                              0.0, out, &info, err);
}

const spx_method_type spx_method_banzhaf = {
    .name = "banzhaf",
    .summary = "Banzhaf values: ridge regression (LOO penalty) or maximum sample reuse on "
               "uniform masks",
    .options = bz_rows,
    .cfg_size = sizeof(bz_cfg),
    .configure = bz_configure,
    .estimates = bz_estimates,
    .applicable = bz_applicable,
    .begin = bz_begin,
    .step = spx_baseline_step,
    .finish = bz_finish,
    .destroy = spx_baseline_destroy};
