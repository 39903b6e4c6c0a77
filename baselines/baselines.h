/* baselines.h: helpers shared by the baseline methods (LIME, Banzhaf, Faith-Banzhaf,
 * Faith-Shap, KernelSHAP): mask sampling, the Moebius (AND) regression design, a weighted
 * ridge / least-squares solver with leave-one-out penalty selection, option parsing and the
 * common plan-evaluate-decode state. Internal to baselines/ (prefix spx_baseline_).
 *
 * Conventions (docs/baselines.md): a regression column is a subset T of the features; the
 * design entry of mask m is 1 when T ⊆ kept(m) (the empty set's column is all ones). Columns
 * are ordered by size, then by colex rank within a size. Every baseline returns a transform in
 * the Moebius basis whose coefficients are its index values (order <= its order); the empty
 * set carries the intercept or v(∅) (see each method). */
#ifndef SPX_BASELINES_H
#define SPX_BASELINES_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "core/mask.h"
#include "core/options.h"
#include "core/transform.h"
#include "methods/method.h"

/* ---- options -------------------------------------------------------------------------- */

#define SPX_BASELINE_MAX_GRID 16

/* Declared option rows shared by the baselines (core/options.h), included in each method's
 * table: memory_gib and max_gflop; penalty ("loo" by default, or 0) with penalty_grid; order. */
extern const spx_option_decl spx_baseline_limit_rows[];
extern const spx_option_decl spx_baseline_penalty_loo_rows[];
extern const spx_option_decl spx_baseline_penalty_zero_rows[];
extern const spx_option_decl spx_baseline_order_rows[];
/* pairing (default false) of the coalition samplers. */
extern const spx_option_decl spx_baseline_pairing_rows[];
/* The tables of faith_shap and kernelshap (which share faith_shap.c's code). */
extern const spx_option_decl spx_baseline_faith_shap_rows[];
extern const spx_option_decl spx_baseline_kernelshap_rows[];

/* How the ridge penalty is chosen: a fixed value (0 = plain least squares), or by
 * leave-one-out error over a grid (RidgeCV's efficient LOO). */
typedef struct spx_baseline_penalty {
  int loo;      /* 1: choose by leave-one-out over grid */
  double value; /* the fixed penalty when !loo */
  double grid[SPX_BASELINE_MAX_GRID];
  size_t ngrid;
} spx_baseline_penalty;

/* Read `penalty` ("loo" or a number >= 0; default from its declared row) and `penalty_grid`. */
int spx_baseline_read_penalty(spx_options *opts, spx_baseline_penalty *out, spx_error *err);
/* 1 when every penalty the setting can use is > 0 (the fixed value or every grid value). */
int spx_baseline_penalty_positive(const spx_baseline_penalty *pen);
/* Resource limits of a regression: memory_gib (working memory) and max_gflop (estimated
 * floating-point work of the fit, so that a grid does not stall on one cell for hours). */
typedef struct spx_baseline_limits {
  double bytes, flops;
} spx_baseline_limits;
int spx_baseline_read_memory(spx_options *opts, spx_baseline_limits *limits, spx_error *err);
/* Read `order` in [1, min(n, 64)]; absent: the declared default, or n when n is smaller.
 * n = 0 (which no baseline applies to) leaves the order as given or declared. */
int spx_baseline_read_order(spx_options *opts, size_t n, unsigned *order, spx_error *err);

/* The configuration (method.h's configure) of most baselines: each fills the fields of the keys
 * its table declares (banzhaf and lime add their own keys in their own structs). */
typedef struct spx_baseline_cfg {
  unsigned order;
  int index;   /* spx_baseline_ix: the index estimated (index-valued estimators) */
  int pairing; /* paired coalition sampling */
  spx_baseline_penalty pen;
  spx_baseline_limits limits;
} spx_baseline_cfg;

/* ---- combinatorics -------------------------------------------------------------------- */

/* C(n, k) as a double (inf when it does not fit). */
double spx_baseline_choose(size_t n, size_t k);
/* Number of subsets of size lo..order of n features, as a double (inf on overflow). */
double spx_baseline_num_columns(size_t n, unsigned lo, unsigned order);

