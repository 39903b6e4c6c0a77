/* tabular.c: the `tabular` oracle: which input features (and which pairs) drive one
 * prediction of a gradient-boosted tree model.
 *
 * XGBoost (binary:logistic) is trained on scikit-learn's breast cancer data (Debian's
 * python3-sklearn) restricted to its first k columns. Features are those k columns of one test
 * row (the explicand); a removed feature takes its training mean, a kept one the explicand's
 * value, and the value is the model's raw margin (log-odds of "benign").
 *
 * Because every feature takes one of only two values, each split of the model goes one fixed
 * way when the feature is kept and one fixed way when it is removed. The oracle rewrites the
 * model as a tree ensemble on the 0/1 mask (tree_fourier.h) once per explicand: evaluating it
 * is exact and cheap, and its Fourier transform (Algorithm 1 of ProxySPEX) is the oracle's
 * exact ground truth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "model/xgb.h"
#include "model/tree_fourier.h"
#include "oracle/oracle.h"
#include "oracle/sklearn_data.h"
#include "oracle/tabular.h"

#define TAB_FEATURES 30

/* scikit-learn's names of the 30 breast cancer columns, in file order. */
static const char *const tab_names[TAB_FEATURES] = {
    "mean radius",          "mean texture",          "mean perimeter",
    "mean area",            "mean smoothness",       "mean compactness",
    "mean concavity",       "mean concave points",   "mean symmetry",
    "mean fractal dimension", "radius error",        "texture error",
    "perimeter error",      "area error",            "smoothness error",
    "compactness error",    "concavity error",       "concave points error",
    "symmetry error",       "fractal dimension error", "worst radius",
    "worst texture",        "worst perimeter",       "worst area",
    "worst smoothness",     "worst compactness",     "worst concavity",
    "worst concave points", "worst symmetry",        "worst fractal dimension"};

typedef struct {
  spx_tree_ensemble *mask_model; /* the model as a function of the 0/1 mask */
  spx_transform *truth;          /* its exact Fourier transform */
} tab_state;

typedef struct {
  const char *dir;
  long long seed, test_rows, features, trees, depth;
  double eta;
} tab_opts;

