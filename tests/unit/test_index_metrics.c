/* test_index_metrics.c: the index-accuracy metrics (src/core/index_metrics.h) against values
 * computed by hand, and the log-spaced budgets. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "core/index_metrics.h"
#include "core/transform.h"
#include "testing.h"

static void put(spx_transform *t, const uint32_t *idx, uint32_t d, double v) {
  spx_transform_set(t, idx, d, v, NULL);
}

/* truth: {0} 1, {1} -2, {0,1} 0.5, {0,1,2} 9 (order 3: ignored at order 2), ∅ 5 (ignored)
 * est:   {0} 1.5, {1} -1, {2} 0.5, {0,1} -3, {0,1,2} 3 (ignored), ∅ 100 (ignored)
 * n = 4, order 2: count = C(4,1) + C(4,2) = 10
 * sse = 0.5^2 + 1^2 + 0.5^2 ({2}, truth 0) + 3.5^2 = 13.75, truth_ss = 1 + 4 + 0.25 = 5.25
 * ranking truth: {1}, {0}, {0,1}; est: {0,1}, {0}, {1}, {2}
 * precision@5: 3 common of 5 = 0.6; @10: 0.3; @2: {1},{0} vs {0,1},{0}: 0.5; @1: 0
 * tau@10 over truth's 3: ({1},{0}) concordant, ({1},{0,1}) x -2 < 0.5 but y -1 > -3
 * discordant, ({0},{0,1}) concordant: (2 - 1) / 3. */
static void test_hand(void) {
  spx_transform *truth = spx_transform_create(4, SPX_BASIS_INDEX);
  spx_transform *est = spx_transform_create(4, SPX_BASIS_MOEBIUS);
  uint32_t a[] = {0}, b[] = {1}, c[] = {2}, ab[] = {0, 1}, abc[] = {0, 1, 2};
  put(truth, a, 1, 1.0);
  put(truth, b, 1, -2.0);
  put(truth, ab, 2, 0.5);
  put(truth, abc, 3, 9.0);
  put(truth, NULL, 0, 5.0);
  put(est, a, 1, 1.5);
  put(est, b, 1, -1.0);
  put(est, c, 1, 0.5);
  put(est, ab, 2, -3.0);
  put(est, abc, 3, 3.0);
  put(est, NULL, 0, 100.0);
  spx_index_scores s;
  spx_error err;
  int rc = spx_index_accuracy(est, truth, 2, &s, &err);
  spx_test(rc == SPX_OK, "index accuracy ran");
  spx_test_abs(s.count, 10.0, 0.0, "count = C(4,1) + C(4,2)");
  spx_test_abs(s.sse, 13.75, 1e-12, "sse by hand");
  spx_test_abs(s.mse, 1.375, 1e-12, "mse = sse / 10");
  spx_test_abs(s.rel_mse, 13.75 / 5.25, 1e-12, "relative mse = sse / truth_ss (∅ excluded)");
  spx_test_abs(s.precision5, 0.6, 1e-12, "precision@5");
  spx_test_abs(s.precision10, 0.3, 1e-12, "precision@10");
  spx_test_abs(s.tau10, 1.0 / 3.0, 1e-12, "Kendall tau@10");
  double p;
  spx_index_precision_at(est, truth, 2, 2, &p, NULL);
  spx_test_abs(p, 0.5, 1e-12, "precision@2");
  spx_index_precision_at(est, truth, 2, 1, &p, NULL);
  spx_test_abs(p, 0.0, 1e-12, "precision@1");
  /* order 3: the {0,1,2} entries count: sse += 6^2, truth_ss += 81, count += C(4,3) */
  spx_index_accuracy(est, truth, 3, &s, NULL);
  spx_test_abs(s.sse, 13.75 + 36.0, 1e-12, "order 3: sse by hand");
  spx_test_abs(s.rel_mse, 49.75 / 86.25, 1e-12, "order 3: relative mse");
  spx_test_abs(s.mse, 49.75 / 14.0, 1e-12, "order 3: mse over 14 interactions");
  /* the estimate equal to the truth */
  spx_index_accuracy(truth, truth, 2, &s, NULL);
  spx_test(s.sse == 0.0 && s.rel_mse == 0.0 && s.precision5 == 0.6 && s.tau10 == 1.0,
           "truth vs itself: 0 error, precision@5 = 3/5 (3 nonzero), tau 1");
  /* a zero truth */
  spx_transform *zero = spx_transform_create(4, SPX_BASIS_INDEX);
  spx_index_accuracy(est, zero, 2, &s, NULL);
  spx_test(isinf(s.rel_mse) && isnan(s.tau10) && s.precision5 == 0.0,
           "zero truth: relative mse inf, tau NaN, precision 0");
  spx_index_accuracy(zero, zero, 2, &s, NULL);
  spx_test(s.rel_mse == 0.0 && s.mse == 0.0, "zero vs zero: relative mse 0");
  spx_transform *other = spx_transform_create(5, SPX_BASIS_INDEX);
  spx_test(spx_index_accuracy(est, other, 2, &s, &err) == SPX_EINVAL,
           "different n is an error (%s)", err.msg);
  spx_transform_destroy(&other);
  spx_transform_destroy(&zero);
  spx_transform_destroy(&truth);
  spx_transform_destroy(&est);
}

static void test_budgets(void) {
  size_t b[32];
  size_t m = spx_log_budgets(1, 100, 3, b);
  spx_test(m == 3 && b[0] == 1 && b[1] == 10 && b[2] == 100, "log budgets 1..100 x3: 1 10 100");
  m = spx_log_budgets(16, 32768, 20, b);
  int inc = 1;
  for (size_t i = 1; i < m; i++) inc &= b[i] > b[i - 1];
  spx_test(m == 20 && b[0] == 16 && b[19] == 32768 && inc,
           "log budgets 16..32768 x20: strictly increasing, ends included");
  /* 2^(15/19 * i) * 16 at i = 1: 16 * 2^(11/19) = 23.95 -> 24 */
  spx_test_int((long long)b[1], 24, "log budgets: second point rounded");
  m = spx_log_budgets(9, 12, 10, b);
  spx_test(m == 4 && b[0] == 9 && b[3] == 12, "log budgets merge rounded duplicates (%zu)", m);
}

int main(void) {
  test_hand();
  test_budgets();
  return spx_test_summary();
}
