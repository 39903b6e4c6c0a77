/* permutation.c: permutation sampling (shapiq's PermutationSamplingSV / SII / STII), chosen by
 * `index` = "sv" | "sii" | "k-sii" | "stii" (default "sii"), `order` (default 2; 1 for sv).
 *
 * All masks are planned in one round from uniformly random permutations (gsl_ran_shuffle):
 * - sv (ApproShapley): v(∅), v(N), then per permutation the n - 1 proper prefixes; phi_i = the
 *   mean marginal contribution of i (every permutation counts once for every player).
 * - sii / k-sii: v(∅), then per permutation, for every size t = 1..order and every window
 *   T = pi[k .. k+t) of consecutive players, v(pi[0..k) ∪ L) for every L ⊆ T; SII(T) = the
 *   mean of the discrete derivative sum_L (-1)^{t-|L|} v(prefix ∪ L) over the permutations in
 *   which T was a window (0 when it never was); k-SII aggregates with Bernoulli numbers.
 *   A permutation costs sum_{t=1}^{order} (n - t + 1) 2^t evaluations.
 * - stii: first every coalition of size < order (the lower orders are their Moebius
 *   coefficients, exactly), v(∅), then per permutation, for every T of size order, the
 *   discrete derivative at the players that precede T's first player; STII(T) = its mean over
 *   the permutations (C(n, order) 2^order evaluations each).
 * The number of permutations is the largest the budget pays for (as shapiq's iteration count);
 * masks repeat across permutations and each repeat is an evaluation, as in shapiq. These are
 * unbiased sampling estimators, never exact.
 *
 * Output: Moebius transform, a(T) = the index for 1 <= |T| <= order, a(∅) = v(∅). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "baselines.h"

static const char *const perm_names[] = {"sii", "k-sii", "ksii", "stii", "sv", NULL};
static const spx_option_decl perm_rows[] = {
    {"index", SPX_DECL_CHOICE, "sii", 0, 0, perm_names, "interaction index estimated", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_order_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_baseline_ix perm_ids[] = {SPX_BASELINE_IX_SII, SPX_BASELINE_IX_KSII, SPX_BASELINE_IX_KSII,
                                     SPX_BASELINE_IX_STII, SPX_BASELINE_IX_SV};

typedef struct {
  spx_baseline_state base;
  spx_baseline_ix index;
  unsigned order;
  size_t nperm, head; /* permutations; masks before the first permutation's */
  uint32_t *perm;     /* nperm x n */
} perm_state;

/* index and order into an spx_baseline_cfg. */
static int perm_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  spx_baseline_cfg *c = cfg;
  spx_baseline_ix index = SPX_BASELINE_IX_SII;
  int rc = spx_baseline_read_index(opts, n, perm_ids, &index, &c->order, err);
  c->index = (int)index;
  return rc;
}

/* Evaluations before the first permutation and per permutation (doubles: may not fit). */
static void perm_costs(size_t n, spx_baseline_ix index, unsigned order, double *head, double *per) {
  if (index == SPX_BASELINE_IX_SV) {
    *head = 2.0;
    *per = (double)n - 1.0;
  } else if (index == SPX_BASELINE_IX_STII) {
    *head = spx_baseline_num_columns(n, 0, order - 1) + 1.0;
    *per = spx_baseline_choose(n, order) * ldexp(1.0, (int)order);
  } else {
    *head = 1.0;
    *per = 0.0;
    for (unsigned t = 1; t <= order; t++) *per += (double)(n - t + 1) * ldexp(1.0, (int)t);
  }
}

static int perm_applicable(size_t n, size_t budget, const void *cfg, char *why,
                           size_t whylen) {
  const spx_baseline_cfg *c = cfg;
  spx_baseline_ix index = (spx_baseline_ix)c->index;
  unsigned order = c->order;
  if (n < 2) {
    snprintf(why, whylen, "n = %zu: permutation sampling needs n >= 2", n);
    return 0;
  }
  double head, per;
  perm_costs(n, index, order, &head, &per);
  if ((double)budget < head + per) {
    snprintf(why, whylen,
             "budget %zu is below the %.0f evaluations of one permutation (order %u, %.0f "
             "before the first)",
             budget, head + per, order, head);
    return 0;
  }
  double p = spx_baseline_num_columns(n, 1, order);
  if (p * (double)order > 1e9) {
    snprintf(why, whylen, "%.0f interactions of order <= %u are too many to store", p, order);
    return 0;
  }
  return 1;
}

static void perm_destroy(void *state) {
  perm_state *s = state;
  if (s == NULL) return;
  spx_baseline_state_free(&s->base);
  free(s->perm);
  free(s);
}

