/* proxy_search.c: cross-validated hyper-parameter search for the ProxySPEX proxy, split into
 * independent (candidate, fold) jobs and a deterministic reduction (see proxy_search.h). */
#include "proxy_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/xgb.h"

struct spx_proxy_search {
  const spx_maskset *masks;
  const double *y;
  size_t count;
  spx_proxy_search_config cfg;
  int depths[2];
  size_t ndepths;
  size_t ncand;     /* training candidates: (eta, depth) pairs */
  size_t folds_run; /* folds each candidate is scored on */
  uint32_t *cols;   /* screened features, NULL = all */
  size_t ncols;
  spx_maskset *own_masks; /* the search's row subsample (search_rows), or NULL */
  double *own_y;
  size_t full_count; /* samples before the search_rows subsample (the depth rule's count) */
  spx_tree_ensemble *model; /* reuse_search: the chosen job's model, first trees (or NULL) */
};

void spx_proxy_search_defaults(spx_proxy_search_config *cfg, spx_hpo hpo, int t) {
  memset(cfg, 0, sizeof *cfg);
  cfg->hpo = hpo;
  cfg->t = t;
  cfg->folds = 5;
  cfg->threads = 1;
  cfg->grid_neta = 2;
  cfg->grid_eta[0] = 0.01;
  cfg->grid_eta[1] = 0.1;
  cfg->grid_ntrees = 3;
  cfg->grid_trees[0] = 500;
  cfg->grid_trees[1] = 1000;
  cfg->grid_trees[2] = 5000;
  cfg->fast_eta = 0.1;
  cfg->fast_folds = 1;
  cfg->eval_every = 10;
  cfg->patience = 50;
  cfg->max_trees = 5000;
  cfg->screen = hpo == SPX_HPO_FAST;
  cfg->screen_trees = 20;
  cfg->screen_eta = 0.3;
  cfg->search_rows = SPX_PROXY_DEFAULT_SEARCH_ROWS;
  cfg->tree_tol = SPX_PROXY_DEFAULT_TREE_TOL;
  cfg->shallow_max_samples = SPX_PROXY_DEFAULT_SHALLOW_MAX;
  cfg->screen_rows = SPX_PROXY_DEFAULT_SCREEN_ROWS;
  cfg->min_gain = SPX_PROXY_DEFAULT_MIN_GAIN;
  cfg->speed_samples = SPX_PROXY_DEFAULT_SPEED_SAMPLES;
  cfg->speed_eta = SPX_PROXY_BASE_SPEED_ETA; /* ProxySPEX: SPX_PROXY_DEFAULT_SPEED_ETA */
  cfg->fallback_r2 = SPX_PROXY_DEFAULT_FALLBACK_R2;
  cfg->merge_rows = 0; /* ProxySPEX turns it on (SPX_PROXY_DEFAULT_MERGE_ROWS) */
  cfg->work_cap = 0.0;  /* ProxySPEX sets SPX_PROXY_DEFAULT_WORK_CAP */
  cfg->work_cap_r2 = SPX_PROXY_DEFAULT_WORK_CAP_R2;
}

/* Training data: rows merged when merge (spx_xgb_data_create_merged), else as they are. */
static spx_xgb_data *train_data(const spx_maskset *masks, const double *y, const size_t *rows,
                                size_t count, const uint32_t *cols, size_t ncols, int threads,
                                int merge, spx_error *err) {
  return merge ? spx_xgb_data_create_merged(masks, y, rows, count, cols, ncols, threads, NULL,
                                            err)
               : spx_xgb_data_create(masks, y, rows, count, cols, ncols, threads, err);
}

static void fold_range_n(size_t count, size_t K, size_t f, size_t *begin, size_t *end) {
  size_t base = count / K, extra = count % K;
  *begin = f * base + (f < extra ? f : extra);
  *end = *begin + base + (f < extra ? 1 : 0);
}

/* The sorted features a screening model (depth t, screen_eta, screen_trees rounds) trained on
 * rows[0..nrows) over the columns cols[0..ncols) (cols NULL: all n) splits on: *out (malloc'ed,
 * NULL when it makes no split) and *count. */
