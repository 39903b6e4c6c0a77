/* data_attribution.c: the `data_attribution` oracle: which training points (and which pairs)
 * drive one prediction.
 *
 * Features are n training points. A mask keeps a subset; the oracle retrains an
 * L2-regularised logistic (2 classes) or softmax (more classes) regression on the kept points
 * by Newton's method (GSL Cholesky), converged to a stated gradient tolerance, and returns the
 * margin of the true class for one test point (the explicand): z_true - max_{c != true} z_c,
 * which for two classes is the signed logit. The data are scikit-learn's bundled breast cancer
 * and digits files (Debian's python3-sklearn), read directly. With digits, the oracle also
 * exposes the training images and the test image (its images hook) for reports. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "core/rng.h"
#include "oracle/sklearn_data.h"
#include "oracle/oracle.h"

typedef struct {
  size_t n, d;        /* training points, features (without the bias column) */
  int k;              /* classes */
  size_t p;           /* parameters: (k == 2 ? 1 : k) * (d + 1) */
  double *xtrain;     /* n x (d+1), standardised, last column 1 */
  int *ytrain;        /* n */
  double xtest[1024]; /* d+1 of the explicand */
  int ytest;
  double lambda, tol;
  int max_iter;
  double *theta0; /* warm start: the all-points solution */
  /* workspaces */
  gsl_matrix *hess;
  gsl_vector *grad, *step;
  double *theta, *trial, *prob;
  spx_images images; /* digits: the training images and the test image */
} da_state;

static void da_free(da_state *s) {
  if (s == NULL) return;
  free(s->xtrain);
  free(s->ytrain);
  free(s->theta0);
  free(s->theta);
  free(s->trial);
  free(s->prob);
  gsl_matrix_free(s->hess);
  gsl_vector_free(s->grad);
  gsl_vector_free(s->step);
  spx_images_free(&s->images);
  free(s);
}

/* Scores z_c = theta_c . x for one row (k == 2: a single logit z_1, z_0 = 0). */
static void scores(const da_state *s, const double *theta, const double *x, double *z) {
  size_t w = s->d + 1;
  if (s->k == 2) {
    double a = 0;
    for (size_t j = 0; j < w; j++) a += theta[j] * x[j];
    z[0] = 0.0;
    z[1] = a;
    return;
  }
  for (int c = 0; c < s->k; c++) {
    double a = 0;
    for (size_t j = 0; j < w; j++) a += theta[(size_t)c * w + j] * x[j];
    z[c] = a;
  }
}

/* Penalised negative log-likelihood over the kept points. */
static double objective(const da_state *s, const uint64_t *mask, const double *theta) {
  double f = 0, z[64];
  for (size_t i = 0; i < s->n; i++) {
    if (mask && !spx_mask_test(mask, i)) continue;
    scores(s, theta, s->xtrain + i * (s->d + 1), z);
    double mx = z[0];
    for (int c = 1; c < s->k; c++) mx = z[c] > mx ? z[c] : mx;
    double lse = 0;
    for (int c = 0; c < s->k; c++) lse += exp(z[c] - mx);
    f += mx + log(lse) - z[s->ytrain[i]];
  }
  double r = 0;
  for (size_t j = 0; j < s->p; j++) r += theta[j] * theta[j];
  return f + 0.5 * s->lambda * r;
}

