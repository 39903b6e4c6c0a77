/* proxyshap.c: the ProxySHAP method -- options, shapiq's coalition sampling, the XGBoost proxy,
 * the exact tree readout of its index and the MSR residual correction (proxyshap.h). */
#include "proxyshap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines/baselines.h"
#include "../../core/rng.h"
#include "../../core/timer.h"
#include "../../model/tree_index.h"
#include "msr.h"

#include <time.h>

static double cpu_seconds(void) { /* process CPU time, for the verbose line */
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- options ----------------------------------------------------------------------------- */

static const char *const index_names[] = {"sii",  "bii",  "sv",   "bv",   "fsii",
                                          "fbii", "stii", "k-sii", "ksii", NULL};
static const spx_index index_ids[] = {SPX_INDEX_SII,  SPX_INDEX_BII,  SPX_INDEX_SV,
                                      SPX_INDEX_BV,   SPX_INDEX_FSII, SPX_INDEX_FBII,
                                      SPX_INDEX_STII, SPX_INDEX_KSII, SPX_INDEX_KSII};

static const char *const corrections[] = {"none", "msr", "auto", NULL};
static const char *const hpos[] = {"none", "fast", "grid", NULL};

/* Every key of proxyshap, read once by spx_proxyshap_read_options. */
const spx_option_decl spx_proxyshap_option_rows[] = {
    {"index", SPX_DECL_CHOICE, "sii", 0, 0, index_names,
     "interaction index read from the proxy (k-sii and ksii are the same)", NULL},
    {"order", SPX_DECL_INT, NULL, 1, 1e9, NULL,
     "highest order of the index, <= n (default: 1 for sv and bv, else 2, or 1 when n = 1)",
     NULL},
    {"correction", SPX_DECL_CHOICE, NULL, 0, 0, corrections,
     "residual correction on the same coalitions: msr (every order), auto (msr below n = 128; "
     "from there msr on the orders t with 10 C(n, t) <= coalitions only), none (default: auto for "
     "sii, bii, sv, bv, stii, k-sii; none for fsii and fbii, which msr cannot estimate)",
     NULL},
    {"pairing", SPX_DECL_BOOL, "true", 0, 0, NULL, "shapiq's paired coalition sampling", NULL},
    {"hpo", SPX_DECL_CHOICE, "none", 0, 0, hpos,
     "proxy: none (trees, max_depth, eta below) or ProxySPEX's fast or grid search", NULL},
    {"trees", SPX_DECL_INT, "100", 1, 100000, NULL, "hpo = none: boosting rounds", NULL},
    {"max_depth", SPX_DECL_INT, "6", 1, 16, NULL, "hpo = none: tree depth", NULL},
    {"eta", SPX_DECL_FLOAT, "0.3", 1e-6, 1, NULL, "hpo = none: learning rate", NULL},
    {"screen", SPX_DECL_BOOL, NULL, 0, 0, NULL,
     "hpo = none: grow the trees on the features a screening model splits on (default: false "
     "below n = 128 or below 1e7 coalitions x features, else true)",
     NULL},
    {"screen_trees", SPX_DECL_INT, NULL, 1, 100000, NULL,
     "rounds of the screening models (depth t, learning rate 0.3; default 20, 30 when the size "
     "rule switched screening on)",
     NULL},
    {"screen_rows", SPX_DECL_INT, SPX_PROXY_DEFAULT_SCREEN_ROWS_S, 0, 1e9, NULL,
     "when screening runs (screen, or its size rule): the first screening model's evenly "
     "spaced rows (0: one model on all screening rows)",
     NULL},
    {"search_rows", SPX_DECL_INT, SPX_PROXY_DEFAULT_SEARCH_ROWS_S, 0, 1e9, NULL,
     "when screening runs (screen, or its size rule) or hpo = fast: the screening (and search) "
     "sees at most this many evenly spaced samples (0: all)",
     NULL},
    {"fit_rows", SPX_DECL_INT, "0", 0, 1e9, NULL,
     "proxy: each tree on a random fit_rows / N share of the rows (XGBoost subsample; 0: all "
     "rows)",
     NULL},
    {"threads", SPX_DECL_INT, "1", 1, 256, NULL, "XGBoost nthread", NULL},
    {"verbose", SPX_DECL_BOOL, "false", 0, 0, NULL, "print the proxy and stage times to stderr",
     NULL},
    {"memory_gib", SPX_DECL_FLOAT, "2", 1e-6, 1e6, NULL,
     "not applicable above this much proxy data and MSR Gram matrix", NULL},
    {"t", SPX_DECL_INT, "5", 1, 16, NULL, "hpo = fast | grid: depths {max(1, t-2), t}", NULL},
    {"folds", SPX_DECL_INT, "5", 2, 100, NULL, "hpo = fast | grid: cross-validation folds", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

int spx_proxyshap_read_options(spx_options *opts, size_t n, spx_proxyshap_config *cfg,
                               spx_error *err) {
  memset(cfg, 0, sizeof *cfg);
  int v, rc;
  long long i;
  if ((rc = spx_options_declare(opts, spx_proxyshap_option_rows, err))) return rc;
  if ((rc = spx_opt_choice(opts, "index", &v, err))) return rc;
  cfg->index = index_ids[v];
  int single = cfg->index == SPX_INDEX_SV || cfg->index == SPX_INDEX_BV;
  long long omax = n < 1 ? 1 : (long long)n;
  if (spx_options_has(opts, "order")) {
    if ((rc = spx_opt_int(opts, "order", &i, err))) return rc;
    if (i > omax)
      return spx_options_fail(opts, "order", SPX_ERANGE, err, "must be <= n = %lld", omax);
  } else {
    i = single ? 1 : (n < 2 ? 1 : 2);
  }
  if (single && i != 1)
    return spx_options_fail(opts, "order", SPX_EINVAL, err, "must be 1 for index = \"%s\"",
                            index_names[v]);
  cfg->order = (unsigned)i;
  int msr_ok = spx_msr_supports(cfg->index);
  if (spx_options_has(opts, "correction")) {
    if ((rc = spx_opt_choice(opts, "correction", &v, err))) return rc;
  } else {
    v = msr_ok ? SPX_PROXYSHAP_CORRECTION_AUTO : SPX_PROXYSHAP_CORRECTION_NONE;
  }
  cfg->correction = v;
  if (cfg->correction != SPX_PROXYSHAP_CORRECTION_NONE && !msr_ok)
    return spx_options_fail(opts, "correction", SPX_EINVAL, err,
                            "\"msr\" estimates cardinal-probabilistic indices (sii, bii, sv, bv, "
                            "stii, k-sii); use \"none\" for %s",
                            spx_index_name(cfg->index));
  if ((rc = spx_opt_bool(opts, "pairing", &cfg->pairing, err))) return rc;
  if ((rc = spx_opt_choice(opts, "hpo", &v, err))) return rc;
  cfg->hpo = (spx_proxyshap_hpo)v;
  if ((rc = spx_opt_int(opts, "trees", &i, err))) return rc;
  cfg->trees = (int)i;
  if ((rc = spx_opt_int(opts, "max_depth", &i, err))) return rc;
  cfg->max_depth = (int)i;
  if ((rc = spx_opt_double(opts, "eta", &cfg->eta, err))) return rc;
  cfg->screen = -1; /* the size rule */
  if (spx_options_has(opts, "screen") && (rc = spx_opt_bool(opts, "screen", &cfg->screen, err)))
    return rc;
  if ((rc = spx_opt_int(opts, "fit_rows", &i, err))) return rc;
  cfg->fit_rows = (size_t)i;
  if ((rc = spx_opt_int(opts, "threads", &i, err))) return rc;
  cfg->threads = (int)i;
  if ((rc = spx_opt_bool(opts, "verbose", &cfg->verbose, err))) return rc;
  double gib; /* read by applicable(); read here so that begin reports a bad value */
  if ((rc = spx_opt_double(opts, "memory_gib", &gib, err))) return rc;
  /* the ProxySPEX search (hpo = fast | grid): its depth parameter t and folds */
  long long t, folds;
  if ((rc = spx_opt_int(opts, "t", &t, err))) return rc;
  if ((rc = spx_opt_int(opts, "folds", &folds, err))) return rc;
  spx_proxy_search_defaults(&cfg->search, cfg->hpo == SPX_PROXYSHAP_HPO_GRID ? SPX_HPO_GRID
                                                                            : SPX_HPO_FAST,
                            (int)t);
  cfg->search.folds = (size_t)folds;
  cfg->search.threads = cfg->threads;
  /* ProxySHAP's hpo = fast keeps session 5's speed search as spx_proxy_search_defaults gives
   * it: learning rate 0.3, no merged rows, no reused model, no work cap (ProxySPEX's session-6
   * to -8 settings were measured for ProxySPEX only, which sets them in its own defaults) */
  cfg->auto_screen_trees = 30;
  if (spx_options_has(opts, "screen_trees")) {
    if ((rc = spx_opt_int(opts, "screen_trees", &i, err))) return rc;
    cfg->search.screen_trees = cfg->auto_screen_trees = (size_t)i;
  }
  if ((rc = spx_opt_int(opts, "screen_rows", &i, err))) return rc;
  cfg->search.screen_rows = (size_t)i;
  if ((rc = spx_opt_int(opts, "search_rows", &i, err))) return rc;
  cfg->search.search_rows = (size_t)i;
  return SPX_OK;
}

/* ---- the pipeline ---------------------------------------------------------------------- */

/* Distinct features the trees split on (for the verbose line); 0 when out of memory. */
static size_t used_features(const spx_tree_ensemble *e) {
  unsigned char *seen = calloc(e->n ? e->n : 1, 1);
  size_t used = 0;
  if (seen == NULL) return 0;
  for (size_t t = 0; t < e->ntrees; t++)
    for (size_t k = e->tree_start[t]; k < e->tree_start[t + 1]; k++)
      if (e->left[k] >= 0 && e->feature[k] < e->n && !seen[e->feature[k]]) {
        seen[e->feature[k]] = 1;
        used++;
      }
  free(seen);
  return used;
}

void spx_proxyshap_plan(const spx_proxyshap_config *cfg, size_t n, size_t N, unsigned *msr_order,
                        int *screen) {
  int rule = n >= SPX_PROXYSHAP_RULE_MIN_N;
  *screen = cfg->screen >= 0 ? cfg->screen
                             : (cfg->hpo == SPX_PROXYSHAP_HPO_NONE && rule &&
                                (double)N * (double)n >= SPX_PROXYSHAP_SCREEN_CELLS);
  *msr_order = 0;
  if (cfg->correction == SPX_PROXYSHAP_CORRECTION_MSR ||
      (cfg->correction == SPX_PROXYSHAP_CORRECTION_AUTO && !rule))
    *msr_order = cfg->order;
  else if (cfg->correction == SPX_PROXYSHAP_CORRECTION_AUTO)
    while (*msr_order < cfg->order &&
           SPX_PROXYSHAP_MSR_RATIO * spx_baseline_choose(n, *msr_order + 1) <= (double)N)
      ++*msr_order;
}

static int fit_proxy(const spx_maskset *masks, const double *yc, const spx_proxyshap_config *cfg,
                     int screen, uint32_t seed, spx_tree_ensemble **e, spx_proxyshap_info *info,
                     spx_error *err) {
  spx_proxy_choice choice = {.max_depth = cfg->max_depth, .eta = cfg->eta,
                             .trees = (size_t)cfg->trees, .cv_r2 = NAN};
  const uint32_t *cols = NULL;
  size_t ncols = 0;
  spx_proxy_search *search = NULL;
  int rc = SPX_OK;
  if (cfg->hpo != SPX_PROXYSHAP_HPO_NONE || screen) {
    spx_proxy_search_config scfg = cfg->search;
    scfg.seed = seed;
    if (cfg->hpo == SPX_PROXYSHAP_HPO_NONE) { /* only the screening is used */
      scfg.screen = 1;
      if (cfg->screen < 0) scfg.screen_trees = cfg->auto_screen_trees; /* the size rule's */
      search = spx_proxy_search_create(masks, yc, &scfg, err);
      if (search == NULL) return err ? err->code : SPX_EINVAL;
    } else { /* ProxySPEX's search, with its speed mode (proxy_search.h) */
      int mode;
      rc = spx_proxy_search_gated(masks, yc, &scfg, cfg->jobs, &search, &choice, &mode, err);
      if (rc) return rc;
    }
    ncols = spx_proxy_search_columns(search, &cols);
    if (cols == NULL) ncols = 0;
  }
  size_t N = masks->count;
  choice.subsample = cfg->fit_rows && N > cfg->fit_rows ? (double)cfg->fit_rows / (double)N : 0.0;
  if (rc == SPX_OK)
    rc = spx_proxy_fit(masks, yc, cols, ncols, &choice, cfg->threads, seed, e, err);
  info->max_depth = choice.max_depth;
  info->eta = choice.eta;
  info->trees = choice.trees;
  info->columns = cols ? ncols : masks->n;
  spx_proxy_search_destroy(&search);
  return rc;
}

int spx_proxyshap_fit(const spx_maskset *masks, const double *ln_adjust, const double *y,
                      const spx_proxyshap_config *cfg, uint32_t seed, spx_transform **out,
                      spx_tree_ensemble **ensemble, spx_proxyshap_info *info, spx_error *err) {
  spx_proxyshap_info local;
  if (info == NULL) info = &local;
  memset(info, 0, sizeof *info);
  *out = NULL;
  if (ensemble) *ensemble = NULL;
  size_t N = masks->count, n = masks->n;
  if (N == 0 || spx_mask_popcount(spx_maskset_row(masks, 0), masks->words) != 0)
    return spx_error_set(err, SPX_EINVAL, "proxyshap: the first coalition must be the empty one");
  for (size_t q = 0; q < N; q++)
    if (!isfinite(y[q]))
      return spx_error_set(err, SPX_EINVAL, "proxyshap: the value of coalition %zu is %g (not "
                           "finite)", q, y[q]);
  double v0 = y[0];
  double *yc = malloc(N * sizeof *yc), *res = malloc(N * sizeof *res);
  spx_tree_ensemble *e = NULL;
  spx_transform *idx = NULL;
  int rc = yc && res ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  int constant = 1;
  for (size_t q = 0; q < N && rc == SPX_OK; q++) {
    yc[q] = y[q] - v0;
    constant = constant && yc[q] == 0.0;
  }
  double t0 = spx_time_now(), c0 = cpu_seconds(), c1 = c0, c2 = c0;
  if (rc == SPX_OK && constant) { /* nothing to learn: a constant game */
    idx = spx_transform_create((uint32_t)n, SPX_BASIS_INDEX);
    uint32_t none[1] = {0};
    rc = idx ? spx_transform_set(idx, none, 0, v0, err)
             : spx_error_set(err, SPX_ENOMEM, "out of memory");
    goto done;
  }
  unsigned msr_order;
  int screen;
  spx_proxyshap_plan(cfg, n, N, &msr_order, &screen);
  info->msr_order = msr_order;
  if (rc == SPX_OK) rc = fit_proxy(masks, yc, cfg, screen, seed, &e, info, err);
  double t1 = spx_time_now();
  info->time_fit = t1 - t0;
  c1 = cpu_seconds();
  if (rc == SPX_OK) rc = spx_tree_ensemble_index(e, cfg->index, cfg->order, &idx, err);
  double t2 = spx_time_now();
  info->time_readout = t2 - t1;
  c2 = cpu_seconds();
  double p0 = 0.0;
  if (rc == SPX_OK) {
    double ss = 0.0, st = 0.0, mean = 0.0;
    for (size_t q = 0; q < N; q++) mean += yc[q] / (double)N;
    for (size_t q = 0; q < N; q++) {
      double p = spx_tree_ensemble_predict(e, spx_maskset_row(masks, q));
      if (q == 0) p0 = p;
      res[q] = yc[q] - (p - p0); /* residual game, r(∅) = 0 */
      ss += res[q] * res[q];
      st += (yc[q] - mean) * (yc[q] - mean);
    }
    info->proxy_r2 = st > 0 ? 1.0 - ss / st : NAN;
    info->used_features = used_features(e);
    info->proxy_terms = spx_transform_size(idx);
  }
  if (rc == SPX_OK && msr_order > 0)
    rc = spx_msr_index_add(masks, ln_adjust, res, cfg->index, cfg->order, msr_order,
                           SPX_MSR_AUTO, idx, err);
  info->time_correction = spx_time_now() - t2;
  if (rc == SPX_OK) { /* I(∅) = v(∅) + I(proxy)(∅) - proxy(∅) + I(r)(∅) */
    uint32_t none[1] = {0};
    rc = spx_transform_add(idx, none, 0, v0 - p0, err);
  }
  if (rc == SPX_OK) rc = spx_transform_prune(idx, 0.0, 1, err);
done:
  if (rc == SPX_OK) {
    info->result_terms = spx_transform_size(idx);
    *out = idx;
    idx = NULL;
    if (ensemble) {
      *ensemble = e;
      e = NULL;
    }
    if (cfg->verbose)
      fprintf(stderr,
              "proxyshap: %s order %u; proxy depth %d eta %g trees %zu on %zu features "
              "(splits on %zu; in-sample R2 %.4f); %zu proxy terms, %zu in the result; MSR on orders "
              "<= %u; fit %.2fs readout %.2fs correction %.2fs (CPU %.2f %.2f %.2f)\n",
              spx_index_name(cfg->index), cfg->order, info->max_depth, info->eta, info->trees,
              info->columns, info->used_features, info->proxy_r2, info->proxy_terms, info->result_terms,
              info->msr_order,
              info->time_fit, info->time_readout, info->time_correction, c1 - c0, c2 - c1,
              cpu_seconds() - c2);
  }
  spx_transform_destroy(&idx);
  spx_tree_ensemble_destroy(&e);
  free(yc);
  free(res);
  return rc;
}

/* ---- method table ---------------------------------------------------------------------- */

typedef struct {
  spx_proxyshap_config cfg;
  uint32_t seed;
  spx_baseline_coalitions co;
  double *values;
  int stage; /* 0: masks not handed out, 1: waiting for values, 2: values in */
} state;

/* The method's configuration: the pipeline's settings and the applicability limit. */
typedef struct {
  spx_proxyshap_config pc;
  double memory_gib;
} method_cfg;

static int configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  method_cfg *c = cfg;
  int rc = spx_proxyshap_read_options(opts, n, &c->pc, err);
  return rc ? rc : spx_opt_double(opts, "memory_gib", &c->memory_gib, err);
}

static void estimates(const void *cfg, spx_index *index, unsigned *order) {
  *index = ((const method_cfg *)cfg)->pc.index;
  *order = ((const method_cfg *)cfg)->pc.order;
}

static int applicable(size_t n, size_t budget, const void *vcfg, char *why, size_t whylen) {
  const spx_proxyshap_config cfg = ((const method_cfg *)vcfg)->pc;
  if (n == 0) {
    snprintf(why, whylen, "needs at least one feature");
    return 0;
  }
  if (budget < 4) {
    snprintf(why, whylen, "budget %zu is below 4 (the empty and full coalitions and two more)",
             budget);
    return 0;
  }
  if (cfg.hpo != SPX_PROXYSHAP_HPO_NONE && budget < 2 * cfg.search.folds) {
    snprintf(why, whylen, "budget %zu is below %zu (two samples per cross-validation fold)",
             budget, 2 * cfg.search.folds);
    return 0;
  }
  double gib = ((const method_cfg *)vcfg)->memory_gib;
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  /* XGBoost's matrices (about 12 bytes per entry), the readout and the MSR Gram matrix */
  unsigned msr_order;
  int screen;
  spx_proxyshap_plan(&cfg, n, rows, &msr_order, &screen);
  double bytes = (double)rows * (double)n * 12.0 +
                 (msr_order >= 2 ? 8.0 * (double)n * (double)n : 0.0);
  if (bytes > gib * 1024.0 * 1024.0 * 1024.0) {
    snprintf(why, whylen, "budget %zu x n %zu needs %.3g GiB, above memory_gib = %.3g", budget,
             n, bytes / (1024.0 * 1024.0 * 1024.0), gib);
    return 0;
  }
  double interactions = spx_baseline_num_columns(n, 0, cfg.order);
  if (!(interactions < 5e7)) {
    snprintf(why, whylen, "%.3g interactions of order <= %u (limit 5e7)", interactions,
             cfg.order);
    return 0;
  }
  if (msr_order > 0 && spx_msr_work(n, rows, msr_order) > 1e12) {
    snprintf(why, whylen, "the MSR correction at order %u over %zu coalitions is about %.3g "
             "operations (limit 1e12; correction = \"none\" avoids it)",
             msr_order, rows, spx_msr_work(n, rows, msr_order));
    return 0;
  }
  return 1;
}

static void destroy(void *vs) {
  state *s = vs;
  if (s == NULL) return;
  spx_baseline_coalitions_free(&s->co);
  free(s->values);
  free(s);
}

static int begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **out,
                 spx_error *err) {
  *out = NULL;
  state *s = calloc(1, sizeof *s);
  double *w = calloc(n + 1, sizeof *w);
  if (s == NULL || w == NULL) {
    free(s);
    free(w);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  s->cfg = ((const method_cfg *)cfg)->pc;
  int rc = SPX_OK;
  for (size_t k = 0; k <= n; k++) w[k] = 1.0; /* size-uniform weights, as the paper */
  if (rc == SPX_OK) rc = spx_baseline_coalitions_sample(n, budget, w, s->cfg.pairing, rng, &s->co, err);
  free(w);
  if (rc == SPX_OK) {
    s->seed = (uint32_t)(spx_rng_u64(rng) >> 33); /* XGBoost takes a non-negative int */
    s->values = malloc(s->co.masks->count * sizeof *s->values);
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
    *next = s->co.masks;
    s->stage = 1;
    return SPX_OK;
  }
  if (s->stage == 1 && values) {
    memcpy(s->values, values, s->co.masks->count * sizeof *values);
    s->stage = 2;
    *done = 1;
    return SPX_OK;
  }
  return spx_error_set(err, SPX_EINVAL, "proxyshap: step called out of order");
}

static int finish(void *vs, spx_transform **out, spx_error *err) {
  state *s = vs;
  if (s->stage != 2)
    return spx_error_set(err, SPX_EINVAL, "proxyshap: finish called before the values arrived");
  int rc = spx_proxyshap_fit(s->co.masks, s->co.ln_adjust, s->values, &s->cfg, s->seed, out,
                             NULL, NULL, err);
  /* the index values travel in the Moebius slot, as every index-valued baseline's do */
  if (rc == SPX_OK) spx_transform_set_basis(*out, SPX_BASIS_MOEBIUS);
  return rc;
}

static void set_jobs(void *vs, const spx_jobs_runner *jobs) {
  state *s = vs;
  s->cfg.jobs = jobs;
}

const spx_method_type spx_method_proxyshap = {
    .name = "proxyshap",
    .summary = "ProxySHAP: XGBoost proxy on shapiq's coalitions, exact tree readout of its "
               "interaction index, MSR residual correction",
    .options = spx_proxyshap_option_rows,
    .cfg_size = sizeof(method_cfg),
    .configure = configure,
    .estimates = estimates,
    .applicable = applicable,
    .begin = begin,
    .step = step,
    .finish = finish,
    .destroy = destroy,
    .set_jobs = set_jobs,
};