/* ---- sampling --------------------------------------------------------------------------- */

/* Uniform masks: when budget >= 2^n every mask is enumerated once (in integer order), else
 * `budget` independent uniform masks (repeats possible). */
int spx_baseline_uniform_masks(size_t n, size_t budget, gsl_rng *rng, spx_maskset **out,
                         spx_error *err);
/* 1 when 2^n <= budget (so every mask can be enumerated). */
int spx_baseline_exhaustive(size_t n, size_t budget);

/* shapiq's CoalitionSampler (reference-code.md §4.3): distinct coalitions, coalition sizes
 * drawn with probabilities proportional to size_weight[0..n], the border trick, no pairing.
 * Rows: 0 = ∅, 1 = all features (when n >= 1), then enumerated sizes, then sampled ones in
 * first-seen order. ln_adjust[i] is the log of the importance-adjustment weight of row i
 * (0 for enumerated rows; log(count / (p_s N_draws / C(n,s))) for sampled ones). */
int spx_baseline_sample_coalitions(size_t n, size_t budget, const double *size_weight, gsl_rng *rng,
                             spx_maskset **masks, double **ln_adjust, spx_error *err);

/* The same sampler with everything its estimators need, and shapiq's pairing trick
 * (pairing = 1: after each draw of S, while budget is left and size n - |S| is sampled, the
 * complement of S is counted too and added when new). Rows [0, enumerated) are the enumerated
 * coalitions (0 = ∅, 1 = N), then the sampled ones in first-seen order.
 *   count[i]     draws of row i (1 for enumerated rows; with pairing, complements included)
 *   ln_adjust[i] log importance-adjustment weight: 0 for enumerated rows, else
 *                log(count / (p[s] draws / C(n, s)))
 *   p[s]         probability of size s among the sampled sizes (0 = size enumerated)
 *   draws        sum of count over the sampled rows
 * pairing = 0 gives exactly the rows and random stream of spx_baseline_sample_coalitions. */
typedef struct spx_baseline_coalitions {
  size_t n;
  spx_maskset *masks;
  size_t enumerated;
  double *count, *ln_adjust, *p;
  double draws;
} spx_baseline_coalitions;
int spx_baseline_coalitions_sample(size_t n, size_t budget, const double *size_weight, int pairing,
                             gsl_rng *rng, spx_baseline_coalitions *out, spx_error *err);
void spx_baseline_coalitions_free(spx_baseline_coalitions *c);
/* shapiq's default size weights (Approximator._init_sampling_weights) for an estimator of
 * order k: 1e8 for sizes < k and > n - k, 1 / (s (n - s)) otherwise (w has n + 1 entries). */
void spx_baseline_default_size_weights(size_t n, unsigned k, double *w);
/* spx_baseline_coalitions_sample with the default size weights of an estimator of order k (the
 * sampling of kernelshap_iq, shap_iq and svarm_iq). */
int spx_baseline_coalitions_sample_default(size_t n, size_t budget, unsigned k, int pairing,
                                           gsl_rng *rng, spx_baseline_coalitions *out,
                                           spx_error *err);

/* ---- regression ----------------------------------------------------------------------- */

/* The Moebius (AND) design over every subset T with lo <= |T| <= order. */
typedef struct spx_baseline_design {
  size_t n;
  unsigned lo, order;
  size_t p;        /* number of columns */
  size_t *binom;   /* binom[c * (order + 1) + j] = C(c, j) for c <= n, j <= order */
  size_t *offset;  /* offset[k] = first column of size k (k = lo..order+1) */
  uint32_t *kept;  /* scratch: the kept features of the current row */
} spx_baseline_design;

int spx_baseline_design_init(spx_baseline_design *d, size_t n, unsigned lo, unsigned order,
                       spx_error *err);
void spx_baseline_design_free(spx_baseline_design *d);
/* The columns that are 1 for mask m, ascending, into cols (room for p). Returns how many. */
size_t spx_baseline_design_row(spx_baseline_design *d, const uint64_t *m, size_t *cols);
/* The subset of column col into idx (room for order), its size into *deg. */
void spx_baseline_design_subset(const spx_baseline_design *d, size_t col, uint32_t *idx, unsigned *deg);

