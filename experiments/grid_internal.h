/* grid_internal.h: the pieces of the experiment grid driver (experiments/grid*.c), shared by
 * its files and by nothing else. docs/parallel.md describes the protocol; docs/architecture.md
 * the path of a cell.
 *
 *   grid.c        run_grid: opening the file, the ranks' roles, the end of the run; the public
 *                 driver spx_run_experiment
 *   grid_coord.c  the coordinator: the task queue, recording answers (the farm's coordinator
 *                 callbacks; src/par/farm.h moves the tasks and answers)
 *   grid_cell.c   a group's tasks: instance setup and cells (the cell runner, cell_runner.h,
 *                 on the group), the farm's group callback
 *   grid_wire.c   the byte messages between groups and the coordinator (pack / unpack; a
 *                 cell's answer is its record, io/cell.h)
 *   grid_file.c   the result file (create or resume)
 *   grid_summary.c the paired summary printed at the end of a run
 *   grid_provenance.c the run's entry in /meta/runs and the dataset descriptions (provenance.h) */
#ifndef SPX_GRID_INTERNAL_H
#define SPX_GRID_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/convert.h"
#include "core/memusage.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/timer.h"
#include "cell_runner.h"
#include "io/cell.h"
#include "io/results.h"
#include "par/farm.h"
#include "pruning.h"
#include "run.h"

#ifndef SPX_VERSION
#define SPX_VERSION "unknown"
#endif

/* A task (the farm's task bytes: a task_msg, then for a cell the instance's ntest test
 * values). The answer of a setup is a setup_hdr and its parts, of a cell its cell_hdr and
 * parts; the coordinator tells them apart by the task they answer. */
enum { TASK_SETUP = 1, TASK_CELL = 2 };
/* Answer (status of a cell, rc of a setup) of a group whose oracle is lost (it could not be
 * reopened after a failure): the task goes back to the queue and the group gets no more. */
enum { ANSWER_RETURNED = -1 };

typedef struct {
  int64_t kind;         /* TASK_SETUP or TASK_CELL */
  int64_t instance;     /* explicand x scaling point (spx_config_instance_*) */
  int64_t method;       /* cell: index into cfg->method */
  int64_t budget_index; /* cell: index into cfg->budget_points (the budget point) */
  int64_t repeat;       /* cell: repeat number */
  int64_t samples;      /* cell: the query count of that budget point at this n */
  int64_t ntest;        /* cell: test values that follow */
} task_msg;

typedef spx_bytes wbuf;
typedef spx_bytes_reader rbuf;

/* A rank's part of the grid: its cell runner (the open oracle, test masks and scorer caches
 * of its last instance). */
typedef struct {
  const spx_config *cfg;
  spx_par *par;
  spx_cell_runner run;
} worker;

/* Setup answer: header, description, labels (NUL-separated), test masks, values, message,
 * then the scorers' arrays of the instance (spx_arrays_pack). A cell answer is the cell's
 * record (spx_cell_pack). */
typedef struct {
  int64_t instance, rc, n, ntest, desc_len, labels_len, msg_len;
} setup_hdr;

/* instance_state: setup not handed out, setup running, set up, setup failed */
enum { INST_PENDING = 0, INST_RUNNING = 1, INST_READY = 2, INST_FAILED = 3 };
/* cell_state */
enum { CELL_TODO = 0, CELL_RUNNING = 1, CELL_FINISHED = 2 };

