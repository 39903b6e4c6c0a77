/* proxyspex.c: the ProxySPEX method -- options, sampling, and the pipeline
 * search -> proxy fit -> exact Fourier extraction -> energy truncation -> ridge refit. */
#include "proxyspex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/rng.h"
#include "../../core/timer.h"

#include <time.h>

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#include "../../model/tree_fourier.h"

/* ---- options ----------------------------------------------------------------------------- */

void spx_proxyspex_defaults(spx_proxyspex_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->sampling = SPX_SAMPLING_UNIFORM;
  spx_proxy_search_defaults(&cfg->search, SPX_HPO_FAST, 5);
  cfg->search.speed_eta = SPX_PROXY_DEFAULT_SPEED_ETA;
  cfg->search.merge_rows = SPX_PROXY_DEFAULT_MERGE_ROWS;
  cfg->search.reuse_search = SPX_PROXY_DEFAULT_REUSE_SEARCH;
  cfg->search.reuse_fallback = SPX_PROXY_DEFAULT_REUSE_FALLBACK;
  cfg->search.work_cap = SPX_PROXY_DEFAULT_WORK_CAP;
  cfg->energy = 0.95;
  cfg->truncation = SPX_TRUNC_SHAPIQ;
  cfg->refine = 1;
  cfg->refine_max_ratio = 0.5;
  cfg->refine_max_gflop = 20.0;
  cfg->ridge_cv = SPX_RIDGE_GCV;
  cfg->fit_rows = SPX_PROXY_DEFAULT_FIT_ROWS;
  cfg->verbose = 0;
}

static const char *const samplings[] = {"uniform", "distinct", NULL};
static const char *const hpos[] = {"fast", "grid", NULL};
static const char *const truncations[] = {"shapiq", "spectral_explain", NULL};
static const char *const criteria[] = {"gcv", "loo", NULL};

/* Every key of proxyspex, read once by spx_proxyspex_read_options; the defaults are the ones of
 * spx_proxyspex_defaults / spx_proxy_search_defaults (a unit test checks that they agree). */
