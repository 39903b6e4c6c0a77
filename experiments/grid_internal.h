/* grid_internal.h: the pieces of the experiment grid driver (experiments/grid*.c), shared by
 * its files and by nothing else. docs/parallel.md describes the protocol; docs/architecture.md
 * the path of a cell.
 *
 *   grid.c        run_grid: opening the file, the ranks' roles, the end of the run; the public
 *                 driver spx_run_experiment
 *   grid_coord.c  the coordinator: the task queue, recording answers, serving the groups
 *   grid_cell.c   the cell runner on a group: instance setup and cell tasks (open -> method ->
 *                 score), the workers' loop
 *   grid_wire.c   the byte messages between groups and the coordinator (pack / unpack)
 *   grid_file.c   the result file (create or resume) and the pruning table
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
#include "io/results.h"
#include "pruning.h"
#include "run.h"

#ifndef SPX_VERSION
#define SPX_VERSION "unknown"
#endif
#ifndef SPX_GIT_COMMIT
#define SPX_GIT_COMMIT "unknown"
#endif

enum { TAG_REQUEST = 11, TAG_TASK = 12, TAG_SETUP_DONE = 13, TAG_CELL_DONE = 14 };
enum { TASK_STOP = 0, TASK_SETUP = 1, TASK_CELL = 2 };
/* Answer (status of a cell, rc of a setup) of a group whose oracle is lost (it could not be
 * reopened after a failure): the task goes back to the queue and the group gets no more. */
enum { ANSWER_RETURNED = -1 };

typedef struct {
  int64_t kind, instance, method, budget, repeat, samples, ntest;
} task_msg;

typedef spx_bytes wbuf;
typedef spx_bytes_reader rbuf;

typedef struct {
  const spx_config *cfg;
  spx_par *par;
  spx_oracle *oracle; /* cached for oracle_instance */
  size_t oracle_instance;
  spx_maskset *test; /* cached test masks of test_instance (leader) */
  size_t test_instance;
} worker;

/* Setup answer: header, description, labels (NUL-separated), test masks, values, message,
 * then the pruning references (prune_len doubles) and the feature images (n images of
 * img_h x img_w, and one more for the explicand when img_expl). */
typedef struct {
  int64_t instance, rc, n, ntest, desc_len, labels_len, msg_len;
  int64_t prune_len, img_h, img_w, img_expl;
} setup_hdr;

/* Cell answer: header, four doubles, transform arrays, message. */
typedef struct {
  int64_t method, instance, budget, repeat, status, queries, basis, n, nterms, nindices, msg_len;
  double r2, time_decode, time_oracle, coef_error, precision, recall, kendall_tau;
  double peak_rss_mib;
} cell_hdr;

enum { INST_PENDING = 0, INST_RUNNING = 1, INST_READY = 2, INST_FAILED = 3 };

typedef struct {
  const spx_config *cfg;
  const spx_run_options *opt;
  spx_results *res;
  /* the grid: instances (explicands x scaling points), methods, budget points, repeats; and
   * test masks per instance; cells per instance = nmethods * nbudgets * nrepeats */
  size_t ninstances, nmethods, nbudgets, nrepeats, ntest, per_instance;
  /* per cell, indexed ((i * nmethods + m) * nbudgets + b) * nrepeats + r (grid_cell_id) */
  unsigned char *cell_state; /* 0 todo, 1 running, 2 finished */
  int *status;
  double *r2, *tdec;
  uint64_t *queries;
  /* per instance */
  unsigned char *inst;
  double *test_values; /* ninstances x ntest */
  uint64_t *budget;    /* ninstances x nbudgets: the sample count of each budget point */
  size_t *next;        /* first position in order of the instance that may still be todo */
  size_t *order;       /* per_instance cells of an instance, the largest budgets first */
  size_t scan;         /* first instance that may still have work */
  unsigned char *waiting; /* per group: its leader waits for a task */
  unsigned char *retired; /* per group: its oracle is lost, it gets no more tasks */
  size_t groups_lost;
  spx_error first_lost; /* why the first group stopped */
  size_t todo_cells, done_cells, failed;
  size_t nfail_shown;
  char fail_lines[5][SPX_ERRMSG_LEN + 96]; /* the first failed cells, for the summary */
  double t0;
  int fatal;
  spx_error fatal_err;
} coordinator;

/* ---- grid_wire.c: messages */
void *grid_rdup(rbuf *b, size_t n);
char *grid_rstr(rbuf *b, size_t n);
void grid_setup_failure(wbuf *out, size_t instance, const spx_error *e);
void grid_cell_answer(wbuf *out, cell_hdr *h, const char *msg, const spx_transform *t);
void grid_cell_answer_pruning(wbuf *out, const double *acc, size_t F, const uint32_t *order, size_t n);
void grid_answer_fallback(wbuf *out, const task_msg *t);

/* ---- grid_cell.c: the cell runner */
int grid_group_task(worker *w, const void *buf, size_t len, wbuf *out, int *tag);
void grid_run_worker(worker *w);

/* ---- grid_coord.c: the coordinator */
size_t grid_cell_id(const coordinator *c, size_t i, size_t m, size_t b, size_t r);
void grid_set_fatal(coordinator *c, const spx_error *e);
int grid_coordinator_init(coordinator *c, const spx_config *cfg, const spx_run_options *opt, size_t ngroups, spx_error *err);
void grid_coordinator_free(coordinator *c);
void grid_run_rank0(coordinator *c, worker *w, spx_par *par);

/* ---- grid_file.c: result file and pruning table; grid_summary.c: the paired summary */
void grid_now_iso(char *buf, size_t len);
int grid_coordinator_open(coordinator *c, spx_par *par, int *usage, spx_error *err);
void grid_print_summary(const coordinator *c, FILE *out);
/* grid_provenance.c: append this run to /meta/runs and describe the datasets (after the file
 * is open); at the end, describe the new datasets and set the entry's end time and exit state. */
int grid_provenance_begin(coordinator *c, spx_par *par, const char *start, spx_error *err);
int grid_provenance_end(coordinator *c, const char *end, spx_error *err);
void grid_print_pruning(const coordinator *c, FILE *out);

#endif
