/* test_proxyspex.c: ProxySPEX pieces and the method end to end.
 *
 * - energy truncation on fixed coefficient lists, both rounding conventions (hand-computed);
 * - GCV / leave-one-out ridge against a brute-force solve: (X'X + lI)^-1 X'y by Cholesky and
 *   the hat matrix H = X (X'X + lI)^-1 X' formed explicitly for every penalty;
 * - the hyper-parameter search: job order does not matter, and scoring the first k trees of a
 *   longer run equals training k trees;
 * - sampling (distinct masks), guards (constant target, constant or small proxy, tiny
 *   budgets, bad options), determinism, and recovery of a small hierarchical function. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>

#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "methods/proxyspex/energy_truncate.h"
#include "methods/method.h"
#include "methods/proxyspex/proxy_search.h"
#include "model/xgb.h"
#include "methods/proxyspex/proxyspex.h"
#include "methods/proxyspex/ridge_gcv.h"
#include "testing.h"

/* A Fourier transform on n = 8 from (degree-1 feature or constant) coefficient values:
 * entry 0 is the constant, entry i >= 1 is feature i - 1. */
static spx_transform *list_transform(const double *v, size_t count) {
  spx_transform *t = spx_transform_create(8, SPX_BASIS_FOURIER);
  for (size_t i = 0; i < count; i++) {
    uint32_t idx = (uint32_t)(i - 1);
    spx_transform_set(t, &idx, i == 0 ? 0 : 1, v[i], NULL);
  }
  return t;
}

static void check_trunc(const double *v, size_t count, double energy, spx_trunc_rule rule,
                        const unsigned char *want, double want_tau, const char *name) {
  spx_transform *t = list_transform(v, count);
  unsigned char keep[16];
  size_t kept = 0, want_kept = 0;
  double tau = -1;
  int rc = spx_energy_truncate(t, energy, rule, keep, &kept, &tau, NULL);
  int same = rc == SPX_OK;
  for (size_t i = 0; i < count; i++) {
    same &= keep[i] == want[i];
    want_kept += want[i];
  }
  spx_test(same && kept == want_kept, "truncation %s (%s): kept set", name,
           rule == SPX_TRUNC_SHAPIQ ? "shapiq" : "spectral_explain");
  spx_test_abs(tau, want_tau, 0, "truncation %s (%s): tau", name,
               rule == SPX_TRUNC_SHAPIQ ? "shapiq" : "spectral_explain");
  spx_transform_destroy(&t);
}

static void test_truncation(void) {
  /* constant 5; non-constant 4, -3, 2, 1, 0.5: E = 30.25, 0.95 E = 28.7375; cumulative
   * squares 16, 25, 29 -> j* = 2 (value 2). spectral_explain: tau = 2, keeps |F| > 2;
   * shapiq: tau = next = 1, keeps |F| > 1. The constant is judged by its value. */
  double a[] = {5, 4, -3, 2, 1, 0.5};
  unsigned char a_se[] = {1, 1, 1, 0, 0, 0}, a_sq[] = {1, 1, 1, 1, 0, 0};
  check_trunc(a, 6, 0.95, SPX_TRUNC_SPECTRAL_EXPLAIN, a_se, 2.0, "basic");
  check_trunc(a, 6, 0.95, SPX_TRUNC_SHAPIQ, a_sq, 1.0, "basic");
  /* a small constant is dropped by the threshold */
  double b[] = {0.5, 4, -3, 2, 1, 0.5};
  unsigned char b_se[] = {0, 1, 1, 0, 0, 0}, b_sq[] = {0, 1, 1, 1, 0, 0};
  check_trunc(b, 6, 0.95, SPX_TRUNC_SPECTRAL_EXPLAIN, b_se, 2.0, "small constant");
  check_trunc(b, 6, 0.95, SPX_TRUNC_SHAPIQ, b_sq, 1.0, "small constant");
  /* ties: 3, -3, 3, 1 (E = 28, 0.95 E = 26.6, cumulative 9, 18, 27 -> j* = 2): the
   * spectral_explain rule keeps nothing (strict >), shapiq keeps the three 3s */
  double c[] = {0, 3, -3, 3, 1};
  unsigned char c_se[] = {0, 0, 0, 0, 0}, c_sq[] = {0, 1, 1, 1, 0};
  check_trunc(c, 5, 0.95, SPX_TRUNC_SPECTRAL_EXPLAIN, c_se, 3.0, "ties");
  check_trunc(c, 5, 0.95, SPX_TRUNC_SHAPIQ, c_sq, 1.0, "ties");
  /* energy 1 with the last coefficient crossing: shapiq's j*+1 is past the end -> tau 0 */
  double d[] = {0, 2, 1};
  unsigned char d_se[] = {0, 1, 0}, d_sq[] = {0, 1, 1};
  check_trunc(d, 3, 1.0, SPX_TRUNC_SPECTRAL_EXPLAIN, d_se, 1.0, "energy 1");
  check_trunc(d, 3, 1.0, SPX_TRUNC_SHAPIQ, d_sq, 0.0, "energy 1");
  /* 80 %: cumulative 16/30.25 = 0.53, 25/30.25 = 0.83 -> j* = 1 (value -3) */
  unsigned char e_se[] = {1, 1, 0, 0, 0, 0}, e_sq[] = {1, 1, 1, 0, 0, 0};
  check_trunc(a, 6, 0.8, SPX_TRUNC_SPECTRAL_EXPLAIN, e_se, 3.0, "80%");
  check_trunc(a, 6, 0.8, SPX_TRUNC_SHAPIQ, e_sq, 2.0, "80%");
  /* no non-constant energy: tau 0, only the (nonzero) constant survives */
  double f[] = {7};
  unsigned char f_k[] = {1};
  check_trunc(f, 1, 0.95, SPX_TRUNC_SHAPIQ, f_k, 0.0, "constant only");
  spx_transform *t = list_transform(a, 6);
  unsigned char keep[8];
  size_t kept;
  spx_test(spx_energy_truncate(t, 0.0, SPX_TRUNC_SHAPIQ, keep, &kept, NULL, NULL) == SPX_EINVAL,
           "energy 0 rejected");
  spx_test(spx_energy_truncate(t, 1.5, SPX_TRUNC_SHAPIQ, keep, &kept, NULL, NULL) == SPX_EINVAL,
           "energy 1.5 rejected");
  spx_transform_destroy(&t);
}

/* Brute-force ridge at one penalty: coefficients, GCV and LOO scores. */
static void brute_ridge(const double *X, size_t rows, size_t cols, const double *y, double lam,
                        double *coef, double *gcv, double *loo) {
  gsl_matrix *A = gsl_matrix_alloc(cols, cols), *Ainv = gsl_matrix_alloc(cols, cols);
  for (size_t a = 0; a < cols; a++)
    for (size_t b = 0; b < cols; b++) {
      double s = a == b ? lam : 0.0;
      for (size_t i = 0; i < rows; i++) s += X[i * cols + a] * X[i * cols + b];
      gsl_matrix_set(A, a, b, s);
    }
  gsl_linalg_cholesky_decomp1(A);
  gsl_matrix_memcpy(Ainv, A);
  gsl_linalg_cholesky_invert(Ainv);
  for (size_t a = 0; a < cols; a++) { /* coef = Ainv X'y */
    double s = 0;
    for (size_t b = 0; b < cols; b++) {
      double xty = 0;
      for (size_t i = 0; i < rows; i++) xty += X[i * cols + b] * y[i];
      s += gsl_matrix_get(Ainv, a, b) * xty;
    }
    coef[a] = s;
  }
  /* H = X Ainv X' explicitly */
  double *H = malloc(rows * rows * sizeof *H);
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < rows; j++) {
      double s = 0;
      for (size_t a = 0; a < cols; a++)
        for (size_t b = 0; b < cols; b++)
          s += X[i * cols + a] * gsl_matrix_get(Ainv, a, b) * X[j * cols + b];
      H[i * rows + j] = s;
    }
  double rss = 0, tr = 0, l = 0;
  for (size_t i = 0; i < rows; i++) {
    double fit = 0;
    for (size_t j = 0; j < rows; j++) fit += H[i * rows + j] * y[j];
    rss += (y[i] - fit) * (y[i] - fit);
    tr += H[i * rows + i];
    double e = (y[i] - fit) / (1 - H[i * rows + i]);
    l += e * e;
  }
  *gcv = (rss / (double)rows) / ((1 - tr / (double)rows) * (1 - tr / (double)rows));
  *loo = l / (double)rows;
  free(H);
  gsl_matrix_free(A);
  gsl_matrix_free(Ainv);
}

