/* proxy_search.h: ProxySPEX's hyper-parameter search for the XGBoost proxy, as a list of
 * independent (candidate, fold) jobs plus a deterministic reduction.
 *
 * A job trains one candidate (max_depth, learning rate) on all samples outside one
 * cross-validation fold and scores the held-out fold by R² at a list of tree counts
 * ("checkpoints"). Jobs are pure functions of (samples, config, job number), so they can run
 * in any order, on any rank, and combine() -- given the results of every job in job order --
 * picks the same (max_depth, learning rate, trees) everywhere.
 *
 * Folds are contiguous blocks like sklearn's KFold without shuffling: with N samples and K
 * folds, the first N mod K folds hold floor(N/K) + 1 samples, the others floor(N/K).
 * Held-out R² follows sklearn's r2_score: 1 - SSres/SStot about the fold's own mean, and for
 * a constant fold 1 when the prediction is exact, else 0.
 *
 * hpo = grid (the paper's GridSearchCV): candidates max_depth in {max(1, t-2), t} x learning
 * rate in {0.01, 0.1}, each scored at 500, 1000 and 5000 trees on all K folds; the score of a
 * grid point is the mean R² over folds; ties go to the first point in sklearn's ParameterGrid
 * order (learning_rate, then max_depth, then n_estimators). Training the largest tree count
 * once and scoring its first 500 / 1000 trees is the same as training 500 / 1000 trees,
 * because boosting without subsampling is deterministic.
 *
 * hpo = fast: candidates max_depth in {max(1, t-2), t} at one learning rate (default 0.1),
 * scored on the first fast_folds folds (default 1, i.e. one 80/20 hold-out) every
 * eval_every trees with early stopping: a job stops after patience trees without a held-out
 * R² better than the best so far by more than min_gain (default 0: strictly better), or at
 * max_trees. Each candidate's curve is averaged over the folds up
 * to the shortest one, and the best (candidate, checkpoint) wins; ties go to the earlier
 * candidate and the smaller tree count.
 *
 * hpo = fast with more than shallow_max_samples samples (default 10,000; counted before any
 * search_rows subsampling) searches depth t alone.
 *
 * Screening (screen = 1): before any job, one model of depth t with screen_eta is trained for
 * screen_trees rounds on the training rows of fold 0, using all n features; the features it
 * splits on (sorted) become the only columns of every job and of the final fit. With
 * screen_rows > 0 and more training rows, in two stages: the model on screen_rows evenly
 * spaced training rows over all n features gives candidates, and a model on all training
 * rows over the candidates alone gives the kept features. A tree model
 * never uses a feature it does not split on, so this only removes features that the greedy
 * trees did not pick in the first rounds; it cuts the cost of every later tree by n / kept.
 * If the screening model makes no split, all features are kept. */
#ifndef SPX_PROXY_SEARCH_H
#define SPX_PROXY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/error.h"
#include "../../core/jobs.h"
#include "../../core/mask.h"
#include "../../model/tree_fourier.h"

typedef enum { SPX_HPO_FAST = 0, SPX_HPO_GRID = 1 } spx_hpo;

