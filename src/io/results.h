/* results.h: the HDF5 result file of an experiment (DESIGN §5, docs/results-format.md).
 *
 *   /config                       resolved configuration (TOML text)
 *   /meta                         attributes: version, git_commit, ranks, group_size,
 *                                 start_time, end_time, runs
 *   /budget                       budget points (b values or sample counts), attr mode
 *   /explicands/<i>/              one group per instance: attrs n, explicand, description;
 *                                 labels, test_masks [N, W] uint64, test_values [N],
 *                                 budget [B] (queries per budget point)
 *   /results/<label>/             attrs method, label; r2, time_decode, time_oracle,
 *                                 peak_rss_mib (float64), queries (uint64), status (enum
 *                                 int8), message (string), and for recovery and scaling
 *                                 coef_error, precision, recall, kendall_tau — each [I, B, R]
 *   /results/<label>/transform/<i>/<b>/<r>/  offsets [T+1] uint64, indices uint32,
 *                                 coefficients float64; attrs basis, n
 *   pruning (optional, [pruning] of the components oracle):
 *   /pruning                      fractions [F] float64; attrs rank_by, random_orders
 *   /explicands/<i>/pruning_kept [F] uint64, pruning_full (scalar), pruning_random [P, F]
 *   /results/<label>/pruning_accuracy [I, B, R, F] float64, transform/.../pruning_order [n]
 *   feature images (optional, oracles whose features are images):
 *   /explicands/<i>/feature_images [n, h, w], explicand_image [h, w] float64 in [0, 1]
 *
 * Written by one rank only (world rank 0) through the serial HDF5 API; spx_results_flush
 * after every finished cell makes an interrupted run lose nothing. */
#ifndef SPX_RESULTS_H
#define SPX_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct spx_results spx_results;

enum {
  SPX_CELL_PENDING = 0,
  SPX_CELL_OK = 1,
  SPX_CELL_SKIPPED = 2,
  SPX_CELL_FAILED = 3
};

typedef struct spx_results_layout {
  const char *config;  /* resolved configuration text */
  size_t instances, budgets, repeats;
  size_t nmethods;
  const char *const *labels;  /* per method: group name under /results */
  const char *const *methods; /* per method: registered name */
  int budget_spex_b;          /* 1: points are spx_b values, 0: sample counts */
  const long long *budget_points;
  int recovery; /* 1: add the recovery datasets */
  /* Pruning ([pruning]): nprune > 0 adds /pruning and the pruning datasets. */
  size_t nprune;
  const double *prune_fractions; /* nprune, ascending */
  const char *prune_rank_by;
  size_t prune_random; /* random orders per instance */
} spx_results_layout;

/* Create a new file (an existing file is an error: the driver checks first). */
int spx_results_create(const char *path, const spx_results_layout *layout, spx_results **out,
                       spx_error *err);
/* Open an existing file to resume it: its /config must equal layout->config. */
int spx_results_open(const char *path, const spx_results_layout *layout, spx_results **out,
                     spx_error *err);
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
  /* Pruning references (layout nprune > 0): kept components per fraction, the full model's
   * accuracy and the accuracy of each random order [prune_random x nprune]. */
  const uint64_t *prune_kept;
  double prune_full;
  const double *prune_random;
  /* Feature images (NULL: none): n images of image_h x image_w pixels, and the explicand's
   * own image (may be NULL). */
  size_t image_h, image_w;
  const double *feature_images;
  const double *explicand_image;
} spx_instance_data;

int spx_results_write_instance(spx_results *res, size_t instance, const spx_instance_data *d,
                               spx_error *err);
/* 1 if /explicands/<instance> is complete (written by spx_results_write_instance). */
int spx_results_has_instance(spx_results *res, size_t instance);
/* Read back n and the test values (values has room for test_count). */
int spx_results_read_instance(spx_results *res, size_t instance, size_t *n, double *values,
                              size_t test_count, spx_error *err);

typedef struct spx_cell_result {
  int status; /* SPX_CELL_* */
  const char *message;
  double r2, time_decode, time_oracle;
  double peak_rss_mib; /* peak resident memory of the cell's leader rank (memusage.h) */
  double coef_error, precision, recall, kendall_tau; /* recovery and scaling only */
  uint64_t queries;
  /* The transform (status ok): nterms interactions, offsets[nterms + 1] into indices. */
  int has_transform;
  int basis; /* spx_basis */
  uint32_t n;
  size_t nterms;
  const uint64_t *offsets;
  const uint32_t *indices;
  const double *coefficients;
  /* Pruning (layout nprune > 0, status ok): accuracy per fraction and the ranking (n). */
  const double *prune_accuracy;
  const uint32_t *prune_order;
} spx_cell_result;

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
