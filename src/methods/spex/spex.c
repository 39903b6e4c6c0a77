/* spex.c: SPEX (Kang et al., ICML 2025) behind the method interface: options, the budget
 * rule, the rounds of masks (design rows, several per round, bounded memory), and decoding
 * into a Fourier transform. Registered as "spex" (soft decoder by default) and "spex_hard"
 * (hard decoder by default). docs/spex.md lists the options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/wht.h"
#include "../method.h"
#include "spex_internal.h"

typedef struct {
  size_t n, budget;
  unsigned t, b, groups;
  spx_spex_design *design;
  spx_spex_bins *bins;
  spx_maskset *masks;
  spx_wht_plan *plan;
  double *work;
  /* Shared decoding (share_jobs with a runner): every design row's samples (rows x 2^b) are
   * kept and transformed in finish by jobs; otherwise each round goes into the bins at once
   * and raw stays NULL. */
  double *raw;
  const spx_jobs_runner *jobs;
  int share_jobs; /* option share_jobs: use the runner the driver offers */
  gsl_rng *rng; /* clone of the stream given to begin, after the design was drawn */
  size_t rows, rows_per_round, next_row, round_first, round_rows;
  /* Rounds smaller than one design row (a row of 2^b masks above round_mb, as at n = 10^6):
   * chunk masks per round (a power of two below 2^b, 0 = whole rows); the round covers masks
   * chunk_z .. chunk_z + chunk - 1 of row round_first, whose values collect in row_values
   * (2^b doubles) until the row is complete. */
  size_t chunk, chunk_z;
  double *row_values;
  spx_spex_decode_opts dec;
  spx_spex_refine_opts ref;
  spx_spex_decode_info info;
} spex_state;

static const char *const decoders[] = {"hard", "soft", NULL};
static const char *const selects[] = {"errors", "metric", NULL};
static const char *const refines[] = {"none", "ridge", "lasso", NULL};

