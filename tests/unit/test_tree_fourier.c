/* test_tree_fourier.c: exact Fourier extraction from tree ensembles.
 *
 * 1. Hand-built and random trees (repeated features on a path, thresholds that send 0 and 1
 *    the same way) against the Fourier transform computed by brute force from the definition
 *    F(S) = 2^-n sum_x f(x) (-1)^{|S ∩ x|} over all 2^n masks.
 * 2. XGBoost models (depth 1..6, several hundred trees) read back through the JSON export:
 *    the extracted transform reproduces XGBoost's own predictions on 10,000 random masks, at
 *    n = 20 (dense storage) and n = 100 (sparse: 0 bits missing, see model/xgb.h); the two
 *    storage forms give the same model. */
#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/transform.h"
#include "core/wht.h"
#include "model/xgb.h"
#include "model/tree_fourier.h"
#include "testing.h"

/* Brute-force Fourier coefficients of an ensemble on n <= 12 features: dense[s] for the
 * subset with bit pattern s. */
static double *brute_fourier(const spx_tree_ensemble *e, unsigned n) {
  size_t len = (size_t)1 << n;
  double *f = malloc(len * sizeof *f), *F = calloc(len, sizeof *F);
  for (size_t x = 0; x < len; x++) {
    uint64_t m = x;
    f[x] = spx_tree_ensemble_predict(e, &m);
  }
  for (size_t s = 0; s < len; s++) {
    double acc = 0;
    for (size_t x = 0; x < len; x++) acc += __builtin_parityll(s & x) ? -f[x] : f[x];
    F[s] = acc / (double)len;
  }
  free(f);
  return F;
}

/* Max |extracted - brute| over all 2^n subsets (absent entries count as 0). */
static double fourier_error(const spx_tree_ensemble *e, unsigned n) {
  double *F = brute_fourier(e, n);
  spx_transform *t = NULL;
  spx_error err;
  if (spx_tree_ensemble_fourier(e, &t, &err) != SPX_OK) {
    printf("extraction failed: %s\n", err.msg);
    free(F);
    return INFINITY;
  }
  double worst = 0;
  for (size_t s = 0; s < ((size_t)1 << n); s++) {
    uint32_t idx[32], d = 0;
    for (unsigned i = 0; i < n; i++)
      if (s >> i & 1u) idx[d++] = i;
    double got = spx_transform_get(t, idx, d, NULL);
    if (fabs(got - F[s]) > worst) worst = fabs(got - F[s]);
  }
  spx_transform_destroy(&t);
  free(F);
  return worst;
}