const spx_option_decl spx_proxyspex_option_rows[] = {
    {"sampling", SPX_DECL_CHOICE, "uniform", 0, 0, samplings,
     "uniform masks, or distinct masks (the empty and full masks first)", NULL},
    {"hpo", SPX_DECL_CHOICE, "fast", 0, 0, hpos,
     "proxy search: fast (hold-out, early stopping, screening) or grid (the paper's CV grid)",
     NULL},
    {"t", SPX_DECL_INT, "5", 1, 16, NULL, "proxy tree depths searched: {max(1, t-2), t}", NULL},
    {"threads", SPX_DECL_INT, "1", 1, 256, NULL, "XGBoost nthread", NULL},
    {"folds", SPX_DECL_INT, "5", 2, 100, NULL, "cross-validation folds (fast: the hold-out is 1/folds)",
     NULL},
    {"energy", SPX_DECL_FLOAT, "0.95", 0, 1, NULL,
     "share of the proxy's non-constant Fourier energy kept (> 0)", NULL},
    {"truncation", SPX_DECL_CHOICE, "shapiq", 0, 0, truncations,
     "energy rule: shapiq keeps the crossing coefficient, spectral_explain drops it", NULL},
    {"refine", SPX_DECL_BOOL, "true", 0, 0, NULL, "ridge refit of the kept coefficients", NULL},
    {"refine_max_ratio", SPX_DECL_FLOAT, "0.5", 1e-6, 1e6, NULL,
     "skip the refit when kept coefficients exceed this share of the samples", NULL},
    {"refine_max_gflop", SPX_DECL_FLOAT, "20", 1e-6, 1e12, NULL,
     "skip the refit when its SVD would cost more (GFLOP)", NULL},
    {"ridge_cv", SPX_DECL_CHOICE, "gcv", 0, 0, criteria, "penalty choice of the refit", NULL},
    {"verbose", SPX_DECL_BOOL, "false", 0, 0, NULL, "print the choices and stage times to stderr",
     NULL},
    {"memory_gib", SPX_DECL_FLOAT, "2", 1e-6, 1e6, NULL,
     "not applicable above this much proxy data (12 bytes per sample and feature)", NULL},
    {"fast_eta", SPX_DECL_FLOAT, "0.1", 1e-6, 1, NULL, "fast: learning rate", NULL},
    {"fast_folds", SPX_DECL_INT, "1", 1, 100, NULL, "fast: folds scored (<= folds)", NULL},
    {"eval_every", SPX_DECL_INT, "10", 1, 100000, NULL, "fast: trees between hold-out scores",
     NULL},
    {"patience", SPX_DECL_INT, "50", 1, 1000000, NULL,
     "fast: stop after this many trees without a better hold-out R2", NULL},
    {"max_trees", SPX_DECL_INT, "5000", 1, 1000000, NULL,
     "fast: tree cap (eval_every..1024 x eval_every)", NULL},
    {"screen", SPX_DECL_BOOL, NULL, 0, 0, NULL,
     "restrict the proxy to the features a short screening model splits on (default: true for "
     "hpo = fast, false for grid)",
     NULL},
    {"screen_trees", SPX_DECL_INT, "20", 1, 100000, NULL, "rounds of the screening model", NULL},
    {"screen_eta", SPX_DECL_FLOAT, "0.3", 1e-6, 1, NULL, "learning rate of the screening model",
     NULL},
    {"search_rows", SPX_DECL_INT, SPX_PROXY_DEFAULT_SEARCH_ROWS_S, 0, 1e9, NULL,
     "speed search: screening and jobs on at most this many evenly spaced samples (0: all)", NULL},
    {"tree_tol", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_TREE_TOL_S, 0, 1, NULL,
     "speed search: fewest trees whose hold-out R2 is within this of the best (0: the best)", NULL},
    {"shallow_max_samples", SPX_DECL_INT, SPX_PROXY_DEFAULT_SHALLOW_MAX_S, 0, 1e12, NULL,
     "fast: search depth t-2 too only up to this many samples (0: always)", NULL},
    {"screen_rows", SPX_DECL_INT, SPX_PROXY_DEFAULT_SCREEN_ROWS_S, 0, 1e12, NULL,
     "speed search: two-stage screening, candidates from this many evenly spaced rows, then all "
     "rows over the candidates (0: one model on all rows)",
     NULL},
    {"min_gain", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_MIN_GAIN_S, 0, 1, NULL,
     "speed search: early stopping counts only hold-out R2 gains above this (0: any gain)", NULL},
    {"work_cap", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_WORK_CAP_S, 0, 1e300, NULL,
     "speed search: stop adding trees once trees x training rows reach this and the hold-out R2 "
     "is at least work_cap_r2 (0: no cap)",
     NULL},
    {"work_cap_r2", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_WORK_CAP_R2_S, -1e300, 1, NULL,
     "speed search: the hold-out R2 from which work_cap applies", NULL},
    {"speed_samples", SPX_DECL_INT, SPX_PROXY_DEFAULT_SPEED_SAMPLES_S, 0, 1e12, NULL,
     "fast: above this many samples, the speed search (speed_eta, search_rows, screen_rows, "
     "min_gain, tree_tol, work_cap) runs first (0: never)",
     NULL},
    {"speed_eta", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_SPEED_ETA_S, 1e-6, 1, NULL,
     "fast: learning rate of the speed search", NULL},
    {"fallback_r2", SPX_DECL_FLOAT, SPX_PROXY_DEFAULT_FALLBACK_R2_S, -1e300, 1, NULL,
     "fast: speed search's hold-out R2 below this: the accurate search instead", NULL},
    {"merge_rows", SPX_DECL_BOOL, SPX_PROXY_DEFAULT_MERGE_ROWS_S, 0, 0, NULL,
     "speed search and its final fit: XGBoost trains on the distinct samples (over the screened "
     "features), each weighted by its count with its mean value (the same trees up to "
     "rounding, fewer rows when masks repeat)",
     NULL},
    {"reuse_search", SPX_DECL_BOOL, SPX_PROXY_DEFAULT_REUSE_SEARCH_S, 0, 0, NULL,
     "speed search with one job (one depth, fast_folds = 1): its model, cut to the chosen tree "
     "count, is the proxy, with no final fit on all samples (off when fit_rows > 0)",
     NULL},
    {"reuse_fallback", SPX_DECL_BOOL, SPX_PROXY_DEFAULT_REUSE_FALLBACK_S, 0, 0, NULL,
     "after a fallback, the accurate search of one job keeps its model: it is the proxy when its "
     "kept support is refit (path refined), else the choice is fit on all samples (off when "
     "fit_rows > 0)",
     NULL},
    {"fit_rows", SPX_DECL_INT, SPX_PROXY_DEFAULT_FIT_ROWS_S, 0, 1e9, NULL,
     "final fit: each tree on a random fit_rows / N share of the rows (0: all rows; > 0 turns "
     "reuse_search and reuse_fallback off, so the final fit always runs)",
     NULL},
    {"grid_trees", SPX_DECL_INT_LIST, "[500, 1000, 5000]", 1, 1000000, NULL,
     "grid: tree counts scored (increasing, up to 8)", NULL},
    {"grid_eta", SPX_DECL_FLOAT_LIST, "[0.01, 0.1]", 1e-6, 1, NULL,
     "grid: learning rates (up to 8)", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

int spx_proxyspex_read_options(spx_options *opts, spx_proxyspex_config *cfg, spx_error *err) {
  spx_proxyspex_defaults(cfg);
  spx_proxy_search_config *s = &cfg->search;
  int v, rc;
  long long i;
  double gib; /* read by applicable(); read here so that a bad value is reported by begin */
  if ((rc = spx_options_declare(opts, spx_proxyspex_option_rows, err))) return rc;
  if ((rc = spx_opt_choice(opts, "sampling", &v, err))) return rc;
  cfg->sampling = (spx_sampling)v;
  if ((rc = spx_opt_choice(opts, "hpo", &v, err))) return rc;
  s->hpo = (spx_hpo)v;
  if ((rc = spx_opt_int(opts, "t", &i, err))) return rc;
  s->t = (int)i;
  if ((rc = spx_opt_int(opts, "threads", &i, err))) return rc;
  s->threads = (int)i;
  if ((rc = spx_opt_int(opts, "folds", &i, err))) return rc;
  s->folds = (size_t)i;
  if ((rc = spx_opt_double(opts, "energy", &cfg->energy, err))) return rc;
  if (cfg->energy == 0.0)
    return spx_options_fail(opts, "energy", SPX_ERANGE, err, "must be > 0");
  if ((rc = spx_opt_choice(opts, "truncation", &v, err))) return rc;
  cfg->truncation = (spx_trunc_rule)v;
  if ((rc = spx_opt_bool(opts, "refine", &cfg->refine, err))) return rc;
  if ((rc = spx_opt_double(opts, "refine_max_ratio", &cfg->refine_max_ratio, err))) return rc;
  if ((rc = spx_opt_double(opts, "refine_max_gflop", &cfg->refine_max_gflop, err))) return rc;
  if ((rc = spx_opt_choice(opts, "ridge_cv", &v, err))) return rc;
  cfg->ridge_cv = (spx_ridge_criterion)v;
  if ((rc = spx_opt_bool(opts, "verbose", &cfg->verbose, err))) return rc;
  if ((rc = spx_opt_double(opts, "memory_gib", &gib, err))) return rc;
  /* fast search */
  if ((rc = spx_opt_double(opts, "fast_eta", &s->fast_eta, err))) return rc;
  if ((rc = spx_opt_int(opts, "fast_folds", &i, err))) return rc;
  if ((size_t)i > s->folds)
    return spx_options_fail(opts, "fast_folds", SPX_ERANGE, err, "must be <= folds (%zu)",
                            s->folds);
  s->fast_folds = (size_t)i;
  if ((rc = spx_opt_int(opts, "eval_every", &i, err))) return rc;
  s->eval_every = (size_t)i;
  if ((rc = spx_opt_int(opts, "patience", &i, err))) return rc;
  s->patience = (size_t)i;
  if ((rc = spx_opt_int(opts, "max_trees", &i, err))) return rc;
  s->max_trees = (size_t)i;
  if (spx_options_has(opts, "screen")) {
    if ((rc = spx_opt_bool(opts, "screen", &v, err))) return rc;
    s->screen = v;
  } else {
    s->screen = s->hpo == SPX_HPO_FAST;
  }
  if ((rc = spx_opt_int(opts, "screen_trees", &i, err))) return rc;
  s->screen_trees = (size_t)i;
  if ((rc = spx_opt_double(opts, "screen_eta", &s->screen_eta, err))) return rc;
  if ((rc = spx_opt_int(opts, "search_rows", &i, err))) return rc;
  s->search_rows = (size_t)i;
  if ((rc = spx_opt_double(opts, "tree_tol", &s->tree_tol, err))) return rc;
  if ((rc = spx_opt_int(opts, "shallow_max_samples", &i, err))) return rc;
  s->shallow_max_samples = (size_t)i;
  if ((rc = spx_opt_int(opts, "screen_rows", &i, err))) return rc;
  s->screen_rows = (size_t)i;
  if ((rc = spx_opt_double(opts, "min_gain", &s->min_gain, err))) return rc;
  if ((rc = spx_opt_double(opts, "work_cap", &s->work_cap, err))) return rc;
  if ((rc = spx_opt_double(opts, "work_cap_r2", &s->work_cap_r2, err))) return rc;
  if ((rc = spx_opt_int(opts, "speed_samples", &i, err))) return rc;
  s->speed_samples = (size_t)i;
  if ((rc = spx_opt_double(opts, "speed_eta", &s->speed_eta, err))) return rc;
  if ((rc = spx_opt_double(opts, "fallback_r2", &s->fallback_r2, err))) return rc;
  if ((rc = spx_opt_bool(opts, "merge_rows", &s->merge_rows, err))) return rc;
  if ((rc = spx_opt_bool(opts, "reuse_search", &s->reuse_search, err))) return rc;
  if ((rc = spx_opt_bool(opts, "reuse_fallback", &s->reuse_fallback, err))) return rc;
  if ((rc = spx_opt_int(opts, "fit_rows", &i, err))) return rc;
  cfg->fit_rows = (size_t)i;
  /* subsampled rows need a final fit: fit_rows > 0 keeps the search from handing over its
   * model (otherwise the option would silently do nothing above speed_samples) */
  if (cfg->fit_rows > 0) s->reuse_search = s->reuse_fallback = 0;
  if (s->max_trees < s->eval_every || s->max_trees / s->eval_every > SPX_PROXY_MAX_CHECKPOINTS)
    return spx_options_fail(opts, "max_trees", SPX_ERANGE, err,
                            "must be between eval_every (%zu) and 1024 x eval_every",
                            s->eval_every);
  /* grid lists */
  long long trees[SPX_PROXY_MAX_LIST];
  size_t count;
  if ((rc = spx_opt_int_list(opts, "grid_trees", trees, SPX_PROXY_MAX_LIST, &count, err)))
    return rc;
  for (size_t k = 1; k < count; k++)
    if (trees[k] <= trees[k - 1])
      return spx_options_fail(opts, "grid_trees", SPX_ERANGE, err,
                              "tree counts must be increasing");
  if (count == 0)
    return spx_options_fail(opts, "grid_trees", SPX_ERANGE, err, "needs at least one count");
  s->grid_ntrees = count;
  for (size_t k = 0; k < count; k++) s->grid_trees[k] = (size_t)trees[k];
  double etas[SPX_PROXY_MAX_LIST];
  if ((rc = spx_opt_double_list(opts, "grid_eta", etas, SPX_PROXY_MAX_LIST, &count, err)))
    return rc;
  if (count == 0)
    return spx_options_fail(opts, "grid_eta", SPX_ERANGE, err, "needs at least one rate");
  s->grid_neta = count;
  memcpy(s->grid_eta, etas, count * sizeof *etas);
  return SPX_OK;
}

/* ---- sampling ---------------------------------------------------------------------------- */

/* Distinct masks: the empty and the full mask first, then uniform masks without repeats. */
static int sample_distinct(size_t n, size_t count, gsl_rng *rng, spx_maskset *set,
                           spx_error *err) {
  size_t words = set->words;
  spx_mask_fill(spx_maskset_row(set, 0), n, 0);
  if (count > 1) spx_mask_fill(spx_maskset_row(set, 1), n, 1);
  if (count <= 2) return SPX_OK;
  if (n <= 24 && 2 * count > ((size_t)1 << n)) {
    /* dense regime: a partial Fisher-Yates shuffle of all 2^n masks but the first two */
    size_t total = (size_t)1 << n;
    uint32_t *all = malloc((total - 2) * sizeof *all);
    SPX_CHECK_ALLOC(all, err);
    for (size_t k = 0; k < total - 2; k++) all[k] = (uint32_t)(k + 1); /* 1 .. total-2 */
    for (size_t k = 0; k + 2 < count; k++) {
      size_t pick = k + (size_t)gsl_rng_uniform_int(rng, (unsigned long)(total - 2 - k));
      uint32_t tmp = all[k];
      all[k] = all[pick];
      all[pick] = tmp;
      spx_maskset_row(set, k + 2)[0] = all[k];
    }
    free(all);
    return SPX_OK;
  }
  spx_mask_index index = {0};
  int rc = SPX_OK;
  size_t have = 0;
  for (size_t r = 0; r < count && rc == SPX_OK; r++) {
    uint64_t *m = spx_maskset_row(set, have);
    if (r >= 2) spx_mask_random(m, n, rng);
    if (spx_mask_index_find(&index, set->bits, words, m) != SIZE_MAX) {
      r--; /* draw again (only random rows can repeat: count < 2^n / 2 here) */
      continue;
    }
    rc = spx_mask_index_add(&index, set->bits, words, have++, err);
  }
  spx_mask_index_free(&index);
  return rc;
}

int spx_proxyspex_sample(size_t n, size_t budget, spx_sampling sampling, gsl_rng *rng,
                         spx_maskset **out, spx_error *err) {
  *out = NULL;
  if (n == 0 || budget == 0)
    return spx_error_set(err, SPX_EINVAL, "sampling needs n >= 1 and budget >= 1");
  size_t count = budget;
  if (sampling == SPX_SAMPLING_DISTINCT && n < 63 && ((size_t)1 << n) < count)
    count = (size_t)1 << n;
  spx_maskset *set = spx_maskset_create(n, count);
  if (set == NULL)
    return spx_error_set(err, SPX_ENOMEM, "out of memory for %zu masks of %zu bits", count, n);
  int rc = SPX_OK;
  if (sampling == SPX_SAMPLING_UNIFORM)
    for (size_t r = 0; r < count; r++) spx_mask_random(spx_maskset_row(set, r), n, rng);
  else
    rc = sample_distinct(n, count, rng, set, err);
  if (rc) {
    spx_maskset_destroy(&set);
    return rc;
  }
  *out = set;
  return SPX_OK;
}

/* ---- truncation and refit ------------------------------------------------------------------ */

/* Copy the kept entries of t (keep may be NULL: all) with their values or with coef[k] for the
 * k-th kept entry. */
static int copy_entries(const spx_transform *t, const unsigned char *keep, const double *coef,
                        spx_transform **out, spx_error *err) {
  spx_transform *r = spx_transform_create(spx_transform_n(t), SPX_BASIS_FOURIER);
  SPX_CHECK_ALLOC(r, err);
  size_t k = 0;
  for (size_t i = 0; i < spx_transform_size(t); i++) {
    if (keep && !keep[i]) continue;
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, i, &idx, &deg, &v);
    int rc = spx_transform_set(r, idx, deg, coef ? coef[k] : v, err);
    k++;
    if (rc) {
      spx_transform_destroy(&r);
      return rc;
    }
  }
  *out = r;
  return SPX_OK;
}

int spx_proxyspex_refine(const spx_transform *proxy, const spx_maskset *masks, const double *y,
                         const spx_proxyspex_config *cfg, spx_transform **out,
                         spx_proxyspex_info *info, spx_error *err) {
  *out = NULL;
  size_t m = spx_transform_size(proxy), n = masks->n, N = masks->count;
  info->lambda = 0.0;
  info->tau = 0.0;
  double energy = 0.0, constant = 0.0;
  for (size_t i = 0; i < m; i++) {
    uint32_t deg;
    double v;
    spx_transform_entry(proxy, i, NULL, &deg, &v);
    if (deg == 0)
      constant += v;
    else
      energy += v * v;
  }
  if (energy == 0.0) { /* guard: a constant proxy keeps only its constant */
    info->path = SPX_PROXYSPEX_CONSTANT_PROXY;
    info->kept = 1;
    spx_transform *r = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
    SPX_CHECK_ALLOC(r, err);
    uint32_t none[1] = {0};
    int rc = spx_transform_set(r, none, 0, constant, err);
    if (rc) spx_transform_destroy(&r);
    *out = r;
    return rc;
  }
  if (m <= n) { /* guard (as shapiq): a proxy with at most n coefficients is returned as is */
    info->path = SPX_PROXYSPEX_SMALL_PROXY;
    info->kept = m;
    return copy_entries(proxy, NULL, NULL, out, err);
  }
  unsigned char *keep = malloc(m);
  SPX_CHECK_ALLOC(keep, err);
  size_t kept = 0;
  int rc = spx_energy_truncate(proxy, cfg->energy, cfg->truncation, keep, &kept, &info->tau, err);
  if (rc == SPX_OK) {
    /* guard: the spectral_explain rule drops the crossing coefficient; when that leaves no
     * non-constant coefficient, use the shapiq rule, which keeps it */
    size_t nonconst = 0;
    for (size_t i = 0; i < m; i++) {
      uint32_t deg;
      spx_transform_entry(proxy, i, NULL, &deg, NULL);
      nonconst += keep[i] && deg > 0;
    }
    if (nonconst == 0)
      rc = spx_energy_truncate(proxy, cfg->energy, SPX_TRUNC_SHAPIQ, keep, &kept, &info->tau,
                               err);
  }
  info->kept = kept;
  /* guard: a ridge refit of more coefficients than about half the samples is ill-posed
   * (near interpolation: GCV picks a tiny penalty and held-out R^2 collapses, measured -3.7
   * on a 296-word review with 2342 kept coefficients and 2208 samples) and its SVD costs
   * minutes; keep the truncated proxy coefficients instead. */
  /* The SVD of the N x kept design costs about 4 N kept^2 operations with GSL's reference
   * BLAS; above refine_max_gflop (default 20, about half a minute here) the refit is skipped
   * the same way, so one cell cannot stall a grid (8832 samples x 4000 columns took many
   * minutes). */
  int wide = (double)kept > cfg->refine_max_ratio * (double)N ||
             4.0 * (double)N * (double)kept * (double)kept > cfg->refine_max_gflop * 1e9;
  if (rc == SPX_OK && (!cfg->refine || wide)) {
    info->path = cfg->refine ? SPX_PROXYSPEX_WIDE : SPX_PROXYSPEX_TRUNCATED;
    rc = copy_entries(proxy, keep, NULL, out, err);
  } else if (rc == SPX_OK) {
    info->path = SPX_PROXYSPEX_REFINED;
    double *X = malloc(N * kept * sizeof *X), *coef = malloc(kept * sizeof *coef);
    double lambdas[100];
    spx_logspace(-6.0, 6.0, 100, lambdas);
    if (X == NULL || coef == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu ridge design", N, kept);
    } else {
      size_t k = 0;
      for (size_t i = 0; i < m; i++) {
        if (!keep[i]) continue;
        const uint32_t *idx;
        uint32_t deg;
        spx_transform_entry(proxy, i, &idx, &deg, NULL);
        for (size_t r = 0; r < N; r++) {
          const uint64_t *row = spx_maskset_row(masks, r);
          unsigned par = 0;
          for (uint32_t j = 0; j < deg; j++) par ^= (unsigned)spx_mask_test(row, idx[j]);
          X[r * kept + k] = par ? -1.0 : 1.0;
        }
        k++;
      }
      rc = spx_ridge_cv(X, N, kept, y, lambdas, 100, cfg->ridge_cv, coef, &info->lambda, NULL,
                        err);
      if (rc == SPX_OK) rc = copy_entries(proxy, keep, coef, out, err);
    }
    free(X);
    free(coef);
  }
  free(keep);
  return rc;
}

/* ---- the pipeline -------------------------------------------------------------------------- */

/* Extraction, truncation and refit of the proxy e (destroyed) into *out; adds the wall times to
 * info's extract and refine times and the CPU times to cpu[2..3]. */
static int extract_refine(spx_tree_ensemble *e, const spx_maskset *masks, const double *y,
                          const spx_proxyspex_config *cfg, spx_transform **out,
                          spx_proxyspex_info *info, double cpu[4], spx_error *err) {
  double t2 = spx_time_now(), c2 = cpu_seconds();
  spx_transform *proxy = NULL;
  int rc = spx_tree_ensemble_fourier(e, &proxy, err);
  spx_tree_ensemble_destroy(&e);
  double t3 = spx_time_now(), c3 = cpu_seconds();
  info->time_extract += t3 - t2;
  cpu[2] += c3 - c2;
  if (rc == SPX_OK) {
    info->proxy_coefs = spx_transform_size(proxy);
    rc = spx_proxyspex_refine(proxy, masks, y, cfg, out, info, err);
  }
  info->time_refine += spx_time_now() - t3;
  cpu[3] += cpu_seconds() - c3;
  spx_transform_destroy(&proxy);
  return rc;
}

int spx_proxyspex_fit(const spx_maskset *masks, const double *y, const spx_proxyspex_config *cfg,
                      uint32_t seed, spx_transform **out, spx_proxyspex_info *info,
                      spx_error *err) {
  spx_proxyspex_info local;
  if (info == NULL) info = &local;
  memset(info, 0, sizeof *info);
  *out = NULL;
  size_t N = masks->count, n = masks->n;
  for (size_t i = 0; i < N; i++)
    if (!isfinite(y[i]))
      return spx_error_set(err, SPX_EINVAL, "the value of sample %zu is %g (not finite)", i,
                           y[i]);
  int constant = 1;
  for (size_t i = 1; i < N && constant; i++) constant = y[i] == y[0];
  if (N == 0 || constant) { /* guard: nothing to learn */
    info->path = SPX_PROXYSPEX_CONSTANT_TARGET;
    info->kept = 1;
    spx_transform *r = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
    SPX_CHECK_ALLOC(r, err);
    uint32_t none[1] = {0};
    int rc = spx_transform_set(r, none, 0, N ? y[0] : 0.0, err);
    if (rc) spx_transform_destroy(&r);
    *out = r;
    return rc;
  }
  spx_proxy_search_config scfg = cfg->search;
  scfg.seed = seed;
  double t0 = spx_time_now(), c0 = cpu_seconds();
  spx_proxy_search *search = NULL;
  int rc = spx_proxy_search_gated(masks, y, &scfg, cfg->jobs, &search, &info->choice,
                                  &info->search_mode, err);
  if (rc) return rc;
  info->time_search = spx_time_now() - t0;
  double cpu[4] = {cpu_seconds() - c0, 0.0, 0.0, 0.0};
  const uint32_t *cols;
  info->columns = spx_proxy_search_columns(search, &cols);
  spx_tree_ensemble *e = spx_proxy_search_take_model(search);
  info->reused = e != NULL;
  if (e != NULL && info->search_mode == 2) {
    /* the fallback's accurate search kept its model (reuse_fallback): the proxy only when the
     * ridge refit on all samples sets the kept coefficients; otherwise the proxy's own
     * coefficients are the answer, and they come from the fit on all samples as before */
    rc = extract_refine(e, masks, y, cfg, out, info, cpu, err);
    e = NULL;
    if (rc == SPX_OK && info->path != SPX_PROXYSPEX_REFINED) {
      spx_transform_destroy(out);
      info->reused = 0;
      info->fallback_dropped = 1;
    }
  }
  if (rc == SPX_OK && *out == NULL) {
    double t1 = spx_time_now(), c1 = cpu_seconds();
    info->choice.subsample =
        cfg->fit_rows && N > cfg->fit_rows ? (double)cfg->fit_rows / (double)N : 0.0;
    if (e == NULL)
      rc = spx_proxy_fit(masks, y, cols, cols ? info->columns : 0, &info->choice, scfg.threads,
                         seed, &e, err);
    info->time_fit += spx_time_now() - t1;
    cpu[1] += cpu_seconds() - c1;
    if (rc == SPX_OK) rc = extract_refine(e, masks, y, cfg, out, info, cpu, err);
    e = NULL;
  }
  spx_tree_ensemble_destroy(&e);
  spx_proxy_search_destroy(&search);
  if (rc == SPX_OK && cfg->verbose) {
    static const char *const paths[] = {"refined", "truncated", "constant target",
                                        "constant proxy", "proxy <= n coefficients",
                                        "truncated (support too wide or costly to refit)"};
    const char *mode = "";
    if (info->search_mode == 1)
      mode = info->reused ? ", speed search, its model" : ", speed search";
    else if (info->search_mode == 2)
      mode = info->reused             ? ", speed search fell back, the accurate search's model"
             : info->fallback_dropped ? ", speed search fell back, its model not refit"
                                      : ", speed search fell back";
    fprintf(stderr,
            "proxyspex: %zu features; depth %d eta %g trees %zu (cv R2 %.4f%s%s); %zu proxy "
            "coefficients, %zu kept (tau %.3g), lambda %.3g, %s; search %.2fs fit %.2fs "
            "extract %.2fs refine %.2fs (CPU %.2f %.2f %.2f %.2f)\n",
            info->columns, info->choice.max_depth, info->choice.eta, info->choice.trees,
            info->choice.cv_r2,
            mode, info->choice.capped ? ", stopped at work_cap" : "",
            info->proxy_coefs, info->kept, info->tau, info->lambda, paths[info->path],
            info->time_search, info->time_fit, info->time_extract, info->time_refine, cpu[0],
            cpu[1], cpu[2], cpu[3]);
  }
  return rc;
}

/* ---- method table ---------------------------------------------------------------------- */

typedef struct {
  spx_proxyspex_config cfg;
  uint32_t seed;
  spx_maskset *masks;
  double *values;
  int stage; /* 0: masks not handed out, 1: waiting for values, 2: values in */
} state;

/* The method's configuration: the pipeline's settings and the applicability limit. */
typedef struct {
  spx_proxyspex_config pc;
  double memory_gib;
} method_cfg;

static int configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  (void)n;
  method_cfg *c = cfg;
  int rc = spx_proxyspex_read_options(opts, &c->pc, err);
  return rc ? rc : spx_opt_double(opts, "memory_gib", &c->memory_gib, err);
}

