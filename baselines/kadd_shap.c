/* kadd_shap.c: kADD-SHAP (Pelegrina et al. 2023; shapiq's `kADDSHAP`): Shapley values and
 * interactions of a k-additive surrogate fitted by the Shapley-kernel regression.
 *
 * Sampling: as kernelshap_iq (shapiq's default size weights for the order, border trick,
 * `pairing`). Regression (shapiq's Regression.regression_routine, index "kADD-SHAP"): columns
 * every T with 0 <= |T| <= k (∅ included), design X[S, T] = sum_{j=0}^{|S∩T|} C(|S∩T|, j)
 * B_{|T|-j} (Bernoulli numbers), response v(S) - v(∅), row weight the order-1 Shapley kernel
 * 1 / ((n-1) C(n-2, |S|-1)) times the sampler's adjustment weight, with ∅ and N at weight 1e8
 * taken to its limit (spx_baseline_lex_wls: fitted exactly). The ∅ coefficient gets v(∅) added.
 * For k = 1 the result is the Shapley value; for a k-additive game it is its SII; with a budget
 * of 2^n it is the weighted least-squares solution over every coalition.
 *
 * Output: Moebius transform, a(T) = the kADD-SHAP value for 0 <= |T| <= k (a(∅) = the fitted
 * constant plus v(∅), shapiq's value of ()). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "baselines.h"

typedef struct {
  const spx_baseline_ilist *l;
  const spx_maskset *masks;
  const double *gamma; /* gamma[t * (k + 1) + i] */
  unsigned k;
} kadd_rows;

static void kadd_row(void *ctx, size_t r, double *x) {
  const kadd_rows *c = ctx;
  const uint64_t *S = spx_maskset_row(c->masks, r);
  for (size_t j = 0; j < c->l->p; j++) {
    unsigned t = c->l->deg[j];
    unsigned i = spx_baseline_intersect(S, spx_baseline_ilist_at(c->l, j), t, NULL);
    x[j] = c->gamma[t * (c->k + 1) + i];
  }
}

static int kadd_finish(void *state, spx_transform **out, spx_error *err) {
  spx_baseline_reg_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t n = s->base.n, N = s->co.masks->count, words = s->co.masks->words;
  unsigned K = s->order;
  spx_baseline_ilist l;
  int rc = spx_baseline_ilist_init(&l, n, 0, K, err);
  if (rc) return rc;
  double v0 = s->base.values[0];
  double *y = malloc((N ? N : 1) * sizeof *y), *w = malloc((N ? N : 1) * sizeof *w);
  double *beta = calloc(l.p, sizeof *beta);
  double *gamma = malloc((size_t)(K + 1) * (K + 1) * sizeof *gamma);
  unsigned char *hard = malloc(N ? N : 1);
  double bern[66];
  if (!y || !w || !beta || !gamma || !hard || K > 64) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu interactions", l.p);
    goto done;
  }
  spx_baseline_bernoulli(K, bern);
  for (unsigned t = 0; t <= K; t++)
    for (unsigned i = 0; i <= K; i++) {
      double g = 0.0;
      if (i <= t)
        for (unsigned j = 0; j <= i; j++) g += spx_baseline_choose(i, j) * bern[t - j];
      gamma[t * (K + 1) + i] = g;
    }
  for (size_t r = 0; r < N; r++) {
    size_t sz = spx_mask_popcount(spx_maskset_row(s->co.masks, r), words);
    y[r] = s->base.values[r] - v0;
    hard[r] = sz == 0 || sz == n;
    w[r] = hard[r] ? exp(s->co.ln_adjust[r])
                   : exp(-log((double)(n - 1)) -
                         gsl_sf_lnchoose((unsigned)(n - 2), (unsigned)(sz - 1)) +
                         s->co.ln_adjust[r]);
  }
  kadd_rows ctx = {.l = &l, .masks = s->co.masks, .gamma = gamma, .k = K};
  rc = spx_baseline_lex_wls(N, l.p, kadd_row, &ctx, y, w, hard, beta, err);
  if (rc) goto done;
  beta[0] += v0; /* column 0 is ∅ */
  for (size_t j = 0; j < l.p; j++)
    if (!isfinite(beta[j])) {
      rc = spx_error_set(err, SPX_ERANGE, "kadd_shap: non-finite estimate (interaction %zu)", j);
      goto done;
    }
  rc = spx_baseline_transform(&l.d, beta, 0, 0.0, out, err);
done:
  free(y);
  free(w);
  free(beta);
  free(gamma);
  free(hard);
  spx_baseline_ilist_free(&l);
  return rc;
}

static int kadd_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  return spx_baseline_reg_configure(n, opts, 0, cfg, err);
}

/* The Shapley interaction index (SII) of the k-additive fit, of its order. */
static void kadd_estimates(const void *cfg, spx_index *index, unsigned *order) {
  *index = SPX_INDEX_SII;
  *order = ((const spx_baseline_cfg *)cfg)->order;
}

static int kadd_applicable(size_t n, size_t budget, const void *cfg, char *why,
                           size_t whylen) {
  if (n == 1) {
    snprintf(why, whylen, "n = 1: the Shapley kernel needs n >= 2");
    return 0;
  }
  return spx_baseline_reg_applicable(n, budget, cfg, 0, why, whylen);
}

const spx_method_type spx_method_kadd_shap = {
    .name = "kadd_shap",
    .summary = "kADD-SHAP: Shapley values and interactions of a k-additive kernel regression",
    .options = spx_baseline_kadd_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = kadd_configure,
    .estimates = kadd_estimates,
    .applicable = kadd_applicable,
    .begin = spx_baseline_reg_begin,
    .step = spx_baseline_step,
    .finish = kadd_finish,
    .destroy = spx_baseline_reg_destroy};