static void test_hand_built(void) {
  /* f = 1 if x0 = 0; 2 if x0 = 1, x2 = 0; -4 if x0 = 1, x2 = 1 (threshold 1: x < 1 left).
   * F(∅) = (1 + 2 - 4)/2 / 2 ... computed by hand over the 8 masks of n = 3:
   * mean = (4*1 + 2*2 + 2*(-4))/8 = 0; F({0}) = (4*1 - 2*2 - 2*(-4))/8 = 1;
   * F({2}) = (2*1 + 2 - (2*1) - (-4) ... use the table: x0=0 half: value 1 regardless of x2.
   * F({2}) = [ (x2=0: 2*1 + 2*2) - (x2=1: 2*1 + 2*(-4)) ]/8 = (6 + 6)/8 = 1.5;
   * F({0,2}) = [ x0=0,x2=0: +2; x0=0,x2=1: -2; x0=1,x2=0: -4; x0=1,x2=1: +(-8) ]/8 = -1.5. */
  spx_tree_ensemble *e = spx_tree_ensemble_create(3, 1, 5);
  int32_t L[] = {1, -1, 3, -1, -1}, R[] = {2, -1, 4, -1, -1};
  uint32_t F[] = {0, 0, 2, 0, 0};
  double T[] = {0.5, 0, 1.0, 0, 0}, V[] = {0, 1, 0, 2, -4};
  for (int k = 0; k < 5; k++) {
    e->left[k] = L[k];
    e->right[k] = R[k];
    e->feature[k] = F[k];
    e->threshold[k] = T[k];
    e->leaf[k] = V[k];
  }
  e->tree_start[1] = 5;
  spx_error err;
  spx_test(spx_tree_ensemble_validate(e, 2, &err) == SPX_OK, "hand-built tree is valid");
  spx_transform *t = NULL;
  spx_test(spx_tree_ensemble_fourier(e, &t, &err) == SPX_OK, "hand-built tree extracts");
  uint32_t i0[] = {0}, i2[] = {2}, i02[] = {0, 2};
  /* exact binary fractions: no rounding at all */
  spx_test_abs(spx_transform_get(t, i0, 0, NULL), 0.0, 0, "hand tree F(empty) = 0");
  spx_test_abs(spx_transform_get(t, i0, 1, NULL), 1.0, 0, "hand tree F({0}) = 1");
  spx_test_abs(spx_transform_get(t, i2, 1, NULL), 1.5, 0, "hand tree F({2}) = 1.5");
  spx_test_abs(spx_transform_get(t, i02, 2, NULL), -1.5, 0, "hand tree F({0,2}) = -1.5");
  spx_test_int((long long)spx_transform_size(t), 4, "hand tree has 4 stored coefficients");
  spx_test(fourier_error(e, 3) == 0.0, "hand tree equals brute force exactly");
  spx_transform_destroy(&t);
  /* validation errors */
  e->left[2] = 7;
  spx_test(spx_tree_ensemble_validate(e, 0, &err) == SPX_EINVAL, "child out of range rejected");
  e->left[2] = 3;
  spx_test(spx_tree_ensemble_validate(e, 1, &err) == SPX_ERANGE, "depth limit enforced");
  e->feature[0] = 3;
  spx_test(spx_tree_ensemble_validate(e, 0, &err) == SPX_EINVAL, "feature >= n rejected");
  spx_tree_ensemble_destroy(&e);
  spx_test(e == NULL, "destroy clears the handle");
  spx_tree_ensemble_destroy(NULL);
}

/* A random full tree of the given depth on node array slice k.., returns nodes used. */
static int32_t build_random(spx_tree_ensemble *e, size_t base, int32_t *next, unsigned depth,
                            unsigned n, gsl_rng *r) {
  int32_t me = (*next)++;
  size_t k = base + (size_t)me;
  if (depth == 0) {
    e->left[k] = e->right[k] = -1;
    e->leaf[k] = gsl_rng_uniform(r) * 4 - 2;
    return me;
  }
  static const double thresholds[] = {0.5, 1.0, 0.25, 0.0, 1.5, -1.0};
  e->feature[k] = (uint32_t)gsl_rng_uniform_int(r, n); /* repeats on a path happen often */
  e->threshold[k] = thresholds[gsl_rng_uniform_int(r, 6)];
  e->leaf[k] = 0;
  int32_t l = build_random(e, base, next, depth - 1, n, r);
  int32_t rr = build_random(e, base, next, depth - 1, n, r);
  e->left[k] = l;
  e->right[k] = rr;
  return me;
}

static void test_random_trees(void) {
  gsl_rng *r = spx_rng_stream(21, 1, 0, 0, 0);
  for (unsigned depth = 1; depth <= 6; depth++) {
    const unsigned n = 7;
    size_t ntrees = 5, per = ((size_t)2 << depth) - 1;
    spx_tree_ensemble *e = spx_tree_ensemble_create(n, ntrees, ntrees * per);
    for (size_t t = 0; t < ntrees; t++) {
      e->tree_start[t] = t * per;
      int32_t next = 0;
      build_random(e, t * per, &next, depth, n, r);
    }
    e->tree_start[ntrees] = ntrees * per;
    e->base_score = 0.375;
    spx_error err;
    spx_test(spx_tree_ensemble_validate(e, depth, &err) == SPX_OK, "random depth %u valid",
             depth);
    /* values are sums of at most 5 * 2^depth terms of size <= 2: rounding below 1e-13 */
    double worst = fourier_error(e, n);
    spx_test(worst <= 1e-13, "random trees depth %u: extraction = brute force (err %.3g)", depth,
             worst);
    spx_tree_ensemble_destroy(&e);
  }
  gsl_rng_free(r);
}