#define SPX_PROXY_MAX_LIST 8           /* learning rates / tree counts in a grid */
#define SPX_PROXY_MAX_CHECKPOINTS 1024 /* scores one job can report */
/* Defaults of the speed rules, as numbers and as the text of proxyspex's option table. */
#define SPX_PROXY_DEFAULT_SEARCH_ROWS 16000  /* search_rows default */
#define SPX_PROXY_DEFAULT_SEARCH_ROWS_S "16000"
#define SPX_PROXY_DEFAULT_TREE_TOL 0.001   /* tree_tol default */
#define SPX_PROXY_DEFAULT_TREE_TOL_S "0.001"
#define SPX_PROXY_DEFAULT_FIT_ROWS 0     /* final fit: rows per tree (caller's rule) default */
#define SPX_PROXY_DEFAULT_FIT_ROWS_S "0"
#define SPX_PROXY_DEFAULT_SHALLOW_MAX 10000 /* shallow_max_samples default */
#define SPX_PROXY_DEFAULT_SHALLOW_MAX_S "10000"
#define SPX_PROXY_DEFAULT_SCREEN_ROWS 4000 /* screen_rows default */
#define SPX_PROXY_DEFAULT_SCREEN_ROWS_S "4000"
#define SPX_PROXY_DEFAULT_SPEED_SAMPLES 10000 /* speed_samples default */
#define SPX_PROXY_DEFAULT_SPEED_SAMPLES_S "10000"
#define SPX_PROXY_DEFAULT_SPEED_ETA 0.5 /* speed_eta default (ProxySPEX, session 6) */
#define SPX_PROXY_DEFAULT_SPEED_ETA_S "0.5"
#define SPX_PROXY_BASE_SPEED_ETA 0.3 /* speed_eta of spx_proxy_search_defaults (session 5) */
#define SPX_PROXY_DEFAULT_FALLBACK_R2 0.9 /* fallback_r2 default */
#define SPX_PROXY_DEFAULT_FALLBACK_R2_S "0.9"
#define SPX_PROXY_DEFAULT_MIN_GAIN 0.0002 /* min_gain default */
#define SPX_PROXY_DEFAULT_MIN_GAIN_S "0.0002"
#define SPX_PROXY_DEFAULT_MERGE_ROWS 1 /* merge_rows default */
#define SPX_PROXY_DEFAULT_MERGE_ROWS_S "true"
#define SPX_PROXY_DEFAULT_REUSE_SEARCH 1 /* reuse_search default */
#define SPX_PROXY_DEFAULT_REUSE_SEARCH_S "true"
#define SPX_PROXY_DEFAULT_REUSE_FALLBACK 1 /* reuse_fallback default (ProxySPEX) */
#define SPX_PROXY_DEFAULT_REUSE_FALLBACK_S "true"
#define SPX_PROXY_DEFAULT_WORK_CAP 9e6 /* work_cap default (ProxySPEX) */
#define SPX_PROXY_DEFAULT_WORK_CAP_S "9e6"
#define SPX_PROXY_DEFAULT_WORK_CAP_R2 0.99 /* work_cap_r2 default */
#define SPX_PROXY_DEFAULT_WORK_CAP_R2_S "0.99"