/* Rows of a regression: masks (count x words), responses y and weights w (NULL = all 1). */
typedef struct spx_baseline_rows {
  const uint64_t *bits;
  size_t words, count;
  const double *y;
  const double *w;
} spx_baseline_rows;

/* What a fit did. */
typedef struct spx_baseline_fit_info {
  double penalty;                  /* the penalty used */
  double loo[SPX_BASELINE_MAX_GRID];     /* LOO mean squared error per grid value (when loo) */
  int fallback;                    /* 1 when the SVD fallback solved the system */
  int dual;                        /* 1 when the dual (kernel) form was used */
} spx_baseline_fit_info;

/* Weighted (ridge) least squares on the design:
 *   minimise sum_i w_i (y_i - x_i beta)^2 + lambda sum_{j >= first_penalised} beta_j^2
 *   subject to con . beta = con_rhs                    (when con != NULL; one constraint)
 * The normal equations are accumulated row by row (never the N x p design), solved by
 * Cholesky, and by SVD of the (bordered) normal matrix when Cholesky fails or its
 * reciprocal condition number is below 1e-12. With pen->loo, lambda minimises the weighted
 * leave-one-out error sum_i w_i (e_i / (1 - h_ii))^2 / sum_i w_i (hat-matrix form, no refits;
 * first grid value wins ties). beta has p entries.
 * When every column is penalised (lambda > 0) and there is no constraint, and the N x N kernel
 * matrix is smaller than the p x p normal matrix, the same ridge is solved in its dual form
 * (kernel K = X W X^T from popcounts, Cholesky of K + lambda I, beta = X^T alpha), which
 * makes wide designs (p >> N) affordable; LOO is then read off the inverse kernel matrix. */
int spx_baseline_fit(const spx_baseline_rows *rows, spx_baseline_design *d, const spx_baseline_penalty *pen,
               size_t first_penalised, const double *con, double con_rhs, double *beta,
               spx_baseline_fit_info *info, spx_error *err);

/* Working memory (bytes) of spx_baseline_fit with p columns and N rows of n features; dual_ok when
 * every column is penalised with a positive penalty and there is no constraint. */
double spx_baseline_fit_memory(size_t n, double p, size_t rows, int dual_ok);
/* Estimated floating-point operations of the fit (accumulation and factorisations). */
double spx_baseline_fit_flops(size_t n, double p, size_t rows, int dual_ok);

/* A Moebius transform from beta (one value per design column); when with_empty, the empty
 * set gets empty_value (designs with lo = 1). */
int spx_baseline_transform(const spx_baseline_design *d, const double *beta, int with_empty,
                     double empty_value, spx_transform **out, spx_error *err);

/* ---- common method state ---------------------------------------------------------------- */

/* The one-round flow every baseline shares: begin() draws masks, step() hands them out once
 * and takes their values, finish() fits. Method states embed this as their first member. */
typedef struct spx_baseline_state {
  size_t n, budget;
  spx_maskset *masks;
  double *values; /* masks->count values after the second step */
  int stage;      /* 0: masks not handed out, 1: waiting for values, 2: values in */
} spx_baseline_state;

int spx_baseline_step(void *state, const double *values, const spx_maskset **next, int *done,
                spx_error *err);
/* Fit the design lo..order on rows first_row.. of the state's masks with responses y and
 * weights w (arrays indexed like the masks; w may be NULL) and return the Moebius transform
 * (spx_baseline_fit and spx_baseline_transform in one; see there for the other arguments). */
int spx_baseline_fit_transform(const spx_baseline_state *s, unsigned lo, unsigned order, size_t first_row,
                         const double *y, const double *w, const spx_baseline_penalty *pen,
                         size_t first_penalised, int constrain_sum, double con_rhs,
                         int with_empty, double empty_value, spx_transform **out,
                         spx_baseline_fit_info *info, spx_error *err);
/* Free the members of the base (not the state itself). */
void spx_baseline_state_free(spx_baseline_state *s);
/* A new zeroed state of size bytes (its first member an spx_baseline_state) holding n, budget
 * and spx_baseline_uniform_masks' masks; NULL with err set when that fails. */
