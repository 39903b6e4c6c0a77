/* results.h: the HDF5 result file of an experiment (DESIGN §5, docs/results-format.md).
 *
 *   /config                       resolved configuration (TOML text)
 *   /meta                         attributes: version, git_commit, ranks, group_size,
 *                                 start_time, end_time, runs
 *   /budget                       budget points (b values or sample counts), attr mode
 *   /explicands/<i>/              one group per instance: attrs n, explicand, description;
 *                                 labels, test_masks [N, W] uint64, test_values [N],
 *                                 budget [B] (queries per budget point), and the arrays the
 *                                 scorers made at the instance's setup (spx_instance_data)
 *   /results/<label>/             attrs method, label; time_decode, time_oracle,
 *                                 peak_rss_mib (float64), queries (uint64), status (enum
 *                                 int8), message (string), each [I, B, R]; and one float64
 *                                 dataset per scorer column (layout `scores`: r2 always;
 *                                 coef_error, precision, recall, kendall_tau in recovery and
 *                                 scaling; pruning_accuracy [I, B, R, F]; ...), NaN-filled
 *   /results/<label>/transform/<i>/<b>/<r>/  offsets [T+1] uint64, indices uint32,
 *                                 coefficients float64; attrs basis, n; and the cell's arrays
 *                                 (spx_cell_result.arrays, e.g. pruning_order [n])
 *   pruning (optional, [pruning] of the components oracle):
 *   /pruning                      fractions [F] float64; attrs rank_by, random_orders
 *
 * The scorers (experiments/scorers/) decide which columns and arrays there are; this file
 * writes them as they are declared. Written by one rank only (world rank 0) through the
 * serial HDF5 API; spx_results_flush after every finished cell makes an interrupted run lose
 * nothing. Every explicand and cell is first appended to the file's journal (PATH.journal,
 * journal.h, results_journal.c), from which spx_results_open rebuilds a file that a failed
 * write left damaged; the journal is removed when the file is closed cleanly. */
#ifndef SPX_RESULTS_H
#define SPX_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "cell.h"

typedef struct spx_results spx_results;

enum {
  SPX_CELL_PENDING = 0,
  SPX_CELL_OK = 1,
  SPX_CELL_SKIPPED = 2,
  SPX_CELL_FAILED = 3
};

typedef struct spx_score_dataset {
  const char *name, *units, *description;
  size_t width; /* 0: one value per cell; w > 0: w values per cell */
} spx_score_dataset;

/* Slots a column takes in a record (max(1, width)), and all of them. */
size_t spx_score_slots(const spx_score_dataset *d);
size_t spx_score_slots_all(const spx_score_dataset *d, size_t count);

typedef struct spx_results_layout {
  const char *config;  /* resolved configuration text */
  size_t instances, budgets, repeats;
  size_t nmethods;
  const char *const *labels;  /* per method: group name under /results */
  const char *const *methods; /* per method: registered name */
  int budget_spex_b;          /* 1: points are spx_b values, 0: sample counts */
  const long long *budget_points;
  /* The scorers' float64 cell columns: one dataset each, [I, B, R] (width 0) or
   * [I, B, R, width]; a cell's record has one slot per column entry, in this order. */
  size_t nscores;
  const spx_score_dataset *scores;
  /* Pruning ([pruning]): nprune > 0 adds the /pruning group. */
  size_t nprune;
  const double *prune_fractions; /* nprune, ascending */
  const char *prune_rank_by;
  size_t prune_random; /* random orders per instance */
  /* 1: write the units and description of the scorers' datasets and arrays as attributes.
   * Off by default: files stay bit-identical with those of earlier versions (h5diff counts an
   * extra attribute as a difference); the metadata work of issue #12 turns it on. */
  int describe;
} spx_results_layout;

/* Create a new file (an existing file is an error: the driver checks first). */
int spx_results_create(const char *path, const spx_results_layout *layout, spx_results **out,
                       spx_error *err);
/* Open an existing file to resume it: its /config must equal layout->config. */
int spx_results_open(const char *path, const spx_results_layout *layout, spx_results **out,
                     spx_error *err);
/* What the open did that the user should be told (a damaged file rebuilt from its journal:
 * results_journal.c), or NULL. */
const char *spx_results_note(const spx_results *res);
/* Close; a file closed cleanly loses its journal (PATH.journal), which stays after a failure. */
void spx_results_close(spx_results **res);

typedef struct spx_results_meta {
  const char *version, *git_commit, *start_time, *end_time; /* end_time may be NULL */
  int ranks, group_size;
} spx_results_meta;

/* (Re)write the /meta attributes; runs counts the create/open calls. */
int spx_results_write_meta(spx_results *res, const spx_results_meta *meta, spx_error *err);

typedef struct spx_instance_data {
  size_t n, explicand;
  const char *description;    /* may be NULL */
  const char *const *labels;  /* n feature labels */
  size_t test_count;          /* test masks */
  const uint64_t *test_masks; /* test_count x ceil(n/64) */
  const double *test_values;
  const uint64_t *budget;     /* queries per budget point */
  /* The scorers' arrays of the instance (pruning references, feature images, ...), written
   * into /explicands/<i>/ as they are (may be NULL). */
  const spx_array_list *arrays;
} spx_instance_data;

int spx_results_write_instance(spx_results *res, size_t instance, const spx_instance_data *d,
                               spx_error *err);
/* 1 if /explicands/<instance> is complete (written by spx_results_write_instance). */
int spx_results_has_instance(spx_results *res, size_t instance);
/* Read back n and the test values (values has room for test_count). */
int spx_results_read_instance(spx_results *res, size_t instance, size_t *n, double *values,
                              size_t test_count, spx_error *err);

/* A cell (its record: cell.h). Writes every column slot (NaN where not scored), the
 * transform and its arrays when has_transform, and the status last. */
int spx_results_write_cell(spx_results *res, size_t method, size_t instance, size_t budget,
                           size_t repeat, const spx_cell_result *cell, spx_error *err);

/* Per-method arrays of I*B*R entries (row-major [instance][budget][repeat]); any may be NULL. */
int spx_results_read_cells(spx_results *res, size_t method, int *status, double *r2,
                           double *time_decode, uint64_t *queries, spx_error *err);

/* Any float64 [I, B, R] cell dataset of a method by name (r2, time_decode, coef_error, ...),
 * row-major into out (I*B*R doubles); SPX_EINVAL when the group has no such dataset. */
int spx_results_read_doubles(spx_results *res, size_t method, const char *dataset, double *out,
                             spx_error *err);

/* Pruning: accuracy [I*B*R*F] of a method (row-major), and the references of an instance
 * (full: scalar, random: prune_random x F). NaN where not written. */
int spx_results_read_pruning(spx_results *res, size_t method, double *acc, spx_error *err);
int spx_results_read_pruning_instance(spx_results *res, size_t instance, double *full,
                                      double *random, spx_error *err);

int spx_results_flush(spx_results *res, spx_error *err);

#endif
