/* test_tree_index.c: the exact interventional readout of interaction indices from tree
 * ensembles (model/tree_index.h).
 *
 * 1. Random trees on n = 6 (repeated features on a path, thresholds that send 0 and 1 the same
 *    way, depth 1..5) against every index computed by brute force from its DEFINITION over the
 *    2^n masks of the tree model (no Moebius transform involved): SII and BII by discrete
 *    derivatives with their weights, SV/BV, STII, k-SII by the Bernoulli aggregation of the
 *    brute-force SII, FSII by the Shapley-kernel least squares with v(∅) and v(N) as
 *    constraints, FBII by the unweighted least squares; every order 1..4 (SV/BV order 1),
 *    every interaction including the empty set's baseline. Tolerance 1e-10 (values O(1)).
 * 2. Against tree_fourier + spx_transform_to_index on wider random trees (n = 12, depth up to
 *    7, orders 1..7) and on XGBoost models (n = 40, depth 6, 100 trees; n = 300, depth 4):
 *    same support, values within 1e-9 relative to the largest.
 * 3. Hand case: a single leaf rule against the SII / BII closed forms of papers.md §5.2. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>

#include "core/convert.h"
#include "core/mask.h"
#include "core/rng.h"
#include "core/transform.h"
#include "model/tree_fourier.h"
#include "model/tree_index.h"
#include "model/xgb.h"
#include "testing.h"

/* ---- brute force from the definitions ---------------------------------------------------- */

static double fact(unsigned k) {
  double f = 1;
  for (unsigned i = 2; i <= k; i++) f *= i;
  return f;
}
static double binom(unsigned n, unsigned k) {
  return k > n ? 0 : fact(n) / (fact(k) * fact(n - k));
}
static unsigned pc(size_t x) { return (unsigned)__builtin_popcountll(x); }

/* Δ_K v(T) for T ∩ K = ∅. */
static double delta(const double *v, size_t K, size_t T) {
  double s = 0;
  for (size_t L = K;; L = (L - 1) & K) {
    s += ((pc(K) - pc(L)) & 1u) ? -v[T | L] : v[T | L];
    if (L == 0) break;
  }
  return s;
}

/* SII (shapley = 1) or BII over every K with 1 <= |K|, out[K]. */
static void brute_sii_bii(const double *v, unsigned n, int shapley, double *out) {
  size_t len = (size_t)1 << n, all = len - 1;
  for (size_t K = 1; K < len; K++) {
    unsigned k = pc(K);
    double s = 0;
    size_t rest = all & ~K;
    for (size_t T = rest;; T = (T - 1) & rest) {
      unsigned t = pc(T);
      double w = shapley ? fact(t) * fact(n - t - k) / fact(n - k + 1) : ldexp(1.0, -(int)(n - k));
      s += w * delta(v, K, T);
      if (T == 0) break;
    }
    out[K] = s;
  }
}

static void brute_stii(const double *v, unsigned n, unsigned order, double *out) {
  size_t len = (size_t)1 << n, all = len - 1;
  for (size_t K = 1; K < len; K++) {
    unsigned k = pc(K);
    if (k > order) continue;
    if (k < order) {
      out[K] = delta(v, K, 0);
      continue;
    }
    double s = 0;
    size_t rest = all & ~K;
    for (size_t T = rest;; T = (T - 1) & rest) {
      s += delta(v, K, T) / binom(n - 1, pc(T));
      if (T == 0) break;
    }
    out[K] = s * order / n;
  }
}

static void brute_ksii(const double *sii, unsigned n, unsigned order, double *out) {
  double B[16] = {1, -0.5, 1.0 / 6, 0, -1.0 / 30, 0, 1.0 / 42, 0, -1.0 / 30};
  size_t len = (size_t)1 << n;
  for (size_t K = 1; K < len; K++) {
    if (pc(K) > order) continue;
    double s = 0;
    for (size_t S = 1; S < len; S++)
      if ((S & K) == K && pc(S) <= order) s += B[pc(S) - pc(K)] * sii[S];
    out[K] = s;
  }
}