static int screen_model(const spx_proxy_search *s, const size_t *rows, size_t nrows,
                        const uint32_t *cols, size_t ncols, uint32_t **out, size_t *count,
                        spx_error *err) {
  *out = NULL;
  *count = 0;
  size_t n = s->masks->n;
  spx_xgb_data *d = train_data(s->masks, s->y, rows, nrows, cols, ncols, s->cfg.threads,
                               s->cfg.merge_rows, err);
  if (d == NULL) return err->code;
  spx_xgb_params p = {.max_depth = s->cfg.t, .eta = s->cfg.screen_eta,
                      .threads = s->cfg.threads, .seed = s->cfg.seed};
  spx_xgb *b = spx_xgb_create(d, &p, err);
  int rc = b ? spx_xgb_boost(b, s->cfg.screen_trees, err) : err->code;
  spx_tree_ensemble *e = NULL;
  if (rc == SPX_OK) rc = spx_xgb_export(b, (uint32_t)n, cols, ncols, &e, err);
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&d);
  if (rc) return rc;
  unsigned char *used = calloc(n, 1);
  if (used == NULL) {
    spx_tree_ensemble_destroy(&e);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  size_t k = 0;
  for (size_t i = 0; i < e->nnodes; i++)
    if (e->left[i] >= 0 && !used[e->feature[i]]) {
      used[e->feature[i]] = 1;
      k++;
    }
  spx_tree_ensemble_destroy(&e);
  if (k > 0) {
    *out = malloc(k * sizeof **out);
    if (*out == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SPX_OK && i < n; i++) /* ascending: sorted */
      if (used[i]) (*out)[(*count)++] = (uint32_t)i;
  }
  free(used);
  return rc;
}

/* The screening of proxy_search.h on the training rows of fold 0. With screen_rows > 0 and
 * more training rows, it runs in two stages: a model on screen_rows evenly spaced rows over
 * all n features gives a candidate set, then a model on all training rows over the candidates
 * alone gives the kept features (a greedy tree on all rows splits on the same features as
 * long as its best split is among the candidates; the first stage's extra, noise-driven
 * candidates are dropped). */
