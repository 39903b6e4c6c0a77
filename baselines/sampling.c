/* sampling.c: the mask samplers of the baselines: independent uniform masks (LIME, Banzhaf,
 * Faith-Banzhaf; reference-code.md §4.1-4.2) and shapiq's CoalitionSampler with size
 * weights, the border trick, optional pairing and importance-adjustment weights (§4.3;
 * KernelSHAP, Faith-Shap, KernelSHAP-IQ, SHAP-IQ, SVARM-IQ, kADD-SHAP).
 * All randomness comes from the rng passed in. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "baselines.h"
#include "core/rng.h"

int spx_baseline_exhaustive(size_t n, size_t budget) {
  return n < 8 * sizeof(size_t) - 1 && ((size_t)1 << n) <= budget;
}

int spx_baseline_uniform_masks(size_t n, size_t budget, gsl_rng *rng, spx_maskset **out,
                         spx_error *err) {
  int all = spx_baseline_exhaustive(n, budget);
  size_t count = all ? (size_t)1 << n : budget;
  spx_maskset *s = spx_maskset_create(n, count);
  SPX_CHECK_ALLOC(s, err);
  for (size_t i = 0; i < count; i++) {
    uint64_t *row = spx_maskset_row(s, i);
    if (all)
      row[0] = (uint64_t)i; /* n < 64 here */
    else
      spx_mask_random(row, n, rng);
  }
  *out = s;
  return SPX_OK;
}

/* ---- the coalition sampler ---------------------------------------------------------------- */

typedef struct {
  spx_maskset *masks;
  double *count; /* draws per row (sampled rows) */
  spx_mask_index index; /* rows of masks */
} sampler;

/* Append mask m unless present; *row = its row. */
static int add_mask(sampler *sm, const uint64_t *m, size_t *row, int *is_new, spx_error *err) {
  size_t found = spx_mask_index_find(&sm->index, sm->masks->bits, sm->masks->words, m);
  if (found != SIZE_MAX) {
    *row = found;
    *is_new = 0;
    return SPX_OK;
  }
  int rc = spx_maskset_append(sm->masks, m, err);
  if (rc == SPX_OK)
    rc = spx_mask_index_add(&sm->index, sm->masks->bits, sm->masks->words, sm->masks->count - 1,
                            err);
  if (rc) return rc;
  *row = sm->masks->count - 1;
  *is_new = 1;
  return SPX_OK;
}

/* Append every coalition of size s (combinations in lexicographic order). */
static int enumerate_size(sampler *sm, size_t n, size_t s, uint64_t *m, size_t *c,
                          spx_error *err) {
  for (size_t j = 0; j < s; j++) c[j] = j;
  for (;;) {
    memset(m, 0, sm->masks->words * sizeof *m);
    for (size_t j = 0; j < s; j++) spx_mask_set(m, c[j]);
    size_t row;
    int is_new;
    int rc = add_mask(sm, m, &row, &is_new, err);
    if (rc) return rc;
    /* next combination: rightmost position that can still move */
    size_t j = s;
    while (j > 0 && c[j - 1] == n - s + j - 1) j--;
    if (j == 0) return SPX_OK;
    c[j - 1]++;
    for (size_t k = j; k < s; k++) c[k] = c[k - 1] + 1;
  }
}

/* A uniform random s-subset of {0..n-1} into m (Floyd's algorithm, s draws). */
static void random_subset(gsl_rng *rng, size_t n, size_t s, uint64_t *m, size_t words) {
  memset(m, 0, words * sizeof *m);
  for (size_t j = n - s; j < n; j++) {
    size_t t = (size_t)gsl_rng_uniform_int(rng, (unsigned long)j + 1);
    if (spx_mask_test(m, t))
      spx_mask_set(m, j);
    else
      spx_mask_set(m, t);
  }
}