/* Faithful least squares over the 2^n masks: beta over every T with |T| <= order minimises
 * sum_S mu(S) (v(S) - sum_{T ⊆ S} beta(T))^2. shapley: FSII (mu = Shapley kernel, v(∅) and
 * v(N) as equality constraints through the KKT system); else FBII (mu = 1). */
static void brute_faith(const double *v, unsigned n, unsigned order, int shapley, double *out) {
  size_t len = (size_t)1 << n, all = len - 1, p = 0;
  size_t *col = malloc(len * sizeof *col);
  for (size_t T = 0; T < len; T++)
    if (pc(T) <= order) col[p++] = T;
  size_t ncons = shapley ? 2 : 0, dim = p + ncons;
  gsl_matrix *A = gsl_matrix_calloc(dim, dim);
  gsl_vector *b = gsl_vector_calloc(dim), *x = gsl_vector_alloc(dim);
  for (size_t S = 0; S < len; S++) {
    double mu = 1.0;
    if (shapley) {
      if (S == 0 || S == all) continue;
      unsigned s = pc(S);
      mu = (double)(n - 1) / (binom(n, s) * s * (n - s));
    }
    for (size_t i = 0; i < p; i++) {
      if ((col[i] & S) != col[i]) continue;
      *gsl_vector_ptr(b, i) += mu * v[S];
      for (size_t j = 0; j < p; j++)
        if ((col[j] & S) == col[j]) *gsl_matrix_ptr(A, i, j) += mu;
    }
  }
  if (shapley) { /* beta(∅) = v(∅); sum_T beta(T) = v(N) */
    gsl_matrix_set(A, p, 0, 1);
    gsl_matrix_set(A, 0, p, 1);
    gsl_vector_set(b, p, v[0]);
    for (size_t j = 0; j < p; j++) {
      gsl_matrix_set(A, p + 1, j, 1);
      gsl_matrix_set(A, j, p + 1, 1);
    }
    gsl_vector_set(b, p + 1, v[all]);
  }
  gsl_permutation *perm = gsl_permutation_alloc(dim);
  int sgn;
  gsl_linalg_LU_decomp(A, perm, &sgn);
  gsl_linalg_LU_solve(A, perm, b, x);
  for (size_t i = 0; i < p; i++) out[col[i]] = gsl_vector_get(x, i);
  gsl_permutation_free(perm);
  gsl_matrix_free(A);
  gsl_vector_free(b);
  gsl_vector_free(x);
  free(col);
}

/* The index by brute force: out[K] for |K| <= order (order forced to 1 for SV/BV), out[0] the
 * empty set's baseline (convert.h). */
static void brute_index(const double *v, unsigned n, spx_index index, unsigned order,
                        double *out) {
  size_t len = (size_t)1 << n;
  double *sii = calloc(len, sizeof *sii);
  for (size_t K = 0; K < len; K++) out[K] = 0;
  double mean = 0;
  for (size_t S = 0; S < len; S++) mean += v[S];
  mean /= (double)len;
  switch (index) {
  case SPX_INDEX_SII:
  case SPX_INDEX_SV:
  case SPX_INDEX_BII:
  case SPX_INDEX_BV:
    brute_sii_bii(v, n, index == SPX_INDEX_SII || index == SPX_INDEX_SV, out);
    out[0] = index == SPX_INDEX_BII ? mean : v[0];
    break;
  case SPX_INDEX_STII:
    brute_stii(v, n, order, out);
    out[0] = v[0];
    break;
  case SPX_INDEX_KSII:
    brute_sii_bii(v, n, 1, sii);
    brute_ksii(sii, n, order, out);
    out[0] = v[0];
    break;
  case SPX_INDEX_FSII:
  case SPX_INDEX_FBII: brute_faith(v, n, order, index == SPX_INDEX_FSII, out); break;
  default: break;
  }
  unsigned ord = (index == SPX_INDEX_SV || index == SPX_INDEX_BV) ? 1 : order;
  for (size_t K = 0; K < len; K++)
    if (pc(K) > ord) out[K] = 0;
  free(sii);
}

/* ---- ensembles ----------------------------------------------------------------------------- */