static int screen_features(spx_proxy_search *s, spx_error *err) {
  size_t vb, ve;
  fold_range_n(s->count, s->cfg.folds, 0, &vb, &ve);
  size_t nt = s->count - (ve - vb);
  size_t *rows = malloc(nt * sizeof *rows);
  SPX_CHECK_ALLOC(rows, err);
  for (size_t i = 0, k = 0; i < s->count; i++)
    if (i < vb || i >= ve) rows[k++] = i;
  uint32_t *cols = NULL;
  size_t ncols = 0;
  int rc;
  if (s->cfg.screen_rows > 0 && nt > s->cfg.screen_rows) {
    size_t M = s->cfg.screen_rows;
    size_t *sub = malloc(M * sizeof *sub);
    if (sub == NULL) {
      free(rows);
      return spx_error_set(err, SPX_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < M; i++) sub[i] = rows[i * nt / M]; /* evenly spaced */
    uint32_t *cand = NULL;
    size_t ncand = 0;
    rc = screen_model(s, sub, M, NULL, 0, &cand, &ncand, err);
    free(sub);
    if (rc == SPX_OK && cand != NULL) /* the second stage, on the candidates */
      rc = screen_model(s, rows, nt, cand, ncand, &cols, &ncols, err);
    else if (rc == SPX_OK) /* no split on the subsample: screen on all rows */
      rc = screen_model(s, rows, nt, NULL, 0, &cols, &ncols, err);
    free(cand);
  } else {
    rc = screen_model(s, rows, nt, NULL, 0, &cols, &ncols, err);
  }
  free(rows);
  if (rc == SPX_OK && cols != NULL && ncols < s->masks->n) {
    s->cols = cols; /* sorted */
    s->ncols = ncols;
    cols = NULL;
  }
  free(cols);
  return rc;
}

/* spx_proxy_search_create, with the depth rule (shallow_max_samples) applied to full samples:
 * masks->count for a new search, the original count for a job's copy of a subsampled one. */
static spx_proxy_search *create_counted(const spx_maskset *masks, const double *y,
                                        const spx_proxy_search_config *cfg, size_t full,
                                        spx_error *err) {
  const char *bad = NULL;
  if (cfg->t < 1) bad = "t must be >= 1";
  else if (cfg->folds < 2) bad = "need at least 2 folds";
  else if (masks->count < cfg->folds) bad = "fewer samples than folds";
  else if (cfg->threads < 1) bad = "threads must be >= 1";
  else if (cfg->hpo == SPX_HPO_GRID) {
    if (cfg->grid_neta < 1 || cfg->grid_neta > SPX_PROXY_MAX_LIST || cfg->grid_ntrees < 1 ||
        cfg->grid_ntrees > SPX_PROXY_MAX_LIST)
      bad = "grid lists must have 1 to 8 entries";
    for (size_t i = 0; !bad && i < cfg->grid_ntrees; i++)
      if (cfg->grid_trees[i] < 1 || (i && cfg->grid_trees[i] <= cfg->grid_trees[i - 1]))
        bad = "grid tree counts must be positive and increasing";
    for (size_t i = 0; !bad && i < cfg->grid_neta; i++)
      if (!(cfg->grid_eta[i] > 0.0)) bad = "grid learning rates must be positive";
  } else {
    if (!(cfg->fast_eta > 0.0)) bad = "learning rate must be positive";
    else if (cfg->fast_folds < 1 || cfg->fast_folds > cfg->folds) bad = "fast_folds not in 1..folds";
    else if (cfg->eval_every < 1 || cfg->max_trees < cfg->eval_every) bad = "bad eval_every / max_trees";
    else if (cfg->max_trees / cfg->eval_every > SPX_PROXY_MAX_CHECKPOINTS)
      bad = "max_trees / eval_every exceeds 1024 checkpoints";
    else if (!(cfg->min_gain >= 0.0)) bad = "min_gain must be >= 0";
    else if (!(cfg->work_cap >= 0.0) || !(cfg->work_cap_r2 <= 1.0))
      bad = "work_cap must be >= 0 and work_cap_r2 <= 1";
    else if (!(cfg->speed_eta > 0.0) || !(cfg->fallback_r2 <= 1.0))
      bad = "speed_eta must be > 0 and fallback_r2 <= 1";
  }
  if (bad) {
    spx_error_set(err, SPX_EINVAL, "proxy search: %s", bad);
    return NULL;
  }
  spx_proxy_search *s = calloc(1, sizeof *s);
  if (s == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  s->masks = masks;
  s->y = y;
  s->count = masks->count;
  s->full_count = full;
  s->cfg = *cfg;
  if (cfg->hpo == SPX_HPO_FAST && cfg->search_rows >= 2 * cfg->folds &&
      masks->count > cfg->search_rows) { /* evenly spaced rows i * count / M */
    size_t M = cfg->search_rows;
    s->own_masks = spx_maskset_create(masks->n, M);
    s->own_y = malloc(M * sizeof *s->own_y);
    if (s->own_masks == NULL || s->own_y == NULL) {
      spx_error_set(err, SPX_ENOMEM, "out of memory for the search's %zu rows", M);
      spx_proxy_search_destroy(&s);
      return NULL;
    }
    for (size_t i = 0; i < M; i++) {
      size_t r = i * masks->count / M; /* < 2^64: both below 2^32 in practice */
      memcpy(spx_maskset_row(s->own_masks, i), spx_maskset_row(masks, r),
             masks->words * sizeof(uint64_t));
      s->own_y[i] = y[r];
    }
    s->masks = s->own_masks;
    s->y = s->own_y;
    s->count = M;
  }
  int lo = cfg->t - 2 < 1 ? 1 : cfg->t - 2;
  s->depths[0] = lo;
  s->depths[1] = cfg->t;
  s->ndepths = lo == cfg->t ? 1 : 2;
  if (cfg->hpo == SPX_HPO_FAST && cfg->shallow_max_samples > 0 &&
      full > cfg->shallow_max_samples) { /* depth t alone (by the full sample count) */
    s->depths[0] = cfg->t;
    s->ndepths = 1;
  }
  size_t neta = cfg->hpo == SPX_HPO_GRID ? cfg->grid_neta : 1;
  s->ncand = neta * s->ndepths;
  s->folds_run = cfg->hpo == SPX_HPO_GRID ? cfg->folds : cfg->fast_folds;
  if (cfg->screen) {
    spx_error local;
    if (err == NULL) err = &local;
    if (cfg->screen_trees < 1 || !(cfg->screen_eta > 0.0)) {
      spx_error_set(err, SPX_EINVAL, "proxy search: bad screening settings");
      spx_proxy_search_destroy(&s);
      return NULL;
    }
    if (screen_features(s, err) != SPX_OK) spx_proxy_search_destroy(&s);
  }
  return s;
}

spx_proxy_search *spx_proxy_search_create(const spx_maskset *masks, const double *y,
                                          const spx_proxy_search_config *cfg, spx_error *err) {
  return create_counted(masks, y, cfg, masks->count, err);
}

size_t spx_proxy_search_columns(const spx_proxy_search *s, const uint32_t **cols) {
  *cols = s->cols;
  return s->cols ? s->ncols : s->masks->n;
}

void spx_proxy_search_destroy(spx_proxy_search **s) {
  if (s == NULL || *s == NULL) return;
  free((*s)->cols);
  spx_maskset_destroy(&(*s)->own_masks);
  free((*s)->own_y);
  spx_tree_ensemble_destroy(&(*s)->model);
  free(*s);
  *s = NULL;
}

size_t spx_proxy_search_jobs(const spx_proxy_search *s) { return s->ncand * s->folds_run; }

/* Candidate c: eta slowest, depth fastest (sklearn's ParameterGrid order). */
static void candidate(const spx_proxy_search *s, size_t c, int *depth, double *eta) {
  *depth = s->depths[c % s->ndepths];
  *eta = s->cfg.hpo == SPX_HPO_GRID ? s->cfg.grid_eta[c / s->ndepths] : s->cfg.fast_eta;
}

static void fold_range(const spx_proxy_search *s, size_t f, size_t *begin, size_t *end) {
  fold_range_n(s->count, s->cfg.folds, f, begin, end);
}

/* sklearn's r2_score for one output. */
static double heldout_r2(const double *y, const double *pred, size_t count) {
  double mean = 0.0;
  for (size_t i = 0; i < count; i++) mean += y[i];
  mean /= (double)count;
  double res = 0.0, tot = 0.0;
  for (size_t i = 0; i < count; i++) {
    res += (y[i] - pred[i]) * (y[i] - pred[i]);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  if (tot == 0.0) return res == 0.0 ? 1.0 : 0.0;
  return 1.0 - res / tot;
}

/* Job j; when keep is not NULL, *keep receives its booster (and *keep_train the training data
 * it references) for the caller to destroy. */
static int run_job_keep(const spx_proxy_search *s, size_t j, spx_proxy_job_result *out,
                        spx_xgb **keep, spx_xgb_data **keep_train, spx_error *err) {
  spx_error local;
  if (err == NULL) err = &local;
  if (j >= spx_proxy_search_jobs(s))
    return spx_error_set(err, SPX_EINVAL, "proxy search job %zu of %zu", j,
                         spx_proxy_search_jobs(s));
  memset(out, 0, sizeof *out);
  out->job = j;
  size_t c = j / s->folds_run, f = j % s->folds_run;
  int depth;
  double eta;
  candidate(s, c, &depth, &eta);
  size_t vb, ve;
  fold_range(s, f, &vb, &ve);
  size_t nv = ve - vb, nt = s->count - nv;
  size_t *train_rows = malloc(nt * sizeof *train_rows);
  double *pred = malloc(nv * sizeof *pred), *step = malloc(nv * sizeof *step);
  spx_xgb_data *train = NULL, *valid = NULL;
  spx_xgb *b = NULL;
  int rc = SPX_OK;
  if (!train_rows || !pred || !step) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory in proxy search");
    goto done;
  }
  for (size_t i = 0, k = 0; i < s->count; i++)
    if (i < vb || i >= ve) train_rows[k++] = i;
  train = train_data(s->masks, s->y, train_rows, nt, s->cols, s->ncols, s->cfg.threads,
                     s->cfg.merge_rows, err);
  if (train) {
    for (size_t i = 0; i < nv; i++) train_rows[i] = vb + i; /* the held-out rows */
    valid = spx_xgb_data_create(s->masks, NULL, train_rows, nv, s->cols, s->ncols,
                                s->cfg.threads, err);
  }
  size_t train_rows_used = train ? spx_xgb_data_rows(train) : 0; /* after merging */
  spx_xgb_params p = {.max_depth = depth, .eta = eta, .threads = s->cfg.threads,
                      .seed = s->cfg.seed};
  b = valid ? spx_xgb_create(train, &p, err) : NULL;
  if (b == NULL) {
    rc = err->code;
    goto done;
  }
  const double *yv = s->y + vb;
  double base = spx_xgb_base_score(b);
  for (size_t i = 0; i < nv; i++) pred[i] = base;
  if (s->cfg.hpo == SPX_HPO_GRID) {
    for (size_t k = 0; k < s->cfg.grid_ntrees && rc == SPX_OK; k++) {
      size_t have = spx_xgb_trees(b), want = s->cfg.grid_trees[k];
      rc = spx_xgb_boost(b, want - have, err);
      if (rc == SPX_OK) rc = spx_xgb_predict_trees(b, valid, have, want, step, err);
      if (rc == SPX_OK) {
        for (size_t i = 0; i < nv; i++) pred[i] += step[i];
        out->r2[out->count++] = heldout_r2(yv, pred, nv);
      }
    }
  } else {
    double best = -INFINITY; /* the best R² that counted as an improvement */
    size_t best_trees = 0;
    while (rc == SPX_OK && spx_xgb_trees(b) + s->cfg.eval_every <= s->cfg.max_trees) {
      size_t have = spx_xgb_trees(b);
      rc = spx_xgb_boost(b, s->cfg.eval_every, err);
      if (rc == SPX_OK) rc = spx_xgb_predict_trees(b, valid, have, 0, step, err);
      if (rc) break;
      for (size_t i = 0; i < nv; i++) pred[i] += step[i];
      double r2 = heldout_r2(yv, pred, nv);
      out->r2[out->count++] = r2;
      if (r2 > best + s->cfg.min_gain) { /* -INFINITY + min_gain is -INFINITY */
        best = r2;
        best_trees = spx_xgb_trees(b);
      }
      if (spx_xgb_trees(b) - best_trees >= s->cfg.patience) break;
      if (s->cfg.work_cap > 0.0 && r2 >= s->cfg.work_cap_r2 &&
          (double)spx_xgb_trees(b) * (double)train_rows_used >= s->cfg.work_cap) {
        out->capped = 1; /* the time/accuracy cap */
        break;
      }
    }
  }
done:
  if (keep && rc == SPX_OK) { /* hand the model over */
    *keep = b;
    *keep_train = train;
    b = NULL;
    train = NULL;
  }
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&train);
  spx_xgb_data_destroy(&valid);
  free(train_rows);
  free(pred);
  free(step);
  return rc;
}

int spx_proxy_search_run_job(const spx_proxy_search *s, size_t j, spx_proxy_job_result *out,
                             spx_error *err) {
  return run_job_keep(s, j, out, NULL, NULL, err);
}

/* reuse_search with a single job (one candidate, one fold): the job runs here, which gives the
 * result any runner would (a job is a pure function of its input), and its model, cut to the
 * chosen tree count, is kept in s->model as the proxy. */
static int run_single_keep(spx_proxy_search *s, spx_proxy_choice *best, spx_error *err) {
  spx_proxy_job_result *res = malloc(sizeof *res);
  SPX_CHECK_ALLOC(res, err);
  spx_xgb *b = NULL;
  spx_xgb_data *train = NULL;
  int rc = run_job_keep(s, 0, res, &b, &train, err);
  if (rc == SPX_OK) rc = spx_proxy_search_combine(s, res, best, err);
  spx_tree_ensemble *e = NULL;
  if (rc == SPX_OK)
    rc = spx_xgb_export(b, (uint32_t)s->masks->n, s->cols, s->cols ? s->ncols : 0, &e, err);
  if (rc == SPX_OK && best->trees < e->ntrees) { /* the first best->trees trees */
    e->ntrees = best->trees;
    e->nnodes = e->tree_start[best->trees];
  }
  if (rc == SPX_OK) s->model = e;
  else spx_tree_ensemble_destroy(&e);
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&train);
  free(res);
  return rc;
}

