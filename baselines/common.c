/* common.c: option parsing, combinatorics, the shared one-round method state and the output
 * transform of the baseline methods (see baselines.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "baselines.h"

/* ---- options -------------------------------------------------------------------------- */

#define ROW_END {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}
const spx_option_decl spx_baseline_limit_rows[] = {
    {"memory_gib", SPX_DECL_FLOAT, "2", 1e-6, 1e6, NULL,
     "working-memory limit of the fit in GiB (skipped above it)", NULL},
    {"max_gflop", SPX_DECL_FLOAT, "100", 1e-6, 1e12, NULL,
     "estimated work limit of the fit in GFLOP (skipped above it)", NULL},
    ROW_END};
static const spx_option_decl grid_rows[] = {
    {"penalty_grid", SPX_DECL_FLOAT_LIST, "[0.1, 1, 10]", 0, SPX_NOMAX, NULL,
     "penalties tried with penalty = \"loo\"", NULL},
    ROW_END};
const spx_option_decl spx_baseline_penalty_loo_rows[] = {
    {"penalty", SPX_DECL_ANY, "loo", 0, SPX_NOMAX, NULL,
     "ridge penalty >= 0, or \"loo\" (leave-one-out over penalty_grid)", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, grid_rows},
    ROW_END};
const spx_option_decl spx_baseline_penalty_zero_rows[] = {
    {"penalty", SPX_DECL_ANY, "0", 0, SPX_NOMAX, NULL,
     "ridge penalty >= 0 (0: least squares), or \"loo\" (over penalty_grid)", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, grid_rows},
    ROW_END};
const spx_option_decl spx_baseline_order_rows[] = {
    {"order", SPX_DECL_INT, "2", 1, 64, NULL, "interaction order (at most n)", NULL},
    ROW_END};

const spx_option_decl spx_baseline_pairing_rows[] = {
    {"pairing", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "paired sampling (each coalition with its complement)", NULL},
    ROW_END};

static int find_option(const spx_options *opts, const char *key, spx_option_kind *kind,
                       const char **text) {
  for (size_t i = 0; i < spx_options_count(opts); i++) {
    const char *k;
    spx_options_at(opts, i, &k, kind, text, NULL);
    if (strcmp(k, key) == 0) return 1;
  }
  return 0;
}

int spx_baseline_read_penalty(spx_options *opts, spx_baseline_penalty *out, spx_error *err) {
  const char *key = "penalty";
  const spx_option_decl *row = spx_options_decl_of(opts, key);
  if (row == NULL || row->def == NULL)
    return spx_error_set(err, SPX_EINTERNAL, "%s: penalty read but not declared (a bug)",
                         spx_options_context(opts));
  memset(out, 0, sizeof *out);
  out->loo = strcmp(row->def, "loo") == 0;
  out->value = out->loo ? 0.0 : strtod(row->def, NULL);
  double default_value = out->value;
  spx_option_kind kind;
  const char *text;
  spx_options_known(opts, key);
  if (find_option(opts, key, &kind, &text)) {
    if ((kind == SPX_OPT_STRING || kind == SPX_OPT_TEXT) && strcmp(text, "loo") == 0) {
      spx_options_known(opts, key);
      out->loo = 1;
    } else {
      char *end = NULL;
      if (kind == SPX_OPT_STRING || kind == SPX_OPT_TEXT) strtod(text, &end);
      if (kind == SPX_OPT_STRING || (kind == SPX_OPT_TEXT && (end == text || *end != 0))) {
        spx_options_known(opts, key);
        return spx_options_fail(opts, key, SPX_EINVAL, err,
                                "expected \"loo\" or a number >= 0, got '%s'", text);
      }
      int rc = spx_options_double(opts, key, default_value, &out->value, err);
      if (rc) return rc;
      if (!(out->value >= 0.0))
        return spx_options_fail(opts, key, SPX_ERANGE, err, "must be >= 0, got %g", out->value);
      out->loo = 0;
    }
  }
  size_t count = 0;
  int rc = spx_opt_double_list(opts, "penalty_grid", out->grid, SPX_BASELINE_MAX_GRID, &count, err);
  if (rc) return rc;
  if (count == 0)
    return spx_options_fail(opts, "penalty_grid", SPX_EINVAL, err, "must not be empty");
  out->ngrid = count;
  return SPX_OK;
}

