/* model/xgb.c: XGBoost (C API, 1.7) training, prediction and JSON model export for the
 * ProxySPEX proxy. The only file that includes <xgboost/c_api.h>. */
#include "xgb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xgboost/c_api.h>

struct spx_xgb_data {
  DMatrixHandle h;
  size_t rows;
  double label_mean; /* NAN when there are no labels */
  int binary;        /* built from masks: every feature is 0/1 */
  int zero_missing;  /* ... stored sparse: 1 bits are 1, 0 bits missing entries (xgb.h) */
};

struct spx_xgb {
  BoosterHandle h;
  spx_xgb_data *train;
  size_t trees;
  float base_score; /* added to the tree sum of a prediction (0 for a logistic model) */
  int logistic;     /* predictions are margins */
};

static int xgb_fail(spx_error *err, const char *what) {
  return spx_error_set(err, SPX_EINTERNAL, "XGBoost %s failed: %s", what, XGBGetLastError());
}

/* Column k of the matrix: feature cols[k], or k when cols is NULL. */
static inline int mask_bit(const uint64_t *m, const uint32_t *cols, size_t k) {
  return spx_mask_test(m, cols ? cols[k] : k);
}

/* The dense 0/1 float matrix of the selected rows and columns as a DMatrix (no missing
 * entries). */
static int dmatrix_dense(const spx_maskset *masks, const size_t *rows, size_t count,
                         const uint32_t *cols, size_t n, int threads, DMatrixHandle *h,
                         spx_error *err) {
  float *x = malloc(count * n * sizeof *x);
  if (x == NULL)
    return spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu XGBoost matrix",
                         count, n);
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, rows ? rows[r] : r);
    for (size_t k = 0; k < n; k++) x[r * n + k] = (float)mask_bit(m, cols, k);
  }
  int rc = XGDMatrixCreateFromMat_omp(x, (bst_ulong)count, (bst_ulong)n, NAN, h,
                                      threads > 0 ? threads : 1);
  free(x);
  return rc != 0 ? xgb_fail(err, "DMatrix creation") : SPX_OK;
}

/* The 1 bits of the selected rows and columns as a CSR DMatrix (value 1; 0 bits missing). */
static int dmatrix_sparse(const spx_maskset *masks, const size_t *rows, size_t count,
                          const uint32_t *cols, size_t n, DMatrixHandle *h, spx_error *err) {
  size_t nnz = 0;
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, rows ? rows[r] : r);
    if (cols == NULL)
      nnz += spx_mask_popcount(m, spx_mask_words(n));
    else
      for (size_t k = 0; k < n; k++) nnz += (size_t)mask_bit(m, cols, k);
  }
  size_t *start = malloc((count + 1) * sizeof *start);
  unsigned *index = malloc((nnz ? nnz : 1) * sizeof *index);
  float *one = malloc((nnz ? nnz : 1) * sizeof *one);
  int rc = SPX_OK;
  if (start == NULL || index == NULL || one == NULL) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu XGBoost matrix (%zu ones)",
                       count, n, nnz);
    goto done;
  }
  size_t e = 0;
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, rows ? rows[r] : r);
    start[r] = e;
    if (cols == NULL) /* the set bits word by word (unused high bits are zero) */
      for (size_t w = 0; w < spx_mask_words(n); w++)
        for (uint64_t b = m[w]; b; b &= b - 1)
          index[e++] = (unsigned)(64 * w + (size_t)__builtin_ctzll(b));
    else
      for (size_t k = 0; k < n; k++)
        if (mask_bit(m, cols, k)) index[e++] = (unsigned)k;
  }
  start[count] = e;
  for (size_t i = 0; i < nnz; i++) one[i] = 1.0f;
  if (XGDMatrixCreateFromCSREx(start, index, one, count + 1, nnz, n, h) != 0)
    rc = xgb_fail(err, "DMatrix creation");
done:
  free(start);
  free(index);
  free(one);
  return rc;
}