typedef struct spx_proxy_search_config {
  spx_hpo hpo;
  int t;            /* depth parameter: depths {max(1, t-2), t} */
  size_t folds;     /* K >= 2 */
  int threads;      /* XGBoost nthread inside a job */
  uint32_t seed;    /* XGBoost seed */
  /* grid */
  size_t grid_neta, grid_ntrees;
  double grid_eta[SPX_PROXY_MAX_LIST];    /* default {0.01, 0.1} */
  size_t grid_trees[SPX_PROXY_MAX_LIST];  /* increasing; default {500, 1000, 5000} */
  /* fast */
  double fast_eta;       /* default 0.1 */
  size_t fast_folds;     /* folds actually used, 1..K; default 1 */
  size_t eval_every;     /* trees between held-out evaluations; default 10 */
  size_t patience;       /* trees without improvement before stopping; default 50 */
  size_t max_trees;      /* cap; default 5000 */
  /* feature screening (default: on for fast, off for grid) */
  int screen;            /* restrict every job and the final fit to the screened features */
  size_t screen_trees;   /* rounds of the screening model; default 20 */
  double screen_eta;     /* its learning rate; default 0.3 */
  /* speed rules for large sample counts (docs/benchmarks-proxyspex.md, "Large sample counts") */
  size_t search_rows;    /* fast: screening and jobs use at most this many samples, evenly
                          * spaced (rows i * count / search_rows); 0 = all */
  double tree_tol;       /* fast: the chosen tree count is the smallest checkpoint whose mean
                          * held-out R² is within tree_tol of the best; 0 = the best */
  size_t shallow_max_samples; /* fast: the shallower candidate max(1, t-2) is searched only
                               * with at most this many samples (0 = always); above, depth t
                               * alone (it won every measured search at >= 20,000 samples) */
  size_t screen_rows;    /* two-stage screening: candidates from a model on this many evenly
                          * spaced rows, kept features from a model on all rows over the
                          * candidates (0 = one model on all rows) */
  /* speed mode (spx_proxy_search_gated) */
  size_t speed_samples;  /* fast: above this many samples the speed search runs first (0 = never) */
  double speed_eta;      /* its learning rate (default SPX_PROXY_BASE_SPEED_ETA here, session
                          * 5's; ProxySPEX raises it to SPX_PROXY_DEFAULT_SPEED_ETA) */
  double fallback_r2;    /* speed search chosen R² below this: the accurate search instead */
  double min_gain;       /* fast: early stopping counts a checkpoint as an improvement only
                          * when its held-out R² beats the best so far by more than min_gain
                          * (0 = any strictly better R², the patience rule above) */
  int merge_rows;        /* speed search and its final fit: XGBoost trains on the distinct
                          * rows (over the screened columns), each weighted by its count and
                          * labelled with its mean value (spx_xgb_data_create_merged: the same
                          * trees up to rounding, on fewer rows when masks repeat); default 0
                          * here, on in ProxySPEX (SPX_PROXY_DEFAULT_MERGE_ROWS) */
  int reuse_search;      /* speed search with a single job (one depth, fast_folds 1): its model,
                          * cut to the chosen tree count, is the proxy (no final fit; trained
                          * on the job's training rows only); default 0 here, on in ProxySPEX */
  int reuse_fallback;    /* the accurate search after a fallback (mode 2 of
                          * spx_proxy_search_gated), when it is one job: that job runs on this
                          * rank and its model, cut to the chosen tree count, is kept for the
                          * caller, who uses it or fits the choice on all samples; default 0
                          * here, on in ProxySPEX (SPX_PROXY_DEFAULT_REUSE_FALLBACK) */
  double work_cap;       /* fast: a job stops adding trees at the first checkpoint where trees x
                          * training rows (the rows XGBoost trains on, after merging) reach
                          * work_cap and the held-out R² is at least work_cap_r2, whatever
                          * patience says (a time/accuracy rule: past that R² the proxy's
                          * support, which the ridge refit uses, hardly changes); 0 = no cap,
                          * the default here; ProxySPEX sets SPX_PROXY_DEFAULT_WORK_CAP. The
                          * accurate search of spx_proxy_search_gated never caps. */
  double work_cap_r2;    /* default SPX_PROXY_DEFAULT_WORK_CAP_R2 */
} spx_proxy_search_config;

/* The defaults above for the given hpo kind and t. */
void spx_proxy_search_defaults(spx_proxy_search_config *cfg, spx_hpo hpo, int t);

/* The outcome of one job: held-out R² at checkpoints 0..count-1 (grid: the tree counts of
 * grid_trees; fast: eval_every, 2 eval_every, ...). Plain data, safe to send as bytes. */
typedef struct spx_proxy_job_result {
  size_t job;
  size_t count;
  int capped; /* fast: the job stopped at work_cap (not by patience or max_trees) */
  double r2[SPX_PROXY_MAX_CHECKPOINTS];
} spx_proxy_job_result;

/* The chosen proxy configuration. */
typedef struct spx_proxy_choice {
  int max_depth;
  double eta;
  size_t trees;
  double cv_r2;     /* its mean held-out R² */
  double subsample; /* row share per tree of the final fit (0 = all rows; set by the caller) */
  int merge_rows;   /* the final fit trains on merged equal rows (set by the gated search) */
  int capped;       /* a job of the chosen candidate stopped at work_cap (set by combine) */
} spx_proxy_choice;

typedef struct spx_proxy_search spx_proxy_search;

/* masks and y (count values) must outlive the search. Needs count >= folds >= 2. Runs the
 * screening model when cfg->screen. With hpo = fast and count > search_rows, everything below
 * (screening, jobs, the job input) sees only the evenly spaced subsample. */
spx_proxy_search *spx_proxy_search_create(const spx_maskset *masks, const double *y,
                                          const spx_proxy_search_config *cfg, spx_error *err);
