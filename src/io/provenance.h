/* provenance.h: what makes a result file self-describing (issue #12 item 7,
 * docs/results-format.md "Provenance"):
 *
 *   units / description   attributes on every dataset of the file (spx_provenance_describe)
 *   /meta/runs/<k>/       one group per run of the file, appended by each start and each
 *                         --resume and never rewritten (spx_provenance_begin), finished with
 *                         its end time and exit state (spx_provenance_end): the command line,
 *                         ranks, versions of spex-bench and its libraries, the resolved options
 *                         of the oracle and every method, and a SHA-256 of each input file.
 *
 * The writer of the file is results.c; this module adds to an open spx_results through the
 * io-internal accessors (results_internal.h). The grid calls it (experiments/grid_provenance.c
 * gathers what it writes). */
#ifndef SPX_PROVENANCE_H
#define SPX_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "io/results.h"

typedef struct spx_provenance_input {
  const char *option; /* the option naming it, e.g. "oracle.texts_csv" */
  const char *path;   /* the file (as the oracle opens it) */
  const char *origin; /* "given" (an option's value names it) or "default" (the oracle's
                       * built-in file, the option not given); NULL: not recorded */
} spx_provenance_input;

/* "major.minor.release" of the HDF5 library linked (what versions/hdf5 records). */
void spx_provenance_hdf5_version(char *buf, size_t size);

typedef struct spx_provenance_run {
  const char *start_time;        /* UTC ISO 8601 */
  const char *command_line;      /* shell-quoted argv of the process */
  const char *working_directory; /* may be NULL */
  const char *host;              /* may be NULL */
  int ranks, group_size;
  /* name/value pairs written under versions/ (the HDF5 library's is added here) */
  size_t nversions;
  const char *const *version_names, *const *version_values;
  /* name/text pairs written under options/: "oracle", "method.<label>" -> resolved TOML lines */
  size_t noptions;
  const char *const *option_names, *const *option_texts;
  /* input files hashed into inputs/<j> */
  size_t ninputs;
  const spx_provenance_input *inputs;
} spx_provenance_run;

/* Append /meta/runs/<k> (k = the number of earlier entries) with exit_state "running" and
 * end_time ""; *index = k. An input file that cannot be read is recorded with its error
 * instead of a hash (not a failure of the run). */
int spx_provenance_begin(spx_results *res, const spx_provenance_run *run, size_t *index,
                         spx_error *err);
/* Set end_time and exit_state of the last entry (this run's; its other attributes stay). */
int spx_provenance_end(spx_results *res, const char *end_time, const char *exit_state,
                       spx_error *err);
/* Add units and description to every dataset of the file that has none yet. */
int spx_provenance_describe(spx_results *res, spx_error *err);

/* SHA-256 of a byte string / of a file, as 64 lowercase hex digits. */
void spx_sha256(const void *data, size_t len, char hex[65]);
int spx_sha256_file(const char *path, char hex[65], uint64_t *size, spx_error *err);

#endif
