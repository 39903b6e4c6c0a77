/* method.c: the generic method driver (configure once, then plan, evaluate, decode) with timing.
 *
 * Numerical guard (issue #14): after finish(), a transform holding a non-finite coefficient
 * is an error (SPX_ERANGE) naming the first such interaction and, when the answers were
 * huge, why; so no method, present or future, can hand a NaN or infinity to the caller. */
#include "method.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/timer.h"

int spx_method_run(const char *name, size_t n, size_t budget, spx_options *opts, gsl_rng *rng,
                   spx_eval_fn eval, void *eval_ctx, spx_transform **out,
                   spx_method_stats *stats, spx_error *err) {
  *out = NULL;
  memset(stats, 0, sizeof *stats);
  const spx_method_type *type = spx_method_lookup(name);
  if (type == NULL) {
    char list[512] = "";
    const spx_method_type *const *all = spx_method_types();
    for (size_t i = 0; all[i]; i++) {
      if (i) strcat(list, ", ");
      strncat(list, all[i]->name, sizeof list - strlen(list) - 3);
    }
    return spx_error_set(err, SPX_EINVAL, "unknown method '%s' (known: %s)", name, list);
  }
  return spx_method_run_type(type, n, budget, opts, rng, eval, eval_ctx, out, stats, err);
}

int spx_method_run_type(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                        gsl_rng *rng, spx_eval_fn eval, void *eval_ctx, spx_transform **out,
                        spx_method_stats *stats, spx_error *err) {
  return spx_method_run_jobs(type, n, budget, opts, rng, eval, eval_ctx, NULL, out, stats, err);
}

int spx_method_configure(const spx_method_type *type, size_t n, spx_options *opts,
                         spx_method_config **out, spx_error *err) {
  *out = NULL;
  spx_method_config *c = calloc(1, sizeof *c);
  void *cfg = type->cfg_size ? calloc(1, type->cfg_size) : NULL;
  if (c == NULL || (type->cfg_size && cfg == NULL)) {
    free(c);
    free(cfg);
    return spx_error_set(err, SPX_ENOMEM, "method %s: out of memory for its configuration",
                         type->name);
  }
  c->type = type;
  c->n = n;
  c->cfg = cfg;
  int rc = spx_options_declare(opts, type->options, err);
  if (rc == SPX_OK && type->configure) rc = type->configure(n, opts, cfg, err);
  if (rc == SPX_OK) rc = spx_options_check_unused(opts, err);
  if (rc) {
    spx_method_config_destroy(&c);
    return rc;
  }
  *out = c;
  return SPX_OK;
}

void spx_method_config_destroy(spx_method_config **cfg) {
  if (cfg == NULL || *cfg == NULL) return;
  free((*cfg)->cfg);
  free(*cfg);
  *cfg = NULL;
}

int spx_method_config_applicable(const spx_method_config *cfg, size_t budget, char *why,
                                 size_t whylen) {
  return cfg->type->applicable(cfg->n, budget, cfg->cfg, why, whylen);
}

int spx_method_config_estimates(const spx_method_config *cfg, spx_index *index,
                                unsigned *order) {
  if (cfg->type->estimates == NULL) return 0;
  cfg->type->estimates(cfg->cfg, index, order);
  return 1;
}

int spx_method_applicable(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                          char *why, size_t whylen) {
  spx_method_config *cfg = NULL;
  spx_error err;
  if (spx_method_configure(type, n, opts, &cfg, &err) != SPX_OK) {
    snprintf(why, whylen, "%s", err.msg);
    return 1; /* not a reason to skip: the run reports it */
  }
  int ok = spx_method_config_applicable(cfg, budget, why, whylen);
  spx_method_config_destroy(&cfg);
  return ok;
}

/* SPX_OK, or SPX_ERANGE naming the first non-finite coefficient of t; max_abs is the largest
 * |answer| the method saw. */
