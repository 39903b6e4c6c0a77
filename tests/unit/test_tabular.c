/* test_tabular.c: the `tabular` oracle against XGBoost's own predictions (a booster trained
 * here on the documented split and asked through model/xgb.h's dense API), its conventions
 * (empty mask = training mean, features = k, determinism), its exact Fourier ground truth,
 * the exact method at k = 8, and its error messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "methods/method.h"
#include "model/xgb.h"
#include "oracle/oracle.h"
#include "oracle/sklearn_data.h"
#include "testing.h"

/* XGBoost sums 200 single-precision leaf values into margins of size ~10: rounding stays far
 * below 1e-4, while a single wrong branch changes the margin by at least one leaf value
 * (about 1e-3 or more). */
#define XGB_TOL 1e-4

static spx_options *opts_for(long long features, long long seed, const char *dir) {
  spx_options *o = spx_options_create("oracle tabular");
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", features);
  spx_options_put(o, "features", SPX_OPT_INT, buf, "test:1:1", NULL);
  snprintf(buf, sizeof buf, "%lld", seed);
  spx_options_put(o, "seed", SPX_OPT_INT, buf, "test:2:1", NULL);
  spx_options_put(o, "test_rows", SPX_OPT_INT, "20", "test:3:1", NULL);
  if (dir) spx_options_put(o, "data_dir", SPX_OPT_STRING, dir, "test:4:1", NULL);
  return o;
}

static spx_oracle *open_tab(long long features, long long seed, size_t explicand) {
  spx_error err;
  spx_options *o = opts_for(features, seed, NULL);
  spx_oracle *orc = NULL;
  int rc = spx_oracle_open(spx_oracle_lookup("tabular"), o, explicand, &orc, &err);
  spx_test(rc == SPX_OK, "open tabular features=%lld seed=%lld explicand %zu (%s)", features,
           seed, explicand, rc ? err.msg : "");
  spx_options_destroy(&o);
  return orc;
}

/* The documented split, written out independently: the file's rows shuffled by Fisher-Yates
 * with spx_rng_stream(seed, hash("tabular split"), 0, 0, 0); the last test_rows are test rows. */
static int load_split(long long seed, spx_dataset *ds) {
  spx_error err;
  if (spx_dataset_read_csv(SPX_SKLEARN_DATA_DIR "/breast_cancer.csv", 1, ds, &err)) return 1;
  gsl_rng *r = spx_rng_stream((uint64_t)seed, spx_hash_string("tabular split"), 0, 0, 0);
  for (size_t i = ds->rows - 1; i > 0; i--) {
    size_t j = (size_t)gsl_rng_uniform_int(r, i + 1);
    for (size_t c = 0; c < ds->d; c++) {
      double t = ds->x[i * ds->d + c];
      ds->x[i * ds->d + c] = ds->x[j * ds->d + c];
      ds->x[j * ds->d + c] = t;
    }
    int t = ds->y[i];
    ds->y[i] = ds->y[j];
    ds->y[j] = t;
  }
  gsl_rng_free(r);
  return 0;
}

/* Train XGBoost on the split's first k columns (same settings as the oracle's defaults) and
 * compare the oracle with XGBoost's margin on rows built from masks: kept features at the
 * explicand's values, removed ones at the training means. */