static void test_ridge_case(const char *name, size_t rows, size_t cols, int duplicate,
                            double lo, double hi, gsl_rng *r) {
  double *X = malloc(rows * cols * sizeof *X), *y = malloc(rows * sizeof *y);
  for (size_t i = 0; i < rows; i++) {
    for (size_t j = 0; j < cols; j++)
      X[i * cols + j] = gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0; /* like a Fourier design */
    if (duplicate) X[i * cols + cols - 1] = X[i * cols];        /* rank deficient */
    y[i] = 0.7 * X[i * cols] - 0.4 * X[i * cols + 1] + 0.3 * (gsl_rng_uniform(r) - 0.5);
  }
  const size_t L = 40;
  double lam[40], scores[40], coef[64], bcoef[64], chosen = 0;
  if (cols > 64) abort();
  spx_logspace(lo, hi, L, lam);
  for (int crit = 0; crit < 2; crit++) {
    int rc = spx_ridge_cv(X, rows, cols, y, lam, L, (spx_ridge_criterion)crit, coef, &chosen,
                          scores, NULL);
    spx_test(rc == SPX_OK, "ridge %s %s runs", name, crit ? "loo" : "gcv");
    double worst = 0, best = INFINITY;
    size_t best_l = 0;
    for (size_t l = 0; l < L; l++) {
      double g, o;
      brute_ridge(X, rows, cols, y, lam[l], bcoef, &g, &o);
      double want = crit ? o : g;
      worst = fmax(worst, fabs(scores[l] - want) / want);
      if (want < best) {
        best = want;
        best_l = l;
      }
    }
    /* the brute force inverts X'X + lI, whose condition number is at most
     * (s_max^2 + l) / l <= ~1e6 * rows for the penalties used: 1e-7 relative is ample */
    spx_test(worst <= 1e-7, "ridge %s %s: scores = brute force for %zu penalties (rel %.2g)",
             name, crit ? "loo" : "gcv", L, worst);
    spx_test_rel(chosen, lam[best_l], 1e-12, "ridge %s %s: chosen penalty = brute-force argmin",
                 name, crit ? "loo" : "gcv");
    double g, o, cerr = 0;
    brute_ridge(X, rows, cols, y, chosen, bcoef, &g, &o);
    for (size_t j = 0; j < cols; j++) cerr = fmax(cerr, fabs(coef[j] - bcoef[j]));
    spx_test(cerr <= 1e-8, "ridge %s %s: coefficients = (X'X + lI)^-1 X'y (max err %.2g)", name,
             crit ? "loo" : "gcv", cerr);
  }
  free(X);
  free(y);
}

static void test_ridge(void) {
  gsl_rng *r = spx_rng_stream(77, 0, 0, 0, 0);
  test_ridge_case("tall 40x10 (Gram path)", 40, 10, 0, -6, 6, r);
  test_ridge_case("tall 200x6 (Gram path)", 200, 6, 0, -6, 6, r);
  test_ridge_case("tall 120x30 (Gram path)", 120, 30, 0, -6, 6, r);
  test_ridge_case("tall 15x10 (SVD path)", 15, 10, 0, -3, 6, r);
  test_ridge_case("tall 100x60 (QR-first SVD path: rows < 2 cols)", 100, 60, 0, -3, 6, r);
  test_ridge_case("rank-deficient 30x8 (Gram path)", 30, 8, 1, -3, 6, r);
  test_ridge_case("rank-deficient 12x8 (SVD path)", 12, 8, 1, -2, 6, r);
  /* wide: X'X is singular, so the primal brute force needs l >= 1e-2 to stay accurate */
  test_ridge_case("wide 12x30", 12, 30, 0, -2, 6, r);
  double X[4] = {1, 1, 1, 1}, y[4] = {1, 2, 3, 4}, c, lam = -1;
  spx_test(spx_ridge_cv(X, 4, 1, y, &lam, 1, SPX_RIDGE_GCV, &c, NULL, NULL, NULL) == SPX_EINVAL,
           "negative penalty rejected");
  gsl_rng_free(r);
}

/* Small hierarchical target: f = 2 x0 + 1.5 x0 x1 - x2 (n = 8). Fourier: F(empty) = 1.375 - 0.5
 * ... computed in the test from the definition. */
static double small_f(const uint64_t *m) {
  double x0 = spx_mask_test(m, 0), x1 = spx_mask_test(m, 1), x2 = spx_mask_test(m, 2);
  return 2 * x0 + 1.5 * x0 * x1 - x2;
}

static int small_eval(void *ctx, const spx_maskset *masks, double *v, spx_error *err) {
  double c = ctx ? *(double *)ctx : NAN;
  for (size_t i = 0; i < masks->count; i++)
    v[i] = ctx ? c : small_f(spx_maskset_row(masks, i));
  return SPX_OK;
}

/* count uniform masks on 12 features drawn from r and small_f at each plus noise * U(0, 1)
 * (drawn from r after the masks); the values in *y (free them). */
static spx_maskset *noisy_small_samples(gsl_rng *r, size_t count, double noise, double **y) {
  spx_maskset *m = NULL;
  spx_proxyspex_sample(12, count, SPX_SAMPLING_UNIFORM, r, &m, NULL);
  *y = m ? malloc(m->count * sizeof **y) : NULL;
  if (!*y) {
    fprintf(stderr, "test_proxyspex: out of memory for %zu samples\n", count);
    exit(1);
  }
  for (size_t i = 0; i < m->count; i++)
    (*y)[i] = small_f(spx_maskset_row(m, i)) + noise * gsl_rng_uniform(r);
  return m;
}

static spx_maskset *all_masks(size_t n) {
  spx_maskset *s = spx_maskset_create(n, (size_t)1 << n);
  for (size_t i = 0; i < s->count; i++) spx_maskset_row(s, i)[0] = i;
  return s;
}

static int run(const char *const *kv, size_t nkv, size_t n, size_t budget, uint64_t seed,
               void *ctx, spx_transform **t, spx_error *err) {
  spx_options *o = spx_options_create("test proxyspex");
  for (size_t i = 0; i + 1 < nkv; i += 2)
    spx_options_put(o, kv[i], SPX_OPT_TEXT, kv[i + 1], kv[i], NULL);
  gsl_rng *r = spx_rng_stream(seed, 1, 2, 3, 4);
  spx_method_stats st;
  int rc = spx_method_run("proxyspex", n, budget, o, r, small_eval, ctx, t, &st, err);
  gsl_rng_free(r);
  spx_options_destroy(&o);
  return rc;
}

