/* interactions.c: helpers of the interaction estimators (kernelshap_iq, shap_iq, svarm_iq,
 * permutation, kadd_shap): the list of interactions up to an order, intersections with a
 * coalition, Bernoulli numbers, the k-SII aggregation of SII values, the output transform and
 * the `index` / `order` options (see baselines.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"

int spx_baseline_ilist_init(spx_baseline_ilist *l, size_t n, unsigned lo, unsigned order, spx_error *err) {
  memset(l, 0, sizeof *l);
  int rc = spx_baseline_design_init(&l->d, n, lo, order, err);
  if (rc) return rc;
  l->p = l->d.p;
  unsigned k = l->d.order ? l->d.order : 1;
  l->idx = malloc((l->p ? l->p : 1) * k * sizeof *l->idx);
  l->deg = malloc((l->p ? l->p : 1) * sizeof *l->deg);
  if (!l->idx || !l->deg) {
    spx_baseline_ilist_free(l);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for %zu interactions", l->d.p);
  }
  for (size_t j = 0; j < l->p; j++) spx_baseline_design_subset(&l->d, j, l->idx + j * k, &l->deg[j]);
  return SPX_OK;
}

void spx_baseline_ilist_free(spx_baseline_ilist *l) {
  spx_baseline_design_free(&l->d);
  free(l->idx);
  free(l->deg);
  memset(l, 0, sizeof *l);
}

size_t spx_baseline_ilist_col(const spx_baseline_ilist *l, const uint32_t *idx, unsigned deg) {
  size_t rank = 0;
  const spx_baseline_design *d = &l->d;
  for (unsigned j = 0; j < deg; j++) rank += d->binom[idx[j] * (d->order + 1) + j + 1];
  return d->offset[deg] + rank;
}

unsigned spx_baseline_intersect(const uint64_t *S, const uint32_t *T, unsigned deg, unsigned *pattern) {
  unsigned c = 0, pat = 0;
  for (unsigned j = 0; j < deg; j++)
    if (spx_mask_test(S, T[j])) {
      c++;
      pat |= 1u << j;
    }
  if (pattern) *pattern = pat;
  return c;
}

void spx_baseline_bernoulli(unsigned m, double *b) {
  /* B_j = -1/(j+1) sum_{i<j} C(j+1, i) B_i */
  for (unsigned j = 0; j <= m; j++) {
    if (j == 0) {
      b[0] = 1.0;
      continue;
    }
    double s = 0.0;
    for (unsigned i = 0; i < j; i++) s += spx_baseline_choose(j + 1, i) * b[i];
    b[j] = -s / (double)(j + 1);
    if (j >= 3 && j % 2 == 1) b[j] = 0.0; /* exactly zero (the recurrence leaves rounding) */
  }
}

int spx_baseline_ksii_from_sii(const spx_baseline_ilist *l, const double *sii, double *ksii,
                         spx_error *err) {
  unsigned k = l->d.order;
  double *b = malloc((k + 1) * sizeof *b);
  SPX_CHECK_ALLOC(b, err);
  spx_baseline_bernoulli(k, b);
  memset(ksii, 0, l->p * sizeof *ksii);
  uint32_t sub[64];
  for (size_t j = 0; j < l->p; j++) {
    const uint32_t *S = spx_baseline_ilist_at(l, j);
    unsigned s = l->deg[j];
    /* every non-empty subset K of S (bit mask over S's positions) */
    for (unsigned mask = 1; mask < (1u << s); mask++) {
      unsigned c = 0;
      for (unsigned i = 0; i < s; i++)
        if (mask >> i & 1) sub[c++] = S[i];
      if (c < l->d.lo) continue;
      ksii[spx_baseline_ilist_col(l, sub, c)] += b[s - c] * sii[j];
    }
  }
  free(b);
  return SPX_OK;
}

int spx_baseline_ilist_transform(const spx_baseline_ilist *l, const double *value, double empty,
                           spx_transform **out, spx_error *err) {
  return spx_baseline_transform(&l->d, value, 1, empty, out, err);
}

int spx_baseline_read_index(spx_options *opts, size_t n, const spx_baseline_ix *ids, spx_baseline_ix *index,
                      unsigned *order, spx_error *err) {
  int choice;
  int rc = spx_opt_choice(opts, "index", &choice, err);
  if (rc) return rc;
  *index = ids[choice];
  if (*index == SPX_BASELINE_IX_SV || *index == SPX_BASELINE_IX_BV) {
    if (spx_options_has(opts, "order")) {
      long long v;
      rc = spx_opt_int(opts, "order", &v, err);
      if (rc) return rc;
      if (v != 1)
        return spx_options_fail(opts, "order", SPX_EINVAL, err,
                                "must be 1 for index = \"%s\" (got %lld)",
                                spx_options_decl_of(opts, "index")->choices[choice], v);
    }
    *order = 1;
    return SPX_OK;
  }
  return spx_baseline_read_order(opts, n, order, err);
}

int spx_baseline_read_sampling(spx_options *opts, size_t n, const spx_baseline_ix *ids, spx_baseline_ix *index,
                         unsigned *order, int *pairing, spx_error *err) {
  int rc = ids ? spx_baseline_read_index(opts, n, ids, index, order, err)
               : spx_baseline_read_order(opts, n, order, err);
  return rc ? rc : spx_opt_bool(opts, "pairing", pairing, err);
}

void spx_baseline_estimates(const void *cfg, spx_index *index, unsigned *order) {
  static const spx_index of[] = {[SPX_BASELINE_IX_SII] = SPX_INDEX_SII,
                                 [SPX_BASELINE_IX_KSII] = SPX_INDEX_KSII,
                                 [SPX_BASELINE_IX_BII] = SPX_INDEX_BII,
                                 [SPX_BASELINE_IX_STII] = SPX_INDEX_STII,
                                 [SPX_BASELINE_IX_SV] = SPX_INDEX_SV,
                                 [SPX_BASELINE_IX_BV] = SPX_INDEX_BV};
  const spx_baseline_cfg *c = cfg;
  *index = of[c->index];
  *order = c->order;
}

int spx_baseline_coalitions_applicable(size_t n, size_t budget, char *why, size_t whylen) {
  if (n == 0) {
    snprintf(why, whylen, "n = 0: nothing to explain");
    return 0;
  }
  if (budget < 2) {
    snprintf(why, whylen, "budget %zu is below 2 (the empty and the full coalition)", budget);
    return 0;
  }
  return 1;
}
