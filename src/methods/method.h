/* method.h: the interface shared by SPEX, ProxySPEX, the exact solver and every baseline
 * (DESIGN §3.2).
 *
 * A method plans masks, receives their values, and decodes a sparse transform:
 *
 *   begin(n, budget, opts, rng)           -> state
 *   step(state, values, &next, &done)     first call: values == NULL; while !done, *next is the
 *                                         mask set to evaluate (owned by the state, valid until
 *                                         the next call) and the next call passes its values
 *   finish(state, &transform)             Fourier or Moebius transform
 *
 * Methods never call oracles and never see MPI: the caller evaluates the masks. */
#ifndef SPX_METHOD_H
#define SPX_METHOD_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "../core/error.h"
#include "../core/jobs.h"
#include "../core/mask.h"
#include "../core/options.h"
#include "../core/transform.h"

typedef struct spx_method_type {
  const char *name;
  const char *summary; /* one line for --help */
  /* 1 if the method can run with n features and this budget, else 0 with a reason in why.
   * Reads options but must not fail on them (begin reports bad options). */
  int (*applicable)(size_t n, size_t budget, spx_options *opts, char *why, size_t whylen);
  int (*begin)(size_t n, size_t budget, spx_options *opts, gsl_rng *rng, void **state,
               spx_error *err);
  int (*step)(void *state, const double *values, const spx_maskset **next, int *done,
              spx_error *err);
  int (*finish)(void *state, spx_transform **out, spx_error *err);
  void (*destroy)(void *state);
  /* Optional: a runner for independent jobs (core/jobs.h) that may spread them over the ranks
   * of the caller's group; called once after begin, before the first step. A method without
   * this hook, or given NULL, runs everything on the calling rank. */
  void (*set_jobs)(void *state, const spx_jobs_runner *jobs);
  /* The method's option keys (core/options.h), each declared once with its default, range and
   * help; read with spx_opt_*. applicable() and begin() expect opts to carry this table:
   * spx_method_applicable and spx_method_run declare it (the config reader does too). */
  const spx_option_decl *options;
} spx_method_type;

const spx_method_type *spx_method_lookup(const char *name);

/* type->applicable after declaring the type's options in opts (so that its spx_opt_* reads
 * work whoever created opts). */
int spx_method_applicable(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                          char *why, size_t whylen);
const spx_method_type *const *spx_method_types(void);

typedef struct spx_method_stats {
  size_t queries;     /* masks the method asked to be evaluated */
  size_t rounds;      /* number of step rounds that produced masks */
  double time_decode; /* seconds spent inside the method (begin, steps, finish) */
  double time_oracle; /* seconds spent evaluating its masks */
} spx_method_stats;

/* Evaluation callback: fill values[0..masks->count). */
typedef int (*spx_eval_fn)(void *ctx, const spx_maskset *masks, double *values,
                           spx_error *err);

/* Run a method start to finish, evaluating through eval. Unknown option keys are an error.
 * If the method is not applicable, returns SPX_ENOTAPPLICABLE with the reason. */
int spx_method_run(const char *name, size_t n, size_t budget, spx_options *opts, gsl_rng *rng,
                   spx_eval_fn eval, void *eval_ctx, spx_transform **out,
                   spx_method_stats *stats, spx_error *err);
/* The same for a type that need not be in the registry (used by tests). */
int spx_method_run_type(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                        gsl_rng *rng, spx_eval_fn eval, void *eval_ctx, spx_transform **out,
                        spx_method_stats *stats, spx_error *err);
/* The same with a job runner (NULL: this rank alone); jobs must outlive the call. */
int spx_method_run_jobs(const spx_method_type *type, size_t n, size_t budget, spx_options *opts,
                        gsl_rng *rng, spx_eval_fn eval, void *eval_ctx,
                        const spx_jobs_runner *jobs, spx_transform **out,
                        spx_method_stats *stats, spx_error *err);

#endif
