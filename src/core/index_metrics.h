/* index_metrics.h: accuracy of an estimated interaction index against the exact one, as in
 * the ProxySHAP paper's benchmark (shapiq_benchmark metrics; docs/benchmarks-estimators.md):
 * MSE, relative MSE, Precision@k and Kendall tau@k over the interactions of orders 1..order.
 *
 * Both transforms hold index values (any basis tag; values are compared as stored). Only
 * interactions T with 1 <= |T| <= order count (the empty set never does); a missing entry is 0.
 *   count   = sum_{s=1}^{order} C(n, s)   (every interaction of those orders)
 *   sse     = sum_T (est(T) - truth(T))^2
 *   mse     = sse / count
 *   rel_mse = sse / sum_T truth(T)^2      (0 when both sums are 0, +inf when only the truth's is)
 *   precision_at(k) = |top_k(est) ∩ top_k(truth)| / k, top_k = the first k nonzero entries
 *             ranked by |value| descending (ties: degree, then indices; spx_transform_sorted)
 *   tau_at(k) = Kendall tau-b (spx_kendall_tau_b) between truth and est over top_k(truth)
 *             (NaN when it has fewer than 2 entries or either side is constant). This is
 *             Kendall tau of the values, not shapiq_benchmark's tau of two argsort vectors. */
#ifndef SPX_INDEX_METRICS_H
#define SPX_INDEX_METRICS_H

#include <stddef.h>

#include "error.h"
#include "transform.h"

typedef struct spx_index_scores {
  double count;    /* interactions of orders 1..order */
  double sse, truth_ss;
  double mse, rel_mse;
  double precision5, precision10;
  double tau10;
} spx_index_scores;

int spx_index_accuracy(const spx_transform *est, const spx_transform *truth, unsigned order,
                       spx_index_scores *out, spx_error *err);

/* Precision@k and Kendall tau@k alone (the definitions above). */
int spx_index_precision_at(const spx_transform *est, const spx_transform *truth,
                           unsigned order, size_t k, double *precision, spx_error *err);
int spx_index_tau_at(const spx_transform *est, const spx_transform *truth, unsigned order,
                     size_t k, double *tau, spx_error *err);

/* count budgets log-spaced from lo to hi (rounded, strictly increasing, lo and hi included;
 * fewer when rounding merges points). Returns how many were written to out (room for count). */
size_t spx_log_budgets(size_t lo, size_t hi, size_t count, size_t *out);

#endif
