/* cell.h: the record of one grid cell, in one form from the cell runner to the result file
 * (docs/architecture.md "The path of one cell"), and its one codec.
 *
 * A cell (instance, method, budget point, repeat) ends as a spx_cell_result: its status, the
 * method's query count and times, the transform as CSR arrays (core/transform.h), the values of
 * the run's scorers (`scores`, one slot per float64 column the scorers declared, in their
 * order; NaN where not scored) and arrays a scorer keeps with the transform (the pruning
 * order). The group leader packs it into bytes (spx_cell_pack), the coordinator unpacks it
 * (spx_cell_unpack) and results.c writes it as it is. spx_cell_init is the only place a record
 * gets its NaNs.
 *
 * spx_array is a named numeric array of rank 0..3 (the instance data of a scorer, such as
 * pruning references and feature images, and the per-transform arrays of a cell), with its
 * units and description for the result file; it has a codec too (spx_arrays_pack/unpack). */
#ifndef SPX_CELL_H
#define SPX_CELL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/transform.h"

typedef enum { SPX_ARRAY_F64 = 0, SPX_ARRAY_U64 = 1, SPX_ARRAY_U32 = 2 } spx_array_type;

typedef struct spx_array {
  char name[48];
  const char *units, *description; /* static strings (NULL: none); not sent over the wire */
  spx_array_type type;
  int rank;          /* 0 (scalar) .. 3 */
  uint64_t dims[3];
  void *data;        /* owned: prod(dims) elements of type */
} spx_array;

/* Element size and element count of a. */
size_t spx_array_esize(spx_array_type type);
size_t spx_array_count(const spx_array *a);
/* Fill a with a fresh zeroed array (returns SPX_ENOMEM on failure). */
int spx_array_alloc(spx_array *a, const char *name, const char *units, const char *description,
                    spx_array_type type, int rank, const uint64_t *dims, spx_error *err);

/* A growable list of arrays (owned). */
typedef struct spx_array_list {
  spx_array *a;
  size_t count, cap;
} spx_array_list;

/* Append a new zeroed array and return it (NULL and err set on failure). */
spx_array *spx_array_list_add(spx_array_list *l, const char *name, const char *units,
                              const char *description, spx_array_type type, int rank,
                              const uint64_t *dims, spx_error *err);
void spx_array_list_free(spx_array_list *l);
void spx_arrays_pack(spx_bytes *out, const spx_array_list *l);
/* Returns SPX_OK, or SPX_EINVAL for malformed bytes / SPX_ENOMEM. */
int spx_arrays_unpack(spx_bytes_reader *in, spx_array_list *l, spx_error *err);

typedef struct spx_cell_result {
  int64_t method, instance, budget_index, repeat; /* the cell's coordinates in the grid */
  int status;       /* SPX_CELL_* (results.h), or a driver's own code (never written) */
  uint64_t queries; /* the method's count of evaluated masks (spx_method_stats.queries) */
  double time_decode, time_oracle; /* seconds (spx_method_stats) */
  double peak_rss_mib;             /* peak resident memory of the cell's leader rank */
  char *message;                   /* owned; NULL when none */
  int has_transform;               /* 1: transform holds the method's result */
  spx_transform_csr transform;     /* owned arrays */
  size_t nscores;
  double *scores;                  /* owned: nscores slots of the run's scorers */
  spx_array_list arrays;           /* kept with the transform (ok cells only) */
} spx_cell_result;

/* The empty record of a cell: status pending, every time and score NaN (nscores slots; the
 * only place a record's NaNs are written). Returns SPX_ENOMEM when the slots cannot be
 * allocated (the record is then usable with nscores = 0). */
int spx_cell_init(spx_cell_result *c, int64_t method, int64_t instance, int64_t budget_index,
                  int64_t repeat, size_t nscores, spx_error *err);
void spx_cell_free(spx_cell_result *c);
/* Replace the message (copied; NULL clears it). */
void spx_cell_set_message(spx_cell_result *c, const char *msg);
/* Store t as the record's transform (CSR). */
int spx_cell_set_transform(spx_cell_result *c, const spx_transform *t, spx_error *err);

/* The record as bytes, appended to out (out->failed on out of memory). */
void spx_cell_pack(spx_bytes *out, const spx_cell_result *c);
/* Read a record packed by spx_cell_pack (c is initialised here; free it with spx_cell_free
 * also on failure). Returns SPX_OK or SPX_EINVAL for malformed bytes, SPX_ENOMEM. */
int spx_cell_unpack(spx_bytes_reader *in, spx_cell_result *c, spx_error *err);

#endif
