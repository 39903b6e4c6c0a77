/* test_data_attribution.c: the retraining oracle against an independent optimiser (GSL
 * BFGS on the same penalised likelihood), plus its conventions and error messages. */
#include <gsl/gsl_multimin.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "core/options.h"
#include "core/rng.h"
#include "oracle/oracle.h"
#include "oracle/sklearn_data.h"
#include "testing.h"

/* Independent reimplementation of the value: binary logistic regression with an L2 penalty
 * on every parameter (bias included), minimised by GSL's BFGS. */
typedef struct {
  const double *x; /* rows x w */
  const int *y;
  const uint64_t *mask;
  size_t rows, w;
  double lambda;
} lr_problem;

static double lr_f(const gsl_vector *th, void *params) {
  const lr_problem *p = params;
  double f = 0;
  for (size_t i = 0; i < p->rows; i++) {
    if (!spx_mask_test(p->mask, i)) continue;
    double z = 0;
    for (size_t j = 0; j < p->w; j++) z += gsl_vector_get(th, j) * p->x[i * p->w + j];
    f += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - (p->y[i] ? z : 0);
  }
  double r = 0;
  for (size_t j = 0; j < p->w; j++) r += gsl_vector_get(th, j) * gsl_vector_get(th, j);
  return f + 0.5 * p->lambda * r;
}

static void lr_df(const gsl_vector *th, void *params, gsl_vector *g) {
  const lr_problem *p = params;
  for (size_t j = 0; j < p->w; j++) gsl_vector_set(g, j, p->lambda * gsl_vector_get(th, j));
  for (size_t i = 0; i < p->rows; i++) {
    if (!spx_mask_test(p->mask, i)) continue;
    double z = 0;
    for (size_t j = 0; j < p->w; j++) z += gsl_vector_get(th, j) * p->x[i * p->w + j];
    double r = 1 / (1 + exp(-z)) - p->y[i];
    for (size_t j = 0; j < p->w; j++) *gsl_vector_ptr(g, j) += r * p->x[i * p->w + j];
  }
}

static void lr_fdf(const gsl_vector *th, void *params, double *f, gsl_vector *g) {
  *f = lr_f(th, params);
  lr_df(th, params, g);
}

static spx_options *opts_for(long long n, const char *dataset) {
  spx_options *o = spx_options_create("oracle data_attribution");
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", n);
  spx_options_put(o, "n", SPX_OPT_INT, buf, "test:1:1", NULL);
  spx_options_put(o, "dataset", SPX_OPT_STRING, dataset, "test:2:1", NULL);
  return o;
}