/* Append the mask of perm[0..k) ∪ {the players of T at the bits of L} to set. */
static int append_prefix(spx_maskset *set, uint64_t *m, size_t words, const uint32_t *perm,
                         size_t k, const uint32_t *T, unsigned t, unsigned L, spx_error *err) {
  memset(m, 0, words * sizeof *m);
  for (size_t i = 0; i < k; i++) spx_mask_set(m, perm[i]);
  for (unsigned j = 0; j < t; j++)
    if (L >> j & 1) spx_mask_set(m, T[j]);
  return spx_maskset_append(set, m, err);
}

static int perm_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                      spx_error *err) {
  *state = NULL;
  const spx_baseline_cfg *c = cfg;
  perm_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->base.n = n;
  s->base.budget = budget;
  s->index = (spx_baseline_ix)c->index;
  s->order = c->order;
  int rc = SPX_OK;
  if (n < 2) rc = spx_error_set(err, SPX_EINVAL, "permutation: n must be >= 2");
  double head = 0, per = 1;
  if (rc == SPX_OK) {
    perm_costs(n, s->index, s->order, &head, &per);
    if ((double)budget < head + per)
      rc = spx_error_set(err, SPX_EINVAL, "permutation: budget %zu is below one permutation",
                         budget);
  }
  size_t words = spx_mask_words(n);
  uint64_t *m = calloc(words, sizeof *m);
  spx_baseline_ilist l = {0};
  if (rc == SPX_OK && m == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    s->nperm = (size_t)floor(((double)budget - head) / per);
    s->head = (size_t)head;
    s->perm = malloc(s->nperm * n * sizeof *s->perm);
    s->base.masks = spx_maskset_create(n, 0);
    if (!s->perm || !s->base.masks) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (rc == SPX_OK && s->index == SPX_BASELINE_IX_STII) rc = spx_baseline_ilist_init(&l, n, s->order, s->order, err);
  /* the head: ∅ (and N for sv; every coalition of size < order before ∅ for stii) */
  if (rc == SPX_OK && s->index == SPX_BASELINE_IX_STII) {
    spx_baseline_ilist low;
    rc = spx_baseline_ilist_init(&low, n, 0, s->order - 1, err);
    for (size_t j = 0; j < low.p && rc == SPX_OK; j++)
      rc = append_prefix(s->base.masks, m, words, NULL, 0, spx_baseline_ilist_at(&low, j), low.deg[j],
                         (1u << low.deg[j]) - 1, err);
    spx_baseline_ilist_free(&low);
  }
  if (rc == SPX_OK) rc = append_prefix(s->base.masks, m, words, NULL, 0, NULL, 0, 0, err);
  if (rc == SPX_OK && s->index == SPX_BASELINE_IX_SV) {
    spx_mask_fill(m, n, 1);
    rc = spx_maskset_append(s->base.masks, m, err);
  }
  for (size_t q = 0; q < s->nperm && rc == SPX_OK; q++) {
    uint32_t *pi = s->perm + q * n;
    for (size_t i = 0; i < n; i++) pi[i] = (uint32_t)i;
    gsl_ran_shuffle(rng, pi, n, sizeof *pi);
    if (s->index == SPX_BASELINE_IX_SV) {
      for (size_t k = 1; k < n && rc == SPX_OK; k++)
        rc = append_prefix(s->base.masks, m, words, pi, k, NULL, 0, 0, err);
    } else if (s->index == SPX_BASELINE_IX_STII) {
      uint32_t *pos = malloc(n * sizeof *pos);
      if (pos == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
        break;
      }
      for (size_t i = 0; i < n; i++) pos[pi[i]] = (uint32_t)i;
      for (size_t j = 0; j < l.p && rc == SPX_OK; j++) {
        const uint32_t *T = spx_baseline_ilist_at(&l, j);
        size_t k = n;
        for (unsigned a = 0; a < s->order; a++)
          if (pos[T[a]] < k) k = pos[T[a]];
        for (unsigned L = 0; L < (1u << s->order) && rc == SPX_OK; L++)
          rc = append_prefix(s->base.masks, m, words, pi, k, T, s->order, L, err);
      }
      free(pos);
    } else {
      for (unsigned t = 1; t <= s->order; t++)
        for (size_t k = 0; k + t <= n && rc == SPX_OK; k++)
          for (unsigned L = 0; L < (1u << t) && rc == SPX_OK; L++)
            rc = append_prefix(s->base.masks, m, words, pi, k, pi + k, t, L, err);
    }
  }
  free(m);
  spx_baseline_ilist_free(&l);
  if (rc) {
    perm_destroy(s);
    return rc;
  }
  *state = s;
  return SPX_OK;
}

static int perm_finish(void *state, spx_transform **out, spx_error *err) {
  perm_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t n = s->base.n;
  unsigned K = s->order;
  spx_baseline_ilist l;
  int rc = spx_baseline_ilist_init(&l, n, 1, K, err);
  if (rc) return rc;
  double *sum = calloc(l.p, sizeof *sum), *cnt = calloc(l.p, sizeof *cnt), *val = NULL;
  uint32_t sorted[64];
  const double *v = s->base.values;
  double v0;
  if (!sum || !cnt) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    goto done;
  }
  size_t row = 0;
  if (s->index == SPX_BASELINE_IX_SV) {
    v0 = v[0];
    double vn = v[1];
    row = 2;
    for (size_t q = 0; q < s->nperm; q++) {
      const uint32_t *pi = s->perm + q * n;
      double prev = v0;
      for (size_t k = 0; k < n; k++) {
        double cur = k + 1 < n ? v[row + k] : vn;
        sum[pi[k]] += cur - prev; /* order 1: column of {i} is i */
        cnt[pi[k]] += 1.0;
        prev = cur;
      }
      row += n - 1;
    }
  } else if (s->index == SPX_BASELINE_IX_STII) {
    /* lower orders: Moebius coefficients from the head (columns 0..; size order, colex) */
    spx_baseline_ilist low;
    rc = spx_baseline_ilist_init(&low, n, 0, K - 1, err);
    if (rc) goto done;
    for (size_t j = 0; j < low.p; j++) {
      unsigned t = low.deg[j];
      if (t == 0) continue;
      const uint32_t *T = spx_baseline_ilist_at(&low, j);
      double a = 0.0;
      for (unsigned L = 0; L < (1u << t); L++) {
        unsigned c = 0;
        for (unsigned b = 0; b < t; b++)
          if (L >> b & 1) sorted[c++] = T[b];
        double vl = v[spx_baseline_ilist_col(&low, sorted, c)]; /* head row = low's column */
        a += ((t - c) & 1) ? -vl : vl;
      }
      size_t col = spx_baseline_ilist_col(&l, T, t);
      sum[col] = a;
      cnt[col] = 1.0;
    }
    row = low.p;
    spx_baseline_ilist_free(&low);
    v0 = v[row];
    row++;
    size_t first = l.d.offset[K];
    for (size_t q = 0; q < s->nperm; q++)
      for (size_t j = first; j < l.p; j++) {
        double d = 0.0;
        for (unsigned L = 0; L < (1u << K); L++) {
          unsigned c = (unsigned)__builtin_popcount(L);
          d += ((K - c) & 1) ? -v[row] : v[row];
          row++;
        }
        sum[j] += d;
        cnt[j] += 1.0;
      }
  } else {
    v0 = v[0];
    row = 1;
    for (size_t q = 0; q < s->nperm; q++) {
      const uint32_t *pi = s->perm + q * n;
      for (unsigned t = 1; t <= K; t++)
        for (size_t k = 0; k + t <= n; k++) {
          memcpy(sorted, pi + k, t * sizeof *sorted);
          for (unsigned a = 1; a < t; a++) /* insertion sort of the window */
            for (unsigned b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
              uint32_t tmp = sorted[b];
              sorted[b] = sorted[b - 1];
              sorted[b - 1] = tmp;
            }
          double d = 0.0;
          for (unsigned L = 0; L < (1u << t); L++) {
            unsigned c = (unsigned)__builtin_popcount(L);
            d += ((t - c) & 1) ? -v[row] : v[row];
            row++;
          }
          size_t col = spx_baseline_ilist_col(&l, sorted, t);
          sum[col] += d;
          cnt[col] += 1.0;
        }
    }
  }
  if (row != s->base.masks->count) {
    rc = spx_error_set(err, SPX_EINTERNAL, "permutation: used %zu of %zu values", row,
                       s->base.masks->count);
    goto done;
  }
  for (size_t j = 0; j < l.p; j++) sum[j] = cnt[j] > 0.0 ? sum[j] / cnt[j] : 0.0;
  if (s->index == SPX_BASELINE_IX_KSII) {
    val = malloc(l.p * sizeof *val);
    if (val == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      goto done;
    }
    rc = spx_baseline_ksii_from_sii(&l, sum, val, err);
    if (rc) goto done;
  }
  rc = spx_baseline_ilist_transform(&l, val ? val : sum, v0, out, err);
done:
  free(sum);
  free(cnt);
  free(val);
  spx_baseline_ilist_free(&l);
  return rc;
}

const spx_method_type spx_method_permutation = {
    .name = "permutation",
    .summary = "permutation sampling of SII, k-SII, STII or SV (shapiq's PermutationSampling*)",
    .options = perm_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = perm_configure,
    .estimates = spx_baseline_estimates,
    .applicable = perm_applicable,
    .begin = perm_begin,
    .step = spx_baseline_step,
    .finish = perm_finish,
    .destroy = perm_destroy};