static void test_end_to_end(void) {
  spx_error err;
  spx_transform *t = NULL;
  /* exact Fourier of f from the definition over the 256 masks */
  spx_maskset *all = all_masks(8);
  double *y = malloc(256 * sizeof *y), *yh = malloc(256 * sizeof *yh);
  small_eval(NULL, all, y, NULL);
  const char *samplings[] = {"uniform", "distinct"};
  for (int s = 0; s < 2; s++) {
    const char *kv[] = {"sampling", samplings[s]};
    int rc = run(kv, 2, 8, 200, 1, NULL, &t, &err);
    if (!spx_test(rc == SPX_OK, "end to end (%s) runs", samplings[s])) {
      printf("  %s\n", err.msg);
      continue;
    }
    spx_transform_predict(t, all, yh, NULL);
    /* noiseless target inside the refit support: only ridge shrinkage (l >= 1e-6) remains */
    double r2 = spx_r2(y, yh, 256);
    spx_test(r2 >= 0.9999, "end to end (%s): R2 on all 256 masks %.6f", samplings[s], r2);
    double worst = 0;
    for (uint64_t S = 0; S < 8; S++) { /* subsets of {0,1,2} */
      uint32_t idx[3], d = 0;
      for (uint32_t i = 0; i < 3; i++)
        if (S >> i & 1u) idx[d++] = i;
      double want = 0;
      for (size_t x = 0; x < 256; x++) want += __builtin_parityll(S & x) ? -y[x] : y[x];
      want /= 256;
      worst = fmax(worst, fabs(spx_transform_get(t, idx, d, NULL) - want));
    }
    spx_test(worst <= 1e-2, "end to end (%s): Fourier coefficients within 1e-2 (%.2g)",
             samplings[s], worst);
    spx_transform_destroy(&t);
  }
  /* determinism: the same stream gives bit-identical transforms */
  spx_transform *t2 = NULL;
  run(NULL, 0, 8, 150, 9, NULL, &t, &err);
  run(NULL, 0, 8, 150, 9, NULL, &t2, &err);
  int same = t && t2 && spx_transform_size(t) == spx_transform_size(t2);
  for (size_t i = 0; same && i < spx_transform_size(t); i++) {
    const uint32_t *a, *b;
    uint32_t da, db;
    double va, vb;
    spx_transform_entry(t, i, &a, &da, &va);
    spx_transform_entry(t2, i, &b, &db, &vb);
    same = spx_interaction_cmp(a, da, b, db) == 0 && va == vb;
  }
  spx_test(same, "same seed gives an identical transform");
  spx_transform_destroy(&t);
  spx_transform_destroy(&t2);
  /* guard: constant target */
  double c = 3.25;
  int rc = run(NULL, 0, 6, 40, 2, &c, &t, &err);
  spx_test(rc == SPX_OK && spx_transform_size(t) == 1 &&
               spx_transform_get(t, (uint32_t[]){0}, 0, NULL) == 3.25,
           "constant target gives {empty: value}");
  spx_transform_destroy(&t);
  /* tiny budgets: below 2 samples per fold is not applicable; exactly that works */
  rc = run(NULL, 0, 6, 9, 3, NULL, &t, &err);
  spx_test(rc == SPX_ENOTAPPLICABLE, "budget 9 not applicable (%s)", err.msg);
  const char *kv3[] = {"folds", "3"};
  rc = run(kv3, 2, 6, 6, 3, NULL, &t, &err);
  spx_test(rc == SPX_OK && t != NULL, "budget 6 with 3 folds runs");
  spx_transform_destroy(&t);
  rc = run(NULL, 0, 6, 10, 3, NULL, &t, &err);
  spx_test(rc == SPX_OK && t != NULL, "budget 10 runs");
  spx_transform_destroy(&t);
  /* bad options name the key */
  const char *bad1[] = {"hpo", "slow"};
  rc = run(bad1, 2, 6, 40, 3, NULL, &t, &err);
  spx_test(rc == SPX_EINVAL && strstr(err.msg, "hpo") && strstr(err.msg, "slow"),
           "bad hpo value named (%s)", err.msg);
  const char *bad2[] = {"energy", "1.5"};
  rc = run(bad2, 2, 6, 40, 3, NULL, &t, &err);
  spx_test(rc == SPX_ERANGE && strstr(err.msg, "energy"), "energy 1.5 rejected (%s)", err.msg);
  const char *bad3[] = {"bogus", "1"};
  rc = run(bad3, 2, 6, 40, 3, NULL, &t, &err);
  spx_test(rc == SPX_EINVAL && strstr(err.msg, "bogus"), "unknown key rejected (%s)", err.msg);
  free(y);
  free(yh);
  spx_maskset_destroy(&all);
}

static void test_refine_guards(void) {
  spx_proxyspex_config cfg;
  spx_proxyspex_defaults(&cfg);
  spx_maskset *all = all_masks(4);
  double y[16];
  for (int i = 0; i < 16; i++) y[i] = i;
  spx_proxyspex_info info;
  spx_transform *out = NULL;
  /* constant proxy */
  spx_transform *p = spx_transform_create(4, SPX_BASIS_FOURIER);
  uint32_t idx[4] = {0, 1, 2, 3};
  spx_transform_set(p, idx, 0, 2.5, NULL);
  int rc = spx_proxyspex_refine(p, all, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_CONSTANT_PROXY &&
               spx_transform_size(out) == 1 && spx_transform_get(out, idx, 0, NULL) == 2.5,
           "constant proxy keeps only its constant");
  spx_transform_destroy(&out);
  /* at most n coefficients: returned as is */
  spx_transform_set(p, idx, 1, 1.0, NULL);
  spx_transform_set(p, idx + 1, 2, -0.25, NULL);
  rc = spx_proxyspex_refine(p, all, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_SMALL_PROXY &&
               spx_transform_size(out) == 3 && spx_transform_get(out, idx + 1, 2, NULL) == -0.25,
           "proxy with <= n coefficients returned unchanged");
  spx_transform_destroy(&out);
  /* ties under spectral_explain keep nothing non-constant -> shapiq fallback keeps them */
  spx_transform_clear(p);
  spx_transform_set(p, idx, 0, 0.1, NULL);
  for (uint32_t i = 0; i < 4; i++) spx_transform_set(p, &idx[i], 1, i < 3 ? 3.0 : 1.0, NULL);
  spx_transform_set(p, idx, 2, 0.01, NULL);
  cfg.truncation = SPX_TRUNC_SPECTRAL_EXPLAIN;
  cfg.refine = 0;
  rc = spx_proxyspex_refine(p, all, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_TRUNCATED && spx_transform_size(out) == 3 &&
               spx_transform_get(out, idx, 1, NULL) == 3.0,
           "empty spectral_explain support falls back to the shapiq threshold");
  spx_transform_destroy(&out);
  /* refit on an exact linear target: y = 7.5 - 0.5 chi_0 - 1 chi_1 - 2 chi_2 - 4 chi_3, with a
   * large proxy constant so that the constant column is kept (tau = 1) */
  spx_transform_set(p, idx, 0, 5.0, NULL);
  cfg.truncation = SPX_TRUNC_SHAPIQ;
  cfg.refine = 1;
  rc = spx_proxyspex_refine(p, all, y, &cfg, &out, &info, NULL);
  /* the 4 kept columns are orthogonal over all 16 masks, so the ridge coefficient is
   * exactly 16 c / (16 + l) at the chosen l (c = 7.5, -0.5, -1, -2) */
  double l = info.lambda, sh = 16.0 / (16.0 + l);
  double want[4] = {-0.5, -1, -2, -4}, worst = fabs(spx_transform_get(out, idx, 0, NULL) - 7.5 * sh);
  for (uint32_t i = 0; i < 3; i++)
    worst = fmax(worst, fabs(spx_transform_get(out, &idx[i], 1, NULL) - want[i] * sh));
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_REFINED && info.kept == 4 && worst <= 1e-12,
           "refit on all masks = orthogonal ridge solution (err %.2g, lambda %.2g)", worst,
           info.lambda);
  spx_transform_destroy(&out);
  /* the same 4 kept columns on only 6 of the 16 masks: 4 > 0.5 x 6, too wide to refit, so
   * the truncated coefficients come back unchanged; a ratio of 1 allows the refit again */
  spx_maskset *six = spx_maskset_create(4, 6);
  for (size_t r = 0; r < 6; r++) spx_maskset_row(six, r)[0] = spx_maskset_row(all, r)[0];
  rc = spx_proxyspex_refine(p, six, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_WIDE && info.kept == 4 &&
               spx_transform_get(out, idx, 1, NULL) == 3.0 && info.lambda == 0.0,
           "support wider than half the samples is not refit");
  spx_transform_destroy(&out);
  cfg.refine_max_ratio = 1.0;
  rc = spx_proxyspex_refine(p, six, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_REFINED, "refine_max_ratio = 1 refits");
  spx_transform_destroy(&out);
  /* 4 x 6 x 4^2 = 384 operations: a limit of 1e-7 GFLOP (100) skips the refit */
  cfg.refine_max_gflop = 1e-7;
  rc = spx_proxyspex_refine(p, six, y, &cfg, &out, &info, NULL);
  spx_test(rc == SPX_OK && info.path == SPX_PROXYSPEX_WIDE, "refit above refine_max_gflop skipped");
  spx_transform_destroy(&out);
  cfg.refine_max_gflop = 20.0;
  spx_maskset_destroy(&six);
  spx_transform_destroy(&p);
  spx_maskset_destroy(&all);
}

static void test_sampling(void) {
  gsl_rng *r = spx_rng_stream(4, 0, 0, 0, 0);
  spx_maskset *s = NULL;
  spx_error err;
  size_t cases[][2] = {{3, 20}, {10, 100}, {6, 50}, {70, 300}};
  for (size_t c = 0; c < 4; c++) {
    size_t n = cases[c][0], budget = cases[c][1];
    int rc = spx_proxyspex_sample(n, budget, SPX_SAMPLING_DISTINCT, r, &s, &err);
    size_t want = n < 20 && ((size_t)1 << n) < budget ? (size_t)1 << n : budget;
    int ok = rc == SPX_OK && s->count == want;
    uint64_t full[2] = {0, 0};
    spx_mask_fill(full, n, 1);
    ok = ok && spx_mask_popcount(spx_maskset_row(s, 0), s->words) == 0 &&
         memcmp(spx_maskset_row(s, 1), full, s->words * 8) == 0;
    for (size_t i = 0; ok && i < s->count; i++)
      for (size_t j = 0; ok && j < i; j++)
        ok = memcmp(spx_maskset_row(s, i), spx_maskset_row(s, j), s->words * 8) != 0;
    spx_test(ok, "distinct sampling n %zu budget %zu: %zu distinct masks, empty and full first",
             n, budget, want);
    spx_maskset_destroy(&s);
  }
  /* uniform: bit frequencies near 1/2 (20000 bits per feature: sd 0.0035, allow 5 sd) */
  spx_proxyspex_sample(70, 20000, SPX_SAMPLING_UNIFORM, r, &s, &err);
  double worst = 0;
  for (size_t i = 0; i < 70; i++) {
    size_t ones = 0;
    for (size_t k = 0; k < s->count; k++) ones += (size_t)spx_mask_test(spx_maskset_row(s, k), i);
    worst = fmax(worst, fabs((double)ones / (double)s->count - 0.5));
  }
  spx_test(worst < 0.0177, "uniform sampling: bit frequencies within 5 sd of 1/2 (%.4f)", worst);
  spx_maskset_destroy(&s);
  gsl_rng_free(r);
}