spx_xgb_data *spx_xgb_data_create(const spx_maskset *masks, const double *y,
                                  const size_t *rows, size_t count, const uint32_t *cols,
                                  size_t ncols, int threads, spx_error *err) {
  size_t n = cols ? ncols : masks->n;
  for (size_t k = 0; cols && k < ncols; k++)
    if (cols[k] >= masks->n) {
      spx_error_set(err, SPX_EINVAL, "XGBoost data: column %zu is feature %u >= n = %zu", k,
                    cols[k], masks->n);
      return NULL;
    }
  if (n == 0 || count == 0) {
    spx_error_set(err, SPX_EINVAL, "XGBoost data needs at least one row and one feature");
    return NULL;
  }
  spx_xgb_data *d = calloc(1, sizeof *d);
  float *label = y ? malloc(count * sizeof *label) : NULL;
  if (d == NULL || (y && label == NULL)) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for %zu XGBoost labels", count);
    goto fail;
  }
  double sum = 0.0;
  for (size_t r = 0; y && r < count; r++) {
    size_t src = rows ? rows[r] : r;
    label[r] = (float)y[src];
    sum += y[src];
  }
  d->rows = count;
  d->binary = 1;
  d->zero_missing = n >= SPX_XGB_SPARSE_COLS;
  d->label_mean = y ? sum / (double)count : NAN;
  int rc = d->zero_missing ? dmatrix_sparse(masks, rows, count, cols, n, &d->h, err)
                           : dmatrix_dense(masks, rows, count, cols, n, threads, &d->h, err);
  if (rc) {
    d->h = NULL;
    goto fail;
  }
  if (y && XGDMatrixSetFloatInfo(d->h, "label", label, (bst_ulong)count) != 0) {
    xgb_fail(err, "setting labels");
    goto fail;
  }
  free(label);
  return d;
fail:
  free(label);
  spx_xgb_data_destroy(&d);
  return NULL;
}

/* Rows of masks (rows[0..count), NULL: 0..count-1) grouped by their selected columns (cols
 * NULL: all n): group[r] is the group of row r, groups numbered by first occurrence; *first
 * (malloc'ed) holds each group's first row. Returns the number of groups, 0 on no memory. */
static size_t group_rows(const spx_maskset *masks, const size_t *rows, size_t count,
                         const uint32_t *cols, size_t n, uint32_t *group, size_t **first) {
  size_t words = (n + 63) / 64, cap = 16, ngroups = 0;
  while (cap < 2 * count) cap *= 2;
  uint64_t *key = calloc(count * words, sizeof *key);
  uint32_t *slot = malloc(cap * sizeof *slot); /* group + 1, 0 = empty */
  size_t *fr = malloc(count * sizeof *fr);
  if (key == NULL || slot == NULL || fr == NULL) {
    free(key);
    free(slot);
    free(fr);
    return 0;
  }
  memset(slot, 0, cap * sizeof *slot);
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, rows ? rows[r] : r);
    uint64_t *k = key + r * words, h = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++)
      if (mask_bit(m, cols, i)) k[i / 64] |= (uint64_t)1 << (i % 64);
    for (size_t w = 0; w < words; w++) {
      h ^= k[w];
      h *= 0xff51afd7ed558ccdu;
      h ^= h >> 33;
    }
    size_t at = (size_t)h & (cap - 1);
    while (slot[at] != 0 &&
           memcmp(key + fr[slot[at] - 1] * words, k, words * sizeof *k) != 0)
      at = (at + 1) & (cap - 1);
    if (slot[at] == 0) {
      fr[ngroups] = r; /* fr holds positions in rows[] while grouping */
      slot[at] = (uint32_t)++ngroups;
    }
    group[r] = slot[at] - 1;
  }
  for (size_t g = 0; g < ngroups; g++) fr[g] = rows ? rows[fr[g]] : fr[g];
  free(key);
  free(slot);
  *first = fr;
  return ngroups;
}

