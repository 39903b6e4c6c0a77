/* toml_shim.h: a small C interface to the toml++ parser (the only C++ in spex-bench).
 *
 * A document is parsed from a file or a string and then walked read-only: tables (entries
 * in key order), arrays, and scalar values, each with its source position file:line:column.
 * spx_toml_set assigns a value given as TOML text at a dotted path (for --set overrides and
 * for filling in defaults), and spx_toml_dump prints the document back as TOML. Parse
 * errors are reported as "file:line:column: description". No C++ exception crosses this
 * interface. */
#ifndef SPX_TOML_SHIM_H
#define SPX_TOML_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spx_toml spx_toml;           /* a parsed document; owns all its nodes */
typedef struct spx_toml_node spx_toml_node; /* a node inside a document (borrowed) */

typedef enum {
  SPX_TOML_NONE = 0,
  SPX_TOML_TABLE,
  SPX_TOML_ARRAY,
  SPX_TOML_STRING,
  SPX_TOML_INT,
  SPX_TOML_FLOAT,
  SPX_TOML_BOOL,
  SPX_TOML_DATETIME /* date, time or date-time: parsed but not used by spex-bench */
} spx_toml_type;

/* Source position of a node or key. file is NULL (and line = column = 0) when unknown. The
 * file string lives as long as the document. */
typedef struct spx_toml_pos {
  const char *file;
  unsigned line, column;
} spx_toml_pos;

/* Parse a file, or a string whose positions name source. NULL on failure with
 * "file:line:column: description" (or "file: reason") in err[0..errlen). */
spx_toml *spx_toml_parse_file(const char *path, char *err, size_t errlen);
spx_toml *spx_toml_parse_string(const char *text, const char *source, char *err, size_t errlen);
void spx_toml_destroy(spx_toml **doc);

const spx_toml_node *spx_toml_root(const spx_toml *doc);
spx_toml_type spx_toml_type_of(const spx_toml_node *node);
/* Short English name of a type: "a table", "an integer", ... */
const char *spx_toml_type_name(spx_toml_type type);
spx_toml_pos spx_toml_where(const spx_toml_node *node);

/* Tables: number of entries, entry i in key order (key and its position), lookup by key. */
size_t spx_toml_count(const spx_toml_node *node); /* entries or elements; 0 for scalars */
const spx_toml_node *spx_toml_entry(const spx_toml_node *table, size_t i, const char **key,
                                    spx_toml_pos *keypos);
const spx_toml_node *spx_toml_find(const spx_toml_node *table, const char *key);
/* Arrays: element i, or NULL. */
const spx_toml_node *spx_toml_at(const spx_toml_node *array, size_t i);

/* Scalars; each returns 0 on success and -1 when the node has another type. A float that is
 * integral is not accepted by spx_toml_int; an integer is accepted by spx_toml_double. */
const char *spx_toml_string(const spx_toml_node *node); /* NULL unless a string */
int spx_toml_int(const spx_toml_node *node, long long *out);
int spx_toml_double(const spx_toml_node *node, double *out);
int spx_toml_bool(const spx_toml_node *node, int *out);
/* A scalar as text (strings without quotes, floats with 17 significant digits). Returns the
 * length needed, or -1 for tables and arrays. */
int spx_toml_text(const spx_toml_node *node, char *buf, size_t len);

/* Assign value (TOML text such as 3, "x", [4, 6], {a = 1}; anything that does not parse as
 * a TOML value is taken as a plain string) at path ("experiment.seed", "method[1].order",
 * oracle."a.b": TOML dotted keys, with quoted segments, plus array indices), creating missing
 * tables. A string or key holding U+0000 is refused (also by the parsers above). Positions of the new node name source (line 1). Returns 0, or -1
 * with a message in err. */
int spx_toml_set(spx_toml *doc, const char *path, const char *value, const char *source,
                 char *err, size_t errlen);

/* The whole document as TOML text (malloc'd; free with free()), or NULL when out of memory. */
char *spx_toml_dump(const spx_toml *doc);

#ifdef __cplusplus
}
#endif

#endif
