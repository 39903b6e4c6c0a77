/* index_metrics.c: MSE, relative MSE, Precision@k and Kendall tau@k of an estimated
 * interaction index against the exact one (definitions in index_metrics.h). */
#include "index_metrics.h"

#include <math.h>
#include <stdlib.h>

#include "metrics.h"

/* The nonzero entries of t with 1 <= degree <= order, as a new transform. */
static int restrict_order(const spx_transform *t, unsigned order, spx_transform **out,
                          spx_error *err) {
  *out = spx_transform_create(spx_transform_n(t), spx_transform_basis(t));
  SPX_CHECK_ALLOC(*out, err);
  for (size_t i = 0; i < spx_transform_size(t); i++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, i, &idx, &d, &v);
    if (d < 1 || d > order || v == 0.0) continue;
    int rc = spx_transform_set(*out, idx, d, v, err);
    if (rc) {
      spx_transform_destroy(out);
      return rc;
    }
  }
  return SPX_OK;
}

/* The first k entries of t (restricted) in ranking order, as a new transform. */
static int top_k(const spx_transform *r, size_t k, spx_transform **out, spx_error *err) {
  size_t m = spx_transform_size(r);
  size_t *ord = malloc((m ? m : 1) * sizeof *ord);
  SPX_CHECK_ALLOC(ord, err);
  int rc = spx_transform_sorted(r, ord, err);
  *out = rc ? NULL : spx_transform_create(spx_transform_n(r), spx_transform_basis(r));
  if (rc == SPX_OK && *out == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t j = 0; j < k && j < m && rc == SPX_OK; j++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(r, ord[j], &idx, &d, &v);
    rc = spx_transform_set(*out, idx, d, v, err);
  }
  free(ord);
  if (rc) spx_transform_destroy(out);
  return rc;
}

static int check_pair(const spx_transform *est, const spx_transform *truth, unsigned order,
                      spx_error *err) {
  if (spx_transform_n(est) != spx_transform_n(truth))
    return spx_error_set(err, SPX_EINVAL, "index accuracy: n = %u estimate vs n = %u truth",
                         spx_transform_n(est), spx_transform_n(truth));
  if (order < 1) return spx_error_set(err, SPX_EINVAL, "index accuracy: order must be >= 1");
  return SPX_OK;
}

int spx_index_precision_at(const spx_transform *est, const spx_transform *truth,
                           unsigned order, size_t k, double *precision, spx_error *err) {
  *precision = NAN;
  int rc = check_pair(est, truth, order, err);
  if (rc) return rc;
  if (k == 0) return spx_error_set(err, SPX_EINVAL, "precision@k: k must be >= 1");
  spx_transform *re = NULL, *rt = NULL, *te = NULL, *tt = NULL;
  rc = restrict_order(est, order, &re, err);
  if (rc == SPX_OK) rc = restrict_order(truth, order, &rt, err);
  if (rc == SPX_OK) rc = top_k(re, k, &te, err);
  if (rc == SPX_OK) rc = top_k(rt, k, &tt, err);
  if (rc == SPX_OK) {
    size_t hits = 0;
    for (size_t i = 0; i < spx_transform_size(te); i++) {
      const uint32_t *idx;
      uint32_t d;
      int found = 0;
      spx_transform_entry(te, i, &idx, &d, NULL);
      spx_transform_get(tt, idx, d, &found);
      hits += found != 0;
    }
    *precision = (double)hits / (double)k;
  }
  spx_transform_destroy(&re);
  spx_transform_destroy(&rt);
  spx_transform_destroy(&te);
  spx_transform_destroy(&tt);
  return rc;
}

int spx_index_tau_at(const spx_transform *est, const spx_transform *truth, unsigned order,
                     size_t k, double *tau, spx_error *err) {
  *tau = NAN;
  int rc = check_pair(est, truth, order, err);
  if (rc) return rc;
  spx_transform *rt = NULL, *tt = NULL;
  rc = restrict_order(truth, order, &rt, err);
  if (rc == SPX_OK) rc = top_k(rt, k, &tt, err);
  size_t m = tt ? spx_transform_size(tt) : 0;
  double *x = malloc((m ? m : 1) * sizeof *x), *y = malloc((m ? m : 1) * sizeof *y);
  if (rc == SPX_OK && (!x || !y)) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    for (size_t i = 0; i < m; i++) {
      const uint32_t *idx;
      uint32_t d;
      spx_transform_entry(tt, i, &idx, &d, &x[i]);
      y[i] = spx_transform_get(est, idx, d, NULL);
    }
    rc = spx_kendall_tau_b(x, y, m, tau, err);
  }
  free(x);
  free(y);
  spx_transform_destroy(&rt);
  spx_transform_destroy(&tt);
  return rc;
}

int spx_index_accuracy(const spx_transform *est, const spx_transform *truth, unsigned order,
                       spx_index_scores *out, spx_error *err) {
  out->count = out->sse = out->truth_ss = 0.0;
  out->mse = out->rel_mse = out->precision5 = out->precision10 = out->tau10 = NAN;
  int rc = check_pair(est, truth, order, err);
  if (rc) return rc;
  uint32_t n = spx_transform_n(truth);
  double count = 0.0;
  for (unsigned s = 1; s <= order && s <= n; s++) {
    double c = 1.0; /* C(n, s) */
    for (unsigned i = 1; i <= s; i++) c = c * (double)(n - s + i) / (double)i;
    count += nearbyint(c);
  }
  spx_transform *re = NULL, *rt = NULL;
  rc = restrict_order(est, order, &re, err);
  if (rc == SPX_OK) rc = restrict_order(truth, order, &rt, err);
  if (rc == SPX_OK) {
    double sse = 0.0, tss = 0.0;
    for (size_t i = 0; i < spx_transform_size(rt); i++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(rt, i, &idx, &d, &v);
      double e = spx_transform_get(re, idx, d, NULL);
      sse += (e - v) * (e - v);
      tss += v * v;
    }
    for (size_t i = 0; i < spx_transform_size(re); i++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      int found = 0;
      spx_transform_entry(re, i, &idx, &d, &v);
      spx_transform_get(rt, idx, d, &found);
      if (!found) sse += v * v;
    }
    out->count = count;
    out->sse = sse;
    out->truth_ss = tss;
    out->mse = count > 0 ? sse / count : NAN;
    out->rel_mse = tss > 0 ? sse / tss : (sse == 0.0 ? 0.0 : INFINITY);
  }
  spx_transform_destroy(&re);
  spx_transform_destroy(&rt);
  if (rc == SPX_OK) rc = spx_index_precision_at(est, truth, order, 5, &out->precision5, err);
  if (rc == SPX_OK) rc = spx_index_precision_at(est, truth, order, 10, &out->precision10, err);
  if (rc == SPX_OK) rc = spx_index_tau_at(est, truth, order, 10, &out->tau10, err);
  return rc;
}

size_t spx_log_budgets(size_t lo, size_t hi, size_t count, size_t *out) {
  if (count == 0 || hi < lo) return 0;
  size_t m = 0;
  for (size_t i = 0; i < count; i++) {
    double f = count == 1 ? 1.0 : (double)i / (double)(count - 1);
    size_t b = (size_t)llround(exp(log((double)lo) + f * (log((double)hi) - log((double)lo))));
    if (b < lo) b = lo;
    if (b > hi) b = hi;
    if (m == 0 || b > out[m - 1]) out[m++] = b;
  }
  if (m && out[m - 1] != hi) out[m - 1] = hi;
  return m;
}
