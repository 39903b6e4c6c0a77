/* method.c: the generic method driver loop (plan, evaluate, decode) with timing. */
#include "method.h"

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

int spx_method_applicable(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                          char *why, size_t whylen) {
  if (spx_options_declare(opts, type->options, NULL) != SPX_OK) {
    snprintf(why, whylen, "out of memory declaring the options of %s", type->name);
    return 0;
  }
  return type->applicable(n, budget, opts, why, whylen);
}

int spx_method_run_jobs(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                        gsl_rng *rng, spx_eval_fn eval, void *eval_ctx,
                        const spx_jobs_runner *jobs, spx_transform **out,
                        spx_method_stats *stats, spx_error *err) {
  const char *name = type->name;
  *out = NULL;
  memset(stats, 0, sizeof *stats);
  char why[512] = "";
  int declared = spx_options_declare(opts, type->options, err);
  if (declared != SPX_OK) return declared;
  if (!type->applicable(n, budget, opts, why, sizeof why))
    return spx_error_set(err, SPX_ENOTAPPLICABLE, "%s: %s", name, why);

  void *state = NULL;
  double t0 = spx_time_now();
  int rc = type->begin(n, budget, opts, rng, &state, err);
  stats->time_decode += spx_time_now() - t0;
  if (rc == SPX_OK) rc = spx_options_check_unused(opts, err);
  if (rc == SPX_OK && type->set_jobs) type->set_jobs(state, jobs);
  double *values = NULL;
  size_t values_cap = 0;
  int done = 0, first = 1;
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
    stats->queries += next->count;
    stats->rounds++;
  }
  if (rc == SPX_OK) {
    t0 = spx_time_now();
    rc = type->finish(state, out, err);
    stats->time_decode += spx_time_now() - t0;
  }
  free(values);
  if (state) type->destroy(state);
  if (rc) spx_error_prefix(err, "method %s", name);
  return rc;
}
