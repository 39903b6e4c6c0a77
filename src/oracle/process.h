/* process.h: hooks for oracles built on the `process` oracle (the text oracle, text.c).
 *
 * An oracle that speaks another line protocol over the same pipes opens a `process` oracle
 * (through spx_oracle_open with its option table) as its inner oracle and, before the first
 * evaluation, replaces the header line and the text written per mask. The time-outs, the
 * answer parsing, the error messages and the child's life cycle stay those of process.c. */
#ifndef SPX_ORACLE_PROCESS_H
#define SPX_ORACLE_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

/* The text of one mask's line, without the '\n' (which must not occur in it): *text points
 * to len bytes owned by ctx, valid until the next call. Returns SPX_OK or an error. */
typedef int (*spx_process_row_fn)(void *ctx, const uint64_t *mask, size_t n, const char **text,
                                  size_t *len, spx_error *err);

/* Make the process oracle o (of type "process", not yet evaluated) write header (a whole line
 * with its '\n') instead of "n\n", and each mask as fn's text. ctx must outlive o. */
int spx_process_set_rows(spx_oracle *o, const char *header, spx_process_row_fn fn, void *ctx,
                         spx_error *err);

/* Option rows of the oracles built on this one: timeout (seconds per batch, default 600) and
 * batch (masks per batch, default 4096) as the process oracle declares them. */
extern const spx_option_decl spx_process_timeout_rows[];
extern const spx_option_decl spx_process_limit_rows[];

/* Open a process oracle on command as outer->inner (the text, sentiment and OCR oracles'
 * model): n features, timeout seconds per batch, at most batch masks per batch, explicand of
 * explicands (for "{e}" and SPEX_EXPLICAND); context names it in messages. With fn, the
 * header and rows are fn's (spx_process_set_rows). */
int spx_process_open_inner(spx_oracle *outer, const char *context, const char *command, size_t n,
                           double timeout, long long batch, size_t explicands, size_t explicand,
                           const char *header, spx_process_row_fn fn, void *ctx, spx_error *err);

/* The file a path option names: given (NULL: not given) as written, else a relative one under
 * the source tree; not given: def (under the source tree when def_in_source). *out is a new
 * string; a missing file is SPX_EIO "WHERE: KEY: WHAT not found at ...HINT" naming the places
 * looked at. */
int spx_process_find_file(spx_options *opts, const char *key, const char *given,
                          const char *def, int def_in_source, const char *what,
                          const char *hint, char **out, spx_error *err);
/* For an oracle's inputs hook (oracle.h): the file spx_process_find_file resolves for key with
 * the same given/def/def_in_source, passed to add (is_default = given == NULL); nothing when
 * it is not found (opening the oracle reports that). SPX_ENOMEM when add fails. */
int spx_process_list_file(spx_options *opts, const char *key, const char *given,
                          const char *def, int def_in_source, spx_oracle_input_fn add,
                          void *ctx, spx_error *err);
/* 1 when prog can be run: a path containing '/' must be executable, a bare name is looked up
 * in PATH (as /bin/sh will). */
int spx_process_program_found(const char *prog);
/* command with every "{e}" replaced by the explicand number (a plain decimal integer), as the
 * oracle runs it; malloc'd, NULL when out of memory. */
char *spx_process_command_for(const char *command, size_t explicand);

/* Append s to the command line *cmd (length *len, allocated *cap; grown as needed), after a
 * space unless it is the first word; with quote, in single quotes for /bin/sh. SPX_OK or
 * SPX_ENOMEM. */
int spx_process_sh_append(char **cmd, size_t *len, size_t *cap, const char *s, int quote);

/* Mask i of n as the packed-format line: 16 * ceil(n / 64) lowercase hex digits, the mask's
 * 64-bit words in order, each as its 8 bytes least significant first (bits >= n are 0).
 * out must hold that many bytes; no '\n' or NUL is written. Returns the length. */
size_t spx_process_pack_hex(const uint64_t *mask, size_t n, char *out);

#endif
