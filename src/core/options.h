/* options.h: typed key/value options for oracles and methods.
 *
 * One option table is filled either from a TOML table (values typed, each with its
 * "file:line:column") or from command-line pairs "--key value" (values untyped text, parsed
 * on demand). Oracles and methods read their options through the typed getters below, which
 * produce messages of the form "WHERE: KEY: problem". Every key a component asks for is
 * remembered, so spx_options_check_unused can name an unknown key and list the known ones. */
#ifndef SPX_OPTIONS_H
#define SPX_OPTIONS_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef enum {
  SPX_OPT_TEXT = 0, /* untyped text from the command line */
  SPX_OPT_INT,
  SPX_OPT_FLOAT,
  SPX_OPT_BOOL,
  SPX_OPT_STRING,
  SPX_OPT_ARRAY,
  SPX_OPT_TABLE /* a nested table: its text is not interpreted */
} spx_option_kind;

typedef struct spx_options spx_options;

/* context names the owner in messages, e.g. "oracle synthetic" or "[[method]] #2". */
spx_options *spx_options_create(const char *context);
void spx_options_destroy(spx_options **opts);
spx_options *spx_options_clone(const spx_options *opts);

/* Add (or replace) a scalar. text is the value as written (strings without quotes); where is
 * "file:line:col" or "--key" (may be NULL). */
int spx_options_put(spx_options *opts, const char *key, spx_option_kind kind, const char *text,
                    const char *where, spx_error *err);
/* Add (or replace) an array of scalars. */
int spx_options_put_array(spx_options *opts, const char *key, size_t count,
                          const spx_option_kind *kinds, const char *const *texts,
                          const char *where, spx_error *err);

int spx_options_has(const spx_options *opts, const char *key);
const char *spx_options_context(const spx_options *opts);
size_t spx_options_count(const spx_options *opts);
/* Key, kind, text ("[a, b]" for arrays) and location of option i. */
void spx_options_at(const spx_options *opts, size_t i, const char **key, spx_option_kind *kind,
                    const char **text, const char **where);

/* Typed getters: when the key is absent *out = def and SPX_OK. A present value of the wrong
 * type is SPX_EINVAL with "WHERE: KEY: expected ..., got ...". */
int spx_options_int(spx_options *opts, const char *key, long long def, long long *out,
                    spx_error *err);
int spx_options_double(spx_options *opts, const char *key, double def, double *out,
                       spx_error *err);
int spx_options_bool(spx_options *opts, const char *key, int def, int *out, spx_error *err);
/* *out points into opts (valid until opts changes). */
int spx_options_string(spx_options *opts, const char *key, const char *def, const char **out,
                       spx_error *err);
/* Choose one of the NULL-terminated choices; *out = its position. */
int spx_options_choice(spx_options *opts, const char *key, const char *const *choices, int def,
                       int *out, spx_error *err);
/* Arrays: up to max elements into out, *count = the number read (def_count defaults kept when
 * absent: *count = 0 and out untouched). The command-line form is "a,b,c" or "[a, b, c]". */
int spx_options_double_array(spx_options *opts, const char *key, double *out, size_t max,
                             size_t *count, spx_error *err);
int spx_options_int_array(spx_options *opts, const char *key, long long *out, size_t max,
                          size_t *count, spx_error *err);

/* Array of strings: *out = a new array of *count new strings (caller frees each and the
 * array; *out = NULL and *count = 0 when absent). Typed items must be strings; command-line
 * text "a,b,c" or "[a, b, c]" is split at commas. */
int spx_options_string_array(spx_options *opts, const char *key, char ***out, size_t *count,
                             spx_error *err);

/* Convenience range checks producing the standard message. */
int spx_options_int_range(spx_options *opts, const char *key, long long def, long long lo,
                          long long hi, long long *out, spx_error *err);
int spx_options_double_range(spx_options *opts, const char *key, double def, double lo,
                             double hi, double *out, spx_error *err);

