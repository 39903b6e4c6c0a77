/* journal.h: the cell journal of a result file (issue #14, docs/results-format.md "Journal").
 *
 * An append-only sidecar file next to the result file ("<output>.journal"): a header, a
 * configuration record (the resolved configuration the result file was made with), then one
 * record per set-up explicand and per finished cell, each written and synced (fdatasync)
 * BEFORE the result file is touched for it. So whatever write of the HDF5 file fails (also in
 * the middle of one of HDF5's metadata flushes, which can leave the file unreadable), every
 * cell finished before is in the journal, and `--resume` can rebuild the file from it
 * (results.c). The journal is removed when its result file is closed cleanly.
 *
 * Form (integers little-endian): the 8 bytes "SPXJRNL1", then records
 *     u32 type | u32 0 | u64 length | length bytes of payload | u64 FNV-1a 64 of the 16 header
 *     bytes and the payload
 * A record whose checksum does not match or that runs past the end of the file is a torn
 * write (the process stopped or a write failed in the middle of it): it and everything after
 * it are dropped (cut off when the journal is opened for appending). The payload of the first
 * record (SPX_JOURNAL_CONFIG) is a u32 flag (1: the journal holds everything the result file
 * holds: it was made with the file) and the configuration text; a journal made for an
 * existing file gets the flag only through a later SPX_JOURNAL_COMPLETE record, written once
 * the file's content was copied into it. Only that "complete" journal can rebuild a file.
 *
 * The payloads of the other records are results.c's (the explicand and cell codecs). */
#ifndef SPX_JOURNAL_H
#define SPX_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct spx_journal spx_journal;

enum {
  SPX_JOURNAL_CONFIG = 1,   /* u32 complete flag + the configuration text */
  SPX_JOURNAL_INSTANCE = 2, /* a set-up explicand */
  SPX_JOURNAL_CELL = 3,     /* a finished cell */
  SPX_JOURNAL_COMPLETE = 4  /* the records before hold the whole result file (no payload) */
};

/* "<output>.journal" (malloc'd; NULL when out of memory). */
char *spx_journal_path(const char *output);

/* Create a new journal at path (replacing a file there) for configuration config, with the
 * complete flag given, locked (an OFD lock) while open. */
int spx_journal_create(const char *path, const char *config, int complete, spx_journal **out,
                       spx_error *err);

/* What spx_journal_open found. */
typedef struct spx_journal_info {
  size_t records;      /* valid records after the configuration record */
  uint64_t dropped;    /* bytes of a torn last record (or garbage) cut off */
  int complete;        /* the complete flag, or a SPX_JOURNAL_COMPLETE record */
  int same_config;     /* its configuration is config */
} spx_journal_info;

/* Called for every valid record after the configuration record, in order; a non-zero return
 * stops the reading and is returned by spx_journal_open. */
typedef int (*spx_journal_fn)(void *ctx, int type, const unsigned char *payload, size_t len,
                              spx_error *err);

/* Open the journal at path: lock it (refused, by name, when another process holds it), read
 * its records (fn may be NULL) and fill info. With out != NULL it stays open for appending:
 * a torn tail is cut off first. SPX_EINVAL when it is not a journal (info->same_config 0)
 * or was made for another configuration. */
int spx_journal_open(const char *path, const char *config, spx_journal_fn fn, void *ctx,
                     spx_journal **out, spx_journal_info *info, spx_error *err);

/* Append a record and sync it to the disk; on failure the journal is cut back to its last
 * good record, and the error (SPX_EIO) names the journal and the system's reason (errno in
 * *sys_errno when given). */
int spx_journal_append(spx_journal *j, int type, const void *payload, size_t len, int *sys_errno,
                       spx_error *err);

/* Give the journal another name (same directory: rename(2), replacing a file there). */
int spx_journal_rename(spx_journal *j, const char *path, spx_error *err);
const char *spx_journal_name(const spx_journal *j);

/* Close (the file stays); with remove, delete it first. */
void spx_journal_close(spx_journal **j, int remove);

#endif