spx_tree_ensemble *spx_proxy_search_take_model(spx_proxy_search *s) {
  spx_tree_ensemble *e = s->model;
  s->model = NULL;
  return e;
}

int spx_proxy_search_combine(const spx_proxy_search *s, const spx_proxy_job_result *results,
                             spx_proxy_choice *best, spx_error *err) {
  size_t F = s->folds_run;
  for (size_t j = 0; j < spx_proxy_search_jobs(s); j++)
    if (results[j].job != j || results[j].count == 0 ||
        results[j].count > SPX_PROXY_MAX_CHECKPOINTS)
      return spx_error_set(err, SPX_EINVAL, "proxy search: result %zu is missing or malformed",
                           j);
  int found = 0;
  size_t best_c = 0;
  for (size_t c = 0; c < s->ncand; c++) {
    size_t len = SPX_PROXY_MAX_CHECKPOINTS;
    for (size_t f = 0; f < F; f++)
      if (results[c * F + f].count < len) len = results[c * F + f].count;
    for (size_t k = 0; k < len; k++) {
      double mean = 0.0; /* summed in fold order: the same on every rank */
      for (size_t f = 0; f < F; f++) mean += results[c * F + f].r2[k];
      mean /= (double)F;
      if (!found || mean > best->cv_r2) {
        found = 1;
        candidate(s, c, &best->max_depth, &best->eta);
        best->trees = s->cfg.hpo == SPX_HPO_GRID ? s->cfg.grid_trees[k]
                                                 : (k + 1) * s->cfg.eval_every;
        best->cv_r2 = mean;
        best_c = c;
      }
    }
  }
  if (!found) return spx_error_set(err, SPX_EINTERNAL, "proxy search: no candidate scored");
  best->capped = 0;
  for (size_t f = 0; f < F; f++) best->capped |= results[best_c * F + f].capped;
  if (s->cfg.hpo == SPX_HPO_FAST && s->cfg.tree_tol > 0.0) {
    /* the fewest trees of the chosen candidate within tree_tol of its best mean R² */
    size_t c = 0;
    while (c < s->ncand) {
      int d;
      double e;
      candidate(s, c, &d, &e);
      if (d == best->max_depth) break;
      c++;
    }
    size_t len = SPX_PROXY_MAX_CHECKPOINTS;
    for (size_t f = 0; f < F; f++)
      if (results[c * F + f].count < len) len = results[c * F + f].count;
    for (size_t k = 0; k < len; k++) {
      double mean = 0.0;
      for (size_t f = 0; f < F; f++) mean += results[c * F + f].r2[k];
      mean /= (double)F;
      if (mean >= best->cv_r2 - s->cfg.tree_tol) {
        best->trees = (k + 1) * s->cfg.eval_every;
        break;
      }
    }
  }
  return SPX_OK;
}

