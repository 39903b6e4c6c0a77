/* results_internal.h: access to an open result file for the other modules of src/io
 * (provenance.c) that add to it: its HDF5 file, its string type, and the write protocol of
 * results.c (space reserved before a write; a failed write marks the file broken). */
#ifndef SPX_RESULTS_INTERNAL_H
#define SPX_RESULTS_INTERNAL_H

#include <hdf5.h>

#include "io/h5safe.h"
#include "io/results.h"

hid_t spx_results_file_id(spx_results *res);
const char *spx_results_path(spx_results *res);
hid_t spx_results_string_type(spx_results *res); /* variable-length UTF-8 */
/* Before a write of about payload bytes: SPX_OK, or the file is broken / the disk is full. */
int spx_results_before_write(spx_results *res, uint64_t payload, spx_error *err);
/* After a failed write (inside guard g): mark the file broken, return the error. */
int spx_results_write_failed(spx_results *res, spx_error *err, const char *what,
                             const spx_h5_guard *g);

#endif