static const spx_option_decl tab_rows[] = {
    {"data_dir", SPX_DECL_STRING, SPX_SKLEARN_DATA_DIR, 0, 0, NULL,
     "folder of scikit-learn's bundled data files", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 4611686018427387904.0, NULL, "shuffle and split seed", NULL},
    {"test_rows", SPX_DECL_INT, "100", 1, 500, NULL, "held-out rows (the explicands)", NULL},
    {"features", SPX_DECL_INT, "30", 1, 30, NULL, "first features used (n)", NULL},
    {"trees", SPX_DECL_INT, "200", 1, 100000, NULL, "boosting rounds of the model", NULL},
    {"depth", SPX_DECL_INT, "4", 1, 16, NULL, "tree depth of the model", NULL},
    {"eta", SPX_DECL_FLOAT, "0.1", 1e-6, 1.0, NULL, "learning rate of the model", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_opts(spx_options *opts, tab_opts *o, spx_error *err) {
  int rc = spx_opt_string(opts, "data_dir", &o->dir, err);
  if (!rc) rc = spx_opt_int(opts, "seed", &o->seed, err);
  if (!rc) rc = spx_opt_int(opts, "test_rows", &o->test_rows, err);
  if (!rc) rc = spx_opt_int(opts, "features", &o->features, err);
  if (!rc) rc = spx_opt_int(opts, "trees", &o->trees, err);
  if (!rc) rc = spx_opt_int(opts, "depth", &o->depth, err);
  if (!rc) rc = spx_opt_double(opts, "eta", &o->eta, err);
  return rc;
}

/* Read the data and shuffle its rows deterministically; the last test_rows rows are the test
 * rows. On failure nothing stays allocated. */
static int load(spx_options *opts, const tab_opts *o, spx_dataset *ds, spx_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", o->dir, SPX_SKLEARN_BREAST_CANCER);
  memset(ds, 0, sizeof *ds);
  int rc = spx_dataset_read_csv(path, 1, ds, err);
  if (rc) return rc;
  int labels_ok = 1;
  for (size_t i = 0; i < ds->rows; i++) labels_ok = labels_ok && (ds->y[i] == 0 || ds->y[i] == 1);
  if (ds->d != TAB_FEATURES || !labels_ok) {
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: expected %d feature columns and labels 0/1, got %zu columns%s", path,
                       TAB_FEATURES, ds->d, labels_ok ? "" : " and other labels");
    spx_dataset_free(ds);
    return rc;
  }
  if ((size_t)o->test_rows + 2 > ds->rows) {
    rc = spx_options_fail(opts, "test_rows", SPX_ERANGE, err,
                          "%lld test rows leave too few training rows (%zu rows in %s)",
                          o->test_rows, ds->rows, path);
    spx_dataset_free(ds);
    return rc;
  }
  rc = spx_dataset_shuffle(ds, (uint64_t)o->seed, "tabular split", err);
  if (rc) {
    spx_dataset_free(ds);
    return rc;
  }
  return SPX_OK;
}

static int tab_explicands(spx_options *opts, size_t *count, spx_error *err) {
  tab_opts o;
  int rc = read_opts(opts, &o, err);
  if (rc) return rc;
  *count = (size_t)o.test_rows;
  return SPX_OK;
}

int spx_tabular_train(const double *x, const int *y, size_t rows, size_t stride, size_t k,
                      long long trees, int depth, double eta, spx_tree_ensemble **model,
                      double *mean, spx_error *err) {
  double *xt = malloc(rows * k * sizeof *xt), *yt = malloc(rows * sizeof *yt);
  int rc = SPX_OK;
  spx_xgb_data *d = NULL;
  spx_xgb *b = NULL;
  if (xt == NULL || yt == NULL) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t j = 0; j < k; j++) mean[j] = 0.0;
  for (size_t i = 0; i < rows; i++) {
    for (size_t j = 0; j < k; j++) {
      xt[i * k + j] = x[i * stride + j];
      mean[j] += x[i * stride + j];
    }
    yt[i] = (double)y[i];
  }
  for (size_t j = 0; j < k; j++) mean[j] /= (double)rows;
  d = spx_xgb_data_create_dense(xt, rows, k, yt, 1, err);
  if (d == NULL) {
    rc = err ? err->code : SPX_EINTERNAL;
    goto done;
  }
  spx_xgb_params p = {.max_depth = depth, .eta = eta, .threads = 1, .seed = 0};
  b = spx_xgb_create_logistic(d, &p, err);
  if (b == NULL) {
    rc = err ? err->code : SPX_EINTERNAL;
    goto done;
  }
  rc = spx_xgb_boost(b, (size_t)trees, err);
  if (!rc) rc = spx_xgb_export(b, (uint32_t)k, NULL, 0, model, err);
done:
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&d);
  free(xt);
  free(yt);
  return rc;
}

/* Rewrite a model on real features as one on the 0/1 mask, given the value of each feature
 * when kept (xk) and when removed (xr). XGBoost compares single-precision values: go left when
 * (float)x < threshold. A node that sends both values the same way gets a threshold outside
 * [0, 1] (2: always left, -1: always right); one that separates them gets threshold 0.5, with
 * its children swapped when the kept value is the one that goes left. */
static spx_tree_ensemble *mask_model(const spx_tree_ensemble *m, const double *xk,
                                     const double *xr) {
  spx_tree_ensemble *e = spx_tree_ensemble_create(m->n, m->ntrees, m->nnodes);
  if (e == NULL) return NULL;
  e->base_score = m->base_score;
  memcpy(e->tree_start, m->tree_start, (m->ntrees + 1) * sizeof *e->tree_start);
  for (size_t k = 0; k < m->nnodes; k++) {
    e->left[k] = m->left[k];
    e->right[k] = m->right[k];
    e->feature[k] = m->feature[k];
    e->leaf[k] = m->leaf[k];
    e->threshold[k] = m->threshold[k];
    if (m->left[k] < 0) continue;
    uint32_t f = m->feature[k];
    int kept_left = (double)(float)xk[f] < m->threshold[k];
    int removed_left = (double)(float)xr[f] < m->threshold[k];
    if (kept_left == removed_left) {
      e->threshold[k] = kept_left ? 2.0 : -1.0;
    } else {
      e->threshold[k] = 0.5;
      if (kept_left) {
        e->left[k] = m->right[k];
        e->right[k] = m->left[k];
      }
    }
  }
  return e;
}