static void test_search(void) {
  gsl_rng *r = spx_rng_stream(8, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 300, 0.3, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_GRID, 3);
  cfg.grid_ntrees = 2;
  cfg.grid_trees[0] = 5;
  cfg.grid_trees[1] = 40;
  cfg.seed = 11;
  spx_error err;
  spx_proxy_search *s = spx_proxy_search_create(m, y, &cfg, &err);
  size_t J = spx_proxy_search_jobs(s);
  spx_test_int((long long)J, 20, "grid t = 3: 2 depths x 2 rates x 5 folds = 20 jobs");
  spx_proxy_job_result *res = malloc(J * sizeof *res);
  for (size_t j = J; j-- > 0;) spx_proxy_search_run_job(s, j, &res[j], &err); /* reversed */
  spx_proxy_choice a, b;
  spx_proxy_search_combine(s, res, &a, &err);
  spx_proxy_search_run(s, &b, &err);
  spx_test(a.max_depth == b.max_depth && a.eta == b.eta && a.trees == b.trees &&
               a.cv_r2 == b.cv_r2,
           "job order does not change the choice");
  /* the best grid point's score is the largest fold mean, recomputed here */
  double best = -INFINITY;
  for (size_t c = 0; c < 4; c++)
    for (size_t k = 0; k < 2; k++) {
      double mean = 0;
      for (size_t f = 0; f < 5; f++) mean += res[c * 5 + f].r2[k];
      best = fmax(best, mean / 5);
    }
  spx_test(a.cv_r2 == best, "choice has the best mean held-out R2");
  /* job 0 = (eta 0.01, depth 1, fold 0): train 5 trees alone, score fold 0 (rows 0..59) */
  size_t rows[240];
  for (size_t i = 0; i < 240; i++) rows[i] = 60 + i;
  spx_xgb_data *tr = spx_xgb_data_create(m, y, rows, 240, NULL, 0, 1, &err);
  spx_xgb_data *va = spx_xgb_data_create(m, NULL, NULL, 60, NULL, 0, 1, &err);
  spx_xgb_params p = {.max_depth = 1, .eta = 0.01, .threads = 1, .seed = 11};
  spx_xgb *bst = spx_xgb_create(tr, &p, &err);
  spx_xgb_boost(bst, 5, &err);
  double pred[60], mean = 0, res_ss = 0, tot = 0;
  spx_xgb_predict(bst, va, pred, &err);
  for (int i = 0; i < 60; i++) mean += y[i] / 60;
  for (int i = 0; i < 60; i++) {
    res_ss += (y[i] - pred[i]) * (y[i] - pred[i]);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  /* the job's incremental sums differ from one prediction only by float rounding */
  spx_test_abs(res[0].r2[0], 1 - res_ss / tot, 1e-6,
               "first 5 trees of a 40-tree run = a 5-tree model (held-out R2)");
  spx_xgb_destroy(&bst);
  spx_xgb_data_destroy(&tr);
  spx_xgb_data_destroy(&va);
  /* fast: early stopping stops before max_trees on this easy target */
  spx_proxy_search_destroy(&s);
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 3);
  cfg.seed = 11;
  cfg.min_gain = 0.0; /* the plain patience rule */
  s = spx_proxy_search_create(m, y, &cfg, &err);
  spx_test_int((long long)spx_proxy_search_jobs(s), 2, "fast t = 3: 2 jobs");
  spx_proxy_search_run_job(s, 1, &res[1], &err);
  double top = -INFINITY;
  size_t at = 0;
  for (size_t k = 0; k < res[1].count; k++)
    if (res[1].r2[k] > top) top = res[1].r2[k], at = k;
  spx_test(res[1].count < 500 && res[1].count == at + 1 + 5,
           "fast job stops 50 trees (5 checkpoints) after its best (%zu checkpoints)",
           res[1].count);
  cfg.folds = 1;
  spx_test(spx_proxy_search_create(m, y, &cfg, &err) == NULL, "1 fold rejected");
  spx_proxy_search_destroy(&s);
  free(res);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* The option table's defaults are spx_proxyspex_defaults' (the table is what users see). */
static void test_option_defaults(void) {
  spx_options *o = spx_options_create("test");
  spx_proxyspex_config a, b;
  spx_error err;
  int rc = spx_proxyspex_read_options(o, &a, &err);
  spx_proxyspex_defaults(&b);
  spx_test(rc == SPX_OK, "no options read");
  const spx_proxy_search_config *x = &a.search, *y = &b.search;
  spx_test(a.sampling == b.sampling && a.energy == b.energy && a.truncation == b.truncation &&
               a.refine == b.refine && a.refine_max_ratio == b.refine_max_ratio &&
               a.refine_max_gflop == b.refine_max_gflop && a.ridge_cv == b.ridge_cv &&
               a.fit_rows == b.fit_rows,
           "table defaults = spx_proxyspex_defaults (method keys)");
  int same = x->hpo == y->hpo && x->t == y->t && x->folds == y->folds &&
             x->threads == y->threads && x->fast_eta == y->fast_eta &&
             x->fast_folds == y->fast_folds && x->eval_every == y->eval_every &&
             x->patience == y->patience && x->max_trees == y->max_trees &&
             x->screen == y->screen && x->screen_trees == y->screen_trees &&
             x->screen_eta == y->screen_eta && x->search_rows == y->search_rows &&
             x->tree_tol == y->tree_tol && x->shallow_max_samples == y->shallow_max_samples &&
             x->screen_rows == y->screen_rows && x->min_gain == y->min_gain &&
             x->fallback_r2 == y->fallback_r2 && x->speed_eta == y->speed_eta &&
             x->speed_samples == y->speed_samples && x->merge_rows == y->merge_rows &&
             x->reuse_search == y->reuse_search && x->reuse_fallback == y->reuse_fallback &&
             x->work_cap == y->work_cap && x->work_cap_r2 == y->work_cap_r2 &&
             x->grid_neta == y->grid_neta &&
             x->grid_ntrees == y->grid_ntrees;
  for (size_t k = 0; same && k < x->grid_neta; k++) same = x->grid_eta[k] == y->grid_eta[k];
  for (size_t k = 0; same && k < x->grid_ntrees; k++) same = x->grid_trees[k] == y->grid_trees[k];
  spx_test(same, "table defaults = spx_proxy_search_defaults (search keys)");
  spx_options_destroy(&o);
}

/* fit_rows > 0 needs the final fit it subsamples: it turns reuse_search and reuse_fallback off,
 * also when they are given (otherwise fit_rows would do nothing above speed_samples). */
static void test_fit_rows_no_reuse(void) {
  spx_error err;
  for (int given = 0; given < 2; given++) {
    spx_options *o = spx_options_create("test");
    spx_options_put(o, "fit_rows", SPX_OPT_INT, "5000", "t:1:1", NULL);
    if (given) {
      spx_options_put(o, "reuse_search", SPX_OPT_BOOL, "true", "t:2:1", NULL);
      spx_options_put(o, "reuse_fallback", SPX_OPT_BOOL, "true", "t:3:1", NULL);
    }
    spx_proxyspex_config a;
    int rc = spx_proxyspex_read_options(o, &a, &err);
    spx_test(rc == SPX_OK && a.fit_rows == 5000 && a.search.reuse_search == 0 &&
                 a.search.reuse_fallback == 0,
             "fit_rows = 5000%s: reuse_search and reuse_fallback off",
             given ? " with both = true" : "");
    spx_options_destroy(&o);
  }
  spx_options *o = spx_options_create("test");
  spx_proxyspex_config a;
  spx_test(spx_proxyspex_read_options(o, &a, &err) == SPX_OK && a.search.reuse_search == 1 &&
               a.search.reuse_fallback == 1,
           "default: reuse_search and reuse_fallback on");
  spx_options_destroy(&o);
}

/* hpo = fast searches depth t alone above shallow_max_samples samples, both depths below. */
static void test_shallow_rule(void) {
  spx_maskset *m = spx_maskset_create(6, 40);
  double y[40];
  gsl_rng *r = spx_rng_stream(5, 0, 0, 0, 0);
  spx_maskset_fill_random(m, r);
  for (int i = 0; i < 40; i++) y[i] = gsl_rng_uniform(r);
  gsl_rng_free(r);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 5);
  cfg.screen = 0;
  cfg.shallow_max_samples = 40;
  spx_proxy_search *s = spx_proxy_search_create(m, y, &cfg, NULL);
  spx_test(s && spx_proxy_search_jobs(s) == 2, "40 samples <= 40: depths 3 and 5 searched");
  spx_proxy_search_destroy(&s);
  cfg.shallow_max_samples = 39;
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  spx_proxy_choice ch;
  spx_test(s && spx_proxy_search_jobs(s) == 1, "40 samples > 39: one job");
  spx_test(s && spx_proxy_search_run(s, &ch, NULL) == SPX_OK && ch.max_depth == 5,
           "the one job is depth t = 5 (got %d)", s ? ch.max_depth : -1);
  spx_proxy_search_destroy(&s);
  cfg.shallow_max_samples = 0;
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  spx_test(s && spx_proxy_search_jobs(s) == 2, "shallow_max_samples = 0: always both depths");
  spx_proxy_search_destroy(&s);
  /* the rule counts the samples before the search_rows subsample */
  cfg.shallow_max_samples = 30;
  cfg.search_rows = 20;
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  spx_test(s && spx_proxy_search_jobs(s) == 1, "40 samples > 30, searched on 20 rows: one job");
  spx_proxy_search_destroy(&s);
  spx_maskset_destroy(&m);
}