int spx_baseline_penalty_positive(const spx_baseline_penalty *pen) {
  if (!pen->loo) return pen->value > 0.0;
  for (size_t k = 0; k < pen->ngrid; k++)
    if (!(pen->grid[k] > 0.0)) return 0;
  return 1;
}

int spx_baseline_read_memory(spx_options *opts, spx_baseline_limits *limits, spx_error *err) {
  double gib, gflop;
  int rc = spx_opt_double(opts, "memory_gib", &gib, err);
  if (rc == SPX_OK) rc = spx_opt_double(opts, "max_gflop", &gflop, err);
  if (rc) return rc;
  limits->bytes = gib * 1073741824.0;
  limits->flops = gflop * 1e9;
  return SPX_OK;
}

int spx_baseline_read_order(spx_options *opts, size_t n, unsigned *order, spx_error *err) {
  long long v;
  int given = spx_options_has(opts, "order");
  int rc = spx_opt_int(opts, "order", &v, err);
  if (rc == SPX_ERANGE && given) { /* say it with n */
    spx_options_int(opts, "order", 0, &v, NULL);
    rc = SPX_OK;
  }
  if (rc) return rc;
  if (n == 0) { /* nothing to bound it by: applicable() refuses n = 0 */
    *order = (unsigned)v;
    return SPX_OK;
  }
  if (!given && (size_t)v > n) v = (long long)n;
  long long hi = n < 64 ? (long long)n : 64;
  if (v < 1 || v > hi)
    return spx_options_fail(opts, "order", SPX_ERANGE, err,
                            "%lld is out of range [1, %lld] (the order is at most n = %zu)", v,
                            hi, n);
  *order = (unsigned)v;
  return SPX_OK;
}

/* ---- combinatorics -------------------------------------------------------------------- */

double spx_baseline_choose(size_t n, size_t k) {
  if (k > n) return 0.0;
  if (k > n - k) k = n - k;
  double ln = gsl_sf_lnchoose((unsigned)n, (unsigned)k);
  if (ln > 700.0) return INFINITY;
  double r = 1.0;
  for (size_t i = 1; i <= k; i++) r = r * (double)(n - k + i) / (double)i;
  return nearbyint(r) < 9007199254740992.0 ? nearbyint(r) : r;
}

double spx_baseline_num_columns(size_t n, unsigned lo, unsigned order) {
  double p = 0.0;
  for (unsigned k = lo; k <= order && k <= n; k++) p += spx_baseline_choose(n, k);
  return p;
}

/* ---- common state ----------------------------------------------------------------------- */

int spx_baseline_step(void *state, const double *values, const spx_maskset **next, int *done,
                spx_error *err) {
  spx_baseline_state *s = state;
  *next = NULL;
  *done = 0;
  if (s->stage == 0) {
    s->stage = 1;
    *next = s->masks;
    return SPX_OK;
  }
  if (s->stage == 1) {
    if (values == NULL)
      return spx_error_set(err, SPX_EINVAL, "step: the values of the masks are missing");
    s->values = malloc((s->masks->count ? s->masks->count : 1) * sizeof *s->values);
    SPX_CHECK_ALLOC(s->values, err);
    for (size_t i = 0; i < s->masks->count; i++) {
      if (!isfinite(values[i]))
        return spx_error_set(err, SPX_EINVAL, "step: value %zu is not finite (%g)", i,
                             values[i]);
      s->values[i] = values[i];
    }
    s->stage = 2;
  }
  *done = 1;
  return SPX_OK;
}

void spx_baseline_state_free(spx_baseline_state *s) {
  spx_maskset_destroy(&s->masks);
  free(s->values);
  s->values = NULL;
}