static int applicable(size_t n, size_t budget, const void *cfg, char *why, size_t whylen) {
  const method_cfg *c = cfg;
  size_t need = 2 * c->pc.search.folds; /* two samples per cross-validation fold */
  if (n == 0) {
    snprintf(why, whylen, "needs at least one feature");
    return 0;
  }
  if (budget < need) {
    snprintf(why, whylen, "budget %zu is below %zu (two samples per cross-validation fold)",
             budget, need);
    return 0;
  }
  /* the XGBoost matrices hold about 12 bytes per (sample, feature) */
  double gib = c->memory_gib;
  double need_gib = (double)budget * (double)n * 12.0 / (1024.0 * 1024.0 * 1024.0);
  if (need_gib > gib) {
    snprintf(why, whylen,
             "budget %zu x n %zu needs %.3g GiB for the proxy's data, above memory_gib = %.3g",
             budget, n, need_gib, gib);
    return 0;
  }
  return 1;
}

static void destroy(void *vs) {
  state *s = vs;
  if (s == NULL) return;
  spx_maskset_destroy(&s->masks);
  free(s->values);
  free(s);
}

static int begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **out,
                 spx_error *err) {
  *out = NULL;
  state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->cfg = ((const method_cfg *)cfg)->pc;
  int rc = spx_proxyspex_sample(n, budget, s->cfg.sampling, rng, &s->masks, err);
  if (rc == SPX_OK) {
    s->seed = (uint32_t)(spx_rng_u64(rng) >> 33); /* XGBoost takes a non-negative int */
    s->values = malloc(s->masks->count * sizeof *s->values);
    if (s->values == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (rc) {
    destroy(s);
    return rc;
  }
  *out = s;
  return SPX_OK;
}

static int step(void *vs, const double *values, const spx_maskset **next, int *done,
                spx_error *err) {
  state *s = vs;
  *next = NULL;
  *done = 0;
  if (s->stage == 0) {
    *next = s->masks;
    s->stage = 1;
    return SPX_OK;
  }
  if (s->stage == 1 && values) {
    memcpy(s->values, values, s->masks->count * sizeof *values);
    s->stage = 2;
    *done = 1;
    return SPX_OK;
  }
  return spx_error_set(err, SPX_EINVAL, "proxyspex: step called out of order");
}

static int finish(void *vs, spx_transform **out, spx_error *err) {
  state *s = vs;
  if (s->stage != 2)
    return spx_error_set(err, SPX_EINVAL, "proxyspex: finish called before the values arrived");
  return spx_proxyspex_fit(s->masks, s->values, &s->cfg, s->seed, out, NULL, err);
}

static void set_jobs(void *vs, const spx_jobs_runner *jobs) {
  state *s = vs;
  s->cfg.jobs = jobs;
}

const spx_method_type spx_method_proxyspex = {
    .name = "proxyspex",
    .summary =
        "ProxySPEX: XGBoost proxy, exact Fourier extraction, 95% energy truncation, ridge refit",
    .options = spx_proxyspex_option_rows,
    .cfg_size = sizeof(method_cfg),
    .configure = configure,
    .applicable = applicable,
    .begin = begin,
    .step = step,
    .finish = finish,
    .destroy = destroy,
    .set_jobs = set_jobs,
};
