/* scorer.h: what a grid cell measures, as a table of scorers (docs/architecture.md "Scorers").
 *
 * A scorer owns its result datasets (name, units, description: float64 columns of the cell
 * datasets [I, B, R] or [I, B, R, width]), the arrays it stores per instance (made once at the
 * instance's setup, e.g. the pruning references) and per transform (e.g. the pruning order),
 * and its lines of the end-of-run summary. The cell runner (experiments/cell.c) calls every
 * enabled scorer of the table on every ok cell. Adding a scorer = one file here with one
 * const spx_scorer plus one line in registry.c.
 *
 * Every hook may be NULL. Hooks run on the group leader with the oracle open; `eval` evaluates
 * masks through the whole group (the other ranks serve until the cell is answered). */
#ifndef SPX_SCORER_H
#define SPX_SCORER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "core/mask.h"
#include "core/transform.h"
#include "io/cell.h"
#include "io/results.h"
#include "methods/method.h"
#include "oracle/oracle.h"

/* What a scorer sees of the instance and the cell. */
typedef struct spx_score_ctx {
  const spx_config *cfg;
  size_t instance;          /* grid instance (spx_config_instance_*) */
  uint64_t stream;          /* the instance's stream coordinate (spx_grid_stream_instance) */
  spx_oracle *oracle;       /* open on the instance */
  spx_eval_fn eval;         /* evaluate masks (through the group) */
  void *eval_ctx;
  const spx_method_config *method; /* the cell's method, configured (cells only) */
  const spx_maskset *test;  /* the held-out test masks (cells only) */
  const double *test_values;
  void **cache;             /* this scorer's per-instance cache on this rank (or NULL) */
} spx_score_ctx;

/* A column of the end-of-run paired summary (experiments/grid_summary.c): the mean (and s.e.
 * when se) of a float64 [I, B, R] dataset over the row's cells; digits = decimals with se,
 * significant digits without. */
typedef struct spx_summary_column {
  const char *header, *dataset;
  int se, digits;
} spx_summary_column;

typedef struct spx_scorer {
  const char *name;
  const char *summary; /* one line for docs and --help */
  /* 1 when the scorer runs with this configuration (NULL: always). */
  int (*enabled)(const spx_config *cfg);
  /* Its float64 cell columns: writes up to cap of them to out (out may be NULL) and returns
   * how many it has with this configuration. */
  size_t (*columns)(const spx_config *cfg, spx_score_dataset *out, size_t cap);
  /* The file's root data of the scorer (the /pruning group): fills its fields of L. */
  void (*layout)(const spx_config *cfg, spx_results_layout *L);
  /* Setup of an instance (oracle open, group serving): arrays for /explicands/<i>/. */
  int (*setup)(const spx_score_ctx *ctx, spx_array_list *out, spx_error *err);
  /* Score an ok cell: its slots (NaN on entry, its columns' slots in order) and arrays kept
   * with the transform (into `arrays`). A failure fails the cell. */
  int (*score)(const spx_score_ctx *ctx, const spx_transform *tr, double *slots,
               spx_array_list *arrays, spx_error *err);
  /* Free the per-instance cache (*cache != NULL). */
  void (*cache_free)(void *cache);
  /* Its columns of the paired summary (terminated by a NULL header; NULL: none). */
  const spx_summary_column *summary_columns;
  /* End-of-run lines of the summary, read back from the result file (which holds every cell
   * of this and earlier runs); printed after the R2 table. */
  void (*print)(const spx_config *cfg, spx_results *res, FILE *out);
} spx_scorer;

/* The registry: NULL-terminated, in the order of the record's slots (registry.c). */
const spx_scorer *const *spx_scorers(void);

/* The enabled scorers' columns for a configuration: *out (malloc'd, caller frees) and their
 * count; with offsets[k] (malloc'd, may be NULL) = first slot of scorer k of spx_scorers()
 * (its columns' slots follow). Returns SPX_OK or SPX_ENOMEM. */
int spx_score_columns(const spx_config *cfg, spx_score_dataset **out, size_t *count,
                      size_t *nslots, spx_error *err);

/* Offset of column `name` in a record's slots (or (size_t)-1). */
size_t spx_score_slot_of(const spx_config *cfg, const char *name);

/* Per-rank per-instance caches of the scorers (a worker holds one). */
typedef struct spx_score_caches {
  size_t instance;
  int valid;
  void *cache[16];
} spx_score_caches;
void spx_score_caches_reset(spx_score_caches *c, size_t instance);

/* Run the enabled scorers' setup / score hooks (ctx->cache set per scorer from caches). */
int spx_score_setup(spx_score_ctx *ctx, spx_score_caches *caches, spx_array_list *out,
                    spx_error *err);
int spx_score_cell(spx_score_ctx *ctx, spx_score_caches *caches, const spx_transform *tr,
                   double *slots, size_t nslots, spx_array_list *arrays, spx_error *err);
/* Fill the root-level layout fields of the enabled scorers. */
void spx_score_layout(const spx_config *cfg, spx_results_layout *L);
/* The enabled scorers' summary columns: up to cap into out; returns how many there are. */
size_t spx_score_summary_columns(const spx_config *cfg, spx_summary_column *out, size_t cap);
/* The enabled scorers' summary lines. */
void spx_score_summaries(const spx_config *cfg, spx_results *res, FILE *out);

#endif
