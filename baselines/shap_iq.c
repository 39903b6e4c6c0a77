/* shap_iq.c: SHAP-IQ (Fumagalli et al. 2023; shapiq's `SHAPIQ`, the MSR estimator ProxySHAP
 * uses for its residual) for any cardinal-probabilistic index: SII, k-SII (SII aggregated with
 * Bernoulli numbers), BII, STII, SV, BV. Also the Monte-Carlo core shared with svarm_iq.c.
 *
 * Sampling: spx_baseline_coalitions_sample with shapiq's default size weights for the order
 * (1e8 below order and above n - order, 1 / (s (n - s)) between), ∅ and N always, border trick,
 * `pairing` (default false, as shapiq's class). Estimate for every T with 1 <= |T| <= order
 * (shapiq's MonteCarlo.monte_carlo_routine, standard form of Fumagalli et al. Theorem 1):
 *   phi(T) = sum_S (v(S) - v(∅)) (-1)^{|T| - |S∩T|} w(|S| - |S∩T|, |T|) adj_T(S)
 * with the discrete-derivative weights w of the index (SII/SV: 1 / ((n-t+1) C(n-t, c)); BII/BV:
 * 2^-(n-t); STII: order / (n C(n-1, c)) at the top order, [c = 0] below) and adj_T(S) = the
 * sampler's importance weight count / (p_s draws / C(n, s)) (1 for enumerated coalitions).
 * SVARM-IQ (stratify = 1) replaces adj by count * C(n-t, s-|L|) / (draws in the stratum of
 * (L = S∩T, s = |S|)). Every term is formed in log space. With a budget of 2^n every coalition
 * is enumerated and the result is the exact index.
 *
 * Output: Moebius transform with a(T) = the index value for 1 <= |T| <= order and
 * a(∅) = v(∅) (shapiq's baseline_value), as the other baselines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "baselines.h"

static const char *const mc_names[] = {"sii", "k-sii", "ksii", "bii", "stii", "sv", "bv", NULL};
const spx_option_decl spx_baseline_mc_rows[] = {
    {"index", SPX_DECL_CHOICE, "k-sii", 0, 0, mc_names, "interaction index estimated", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_order_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_pairing_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_baseline_ix mc_ids[] = {SPX_BASELINE_IX_SII,  SPX_BASELINE_IX_KSII, SPX_BASELINE_IX_KSII, SPX_BASELINE_IX_BII,
                                   SPX_BASELINE_IX_STII, SPX_BASELINE_IX_SV,   SPX_BASELINE_IX_BV};

int spx_baseline_mc_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  spx_baseline_cfg *c = cfg;
  spx_baseline_ix index = SPX_BASELINE_IX_SII;
  int rc = spx_baseline_read_sampling(opts, n, mc_ids, &index, &c->order, &c->pairing, err);
  c->index = (int)index;
  return rc;
}

int spx_baseline_mc_applicable(size_t n, size_t budget, const void *cfg, int stratify, char *why,
                               size_t whylen) {
  unsigned order = ((const spx_baseline_cfg *)cfg)->order;
  if (!spx_baseline_coalitions_applicable(n, budget, why, whylen)) return 0;
  double p = spx_baseline_num_columns(n, 1, order);
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  /* work: one pass over the coalitions per interaction (about order operations each) */
  double work = p * (double)rows * (double)order * (stratify ? 2.0 : 1.0);
  if (!(p < 1e8) || work > 1e11) {
    snprintf(why, whylen,
             "%.0f interactions of order <= %u over %zu coalitions is about %.3g operations "
             "(limit 1e11)",
             p, order, rows, work);
    return 0;
  }
  if (stratify && order > 16) {
    snprintf(why, whylen, "order %u: svarm_iq keeps 2^order intersection strata (order <= 16)",
             order);
    return 0;
  }
  return 1;
}

