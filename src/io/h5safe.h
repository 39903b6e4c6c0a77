/* h5safe.h: the safe-file part of the HDF5 files spex-bench writes (issue #14).
 *
 *   spx_h5_guard        quiet HDF5 calls: no HDF5-DIAG dump on stderr, the reason of the
 *                       first failure (the system's message, "locked", "truncated") kept
 *   spx_h5_create_temp  create a new file under a temporary name in the directory of path
 *                       (".<name>.tmp-<pid>-<nonce>"), with distinct messages for a missing
 *                       directory, a read-only file system, a too-long path, no permission
 *   spx_h5_publish      rename the temporary file to path once it is complete, never
 *                       replacing a file that appeared meanwhile
 *   spx_h5_check_existing  before opening a file for --resume: a regular, non-empty HDF5
 *                       file that no other process holds locked, or a message naming which
 *   spx_h5_reserve      back the next bytes after the file's end of allocation with disk
 *                       blocks (fallocate, KEEP_SIZE) before writing: a full disk is then
 *                       found before HDF5 writes anything, and the file stays as it was
 *                       at the last flush instead of half-written
 *   spx_h5_detach       after a failed write: point the file's descriptor at an anonymous
 *                       memory file, so that H5Fclose (and HDF5's own clean-up at
 *                       MPI_Finalize) succeed without touching the damaged disk file
 *   spx_h5_close        flush and close; on failure detach and close (never crashes at exit)
 */
#ifndef SPX_H5SAFE_H
#define SPX_H5SAFE_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "core/error.h"

typedef struct spx_h5_guard {
  H5E_auto2_t fn; /* the handler in place before */
  void *data;
  char reason[160]; /* first failure's system message, or "" */
  int locked;       /* a failure was HDF5 being unable to lock the file */
  int truncated;    /* a failure was a truncated file (end of file before end of data) */
} spx_h5_guard;

void spx_h5_guard_begin(spx_h5_guard *g);
void spx_h5_guard_end(spx_h5_guard *g);

int spx_h5_create_temp(const char *path, char **tmp_path, hid_t *file, spx_error *err);
int spx_h5_publish(const char *tmp_path, const char *path, spx_error *err);
/* *not_hdf5 (may be NULL) is set when the file is refused for not starting like an HDF5 file. */
int spx_h5_check_existing(const char *path, int *not_hdf5, spx_error *err);
/* Hold a write lock of our own (an OFD lock, which HDF5_USE_FILE_LOCKING=FALSE does not turn
 * off) on path while *fd is open: a second run on the same file is refused by name. */
int spx_h5_lock(const char *path, int *fd, spx_error *err);

/* 0, or an errno (ENOSPC): bytes could not be reserved. */
int spx_h5_reserve(hid_t file, uint64_t bytes);
/* Free bytes on the file system holding path (UINT64_MAX if unknown). */
uint64_t spx_h5_free_bytes(const char *path);
void spx_h5_detach(hid_t file);
/* Write (or replace) the 64-bit integer attribute name of loc; 0, or -1 on failure. */
int spx_h5_attr_i64(hid_t loc, const char *name, long long value);
/* 0, or -1 when the file could not be closed cleanly (it was detached and closed). */
int spx_h5_close(hid_t file);

#endif
