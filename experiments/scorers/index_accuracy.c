/* index_accuracy.c: the index-accuracy scorer (issue #16 item 3; the ProxySHAP paper's
 * protocol, ../shared/research/papers.md §5): wherever the truth is known, each method's SII
 * and BII of orders 1, 2, 3 are scored against the exact index with MSE, relative MSE (the
 * empty set excluded), Precision@5, Precision@10 and Kendall tau@10 (core/index_metrics.h).
 * On with `[scoring] index_accuracy = true`.
 *
 * Truth, once per instance and rank (cached; computed at the instance's setup, again only on
 * a group that runs a cell of an instance it did not set up): the oracle's own (synthetic,
 * soum, ...), else the Moebius transform of all 2^n values (n <= scoring.exact_max_n,
 * evaluated through the group; a recorded oracle with the full table answers from it).
 *
 * Datasets: index_<metric>_<index><order>, float64 [I, B, R], metric in mse, rel_mse,
 * precision5, precision10, tau10; index in sii, bii; order 1..3 (30 columns). A surrogate
 * (exact, spex, proxyspex, lime: a Fourier or Moebius transform) is converted to every index;
 * an estimator of one index (shap_iq, proxyshap, kernelshap = SV, ...) fills only the columns
 * of its own index and order; the others stay NaN. */
#include "index_accuracy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/index_metrics.h"
#include "scorer.h"

enum { NIDX = 2, NORD = 3, NMET = 5, NCOLS = NIDX * NORD * NMET };
static const spx_index idx_of[NIDX] = {SPX_INDEX_SII, SPX_INDEX_BII};
static const char *const met_units[NMET] = {"index^2", "1", "1", "1", "1"};
static const char *const met_desc[NMET] = {
    "mean squared error of the index over every interaction of orders 1..k (the empty set "
    "excluded) against the exact index",
    "squared error over the exact index's sum of squares (orders 1..k, the empty set excluded)",
    "fraction of the exact top 5 interactions (by |value|) among the estimate's top 5",
    "fraction of the exact top 10 interactions (by |value|) among the estimate's top 10",
    "Kendall tau-b of the estimate against the exact index over the exact top 10"};

static const char *const col_name[NCOLS] = {
    "index_mse_sii1", "index_rel_mse_sii1", "index_precision5_sii1",
    "index_precision10_sii1", "index_tau10_sii1", "index_mse_sii2",
    "index_rel_mse_sii2", "index_precision5_sii2", "index_precision10_sii2",
    "index_tau10_sii2", "index_mse_sii3", "index_rel_mse_sii3",
    "index_precision5_sii3", "index_precision10_sii3", "index_tau10_sii3",
    "index_mse_bii1", "index_rel_mse_bii1", "index_precision5_bii1",
    "index_precision10_bii1", "index_tau10_bii1", "index_mse_bii2",
    "index_rel_mse_bii2", "index_precision5_bii2", "index_precision10_bii2",
    "index_tau10_bii2", "index_mse_bii3", "index_rel_mse_bii3",
    "index_precision5_bii3", "index_precision10_bii3", "index_tau10_bii3",
};

static int enabled(const spx_config *cfg) { return cfg->index_accuracy; }

/* Column (index x, order k = o + 1, metric m). */
static size_t col(size_t x, size_t o, size_t m) { return (x * NORD + o) * NMET + m; }

static size_t columns(const spx_config *cfg, spx_score_dataset *out, size_t cap) {
  (void)cfg;
  for (size_t x = 0; out && x < NIDX; x++)
    for (size_t o = 0; o < NORD; o++)
      for (size_t m = 0; m < NMET; m++) {
        size_t c = col(x, o, m); /* col_name[c] = index_<met_name[m]>_<idx_name[x]><o+1> */
        if (c < cap) out[c] = (spx_score_dataset){col_name[c], met_units[m], met_desc[m], 0};
      }
  return NCOLS;
}

/* ---- truth ------------------------------------------------------------------------------------ */