spx_xgb_data *spx_xgb_data_create_merged(const spx_maskset *masks, const double *y,
                                         const size_t *rows, size_t count, const uint32_t *cols,
                                         size_t ncols, int threads, size_t *distinct,
                                         spx_error *err) {
  size_t n = cols ? ncols : masks->n;
  if (y == NULL || count == 0 || n == 0 || count > UINT32_MAX)
    return spx_xgb_data_create(masks, y, rows, count, cols, ncols, threads, err);
  for (size_t k = 0; cols && k < ncols; k++)
    if (cols[k] >= masks->n) /* reported by spx_xgb_data_create */
      return spx_xgb_data_create(masks, y, rows, count, cols, ncols, threads, err);
  uint32_t *group = malloc(count * sizeof *group);
  size_t *first = NULL;
  size_t ng = group ? group_rows(masks, rows, count, cols, n, group, &first) : 0;
  if (ng == 0) {
    free(group);
    spx_error_set(err, SPX_ENOMEM, "out of memory for grouping %zu XGBoost rows", count);
    return NULL;
  }
  if (distinct) *distinct = ng;
  if (ng == count) { /* no two rows alike: the plain data set, unweighted */
    free(group);
    free(first);
    return spx_xgb_data_create(masks, y, rows, count, cols, ncols, threads, err);
  }
  spx_xgb_data *d = NULL;
  double *sum = calloc(ng, sizeof *sum), *cnt = calloc(ng, sizeof *cnt);
  float *label = malloc(ng * sizeof *label), *weight = malloc(ng * sizeof *weight);
  if (!sum || !cnt || !label || !weight) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for %zu merged XGBoost rows", ng);
    goto done;
  }
  double total = 0.0;
  for (size_t r = 0; r < count; r++) {
    double v = y[rows ? rows[r] : r];
    sum[group[r]] += v;
    cnt[group[r]] += 1.0;
    total += v; /* in row order: the label mean of the unmerged data set */
  }
  for (size_t g = 0; g < ng; g++) {
    label[g] = (float)(sum[g] / cnt[g]);
    weight[g] = (float)cnt[g];
  }
  d = spx_xgb_data_create(masks, NULL, first, ng, cols, ncols, threads, err);
  if (d == NULL) goto done;
  if (XGDMatrixSetFloatInfo(d->h, "label", label, (bst_ulong)ng) != 0 ||
      XGDMatrixSetFloatInfo(d->h, "weight", weight, (bst_ulong)ng) != 0) {
    xgb_fail(err, "setting labels and weights");
    spx_xgb_data_destroy(&d);
    goto done;
  }
  d->label_mean = total / (double)count;
done:
  free(group);
  free(first);
  free(sum);
  free(cnt);
  free(label);
  free(weight);
  return d;
}

spx_xgb_data *spx_xgb_data_create_dense(const double *x, size_t rows, size_t cols,
                                        const double *y, int threads, spx_error *err) {
  if (rows == 0 || cols == 0) {
    spx_error_set(err, SPX_EINVAL, "XGBoost data needs at least one row and one feature");
    return NULL;
  }
  spx_xgb_data *d = calloc(1, sizeof *d);
  float *xf = malloc(rows * cols * sizeof *xf);
  float *label = y ? malloc(rows * sizeof *label) : NULL;
  if (d == NULL || xf == NULL || (y && label == NULL)) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu XGBoost matrix", rows, cols);
    goto fail;
  }
  for (size_t i = 0; i < rows * cols; i++) xf[i] = (float)x[i];
  double sum = 0.0;
  for (size_t r = 0; y && r < rows; r++) {
    label[r] = (float)y[r];
    sum += y[r];
  }
  d->rows = rows;
  d->label_mean = y ? sum / (double)rows : NAN;
  if (XGDMatrixCreateFromMat_omp(xf, (bst_ulong)rows, (bst_ulong)cols, NAN, &d->h,
                                 threads > 0 ? threads : 1) != 0) {
    d->h = NULL;
    xgb_fail(err, "DMatrix creation");
    goto fail;
  }
  if (y && XGDMatrixSetFloatInfo(d->h, "label", label, (bst_ulong)rows) != 0) {
    xgb_fail(err, "setting labels");
    goto fail;
  }
  free(xf);
  free(label);
  return d;
fail:
  free(xf);
  free(label);
  spx_xgb_data_destroy(&d);
  return NULL;
}

void spx_xgb_data_destroy(spx_xgb_data **d) {
  if (d == NULL || *d == NULL) return;
  if ((*d)->h) XGDMatrixFree((*d)->h);
  free(*d);
  *d = NULL;
}

size_t spx_xgb_data_rows(const spx_xgb_data *d) { return d->rows; }

