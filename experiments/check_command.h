/* check_command.h: `spex-bench check` looks for the program a model's shell command starts.
 *
 * The process oracle (and the oracles built on it) start `command` through /bin/sh -c only at
 * the first batch, so a mistyped program used to pass `check` and fail every cell of the run.
 * Without starting anything, check reads the command as sh would up to its program: leading
 * VAR=value assignments are skipped (and `exec`), a program with a '/' must be an executable
 * file, any other must be a shell builtin or keyword or an executable file on PATH. When the
 * program is an interpreter (python, python3, python3.N, node, nodejs, Rscript, sh, bash,
 * dash), its first argument that is not an option is the script: when it looks like a path
 * (has a '/' or a script suffix: .py .js .mjs .cjs .R .r .sh .bash) it must exist. Whatever
 * cannot be decided without running the shell (a word with $, `, a glob, a redirection or an
 * operator before the program, a PATH= assignment, -c/-m/-e code) is accepted. */
#ifndef SPX_CHECK_COMMAND_H
#define SPX_CHECK_COMMAND_H

#include <stddef.h>

#include "config/config.h"

/* 1 and a reason in why[0..len) ("the program 'pythn3' is not on PATH ...") when command
 * (with "{e}" already replaced) cannot start; 0 when it can or when that cannot be known. */
int spx_command_problem(const char *command, char *why, size_t len);

/* For every explicand of cfg whose oracle options hold a string `command`: its problem as
 * "WHERE: oracle.command: REASON" (SPX_EINVAL), else SPX_OK. Starts no process. */
int spx_check_commands(const spx_config *cfg, spx_error *err);

#endif