/* min_gain: early stopping counts only gains above it. */
static void test_min_gain(void) {
  gsl_rng *r = spx_rng_stream(9, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 400, 0.3, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 3);
  cfg.seed = 3;
  cfg.fast_eta = 0.05;
  size_t counts[3];
  const double gains[3] = {0.0, 0.01, 2.0};
  spx_proxy_job_result res;
  for (int g = 0; g < 3; g++) {
    cfg.min_gain = gains[g];
    spx_proxy_search *s = spx_proxy_search_create(m, y, &cfg, NULL);
    counts[g] = s && spx_proxy_search_run_job(s, 1, &res, NULL) == SPX_OK ? res.count : 0;
    if (g == 1) { /* the stop is patience (5 checkpoints) after the last gain above 0.01 */
      size_t last = 0;
      double best = -INFINITY;
      for (size_t k = 0; k < res.count; k++)
        if (res.r2[k] > best + 0.01) best = res.r2[k], last = k;
      spx_test(res.count == last + 1 + 5, "min_gain 0.01: stops 5 checkpoints after the last "
               "gain above 0.01 (%zu checkpoints, last gain at %zu)", res.count, last);
    }
    spx_proxy_search_destroy(&s);
  }
  spx_test(counts[2] == 6, "min_gain 2 (no R2 gain can count): stops after 1 + 5 checkpoints "
           "(%zu)", counts[2]);
  spx_test(counts[1] < counts[0] && counts[1] > counts[2],
           "min_gain 0.01 stops between (%zu < %zu)", counts[1], counts[0]);
  cfg.min_gain = -0.1;
  spx_test(spx_proxy_search_create(m, y, &cfg, NULL) == NULL, "negative min_gain rejected");
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* work_cap: a fast job stops at the first checkpoint where trees x training rows reach work_cap
 * and the held-out R2 is at least work_cap_r2; its scores up to there are the uncapped job's;
 * a cap whose R2 is never reached changes nothing; the accurate search of the gated search
 * never caps. */
static void test_work_cap(void) {
  gsl_rng *r = spx_rng_stream(13, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 400, 0.3, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 3);
  cfg.seed = 5;
  cfg.fast_eta = 0.05;
  cfg.min_gain = 0.0;
  spx_proxy_job_result *res = malloc(3 * sizeof *res);
  if (res == NULL) exit(1);
  spx_proxy_search *s = spx_proxy_search_create(m, y, &cfg, NULL);
  int ok = s && spx_proxy_search_run_job(s, 1, &res[0], NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  spx_test(ok && res[0].count >= 8, "the uncapped job runs (%zu checkpoints)", res[0].count);
  const size_t rows = 400 - 80; /* training rows of fold 0 (5 folds, no merging) */
  double cap_r2 = res[0].r2[5];
  cfg.work_cap = 30.0 * (double)rows; /* reached at the third checkpoint (30 trees) */
  cfg.work_cap_r2 = cap_r2;
  size_t want = res[0].count; /* the first checkpoint at or past 30 trees with R2 >= cap_r2 */
  for (size_t k = 2; k < res[0].count; k++)
    if (res[0].r2[k] >= cap_r2) {
      want = k + 1;
      break;
    }
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  ok = s && spx_proxy_search_run_job(s, 1, &res[1], NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  int prefix = ok;
  for (size_t k = 0; prefix && k < res[1].count; k++) prefix = res[1].r2[k] == res[0].r2[k];
  spx_test(ok && res[0].capped == 0 && res[1].capped == 1,
           "the capped job says so, the uncapped one does not");
  spx_test(ok && res[1].count == want && want < res[0].count && prefix,
           "work_cap 30 x %zu rows, R2 >= %.4f: stops at checkpoint %zu of %zu (got %zu), the "
           "same scores up to there",
           rows, cap_r2, want, res[0].count, ok ? res[1].count : 0);
  /* just below three checkpoints' work: the same stop (the cap counts trees x rows) */
  cfg.work_cap = 30.0 * (double)rows - 1.0;
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  ok = s && spx_proxy_search_run_job(s, 1, &res[2], NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  spx_test(ok && res[2].count == want, "work_cap just below: the same stop (%zu)",
           ok ? res[2].count : 0);
  /* an R2 the job never reaches: no cap */
  double top = -INFINITY;
  for (size_t k = 0; k < res[0].count; k++)
    if (res[0].r2[k] > top) top = res[0].r2[k];
  cfg.work_cap = 1.0;
  cfg.work_cap_r2 = 1.0; /* above top: the noise keeps the held-out R2 below 1 */
  s = spx_proxy_search_create(m, y, &cfg, NULL);
  ok = s && spx_proxy_search_run_job(s, 1, &res[2], NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  spx_test(ok && top < 1.0 && res[2].count == res[0].count,
           "work_cap_r2 1 above the best R2 %.4f: no cap (%zu checkpoints)", top,
           ok ? res[2].count : 0);
  /* the gated search's accurate search ignores the cap: with speed_samples = 0 it is the
   * uncapped search */
  spx_proxy_choice c_plain, c_gated;
  spx_proxy_search_config acc = cfg; /* the accurate search's settings */
  acc.work_cap = 0.0;
  acc.search_rows = 0;
  acc.tree_tol = 0.0;
  acc.screen_rows = 0;
  s = spx_proxy_search_create(m, y, &acc, NULL);
  ok = s && spx_proxy_search_run(s, &c_plain, NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  cfg.work_cap = 1.0;
  cfg.work_cap_r2 = -1.0;
  cfg.speed_samples = 0;
  int mode = -1;
  ok = ok && spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c_gated, &mode, NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  spx_test(ok && mode == 0 && c_gated.trees == c_plain.trees && c_gated.cv_r2 == c_plain.cv_r2,
           "the accurate search is not capped (%zu trees, uncapped %zu)", c_gated.trees,
           c_plain.trees);
  cfg.work_cap = -1.0;
  spx_test(spx_proxy_search_create(m, y, &cfg, NULL) == NULL, "negative work_cap rejected");
  free(res);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* spx_proxy_search_gated: the speed search above speed_samples samples, the accurate one when
 * its held-out R2 is below fallback_r2 or at fewer samples; each choice is that of a direct
 * search with those settings. */
static void test_gated_search(void) {
  gsl_rng *r = spx_rng_stream(12, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 600, 0.5, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 3);
  cfg.seed = 4;
  cfg.speed_eta = 0.3;
  cfg.search_rows = 300;
  cfg.min_gain = 0.001;
  cfg.tree_tol = 0.002;
  spx_proxy_search_config speed = cfg, acc = cfg;
  speed.fast_eta = 0.3;
  acc.search_rows = 0;
  acc.min_gain = 0.0;
  acc.tree_tol = 0.0;
  spx_proxy_choice c_speed, c_acc, g[4];
  spx_proxy_search *s = spx_proxy_search_create(m, y, &speed, NULL);
  int ok = s && spx_proxy_search_run(s, &c_speed, NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  s = spx_proxy_search_create(m, y, &acc, NULL);
  ok = ok && s && spx_proxy_search_run(s, &c_acc, NULL) == SPX_OK;
  spx_proxy_search_destroy(&s);
  int mode[4] = {-1, -1, -1, -1};
  const size_t samples[4] = {599, 599, 600, 0};
  for (int k = 0; k < 4; k++) {
    cfg.speed_samples = samples[k];
    cfg.fallback_r2 = k == 1 ? c_speed.cv_r2 + 0.01 : c_speed.cv_r2 - 0.01;
    ok = ok && spx_proxy_search_gated(m, y, &cfg, NULL, &s, &g[k], &mode[k], NULL) == SPX_OK;
    spx_proxy_search_destroy(&s);
  }
  spx_test(ok, "searches run");
  spx_test(c_speed.eta == 0.3 && c_acc.eta == 0.1 && c_speed.trees != c_acc.trees,
           "the two searches differ (%zu, %zu trees)", c_speed.trees, c_acc.trees);
  spx_test(mode[0] == 1 && g[0].trees == c_speed.trees && g[0].eta == 0.3 &&
               g[0].cv_r2 == c_speed.cv_r2,
           "600 > 599 samples, R2 above fallback_r2: the speed search's choice");
  spx_test(mode[1] == 2 && g[1].trees == c_acc.trees && g[1].eta == 0.1 &&
               g[1].cv_r2 == c_acc.cv_r2,
           "R2 below fallback_r2: the accurate search's choice");
  spx_test(mode[2] == 0 && g[2].trees == c_acc.trees && g[2].cv_r2 == c_acc.cv_r2,
           "600 samples <= speed_samples: the accurate search alone");
  spx_test(mode[3] == 0 && g[3].trees == c_acc.trees && g[3].cv_r2 == c_acc.cv_r2,
           "speed_samples = 0: the accurate search alone");
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* Two-stage screening (screen_rows): the kept features are sorted, contain the two that carry
 * the signal, are no more than the one-stage screening keeps on all rows plus noise, and with
 * screen_rows >= the training rows the screening is the one-stage one. */
static void test_two_stage_screening(void) {
  gsl_rng *r = spx_rng_stream(10, 0, 0, 0, 0);
  spx_maskset *m = NULL;
  spx_proxyspex_sample(60, 2000, SPX_SAMPLING_UNIFORM, r, &m, NULL);
  double *y = malloc(m->count * sizeof *y);
  for (size_t i = 0; i < m->count; i++) {
    const uint64_t *row = spx_maskset_row(m, i);
    y[i] = 2.0 * spx_mask_test(row, 7) + 1.5 * spx_mask_test(row, 7) * spx_mask_test(row, 41) +
           0.2 * gsl_rng_uniform(r);
  }
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 3);
  cfg.seed = 5;
  spx_proxy_search *one = spx_proxy_search_create(m, y, &cfg, NULL);
  cfg.screen_rows = 200;
  spx_proxy_search *two = spx_proxy_search_create(m, y, &cfg, NULL);
  cfg.screen_rows = 1600; /* = the training rows of fold 0 */
  spx_proxy_search *same = spx_proxy_search_create(m, y, &cfg, NULL);
  const uint32_t *c1 = NULL, *c2 = NULL, *c3 = NULL;
  size_t n1 = one ? spx_proxy_search_columns(one, &c1) : 0;
  size_t n2 = two ? spx_proxy_search_columns(two, &c2) : 0;
  size_t n3 = same ? spx_proxy_search_columns(same, &c3) : 0;
  int sorted = c2 != NULL, has7 = 0, has41 = 0;
  for (size_t k = 0; c2 && k < n2; k++) {
    if (k && c2[k] <= c2[k - 1]) sorted = 0;
    has7 |= c2[k] == 7;
    has41 |= c2[k] == 41;
  }
  spx_test(sorted && has7 && has41 && n2 < 60,
           "two-stage screening keeps features 7 and 41, sorted, fewer than n (%zu)", n2);
  /* stage 1 alone: a one-stage screening whose fold-0 training rows are the 200 rows
   * (training rows 400..1999 of the 2000, every 8th), behind 50 validation rows */
  spx_maskset *m1 = spx_maskset_create(60, 250);
  double y1[250];
  for (size_t i = 0; i < 250; i++) {
    size_t src = i < 50 ? i : 400 + (i - 50) * 1600 / 200;
    memcpy(spx_maskset_row(m1, i), spx_maskset_row(m, src), m->words * sizeof(uint64_t));
    y1[i] = y[src];
  }
  cfg.screen_rows = 0;
  spx_proxy_search *stage1 = spx_proxy_search_create(m1, y1, &cfg, NULL);
  const uint32_t *c0 = NULL;
  size_t n0 = stage1 ? spx_proxy_search_columns(stage1, &c0) : 0;
  size_t inside = 0;
  for (size_t k = 0; c0 && k < n2; k++)
    for (size_t q = 0; q < n0; q++) inside += c2[k] == c0[q];
  spx_test(c0 && inside == n2 && n2 < n0,
           "two-stage: a strict subset of the first stage's candidates (%zu of %zu)", n2, n0);
  spx_proxy_search_destroy(&stage1);
  spx_maskset_destroy(&m1);
  int equal = c1 && c3 && n1 == n3;
  for (size_t k = 0; equal && k < n1; k++) equal = c1[k] == c3[k];
  spx_test(equal, "screen_rows >= training rows: the one-stage screening (%zu, %zu)", n1, n3);
  spx_proxy_search_destroy(&one);
  spx_proxy_search_destroy(&two);
  spx_proxy_search_destroy(&same);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* Predictions of a 30-tree depth-3 booster trained on d, on the rows of all 2^6 masks. */
static int merged_predict(spx_xgb_data *d, spx_xgb_data *all, double *out) {
  spx_xgb_params p = {.max_depth = 3, .eta = 0.3, .threads = 1, .seed = 2};
  spx_xgb *b = spx_xgb_create(d, &p, NULL);
  int ok = b && spx_xgb_boost(b, 30, NULL) == SPX_OK && spx_xgb_predict(b, all, out, NULL) == SPX_OK;
  spx_xgb_destroy(&b);
  return ok;
}

/* spx_xgb_data_create_merged: equal rows merged into one weighted row train the same trees
 * (up to float rounding) as the rows themselves; no equal rows: the plain data set. */
static void test_merged_rows(void) {
  gsl_rng *r = spx_rng_stream(21, 0, 0, 0, 0);
  spx_maskset *m = spx_maskset_create(6, 3000);
  double *y = malloc(3000 * sizeof *y);
  spx_maskset_fill_random(m, r);
  int seen[64] = {0}, distinct_bf = 0;
  for (size_t i = 0; i < 3000; i++) {
    const uint64_t *row = spx_maskset_row(m, i);
    y[i] = 2.0 * spx_mask_test(row, 0) - 1.5 * spx_mask_test(row, 1) * spx_mask_test(row, 3) +
           gsl_rng_uniform(r);
    distinct_bf += !seen[row[0]]++;
  }
  spx_maskset *all = all_masks(6);
  spx_xgb_data *da = spx_xgb_data_create(all, NULL, NULL, 64, NULL, 0, 1, NULL);
  size_t distinct = 0;
  spx_xgb_data *plain = spx_xgb_data_create(m, y, NULL, 3000, NULL, 0, 1, NULL);
  spx_xgb_data *merged = spx_xgb_data_create_merged(m, y, NULL, 3000, NULL, 0, 1, &distinct, NULL);
  double p1[64], p2[64];
  int ok = da && plain && merged && merged_predict(plain, da, p1) && merged_predict(merged, da, p2);
  double worst = 0.0;
  for (int i = 0; ok && i < 64; i++) worst = fmax(worst, fabs(p1[i] - p2[i]));
  spx_test(ok && distinct == (size_t)distinct_bf && spx_xgb_data_rows(merged) == distinct,
           "3000 masks on 6 features merged to the %d distinct ones (got %zu)", distinct_bf,
           distinct);
  spx_test(ok && worst < 1e-4, "merged rows train the same trees: predictions within 1e-4 "
           "(max %.2g)", worst);
  spx_xgb_data_destroy(&plain);
  spx_xgb_data_destroy(&merged);
  /* selected rows and columns: rows 1000..2999 over features {0, 1, 3} (8 distinct rows) */
  size_t rows[2000];
  for (size_t i = 0; i < 2000; i++) rows[i] = 1000 + i;
  const uint32_t cols[3] = {0, 1, 3};
  spx_xgb_data *all3 = spx_xgb_data_create(all, NULL, NULL, 64, cols, 3, 1, NULL);
  plain = spx_xgb_data_create(m, y, rows, 2000, cols, 3, 1, NULL);
  merged = spx_xgb_data_create_merged(m, y, rows, 2000, cols, 3, 1, &distinct, NULL);
  ok = all3 && plain && merged && merged_predict(plain, all3, p1) &&
       merged_predict(merged, all3, p2);
  worst = 0.0;
  for (int i = 0; ok && i < 64; i++) worst = fmax(worst, fabs(p1[i] - p2[i]));
  spx_test(ok && distinct == 8 && worst < 1e-4,
           "2000 selected rows over 3 columns: 8 merged rows, predictions within 1e-4 (%zu, %.2g)",
           distinct, worst);
  spx_xgb_data_destroy(&plain);
  spx_xgb_data_destroy(&merged);
  spx_xgb_data_destroy(&all3);
  /* no two rows alike (the first 50 distinct masks): the plain data set, bit for bit */
  size_t first[50], k = 0;
  int used[64] = {0};
  for (size_t i = 0; i < 3000 && k < 50; i++)
    if (!used[spx_maskset_row(m, i)[0]]++) first[k++] = i;
  plain = spx_xgb_data_create(m, y, first, 50, NULL, 0, 1, NULL);
  merged = spx_xgb_data_create_merged(m, y, first, 50, NULL, 0, 1, &distinct, NULL);
  ok = plain && merged && merged_predict(plain, da, p1) && merged_predict(merged, da, p2);
  int same = ok;
  for (int i = 0; same && i < 64; i++) same = p1[i] == p2[i];
  spx_test(same && distinct == 50, "50 distinct rows: the same predictions bit for bit");
  spx_xgb_data_destroy(&plain);
  spx_xgb_data_destroy(&merged);
  spx_xgb_data_destroy(&da);
  spx_maskset_destroy(&all);
  spx_maskset_destroy(&m);
  free(y);
  gsl_rng_free(r);
}

/* reuse_search: a speed search of one job keeps that job's model, cut to the chosen tree count,
 * which is the model spx_proxy_fit trains on the job's training rows; the choice is the one
 * without reuse; no model with two jobs or after a fallback. */
static void test_reuse_search(void) {
  gsl_rng *r = spx_rng_stream(22, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 600, 0.3, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 4);
  cfg.seed = 7;
  cfg.speed_samples = 500;
  cfg.search_rows = 400;
  cfg.shallow_max_samples = 500; /* 600 > 500: depth t alone, one job */
  cfg.fallback_r2 = -1e300;
  cfg.merge_rows = 1;
  spx_proxy_search *s = NULL;
  spx_proxy_choice c0, c1, c2;
  int mode0 = -1, mode1 = -1, mode2 = -1;
  int ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c0, &mode0, NULL) == SPX_OK;
  spx_test(ok && spx_proxy_search_take_model(s) == NULL, "reuse_search off: no model kept");
  spx_proxy_search_destroy(&s);
  cfg.reuse_search = 1;
  ok = ok && spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c1, &mode1, NULL) == SPX_OK;
  spx_tree_ensemble *kept = ok ? spx_proxy_search_take_model(s) : NULL;
  spx_test(ok && mode0 == 1 && mode1 == 1 && c1.trees == c0.trees && c1.cv_r2 == c0.cv_r2 &&
               c1.max_depth == 4 && c1.merge_rows == 1,
           "one job, reuse on: the same choice (%zu trees, %zu without; modes %d %d; depth %d; "
           "merge %d)", c1.trees, c0.trees, mode0, mode1, c1.max_depth, c1.merge_rows);
  spx_test(kept && kept->ntrees == c1.trees && spx_proxy_search_take_model(s) == NULL,
           "reuse on: the kept model has the chosen %zu trees (got %zu), handed over once",
           c1.trees, kept ? kept->ntrees : 0);
  /* the job's training rows: the search's rows i * 600 / 400, fold 0 (the first 80) held out */
  spx_maskset *tm = spx_maskset_create(12, 320);
  double ty[320];
  for (size_t i = 0; i < 320; i++) {
    size_t src = (80 + i) * 600 / 400;
    memcpy(spx_maskset_row(tm, i), spx_maskset_row(m, src), m->words * sizeof(uint64_t));
    ty[i] = y[src];
  }
  const uint32_t *cols = NULL;
  size_t ncols = s ? spx_proxy_search_columns(s, &cols) : 0;
  spx_tree_ensemble *fit = NULL;
  spx_error err = {0};
  c1.subsample = 0.0; /* set by the caller of the search */
  ok = kept && spx_proxy_fit(tm, ty, cols, cols ? ncols : 0, &c1, 1, 7, &fit, &err) == SPX_OK;
  if (kept && !ok) fprintf(stderr, "spx_proxy_fit: %s\n", err.msg);
  int same = ok && fit->ntrees == kept->ntrees && fit->nnodes == kept->nnodes &&
             fit->base_score == kept->base_score;
  for (size_t i = 0; same && i < fit->nnodes; i++)
    same = fit->left[i] == kept->left[i] && fit->feature[i] == kept->feature[i] &&
           fit->leaf[i] == kept->leaf[i] && fit->threshold[i] == kept->threshold[i];
  spx_test(same, "the kept model is spx_proxy_fit's on the job's 320 training rows, node for "
           "node (%zu trees)", fit ? fit->ntrees : 0);
  spx_tree_ensemble_destroy(&fit);
  spx_tree_ensemble_destroy(&kept);
  spx_proxy_search_destroy(&s);
  spx_maskset_destroy(&tm);
  cfg.shallow_max_samples = 0; /* both depths: two jobs */
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c2, &mode2, NULL) == SPX_OK;
  spx_test(ok && mode2 == 1 && spx_proxy_search_take_model(s) == NULL,
           "two jobs: no model kept");
  spx_proxy_search_destroy(&s);
  cfg.shallow_max_samples = 500;
  cfg.fallback_r2 = 1.0; /* above the held-out R2 of this noisy target */
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c2, &mode2, &err) == SPX_OK;
  if (!ok) fprintf(stderr, "gated: %s\n", err.msg);
  spx_test(ok && c1.cv_r2 < 1.0 && mode2 == 2 && c2.merge_rows == 0 && spx_proxy_search_take_model(s) == NULL,
           "fell back: no model kept, the accurate search does not merge rows (mode %d, merge %d)",
           mode2, c2.merge_rows);
  spx_proxy_search_destroy(&s);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

static int same_transform(const spx_transform *a, const spx_transform *b) {
  int same = a && b && spx_transform_size(a) == spx_transform_size(b);
  for (size_t i = 0; same && i < spx_transform_size(a); i++) {
    const uint32_t *ia, *ib;
    uint32_t da, db;
    double va, vb;
    spx_transform_entry(a, i, &ia, &da, &va);
    spx_transform_entry(b, i, &ib, &db, &vb);
    same = spx_interaction_cmp(ia, da, ib, db) == 0 && va == vb;
  }
  return same;
}

static int same_ensemble(const spx_tree_ensemble *a, const spx_tree_ensemble *b) {
  int same = a && b && a->ntrees == b->ntrees && a->nnodes == b->nnodes &&
             a->base_score == b->base_score;
  for (size_t i = 0; same && i < a->nnodes; i++)
    same = a->left[i] == b->left[i] && a->feature[i] == b->feature[i] &&
           a->leaf[i] == b->leaf[i] && a->threshold[i] == b->threshold[i];
  return same;
}

/* reuse_fallback: after a fallback (mode 2), the accurate search of one job keeps that job's
 * model, cut to the chosen tree count: spx_proxy_fit's model on the job's training rows (all
 * samples but fold 0), with the same choice and columns as without reuse; no model with two
 * jobs, without a fallback (mode 0, also with one job) or when the gate passes. */
static void test_reuse_fallback_search(void) {
  gsl_rng *r = spx_rng_stream(22, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 600, 0.3, &y);
  spx_proxy_search_config cfg;
  spx_proxy_search_defaults(&cfg, SPX_HPO_FAST, 4);
  cfg.seed = 7;
  cfg.speed_samples = 500;
  cfg.search_rows = 400;
  cfg.shallow_max_samples = 500; /* one job */
  cfg.merge_rows = 1;
  cfg.reuse_search = 1;
  cfg.reuse_fallback = 1;
  cfg.fallback_r2 = 1.0; /* above this noisy target's held-out R2 */
  spx_proxy_search *s = NULL, *s2 = NULL;
  spx_proxy_choice c1, c2;
  int mode1 = -1, mode2 = -1;
  spx_error err = {0};
  int ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c1, &mode1, &err) == SPX_OK;
  if (!ok) fprintf(stderr, "gated: %s\n", err.msg);
  spx_tree_ensemble *kept = ok ? spx_proxy_search_take_model(s) : NULL;
  spx_test(ok && mode1 == 2 && c1.eta == cfg.fast_eta && c1.max_depth == 4 &&
               c1.merge_rows == 0 && kept && kept->ntrees == c1.trees &&
               spx_proxy_search_take_model(s) == NULL,
           "fell back, reuse_fallback: the accurate search's model with its %zu trees (got "
           "%zu), handed over once (mode %d, eta %g)", c1.trees, kept ? kept->ntrees : 0,
           mode1, c1.eta);
  cfg.reuse_fallback = 0;
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s2, &c2, &mode2, NULL) == SPX_OK;
  const uint32_t *cols1 = NULL, *cols2 = NULL;
  size_t n1 = s ? spx_proxy_search_columns(s, &cols1) : 0;
  size_t n2 = s2 ? spx_proxy_search_columns(s2, &cols2) : 0;
  int same_cols = n1 == n2 && (cols1 == NULL) == (cols2 == NULL) &&
                  (cols1 == NULL || memcmp(cols1, cols2, n1 * sizeof *cols1) == 0);
  spx_test(ok && mode2 == 2 && spx_proxy_search_take_model(s2) == NULL &&
               c2.trees == c1.trees && c2.cv_r2 == c1.cv_r2 && c2.max_depth == c1.max_depth &&
               same_cols,
           "reuse_fallback off: no model, the same choice (%zu / %zu trees) and columns "
           "(%zu / %zu)", c1.trees, c2.trees, n1, n2);
  /* the job's training rows: all 600 samples but fold 0 (the first 120) */
  spx_maskset *tm = spx_maskset_create(12, 480);
  double *ty = malloc(480 * sizeof *ty);
  spx_tree_ensemble *fit = NULL;
  if (tm && ty) {
    for (size_t i = 0; i < 480; i++) {
      memcpy(spx_maskset_row(tm, i), spx_maskset_row(m, 120 + i), m->words * sizeof(uint64_t));
      ty[i] = y[120 + i];
    }
    c1.subsample = 0.0;
    ok = kept && spx_proxy_fit(tm, ty, cols1, cols1 ? n1 : 0, &c1, 1, 7, &fit, &err) == SPX_OK;
  }
  spx_test(ok && same_ensemble(fit, kept),
           "the kept model is spx_proxy_fit's on the job's 480 training rows, node for node");
  spx_tree_ensemble_destroy(&fit);
  spx_tree_ensemble_destroy(&kept);
  spx_proxy_search_destroy(&s);
  spx_proxy_search_destroy(&s2);
  spx_maskset_destroy(&tm);
  free(ty);
  cfg.reuse_fallback = 1;
  cfg.shallow_max_samples = 0; /* both depths: two jobs */
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c2, &mode2, NULL) == SPX_OK;
  spx_test(ok && mode2 == 2 && spx_proxy_search_take_model(s) == NULL,
           "two jobs after a fallback: no model (mode %d)", mode2);
  spx_proxy_search_destroy(&s);
  cfg.shallow_max_samples = 500;
  cfg.speed_samples = 0; /* the accurate search alone, one job: no model (mode 0) */
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c2, &mode2, NULL) == SPX_OK;
  spx_test(ok && mode2 == 0 && spx_proxy_search_take_model(s) == NULL,
           "accurate search without a fallback, one job: no model (mode %d)", mode2);
  spx_proxy_search_destroy(&s);
  cfg.speed_samples = 500;
  cfg.fallback_r2 = -1e300;
  ok = spx_proxy_search_gated(m, y, &cfg, NULL, &s, &c2, &mode2, NULL) == SPX_OK;
  kept = ok ? spx_proxy_search_take_model(s) : NULL;
  spx_test(ok && mode2 == 1 && c2.eta == cfg.speed_eta && kept != NULL,
           "gate passed: the speed search's model (mode %d, eta %g)", mode2, c2.eta);
  spx_tree_ensemble_destroy(&kept);
  spx_proxy_search_destroy(&s);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

/* The pipeline's rule for reuse_fallback: the fallback's model is the proxy exactly when its
 * kept support is refit (path refined); otherwise the choice is fit on all samples and the
 * result is bit for bit the one without reuse_fallback. The edge: refine_max_ratio half a
 * coefficient above and below the model's kept count k (kept > ratio x N skips the refit). */
static void test_reuse_fallback_rule(void) {
  gsl_rng *r = spx_rng_stream(23, 0, 0, 0, 0);
  double *y = NULL;
  spx_maskset *m = noisy_small_samples(r, 1200, 0.3, &y);
  size_t N = m->count;
  spx_proxyspex_config cfg;
  spx_proxyspex_defaults(&cfg);
  cfg.search.t = 4;
  cfg.search.speed_samples = 1000;
  cfg.search.search_rows = 800;
  cfg.search.shallow_max_samples = 1000; /* one job */
  cfg.search.fallback_r2 = 1.0;          /* the speed search falls back */
  spx_proxyspex_info i0, i1, i2, i3, i4;
  spx_transform *t0 = NULL, *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
  spx_error err = {0};
  int ok = spx_proxyspex_fit(m, y, &cfg, 5, &t0, &i0, &err) == SPX_OK;
  if (!ok) fprintf(stderr, "fit: %s\n", err.msg);
  spx_test(ok && i0.search_mode == 2 && i0.path == SPX_PROXYSPEX_REFINED && i0.reused &&
               !i0.fallback_dropped && i0.kept >= 2,
           "sparse target: the fallback's model, refined (mode %d, path %d, %zu kept)",
           i0.search_mode, (int)i0.path, i0.kept);
  size_t k = i0.kept;
  spx_proxyspex_config off = cfg;
  off.search.reuse_fallback = 0;
  ok = spx_proxyspex_fit(m, y, &off, 5, &t1, &i1, NULL) == SPX_OK;
  spx_test(ok && i1.search_mode == 2 && !i1.reused && i1.choice.trees == i0.choice.trees &&
               i1.choice.cv_r2 == i0.choice.cv_r2,
           "reuse_fallback off: the same choice, fit on all samples (reused %d)", i1.reused);
  cfg.refine_max_ratio = ((double)k + 0.5) / (double)N; /* k fits: still refit */
  ok = spx_proxyspex_fit(m, y, &cfg, 5, &t2, &i2, NULL) == SPX_OK;
  spx_test(ok && i2.reused && i2.path == SPX_PROXYSPEX_REFINED && same_transform(t0, t2),
           "refine_max_ratio (k + 0.5) / N: the fallback's model kept (reused %d)", i2.reused);
  cfg.refine_max_ratio = ((double)k - 0.5) / (double)N; /* k does not fit: no refit */
  ok = spx_proxyspex_fit(m, y, &cfg, 5, &t3, &i3, NULL) == SPX_OK;
  off.refine_max_ratio = cfg.refine_max_ratio;
  ok = ok && spx_proxyspex_fit(m, y, &off, 5, &t4, &i4, NULL) == SPX_OK;
  spx_test(ok && !i3.reused && i3.fallback_dropped && !i4.fallback_dropped &&
               i3.path == i4.path && i3.kept == i4.kept && same_transform(t3, t4),
           "refine_max_ratio (k - 0.5) / N: the model dropped, the fit on all samples, bit for "
           "bit the result without reuse_fallback (paths %d %d)", (int)i3.path, (int)i4.path);
  spx_transform *tt[] = {t0, t1, t2, t3, t4};
  for (size_t i = 0; i < 5; i++) spx_transform_destroy(&tt[i]);
  free(y);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
}

int main(void) {
  test_option_defaults();
  test_merged_rows();
  test_reuse_search();
  test_reuse_fallback_search();
  test_reuse_fallback_rule();
  test_fit_rows_no_reuse();
  test_shallow_rule();
  test_min_gain();
  test_work_cap();
  test_two_stage_screening();
  test_gated_search();
  test_truncation();
  test_ridge();
  test_refine_guards();
  test_sampling();
  test_search();
  test_end_to_end();
  return spx_test_summary();
}
