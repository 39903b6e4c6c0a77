/* run.h: the experiment drivers (DESIGN §3.6) and their command-line entry points.
 *
 *   spex-bench CONFIG.toml [--set key=value ...] [--resume] [--quiet]   -> spx_run_config
 *   spex-bench check CONFIG.toml [--set key=value ...]                 -> spx_check_config
 *   spex-bench record CONFIG.toml [--set key=value ...] [--quiet]      -> spx_record_config
 *
 * Both return the exit status: 0 success, 1 run-time failure (including failed cells),
 * 2 usage or configuration error. argv[0] is the command's name and is not interpreted.
 * spx_run_config is collective over MPI_COMM_WORLD: every rank calls it with the same
 * arguments; it initialises MPI if main has not (the caller then calls spx_par_finalize).
 * Only world rank 0 writes to out and errout. spx_check_config needs no MPI and prints only
 * on world rank 0. */
#ifndef SPX_RUN_H
#define SPX_RUN_H

#include <stdio.h>

#include "config/config.h"
#include "par/par.h"

int spx_run_config(int argc, char **argv, FILE *out, FILE *errout);
int spx_check_config(int argc, char **argv, FILE *out, FILE *errout);
/* spex-bench record CONFIG.toml [--set key=value ...] [--quiet]: spx_run_record for any kind
 * of configuration (collective, like spx_run_config). */
int spx_record_config(int argc, char **argv, FILE *out, FILE *errout);

/* The same with extra oracle/method types visible to the configuration (tests). */
int spx_run_config_types(int argc, char **argv, FILE *out, FILE *errout,
                         const spx_config_types *types);
int spx_check_config_types(int argc, char **argv, FILE *out, FILE *errout,
                           const spx_config_types *types);
int spx_record_config_types(int argc, char **argv, FILE *out, FILE *errout,
                            const spx_config_types *types);

/* spex-bench --version: spex-bench, its commit and the libraries a result file records under
 * /meta/runs/k/versions (grid_provenance.c), one per line; -1 when out of memory. */
int spx_print_versions(FILE *out);

typedef struct spx_run_options {
  int resume; /* continue an existing result file */
  int quiet;  /* no progress lines */
  FILE *out;    /* summary table (world rank 0) */
  FILE *errout; /* progress and messages (world rank 0) */
} spx_run_options;

/* Run the experiment of cfg (collective over the world of par): the grid for faithfulness,
 * recovery and scaling (which differ only in what a cell scores), spx_run_record for kind
 * record. Returns SPX_OK when every cell finished (ok or skipped); SPX_EORACLE with a count in
 * err when some cells failed (they are recorded in the file) or were not run (every group's
 * oracle was lost); another code for a failure of the run itself. */
int spx_run_experiment(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                       spx_error *err);

/* Record every query the grid of cfg needs (kind record, or `spex-bench record`): one
 * recording per explicand (docs/recordings.md). Collective over the world of par. Returns
 * SPX_OK, SPX_EORACLE with a count in err when some explicands failed, or another code. */
int spx_run_record(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                   spx_error *err);

/* The stream coordinate of a grid instance (spx_cell_stream of its explicand and scaling
 * point), shared by the drivers so that a recording holds exactly the masks a run asks for:
 * the cell runner draws an instance's test masks and its cells' generators from it
 * (cell_runner.h). */
uint64_t spx_grid_stream(const spx_config *cfg, size_t instance);

/* Print the resolved plan of cfg (explicands, n, methods, budgets, queries per cell and in
 * total) to out; opens the oracle for each instance to learn n (see docs/configuration.md). */
int spx_config_print_plan(const spx_config *cfg, FILE *out, spx_error *err);

#endif
