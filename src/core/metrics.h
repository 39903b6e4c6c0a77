/* metrics.h: predictions of a sparse transform on masks, and the scores of DESIGN §2:
 * faithfulness R², recovery precision/recall of the top-k support, coefficient error and
 * Kendall tau-b. Definitions (ties, empty sets, degenerate cases) are in
 * docs/exact-and-metrics.md and repeated next to each function. */
#ifndef SPX_METRICS_H
#define SPX_METRICS_H

#include <stddef.h>

#include "error.h"
#include "mask.h"
#include "transform.h"

/* out[i] = f(mask i) from a Fourier or Moebius transform (an index basis is an error).
 * Works on blocks of 64 masks: the features the transform uses are transposed into one
 * 64-bit word per feature, then each interaction costs degree word operations per block
 * plus one addition per mask. Per mask, terms are summed in insertion order (the same result
 * as the direct loop). Allocates O(n + total degree + terms) scratch. */
int spx_transform_predict(const spx_transform *t, const spx_maskset *masks, double *out,
                          spx_error *err);

/* R² = 1 - sum (y - yhat)^2 / sum (y - mean y)^2; not clipped. A constant y gives 1 when the
 * prediction is exact and -inf otherwise. */
double spx_r2(const double *y, const double *yhat, size_t count);

/* Recovery of the top-k support.
 *
 * For a transform X let supp(X) = its stored entries with a nonzero value and degree >= 1
 * (the empty interaction never counts), ranked by spx_transform_sorted: |value| descending,
 * then degree ascending, then indices lexicographically (so ties are broken the same way
 * every time). top_j(X) = the first min(j, |supp(X)|) of that ranking.
 *   T = top_k(truth), E = top_k(est), where k = 0 means k = |supp(truth)|
 *   hits = |E ∩ T| (interactions compared as index sets)
 *   precision = hits / |E|,  recall = hits / |T|
 * Degenerate cases: |E| = 0 gives precision 1 when |T| = 0 and 0 otherwise; |T| = 0 gives
 * recall 1. Both transforms must have the same n and basis. */
typedef struct spx_support_score {
  size_t k;       /* the k used (after k = 0 was resolved) */
  size_t n_est;   /* |E| */
  size_t n_truth; /* |T| */
  size_t hits;    /* |E ∩ T| */
  double precision;
  double recall;
} spx_support_score;

int spx_support_recovery(const spx_transform *est, const spx_transform *truth, size_t k,
                         spx_support_score *out, spx_error *err);

/* Coefficient error over the union U of the entries of est and truth with a nonzero value
 * (a missing entry counts as 0), the empty interaction included only if include_empty:
 *   rel_l2  = sqrt( sum_U (est - truth)^2 / sum_U truth^2 )
 *             (0 when both sums are 0; +inf when only the truth sum is 0)
 *   max_abs = max_U |est - truth| (0 when U is empty)
 * Both transforms must have the same n and basis. */
typedef struct spx_coef_error {
  size_t count;    /* |U| */
  double sse;      /* sum_U (est - truth)^2 */
  double truth_ss; /* sum_U truth^2 */
  double rel_l2;
  double max_abs;
} spx_coef_error;

int spx_coefficient_error(const spx_transform *est, const spx_transform *truth,
                          int include_empty, spx_coef_error *out, spx_error *err);

/* Kendall tau-b of two value vectors x, y of length m:
 *   tau_b = (C - D) / sqrt((P - X) (P - Y)),  P = m (m - 1) / 2,
 * C / D = concordant / discordant pairs, X / Y = pairs tied in x / in y (a pair tied in both
 * counts in X and Y and in neither C nor D). NaN when m < 2 or when x or y is constant (the
 * denominator is 0), as in scipy.stats.kendalltau. O(m log m) (Knight's algorithm: sort by
 * (x, y), then count the swaps of a merge sort on y); ties are exact equality. */
int spx_kendall_tau_b(const double *x, const double *y, size_t m, double *tau, spx_error *err);

/* Kendall tau-b between the values of two transforms (same n and basis) over the union of
 * their entries with a nonzero value (missing = 0), the empty interaction included only if
 * include_empty. *count (if not NULL) = the size of that union. */
int spx_transform_kendall_tau(const spx_transform *a, const spx_transform *b,
                              int include_empty, double *tau, size_t *count, spx_error *err);

#endif