int spx_index_truth_moebius(spx_oracle *o, spx_eval_fn eval, void *eval_ctx, size_t max_n,
                            spx_transform **out, spx_error *err) {
  *out = NULL;
  const spx_transform *t = spx_oracle_truth(o);
  if (t && spx_transform_basis(t) == SPX_BASIS_MOEBIUS) {
    *out = spx_transform_clone(t);
    return *out ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (t && spx_transform_basis(t) == SPX_BASIS_FOURIER) return spx_fourier_to_moebius(t, out, err);
  size_t n = o->n;
  if (n > max_n || n > 30)
    return spx_error_set(err, SPX_ERANGE,
                         "the exact index needs the truth: oracle %s has none, and n = %zu is "
                         "above %zu for evaluating all 2^n masks (scoring.exact_max_n)",
                         o->type->name, n, max_n);
  size_t N = (size_t)1 << n;
  spx_maskset *all = spx_maskset_create(n, N);
  double *v = malloc(N * sizeof *v);
  int rc = SPX_OK;
  if (!all || !v) rc = spx_error_set(err, SPX_ENOMEM, "out of memory for 2^%zu values", n);
  if (rc == SPX_OK) {
    for (size_t S = 0; S < N; S++) spx_maskset_row(all, S)[0] = S;
    rc = eval(eval_ctx, all, v, err);
  }
  if (rc == SPX_OK) { /* fast Moebius transform: v[S] = sum_{T subset S} (-1)^{|S\T|} f(T) */
    for (size_t i = 0; i < n; i++)
      for (size_t S = 0; S < N; S++)
        if (S >> i & 1) v[S] -= v[S ^ ((size_t)1 << i)];
    *out = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
    if (*out == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    uint32_t idx[32];
    for (size_t S = 0; S < N && rc == SPX_OK; S++) {
      if (v[S] == 0.0) continue;
      uint32_t d = 0;
      for (uint32_t i = 0; i < n; i++)
        if (S >> i & 1) idx[d++] = i;
      rc = spx_transform_set(*out, idx, d, v[S], err);
    }
    if (rc) spx_transform_destroy(out);
  }
  free(v);
  spx_maskset_destroy(&all);
  return rc;
}

/* ---- which index a method estimates ----------------------------------------------------------- */

int spx_index_scorable(const spx_method_config *method, spx_index want, unsigned order,
                       int *convert, char *why, size_t whylen) {
  *convert = 0;
  spx_index got;
  unsigned o;
  if (!spx_method_config_estimates(method, &got, &o)) {
    *convert = 1; /* a transform of the function: converted to the index */
    return 1;
  }
  spx_index given = got;
  /* SV and BV are the order-1 SII and BII */
  spx_index w = want;
  if (order == 1 && (w == SPX_INDEX_SII || w == SPX_INDEX_KSII)) w = SPX_INDEX_SV;
  if (order == 1 && w == SPX_INDEX_BII) w = SPX_INDEX_BV;
  if (order == 1 && (got == SPX_INDEX_SII || got == SPX_INDEX_KSII)) got = SPX_INDEX_SV;
  if (order == 1 && got == SPX_INDEX_BII) got = SPX_INDEX_BV;
  if (got != w || o != order) {
    snprintf(why, whylen, "it estimates %s of order %u, not %s of order %u",
             spx_index_name(given), o, spx_index_name(want), order);
    return 0;
  }
  return 1;
}

/* ---- the scorer ------------------------------------------------------------------------------- */

typedef struct {
  spx_transform *truth[NIDX][NORD];
} cache;

static void cache_free(void *p) {
  cache *c = p;
  for (size_t x = 0; x < NIDX; x++)
    for (size_t o = 0; o < NORD; o++) spx_transform_destroy(&c->truth[x][o]);
  free(c);
}

/* The instance's exact indices (cached in *ctx->cache). */
static int truth(const spx_score_ctx *ctx, cache **out, spx_error *err) {
  if (ctx->cache && *ctx->cache) {
    *out = *ctx->cache;
    return SPX_OK;
  }
  spx_transform *moeb = NULL;
  int rc = spx_index_truth_moebius(ctx->oracle, ctx->eval, ctx->eval_ctx, ctx->cfg->exact_max_n,
                                   &moeb, err);
  if (rc) return rc;
  cache *c = calloc(1, sizeof *c);
  if (c == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t x = 0; rc == SPX_OK && x < NIDX; x++)
    for (size_t o = 0; rc == SPX_OK && o < NORD; o++)
      rc = spx_moebius_to_index(moeb, idx_of[x], (unsigned)(o + 1), &c->truth[x][o], err);
  spx_transform_destroy(&moeb);
  if (rc) {
    if (c) cache_free(c);
    return rc;
  }
  if (ctx->cache) *ctx->cache = c;
  *out = c;
  return SPX_OK;
}

static int setup(const spx_score_ctx *ctx, spx_array_list *out, spx_error *err) {
  (void)out;
  cache *c;
  int rc = truth(ctx, &c, err);
  if (rc == SPX_OK && ctx->cache == NULL) cache_free(c);
  return rc;
}

static int score(const spx_score_ctx *ctx, const spx_transform *tr, double *slots,
                 spx_array_list *arrays, spx_error *err) {
  (void)arrays;
  cache *c;
  int rc = truth(ctx, &c, err);
  for (size_t x = 0; rc == SPX_OK && x < NIDX; x++)
    for (size_t o = 0; rc == SPX_OK && o < NORD; o++) {
      unsigned k = (unsigned)(o + 1);
      int convert = 0;
      char why[160];
      if (ctx->method == NULL ||
          !spx_index_scorable(ctx->method, idx_of[x], k, &convert, why, sizeof why))
        continue; /* another index: its columns stay NaN */
      spx_transform *ix = NULL;
      if (convert) rc = spx_transform_to_index(tr, idx_of[x], k, &ix, err);
      spx_index_scores sc;
      if (rc == SPX_OK) rc = spx_index_accuracy(ix ? ix : tr, c->truth[x][o], k, &sc, err);
      spx_transform_destroy(&ix);
      if (rc == SPX_OK) {
        double v[NMET] = {sc.mse, sc.rel_mse, sc.precision5, sc.precision10, sc.tau10};
        for (size_t m = 0; m < NMET; m++) slots[col(x, o, m)] = v[m];
      }
    }
  if (rc == SPX_OK && ctx->cache == NULL) cache_free(c);
  if (rc) spx_error_prefix(err, "index accuracy");
  return rc;
}

static const spx_summary_column summary_cols[] = {
    {"SII-2 rel MSE", "index_rel_mse_sii2", 0, 3},
    {"SII-2 P@10", "index_precision10_sii2", 1, 3},
    {"BII-2 rel MSE", "index_rel_mse_bii2", 0, 3},
    {NULL, NULL, 0, 0}};

const spx_scorer spx_scorer_index_accuracy = {
    .name = "index_accuracy",
    .summary = "SII/BII orders 1-3 against the exact index: MSE, relative MSE, Precision@5/10, "
               "Kendall tau@10 ([scoring] index_accuracy = true)",
    .enabled = enabled,
    .columns = columns,
    .setup = setup,
    .score = score,
    .cache_free = cache_free,
    .summary_columns = summary_cols,
};