/* A hierarchical target on n features with noise. */
static double target(const uint64_t *m, size_t n, gsl_rng *r) {
  double x[8];
  for (int i = 0; i < 8; i++) x[i] = spx_mask_test(m, (size_t)(i * 7) % n);
  return 1.5 * x[0] + x[1] - 0.8 * x[2] + 1.2 * x[0] * x[1] + 0.9 * x[0] * x[1] * x[3] -
         0.7 * x[2] * x[4] + 0.5 * x[0] * x[1] * x[3] * x[5] + 0.3 * x[6] * x[7] +
         0.2 * (gsl_rng_uniform(r) - 0.5);
}

static spx_maskset *random_masks(size_t n, size_t count, gsl_rng *r) {
  spx_maskset *s = spx_maskset_create(n, count);
  if (s) spx_maskset_fill_random(s, r);
  return s;
}

static void test_xgboost(size_t n, unsigned depth, size_t trees, gsl_rng *r) {
  size_t N = 2000, M = 10000;
  spx_maskset *train = random_masks(n, N, r), *test = random_masks(n, M, r);
  double *y = malloc(N * sizeof *y), *xgb = malloc(M * sizeof *xgb);
  double *mine = malloc(M * sizeof *mine);
  for (size_t i = 0; i < N; i++) y[i] = target(spx_maskset_row(train, i), n, r);
  spx_error err;
  spx_xgb_data *d = spx_xgb_data_create(train, y, NULL, N, NULL, 0, 1, &err);
  spx_xgb_data *dt = spx_xgb_data_create(test, NULL, NULL, M, NULL, 0, 1, &err);
  spx_xgb_params p = {.max_depth = (int)depth, .eta = 0.1, .threads = 1, .seed = 3};
  spx_xgb *b = spx_xgb_create(d, &p, &err);
  int ok = b && spx_xgb_boost(b, trees, &err) == SPX_OK;
  spx_tree_ensemble *e = NULL;
  spx_transform *t = NULL;
  ok = ok && spx_xgb_export(b, (uint32_t)n, NULL, 0, &e, &err) == SPX_OK;
  ok = ok && spx_tree_ensemble_fourier(e, &t, &err) == SPX_OK;
  ok = ok && spx_xgb_predict(b, dt, xgb, &err) == SPX_OK;
  if (!spx_test(ok, "n %zu depth %u: train, export, extract", n, depth)) {
    printf("  %s\n", err.msg);
  } else {
    spx_test_int((long long)e->ntrees, (long long)trees, "export has %zu trees", trees);
    spx_test(spx_transform_max_degree(t) <= depth, "degree <= depth %u", depth);
    if (n <= 24) { /* dense inverse WHT gives the transform's value on every mask */
      size_t len = (size_t)1 << n;
      double *dense = calloc(len, sizeof *dense);
      for (size_t k = 0; k < spx_transform_size(t); k++) {
        const uint32_t *idx;
        uint32_t deg;
        double v;
        spx_transform_entry(t, k, &idx, &deg, &v);
        size_t s = 0;
        for (uint32_t j = 0; j < deg; j++) s |= (size_t)1 << idx[j];
        dense[s] += v;
      }
      spx_wht_plan *plan = spx_wht_plan_create((unsigned)n, NULL);
      spx_wht_execute(plan, dense);
      spx_wht_plan_destroy(&plan);
      for (size_t i = 0; i < M; i++) mine[i] = dense[spx_maskset_row(test, i)[0]];
      free(dense);
    } else {
      spx_transform_predict(t, test, mine, &err);
    }
    double worst_xgb = 0, worst_exact = 0;
    for (size_t i = 0; i < M; i++) {
      double exact = spx_tree_ensemble_predict(e, spx_maskset_row(test, i));
      worst_xgb = fmax(worst_xgb, fabs(mine[i] - xgb[i]));
      worst_exact = fmax(worst_exact, fabs(mine[i] - exact));
    }
    /* XGBoost sums single-precision leaves in single precision; outputs are O(5), so each
     * addition rounds by <= 2.4e-7 and several hundred trees stay below 1e-5. */
    spx_test(worst_xgb <= 1e-5,
             "n %zu depth %u %zu trees: Fourier = XGBoost predictions on %zu masks (max %.3g)",
             n, depth, trees, M, worst_xgb);
    /* against the double-precision tree walk only summation order differs */
    spx_test(worst_exact <= 1e-11, "n %zu depth %u: Fourier = exact tree walk (max %.3g)", n,
             depth, worst_exact);
  }
  spx_transform_destroy(&t);
  spx_tree_ensemble_destroy(&e);
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&d);
  spx_xgb_data_destroy(&dt);
  spx_maskset_destroy(&train);
  spx_maskset_destroy(&test);
  free(y);
  free(xgb);
  free(mine);
}