static int32_t build_random(spx_tree_ensemble *e, size_t base, int32_t *next, unsigned depth,
                            unsigned n, gsl_rng *r) {
  int32_t me = (*next)++;
  size_t k = base + (size_t)me;
  if (depth == 0) {
    e->left[k] = e->right[k] = -1;
    e->leaf[k] = gsl_rng_uniform(r) * 4 - 2;
    return me;
  }
  static const double thresholds[] = {0.5, 1.0, 0.25, 0.0, 1.5, -1.0, 0.5, 0.5};
  e->feature[k] = (uint32_t)gsl_rng_uniform_int(r, n); /* repeats on a path happen often */
  e->threshold[k] = thresholds[gsl_rng_uniform_int(r, 8)];
  e->leaf[k] = 0;
  int32_t l = build_random(e, base, next, depth - 1, n, r);
  int32_t rr = build_random(e, base, next, depth - 1, n, r);
  e->left[k] = l;
  e->right[k] = rr;
  return me;
}

static spx_tree_ensemble *random_ensemble(unsigned n, unsigned depth, size_t ntrees,
                                          gsl_rng *r) {
  size_t per = ((size_t)2 << depth) - 1;
  spx_tree_ensemble *e = spx_tree_ensemble_create(n, ntrees, ntrees * per);
  for (size_t t = 0; t < ntrees; t++) {
    e->tree_start[t] = t * per;
    int32_t next = 0;
    build_random(e, t * per, &next, depth, n, r);
  }
  e->tree_start[ntrees] = ntrees * per;
  e->base_score = 0.375;
  return e;
}

static const spx_index all_indices[] = {SPX_INDEX_SII,  SPX_INDEX_BII,  SPX_INDEX_SV,
                                        SPX_INDEX_BV,   SPX_INDEX_FSII, SPX_INDEX_FBII,
                                        SPX_INDEX_STII, SPX_INDEX_KSII};
#define N_INDICES (sizeof all_indices / sizeof all_indices[0])

/* Max |readout - brute| over every subset (absent entries count as 0). */
static double brute_error(const spx_tree_ensemble *e, unsigned n, spx_index index,
                          unsigned order, double *scale) {
  size_t len = (size_t)1 << n;
  double *v = malloc(len * sizeof *v), *want = malloc(len * sizeof *want);
  for (size_t x = 0; x < len; x++) {
    uint64_t m = x;
    v[x] = spx_tree_ensemble_predict(e, &m);
  }
  brute_index(v, n, index, order, want);
  spx_transform *t = NULL;
  spx_error err;
  double worst = INFINITY;
  *scale = 0;
  if (spx_tree_ensemble_index(e, index, order, &t, &err) != SPX_OK) {
    printf("readout failed: %s\n", err.msg);
  } else {
    worst = 0;
    for (size_t s = 0; s < len; s++) {
      uint32_t idx[32], d = 0;
      for (unsigned i = 0; i < n; i++)
        if (s >> i & 1u) idx[d++] = i;
      double got = spx_transform_get(t, idx, d, NULL);
      if (fabs(got - want[s]) > worst) worst = fabs(got - want[s]);
      if (fabs(want[s]) > *scale) *scale = fabs(want[s]);
    }
    if (spx_transform_basis(t) != SPX_BASIS_INDEX) worst = INFINITY;
  }
  spx_transform_destroy(&t);
  free(v);
  free(want);
  return worst;
}

static void test_brute_force(void) {
  gsl_rng *r = spx_rng_stream(77, 2, 0, 0, 0);
  const unsigned n = 6;
  for (unsigned depth = 1; depth <= 5; depth++) {
    spx_tree_ensemble *e = random_ensemble(n, depth, 4, r);
    for (size_t i = 0; i < N_INDICES; i++) {
      spx_index ix = all_indices[i];
      unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : 4;
      for (unsigned order = 1; order <= omax; order++) {
        double scale;
        double worst = brute_error(e, n, ix, order, &scale);
        spx_test(worst <= 1e-10 && scale > 0.01,
                 "depth %u %s order %u: readout = brute-force definition (err %.3g, "
                 "largest %.3g)",
                 depth, spx_index_name(ix), order, worst, scale);
      }
    }
    spx_tree_ensemble_destroy(&e);
  }
  gsl_rng_free(r);
}

/* Readout vs tree_fourier + conversion: max difference relative to the largest value, and
 * whether both store the same interactions (above 1e-12 of the largest). */