/* Format an error about key: "WHERE: KEY: message". Returns code. */
int spx_options_fail(const spx_options *opts, const char *key, int code, spx_error *err,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* 1 if a getter has read key. */
int spx_options_used(const spx_options *opts, const char *key);
/* Remove key (no-op when absent). */
void spx_options_remove(spx_options *opts, const char *key);

/* Mark a key as known without reading it (for keys handled elsewhere). */
void spx_options_known(spx_options *opts, const char *key);
/* Error for the first key that no getter asked for, listing the known keys. */
int spx_options_check_unused(const spx_options *opts, spx_error *err);


/* ---- declared options ----------------------------------------------------------------------
 *
 * Every key of the driver, an oracle or a method is declared once, as a row of a table:
 * name, type, default, range or choices, help. The getters spx_opt_* below read a declared key
 * with the declared default and range, so the default is written nowhere else; `--help`,
 * `explain`'s routing of --KEY to the oracle or the method, the "unknown key" messages and the
 * resolved options stored in a result file all come from the same rows (IOR's option_help
 * rows and PETSc's SetFromOptions are the models). */

typedef enum {
  SPX_DECL_END = 0,  /* terminates a table */
  SPX_DECL_INT,
  SPX_DECL_FLOAT,
  SPX_DECL_BOOL,
  SPX_DECL_STRING,
  SPX_DECL_CHOICE,   /* a string from choices */
  SPX_DECL_INT_LIST,
  SPX_DECL_FLOAT_LIST,
  SPX_DECL_STRING_LIST,
  SPX_DECL_ANY,      /* read by the component's own code (e.g. a number or a file name) */
  SPX_DECL_INCLUDE   /* the rows of another table (include) */
} spx_decl_kind;

typedef struct spx_option_decl {
  const char *name;
  spx_decl_kind kind;
  /* Default as it would be written in TOML without quotes ("5", "0.95", "soft", "true",
   * "[0.1, 0.5]"); NULL: no default (the key is optional and means "not set", or the component
   * computes its default from other values: help says which). */
  const char *def;
  double min, max;             /* inclusive range of INT/FLOAT values and list items */
  const char *const *choices;  /* CHOICE: NULL-terminated */
  const char *help;            /* one line */
  const struct spx_option_decl *include; /* INCLUDE: the table whose rows are added */
} spx_option_decl;

/* Range bounds meaning "no limit". */
#define SPX_NOMIN (-HUGE_VAL)
#define SPX_NOMAX (HUGE_VAL)

/* Attach a declaration table (with its includes) to opts: its keys become known (for the
 * "unknown key" message) and readable with spx_opt_*. Several tables may be attached. */
int spx_options_declare(spx_options *opts, const spx_option_decl *decls, spx_error *err);
/* The row declaring key in decls (following includes), or NULL. */
const spx_option_decl *spx_option_decl_find(const spx_option_decl *decls, const char *key);
/* The row declaring key among the tables attached to opts, or NULL. */
const spx_option_decl *spx_options_decl_of(const spx_options *opts, const char *key);

/* Typed getters of declared keys: the given value, else the declared default, checked against
 * the declared type and range ("WHERE: KEY: ..."). Reading an undeclared key is SPX_EINTERNAL.
 * A key without default that is absent gives 0 / NULL / an empty list and *present = 0 where
 * the getter has that argument. */
int spx_opt_int(spx_options *opts, const char *key, long long *out, spx_error *err);
int spx_opt_double(spx_options *opts, const char *key, double *out, spx_error *err);
int spx_opt_bool(spx_options *opts, const char *key, int *out, spx_error *err);
/* *out points into opts or into the declaration (NULL when absent without default). */
int spx_opt_string(spx_options *opts, const char *key, const char **out, spx_error *err);
/* Position of the value among the declared choices. */
int spx_opt_choice(spx_options *opts, const char *key, int *out, spx_error *err);
int spx_opt_double_list(spx_options *opts, const char *key, double *out, size_t max,
                        size_t *count, spx_error *err);
int spx_opt_int_list(spx_options *opts, const char *key, long long *out, size_t max,
                     size_t *count, spx_error *err);

/* SPX_OK when key is given, else SPX_EINVAL "WHERE: KEY: required: HELP" (the row's help says
 * what the key is; for keys declared without a default that a component cannot do without). */
int spx_opt_require(spx_options *opts, const char *key, spx_error *err);

/* Print decls as a help table (one row per key: name, type, default, range/choices, help). */
void spx_option_decls_print(FILE *out, const spx_option_decl *decls, const char *indent);
/* s as a TOML basic string: in double quotes, '"' and backslash escaped, control characters as
 * \uXXXX. A new string (caller frees), NULL when out of memory. */
char *spx_options_quote(const char *s);
/* The resolved options as TOML lines "key = value\n": every declared key with its given value
 * or its default (keys without either are left out), then any given key that no table
 * declares. *out is a new string (caller frees). */
int spx_options_resolved(const spx_options *opts, char **out, spx_error *err);
/* A comma-separated list of the keys of decls (for messages), written into buf. */
void spx_option_decls_names(const spx_option_decl *decls, char *buf, size_t len);

#endif