/* The keys of spex and spex_hard, declared once (they differ only in decoder's default). */
static const spx_option_decl spex_common_rows[] = {
    {"t", SPX_DECL_INT, "5", 1, SPX_BCH_TMAX, NULL, "errors the BCH code corrects", NULL},
    {"groups", SPX_DECL_INT, "3", 1, SPX_SPEX_CMAX, NULL, "subsampling groups C", NULL},
    {"b", SPX_DECL_INT, "0", 0, SPX_SPEX_BMAX, NULL,
     "log2 of the bins per group (0: the largest the budget allows)", NULL},
    {"chase_depth", SPX_DECL_INT, NULL, 0, SPX_CHASE_MAX, NULL,
     "soft decoder: least reliable positions tried (default 2 t, at most 32)", NULL},
    {"chase_select", SPX_DECL_CHOICE, "errors", 0, 0, selects,
     "soft decoder: pick the candidate with fewest errors or best metric", NULL},
    {"max_iter", SPX_DECL_INT, "100", 1, 1000000, NULL, "peeling iterations", NULL},
    {"res_energy_cutoff", SPX_DECL_FLOAT, "0.9", 0, 1, NULL,
     "stop peeling when this fraction of the energy is explained", NULL},
    {"zero_tol", SPX_DECL_FLOAT, "1e-24", 0, 1, NULL, "bins with less energy are zero", NULL},
    {"trap_exit", SPX_DECL_BOOL, "true", 0, 0, NULL, "stop when peeling makes no progress", NULL},
    {"refine", SPX_DECL_CHOICE, "none", 0, 0, refines,
     "refit the found support by regression on the samples", NULL},
    {"refine_folds", SPX_DECL_INT, "5", 2, 100, NULL, "cross-validation folds of refine", NULL},
    {"refine_alpha", SPX_DECL_FLOAT, "0", 0, 1e12, NULL, "penalty of refine (0: chosen by CV)",
     NULL},
    {"share_jobs", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "spread transforms and first decoding pass over the group's ranks", NULL},
    {"round_mb", SPX_DECL_INT, "64", 1, 1 << 20, NULL, "memory of the masks of one round (MiB)",
     NULL},
    {"round_masks", SPX_DECL_INT, "0", 0, 1099511627776.0, NULL,
     "at most this many masks per round (0: no limit but round_mb)", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_option_decl spex_soft_rows[] = {
    {"decoder", SPX_DECL_CHOICE, "soft", 0, 0, decoders, "BCH decoder", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spex_common_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_option_decl spex_hard_rows[] = {
    {"decoder", SPX_DECL_CHOICE, "hard", 0, 0, decoders, "BCH decoder", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spex_common_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

/* spex's options as read (t and b are resolved against the budget in applicable / begin). */
typedef struct {
  unsigned t, groups, b;        /* b = 0: the largest the budget allows */
  int chase_depth_given;        /* else 2 t of the resolved t */
  spx_spex_decode_opts dec;     /* decoder, chase_depth, chase_select, max_iter, cutoffs */
  spx_spex_refine_opts ref;
  int share_jobs;
  long long round_mb, round_masks;
} spex_cfg;

static int spex_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  (void)n;
  spex_cfg *c = cfg;
  int rc, v;
  long long ll;
  double x;
  if ((rc = spx_opt_int(opts, "t", &ll, err))) return rc;
  c->t = (unsigned)ll;
  if ((rc = spx_opt_int(opts, "groups", &ll, err))) return rc;
  c->groups = (unsigned)ll;
  if ((rc = spx_opt_int(opts, "b", &ll, err))) return rc;
  c->b = (unsigned)ll;
  if ((rc = spx_opt_choice(opts, "decoder", &v, err))) return rc;
  c->dec.decoder = v == 0 ? SPX_SPEX_HARD : SPX_SPEX_SOFT;
  if ((rc = spx_opt_int(opts, "chase_depth", &ll, err))) return rc;
  c->chase_depth_given = spx_options_has(opts, "chase_depth");
  c->dec.chase_depth = (unsigned)ll;
  if ((rc = spx_opt_choice(opts, "chase_select", &v, err))) return rc;
  c->dec.chase_select = v == 0 ? SPX_CHASE_ERRORS : SPX_CHASE_METRIC;
  if ((rc = spx_opt_int(opts, "max_iter", &ll, err))) return rc;
  c->dec.max_iter = (unsigned)ll;
  if ((rc = spx_opt_double(opts, "res_energy_cutoff", &x, err))) return rc;
  c->dec.res_cutoff = x;
  if ((rc = spx_opt_double(opts, "zero_tol", &x, err))) return rc;
  c->dec.zero_tol = x;
  if ((rc = spx_opt_bool(opts, "trap_exit", &v, err))) return rc;
  c->dec.trap_exit = v;
  if ((rc = spx_opt_choice(opts, "refine", &v, err))) return rc;
  c->ref.kind = v;
  if ((rc = spx_opt_int(opts, "refine_folds", &ll, err))) return rc;
  c->ref.folds = (unsigned)ll;
  if ((rc = spx_opt_double(opts, "refine_alpha", &x, err))) return rc;
  c->ref.alpha = x;
  c->ref.max_sweeps = 200;
  c->ref.tol = 1e-9;
  if ((rc = spx_opt_bool(opts, "share_jobs", &v, err))) return rc;
  c->share_jobs = v;
  if ((rc = spx_opt_int(opts, "round_mb", &c->round_mb, err))) return rc;
  /* round_masks (testing and fine control): at most this many masks per round */
  return spx_opt_int(opts, "round_masks", &c->round_masks, err);
}

/* Resolve (t, b) for the budget; err gets the reason when SPEX cannot run. */
static int resolve(size_t n, size_t budget, unsigned *t, unsigned *b, unsigned groups,
                   spx_error *err) {
  if (*b == 0) return spx_spex_budget(n, budget, groups, t, b, err);
  unsigned m;
  uint32_t nc, kc;
  int rc = spx_bch_params(n, *t, &m, &nc, &kc, err);
  if (rc) return rc;
  size_t need = spx_spex_queries(groups, nc - kc, *b);
  if (need > budget)
    return spx_error_set(err, SPX_ENOTAPPLICABLE,
                         "b = %u needs %zu queries (%u groups x %u delays x 2^%u) but the "
                         "budget is %zu",
                         *b, need, groups, nc - kc + 1, *b, budget);
  return SPX_OK;
}

static int spex_applicable(size_t n, size_t budget, const void *cfg, char *why,
                           size_t whylen) {
  const spex_cfg *c = cfg;
  unsigned t = c->t, b = c->b;
  spx_error err;
  int rc = resolve(n, budget, &t, &b, c->groups, &err);
  if (rc) {
    snprintf(why, whylen, "%s", err.msg);
    return 0;
  }
  return 1;
}

static void spex_destroy(void *state) {
  spex_state *s = state;
  if (s == NULL) return;
  spx_spex_design_destroy(&s->design);
  spx_spex_bins_destroy(&s->bins);
  spx_maskset_destroy(&s->masks);
  spx_wht_plan_destroy(&s->plan);
  free(s->work);
  free(s->raw);
  free(s->row_values);
  if (s->rng) gsl_rng_free(s->rng);
  free(s);
}

/* The decoding settings and the rounds' sizes of the resolved t and b. */
static void derive(spex_state *s, const spex_cfg *c) {
  s->dec = c->dec;
  if (!c->chase_depth_given) /* default: 2 t */
    s->dec.chase_depth = 2 * s->t > SPX_CHASE_MAX ? SPX_CHASE_MAX : 2 * s->t;
  s->ref = c->ref;
  s->share_jobs = c->share_jobs;
  size_t mask_bytes = spx_mask_words(s->n) * sizeof(uint64_t);
  size_t bytes_per_row = ((size_t)1 << s->b) * mask_bytes;
  size_t rows = ((size_t)c->round_mb << 20) / bytes_per_row;
  s->rows_per_round = rows < 1 ? 1 : rows;
  long long cap = c->round_masks;
  size_t fit = ((size_t)c->round_mb << 20) / mask_bytes; /* masks in round_mb */
  if (cap > 0 && (size_t)cap < fit) fit = (size_t)cap;
  if (fit < ((size_t)1 << s->b)) { /* one row does not fit: rounds of part of a row */
    s->chunk = 1;
    while (2 * s->chunk <= fit) s->chunk *= 2;
    s->rows_per_round = 1;
  } else if (cap > 0 && (size_t)cap / ((size_t)1 << s->b) < s->rows_per_round) {
    s->rows_per_round = (size_t)cap >> s->b;
  }
}

static int spex_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                      spx_error *err) {
  *state = NULL;
  const spex_cfg *c = cfg;
  spex_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->n = n;
  s->budget = budget;
  s->t = c->t;
  s->groups = c->groups;
  s->b = c->b;
  int rc = resolve(n, budget, &s->t, &s->b, s->groups, err);
  if (rc) {
    spex_destroy(s);
    return rc;
  }
  derive(s, c);
  s->design = spx_spex_design_create(n, s->t, s->b, s->groups, rng, err);
  if (s->design == NULL) {
    spex_destroy(s);
    return err ? err->code : SPX_ENOMEM;
  }
  s->bins = spx_spex_bins_create(s->design, err);
  s->plan = spx_wht_plan_create(s->b, err);
  s->work = malloc(((size_t)1 << s->b) * sizeof *s->work);
  s->rng = gsl_rng_clone(rng);
  s->rows = (size_t)s->groups * ((size_t)s->design->p + 1);
  if (s->rows_per_round > s->rows) s->rows_per_round = s->rows;
  s->masks = spx_maskset_create(n, s->chunk ? s->chunk : s->rows_per_round << s->b);
  if (s->chunk) s->row_values = malloc(((size_t)1 << s->b) * sizeof *s->row_values);
  if (!s->bins || !s->plan || !s->work || !s->rng || !s->masks ||
      (s->chunk && !s->row_values)) {
    unsigned b = s->b;
    spex_destroy(s);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for SPEX (n = %zu, b = %u)", n, b);
  }
  *state = s;
  return SPX_OK;
}

/* The samples of complete design rows first .. first + count - 1 (count x 2^b values): into
 * the bins now, or kept for the shared transforms of finish. */
static int take_rows(spex_state *s, size_t first, size_t count, const double *values,
                     spx_error *err) {
  size_t nb = (size_t)1 << s->b;
  if (s->jobs == NULL) {
    for (size_t i = 0; i < count; i++)
      spx_spex_bins_add_row(s->design, s->bins, first + i, values + i * nb, s->plan, s->work);
    return SPX_OK;
  }
  if (s->raw == NULL) {
    s->raw = malloc((s->rows << s->b) * sizeof *s->raw);
    if (s->raw == NULL)
      return spx_error_set(err, SPX_ENOMEM, "out of memory keeping %zu SPEX samples",
                           s->rows << s->b);
  }
  /* Keep the samples for finish; the sums row by row, as spx_spex_bins_add_row. */
  memcpy(s->raw + first * nb, values, count * nb * sizeof *values);
  for (size_t i = 0; i < count; i++) spx_spex_bins_count(s->bins, values + i * nb, nb);
  return SPX_OK;
}

/* Rounds of part of a row (s->chunk masks): the values of the round just evaluated, then the
 * next chunk. */
static int step_chunks(spex_state *s, const double *values, const spx_maskset **next, int *done,
                       spx_error *err) {
  size_t nb = (size_t)1 << s->b;
  if (values != NULL) {
    memcpy(s->row_values + s->chunk_z, values, s->chunk * sizeof *values);
    s->chunk_z += s->chunk;
    if (s->chunk_z == nb) { /* the row is complete */
      int rc = take_rows(s, s->round_first, 1, s->row_values, err);
      if (rc) return rc;
      s->chunk_z = 0;
      s->next_row++;
    }
  }
  if (s->next_row == s->rows) {
    *done = 1;
    *next = NULL;
    spx_maskset_destroy(&s->masks);
    return SPX_OK;
  }
  spx_spex_design_masks_range(s->design, s->next_row, s->chunk_z, s->chunk,
                              spx_maskset_row(s->masks, 0));
  s->round_first = s->next_row;
  s->round_rows = 1;
  *done = 0;
  *next = s->masks;
  return SPX_OK;
}

static int spex_step(void *state, const double *values, const spx_maskset **next, int *done,
                     spx_error *err) {
  spex_state *s = state;
  if (s->chunk) return step_chunks(s, values, next, done, err);
  size_t nb = (size_t)1 << s->b;
  if (values != NULL) {
    int rc = take_rows(s, s->round_first, s->round_rows, values, err);
    if (rc) return rc;
  }
  if (s->next_row == s->rows) {
    *done = 1;
    *next = NULL;
    spx_maskset_destroy(&s->masks); /* the masks are no longer needed */
    return SPX_OK;
  }
  size_t rows = s->rows - s->next_row;
  if (rows > s->rows_per_round) rows = s->rows_per_round;
  int rc = spx_maskset_resize(s->masks, rows * nb, err);
  if (rc) return rc;
  for (size_t i = 0; i < rows; i++)
    spx_spex_design_masks(s->design, s->next_row + i, spx_maskset_row(s->masks, i * nb));
  s->round_first = s->next_row;
  s->round_rows = rows;
  s->next_row += rows;
  *done = 0;
  *next = s->masks;
  return SPX_OK;
}

static int spex_finish(void *state, spx_transform **out, spx_error *err) {
  spex_state *s = state;
  *out = NULL;
  if (s->next_row != s->rows || s->bins->samples != spx_spex_queries(s->groups, s->design->p, s->b))
    return spx_error_set(err, SPX_EINVAL, "SPEX: finish called before every round was evaluated");
  int rc = SPX_OK;
  if (s->jobs) { /* shared: the row transforms now, as jobs */
    rc = spx_spex_transform_rows(s->design, s->bins, s->raw, s->jobs, err);
    free(s->raw);
    s->raw = NULL;
    if (rc) return rc;
  }
  spx_spex_bins *orig = NULL;
  if (s->ref.kind != SPX_REFINE_NONE) {
    orig = spx_spex_bins_create(s->design, err);
    if (orig == NULL) return err ? err->code : SPX_ENOMEM;
    memcpy(orig->U, s->bins->U, s->bins->count * sizeof *orig->U);
    orig->sum = s->bins->sum;
    orig->sumsq = s->bins->sumsq;
    orig->samples = s->bins->samples;
  }
  spx_transform *tf = spx_transform_create((uint32_t)s->n, SPX_BASIS_FOURIER);
  if (tf == NULL) {
    spx_spex_bins_destroy(&orig);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX transform");
  }
  spx_spex_bin_result *first = NULL; /* shared: the first pass as jobs; else peel does it */
  if (s->jobs) rc = spx_spex_first_pass(s->design, s->bins, &s->dec, s->jobs, &first, err);
  if (rc == SPX_OK)
    rc = spx_spex_peel(s->design, s->bins, &s->dec, first, s->rng, tf, &s->info, err);
  free(first);
  if (rc == SPX_OK && orig) {
    double alpha;
    rc = spx_spex_refine(s->design, orig, &s->ref, s->rng, tf, &alpha, err);
  }
  spx_spex_bins_destroy(&orig);
  if (rc) {
    spx_transform_destroy(&tf);
    return rc;
  }
  *out = tf;
  return SPX_OK;
}

/* Off by default: at every size measured the transfers cost more than the shared work
 * saves (docs/benchmarks-mpi.md, "Method jobs"). Both ways give the same transform. */
static void spex_set_jobs(void *state, const spx_jobs_runner *jobs) {
  spex_state *s = state;
  s->jobs = s->share_jobs ? jobs : NULL;
}

const spx_method_type spx_method_spex = {
    .name = "spex",
    .summary = "SPEX: BCH-coded sparse Fourier peeling (Kang et al. 2025), soft decoder",
    .options = spex_soft_rows,
    .cfg_size = sizeof(spex_cfg),
    .configure = spex_configure,
    .applicable = spex_applicable,
    .begin = spex_begin,
    .step = spex_step,
    .finish = spex_finish,
    .destroy = spex_destroy,
    .set_jobs = spex_set_jobs,
};

const spx_method_type spx_method_spex_hard = {
    .name = "spex_hard",
    .summary = "SPEX with the hard BCH decoder by default",
    .options = spex_hard_rows,
    .cfg_size = sizeof(spex_cfg),
    .configure = spex_configure,
    .applicable = spex_applicable,
    .begin = spex_begin,
    .step = spex_step,
    .finish = spex_finish,
    .destroy = spex_destroy,
    .set_jobs = spex_set_jobs,
};
