/* proxyshap.h: ProxySHAP (Thies et al., 2026; research/papers.md §5) -- sample coalitions as
 * shapiq does, fit an XGBoost proxy to the centred values, read the proxy's interaction index
 * exactly from its trees (model/tree_index.h) and add the MSR estimate of the residual's index
 * on the same coalitions (msr.h).
 *
 * Registered as "proxyshap" (method.h). The result is an interaction index; like every
 * index-valued baseline (baselines.h) the method returns it as a transform in the Moebius
 * basis whose coefficients are the index values (order <= `order`), the empty set holding the
 * index's baseline (convert.h). Options and design: docs/proxyshap.md. */
#ifndef SPX_PROXYSHAP_H
#define SPX_PROXYSHAP_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/convert.h"
#include "../../core/error.h"
#include "../../core/jobs.h"
#include "../../core/mask.h"
#include "../../core/options.h"
#include "../../core/transform.h"
#include "../../model/tree_fourier.h"
#include "../method.h"
#include "../proxyspex/proxy_search.h"

extern const spx_method_type spx_method_proxyshap;

typedef enum { SPX_PROXYSHAP_HPO_NONE = 0, SPX_PROXYSHAP_HPO_FAST, SPX_PROXYSHAP_HPO_GRID } spx_proxyshap_hpo;

typedef struct spx_proxyshap_config {
  spx_index index;   /* SII, BII, SV, BV, FSII, FBII, STII or k-SII */
  unsigned order;    /* >= 1 (1 for SV/BV) */
  int correction;    /* SPX_PROXYSHAP_CORRECTION_*: none, msr (every order), auto (size rule) */
  int pairing;       /* shapiq's paired sampling */
  spx_proxyshap_hpo hpo;
  int trees, max_depth; /* the fixed proxy (hpo = none): XGBoost's defaults 100, 6, 0.3 */
  double eta;
  int screen;        /* hpo = none: trees on the screened features (proxy_search.h); -1: the
                      * size rule (spx_proxyshap_plan) */
  size_t auto_screen_trees; /* screening rounds when the size rule switches screening on */
  size_t fit_rows;   /* > 0: each tree of the proxy on a random fit_rows / N share of the rows */
  int threads;
  spx_proxy_search_config search; /* hpo = fast | grid: ProxySPEX's search */
  int verbose;
  const spx_jobs_runner *jobs;    /* runs the search's jobs; NULL: here */
} spx_proxyshap_config;

enum {
  SPX_PROXYSHAP_CORRECTION_NONE = 0,
  SPX_PROXYSHAP_CORRECTION_MSR = 1, /* MSR on every order 1..order (the paper's) */
  SPX_PROXYSHAP_CORRECTION_AUTO = 2 /* the size rule below */
};

/* The size rules (docs/proxyshap.md "Session 6"), from SPX_PROXYSHAP_RULE_MIN_N features on;
 * below it the defaults are the paper's (MSR on every order, no screening):
 *  - correction = auto: MSR on the orders t with SPX_PROXYSHAP_MSR_RATIO C(n, t) <= N
 *    coalitions only (at n = 1000 and 40,000 coalitions: order 1, not the 499,500 pairs, whose
 *    MSR estimates are noise there);
 *  - screen unset, hpo = none: screening when N n >= SPX_PROXYSHAP_SCREEN_CELLS, with
 *    auto_screen_trees rounds (default 30). */
#define SPX_PROXYSHAP_RULE_MIN_N 128
#define SPX_PROXYSHAP_MSR_RATIO 10.0
#define SPX_PROXYSHAP_SCREEN_CELLS 1e7

/* What the configuration does with n features and N coalitions: *msr_order = the highest
 * order the MSR correction estimates (0: none), *screen = 1 when the proxy is screened. */
void spx_proxyshap_plan(const spx_proxyshap_config *cfg, size_t n, size_t N, unsigned *msr_order,
                        int *screen);

typedef struct spx_proxyshap_info {
  int max_depth;
  double eta;
  size_t trees, columns;
  size_t used_features; /* distinct features the proxy's trees split on */
  unsigned msr_order;   /* orders 1..msr_order were MSR-corrected (0: none) */
  double proxy_r2;   /* in-sample R² of the proxy on the centred values */
  size_t proxy_terms, result_terms;
  double time_fit, time_readout, time_correction; /* seconds */
} spx_proxyshap_info;

/* proxyshap's option table (name, type, default, range, help of every key). */
extern const spx_option_decl spx_proxyshap_option_rows[];

/* Options (all optional; n caps the order); declares the table in opts first. */
int spx_proxyshap_read_options(spx_options *opts, size_t n, spx_proxyshap_config *cfg,
                               spx_error *err);

/* Everything after sampling. Row 0 of masks must be the empty coalition; ln_adjust are the
 * sampler's log importance weights (baselines.h spx_baseline_coalitions); y the values. The result
 * has basis SPX_BASIS_INDEX. ensemble (may be NULL) receives the fitted proxy over all n
 * features (on the centred values); info may be NULL. */
int spx_proxyshap_fit(const spx_maskset *masks, const double *ln_adjust, const double *y,
                      const spx_proxyshap_config *cfg, uint32_t seed, spx_transform **out,
                      spx_tree_ensemble **ensemble, spx_proxyshap_info *info, spx_error *err);

#endif