static void test_bad_json(void) {
  spx_tree_ensemble *e = NULL;
  spx_error err;
  const char *cases[] = {
      "{not json",
      "{\"learner\": {}}",
      "{\"learner\": {\"gradient_booster\": {\"name\": \"gblinear\"}}}",
      "{\"learner\": {\"learner_model_param\": {\"base_score\": \"5E-1\"}, "
      "\"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"trees\": [{"
      "\"left_children\": [1, -1], \"right_children\": [-1, -1], \"split_indices\": [0, 0], "
      "\"split_conditions\": [0.5, 1]}]}}}}",
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    spx_test(spx_xgb_parse_json(cases[i], strlen(cases[i]), 4, NULL, 0, 0, &e, &err) ==
                     SPX_EINVAL &&
                 e == NULL,
             "malformed model %zu rejected (%s)", i, err.msg);
  const char *good =
      "{\"learner\": {\"learner_model_param\": {\"base_score\": \"5E-1\"}, "
      "\"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"trees\": [{"
      "\"left_children\": [1, -1, -1], \"right_children\": [2, -1, -1], "
      "\"split_indices\": [3, 0, 0], \"split_conditions\": [1, 0.25, -0.75]}]}}}}";
  int rc = spx_xgb_parse_json(good, strlen(good), 4, NULL, 0, 0, &e, &err);
  spx_test(rc == SPX_OK && e && e->ntrees == 1 && e->base_score == 0.5 && e->feature[0] == 3 &&
               e->leaf[1] == 0.25 && e->leaf[2] == -0.75,
           "small JSON model parsed (base_score string, leaves from split_conditions)");
  spx_tree_ensemble_destroy(&e);
  /* mask data (0 = missing): 0 goes to the default child, 1 by the threshold. Node 1 has
   * value 0.25, node 2 -0.75; bit 3 of mask 8 is 1, of mask 0 is 0. */
  const struct {
    const char *cond, *dl;
    double at0, at1; /* predictions with bit 3 = 0 and = 1 (base 0.5 included) */
  } zm[] = {
      {"1", "1", 0.75, -0.25},  /* 0 left (default), 1 right (1 < 1 is false): as is */
      {"2", "0", -0.25, 0.75},  /* 0 right (default), 1 left (1 < 2): children swapped */
      {"2", "1", 0.75, 0.75},   /* both left: no real split, kept */
      {"1", "0", -0.25, -0.25}, /* both right */
  };
  for (size_t i = 0; i < sizeof zm / sizeof *zm; i++) {
    char js[512];
    snprintf(js, sizeof js,
             "{\"learner\": {\"learner_model_param\": {\"base_score\": \"5E-1\"}, "
             "\"gradient_booster\": {\"name\": \"gbtree\", \"model\": {\"trees\": [{"
             "\"left_children\": [1, -1, -1], \"right_children\": [2, -1, -1], "
             "\"split_indices\": [3, 0, 0], \"split_conditions\": [%s, 0.25, -0.75], "
             "\"default_left\": [%s, 0, 0]}]}}}}",
             zm[i].cond, zm[i].dl);
    uint64_t m0 = 0, m1 = 8;
    rc = spx_xgb_parse_json(js, strlen(js), 4, NULL, 0, 1, &e, &err);
    spx_test(rc == SPX_OK && e && spx_tree_ensemble_predict(e, &m0) == zm[i].at0 &&
                 spx_tree_ensemble_predict(e, &m1) == zm[i].at1,
             "mask-data split %zu (condition %s, default_left %s): 0 -> %g, 1 -> %g", i,
             zm[i].cond, zm[i].dl, zm[i].at0, zm[i].at1);
    spx_tree_ensemble_destroy(&e);
  }
  rc = spx_xgb_parse_json(good, strlen(good), 4, NULL, 0, 1, &e, &err);
  spx_test(rc == SPX_EINVAL && e == NULL && strstr(err.msg, "tree node arrays"),
           "a mask-data model without default_left is rejected (%s)", err.msg);
}

/* The two storage forms of mask data (xgb.h): 63 columns are stored dense, 64 sparse. With
 * feature 63 zero in every mask (no split can use it), both data sets hold the same
 * information, and training must give the same trees: the exported ensembles agree on every
 * test mask, bit for bit, and each matches XGBoost's own prediction on its data set. The
 * sparse model is also trained on a column subset (cols in reverse order), whose export
 * maps columns back to features. */
static void test_storage_forms(gsl_rng *r) {
  size_t n = 64, N = 3000, M = 2000;
  spx_maskset *train = random_masks(n, N, r), *test = random_masks(n, M, r);
  for (size_t i = 0; i < N; i++) spx_mask_clear(spx_maskset_row(train, i), 63);
  for (size_t i = 0; i < M; i++) spx_mask_clear(spx_maskset_row(test, i), 63);
  double *y = malloc(N * sizeof *y), *pred = malloc(2 * M * sizeof *pred);
  for (size_t i = 0; i < N; i++) y[i] = target(spx_maskset_row(train, i), n, r);
  uint32_t rev[64];
  for (uint32_t k = 0; k < 64; k++) rev[k] = 63 - k;
  spx_xgb_params p = {.max_depth = 5, .eta = 0.3, .threads = 1, .seed = 3};
  spx_tree_ensemble *e[3] = {NULL, NULL, NULL};
  spx_error err;
  int ok = 1;
  for (int form = 0; form < 3; form++) { /* 63 columns, 64 columns, 64 reversed */
    size_t ncols = form == 0 ? 63 : 64;
    const uint32_t *cols = form == 2 ? rev : NULL;
    spx_maskset *tr = train, *te = test;
    spx_maskset *tr63 = NULL, *te63 = NULL;
    if (form == 0) { /* the same masks over 63 features */
      tr63 = spx_maskset_create(63, N);
      te63 = spx_maskset_create(63, M);
      for (size_t i = 0; tr63 && i < N; i++)
        spx_maskset_row(tr63, i)[0] = spx_maskset_row(train, i)[0];
      for (size_t i = 0; te63 && i < M; i++)
        spx_maskset_row(te63, i)[0] = spx_maskset_row(test, i)[0];
      tr = tr63;
      te = te63;
    }
    spx_xgb_data *d = tr ? spx_xgb_data_create(tr, y, NULL, N, cols, cols ? ncols : 0, 1, &err)
                         : NULL;
    spx_xgb_data *dt = te ? spx_xgb_data_create(te, NULL, NULL, M, cols, cols ? ncols : 0, 1,
                                                &err)
                          : NULL;
    spx_xgb *b = d ? spx_xgb_create(d, &p, &err) : NULL;
    int fok = dt && b && spx_xgb_boost(b, 200, &err) == SPX_OK &&
              spx_xgb_export(b, 64, cols, cols ? ncols : 0, &e[form], &err) == SPX_OK &&
              spx_xgb_predict(b, dt, pred, &err) == SPX_OK;
    if (!spx_test(fok, "storage form %d: train, export, predict", form))
      printf("  %s\n", err.msg);
    double worst = 0;
    for (size_t i = 0; fok && i < M; i++)
      worst = fmax(worst, fabs(spx_tree_ensemble_predict(e[form], spx_maskset_row(test, i)) -
                               pred[i]));
    spx_test(fok && worst <= 1e-5, "storage form %d: export = XGBoost's predictions (max %.3g)",
             form, worst);
    ok = ok && fok;
    spx_xgb_destroy(&b);
    spx_xgb_data_destroy(&d);
    spx_xgb_data_destroy(&dt);
    spx_maskset_destroy(&tr63);
    spx_maskset_destroy(&te63);
  }
  size_t same = 0;
  for (size_t i = 0; ok && i < M; i++) {
    const uint64_t *m = spx_maskset_row(test, i);
    double a = spx_tree_ensemble_predict(e[0], m);
    same += a == spx_tree_ensemble_predict(e[1], m) && a == spx_tree_ensemble_predict(e[2], m);
  }
  spx_test(ok && same == M,
           "dense (63 columns) and sparse (64, 64 reversed) models agree bit for bit on %zu of "
           "%zu masks",
           same, M);
  for (int form = 0; form < 3; form++) spx_tree_ensemble_destroy(&e[form]);
  /* sparse data without a single 1 (no entries at all): no split is possible, so every
   * tree is a leaf and the model predicts the mean label everywhere */
  spx_maskset *empty = spx_maskset_create(n, 50);
  double ye[50], mean = 0.0;
  for (size_t i = 0; i < 50; i++) mean += (ye[i] = (double)(i % 7)) / 50.0;
  spx_xgb_data *de = empty ? spx_xgb_data_create(empty, ye, NULL, 50, NULL, 0, 1, &err) : NULL;
  spx_xgb *be = de ? spx_xgb_create(de, &p, &err) : NULL;
  spx_tree_ensemble *ee = NULL;
  int eok = be && spx_xgb_boost(be, 5, &err) == SPX_OK &&
            spx_xgb_export(be, 64, NULL, 0, &ee, &err) == SPX_OK;
  uint64_t full = ~(uint64_t)0;
  spx_test(eok && ee->nnodes == 5 && fabs(spx_tree_ensemble_predict(ee, &full) - mean) < 1e-6,
           "64 columns of zeros (an empty sparse matrix): 5 single-leaf trees, prediction %g = "
           "mean label %g (%s)",
           eok ? spx_tree_ensemble_predict(ee, &full) : NAN, mean, eok ? "ok" : err.msg);
  spx_tree_ensemble_destroy(&ee);
  spx_xgb_destroy(&be);
  spx_xgb_data_destroy(&de);
  spx_maskset_destroy(&empty);
  spx_maskset_destroy(&train);
  spx_maskset_destroy(&test);
  free(y);
  free(pred);
}

int main(void) {
  test_hand_built();
  test_random_trees();
  test_bad_json();
  gsl_rng *r = spx_rng_stream(5, 2, 0, 0, 0);
  for (unsigned depth = 1; depth <= 6; depth++) test_xgboost(20, depth, 300, r);
  test_xgboost(100, 4, 400, r);
  test_storage_forms(r);
  gsl_rng_free(r);
  return spx_test_summary();
}