typedef struct {
  const spx_config *cfg;
  const spx_run_options *opt;
  spx_results *res;
  /* the grid: instances (explicands x scaling points), methods, budget points, repeats; and
   * test masks per instance; cells per instance = nmethods * nbudgets * nrepeats */
  size_t ninstances, nmethods, nbudgets, nrepeats, ntest, per_instance;
  /* per cell, indexed ((i * nmethods + m) * nbudgets + b) * nrepeats + r (grid_cell_id) */
  unsigned char *cell_state; /* CELL_* */
  int *status;
  double *r2, *time_decode;
  uint64_t *queries;
  /* per instance */
  unsigned char *instance_state; /* INST_* */
  double *test_values; /* ninstances x ntest */
  uint64_t *samples;   /* ninstances x nbudgets: the query count of each budget point */
  size_t *next_position; /* first position in order of the instance that may still be todo */
  size_t *order;       /* per_instance cells of an instance, the largest budgets first */
  size_t first_open;   /* first instance that may still have work */
  size_t groups_lost;     /* groups retired because their oracle was lost */
  spx_error first_lost; /* why the first group stopped */
  size_t todo_cells, done_cells, failed;
  size_t nfail_shown;
  char fail_lines[5][SPX_ERRMSG_LEN + 96]; /* the first failed cells, for the summary */
  double started; /* spx_time_now() at the start of the run (progress lines) */
  int fatal;
  spx_error fatal_err;
} coordinator;

/* R² of a record: r2 is the first scorer of the table (scorers/registry.c), slot 0. */
static inline double grid_record_r2(const spx_cell_result *c) {
  return c->nscores ? c->scores[0] : NAN;
}

/* ---- grid_wire.c: messages */
void *grid_rdup(rbuf *b, size_t n);
char *grid_rstr(rbuf *b, size_t n);
void grid_setup_failure(wbuf *out, size_t instance, const spx_error *e);
void grid_setup_answer(wbuf *out, size_t instance, const spx_oracle *o, const spx_maskset *test,
                       const double *values, const spx_array_list *arrays);
/* The parts of a setup answer (after its setup_hdr h, read from rb): owned copies. */
typedef struct {
  char *desc, *labels;
  const char **label; /* n pointers into labels */
  uint64_t *masks;
  double *values;
  spx_array_list arrays;
} setup_parts;
int grid_setup_parts(rbuf *rb, const setup_hdr *h, setup_parts *p);
void grid_setup_parts_free(setup_parts *p);
void grid_answer_fallback(wbuf *out, const task_msg *t);

/* ---- grid_cell.c: a group's tasks; grid_run_task is the groups' callback of the task farm
 * (src/par/farm.h): a setup or a cell, collectively over the group */
void grid_worker_init(worker *w, const spx_config *cfg, spx_par *par);
void grid_worker_free(worker *w);
void grid_run_task(void *worker, const void *task, size_t task_len, spx_bytes *answer);

/* ---- grid_coord.c: the coordinator */
size_t grid_cell_id(const coordinator *c, size_t i, size_t m, size_t b, size_t r);
void grid_set_fatal(coordinator *c, const spx_error *e);
int grid_coordinator_init(coordinator *c, const spx_config *cfg, const spx_run_options *opt, spx_error *err);
void grid_coordinator_free(coordinator *c);
/* The coordinator's callbacks of the task farm (the coordinator is the farm's coord). */
spx_farm_next grid_next_task(void *coordinator, size_t group, spx_bytes *task);
int grid_on_answer(void *coordinator, size_t group, const void *task, size_t task_len,
                   const void *answer, size_t answer_len);

/* ---- grid_file.c: result file; grid_summary.c: the paired summary */
void grid_now_iso(char *buf, size_t len);
int grid_coordinator_open(coordinator *c, spx_par *par, int *usage, spx_error *err);
void grid_print_summary(const coordinator *c, FILE *out);
/* Budget point b in the words every console line uses: "b=4 (1344 queries)" (spx_b budgets;
 * the query count depends on n: queries = 0 leaves it out, "b=4") or "512 samples". */
void grid_budget_words(const spx_config *cfg, size_t b, size_t queries, char *buf, size_t len);
/* grid_provenance.c: append this run to /meta/runs and describe the datasets (after the file
 * is open); at the end, describe the new datasets and set the entry's end time and exit state. */
int grid_provenance_begin(coordinator *c, spx_par *par, const char *start, spx_error *err);
int grid_provenance_end(coordinator *c, const char *end, spx_error *err);

#endif