int spx_proxy_search_run(const spx_proxy_search *s, spx_proxy_choice *best, spx_error *err) {
  size_t J = spx_proxy_search_jobs(s);
  spx_proxy_job_result *res = malloc(J * sizeof *res);
  SPX_CHECK_ALLOC(res, err);
  int rc = SPX_OK;
  for (size_t j = 0; j < J && rc == SPX_OK; j++) rc = spx_proxy_search_run_job(s, j, &res[j], err);
  if (rc == SPX_OK) rc = spx_proxy_search_combine(s, res, best, err);
  free(res);
  return rc;
}

/* ---- the search as a job batch ---------------------------------------------------------- */

/* Input layout: config, n, count, full count, ncols, cols[ncols], mask words, y[count]. The
 * full count (before the search_rows subsample) makes the copy pick the same depths. */
typedef struct {
  spx_maskset *masks;
  double *y;
  spx_proxy_search *search;
} search_job_ctx;

static void search_job_close(void *vctx) {
  search_job_ctx *c = vctx;
  if (c == NULL) return;
  spx_proxy_search_destroy(&c->search);
  spx_maskset_destroy(&c->masks);
  free(c->y);
  free(c);
}

static int search_job_open(const void *input, size_t len, void **out, spx_error *err) {
  *out = NULL;
  spx_bytes_reader r = {input, len, 0, 0};
  spx_proxy_search_config cfg;
  uint64_t n = 0, count = 0, full = 0, ncols = 0;
  spx_bytes_get(&r, &cfg, sizeof cfg);
  spx_bytes_get(&r, &n, sizeof n);
  spx_bytes_get(&r, &count, sizeof count);
  spx_bytes_get(&r, &full, sizeof full);
  spx_bytes_get(&r, &ncols, sizeof ncols);
  if (r.failed || n == 0 || n > UINT32_MAX || ncols > n || count > len)
    return spx_error_set(err, SPX_EINVAL, "proxy search: malformed job input");
  search_job_ctx *c = calloc(1, sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  const uint32_t *cols = spx_bytes_get(&r, NULL, ncols * sizeof *cols);
  c->masks = spx_maskset_create((size_t)n, (size_t)count);
  c->y = malloc((count ? count : 1) * sizeof *c->y);
  if (c->masks == NULL || c->y == NULL) {
    search_job_close(c);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the proxy search's samples");
  }
  spx_bytes_get(&r, c->masks->bits, c->masks->count * c->masks->words * sizeof *c->masks->bits);
  spx_bytes_get(&r, c->y, count * sizeof *c->y);
  if (r.failed || r.at != len) {
    search_job_close(c);
    return spx_error_set(err, SPX_EINVAL, "proxy search: malformed job input");
  }
  cfg.screen = 0; /* the screened columns come with the input */
  c->search = create_counted(c->masks, c->y, &cfg, (size_t)full, err);
  if (c->search == NULL) {
    search_job_close(c);
    return err ? err->code : SPX_EINVAL;
  }
  if (ncols) {
    c->search->cols = malloc(ncols * sizeof *cols);
    if (c->search->cols == NULL) {
      search_job_close(c);
      return spx_error_set(err, SPX_ENOMEM, "out of memory");
    }
    memcpy(c->search->cols, cols, ncols * sizeof *cols);
    c->search->ncols = ncols;
  }
  *out = c;
  return SPX_OK;
}

static int search_job_run(void *vctx, size_t job, void *result, size_t result_size,
                          spx_error *err) {
  search_job_ctx *c = vctx;
  if (result_size != sizeof(spx_proxy_job_result))
    return spx_error_set(err, SPX_EINVAL, "proxy search: result size %zu, expected %zu",
                         result_size, sizeof(spx_proxy_job_result));
  return spx_proxy_search_run_job(c->search, job, result, err);
}

const spx_jobs_type spx_jobs_proxy_search = {
    .name = "proxyspex.search",
    .open = search_job_open,
    .run = search_job_run,
    .close = search_job_close,
};

int spx_proxy_search_run_shared(const spx_proxy_search *s, const spx_jobs_runner *jobs,
                                spx_proxy_choice *best, spx_error *err) {
  spx_bytes in = {0};
  uint64_t n = s->masks->n, count = s->count, full = s->full_count;
  uint64_t ncols = s->cols ? s->ncols : 0;
  spx_bytes_put(&in, &s->cfg, sizeof s->cfg);
  spx_bytes_put(&in, &n, sizeof n);
  spx_bytes_put(&in, &count, sizeof count);
  spx_bytes_put(&in, &full, sizeof full);
  spx_bytes_put(&in, &ncols, sizeof ncols);
  spx_bytes_put(&in, s->cols, ncols * sizeof *s->cols);
  spx_bytes_put(&in, s->masks->bits, s->count * s->masks->words * sizeof *s->masks->bits);
  spx_bytes_put(&in, s->y, s->count * sizeof *s->y);
  size_t J = spx_proxy_search_jobs(s);
  spx_proxy_job_result *res = malloc(J * sizeof *res);
  int rc = (res && !in.failed) ? SPX_OK
                               : spx_error_set(err, SPX_ENOMEM, "out of memory for the search");
  if (rc == SPX_OK)
    rc = spx_jobs_run(jobs, &spx_jobs_proxy_search, in.data, in.len, J, sizeof *res, res, err);
  if (rc == SPX_OK) rc = spx_proxy_search_combine(s, res, best, err);
  free(res);
  spx_bytes_free(&in);
  return rc;
}

/* The accurate search (cfg with all rows, one-stage screening, min_gain 0, tree_tol 0,
 * merge_rows 0, work_cap 0) through jobs; with keep and a single job, that job runs here
 * instead and its model is kept (run_single_keep: the same result as through any runner). */
static int accurate_search(const spx_maskset *masks, const double *y,
                           const spx_proxy_search_config *cfg, const spx_jobs_runner *jobs,
                           int keep, spx_proxy_search **out, spx_proxy_choice *best,
                           spx_error *err) {
  spx_proxy_search_config acc = *cfg;
  acc.search_rows = 0;
  acc.screen_rows = 0;
  acc.min_gain = 0.0;
  acc.tree_tol = 0.0;
  acc.merge_rows = 0;
  acc.work_cap = 0.0;
  acc.reuse_search = 0;
  acc.reuse_fallback = 0;
  spx_proxy_search *s = spx_proxy_search_create(masks, y, &acc, err);
  if (s == NULL) return err->code;
  int rc = keep && spx_proxy_search_jobs(s) == 1 ? run_single_keep(s, best, err)
                                                 : spx_proxy_search_run_shared(s, jobs, best, err);
  if (rc) {
    spx_proxy_search_destroy(&s);
    return rc;
  }
  best->merge_rows = 0;
  *out = s;
  return SPX_OK;
}

int spx_proxy_search_gated(const spx_maskset *masks, const double *y,
                           const spx_proxy_search_config *cfg, const spx_jobs_runner *jobs,
                           spx_proxy_search **out, spx_proxy_choice *best, int *mode,
                           spx_error *err) {
  spx_error local;
  if (err == NULL) err = &local;
  *out = NULL;
  *mode = 0;
  spx_proxy_search *s = NULL;
  int rc = SPX_OK;
  if (cfg->hpo == SPX_HPO_FAST && cfg->speed_samples > 0 && masks->count > cfg->speed_samples) {
    spx_proxy_search_config speed = *cfg;
    speed.fast_eta = cfg->speed_eta;
    s = spx_proxy_search_create(masks, y, &speed, err);
    if (s == NULL) return err->code;
    if (speed.reuse_search && spx_proxy_search_jobs(s) == 1)
      rc = run_single_keep(s, best, err);
    else
      rc = spx_proxy_search_run_shared(s, jobs, best, err);
    *mode = 1;
    if (rc == SPX_OK && best->cv_r2 >= cfg->fallback_r2) {
      best->merge_rows = speed.merge_rows;
      *out = s;
      return SPX_OK;
    }
    spx_proxy_search_destroy(&s);
    if (rc) return rc;
    *mode = 2;
  }
  return accurate_search(masks, y, cfg, jobs, *mode == 2 && cfg->reuse_fallback, out, best,
                         err);
}

int spx_proxy_fit(const spx_maskset *masks, const double *y, const uint32_t *cols,
                  size_t ncols, const spx_proxy_choice *choice, int threads, uint32_t seed,
                  spx_tree_ensemble **out, spx_error *err) {
  spx_error local;
  if (err == NULL) err = &local;
  *out = NULL;
  spx_xgb_data *d = train_data(masks, y, NULL, masks->count, cols, ncols, threads,
                               choice->merge_rows, err);
  if (d == NULL) return err->code;
  spx_xgb_params p = {.max_depth = choice->max_depth, .eta = choice->eta, .threads = threads,
                      .seed = seed, .subsample = choice->subsample};
  spx_xgb *b = spx_xgb_create(d, &p, err);
  int rc = b ? spx_xgb_boost(b, choice->trees, err) : err->code;
  if (rc == SPX_OK) rc = spx_xgb_export(b, (uint32_t)masks->n, cols, ncols, out, err);
  spx_xgb_destroy(&b);
  spx_xgb_data_destroy(&d);
  return rc;
}