/* Newton's method with backtracking from the warm start; theta out in s->theta. */
static int fit(da_state *s, const uint64_t *mask, spx_error *err) {
  size_t w = s->d + 1, p = s->p;
  int kk = s->k == 2 ? 1 : s->k; /* parameter blocks */
  if (s->theta0)
    memcpy(s->theta, s->theta0, p * sizeof *s->theta);
  else
    memset(s->theta, 0, p * sizeof *s->theta);
  double f = objective(s, mask, s->theta);
  for (int it = 0; it < s->max_iter; it++) {
    gsl_matrix_set_zero(s->hess);
    for (size_t j = 0; j < p; j++) {
      gsl_vector_set(s->grad, j, s->lambda * s->theta[j]);
      gsl_matrix_set(s->hess, j, j, s->lambda);
    }
    double z[64];
    for (size_t i = 0; i < s->n; i++) {
      if (mask && !spx_mask_test(mask, i)) continue;
      const double *x = s->xtrain + i * w;
      scores(s, s->theta, x, z);
      double mx = z[0], sum = 0;
      for (int c = 1; c < s->k; c++) mx = z[c] > mx ? z[c] : mx;
      for (int c = 0; c < s->k; c++) sum += (s->prob[c] = exp(z[c] - mx));
      for (int c = 0; c < s->k; c++) s->prob[c] /= sum;
      for (int a = 0; a < kk; a++) {
        int ca = s->k == 2 ? 1 : a;
        double r = s->prob[ca] - (s->ytrain[i] == ca);
        for (size_t j = 0; j < w; j++) *gsl_vector_ptr(s->grad, (size_t)a * w + j) += r * x[j];
        for (int b = 0; b <= a; b++) {
          int cb = s->k == 2 ? 1 : b;
          double h = s->prob[ca] * ((ca == cb) - s->prob[cb]);
          if (h == 0.0) continue;
          for (size_t j = 0; j < w; j++) {
            double hx = h * x[j];
            double *row = gsl_matrix_ptr(s->hess, (size_t)a * w + j, (size_t)b * w);
            size_t lim = a == b ? j + 1 : w;
            for (size_t l = 0; l < lim; l++) row[l] += hx * x[l];
          }
        }
      }
    }
    double gmax = 0;
    for (size_t j = 0; j < p; j++) gmax = fmax(gmax, fabs(gsl_vector_get(s->grad, j)));
    if (gmax <= s->tol) return SPX_OK;
    /* Lower triangle is filled; Cholesky reads only the lower triangle. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = gsl_linalg_cholesky_decomp1(s->hess);
    if (st == 0) st = gsl_linalg_cholesky_solve(s->hess, s->grad, s->step);
    gsl_set_error_handler(old);
    if (st) return spx_error_set(err, SPX_EINTERNAL, "data_attribution: Newton system failed");
    /* Near the optimum (tiny Newton decrement) rounding makes the objective test
     * unreliable; Newton converges quadratically there, so take the full step. */
    double dec = 0;
    for (size_t j = 0; j < p; j++) dec += gsl_vector_get(s->grad, j) * gsl_vector_get(s->step, j);
    if (dec < 1e-10 * (1.0 + fabs(f))) {
      for (size_t j = 0; j < p; j++) s->theta[j] -= gsl_vector_get(s->step, j);
      f = objective(s, mask, s->theta);
      continue;
    }
    double t = 1.0;
    for (int ls = 0; ls < 40; ls++, t *= 0.5) {
      for (size_t j = 0; j < p; j++) s->trial[j] = s->theta[j] - t * gsl_vector_get(s->step, j);
      double ft = objective(s, mask, s->trial);
      if (ft <= f) {
        f = ft;
        memcpy(s->theta, s->trial, p * sizeof *s->theta);
        break;
      }
    }
  }
  return spx_error_set(err, SPX_EINTERNAL,
                       "data_attribution: Newton did not reach gradient %g in %d iterations",
                       s->tol, s->max_iter);
}

static double margin(const da_state *s, const double *theta) {
  double z[64];
  scores(s, theta, s->xtest, z);
  double best = -INFINITY;
  for (int c = 0; c < s->k; c++)
    if (c != s->ytest && z[c] > best) best = z[c];
  return z[s->ytest] - best;
}

static const char *const datasets[] = {"breast_cancer", "digits", NULL};

typedef struct {
  int which;
  const char *dir;
  long long n, classes[10];
  size_t nclasses;
  long long seed;
} da_opts;