void spx_proxy_search_destroy(spx_proxy_search **s);

size_t spx_proxy_search_jobs(const spx_proxy_search *s);
/* The columns the jobs use: *cols = NULL and n when there is no screening. */
size_t spx_proxy_search_columns(const spx_proxy_search *s, const uint32_t **cols);
/* Run job j (0 <= j < jobs) and fill out. */
int spx_proxy_search_run_job(const spx_proxy_search *s, size_t j, spx_proxy_job_result *out,
                             spx_error *err);
/* Reduce results[0..jobs) (results[j] from job j) to the best configuration. */
int spx_proxy_search_combine(const spx_proxy_search *s, const spx_proxy_job_result *results,
                             spx_proxy_choice *best, spx_error *err);
/* All jobs in order, then combine (the serial path). */
int spx_proxy_search_run(const spx_proxy_search *s, spx_proxy_choice *best, spx_error *err);
/* The same through a job runner (core/jobs.h; NULL: this rank): the search's samples,
 * settings and screened columns are packed into the input of spx_jobs_proxy_search, whose
 * job j is spx_proxy_search_run_job(j) on the unpacked copy; results are combined in job
 * order, so the choice is the same for any runner. */
int spx_proxy_search_run_shared(const spx_proxy_search *s, const spx_jobs_runner *jobs,
                                spx_proxy_choice *best, spx_error *err);
/* The job type ("proxyspex.search"); its result is one spx_proxy_job_result. */
extern const spx_jobs_type spx_jobs_proxy_search;

/* The search as ProxySPEX and ProxySHAP run it. With hpo = fast and more than
 * cfg->speed_samples samples (speed_samples > 0), the speed search runs first: cfg with
 * learning rate speed_eta and its search_rows, screen_rows, min_gain, tree_tol and work_cap.
 * When its chosen proxy's held-out R² is below fallback_r2, the target is hard for it (a noisy
 * or dense function, where the proxy itself rather than its support decides the result), and
 * the accurate search replaces it. Otherwise (grid, fewer samples, speed_samples = 0) only the
 * accurate search runs: cfg with learning rate fast_eta, all rows (search_rows 0), one-stage
 * screening (screen_rows 0), min_gain 0, tree_tol 0, merge_rows 0 and work_cap 0 -- the search
 * of sessions 1-4; best->merge_rows is the merge_rows of the search chosen. With reuse_search
 * and a speed search of one job, that job runs on this rank (not through jobs: its result is
 * the same) and, when chosen, its model is kept in *out (spx_proxy_search_take_model). *out is
 * the search whose choice is returned (its columns are the proxy's); *mode 0: accurate only,
 * 1: speed search chosen, 2: speed search fell back to the accurate one. With
 * cfg->reuse_fallback and an accurate search of one job in mode 2, that job runs on this rank
 * too and its model is kept in *out (its rows: all samples but the held-out fold); the caller
 * takes it with spx_proxy_search_take_model and either uses it or fits the choice on all
 * samples (ProxySPEX: uses it only when its kept support is refit, docs/proxyspex.md). */
int spx_proxy_search_gated(const spx_maskset *masks, const double *y,
                           const spx_proxy_search_config *cfg, const spx_jobs_runner *jobs,
                           spx_proxy_search **out, spx_proxy_choice *best, int *mode,
                           spx_error *err);

/* The proxy the search kept (reuse_search or reuse_fallback and a single job: see the gated
 * search), handed to the caller (who destroys it), or NULL: then fit it with spx_proxy_fit. */
spx_tree_ensemble *spx_proxy_search_take_model(spx_proxy_search *s);

/* Train the chosen configuration on all samples, using only features cols[0..ncols) (cols
 * NULL: all), and read it back as an ensemble over all n features. */
int spx_proxy_fit(const spx_maskset *masks, const double *y, const uint32_t *cols,
                  size_t ncols, const spx_proxy_choice *choice, int threads, uint32_t seed,
                  spx_tree_ensemble **out, spx_error *err);

#endif