int spx_baseline_coalitions_sample(size_t n, size_t budget, const double *size_weight, int pairing,
                              gsl_rng *rng, spx_baseline_coalitions *out, spx_error *err) {
  memset(out, 0, sizeof *out);
  if (n == 0) return spx_error_set(err, SPX_EINVAL, "coalition sampler: n must be >= 1");
  if (budget < 2)
    return spx_error_set(err, SPX_EINVAL, "coalition sampler: budget %zu is below 2", budget);
  if (spx_baseline_exhaustive(n, budget)) budget = (size_t)1 << n; /* clip to all coalitions */

  int rc = SPX_OK;
  size_t words = spx_mask_words(n);
  sampler sm = {0};
  double *p = calloc(n + 1, sizeof *p);       /* size probabilities of the sampled sizes */
  int *todo = calloc(n + 1, sizeof *todo);    /* 1 = size still sampled */
  size_t *comb = malloc((n + 1) * sizeof *comb);
  uint64_t *m = calloc(words, sizeof *m);
  double *ln_adjust = NULL, *count = NULL;
  gsl_ran_discrete_t *dist = NULL;
  sm.masks = spx_maskset_create(n, 0);
  if (!p || !todo || !comb || !m || !sm.masks) {
    rc = spx_error_set(err, SPX_ENOMEM, "coalition sampler: out of memory (budget %zu)",
                       budget);
    goto done;
  }

  /* Sizes 0 and n are always enumerated. */
  size_t left = budget;
  if ((rc = enumerate_size(&sm, n, 0, m, comb, err))) goto done;
  if ((rc = enumerate_size(&sm, n, n, m, comb, err))) goto done;
  left -= 2;
  for (size_t s = 1; s < n; s++) todo[s] = size_weight[s] > 0.0;

  /* Border trick: enumerate every size whose expected number of draws reaches its number of
   * coalitions (all such sizes in one pass), renormalise, and repeat until none qualifies.
   * When the remaining budget covers every remaining coalition, all are enumerated. */
  for (;;) {
    double total = 0.0, avail = 0.0;
    for (size_t s = 1; s < n; s++)
      if (todo[s]) {
        total += size_weight[s];
        avail += spx_baseline_choose(n, s);
      }
    if (total <= 0.0 || left == 0) break;
    int all = (double)left >= avail, any = 0;
    size_t left_now = left; /* every size in this pass is tested with the same p */
    for (size_t s = 1; s < n; s++) {
      if (!todo[s]) continue;
      double cs = spx_baseline_choose(n, s);
      if (all || (double)left_now * (size_weight[s] / total) >= cs) {
        if ((rc = enumerate_size(&sm, n, s, m, comb, err))) goto done;
        left -= (size_t)cs;
        todo[s] = 0;
        any = 1;
      }
    }
    if (!any) break;
  }
  size_t enumerated = sm.masks->count;

  /* Sample the remaining budget: size ~ p, then a uniform coalition of that size; with
   * pairing, the complement is counted too (and added when new) while budget is left and
   * its size is a sampled size (shapiq's execute_pairing_trick). */
  double total = 0.0;
  for (size_t s = 1; s < n; s++)
    if (todo[s]) total += size_weight[s];
  double draws = 0.0;
  if (left > 0 && total > 0.0) {
    for (size_t s = 0; s <= n; s++) p[s] = todo[s] ? size_weight[s] / total : 0.0;
    dist = gsl_ran_discrete_preproc(n + 1, p);
    sm.count = calloc(budget, sizeof *sm.count);
    if (!dist || !sm.count) {
      rc = spx_error_set(err, SPX_ENOMEM, "coalition sampler: out of memory");
      goto done;
    }
    while (left > 0) {
      size_t s = gsl_ran_discrete(rng, dist);
      random_subset(rng, n, s, m, words);
      size_t row;
      int is_new;
      if ((rc = add_mask(&sm, m, &row, &is_new, err))) goto done;
      sm.count[row] += 1.0;
      draws += 1.0;
      if (is_new) left--;
      if (pairing && left > 0 && todo[n - s]) {
        for (size_t w = 0; w < words; w++) m[w] = ~m[w];
        spx_mask_trim(m, n);
        if ((rc = add_mask(&sm, m, &row, &is_new, err))) goto done;
        sm.count[row] += 1.0;
        draws += 1.0;
        if (is_new) left--;
      }
    }
  }

  size_t rows = sm.masks->count;
  ln_adjust = calloc(rows ? rows : 1, sizeof *ln_adjust);
  count = malloc((rows ? rows : 1) * sizeof *count);
  if (!ln_adjust || !count) {
    rc = spx_error_set(err, SPX_ENOMEM, "coalition sampler: out of memory");
    goto done;
  }
  for (size_t i = 0; i < enumerated; i++) count[i] = 1.0;
  for (size_t i = enumerated; i < rows; i++) {
    size_t s = spx_mask_popcount(spx_maskset_row(sm.masks, i), words);
    count[i] = sm.count[i];
    ln_adjust[i] = log(sm.count[i]) - log(p[s]) - log(draws) +
                   gsl_sf_lnchoose((unsigned)n, (unsigned)s);
  }
  out->n = n;
  out->masks = sm.masks;
  sm.masks = NULL;
  out->enumerated = enumerated;
  out->count = count;
  count = NULL;
  out->ln_adjust = ln_adjust;
  ln_adjust = NULL;
  out->p = p;
  p = NULL;
  out->draws = draws;

done:
  gsl_ran_discrete_free(dist);
  spx_maskset_destroy(&sm.masks);
  spx_mask_index_free(&sm.index);
  free(sm.count);
  free(p);
  free(todo);
  free(comb);
  free(m);
  free(ln_adjust);
  free(count);
  return rc;
}

void spx_baseline_coalitions_free(spx_baseline_coalitions *c) {
  spx_maskset_destroy(&c->masks);
  free(c->count);
  free(c->ln_adjust);
  free(c->p);
  memset(c, 0, sizeof *c);
}

int spx_baseline_sample_coalitions(size_t n, size_t budget, const double *size_weight, gsl_rng *rng,
                             spx_maskset **masks_out, double **ln_adjust_out, spx_error *err) {
  *masks_out = NULL;
  *ln_adjust_out = NULL;
  spx_baseline_coalitions c;
  int rc = spx_baseline_coalitions_sample(n, budget, size_weight, 0, rng, &c, err);
  if (rc) return rc;
  *masks_out = c.masks;
  *ln_adjust_out = c.ln_adjust;
  c.masks = NULL;
  c.ln_adjust = NULL;
  spx_baseline_coalitions_free(&c);
  return SPX_OK;
}

void spx_baseline_default_size_weights(size_t n, unsigned k, double *w) {
  for (size_t s = 0; s <= n; s++)
    w[s] = (s < k || s + k > n) ? 1e8 : 1.0 / ((double)s * (double)(n - s));
}

int spx_baseline_coalitions_sample_default(size_t n, size_t budget, unsigned k, int pairing,
                                           gsl_rng *rng, spx_baseline_coalitions *out,
                                           spx_error *err) {
  double *w = calloc(n + 1, sizeof *w);
  if (w == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  spx_baseline_default_size_weights(n, k, w);
  int rc = spx_baseline_coalitions_sample(n, budget, w, pairing, rng, out, err);
  free(w);
  return rc;
}