int main(void) {
  spx_error err;
  spx_options *o = opts_for(40, "breast_cancer");
  spx_oracle *orc = NULL;
  int rc = spx_oracle_open(spx_oracle_lookup("data_attribution"), o, 3, &orc, &err);
  if (rc != SPX_OK && strstr(err.msg, "cannot open")) {
    printf("SKIP: %s\n", err.msg);
    spx_options_destroy(&o);
    return spx_test_summary();
  }
  spx_test(rc == SPX_OK, "open breast_cancer n=40 (%s)", rc ? err.msg : "");
  spx_test_int((long long)orc->n, 40, "n features = training points");
  spx_test(orc->labels && strstr(orc->labels[0], "train0:"), "labels name training rows");
  size_t count = 0;
  spx_options *o2 = opts_for(40, "breast_cancer");
  spx_test(spx_oracle_explicands(spx_oracle_lookup("data_attribution"), o2, &count, NULL) == SPX_OK &&
               count == 569 - 40,
           "explicands = remaining rows (%zu)", count);
  spx_options_destroy(&o2);

  /* Masks: full, empty, and random ones. */
  spx_maskset *m = spx_maskset_create(40, 6);
  spx_mask_fill(spx_maskset_row(m, 0), 40, 1);
  gsl_rng *r = spx_rng_stream(5, 0, 0, 0, 0);
  for (size_t i = 2; i < 6; i++)
    for (size_t j = 0; j < 40; j++)
      if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, i), j);
  double v[6], v2[6];
  spx_test(spx_oracle_eval_all(orc, m, v, &err) == SPX_OK, "eval");
  spx_test(v[1] == 0.0, "no training points: margin 0 (the penalised optimum is 0)");
  spx_test(spx_oracle_eval_all(orc, m, v2, &err) == SPX_OK && memcmp(v, v2, sizeof v) == 0,
           "deterministic");
  {
    size_t ih, iw;
    const double *fi, *ei;
    spx_test(spx_oracle_images(orc, &ih, &iw, &fi, &ei) == 0, "breast cancer: no feature images");
  }

  /* Independent check: rebuild the oracle's documented data pipeline here (same CSV, same
   * shuffle stream, same standardisation), fit each mask by GSL's BFGS on the same penalised
   * likelihood, and compare margins. BFGS stops at gradient norm 1e-10 and the oracle at
   * 1e-9 (max norm); with curvature >= lambda = 1 the parameters differ by < 1e-8, so the
   * margin (|x| ~ 10) agrees to 1e-6. */
  {
    char path[4096];
    snprintf(path, sizeof path, "%s", "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv");
    FILE *f = fopen(path, "r");
    double *x = malloc(569 * 31 * sizeof *x);
    int *y = malloc(569 * sizeof *y);
    char line[4096];
    size_t rows = 0;
    if (fgets(line, sizeof line, f) == NULL) rows = 0;
    while (rows < 569 && fgets(line, sizeof line, f)) {
      char *p = line;
      for (int j = 0; j < 31; j++) {
        double val = strtod(p, &p);
        if (*p == ',') p++;
        if (j < 30) x[rows * 31 + j] = val;
        else y[rows] = (int)val;
      }
      rows++;
    }
    fclose(f);
    spx_test_int((long long)rows, 569, "read the CSV independently");
    gsl_rng *sh = spx_rng_stream(0, spx_hash_string("data_attribution split"), 0, 0, 0);
    for (size_t i = rows - 1; i > 0; i--) {
      size_t j = (size_t)gsl_rng_uniform_int(sh, i + 1);
      double tmp[31];
      memcpy(tmp, x + i * 31, sizeof tmp);
      memcpy(x + i * 31, x + j * 31, sizeof tmp);
      memcpy(x + j * 31, tmp, sizeof tmp);
      int t = y[i];
      y[i] = y[j];
      y[j] = t;
    }
    gsl_rng_free(sh);
    size_t n = 40, test = n + 3;
    double xt[31];
    for (size_t j = 0; j < 30; j++) {
      double mean = 0, var = 0;
      for (size_t i = 0; i < n; i++) mean += x[i * 31 + j];
      mean /= (double)n;
      for (size_t i = 0; i < n; i++) var += pow(x[i * 31 + j] - mean, 2);
      double sd = sqrt(var / (double)n);
      xt[j] = (x[test * 31 + j] - mean) / sd;
      for (size_t i = 0; i < n; i++) x[i * 31 + j] = (x[i * 31 + j] - mean) / sd;
    }
    for (size_t i = 0; i < n; i++) x[i * 31 + 30] = 1.0;
    xt[30] = 1.0;
    for (size_t row = 0; row < 6; row++) {
      if (row == 1) continue; /* the empty mask is a convention, checked above */
      lr_problem p = {x, y, spx_maskset_row(m, row), n, 31, 1.0};
      gsl_multimin_function_fdf fn = {lr_f, lr_df, lr_fdf, 31, &p};
      gsl_vector *th = gsl_vector_calloc(31);
      gsl_multimin_fdfminimizer *mn =
          gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 31);
      gsl_multimin_fdfminimizer_set(mn, &fn, th, 0.1, 0.1);
      for (int it = 0; it < 5000; it++) {
        if (gsl_multimin_fdfminimizer_iterate(mn)) break;
        if (gsl_multimin_test_gradient(mn->gradient, 1e-10) == GSL_SUCCESS) break;
      }
      double z = 0;
      for (size_t j = 0; j < 31; j++) z += gsl_vector_get(mn->x, j) * xt[j];
      double want = y[test] ? z : -z;
      spx_test_abs(v[row], want, 1e-6, "mask %zu: margin equals an independent BFGS fit", row);
      gsl_multimin_fdfminimizer_free(mn);
      gsl_vector_free(th);
    }
    free(x);
    free(y);
  }

  /* Convergence: tolerance 1e-12 vs the default agree. */
  spx_options *o3 = opts_for(40, "breast_cancer");
  spx_options_put(o3, "tolerance", SPX_OPT_FLOAT, "1e-12", "test:3:1", NULL);
  spx_oracle *tight = NULL;
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), o3, 3, &tight, &err) == SPX_OK, "open tight");
  double vt[6];
  spx_test(spx_oracle_eval_all(tight, m, vt, &err) == SPX_OK, "tight fit converges (%s)",
           err.msg);
  for (int i = 0; i < 6; i++)
    spx_test_abs(v[i], vt[i], 1e-7, "Newton converged: default vs 1e-12 tolerance, mask %d", i);
  spx_oracle_destroy(&tight);
  spx_options_destroy(&o3);

  /* A huge penalty shrinks the margin towards 0 like 1/lambda. */
  spx_options *o4 = opts_for(40, "breast_cancer");
  spx_options_put(o4, "lambda", SPX_OPT_FLOAT, "1e7", "test:4:1", NULL);
  spx_oracle *stiff = NULL;
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), o4, 3, &stiff, &err) == SPX_OK, "open stiff");
  double vs[6];
  spx_oracle_eval_all(stiff, m, vs, NULL);
  spx_test(fabs(vs[0]) < 1e-4 && fabs(vs[0]) > 0, "lambda 1e7 shrinks the margin to ~0 (%g)",
           vs[0]);
  spx_oracle_destroy(&stiff);
  spx_options_destroy(&o4);

  spx_maskset_destroy(&m);
  gsl_rng_free(r);
  spx_oracle_destroy(&orc);
  spx_options_destroy(&o);

  /* Digits, three classes (softmax). */
  spx_options *od = opts_for(60, "digits");
  const spx_option_kind k3[] = {SPX_OPT_INT, SPX_OPT_INT, SPX_OPT_INT};
  const char *const c3[] = {"1", "7", "9"};
  spx_options_put_array(od, "classes", 3, k3, c3, "test:5:1", NULL);
  spx_oracle *dig = NULL;
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), od, 0, &dig, &err) == SPX_OK, "open digits (%s)",
           err.msg);
  if (dig) {
    spx_maskset *full = spx_maskset_create(60, 1);
    spx_mask_fill(spx_maskset_row(full, 0), 60, 1);
    double vf;
    spx_test(spx_oracle_eval_all(dig, full, &vf, &err) == SPX_OK && isfinite(vf),
             "softmax margin on all points %g", vf);
    spx_maskset_destroy(&full);
    /* Feature images: the oracle's pipeline rebuilt here (read the rows, keep labels 1, 7, 9
     * in file order, Fisher-Yates with the documented stream): feature i is training row i,
     * the explicand image test row 0, pixels / 16. Exact (the same doubles divided by 16). */
    size_t ih = 0, iw = 0;
    const double *fimg = NULL, *eimg = NULL;
    spx_test(spx_oracle_images(dig, &ih, &iw, &fimg, &eimg) == 1 && ih == 8 && iw == 8 &&
                 eimg != NULL,
             "digits: 8 x 8 feature images and an explicand image");
    spx_dataset ds = {0};
    int drc = spx_dataset_read_csv("/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                                   "digits.csv.gz", 0, &ds, &err);
    spx_test(drc == SPX_OK && ds.d == 64, "read digits independently (%s)", drc ? err.msg : "");
    if (drc == SPX_OK && fimg && eimg) {
      size_t kept = 0;
      for (size_t i = 0; i < ds.rows; i++)
        if (ds.y[i] == 1 || ds.y[i] == 7 || ds.y[i] == 9) {
          memmove(ds.x + kept * 64, ds.x + i * 64, 64 * sizeof *ds.x);
          kept++;
        }
      gsl_rng *sh = spx_rng_stream(0, spx_hash_string("data_attribution split"), 0, 0, 0);
      for (size_t i = kept - 1; i > 0; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(sh, i + 1);
        double tmp[64];
        memcpy(tmp, ds.x + i * 64, sizeof tmp);
        memcpy(ds.x + i * 64, ds.x + j * 64, sizeof tmp);
        memcpy(ds.x + j * 64, tmp, sizeof tmp);
      }
      gsl_rng_free(sh);
      int same = 1;
      for (size_t i = 0; i < 60; i++)
        for (size_t k = 0; k < 64; k++) same &= fimg[i * 64 + k] == ds.x[i * 64 + k] / 16.0;
      spx_test(same, "feature image i = training row i of the shuffle, pixels / 16");
      same = 1;
      for (size_t k = 0; k < 64; k++) same &= eimg[k] == ds.x[60 * 64 + k] / 16.0;
      spx_test(same, "explicand image = the test row");
    }
    spx_dataset_free(&ds);
  }
  spx_oracle_destroy(&dig);
  spx_options_destroy(&od);

  /* Errors. */
  spx_options *bad = opts_for(40, "breast_cancer");
  spx_options_put(bad, "data_dir", SPX_OPT_STRING, "/nonexistent", "cfg.toml:9:1", NULL);
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), bad, 0, &dig, &err) == SPX_EIO &&
               strstr(err.msg, "/nonexistent/breast_cancer.csv") &&
               strstr(err.msg, "python3-sklearn"),
           "missing data names the path and the package (%s)", err.msg);
  spx_options_destroy(&bad);
  bad = opts_for(600, "breast_cancer");
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), bad, 0, &dig, &err) == SPX_ERANGE &&
               strstr(err.msg, "test:1:1: n:"),
           "n beyond the data names the key (%s)", err.msg);
  spx_options_destroy(&bad);
  bad = opts_for(40, "mnist");
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), bad, 0, &dig, &err) == SPX_EINVAL &&
               strstr(err.msg, "dataset: 'mnist' is not one of"),
           "unknown dataset (%s)", err.msg);
  spx_options_destroy(&bad);
  bad = opts_for(40, "breast_cancer");
  spx_test(spx_oracle_open(spx_oracle_lookup("data_attribution"), bad, 100000, &dig, &err) == SPX_ERANGE,
           "explicand out of range");
  spx_options_destroy(&bad);
  return spx_test_summary();
}