void *spx_baseline_uniform_begin(size_t size, size_t n, size_t budget, gsl_rng *rng,
                                 spx_error *err) {
  spx_baseline_state *s = calloc(1, size);
  if (s == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  s->n = n;
  s->budget = budget;
  if (spx_baseline_uniform_masks(n, budget, rng, &s->masks, err) != SPX_OK) {
    spx_baseline_destroy(s);
    return NULL;
  }
  return s;
}

void spx_baseline_destroy(void *state) {
  if (state == NULL) return;
  spx_baseline_state_free(state);
  free(state);
}

int spx_baseline_check_memory(size_t n, double p, size_t rows, int dual_ok,
                        const spx_baseline_limits *limits, char *why, size_t whylen) {
  double need = spx_baseline_fit_memory(n, p, rows, dual_ok);
  if (need > limits->bytes) {
    snprintf(why, whylen,
             "%.0f regression columns and %zu masks need about %.3g GiB of working memory "
             "(normal equations%s), above the limit memory_gib = %.3g",
             p, rows, need / 1073741824.0, dual_ok ? " or kernel matrix" : "",
             limits->bytes / 1073741824.0);
    return 0;
  }
  double work = spx_baseline_fit_flops(n, p, rows, dual_ok);
  if (work > limits->flops) {
    snprintf(why, whylen,
             "%.0f regression columns and %zu masks need about %.3g GFLOP to fit, above the "
             "limit max_gflop = %.3g (raise it to run this cell anyway)",
             p, rows, work / 1e9, limits->flops / 1e9);
    return 0;
  }
  return 1;
}

int spx_baseline_check_fit(size_t n, double p, double unknowns, size_t rows, size_t budget,
                     int dual_ok, int penalised, const spx_baseline_limits *limits, const char *what,
                     const char *penalty_key, char *why, size_t whylen) {
  if (!spx_baseline_check_memory(n, p, rows, dual_ok, limits, why, whylen)) return 0;
  if (!penalised && (double)rows < unknowns) {
    snprintf(why, whylen, "budget %zu is below the %.0f unknowns of an unpenalised fit%s (%s = 0)",
             budget, unknowns, what, penalty_key);
    return 0;
  }
  return 1;
}

/* ---- output ------------------------------------------------------------------------------- */

int spx_baseline_transform(const spx_baseline_design *d, const double *beta, int with_empty,
                     double empty_value, spx_transform **out, spx_error *err) {
  *out = NULL;
  spx_transform *t = spx_transform_create((uint32_t)d->n, SPX_BASIS_MOEBIUS);
  SPX_CHECK_ALLOC(t, err);
  int rc = SPX_OK;
  if (with_empty) rc = spx_transform_set(t, NULL, 0, empty_value, err);
  uint32_t idx[64];
  for (size_t j = 0; j < d->p && rc == SPX_OK; j++) {
    unsigned deg;
    spx_baseline_design_subset(d, j, idx, &deg);
    rc = spx_transform_set(t, idx, deg, beta[j], err);
  }
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}

int spx_baseline_fit_transform(const spx_baseline_state *s, unsigned lo, unsigned order, size_t first_row,
                         const double *y, const double *w, const spx_baseline_penalty *pen,
                         size_t first_penalised, int constrain_sum, double con_rhs,
                         int with_empty, double empty_value, spx_transform **out,
                         spx_baseline_fit_info *info, spx_error *err) {
  *out = NULL;
  spx_baseline_design d;
  int rc = spx_baseline_design_init(&d, s->n, lo, order, err);
  if (rc) return rc;
  double *beta = calloc(d.p ? d.p : 1, sizeof *beta);
  double *con = NULL;
  if (constrain_sum) {
    con = malloc((d.p ? d.p : 1) * sizeof *con);
    if (con)
      for (size_t j = 0; j < d.p; j++) con[j] = 1.0;
  }
  if (beta == NULL || (constrain_sum && con == NULL)) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu coefficients", d.p);
  } else {
    size_t first = first_row < s->masks->count ? first_row : s->masks->count;
    spx_baseline_rows rows = {.bits = spx_maskset_row(s->masks, first),
                        .words = s->masks->words,
                        .count = s->masks->count - first,
                        .y = y + first,
                        .w = w ? w + first : NULL};
    rc = spx_baseline_fit(&rows, &d, pen, first_penalised, con, con_rhs, beta, info, err);
    if (rc == SPX_OK) rc = spx_baseline_transform(&d, beta, with_empty, empty_value, out, err);
  }
  free(beta);
  free(con);
  spx_baseline_design_free(&d);
  return rc;
}