static spx_xgb *create(spx_xgb_data *train, const spx_xgb_params *p, int logistic,
                       spx_error *err) {
  if (isnan(train->label_mean)) {
    spx_error_set(err, SPX_EINVAL, "XGBoost training data has no labels");
    return NULL;
  }
  if (p->max_depth < 1 || p->threads < 1 || !(p->eta > 0.0) || !(p->subsample >= 0.0) ||
      p->subsample > 1.0) {
    spx_error_set(err, SPX_EINVAL, "bad XGBoost parameters (depth %d, eta %g, threads %d)",
                  p->max_depth, p->eta, p->threads);
    return NULL;
  }
  spx_xgb *b = calloc(1, sizeof *b);
  if (b == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  b->train = train;
  b->logistic = logistic;
  if (b->logistic && !(train->label_mean > 0.0 && train->label_mean < 1.0)) {
    spx_error_set(err, SPX_EINVAL, "XGBoost logistic training needs labels of both classes");
    free(b);
    return NULL;
  }
  /* logistic: base_score 0.5 is margin 0, so the margin is the plain tree sum */
  b->base_score = b->logistic ? 0.0f : (float)train->label_mean;
  if (XGBoosterCreate(&train->h, 1, &b->h) != 0) {
    b->h = NULL;
    xgb_fail(err, "booster creation");
    spx_xgb_destroy(&b);
    return NULL;
  }
  char depth[32], eta[40], threads[32], seed[32], base[48];
  snprintf(depth, sizeof depth, "%d", p->max_depth);
  snprintf(eta, sizeof eta, "%.17g", p->eta);
  snprintf(threads, sizeof threads, "%d", p->threads);
  snprintf(seed, sizeof seed, "%u", (unsigned)(p->seed & 0x7fffffffu));
  snprintf(base, sizeof base, "%.9g", b->logistic ? 0.5 : (double)b->base_score);
  /* max_bin 2 on mask data: its features are 0/1, so two bins hold every value (XGBoost
   * makes one bin per distinct value up to max_bin either way); real-valued data keeps 256 */
  const char *kv[][2] = {{"verbosity", "0"},     {"tree_method", "hist"},
                         {"max_bin", train->binary ? "2" : "256"},
                         {"objective", b->logistic ? "binary:logistic" : "reg:squarederror"},
                         {"max_depth", depth},   {"eta", eta},
                         {"nthread", threads},   {"seed", seed},
                         {"base_score", base}};
  for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
    if (XGBoosterSetParam(b->h, kv[i][0], kv[i][1]) != 0) {
      xgb_fail(err, "setting a parameter");
      spx_xgb_destroy(&b);
      return NULL;
    }
  }
  if (p->subsample > 0.0 && p->subsample < 1.0) {
    char sub[40];
    snprintf(sub, sizeof sub, "%.17g", p->subsample);
    if (XGBoosterSetParam(b->h, "subsample", sub) != 0) {
      xgb_fail(err, "setting subsample");
      spx_xgb_destroy(&b);
      return NULL;
    }
  }
  return b;
}

spx_xgb *spx_xgb_create(spx_xgb_data *train, const spx_xgb_params *p, spx_error *err) {
  return create(train, p, 0, err);
}

spx_xgb *spx_xgb_create_logistic(spx_xgb_data *train, const spx_xgb_params *p,
                                 spx_error *err) {
  return create(train, p, 1, err);
}

void spx_xgb_destroy(spx_xgb **b) {
  if (b == NULL || *b == NULL) return;
  if ((*b)->h) XGBoosterFree((*b)->h);
  free(*b);
  *b = NULL;
}

int spx_xgb_boost(spx_xgb *b, size_t rounds, spx_error *err) {
  for (size_t r = 0; r < rounds; r++) {
    if (XGBoosterUpdateOneIter(b->h, (int)b->trees, b->train->h) != 0)
      return xgb_fail(err, "boosting");
    b->trees++;
  }
  return SPX_OK;
}

size_t spx_xgb_trees(const spx_xgb *b) { return b->trees; }
double spx_xgb_base_score(const spx_xgb *b) { return (double)b->base_score; }