static void check_against_xgboost(long long k, long long seed, size_t explicand) {
  const size_t test_rows = 20, nmask = 40;
  spx_dataset ds = {0};
  spx_error err;
  if (load_split(seed, &ds)) {
    spx_test(0, "load the split");
    return;
  }
  size_t ntrain = ds.rows - test_rows;
  double *xt = malloc(ntrain * (size_t)k * sizeof *xt), *yt = malloc(ntrain * sizeof *yt);
  double mean[30] = {0};
  for (size_t i = 0; i < ntrain; i++) {
    for (size_t j = 0; j < (size_t)k; j++) {
      xt[i * (size_t)k + j] = ds.x[i * ds.d + j];
      mean[j] += ds.x[i * ds.d + j] / (double)ntrain;
    }
    yt[i] = ds.y[i];
  }
  const double *row = ds.x + (ntrain + explicand) * ds.d;
  spx_oracle *orc = open_tab(k, seed, explicand);
  spx_maskset *m = spx_maskset_create((size_t)k, nmask);
  gsl_rng *r = spx_rng_stream(5, 6, 7, 8, 9);
  double *xq = malloc(nmask * (size_t)k * sizeof *xq);
  for (size_t q = 0; q < nmask; q++) {
    uint64_t *mq = spx_maskset_row(m, q);
    for (size_t j = 0; j < (size_t)k; j++) {
      /* row 0: full mask, row 1: empty mask, then uniform masks */
      int keep = q == 0 ? 1 : q == 1 ? 0 : (int)gsl_rng_uniform_int(r, 2);
      if (keep) spx_mask_set(mq, j);
      xq[q * (size_t)k + j] = keep ? row[j] : mean[j];
    }
  }
  spx_xgb_data *dtrain = spx_xgb_data_create_dense(xt, ntrain, (size_t)k, yt, 1, &err);
  spx_xgb_data *dq = spx_xgb_data_create_dense(xq, nmask, (size_t)k, NULL, 1, &err);
  spx_xgb_params p = {.max_depth = 4, .eta = 0.1, .threads = 1, .seed = 0};
  spx_xgb *b = dtrain ? spx_xgb_create_logistic(dtrain, &p, &err) : NULL;
  double want[40], got[40];
  int ok = orc && dq && b && spx_xgb_boost(b, 200, &err) == SPX_OK &&
           spx_xgb_predict(b, dq, want, &err) == SPX_OK &&
           spx_oracle_eval_all(orc, m, got, &err) == SPX_OK;
  spx_test(ok, "k=%lld: train XGBoost and evaluate (%s)", k, ok ? "" : err.msg);
  if (ok) {
    spx_test_abs(got[0], want[0], XGB_TOL, "k=%lld: full mask = XGBoost margin of the row", k);
    spx_test_abs(got[1], want[1], XGB_TOL, "k=%lld: empty mask = margin at the training mean",
                 k);
    double worst = 0;
    for (size_t q = 2; q < nmask; q++) worst = fmax(worst, fabs(got[q] - want[q]));
    spx_test(worst < XGB_TOL, "k=%lld: 38 random masks = XGBoost margins (max error %.2g)", k,
             worst);
    spx_test(fabs(got[0] - got[1]) > 0.1, "k=%lld: full and empty differ (%g vs %g)", k, got[0],
             got[1]);
  }
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&dq);
  spx_xgb_data_destroy(&dtrain);
  spx_oracle_destroy(&orc);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
  free(xq);
  free(xt);
  free(yt);
  spx_dataset_free(&ds);
}

static int eval_oracle(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(ctx, masks, values, err);
}

/* All 2^n masks of n features. */
static spx_maskset *all_masks(size_t n) {
  spx_maskset *m = spx_maskset_create(n, (size_t)1 << n);
  for (size_t q = 0; q < ((size_t)1 << n); q++)
    for (size_t j = 0; j < n; j++)
      if (q >> j & 1) spx_mask_set(spx_maskset_row(m, q), j);
  return m;
}

static void check_exact_k8(void) {
  spx_error err;
  spx_oracle *orc = open_tab(8, 0, 3);
  if (orc == NULL) return;
  spx_test_int((long long)orc->n, 8, "features = 8 gives n = 8");
  spx_options *mo = spx_options_create("method exact");
  gsl_rng *r = spx_rng_stream(1, 2, 3, 4, 5);
  spx_transform *t = NULL;
  spx_method_stats st;
  int rc = spx_method_run("exact", 8, 256, mo, r, eval_oracle, orc, &t, &st, &err);
  spx_test(rc == SPX_OK, "exact at k = 8 with 256 queries (%s)", rc ? err.msg : "");
  spx_maskset *m = all_masks(8);
  double y[256], yt[256], ytruth[256];
  if (rc == SPX_OK && spx_oracle_eval_all(orc, m, y, &err) == SPX_OK &&
      spx_transform_predict(t, m, yt, &err) == SPX_OK &&
      spx_transform_predict(spx_oracle_truth(orc), m, ytruth, &err) == SPX_OK) {
    double w1 = 0, w2 = 0;
    for (size_t q = 0; q < 256; q++) {
      w1 = fmax(w1, fabs(yt[q] - y[q]));
      w2 = fmax(w2, fabs(ytruth[q] - y[q]));
    }
    /* both are sums of ~10^3-10^4 double terms of size <= 10: 1e-9 is rounding */
    spx_test(w1 < 1e-9, "exact transform = oracle on all 256 masks (max error %.2g)", w1);
    spx_test(w2 < 1e-9, "oracle truth = oracle on all 256 masks (max error %.2g)", w2);
  } else {
    spx_test(0, "evaluate k = 8 (%s)", err.msg);
  }
  spx_transform_destroy(&t);
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
  spx_options_destroy(&mo);
  spx_oracle_destroy(&orc);
}