static int check_finite(const spx_transform *t, double max_abs, spx_error *err) {
  size_t size = spx_transform_size(t);
  for (size_t i = 0; i < size; i++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, i, &idx, &deg, &v);
    if (isfinite(v)) continue;
    char set[96] = "{";
    for (uint32_t k = 0; k < deg && strlen(set) < sizeof set - 16; k++)
      snprintf(set + strlen(set), sizeof set - strlen(set), "%s%u", k ? "," : "", idx[k]);
    strcat(set, deg > 0 && strlen(set) >= sizeof set - 16 ? ",...}" : "}");
    char why[200] = "";
    if (!(max_abs < 1e150))
      snprintf(why, sizeof why, "; the answers reach |f| = %g, whose squares overflow double "
               "precision: rescale the model's output", max_abs);
    return spx_error_set(err, SPX_ERANGE, "the coefficient of %s is %s (not a finite number)%s",
                         set, isnan(v) ? "NaN" : "infinite", why);
  }
  return SPX_OK;
}

int spx_method_run_jobs(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                        gsl_rng *rng, spx_eval_fn eval, void *eval_ctx,
                        const spx_jobs_runner *jobs, spx_transform **out,
                        spx_method_stats *stats, spx_error *err) {
  if (out) *out = NULL;
  memset(stats, 0, sizeof *stats);
  spx_method_config *cfg = NULL;
  int rc = spx_method_configure(type, n, opts, &cfg, err);
  if (rc) {
    spx_error_prefix(err, "method %s", type->name);
    return rc;
  }
  rc = spx_method_run_config(cfg, budget, rng, eval, eval_ctx, jobs, out, stats, err);
  spx_method_config_destroy(&cfg);
  return rc;
}

int spx_method_run_config(const spx_method_config *cfg, size_t budget, gsl_rng *rng,
                          spx_eval_fn eval, void *eval_ctx, const spx_jobs_runner *jobs,
                          spx_transform **out, spx_method_stats *stats, spx_error *err) {
  const spx_method_type *type = cfg->type;
  const char *name = type->name;
  size_t n = cfg->n;
  if (out) *out = NULL;
  memset(stats, 0, sizeof *stats);
  char why[512] = "";
  if (!type->applicable(n, budget, cfg->cfg, why, sizeof why))
    return spx_error_set(err, SPX_ENOTAPPLICABLE, "%s: %s", name, why);

  void *state = NULL;
  double t0 = spx_time_now();
  int rc = type->begin(n, budget, cfg->cfg, rng, &state, err);
  stats->time_decode += spx_time_now() - t0;
  if (rc == SPX_OK && type->set_jobs) type->set_jobs(state, jobs);
  double *values = NULL;
  size_t values_cap = 0;
  int done = 0, first = 1;
  double max_abs = 0.0; /* largest |answer| (for the guard's message) */
  while (rc == SPX_OK && !done) {
    const spx_maskset *next = NULL;
    t0 = spx_time_now();
    rc = type->step(state, first ? NULL : values, &next, &done, err);
    stats->time_decode += spx_time_now() - t0;
    first = 0;
    if (rc || done) break;
    if (next->count > values_cap) {
      free(values);
      values_cap = next->count;
      values = malloc(values_cap * sizeof *values);
      if (values == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu values", values_cap);
        break;
      }
    }
    t0 = spx_time_now();
    rc = eval(eval_ctx, next, values, err);
    stats->time_oracle += spx_time_now() - t0;
    for (size_t k = 0; rc == SPX_OK && k < next->count; k++)
      if (fabs(values[k]) > max_abs || values[k] != values[k]) max_abs = fabs(values[k]);
    stats->queries += next->count;
    stats->rounds++;
  }
  if (rc == SPX_OK && out) { /* out == NULL: the rounds only (spex-bench record) */
    t0 = spx_time_now();
    rc = type->finish(state, out, err);
    stats->time_decode += spx_time_now() - t0;
    if (rc == SPX_OK && *out) rc = check_finite(*out, max_abs, err);
    if (rc && *out) spx_transform_destroy(out);
  }
  free(values);
  if (state) type->destroy(state);
  if (rc) spx_error_prefix(err, "method %s", name);
  return rc;
}