static double fourier_route_error(const spx_tree_ensemble *e, spx_index index, unsigned order,
                                  int *same_support) {
  spx_transform *F = NULL, *want = NULL, *got = NULL;
  spx_error err;
  double rel = INFINITY;
  *same_support = 0;
  if (spx_tree_ensemble_fourier(e, &F, &err) || spx_transform_to_index(F, index, order, &want, &err) ||
      spx_tree_ensemble_index(e, index, order, &got, &err)) {
    printf("failed: %s\n", err.msg);
  } else {
    double big = 0, worst = 0;
    for (size_t k = 0; k < spx_transform_size(want); k++) {
      double v;
      spx_transform_entry(want, k, NULL, NULL, &v);
      if (fabs(v) > big) big = fabs(v);
    }
    int support = 1;
    for (int pass = 0; pass < 2; pass++) {
      const spx_transform *a = pass ? got : want, *b = pass ? want : got;
      for (size_t k = 0; k < spx_transform_size(a); k++) {
        const uint32_t *idx;
        uint32_t d;
        double v;
        spx_transform_entry(a, k, &idx, &d, &v);
        double other = spx_transform_get(b, idx, d, NULL);
        if (fabs(v - other) > worst) worst = fabs(v - other);
        if (fabs(v) > 1e-12 * big && other == 0.0) support = 0;
      }
    }
    rel = big > 0 ? worst / big : worst;
    *same_support = support;
  }
  spx_transform_destroy(&F);
  spx_transform_destroy(&want);
  spx_transform_destroy(&got);
  return rel;
}

static void test_fourier_route(void) {
  gsl_rng *r = spx_rng_stream(77, 3, 0, 0, 0);
  for (unsigned depth = 2; depth <= 7; depth++) {
    spx_tree_ensemble *e = random_ensemble(12, depth, 6, r);
    for (size_t i = 0; i < N_INDICES; i++) {
      spx_index ix = all_indices[i];
      unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : depth;
      for (unsigned order = 1; order <= omax; order++) {
        int same;
        double rel = fourier_route_error(e, ix, order, &same);
        spx_test(rel <= 1e-9 && same,
                 "n 12 depth %u %s order %u: readout = tree_fourier + conversion (rel err "
                 "%.3g, same support %d)",
                 depth, spx_index_name(ix), order, rel, same);
      }
    }
    spx_tree_ensemble_destroy(&e);
  }
  gsl_rng_free(r);
}

/* XGBoost proxies of a hierarchical target, as ProxySHAP fits them. */
static void test_xgboost(size_t n, int depth, size_t trees, unsigned maxorder, gsl_rng *r) {
  size_t N = 1500;
  spx_maskset *m = spx_maskset_create(n, N);
  double *y = malloc(N * sizeof *y);
  for (size_t i = 0; i < N; i++) {
    uint64_t *row = spx_maskset_row(m, i);
    spx_mask_random(row, n, r);
    double x[6];
    for (int j = 0; j < 6; j++) x[j] = spx_mask_test(row, (size_t)(j * 5) % n);
    y[i] = x[0] + 2 * x[0] * x[1] - x[2] * x[3] * x[4] + 0.5 * x[5] + 0.1 * gsl_rng_uniform(r);
  }
  spx_error err;
  spx_xgb_data *d = spx_xgb_data_create(m, y, NULL, N, NULL, 0, 1, &err);
  spx_xgb_params p = {.max_depth = depth, .eta = 0.3, .threads = 1, .seed = 1};
  spx_xgb *b = d ? spx_xgb_create(d, &p, &err) : NULL;
  spx_tree_ensemble *e = NULL;
  int ok = b && spx_xgb_boost(b, trees, &err) == SPX_OK &&
           spx_xgb_export(b, (uint32_t)n, NULL, 0, &e, &err) == SPX_OK;
  if (!spx_test(ok, "xgboost n %zu depth %d trained", n, depth)) printf("  %s\n", err.msg);
  for (size_t i = 0; ok && i < N_INDICES; i++) {
    spx_index ix = all_indices[i];
    unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : maxorder;
    for (unsigned order = 1; order <= omax; order++) {
      int same;
      double rel = fourier_route_error(e, ix, order, &same);
      spx_test(rel <= 1e-9 && same,
               "xgboost n %zu depth %d %s order %u: readout = tree_fourier + conversion (rel "
               "err %.3g)",
               n, depth, spx_index_name(ix), order, rel);
    }
  }
  spx_tree_ensemble_destroy(&e);
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&d);
  spx_maskset_destroy(&m);
  free(y);
}