void *spx_baseline_uniform_begin(size_t size, size_t n, size_t budget, gsl_rng *rng,
                                 spx_error *err);
/* The destroy() of a state that owns nothing but its base. */
void spx_baseline_destroy(void *state);
/* Common applicability: n >= 1, budget >= min_budget, memory within the limit. */
int spx_baseline_check_memory(size_t n, double p, size_t rows, int dual_ok,
                        const spx_baseline_limits *limits, char *why, size_t whylen);
/* spx_baseline_check_memory, then (when !penalised) enough masks (rows) for the fit's unknowns:
 * 1 when the fit can run, else 0 with the reason ("budget B is below the U unknowns of an
 * unpenalised fit<what> (<penalty_key> = 0)"). */
int spx_baseline_check_fit(size_t n, double p, double unknowns, size_t rows, size_t budget,
                     int dual_ok, int penalised, const spx_baseline_limits *limits, const char *what,
                     const char *penalty_key, char *why, size_t whylen);

/* ---- the shapiq regression estimator (faith_shap.c), shared with kernelshap.c ------------ */

/* fixed_order = 0 reads the `order` option (default 2); otherwise the order is fixed. cfg is
 * an spx_baseline_cfg. */
int spx_baseline_shapley_configure(size_t n, spx_options *opts, unsigned fixed_order, void *cfg,
                                   spx_error *err);
int spx_baseline_shapley_applicable(size_t n, size_t budget, const void *cfg, char *why,
                                    size_t whylen);
int spx_baseline_shapley_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng,
                               void **state, spx_error *err);
int spx_baseline_shapley_finish(void *state, spx_transform **out, spx_error *err);
void spx_baseline_shapley_destroy(void *state);

/* ---- interaction estimators (interactions.c; shapiq's KernelSHAP-IQ, SHAP-IQ, SVARM-IQ,
 * permutation sampling and kADD-SHAP) ------------------------------------------------------- */

/* The indices these estimators return. */
typedef enum {
  SPX_BASELINE_IX_SII = 0,
  SPX_BASELINE_IX_KSII,
  SPX_BASELINE_IX_BII,
  SPX_BASELINE_IX_STII,
  SPX_BASELINE_IX_SV,
  SPX_BASELINE_IX_BV
} spx_baseline_ix;

/* Every interaction T with lo <= |T| <= order, in the design's column order (by size, then
 * colex), with its sorted features. */
typedef struct spx_baseline_ilist {
  spx_baseline_design d;
  size_t p;
  uint32_t *idx; /* p x order */
  unsigned *deg;
} spx_baseline_ilist;
int spx_baseline_ilist_init(spx_baseline_ilist *l, size_t n, unsigned lo, unsigned order, spx_error *err);
void spx_baseline_ilist_free(spx_baseline_ilist *l);
static inline const uint32_t *spx_baseline_ilist_at(const spx_baseline_ilist *l, size_t j) {
  return l->idx + j * l->d.order;
}
/* Column of the sorted subset idx[0..deg) (lo <= deg <= order). */
size_t spx_baseline_ilist_col(const spx_baseline_ilist *l, const uint32_t *idx, unsigned deg);
/* |S ∩ T| and the bit pattern of S ∩ T in T's positions (bit j = T's j-th feature kept). */
unsigned spx_baseline_intersect(const uint64_t *S, const uint32_t *T, unsigned deg, unsigned *pattern);
/* Bernoulli numbers B_0..B_m (B_1 = -1/2, scipy's convention) into b (m + 1 entries). */
void spx_baseline_bernoulli(unsigned m, double *b);
/* k-SII from SII values sii[0..p) over l (lo = 1): ksii(K) = sum_{S ⊇ K} B_{|S|-|K|} sii(S). */
int spx_baseline_ksii_from_sii(const spx_baseline_ilist *l, const double *sii, double *ksii, spx_error *err);
/* A Moebius transform holding value[j] at interaction j of l, and empty at ∅. */
int spx_baseline_ilist_transform(const spx_baseline_ilist *l, const double *value, double empty,
                           spx_transform **out, spx_error *err);
/* Read `index` (its declared choices, choice i meaning ids[i]) and `order` (forced to 1 for
 * SV/BV, else as spx_baseline_read_order). */