static int predict_range(spx_xgb *b, spx_xgb_data *d, size_t first, size_t last,
                         const float **res, spx_error *err) {
  char config[256];
  snprintf(config, sizeof config,
           "{\"type\": %d, \"training\": false, \"iteration_begin\": %zu, "
           "\"iteration_end\": %zu, \"strict_shape\": false}",
           b->logistic ? 1 : 0, first, last); /* type 1: the raw margin */
  bst_ulong const *shape = NULL;
  bst_ulong dim = 0;
  if (XGBoosterPredictFromDMatrix(b->h, d->h, config, &shape, &dim, res) != 0)
    return xgb_fail(err, "prediction");
  if (dim != 1 || shape[0] != d->rows)
    return spx_error_set(err, SPX_EINTERNAL, "XGBoost prediction has an unexpected shape");
  return SPX_OK;
}

int spx_xgb_predict_trees(spx_xgb *b, spx_xgb_data *d, size_t first, size_t last, double *out,
                          spx_error *err) {
  if (last == 0) last = b->trees;
  if (first >= last) {
    for (size_t i = 0; i < d->rows; i++) out[i] = 0.0;
    return SPX_OK;
  }
  const float *res;
  int rc = predict_range(b, d, first, last, &res, err);
  if (rc) return rc;
  /* the output is owned by the booster: copy it now */
  for (size_t i = 0; i < d->rows; i++) out[i] = (double)res[i] - (double)b->base_score;
  return SPX_OK;
}

int spx_xgb_predict(spx_xgb *b, spx_xgb_data *d, double *out, spx_error *err) {
  const float *res;
  int rc = predict_range(b, d, 0, 0, &res, err);
  if (rc) return rc;
  for (size_t i = 0; i < d->rows; i++) out[i] = (double)res[i];
  return SPX_OK;
}

int spx_xgb_export(spx_xgb *b, uint32_t n, const uint32_t *cols, size_t ncols,
                   spx_tree_ensemble **out, spx_error *err) {
  bst_ulong len = 0;
  const char *buf = NULL;
  if (XGBoosterSaveModelToBuffer(b->h, "{\"format\": \"json\"}", &len, &buf) != 0)
    return xgb_fail(err, "model export");
  return spx_xgb_parse_json(buf, (size_t)len, n, cols, ncols, b->train->zero_missing, out, err);
}

/* ---- JSON model parsing -------------------------------------------------------------- */