static const spx_option_decl da_rows[] = {
    {"dataset", SPX_DECL_CHOICE, "breast_cancer", 0, 0, datasets, "scikit-learn data set", NULL},
    {"data_dir", SPX_DECL_STRING, SPX_SKLEARN_DATA_DIR, 0, 0, NULL,
     "folder of scikit-learn's bundled data files", NULL},
    {"n", SPX_DECL_INT, "100", 2, 1000, NULL, "training points (the features)", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 4611686018427387904.0, NULL, "shuffle and split seed", NULL},
    {"classes", SPX_DECL_INT_LIST, NULL, 0, 9, NULL, "labels kept (default: all; at least two)",
     NULL},
    {"lambda", SPX_DECL_FLOAT, "1", 1e-8, 1e8, NULL, "L2 penalty of the retrained model", NULL},
    {"tolerance", SPX_DECL_FLOAT, "1e-9", 1e-14, 1e-2, NULL, "optimiser tolerance", NULL},
    {"max_iter", SPX_DECL_INT, "100", 1, 10000, NULL, "optimiser iterations", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_opts(spx_options *opts, da_opts *o, spx_error *err) {
  int rc = spx_opt_choice(opts, "dataset", &o->which, err);
  if (!rc) rc = spx_opt_string(opts, "data_dir", &o->dir, err);
  if (!rc) rc = spx_opt_int(opts, "n", &o->n, err);
  if (!rc) rc = spx_opt_int(opts, "seed", &o->seed, err);
  if (!rc) rc = spx_opt_int_list(opts, "classes", o->classes, 10, &o->nclasses, err);
  if (!rc && o->nclasses == 1)
    rc = spx_options_fail(opts, "classes", SPX_EINVAL, err, "need at least two classes");
  return rc;
}

static int load_unchecked(spx_options *opts, const da_opts *o, spx_dataset *ds, spx_error *err);

/* Load the data set, keep the chosen classes, shuffle deterministically; on failure nothing
 * stays allocated. */
static int load(spx_options *opts, const da_opts *o, spx_dataset *ds, spx_error *err) {
  memset(ds, 0, sizeof *ds);
  int rc = load_unchecked(opts, o, ds, err);
  if (rc) spx_dataset_free(ds);
  return rc;
}

static int load_unchecked(spx_options *opts, const da_opts *o, spx_dataset *ds, spx_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", o->dir,
           o->which == 0 ? SPX_SKLEARN_BREAST_CANCER : SPX_SKLEARN_DIGITS);
  int rc = spx_dataset_read_csv(path, o->which == 0, ds, err);
  if (rc) return rc;
  long long cls[10];
  size_t ncls = o->nclasses;
  if (ncls) {
    memcpy(cls, o->classes, ncls * sizeof *cls);
  } else if (o->which == 0) {
    cls[0] = 0, cls[1] = 1, ncls = 2;
  } else {
    cls[0] = 3, cls[1] = 8, ncls = 2; /* a hard pair by default: see docs */
  }
  for (size_t c = 0; c < ncls; c++)
    for (size_t e = 0; e < c; e++)
      if (cls[c] == cls[e])
        return spx_options_fail(opts, "classes", SPX_EINVAL, err, "class %lld repeated", cls[c]);
  size_t kept = 0;
  for (size_t i = 0; i < ds->rows; i++) {
    int label = -1;
    for (size_t c = 0; c < ncls; c++)
      if (ds->y[i] == cls[c]) label = (int)c;
    if (label < 0) continue;
    memmove(ds->x + kept * ds->d, ds->x + i * ds->d, ds->d * sizeof *ds->x);
    ds->y[kept++] = label;
  }
  if (kept == 0)
    return spx_options_fail(opts, "classes", SPX_EINVAL, err, "no rows of %s have these labels",
                            path);
  ds->rows = kept;
  ds->classes = (int)ncls;
  rc = spx_dataset_shuffle(ds, (uint64_t)o->seed, "data_attribution split", err);
  if (rc) return rc;
  if ((size_t)o->n >= ds->rows)
    return spx_options_fail(opts, "n", SPX_ERANGE, err,
                            "%lld training points leave no test points (%zu rows of this data)",
                            o->n, ds->rows);
  return SPX_OK;
}

static int da_explicands(spx_options *opts, size_t *count, spx_error *err) {
  da_opts o;
  spx_dataset ds;
  spx_options_known(opts, "lambda");
  spx_options_known(opts, "tolerance");
  spx_options_known(opts, "max_iter");
  int rc = read_opts(opts, &o, err);
  if (!rc) rc = load(opts, &o, &ds, err);
  if (rc) return rc;
  *count = ds.rows - (size_t)o.n;
  spx_dataset_free(&ds);
  return SPX_OK;
}

static int da_open(spx_oracle *self, spx_options *opts, size_t explicand, spx_error *err) {
  da_opts o;
  spx_dataset ds = {0};
  double lambda, tol;
  long long max_iter;
  int rc = read_opts(opts, &o, err);
  if (!rc) rc = spx_opt_double(opts, "lambda", &lambda, err);
  if (!rc) rc = spx_opt_double(opts, "tolerance", &tol, err);
  if (!rc) rc = spx_opt_int(opts, "max_iter", &max_iter, err);
  if (!rc) rc = load(opts, &o, &ds, err);
  if (rc) return rc;
  size_t ntest = ds.rows - (size_t)o.n;
  if (explicand >= ntest) {
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ERANGE, "data_attribution: explicand %zu out of range (%zu test points)",
                         explicand, ntest);
  }
  da_state *s = calloc(1, sizeof *s);
  if (s == NULL) {
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  s->n = (size_t)o.n;
  s->d = ds.d;
  s->k = ds.classes;
  s->p = (size_t)(s->k == 2 ? 1 : s->k) * (s->d + 1);
  s->lambda = lambda;
  s->tol = tol;
  s->max_iter = (int)max_iter;
  size_t w = s->d + 1;
  s->xtrain = malloc(s->n * w * sizeof *s->xtrain);
  s->ytrain = malloc(s->n * sizeof *s->ytrain);
  s->theta = calloc(s->p, sizeof *s->theta);
  s->trial = calloc(s->p, sizeof *s->trial);
  s->prob = calloc((size_t)s->k, sizeof *s->prob);
  s->hess = gsl_matrix_alloc(s->p, s->p);
  s->grad = gsl_vector_alloc(s->p);
  s->step = gsl_vector_alloc(s->p);
  if (!s->xtrain || !s->ytrain || !s->theta || !s->trial || !s->prob || !s->hess || !s->grad ||
      !s->step || w > 1024 || s->k > 64) {
    da_free(s);
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  /* Standardise with the training pool's statistics (fixed, independent of the mask). */
  for (size_t j = 0; j < s->d; j++) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < s->n; i++) mean += ds.x[i * ds.d + j];
    mean /= (double)s->n;
    for (size_t i = 0; i < s->n; i++) var += pow(ds.x[i * ds.d + j] - mean, 2);
    double sd = sqrt(var / (double)s->n);
    if (sd == 0) sd = 1;
    for (size_t i = 0; i < s->n; i++) s->xtrain[i * w + j] = (ds.x[i * ds.d + j] - mean) / sd;
    s->xtest[j] = (ds.x[(s->n + explicand) * ds.d + j] - mean) / sd;
  }
  for (size_t i = 0; i < s->n; i++) {
    s->xtrain[i * w + s->d] = 1.0;
    s->ytrain[i] = ds.y[i];
  }
  s->xtest[s->d] = 1.0;
  s->ytest = ds.y[s->n + explicand];
  self->state = s;
  /* Warm start: the solution on all training points. */
  rc = fit(s, NULL, err);
  if (rc == SPX_OK) {
    s->theta0 = malloc(s->p * sizeof *s->theta0);
    if (s->theta0 == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    else memcpy(s->theta0, s->theta, s->p * sizeof *s->theta0);
  }
  self->n = s->n;
  self->concurrent = 1;
  char **labels = rc ? NULL : calloc(s->n, sizeof *labels);
  if (rc == SPX_OK && labels == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t i = 0; rc == SPX_OK && i < s->n; i++) {
    char buf[64];
    long long lab = o.nclasses ? o.classes[ds.y[i]] : (o.which == 0 ? ds.y[i] : (ds.y[i] ? 8 : 3));
    snprintf(buf, sizeof buf, "train%zu:%s", i,
             o.which == 0 ? (lab ? "benign" : "malignant") : (char[2]){(char)('0' + lab), 0});
    labels[i] = strdup(buf);
    if (labels[i] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (labels) spx_oracle_set_labels(self, labels, err);
  /* Digits: the training images and the test image, pixels 0..16 scaled to [0, 1]. */
  if (rc == SPX_OK && o.which == 1 && ds.d == 64) {
    double *px = malloc((s->n + 1) * 64 * sizeof *px);
    if (px == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SPX_OK && i <= s->n; i++) {
      size_t row = i < s->n ? i : s->n + explicand;
      for (size_t j = 0; j < 64; j++) px[i * 64 + j] = ds.x[row * 64 + j] / 16.0;
    }
    if (rc == SPX_OK) rc = spx_images_set(&s->images, s->n, 8, 8, px, px + s->n * 64, err);
    free(px);
  }
  char desc[128];
  snprintf(desc, sizeof desc, "%s test point %zu (true class %d)", datasets[o.which], explicand,
           s->ytest);
  if (rc == SPX_OK) rc = spx_oracle_set_explicand(self, desc, err);
  spx_dataset_free(&ds);
  return rc;
}

static int da_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                   double *out, spx_error *err) {
  da_state *s = self->state;
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, first + r);
    if (spx_mask_popcount(m, masks->words) == 0) {
      out[r] = 0.0; /* no data: the penalised optimum is theta = 0 */
      continue;
    }
    int rc = fit(s, m, err);
    if (rc) return rc;
    out[r] = margin(s, s->theta);
  }
  return SPX_OK;
}

static void da_close(spx_oracle *self) { da_free(self->state); }

static const spx_images *da_images(const spx_oracle *self) {
  const da_state *s = self->state;
  return s && s->images.features ? &s->images : NULL;
}

/* The data file the oracle reads (provenance). */
static int da_inputs(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err) {
  const char *dir;
  int which;
  int rc = spx_opt_choice(opts, "dataset", &which, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "data_dir", &dir, err);
  if (rc) return rc;
  return spx_dataset_list_file(opts, dir, which == 0 ? SPX_SKLEARN_BREAST_CANCER : SPX_SKLEARN_DIGITS,
                               add, ctx, err);
}

const spx_oracle_type spx_oracle_data_attribution = {
    .name = "data_attribution",
    .summary = "retrain L2 logistic/softmax regression on the kept training points; margin of one test point",
    .open = da_open,
    .explicands = da_explicands,
    .eval = da_eval,
    .truth = NULL,
    .close = da_close,
    .images = da_images,
    .options = da_rows,
    .inputs = da_inputs};