static int tab_open(spx_oracle *self, spx_options *opts, size_t explicand, spx_error *err) {
  tab_opts o;
  spx_dataset ds;
  int rc = read_opts(opts, &o, err);
  if (!rc) rc = load(opts, &o, &ds, err);
  if (rc) return rc;
  if (explicand >= (size_t)o.test_rows) {
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ERANGE, "tabular: explicand %zu out of range (%lld test rows)",
                         explicand, o.test_rows);
  }
  size_t k = (size_t)o.features, ntrain = ds.rows - (size_t)o.test_rows;
  const double *row = ds.x + (ntrain + explicand) * ds.d;
  int label = ds.y[ntrain + explicand];
  double mean[TAB_FEATURES];
  spx_tree_ensemble *model = NULL;
  tab_state *s = calloc(1, sizeof *s);
  if (s == NULL) {
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  self->state = s;
  self->n = k;
  self->concurrent = 1;
  rc = spx_tabular_train(ds.x, ds.y, ntrain, ds.d, k, o.trees, (int)o.depth, o.eta, &model,
                         mean, err);
  if (!rc) {
    s->mask_model = mask_model(model, row, mean);
    if (s->mask_model == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (!rc) rc = spx_tree_ensemble_fourier(s->mask_model, &s->truth, err);
  char **labels = rc ? NULL : calloc(k, sizeof *labels);
  if (!rc && labels == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t i = 0; !rc && i < k; i++) {
    labels[i] = strdup(tab_names[i]);
    if (labels[i] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (labels) spx_oracle_set_labels(self, labels, err);
  if (!rc) {
    char desc[160];
    double full = spx_tree_ensemble_predict(s->mask_model, (const uint64_t[]){~0ULL});
    snprintf(desc, sizeof desc, "breast_cancer test row %zu (true class %s, margin %.4g)",
             explicand, label ? "benign" : "malignant", full);
    rc = spx_oracle_set_explicand(self, desc, err);
  }
  spx_tree_ensemble_destroy(&model);
  spx_dataset_free(&ds);
  return rc;
}

static int tab_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err) {
  (void)err;
  const tab_state *s = self->state;
  for (size_t r = 0; r < count; r++)
    out[r] = spx_tree_ensemble_predict(s->mask_model, spx_maskset_row(masks, first + r));
  return SPX_OK;
}

static const spx_transform *tab_truth(const spx_oracle *self) {
  const tab_state *s = self->state;
  return s->truth;
}

static void tab_close(spx_oracle *self) {
  tab_state *s = self->state;
  if (s == NULL) return;
  spx_tree_ensemble_destroy(&s->mask_model);
  spx_transform_destroy(&s->truth);
  free(s);
}

/* The data file the oracle reads (provenance). */
static int tab_inputs(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err) {
  const char *dir;
  int rc = spx_opt_string(opts, "data_dir", &dir, err);
  return rc ? rc : spx_dataset_list_file(opts, dir, SPX_SKLEARN_BREAST_CANCER, add, ctx, err);
}

const spx_oracle_type spx_oracle_tabular = {
    .name = "tabular",
    .summary = "XGBoost on breast cancer data; raw margin of one test row, removed features at the "
    "training mean",
    .open = tab_open,
    .explicands = tab_explicands,
    .eval = tab_eval,
    .truth = tab_truth,
    .close = tab_close,
    .options = tab_rows,
    .inputs = tab_inputs};