/* One leaf c 1[x0 = 1, x1 = 1] 1[x2 = 0, x3 = 0] (e = 2, r = 2): the closed forms
 * SII(K) = c (-1)^{kR} (e-kE)! (r-kR)! / (e-kE+r-kR+1)!, BII(K) = c (-1)^{kR} 2^{-(e+r-|K|)}. */
static void test_closed_forms(void) {
  const int depth = 4;
  size_t nodes = 2 * depth + 1;
  spx_tree_ensemble *e = spx_tree_ensemble_create(6, 1, nodes);
  /* a chain: node 2i splits on feature i; the "wrong" side is leaf 0, the path goes on */
  for (int i = 0; i < depth; i++) {
    size_t k = 2 * (size_t)i;
    e->feature[k] = (uint32_t)i;
    e->threshold[k] = 0.5;
    int keep = i < 2; /* x0, x1 required 1; x2, x3 required 0 */
    int32_t on = (int32_t)(k + 2), off = (int32_t)(k + 1);
    e->left[k] = keep ? off : on;
    e->right[k] = keep ? on : off;
    e->left[k + 1] = e->right[k + 1] = -1;
    e->leaf[k + 1] = 0.0;
  }
  e->left[nodes - 1] = e->right[nodes - 1] = -1;
  e->leaf[nodes - 1] = 3.0;
  e->tree_start[1] = nodes;
  e->base_score = 0;
  spx_error err;
  spx_test(spx_tree_ensemble_validate(e, 0, &err) == SPX_OK, "chain tree valid");
  spx_transform *sii = NULL, *bii = NULL;
  spx_test(spx_tree_ensemble_index(e, SPX_INDEX_SII, 4, &sii, &err) == SPX_OK &&
               spx_tree_ensemble_index(e, SPX_INDEX_BII, 4, &bii, &err) == SPX_OK,
           "chain readout");
  double worst = 0;
  for (unsigned K = 1; K < 16; K++) {
    uint32_t idx[4], d = 0;
    unsigned ke = 0, kr = 0;
    for (unsigned i = 0; i < 4; i++)
      if (K >> i & 1u) {
        idx[d++] = i;
        if (i < 2) ke++; else kr++;
      }
    double sgn = (kr & 1u) ? -1 : 1;
    double ws = 3.0 * sgn * fact(2 - ke) * fact(2 - kr) / fact(2 - ke + 2 - kr + 1);
    double wb = 3.0 * sgn * ldexp(1.0, -(int)(4 - d));
    worst = fmax(worst, fabs(spx_transform_get(sii, idx, d, NULL) - ws));
    worst = fmax(worst, fabs(spx_transform_get(bii, idx, d, NULL) - wb));
  }
  spx_test(worst <= 1e-15, "leaf rule: SII and BII closed forms (err %.3g)", worst);
  uint32_t far[1] = {5};
  spx_test(spx_transform_get(sii, far, 1, NULL) == 0.0, "features off the path get nothing");
  spx_transform *bad = NULL;
  spx_test(spx_tree_ensemble_index(e, SPX_INDEX_FOURIER, 2, &bad, &err) == SPX_EINVAL &&
               bad == NULL,
           "a basis is not an index: %s", err.msg);
  spx_test(spx_tree_ensemble_index(e, SPX_INDEX_SII, 0, &bad, &err) == SPX_EINVAL,
           "order 0 rejected: %s", err.msg);
  spx_transform_destroy(&sii);
  spx_transform_destroy(&bii);
  spx_tree_ensemble_destroy(&e);
}

int main(void) {
  test_closed_forms();
  test_brute_force();
  test_fourier_route();
  gsl_rng *r = spx_rng_stream(77, 4, 0, 0, 0);
  test_xgboost(40, 6, 100, 3, r);
  test_xgboost(300, 4, 200, 4, r);
  gsl_rng_free(r);
  return spx_test_summary();
}
