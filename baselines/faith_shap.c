/* faith_shap.c: the Faith-Shap interaction index (FSII) of order k by shapiq's regression
 * estimator (RegressionFSII, reference-code.md §4.3, §4.5); KernelSHAP (kernelshap.c) is the
 * same estimator at k = 1.
 *
 * Sampling: shapiq's CoalitionSampler (sampling.c) with size weights 1e8 for sizes < k and
 * > n - k and 1 / (s (n - s)) otherwise; sizes 0 and n always evaluated; border trick; no
 * pairing. Regression: columns every T with 1 <= |T| <= k, design 1[T ⊆ S], response
 * v(S) - v(∅), row weight = Shapley kernel 1 / ((n-1) C(n-2, |S|-1)) times the sampler's
 * importance-adjustment weight (both in log space). shapiq gives ∅ and the full set weight
 * 1e8; here they are imposed exactly (the limit of that weight): a(∅) = v(∅) and the
 * efficiency constraint sum_{T != ∅} a(T) = v(N) - v(∅). penalty (default 0 = plain weighted
 * least squares, as shapiq) adds a ridge term on the non-empty coefficients.
 *
 * Output: Moebius transform, a(T) = FSII(T) for 1 <= |T| <= k and a(∅) = v(∅). With a budget
 * of 2^n or more every coalition is evaluated and the result is the exact FSII. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "baselines.h"

#define BIG_M 1e8

typedef struct {
  spx_baseline_state base;
  unsigned order;
  spx_baseline_penalty pen;
  double *ln_adjust; /* the sampler's log importance-adjustment weight per row */
} fs_state;

const spx_option_decl spx_baseline_faith_shap_rows[] = {
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_order_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_penalty_zero_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
const spx_option_decl spx_baseline_kernelshap_rows[] = {
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_penalty_zero_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

int spx_baseline_shapley_configure(size_t n, spx_options *opts, unsigned fixed_order, void *cfg,
                                   spx_error *err) {
  spx_baseline_cfg *c = cfg;
  int rc = SPX_OK;
  if (fixed_order)
    c->order = fixed_order;
  else
    rc = spx_baseline_read_order(opts, n, &c->order, err);
  if (rc == SPX_OK) rc = spx_baseline_read_penalty(opts, &c->pen, err);
  if (rc == SPX_OK) rc = spx_baseline_read_memory(opts, &c->limits, err);
  return rc;
}

int spx_baseline_shapley_applicable(size_t n, size_t budget, const void *cfg, char *why,
                                    size_t whylen) {
  const spx_baseline_cfg *c = cfg;
  unsigned order = c->order;
  if (!spx_baseline_coalitions_applicable(n, budget, why, whylen)) return 0;
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  double p = spx_baseline_num_columns(n, 1, order);
  /* unknowns: p coefficients plus v(∅); the empty and full coalitions fix two of them */
  char what[32];
  snprintf(what, sizeof what, " of order %u", order);
  return spx_baseline_check_fit(n, p, p + 1.0, rows, budget, 0, c->pen.loo || c->pen.value != 0.0,
                                &c->limits, what, "penalty", why, whylen);
}

int spx_baseline_shapley_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng,
                               void **state, spx_error *err) {
  const spx_baseline_cfg *c = cfg;
  *state = NULL;
  fs_state *s = calloc(1, sizeof *s);
  double *sw = calloc(n + 1, sizeof *sw), *ln_adjust = NULL;
  if (s == NULL || sw == NULL) {
    free(s);
    free(sw);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  s->order = c->order;
  s->pen = c->pen;
  int rc = SPX_OK;
  s->base.n = n;
  s->base.budget = budget;
  if (rc == SPX_OK) {
    for (size_t k = 0; k <= n; k++)
      sw[k] = (k < s->order || k + s->order > n) ? BIG_M : 1.0 / ((double)k * (double)(n - k));
    rc = spx_baseline_sample_coalitions(n, budget, sw, rng, &s->base.masks, &ln_adjust, err);
  }
  free(sw);
  s->ln_adjust = ln_adjust;
  if (rc) {
    spx_baseline_shapley_destroy(s);
    return rc;
  }
  *state = s;
  return SPX_OK;
}

int spx_baseline_shapley_finish(void *state, spx_transform **out, spx_error *err) {
  fs_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t n = s->base.n, N = s->base.masks->count;
  /* rows 0 and 1 are ∅ and the full set (the sampler puts them first) */
  double v0 = s->base.values[0], vn = N > 1 ? s->base.values[1] : v0;
  double *y = malloc(N * sizeof *y), *w = malloc(N * sizeof *w);
  if (!y || !w) {
    free(y);
    free(w);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for %zu rows", N);
  }
  for (size_t i = 0; i < N; i++) {
    size_t k = spx_mask_popcount(spx_maskset_row(s->base.masks, i), s->base.masks->words);
    y[i] = s->base.values[i] - v0;
    if (k == 0 || k == n)
      w[i] = 0.0; /* handled exactly: a(∅) = v(∅) and the sum constraint */
    else
      w[i] = exp(-log((double)(n - 1)) - gsl_sf_lnchoose((unsigned)(n - 2), (unsigned)(k - 1)) +
                 s->ln_adjust[i]);
  }
  spx_baseline_fit_info info;
  int rc = spx_baseline_fit_transform(&s->base, 1, s->order, 2, y, w, &s->pen, 0, 1, vn - v0, 1, v0,
                                out, &info, err);
  free(y);
  free(w);
  return rc;
}

void spx_baseline_shapley_destroy(void *state) {
  fs_state *s = state;
  if (s == NULL) return;
  spx_baseline_state_free(&s->base);
  free(s->ln_adjust);
  free(s);
}

static int fs_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  return spx_baseline_shapley_configure(n, opts, 0, cfg, err);
}

static void fs_estimates(const void *cfg, spx_index *index, unsigned *order) {
  *index = SPX_INDEX_FSII;
  *order = ((const spx_baseline_cfg *)cfg)->order;
}

const spx_method_type spx_method_faith_shap = {
    .name = "faith_shap",
    .summary = "Faith-Shap index of order k: shapiq's kernel-weighted regression on sampled "
               "coalitions",
    .options = spx_baseline_faith_shap_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = fs_configure,
    .estimates = fs_estimates,
    .applicable = spx_baseline_shapley_applicable,
    .begin = spx_baseline_shapley_begin,
    .step = spx_baseline_step,
    .finish = spx_baseline_shapley_finish,
    .destroy = spx_baseline_shapley_destroy};