int spx_baseline_read_index(spx_options *opts, size_t n, const spx_baseline_ix *ids, spx_baseline_ix *index,
                      unsigned *order, spx_error *err);
/* The options of the coalition-sampling estimators (shap_iq, svarm_iq, kernelshap_iq,
 * kadd_shap): index and order as spx_baseline_read_index (ids = NULL: no index, order alone) and
 * `pairing`. */
int spx_baseline_read_sampling(spx_options *opts, size_t n, const spx_baseline_ix *ids, spx_baseline_ix *index,
                         unsigned *order, int *pairing, spx_error *err);
/* method.h's estimates hook of an spx_baseline_cfg: its index (SII, k-SII, BII, STII, SV, BV)
 * and order. */
void spx_baseline_estimates(const void *cfg, spx_index *index, unsigned *order);
/* 0 with the reason when n = 0 or budget < 2 (the empty and the full coalition), else 1. */
int spx_baseline_coalitions_applicable(size_t n, size_t budget, char *why, size_t whylen);

/* Monte-Carlo estimators on shapiq's standard form (shap_iq.c; svarm_iq.c uses it with
 * stratify = 1): coalitions from spx_baseline_coalitions_sample with the default size weights of the
 * order; phi(T) = sum_S (v(S) - v(∅)) (-1)^{|T|-|S∩T|} w(|S|-|S∩T|, |T|) adj_T(S). */
typedef struct spx_baseline_mc_state {
  spx_baseline_state base;
  spx_baseline_ix index;
  unsigned order;
  int stratify; /* 0: SHAP-IQ (importance weights); 1: SVARM-IQ (size x intersection strata) */
  spx_baseline_coalitions co;
} spx_baseline_mc_state;
/* cfg is an spx_baseline_cfg (index, order, pairing). */
int spx_baseline_mc_configure(size_t n, spx_options *opts, void *cfg, spx_error *err);
int spx_baseline_mc_applicable(size_t n, size_t budget, const void *cfg, int stratify, char *why,
                               size_t whylen);
int spx_baseline_mc_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, int stratify,
                          void **state, spx_error *err);
int spx_baseline_mc_finish(void *state, spx_transform **out, spx_error *err);
void spx_baseline_mc_destroy(void *state);
/* The option table of shap_iq and svarm_iq. */
extern const spx_option_decl spx_baseline_mc_rows[];

/* Weighted least squares in the limit of infinite weight on the hard rows (kernelshap_iq.c):
 * beta minimises sum_{hard} w_r (y_r - x_r beta)^2 first and, among its minimisers, the same
 * sum over the other rows. row(ctx, r, x) fills the p design values of row r. Rows with w = 0
 * are skipped. Hard rows: QR with column pivoting of their (scaled) design gives their row
 * space; the soft rows' normal equations are solved in its orthogonal complement (Cholesky,
 * SVD pseudo-inverse when singular). */
typedef void (*spx_baseline_row_fn)(void *ctx, size_t r, double *x);
int spx_baseline_lex_wls(size_t N, size_t p, spx_baseline_row_fn row, void *ctx, const double *y,
                   const double *w, const unsigned char *hard, double *beta, spx_error *err);

/* State and options of the regression estimators (kernelshap_iq.c, kadd_shap.c): `order`,
 * `pairing`, memory_gib / max_gflop and, with_index, `index` ("sii" | "k-sii"). */
typedef struct spx_baseline_reg_state {
  spx_baseline_state base;
  spx_baseline_ix index;
  unsigned order;
  spx_baseline_coalitions co;
} spx_baseline_reg_state;
/* cfg is an spx_baseline_cfg (index when with_index, order, pairing, limits). */
int spx_baseline_reg_configure(size_t n, spx_options *opts, int with_index, void *cfg,
                               spx_error *err);
int spx_baseline_reg_applicable(size_t n, size_t budget, const void *cfg, int with_index,
                                char *why, size_t whylen);
int spx_baseline_reg_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                           spx_error *err);
void spx_baseline_reg_destroy(void *state);
/* The option table of kadd_shap. */
extern const spx_option_decl spx_baseline_kadd_rows[];

#endif
