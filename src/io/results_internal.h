/* results_internal.h: access to an open result file for the other modules of src/io
 * (provenance.c) that add to it: its HDF5 file, its string type, and the write protocol of
 * results.c (space reserved before a write; a failed write marks the file broken). */
#ifndef SPX_RESULTS_INTERNAL_H
#define SPX_RESULTS_INTERNAL_H

#include <hdf5.h>

#include "io/h5safe.h"
#include "io/journal.h"
#include "io/results.h"

hid_t spx_results_file_id(spx_results *res);
const char *spx_results_path(spx_results *res);
hid_t spx_results_string_type(spx_results *res); /* variable-length UTF-8 */
/* Before a write of about payload bytes: SPX_OK, or the file is broken / the disk is full. */
int spx_results_before_write(spx_results *res, uint64_t payload, spx_error *err);
/* After a failed write (inside guard g): mark the file broken, return the error. */
int spx_results_write_failed(spx_results *res, spx_error *err, const char *what,
                             const spx_h5_guard *g);

/* The open result file (results.c; results_journal.c reads and writes it too). */
struct spx_results {
  hid_t file;
  char *path;
  int lock_fd;       /* holds our lock on the file (h5safe.h), or -1 */
  int broken;        /* a write failed: refuse further writes, detach on close */
  char *broken_msg;  /* the message of that failure */
  size_t instances, budgets, repeats, nmethods;
  char **labels;
  int describe;                  /* write units/description attributes (layout.describe) */
  size_t nscores;                /* score columns */
  spx_score_dataset *scores;     /* copies of the layout's (names owned) */
  size_t nslots;                 /* slots of a record */
  size_t nprune, prune_random; /* fractions and random orders of [pruning] (0: none) */
  hid_t str_type, status_type;
  spx_journal *journal; /* the cell journal (journal.h), or NULL */
  char *note;           /* what the open did that the user should know (a rebuild), or NULL */
};

/* results.c's parts used by results_journal.c. */
int spx_res_build_layout(spx_results *r, const spx_results_layout *L, spx_error *err);
uint64_t spx_res_layout_bytes(const spx_results_layout *L);
int spx_res_write_instance_body(spx_results *res, size_t instance, const spx_instance_data *d,
                                spx_error *err);
int spx_res_write_cell_body(spx_results *res, size_t method, size_t instance, size_t budget,
                            size_t repeat, const spx_cell_result *c, spx_error *err);
int spx_res_attr_str(spx_results *r, hid_t loc, const char *name, const char *value);

/* results_journal.c: the journal of the file (journal.h). */
/* Append the record of an explicand / a cell before it is written to the file (no-op without
 * a journal); a failure marks the file broken with the message saying what is kept. */
int spx_res_journal_instance(spx_results *r, size_t instance, const spx_instance_data *d,
                             spx_error *err);
int spx_res_journal_cell(spx_results *r, size_t method, size_t instance, size_t budget,
                         size_t repeat, const spx_cell_result *c, spx_error *err);
/* A new file: make its journal as tmp_h5's sidecar (before the file is published), and give
 * it the file's name after (spx_res_journal_publish). */
int spx_res_journal_create(spx_results *r, const char *tmp_h5, const char *config,
                           spx_error *err);
int spx_res_journal_publish(spx_results *r, spx_error *err);
/* A file opened for --resume (verified, open for writing): open its journal, or make a new
 * one holding the file's content when there is none or it does not hold the whole file. */
int spx_res_journal_attach(spx_results *r, const char *config, spx_error *err);
/* r's path is a damaged result file: rebuild it from its journal when there is a complete
 * one for L's configuration (the damaged file is kept as PATH.damaged). SPX_OK: rebuilt (r
 * is left without a file); *tried = 0 when there is no journal (err untouched). */
int spx_res_journal_rebuild(spx_results *r, const spx_results_layout *L, int *tried,
                            spx_error *err);

#endif
