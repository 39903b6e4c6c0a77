/* proxyspex.h: ProxySPEX (Butler et al., 2025) -- sample masks, fit an XGBoost proxy with a
 * cross-validated hyper-parameter search, read its exact Fourier transform off the trees,
 * keep the coefficients holding most of the energy, refit them by ridge regression.
 *
 * The method is registered as "proxyspex" (method.h). The pipeline after sampling is also
 * callable directly, for tests, benchmarks and a later MPI driver. Options: docs/proxyspex.md. */
#ifndef SPX_PROXYSPEX_H
#define SPX_PROXYSPEX_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/error.h"
#include "../../core/mask.h"
#include "../../core/options.h"
#include "../../core/transform.h"
#include "../method.h"
#include "energy_truncate.h"
#include "proxy_search.h"
#include "ridge_gcv.h"

extern const spx_method_type spx_method_proxyspex;

typedef enum { SPX_SAMPLING_UNIFORM = 0, SPX_SAMPLING_DISTINCT = 1 } spx_sampling;

typedef struct spx_proxyspex_config {
  spx_sampling sampling;
  spx_proxy_search_config search; /* hpo, t, folds, threads, grid and fast settings */
  double energy;                  /* share of non-constant energy kept (0, 1] */
  spx_trunc_rule truncation;
  int refine;                     /* ridge refit of the kept support */
  double refine_max_ratio;        /* refit only when kept <= ratio x samples */
  double refine_max_gflop;        /* and when its SVD costs at most this much work */
  spx_ridge_criterion ridge_cv;
  size_t fit_rows;                /* final fit: trees grown on fit_rows / N of the rows when
                                   * N > fit_rows (XGBoost subsample); 0 = all rows */
  int verbose;                    /* one summary line on stderr */
  const spx_jobs_runner *jobs;    /* runs the search's (candidate, fold) jobs; NULL: here */
} spx_proxyspex_config;

/* Which path the post-processing took (degenerate cases are documented in docs/proxyspex.md). */
typedef enum {
  SPX_PROXYSPEX_REFINED = 0,     /* truncated and refit */
  SPX_PROXYSPEX_TRUNCATED,       /* truncated, refine = false */
  SPX_PROXYSPEX_CONSTANT_TARGET, /* all sampled values equal: F = {empty: that value} */
  SPX_PROXYSPEX_CONSTANT_PROXY,  /* proxy without non-constant energy: F = {empty: F(empty)} */
  SPX_PROXYSPEX_SMALL_PROXY,     /* proxy with <= n coefficients: returned as is */
  SPX_PROXYSPEX_WIDE             /* kept support too wide for the samples: truncated, no refit */
} spx_proxyspex_path;

typedef struct spx_proxyspex_info {
  spx_proxyspex_path path;
  spx_proxy_choice choice;   /* chosen proxy configuration */
  int search_mode;           /* spx_proxy_search_gated's mode: 0 accurate, 1 speed, 2 fell back */
  int reused;                /* the proxy is the search's own model (reuse_search, or
                              * reuse_fallback with its support refit) */
  int fallback_dropped;      /* reuse_fallback: the accurate search's model was not refit, so
                              * the choice was fit on all samples */
  size_t columns;            /* features the proxy could use (after screening) */
  size_t proxy_coefs;        /* nonzero coefficients of the proxy */
  size_t kept;               /* coefficients after truncation */
  double tau;                /* truncation threshold */
  double lambda;             /* chosen ridge penalty (0 without refit) */
  double time_search, time_fit, time_extract, time_refine; /* seconds */
} spx_proxyspex_info;

/* Defaults, then the method's options (all optional). */
void spx_proxyspex_defaults(spx_proxyspex_config *cfg);
/* Read every key of proxyspex (declaring its option table in opts first). */
int spx_proxyspex_read_options(spx_options *opts, spx_proxyspex_config *cfg, spx_error *err);
/* proxyspex's option table (name, type, default, range, help of every key). */
extern const spx_option_decl spx_proxyspex_option_rows[];

/* Draw the sample masks of the configured sampling scheme (budget masks; for "distinct" at
 * most 2^n). */
int spx_proxyspex_sample(size_t n, size_t budget, spx_sampling sampling, gsl_rng *rng,
                         spx_maskset **out, spx_error *err);

/* Everything after sampling: search, proxy fit, extraction, truncation, refit. seed seeds
 * XGBoost. info may be NULL. */
int spx_proxyspex_fit(const spx_maskset *masks, const double *y, const spx_proxyspex_config *cfg,
                      uint32_t seed, spx_transform **out, spx_proxyspex_info *info,
                      spx_error *err);

/* Truncation and (if cfg->refine) ridge refit of a proxy's Fourier transform on the samples,
 * including the degenerate-case guards; fills info->path, kept, tau, lambda. */
int spx_proxyspex_refine(const spx_transform *proxy, const spx_maskset *masks, const double *y,
                         const spx_proxyspex_config *cfg, spx_transform **out,
                         spx_proxyspex_info *info, spx_error *err);

#endif
