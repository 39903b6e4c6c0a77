/* method.h: the interface shared by SPEX, ProxySPEX, the exact solver and every baseline
 * (DESIGN §3.2).
 *
 * A method reads its options once, then plans masks, receives their values, and decodes a
 * sparse transform:
 *
 *   configure(n, opts, cfg)               the options (declared in the type's table) parsed
 *                                         into the method's own typed configuration; every
 *                                         bad key or value is reported here
 *   applicable(n, budget, cfg, &why)      1, or 0 with the reason (budget too small, too much
 *                                         memory, ...); never fails otherwise
 *   begin(n, budget, cfg, rng)            -> state (copies what it needs of cfg)
 *   step(state, values, &next, &done)     first call: values == NULL; while !done, *next is the
 *                                         mask set to evaluate (owned by the state, valid until
 *                                         the next call) and the next call passes its values
 *   finish(state, &transform)             Fourier or Moebius transform
 *
 * The driver (spx_method_configure / spx_method_run*) calls configure once per cell, then
 * applicable and begin with that configuration. Methods never call oracles and never see MPI:
 * the caller evaluates the masks. */
#ifndef SPX_METHOD_H
#define SPX_METHOD_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "../core/convert.h"
#include "../core/error.h"
#include "../core/jobs.h"
#include "../core/mask.h"
#include "../core/options.h"
#include "../core/transform.h"

typedef struct spx_method_type {
  const char *name;
  const char *summary; /* one line for --help */
  /* The method's option keys (core/options.h), each declared once with its default, range and
   * help. configure() reads them with spx_opt_* (the driver declares the table first). */
  const spx_option_decl *options;
  /* Size of the method's configuration: the driver hands configure() cfg_size zeroed bytes and
   * frees them with the configuration. A configuration is plain data (it may point into opts,
   * which outlive it). configure may be NULL for a method without options (cfg_size 0). */
  size_t cfg_size;
  /* Read every option into cfg for n features; SPX_EINVAL / SPX_ERANGE name the key and value
   * at fault ("WHERE: KEY: ..."). */
  int (*configure)(size_t n, spx_options *opts, void *cfg, spx_error *err);
  /* 1 if the method can run with n features and this budget, else 0 with a reason in why. */
  int (*applicable)(size_t n, size_t budget, const void *cfg, char *why, size_t whylen);
  int (*begin)(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
               spx_error *err);
  int (*step)(void *state, const double *values, const spx_maskset **next, int *done,
              spx_error *err);
  int (*finish)(void *state, spx_transform **out, spx_error *err);
  void (*destroy)(void *state);
  /* Optional: a runner for independent jobs (core/jobs.h) that may spread them over the ranks
   * of the caller's group; called once after begin, before the first step. A method without
   * this hook, or given NULL, runs everything on the calling rank. */
  void (*set_jobs)(void *state, const spx_jobs_runner *jobs);
  /* Optional, for estimators whose result holds an interaction index (its values in the
   * Moebius slot): which index, of which order, this configuration estimates. NULL: the result
   * is a transform of the function itself (a surrogate, convertible to any index). */
  void (*estimates)(const void *cfg, spx_index *index, unsigned *order);
} spx_method_type;

const spx_method_type *spx_method_lookup(const char *name);

/* A method's options parsed for n features (the type's configuration and what it was made
 * for). */
typedef struct spx_method_config {
  const spx_method_type *type;
  size_t n;
  void *cfg; /* type->cfg_size bytes filled by type->configure */
} spx_method_config;

/* Declare the type's option table in opts, run its configure() and refuse a key that no table
 * declares. The messages are the options' own ("CONTEXT: KEY: problem", the context of opts
 * naming the method's table). */
int spx_method_configure(const spx_method_type *type, size_t n, spx_options *opts,
                         spx_method_config **out, spx_error *err);
void spx_method_config_destroy(spx_method_config **cfg);
/* type->applicable of a configuration at this budget. */
int spx_method_config_applicable(const spx_method_config *cfg, size_t budget, char *why,
                                 size_t whylen);
/* 1 with the index and order a configuration's result holds (the type's estimates hook),
 * 0 when the result is a transform of the function (no hook). */
int spx_method_config_estimates(const spx_method_config *cfg, spx_index *index,
                                unsigned *order);
/* Configure, then applicable. Options that do not configure are not a reason to skip: this
 * returns 1 (the run reports them, by key and value) with the message in why. */
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

/* Run a method start to finish, evaluating through eval: configure (once), applicable, begin,
 * the rounds, finish. Unknown option keys are an error. If the method is not applicable,
 * returns SPX_ENOTAPPLICABLE with the reason. */
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
/* The same for a configuration made by spx_method_configure (for n = cfg->n features).
 * spx_method_run_jobs and spx_method_run_config accept out == NULL: the method's rounds only,
 * without finish() (the decode): `spex-bench record` collects the masks a run asks for. */
int spx_method_run_config(const spx_method_config *cfg, size_t budget, gsl_rng *rng,
                          spx_eval_fn eval, void *eval_ctx, const spx_jobs_runner *jobs,
                          spx_transform **out, spx_method_stats *stats, spx_error *err);

#endif