/* At n = 30: the truth predicts the oracle on random masks; two opens agree; another seed
 * gives another split. */
static void check_full_and_determinism(void) {
  spx_error err;
  spx_oracle *a = open_tab(30, 0, 7), *b = open_tab(30, 0, 7), *c = open_tab(30, 1, 7);
  if (!a || !b || !c) goto done;
  spx_test_int((long long)a->n, 30, "default n = 30");
  spx_test(a->labels && strcmp(a->labels[0], "mean radius") == 0 &&
               strcmp(a->labels[29], "worst fractal dimension") == 0,
           "labels are scikit-learn's feature names");
  spx_test(strstr(spx_oracle_explicand_of(a), "test row 7") != NULL, "explicand described: %s",
           spx_oracle_explicand_of(a));
  size_t count = 0;
  spx_options *o = opts_for(30, 0, NULL);
  int erc = spx_oracle_explicands(spx_oracle_lookup("tabular"), o, &count, &err);
  spx_test(erc == SPX_OK && count == 20, "explicands = test_rows (%zu)", count);
  spx_options_destroy(&o);
  enum { Q = 300 };
  spx_maskset *m = spx_maskset_create(30, Q);
  gsl_rng *r = spx_rng_stream(9, 9, 9, 9, 9);
  for (size_t q = 0; q < Q; q++)
    for (size_t j = 0; j < 30; j++)
      if (gsl_rng_uniform_int(r, 2)) spx_mask_set(spx_maskset_row(m, q), j);
  double ya[Q], yb[Q], yc[Q], yt[Q];
  spx_oracle_eval_all(a, m, ya, &err);
  spx_oracle_eval_all(b, m, yb, &err);
  spx_oracle_eval_all(c, m, yc, &err);
  spx_transform_predict(spx_oracle_truth(a), m, yt, &err);
  int same = 1, differ = 0;
  double worst = 0;
  for (size_t q = 0; q < Q; q++) {
    same = same && ya[q] == yb[q];
    differ = differ || ya[q] != yc[q];
    worst = fmax(worst, fabs(yt[q] - ya[q]));
  }
  spx_test(same, "two opens give bit-identical values");
  spx_test(differ, "seed 1 gives another split");
  spx_test(worst < 1e-9, "n = 30: truth = oracle on 300 random masks (max error %.2g)", worst);
  spx_test(spx_transform_basis(spx_oracle_truth(a)) == SPX_BASIS_FOURIER, "truth is in the Fourier basis");
  spx_maskset_destroy(&m);
  gsl_rng_free(r);
done:
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);
  spx_oracle_destroy(&c);
}

static void expect_error(const char *key, const char *kind, const char *value, const char *want) {
  spx_error err = {0};
  spx_options *o = spx_options_create("oracle tabular");
  spx_options_put(o, key, kind[0] == 'i' ? SPX_OPT_INT : kind[0] == 'd' ? SPX_OPT_FLOAT
                                                                         : SPX_OPT_STRING,
                  value, "cfg.toml:3:1", NULL);
  spx_oracle *orc = NULL;
  int rc = spx_oracle_open(spx_oracle_lookup("tabular"), o, 0, &orc, &err);
  spx_test(rc != SPX_OK && strstr(err.msg, want) != NULL, "%s = %s refused: %s", key, value,
           err.msg);
  spx_oracle_destroy(&orc);
  spx_options_destroy(&o);
}

int main(void) {
  spx_dataset probe = {0};
  spx_error err;
  if (spx_dataset_read_csv(SPX_SKLEARN_DATA_DIR "/breast_cancer.csv", 1, &probe, &err)) {
    printf("SKIP: %s\n", err.msg);
    return spx_test_summary();
  }
  spx_dataset_free(&probe);
  check_against_xgboost(30, 0, 4);
  check_against_xgboost(30, 3, 11);
  check_against_xgboost(8, 0, 3);
  check_exact_k8();
  check_full_and_determinism();
  expect_error("data_dir", "s", "/nonexistent/dir", "/nonexistent/dir/breast_cancer.csv");
  expect_error("features", "i", "31", "features");
  expect_error("features", "i", "0", "features");
  expect_error("test_rows", "i", "501", "test_rows");
  expect_error("depth", "i", "0", "depth");
  expect_error("eta", "d", "0", "eta");
  expect_error("colour", "s", "red", "colour");
  return spx_test_summary();
}