static const cJSON *member(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* A number given as a JSON number or as a string (XGBoost writes base_score as "5E-1"). */
static int json_number(const cJSON *v, double *out) {
  if (cJSON_IsNumber(v)) {
    *out = v->valuedouble;
    return 1;
  }
  if (cJSON_IsString(v) && v->valuestring) {
    char *end;
    *out = strtod(v->valuestring, &end);
    return end != v->valuestring && *end == '\0';
  }
  return 0;
}

static int bad_model(spx_error *err, const char *what) {
  return spx_error_set(err, SPX_EINVAL, "XGBoost JSON model: %s", what);
}

/* A split of a model trained on mask data (0 bits missing) in the ensemble's form: 0 goes
 * to the default child, 1 to the child its threshold picks; rewritten (children swapped
 * when 0 goes right) so that x < 0.5 goes left. A split sending 0 and 1 the same way (XGBoost
 * does not make one: it has no gain) keeps its children with threshold 0 (both right) or 2
 * (both left). */
static void zero_missing_split(spx_tree_ensemble *e, size_t k, int default_left) {
  int32_t child0 = default_left ? e->left[k] : e->right[k];
  int32_t child1 = 1.0 < e->threshold[k] ? e->left[k] : e->right[k];
  if (child0 != child1) {
    e->left[k] = child0;
    e->right[k] = child1;
    e->threshold[k] = 0.5;
  } else {
    e->threshold[k] = child0 == e->left[k] ? 2.0 : 0.0;
  }
}

int spx_xgb_parse_json(const char *json, size_t len, uint32_t n, const uint32_t *cols,
                       size_t ncols, int zero_missing, spx_tree_ensemble **out,
                       spx_error *err) {
  *out = NULL;
  cJSON *root = cJSON_ParseWithLength(json, len);
  if (root == NULL) return bad_model(err, "not valid JSON");
  int rc = SPX_OK;
  spx_tree_ensemble *e = NULL;
  const cJSON *learner = member(root, "learner");
  const cJSON *gb = member(learner, "gradient_booster");
  const cJSON *gbname = member(gb, "name");
  const cJSON *trees = member(member(gb, "model"), "trees");
  const cJSON *base = member(member(learner, "learner_model_param"), "base_score");
  const cJSON *objective = member(member(learner, "objective"), "name");
  double base_score;
  if (!cJSON_IsString(gbname) || strcmp(gbname->valuestring, "gbtree") != 0) {
    rc = bad_model(err, "learner.gradient_booster.name is not \"gbtree\"");
    goto done;
  }
  if (!cJSON_IsArray(trees)) {
    rc = bad_model(err, "learner.gradient_booster.model.trees missing");
    goto done;
  }
  if (!json_number(base, &base_score)) {
    rc = bad_model(err, "learner.learner_model_param.base_score missing or not a number");
    goto done;
  }
  size_t ntrees = (size_t)cJSON_GetArraySize(trees), nnodes = 0;
  const cJSON *tree;
  cJSON_ArrayForEach(tree, trees) {
    const cJSON *lc = member(tree, "left_children");
    if (!cJSON_IsArray(lc)) {
      rc = bad_model(err, "a tree has no left_children array");
      goto done;
    }
    nnodes += (size_t)cJSON_GetArraySize(lc);
  }
  e = spx_tree_ensemble_create(n, ntrees, nnodes);
  if (e == NULL) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu tree nodes", nnodes);
    goto done;
  }
  e->base_score = (double)(float)base_score; /* XGBoost keeps it as a float */
  if (cJSON_IsString(objective) && strcmp(objective->valuestring, "binary:logistic") == 0) {
    if (!(base_score > 0.0 && base_score < 1.0)) {
      rc = bad_model(err, "binary:logistic base_score is not a probability in (0, 1)");
      goto done;
    }
    double pb = (double)(float)base_score;
    e->base_score = log(pb / (1.0 - pb)); /* the margin XGBoost adds */
  }
  size_t t = 0, k = 0;
  cJSON_ArrayForEach(tree, trees) {
    const cJSON *arr[5] = {member(tree, "left_children"), member(tree, "right_children"),
                           member(tree, "split_indices"), member(tree, "split_conditions"),
                           member(tree, "default_left")};
    int narr = zero_missing ? 5 : 4; /* default_left matters only with missing entries */
    int count = cJSON_GetArraySize(arr[0]);
    for (int a = 1; a < narr; a++)
      if (!cJSON_IsArray(arr[a]) || cJSON_GetArraySize(arr[a]) != count) {
        rc = bad_model(err, "tree node arrays missing or of different lengths");
        goto done;
      }
    e->tree_start[t] = k;
    const cJSON *it[5];
    for (int a = 0; a < narr; a++) it[a] = arr[a]->child;
    for (int i = 0; i < count; i++, k++) {
      double v[5];
      for (int a = 0; a < narr; a++) {
        if (!json_number(it[a], &v[a])) {
          rc = bad_model(err, "a tree node entry is not a number");
          goto done;
        }
        it[a] = it[a]->next;
      }
      if (v[0] < -1 || v[0] >= count || v[1] < -1 || v[1] >= count || v[2] < 0 ||
          v[2] > UINT32_MAX || (cols && v[0] >= 0 && v[2] >= (double)ncols)) {
        rc = bad_model(err, "a tree node entry is out of range");
        goto done;
      }
      e->left[k] = (int32_t)v[0];
      e->right[k] = (int32_t)v[1];
      e->feature[k] = cols && v[0] >= 0 ? cols[(size_t)v[2]] : (uint32_t)v[2];
      /* thresholds and leaf values are single precision in XGBoost */
      e->threshold[k] = (double)(float)v[3];
      e->leaf[k] = e->left[k] < 0 ? (double)(float)v[3] : 0.0;
      if (zero_missing && e->left[k] >= 0) zero_missing_split(e, k, v[4] != 0.0);
    }
    t++;
  }
  e->tree_start[ntrees] = k;
  rc = spx_tree_ensemble_validate(e, 0, err);
done:
  cJSON_Delete(root);
  if (rc) {
    spx_tree_ensemble_destroy(&e);
    return rc;
  }
  *out = e;
  return SPX_OK;
}

void spx_xgb_version(char *buf, size_t len) {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  snprintf(buf, len, "%d.%d.%d", major, minor, patch);
}
