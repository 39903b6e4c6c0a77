/* cell_runner.h: the one cell runner, open -> method -> score -> record (docs/architecture.md
 * "The path of one cell"), used by the grid's groups (grid_cell.c), by `spex-bench explain`
 * and by `spex-bench record` (record.c: the same open step and test masks; it records the
 * oracle's answers to the method's masks instead of decoding and scoring).
 *
 * Every random choice of a cell comes from spx_rng_stream with the cell's coordinates:
 *   the instance stream   s = explicand | (scaling point << 40)           (spx_cell_stream)
 *   the held-out masks    spx_rng_stream(seed, s, hash("test"), 0, 0)     (spx_cell_test_masks)
 *   the method            spx_rng_stream(seed, s, hash(method type name), samples, repeat)
 * so that explain with a configuration's seed, explicand, method, budget (its sample count)
 * and test mask count reproduces that grid cell's transform and R² bit for bit. */
#ifndef SPX_CELL_RUNNER_H
#define SPX_CELL_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/jobs.h"
#include "io/cell.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "par/par.h"
#include "scorers/scorer.h"

/* The stream coordinate of an instance (explicand and scaling point). */
uint64_t spx_cell_stream(size_t explicand, size_t scaling_point);
/* count held-out test masks of an instance: uniform over {0,1}^n. */
int spx_cell_test_masks(uint64_t seed, uint64_t stream, size_t n, size_t count,
                        spx_maskset **out, spx_error *err);
/* The generator of a cell (method type name, samples, repeat). */
gsl_rng *spx_cell_rng(uint64_t seed, uint64_t stream, const char *method, size_t samples,
                      size_t repeat);

/* What one cell runs. */
typedef struct spx_cell_spec {
  const spx_config *cfg; /* the scorers' configuration; NULL: R² only (explain) */
  uint64_t seed;
  size_t instance;       /* grid instance (coordinates of the record) */
  uint64_t stream;       /* spx_cell_stream of the instance */
  size_t method_index, budget_index, repeat;
  const spx_method_type *method;
  const char *label;     /* the method's label (messages) */
  const spx_options *method_opts; /* cloned for the run */
  const char *known;     /* a key of method_opts that the method need not read (or NULL):
                          * explain's --order, given to the methods that take an order */
  size_t samples;        /* the budget in queries */
  size_t test_masks;     /* held-out masks (0: no scoring, explain without --test-masks) */
} spx_cell_spec;

/* A rank's runner state: the open oracle (and the options it was opened with), the test masks
 * and the scorers' caches of the last instance (spx_cell_runner_* keep them across the cells
 * of an instance). */
typedef struct spx_cell_runner {
  spx_oracle *oracle;
  spx_options *oracle_opts; /* the instance's oracle options (record: the model's identity) */
  size_t oracle_instance;
  spx_maskset *test;
  uint64_t test_stream;
  size_t test_count;
  spx_score_caches caches;
} spx_cell_runner;

void spx_cell_runner_init(spx_cell_runner *r);
void spx_cell_runner_free(spx_cell_runner *r);
/* Open the oracle of a grid instance (kept when it is already open on it). */
int spx_cell_runner_open(spx_cell_runner *r, const spx_config *cfg, size_t instance,
                         spx_error *err);
/* Collective (group): the prologue of every group task that uses an oracle (grid setup, grid
 * cell, record). Each rank's runner opens the instance's oracle (spx_cell_runner_open) and the
 * group agrees (spx_par_group_open): on the leader SPX_OK with *lead = 1 when the oracle is
 * open on every rank, and the leader must end the task with spx_par_group_release; the other
 * ranks serve the leader's evaluations and return with *lead = 0 once released. A failure to
 * open on any rank: that failure on every rank, *lead = 0. */
int spx_cell_runner_group_open(spx_cell_runner *r, spx_par *par, const spx_config *cfg,
                               size_t instance, int *lead, spx_error *err);
/* The held-out test masks of an instance: count uniform masks on n features from the
 * instance's stream (spx_cell_test_masks), kept by the runner (*out is r->test). */
int spx_cell_runner_test_masks(spx_cell_runner *r, uint64_t seed, uint64_t stream, size_t n,
                               size_t count, const spx_maskset **out, spx_error *err);

/* Run one cell on the open oracle o (r->oracle, or the caller's): the method through eval and
 * jobs (may be NULL), then every enabled scorer. test_values: the instance's values of the
 * test masks (NULL: evaluated here through eval). rec is initialised here with the record of
 * the cell (status ok, skipped or failed, message of a failure); *keep (if not NULL) gets the
 * method's transform when there is one. Returns the method's status (SPX_OK when it ran, even
 * if a scorer failed the cell: see rec->status); the caller checks spx_oracle_lost. */
int spx_cell_run(spx_cell_runner *r, const spx_cell_spec *spec, spx_oracle *o, spx_eval_fn eval,
                 void *eval_ctx, const spx_jobs_runner *jobs, const double *test_values,
                 spx_cell_result *rec, spx_transform **keep, spx_error *err);

/* The method's rounds of one cell only, on n features: the masks a run of the cell asks for
 * (the same stream and options as spx_cell_run), each round's values from eval, stopping
 * before the decode (no transform, no scoring). Used by `spex-bench record` to record the
 * oracle's answers. *skipped = 1 (and SPX_OK) when the method is not applicable at this budget:
 * a run records the cell as skipped, with no queries. */
int spx_cell_plan(const spx_cell_spec *spec, size_t n, spx_eval_fn eval, void *eval_ctx,
                  int *skipped, spx_error *err);

#endif