int spx_baseline_mc_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, int stratify,
                          void **state, spx_error *err) {
  *state = NULL;
  const spx_baseline_cfg *c = cfg;
  spx_baseline_mc_state *s = calloc(1, sizeof *s);
  if (s == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  int pairing = c->pairing;
  s->index = (spx_baseline_ix)c->index;
  s->order = c->order;
  int rc = SPX_OK;
  s->stratify = stratify;
  s->base.n = n;
  s->base.budget = budget;
  if (rc == SPX_OK)
    rc = spx_baseline_coalitions_sample_default(n, budget, s->order, pairing, rng, &s->co, err);
  if (rc) {
    spx_baseline_mc_destroy(s);
    return rc;
  }
  s->base.masks = s->co.masks; /* handed out by spx_baseline_step; owned by co */
  *state = s;
  return SPX_OK;
}

/* log of the discrete-derivative weight w(c, t) (c = |S \ T|); -inf for a zero weight. */
static double log_weight(spx_baseline_ix index, size_t n, unsigned order, unsigned t, size_t c) {
  switch (index) {
  case SPX_BASELINE_IX_SII:
  case SPX_BASELINE_IX_KSII:
  case SPX_BASELINE_IX_SV:
    return -log((double)(n - t + 1)) - gsl_sf_lnchoose((unsigned)(n - t), (unsigned)c);
  case SPX_BASELINE_IX_BII:
  case SPX_BASELINE_IX_BV:
    return -(double)(n - t) * 0.69314718055994530942;
  case SPX_BASELINE_IX_STII:
    if (t == order)
      return log((double)order) - log((double)n) - gsl_sf_lnchoose((unsigned)(n - 1), (unsigned)c);
    return c == 0 ? 0.0 : -INFINITY;
  }
  return -INFINITY;
}

int spx_baseline_mc_finish(void *state, spx_transform **out, spx_error *err) {
  spx_baseline_mc_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t n = s->base.n, N = s->co.masks->count, words = s->co.masks->words;
  unsigned K = s->order;
  spx_baseline_ilist l;
  int rc = spx_baseline_ilist_init(&l, n, 1, K, err);
  if (rc) return rc;
  double v0 = s->base.values[0]; /* row 0 is ∅ */
  /* logw[t][|S|][i] and its sign, i = |S∩T| */
  size_t wsz = (size_t)(K + 1) * (n + 1) * (K + 1);
  double *logw = malloc(wsz * sizeof *logw), *phi = calloc(l.p ? l.p : 1, sizeof *phi);
  double *yc = malloc((N ? N : 1) * sizeof *yc), *val = NULL;
  unsigned *size = malloc((N ? N : 1) * sizeof *size);
  unsigned npat = s->stratify ? 1u << K : 1u;
  double *strat = s->stratify ? calloc((size_t)npat * (n + 1), sizeof *strat) : NULL;
  unsigned *pat = s->stratify ? malloc((N ? N : 1) * sizeof *pat) : NULL;
  if (!logw || !phi || !yc || !size || (s->stratify && (!strat || !pat))) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu interactions", l.p);
    goto done;
  }
  for (unsigned t = 0; t <= K; t++)
    for (size_t sz = 0; sz <= n; sz++)
      for (unsigned i = 0; i <= K; i++) {
        double *lw = &logw[((size_t)t * (n + 1) + sz) * (K + 1) + i];
        *lw = -INFINITY;
        if (t >= 1 && i <= t && i <= sz && sz - i <= n - t)
          *lw = log_weight(s->index, n, K, t, sz - i);
      }
  for (size_t r = 0; r < N; r++) {
    yc[r] = s->base.values[r] - v0;
    size[r] = (unsigned)spx_mask_popcount(spx_maskset_row(s->co.masks, r), words);
  }
  for (size_t j = 0; j < l.p; j++) {
    const uint32_t *T = spx_baseline_ilist_at(&l, j);
    unsigned t = l.deg[j];
    if (s->stratify) {
      /* draws per stratum (pattern of S∩T, |S|) over the sampled coalitions */
      memset(strat, 0, (size_t)npat * (n + 1) * sizeof *strat);
      for (size_t r = 0; r < N; r++) {
        spx_baseline_intersect(spx_maskset_row(s->co.masks, r), T, t, &pat[r]);
        if (r >= s->co.enumerated) strat[(size_t)pat[r] * (n + 1) + size[r]] += s->co.count[r];
      }
    }
    double acc = 0.0;
    for (size_t r = 0; r < N; r++) {
      if (yc[r] == 0.0) continue;
      unsigned i;
      if (s->stratify)
        i = (unsigned)__builtin_popcount(pat[r]);
      else
        i = spx_baseline_intersect(spx_maskset_row(s->co.masks, r), T, t, NULL);
      double lw = logw[((size_t)t * (n + 1) + size[r]) * (K + 1) + i];
      if (lw == -INFINITY) continue;
      double la;
      if (!s->stratify)
        la = s->co.ln_adjust[r];
      else if (r < s->co.enumerated)
        la = 0.0;
      else
        la = log(s->co.count[r]) +
             gsl_sf_lnchoose((unsigned)(n - t), (unsigned)(size[r] - i)) -
             log(strat[(size_t)pat[r] * (n + 1) + size[r]]);
      double term = yc[r] * exp(lw + la);
      acc += ((t - i) & 1) ? -term : term;
    }
    phi[j] = acc;
  }
  if (s->index == SPX_BASELINE_IX_KSII) {
    val = malloc((l.p ? l.p : 1) * sizeof *val);
    if (val == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      goto done;
    }
    rc = spx_baseline_ksii_from_sii(&l, phi, val, err);
    if (rc) goto done;
  }
  for (size_t j = 0; j < l.p; j++)
    if (!isfinite(val ? val[j] : phi[j])) {
      rc = spx_error_set(err, SPX_ERANGE, "shap_iq/svarm_iq: non-finite estimate for interaction %zu", j);
      goto done;
    }
  rc = spx_baseline_ilist_transform(&l, val ? val : phi, v0, out, err);
done:
  free(logw);
  free(phi);
  free(val);
  free(yc);
  free(size);
  free(strat);
  free(pat);
  spx_baseline_ilist_free(&l);
  return rc;
}

void spx_baseline_mc_destroy(void *state) {
  spx_baseline_mc_state *s = state;
  if (s == NULL) return;
  s->base.masks = NULL; /* owned by co */
  spx_baseline_state_free(&s->base);
  spx_baseline_coalitions_free(&s->co);
  free(s);
}

static int siq_applicable(size_t n, size_t budget, const void *cfg, char *why, size_t whylen) {
  return spx_baseline_mc_applicable(n, budget, cfg, 0, why, whylen);
}

static int siq_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                     spx_error *err) {
  return spx_baseline_mc_begin(n, budget, cfg, rng, 0, state, err);
}

const spx_method_type spx_method_shap_iq = {
    .name = "shap_iq",
    .summary = "SHAP-IQ / MSR: Monte-Carlo estimate of SII, k-SII, BII, STII, SV or BV on "
               "shapiq's sampled coalitions",
    .options = spx_baseline_mc_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = spx_baseline_mc_configure,
    .estimates = spx_baseline_estimates,
    .applicable = siq_applicable,
    .begin = siq_begin,
    .step = spx_baseline_step,
    .finish = spx_baseline_mc_finish,
    .destroy = spx_baseline_mc_destroy};
