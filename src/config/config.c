/* config.c: reading, checking and resolving the experiment configuration (config.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/budget.h"
#include "config/toml_shim.h"
#include "core/rng.h"

static const char *const kind_names[] = {"faithfulness", "scaling", "recovery", "record", NULL};
static const char *const split_names[] = {"block", "dynamic", NULL};
static const char *const coordinator_names[] = {"worker", "dedicated", NULL};

const char *spx_experiment_kind_name(spx_experiment_kind kind) {
  return (unsigned)kind < 4 ? kind_names[kind] : "?";
}

static char *dupstr(const char *s) {
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

/* ---- positions and messages ------------------------------------------------------------ */

/* "file:line:column", or the --set text for values from the command line, or fallback. */
static void where_text(spx_toml_pos p, const char *fallback, char *buf, size_t len) {
  if (p.file == NULL)
    snprintf(buf, len, "%s", fallback);
  else if (strncmp(p.file, "--set ", 6) == 0)
    snprintf(buf, len, "%s", p.file);
  else if (p.line == 0)
    snprintf(buf, len, "%s", p.file);
  else
    snprintf(buf, len, "%s:%u:%u", p.file, p.line, p.column);
}

typedef struct {
  const char *source;
  spx_error *err;
  const spx_config_types *types;
} reader;

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail_at(reader *r, const spx_toml_node *node, const char *key, int code,
                   const char *fmt, ...) {
  char where[512], msg[SPX_ERRMSG_LEN];
  spx_toml_pos p = {NULL, 0, 0};
  if (node) p = spx_toml_where(node);
  where_text(p, r->source, where, sizeof where);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return spx_error_set(r->err, code, "%s: %s: %s", where, key, msg);
}

/* Unknown keys: report the first one in source order, with the known ones. */
/* ---- typed reads of driver keys ---------------------------------------------------------- */

static int read_string(reader *r, const spx_toml_node *table, const char *path, const char *key,
                       const char **out) {
  const spx_toml_node *v = table ? spx_toml_find(table, key) : NULL;
  if (v == NULL) return SPX_OK; /* keep the default */
  const char *s = spx_toml_string(v);
  if (s == NULL)
    return fail_at(r, v, path, SPX_EINVAL, "expected a string, got %s",
                   spx_toml_type_name(spx_toml_type_of(v)));
  if (*s == '\0') return fail_at(r, v, path, SPX_EINVAL, "must not be empty");
  *out = s;
  return SPX_OK;
}

static int read_int(reader *r, const spx_toml_node *v, const char *path, long long lo,
                    long long hi, long long *out) {
  if (spx_toml_int(v, out) != 0)
    return fail_at(r, v, path, SPX_EINVAL, "expected an integer, got %s",
                   spx_toml_type_name(spx_toml_type_of(v)));
  if (*out < lo || *out > hi)
    return fail_at(r, v, path, SPX_ERANGE, "%lld is out of range [%lld, %lld]", *out, lo, hi);
  return SPX_OK;
}

static int read_int_key(reader *r, const spx_toml_node *table, const char *path,
                        const char *key, long long lo, long long hi, long long *out) {
  const spx_toml_node *v = table ? spx_toml_find(table, key) : NULL;
  return v ? read_int(r, v, path, lo, hi, out) : SPX_OK;
}

static int read_choice(reader *r, const spx_toml_node *table, const char *path, const char *key,
                       const char *const *choices, int *out) {
  const char *s = NULL;
  int rc = read_string(r, table, path, key, &s);
  if (rc || s == NULL) return rc;
  char list[256] = "";
  for (int i = 0; choices[i]; i++) {
    if (strcmp(s, choices[i]) == 0) {
      *out = i;
      return SPX_OK;
    }
    if (i) strncat(list, " | ", sizeof list - strlen(list) - 1);
    strncat(list, choices[i], sizeof list - strlen(list) - 1);
  }
  return fail_at(r, spx_toml_find(table, key), path, SPX_EINVAL, "'%s' is not one of %s", s, list);
}

/* A non-empty array of integers in [lo, hi]. */
static int read_int_array(reader *r, const spx_toml_node *v, const char *path, long long lo,
                          long long hi, long long **out, size_t *count) {
  if (spx_toml_type_of(v) != SPX_TOML_ARRAY)
    return fail_at(r, v, path, SPX_EINVAL, "expected an array of integers, got %s",
                   spx_toml_type_name(spx_toml_type_of(v)));
  size_t c = spx_toml_count(v);
  if (c == 0) return fail_at(r, v, path, SPX_EINVAL, "must not be empty");
  long long *a = malloc(c * sizeof *a);
  SPX_CHECK_ALLOC(a, r->err);
  for (size_t i = 0; i < c; i++) {
    char elem[256];
    snprintf(elem, sizeof elem, "%s[%zu]", path, i);
    int rc = read_int(r, spx_toml_at(v, i), elem, lo, hi, &a[i]);
    for (size_t k = 0; rc == SPX_OK && k < i; k++)
      if (a[k] == a[i])
        rc = fail_at(r, spx_toml_at(v, i), elem, SPX_EINVAL,
                     "%lld repeats %s[%zu] (give each value once)", a[i], path, k);
    if (rc) {
      free(a);
      return rc;
    }
  }
  *out = a;
  *count = c;
  return SPX_OK;
}

/* ---- pass-through options ------------------------------------------------------------------ */

static spx_option_kind option_kind(spx_toml_type t) {
  switch (t) {
  case SPX_TOML_INT: return SPX_OPT_INT;
  case SPX_TOML_FLOAT: return SPX_OPT_FLOAT;
  case SPX_TOML_BOOL: return SPX_OPT_BOOL;
  case SPX_TOML_STRING:
  case SPX_TOML_DATETIME: return SPX_OPT_STRING;
  case SPX_TOML_ARRAY: return SPX_OPT_ARRAY;
  default: return SPX_OPT_TABLE;
  }
}

/* Put one TOML value into opts under key, with its position. */
static int put_option(reader *r, spx_options *opts, const char *key, const spx_toml_node *v) {
  char where[512];
  where_text(spx_toml_where(v), r->source, where, sizeof where);
  spx_toml_type t = spx_toml_type_of(v);
  if (t == SPX_TOML_ARRAY) {
    size_t c = spx_toml_count(v);
    int scalars = 1;
    for (size_t i = 0; i < c; i++) {
      spx_toml_type et = spx_toml_type_of(spx_toml_at(v, i));
      if (et == SPX_TOML_ARRAY || et == SPX_TOML_TABLE) scalars = 0;
    }
    if (!scalars) return spx_options_put(opts, key, SPX_OPT_TABLE, "[...]", where, r->err);
    spx_option_kind *kinds = calloc(c ? c : 1, sizeof *kinds);
    char **texts = calloc(c ? c : 1, sizeof *texts);
    int rc = (kinds && texts) ? SPX_OK : spx_error_set(r->err, SPX_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SPX_OK && i < c; i++) {
      const spx_toml_node *e = spx_toml_at(v, i);
      int len = spx_toml_text(e, NULL, 0);
      texts[i] = malloc((size_t)len + 1);
      if (texts[i] == NULL) {
        rc = spx_error_set(r->err, SPX_ENOMEM, "out of memory");
        break;
      }
      spx_toml_text(e, texts[i], (size_t)len + 1);
      kinds[i] = option_kind(spx_toml_type_of(e));
    }
    if (rc == SPX_OK)
      rc = spx_options_put_array(opts, key, c, kinds, (const char *const *)texts, where, r->err);
    for (size_t i = 0; texts && i < c; i++) free(texts[i]);
    free(texts);
    free(kinds);
    return rc;
  }
  if (t == SPX_TOML_TABLE) return spx_options_put(opts, key, SPX_OPT_TABLE, "{...}", where, r->err);
  int len = spx_toml_text(v, NULL, 0);
  char *text = malloc((size_t)len + 1);
  SPX_CHECK_ALLOC(text, r->err);
  spx_toml_text(v, text, (size_t)len + 1);
  int rc = spx_options_put(opts, key, option_kind(t), text, where, r->err);
  free(text);
  return rc;
}

/* Every key of table except the skipped ones into a new option table. */
static int collect_options(reader *r, const spx_toml_node *table, const char *context,
                           const char *const *skip, spx_options **out) {
  spx_options *opts = spx_options_create(context);
  SPX_CHECK_ALLOC(opts, r->err);
  size_t count = spx_toml_count(table);
  for (size_t i = 0; i < count; i++) {
    const char *key;
    const spx_toml_node *v = spx_toml_entry(table, i, &key, NULL);
    int skipped = 0;
    for (size_t k = 0; skip[k]; k++)
      if (strcmp(skip[k], key) == 0) skipped = 1;
    if (skipped) continue;
    int rc = put_option(r, opts, key, v);
    if (rc) {
      spx_options_destroy(&opts);
      return rc;
    }
  }
  *out = opts;
  return SPX_OK;
}

/* ---- registries ------------------------------------------------------------------------------ */

const spx_oracle_type *spx_config_find_oracle(const spx_config_types *types, const char *name) {
  if (types && types->oracles)
    for (size_t i = 0; types->oracles[i]; i++)
      if (strcmp(types->oracles[i]->name, name) == 0) return types->oracles[i];
  return spx_oracle_lookup(name);
}

const spx_method_type *spx_config_find_method(const spx_config_types *types, const char *name) {
  if (types && types->methods)
    for (size_t i = 0; types->methods[i]; i++)
      if (strcmp(types->methods[i]->name, name) == 0) return types->methods[i];
  return spx_method_lookup(name);
}

static void oracle_list(const spx_config_types *types, char *buf, size_t len) {
  buf[0] = '\0';
  const spx_oracle_type *const *all = spx_oracle_types();
  for (int pass = 0; pass < 2; pass++) {
    const spx_oracle_type *const *l = pass ? (types ? types->oracles : NULL) : all;
    for (size_t i = 0; l && l[i]; i++) {
      if (buf[0]) strncat(buf, ", ", len - strlen(buf) - 1);
      strncat(buf, l[i]->name, len - strlen(buf) - 1);
    }
  }
  if (buf[0] == '\0') snprintf(buf, len, "none registered");
}

static void method_list(const spx_config_types *types, char *buf, size_t len) {
  buf[0] = '\0';
  const spx_method_type *const *all = spx_method_types();
  for (int pass = 0; pass < 2; pass++) {
    const spx_method_type *const *l = pass ? (types ? types->methods : NULL) : all;
    for (size_t i = 0; l && l[i]; i++) {
      if (buf[0]) strncat(buf, ", ", len - strlen(buf) - 1);
      strncat(buf, l[i]->name, len - strlen(buf) - 1);
    }
  }
  if (buf[0] == '\0') snprintf(buf, len, "none registered");
}

/* ---- the sections ------------------------------------------------------------------------------ */

/* The sections of a configuration (each read by its own rows below). */
static const spx_option_decl top_rows[] = {
    {"experiment", SPX_DECL_ANY, NULL, 0, 0, NULL, "what to run and where to write it", NULL},
    {"oracle", SPX_DECL_ANY, NULL, 0, 0, NULL, "the model: kind and its keys", NULL},
    {"budget", SPX_DECL_ANY, NULL, 0, 0, NULL, "the query counts (or SPEX b values)", NULL},
    {"method", SPX_DECL_ANY, NULL, 0, 0, NULL, "[[method]] tables: name, label and its keys", NULL},
    {"scaling", SPX_DECL_ANY, NULL, 0, 0, NULL, "n values of a scaling run", NULL},
    {"pruning", SPX_DECL_ANY, NULL, 0, 0, NULL, "the pruning experiment", NULL},
    {"scoring", SPX_DECL_ANY, NULL, 0, 0, NULL, "what the cells are scored by", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const char *const prune_rank_names[] = {"banzhaf", "shapley", NULL};

/* The driver's keys, each declared once: the reader, the "unknown key" lists, the defaults
 * written into the resolved configuration and `spex-bench --help experiment` use these rows. */
#define ROW_END {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}
static const spx_option_decl experiment_rows[] = {
    {"name", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "run name (default: the config file name without .toml)", NULL},
    {"kind", SPX_DECL_CHOICE, "faithfulness", 0, 0, kind_names, "experiment driver", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 9223372036854775807.0, NULL,
     "seed of every random stream", NULL},
    {"output", SPX_DECL_STRING, NULL, 0, 0, NULL, "result file (default: results/NAME.h5)",
     NULL},
    {"test_masks", SPX_DECL_INT, "1000", 2, 10000000, NULL,
     "held-out random masks per explicand for R^2", NULL},
    {"repeats", SPX_DECL_INT, "1", 1, 1000000, NULL, "repeats of each cell (new streams)", NULL},
    {"group_size", SPX_DECL_INT, "1", 1, 1000000, NULL,
     "ranks that share one cell's oracle batches and method jobs", NULL},
    {"split", SPX_DECL_CHOICE, "block", 0, 0, split_names,
     "how a group splits a batch: block or dynamic chunks", NULL},
    {"chunk", SPX_DECL_INT, "64", 1, 1000000000, NULL, "masks per chunk with split = dynamic",
     NULL},
    {"coordinator", SPX_DECL_CHOICE, "worker", 0, 0, coordinator_names,
     "rank 0 also runs cells (worker) or only hands them out (dedicated)", NULL},
    {"recording", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "recording file pattern of `record` (default: recordings/NAME_{e}.h5)", NULL},
    ROW_END};
static const spx_option_decl explicand_rows[] = {
    {"first", SPX_DECL_INT, "0", 0, 9223372036854775807.0, NULL, "first explicand", NULL},
    {"count", SPX_DECL_INT, NULL, 1, 9223372036854775807.0, NULL,
     "number of explicands (default: all the oracle offers)", NULL},
    {"stride", SPX_DECL_INT, "1", 1, 9223372036854775807.0, NULL, "step between explicands",
     NULL},
    ROW_END};
static const spx_option_decl budget_rows[] = {
    {"spx_b", SPX_DECL_INT_LIST, NULL, 1, 30, NULL,
     "SPEX sparsity parameters b: N(b) = 3 (p + 1) 2^b queries", NULL},
    {"samples", SPX_DECL_INT_LIST, NULL, 1, 1000000000000.0, NULL,
     "explicit query counts (instead of spx_b)", NULL},
    {"t", SPX_DECL_INT, "5", 1, 30, NULL, "BCH errors corrected, for the spx_b rule", NULL},
    ROW_END};
static const spx_option_decl scaling_rows[] = {
    {"n", SPX_DECL_INT_LIST, NULL, 1, 100000000, NULL,
     "feature counts to sweep (kind = \"scaling\")", NULL},
    ROW_END};
static const spx_option_decl pruning_rows[] = {
    {"fractions", SPX_DECL_FLOAT_LIST, "[0.1, 0.25, 0.5, 0.75, 1.0]", 0, 1, NULL,
     "fractions of components kept, ascending, in (0, 1]", NULL},
    {"rank_by", SPX_DECL_CHOICE, "banzhaf", 0, 0, prune_rank_names,
     "first-order index that ranks the components", NULL},
    {"random_orders", SPX_DECL_INT, "20", 0, 10000, NULL, "random orders for the reference",
     NULL},
    ROW_END};

static const spx_option_decl scoring_rows[] = {
    {"index_accuracy", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "score each method's SII and BII of orders 1..3 against the exact index (MSE, relative MSE, "
     "Precision@5/10, Kendall tau@10; experiments/scorers/index_accuracy.c)", NULL},
    {"exact_max_n", SPX_DECL_INT, "20", 1, 24, NULL,
     "largest n at which an oracle without a known truth is evaluated on all 2^n masks for the "
     "exact index (once per explicand)", NULL},
    ROW_END};

static const struct {
  const char *name;
  const spx_option_decl *rows;
} driver_sections[] = {{"experiment", experiment_rows},
                       {"oracle.explicands", explicand_rows},
                       {"budget", budget_rows},
                       {"scaling", scaling_rows},
                       {"pruning", pruning_rows},
                       {"scoring", scoring_rows},
                       {NULL, NULL}};

const spx_option_decl *spx_config_section_options(const char *section) {
  for (size_t i = 0; driver_sections[i].name; i++)
    if (strcmp(driver_sections[i].name, section) == 0) return driver_sections[i].rows;
  return NULL;
}

const char *spx_config_section_name(size_t i) { return driver_sections[i].name; }

/* Unknown keys of a driver section: the first in source order, with the declared ones. */
static int check_rows(reader *r, const spx_toml_node *table, const char *prefix,
                      const spx_option_decl *rows) {
  size_t count = spx_toml_count(table);
  const char *bad = NULL;
  spx_toml_pos badpos = {NULL, 0, 0};
  for (size_t i = 0; i < count; i++) {
    const char *key;
    spx_toml_pos kp;
    spx_toml_entry(table, i, &key, &kp);
    if (spx_option_decl_find(rows, key)) continue;
    if (bad == NULL || kp.line < badpos.line || (kp.line == badpos.line && kp.column < badpos.column)) {
      bad = key;
      badpos = kp;
    }
  }
  if (bad == NULL) return SPX_OK;
  char list[512] = "", where[512];
  spx_option_decls_names(rows, list, sizeof list);
  where_text(badpos, r->source, where, sizeof where);
  return spx_error_set(r->err, SPX_EINVAL, "%s: %s%s%s: unknown key (known keys: %s)", where,
                       prefix, *prefix ? "." : "", bad, list);
}

static long long ll_bound(double v) {
  if (v >= 9.2e18) return LLONG_MAX;
  if (v <= -9.2e18) return LLONG_MIN;
  return (long long)v;
}

static const spx_option_decl *row_of(const spx_option_decl *rows, const char *key) {
  const spx_option_decl *d = spx_option_decl_find(rows, key);
  if (d == NULL) abort(); /* a driver key read without a row: a bug caught by every test */
  return d;
}

/* Read section.key by its row: the declared default when absent, the declared range. */
static int read_row_int(reader *r, const spx_toml_node *table, const char *section,
                        const spx_option_decl *rows, const char *key, long long *out) {
  const spx_option_decl *d = row_of(rows, key);
  char path[128];
  snprintf(path, sizeof path, "%s.%s", section, key);
  if (d->def) *out = strtoll(d->def, NULL, 10);
  return read_int_key(r, table, path, key, ll_bound(d->min), ll_bound(d->max), out);
}

static int read_row_choice(reader *r, const spx_toml_node *table, const char *section,
                           const spx_option_decl *rows, const char *key, int *out) {
  const spx_option_decl *d = row_of(rows, key);
  char path[128];
  snprintf(path, sizeof path, "%s.%s", section, key);
  for (int i = 0; d->def && d->choices[i]; i++)
    if (strcmp(d->choices[i], d->def) == 0) *out = i;
  return read_choice(r, table, path, key, d->choices, out);
}

static int read_row_string(reader *r, const spx_toml_node *table, const char *section,
                           const spx_option_decl *rows, const char *key, const char **out) {
  const spx_option_decl *d = row_of(rows, key);
  char path[128];
  snprintf(path, sizeof path, "%s.%s", section, key);
  if (d->def) *out = d->def;
  return read_string(r, table, path, key, out);
}

static int read_row_int_array(reader *r, const spx_toml_node *v, const char *section,
                              const spx_option_decl *rows, const char *key, long long **out,
                              size_t *count) {
  const spx_option_decl *d = row_of(rows, key);
  char path[128];
  snprintf(path, sizeof path, "%s.%s", section, key);
  return read_int_array(r, v, path, ll_bound(d->min), ll_bound(d->max), out, count);
}

static int section(reader *r, const spx_toml_node *root, const char *key, spx_toml_type want,
                   const spx_toml_node **out) {
  *out = spx_toml_find(root, key);
  if (*out && want == SPX_TOML_ARRAY && spx_toml_type_of(*out) == SPX_TOML_TABLE)
    return fail_at(r, *out, key, SPX_EINVAL, "write [[%s]] (one per entry), not [%s]", key, key);
  if (*out && spx_toml_type_of(*out) != want)
    return fail_at(r, *out, key, SPX_EINVAL, "expected %s, got %s", spx_toml_type_name(want),
                   spx_toml_type_name(spx_toml_type_of(*out)));
  return SPX_OK;
}

/* The file name without directory and extension. */
static void file_stem(const char *path, char *buf, size_t len) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(buf, len, "%s", base);
  char *dot = strrchr(buf, '.');
  if (dot && dot != buf) *dot = '\0';
  if (buf[0] == '\0') snprintf(buf, len, "experiment");
}

static int read_experiment(reader *r, const spx_toml_node *exp, spx_config *c) {
  int rc;
  const char *sec = "experiment";
  const spx_option_decl *rows = experiment_rows;
  if (exp && (rc = check_rows(r, exp, sec, rows))) return rc;
  char stem[256];
  file_stem(r->source, stem, sizeof stem);
  const char *name = stem, *output = NULL, *recording = NULL;
  int kind = 0, split = 0, coordinator = 0;
  long long seed = 0, test_masks = 0, repeats = 0, group = 0, chunk = 0;
  if ((rc = read_row_string(r, exp, sec, rows, "name", &name)) ||
      (rc = read_row_choice(r, exp, sec, rows, "kind", &kind)) ||
      (rc = read_row_int(r, exp, sec, rows, "seed", &seed)) ||
      (rc = read_row_string(r, exp, sec, rows, "output", &output)) ||
      (rc = read_row_string(r, exp, sec, rows, "recording", &recording)) ||
      (rc = read_row_int(r, exp, sec, rows, "test_masks", &test_masks)) ||
      (rc = read_row_int(r, exp, sec, rows, "repeats", &repeats)) ||
      (rc = read_row_int(r, exp, sec, rows, "group_size", &group)) ||
      (rc = read_row_choice(r, exp, sec, rows, "split", &split)) ||
      (rc = read_row_int(r, exp, sec, rows, "chunk", &chunk)) ||
      (rc = read_row_choice(r, exp, sec, rows, "coordinator", &coordinator)))
    return rc;
  if (strchr(name, '/'))
    return fail_at(r, spx_toml_find(exp, "name"), "experiment.name", SPX_EINVAL,
                   "must not contain '/'");
  c->name = dupstr(name);
  SPX_CHECK_ALLOC(c->name, r->err);
  if (output) {
    c->output = dupstr(output);
  } else {
    c->output = malloc(strlen(name) + 16);
    if (c->output) sprintf(c->output, "results/%s.h5", name);
  }
  SPX_CHECK_ALLOC(c->output, r->err);
  if (recording) {
    c->recording = dupstr(recording);
  } else {
    c->recording = malloc(strlen(name) + 32);
    if (c->recording) sprintf(c->recording, "recordings/%s_{e}.h5", name);
  }
  SPX_CHECK_ALLOC(c->recording, r->err);
  c->kind = (spx_experiment_kind)kind;
  c->seed = (uint64_t)seed;
  c->test_masks = (size_t)test_masks;
  c->repeats = (size_t)repeats;
  c->group_size = (size_t)group;
  c->split = (spx_par_split)split;
  c->chunk = (size_t)chunk;
  c->dedicated_coordinator = coordinator == 1;
  return SPX_OK;
}

static int read_oracle(reader *r, const spx_toml_node *orc, spx_config *c) {
  if (orc == NULL)
    return spx_error_set(r->err, SPX_EINVAL, "%s: oracle: missing [oracle] table", r->source);
  const spx_toml_node *kind = spx_toml_find(orc, "kind");
  if (kind == NULL)
    return fail_at(r, orc, "oracle.kind", SPX_EINVAL, "missing (the oracle to explain)");
  const char *kname = NULL;
  int rc = read_string(r, orc, "oracle.kind", "kind", &kname);
  if (rc) return rc;
  char where[512];
  where_text(spx_toml_where(kind), r->source, where, sizeof where);
  c->oracle_where = dupstr(where);
  SPX_CHECK_ALLOC(c->oracle_where, r->err);
  c->oracle = spx_config_find_oracle(r->types, kname);
  if (c->oracle == NULL) {
    char list[512];
    oracle_list(r->types, list, sizeof list);
    return fail_at(r, kind, "oracle.kind", SPX_EINVAL, "unknown oracle '%s' (known: %s)", kname,
                   list);
  }
  const spx_toml_node *ex = spx_toml_find(orc, "explicands");
  long long first = 0, count = -1, stride = 1;
  int ex_int = ex && spx_toml_type_of(ex) == SPX_TOML_INT;
  if (ex && !ex_int) {
    if (spx_toml_type_of(ex) != SPX_TOML_TABLE)
      return fail_at(r, ex, "oracle.explicands", SPX_EINVAL,
                     "expected a table { first = ..., count = ... }, got %s",
                     spx_toml_type_name(spx_toml_type_of(ex)));
    const char *sec = "oracle.explicands";
    if ((rc = check_rows(r, ex, sec, explicand_rows)) ||
        (rc = read_row_int(r, ex, sec, explicand_rows, "first", &first)) ||
        (rc = read_row_int(r, ex, sec, explicand_rows, "count", &count)) ||
        (rc = read_row_int(r, ex, sec, explicand_rows, "stride", &stride)))
      return rc;
  }
  if (c->kind == SPX_EXP_SCALING && spx_toml_find(orc, "n"))
    return fail_at(r, spx_toml_find(orc, "n"), "oracle.n", SPX_EINVAL,
                   "is set by [scaling] n when kind = \"scaling\"; remove it");
  char context[128];
  snprintf(context, sizeof context, "oracle %s", kname);
  static const char *const skip[] = {"kind", "explicands", NULL};
  if ((rc = collect_options(r, orc, context, skip, &c->oracle_opts))) return rc;
  if ((rc = spx_options_declare(c->oracle_opts, c->oracle->options, r->err))) return rc;
  /* explicands = N (an integer): the oracle's own count of inputs (say the process oracle's);
   * the run uses all of them. */
  if (ex_int) {
    if (c->oracle->explicands == NULL)
      return fail_at(r, ex, "oracle.explicands", SPX_EINVAL,
                     "oracle %s has exactly one explicand; give a table { first = ..., count = "
                     "... } or leave the key out", kname);
    if ((rc = put_option(r, c->oracle_opts, "explicands", ex))) return rc;
    c->explicands_to_oracle = 1;
  }
  c->explicand_first = (size_t)first;
  c->explicand_count = count < 0 ? 0 : (size_t)count; /* 0: all, resolved later */
  c->explicand_stride = (size_t)stride;
  return SPX_OK;
}

static int read_budget(reader *r, const spx_toml_node *bud, spx_config *c) {
  if (bud == NULL)
    return spx_error_set(r->err, SPX_EINVAL,
                         "%s: budget: missing [budget] table (spx_b = [...] or samples = [...])",
                         r->source);
  int rc = check_rows(r, bud, "budget", budget_rows);
  if (rc) return rc;
  const spx_toml_node *b = spx_toml_find(bud, "spx_b"), *s = spx_toml_find(bud, "samples");
  if (b && s)
    return fail_at(r, s, "budget.samples", SPX_EINVAL,
                   "give either budget.spx_b or budget.samples, not both");
  if (!b && !s)
    return fail_at(r, bud, "budget", SPX_EINVAL, "give spx_b = [...] or samples = [...]");
  long long t = 0;
  if ((rc = read_row_int(r, bud, "budget", budget_rows, "t", &t))) return rc;
  if (s && spx_toml_find(bud, "t"))
    return fail_at(r, spx_toml_find(bud, "t"), "budget.t", SPX_EINVAL,
                   "only used with budget.spx_b");
  c->spex_t = (unsigned)t;
  if (b) {
    c->budget_mode = SPX_BUDGET_SPEX_B;
    return read_row_int_array(r, b, "budget", budget_rows, "spx_b", &c->budget_points,
                              &c->nbudget_points);
  }
  c->budget_mode = SPX_BUDGET_SAMPLES;
  return read_row_int_array(r, s, "budget", budget_rows, "samples", &c->budget_points,
                            &c->nbudget_points);
}

static int read_methods(reader *r, const spx_toml_node *arr, spx_config *c) {
  if (arr == NULL)
    return spx_error_set(r->err, SPX_EINVAL,
                         "%s: method: no [[method]] table (at least one method is needed)",
                         r->source);
  size_t count = spx_toml_count(arr);
  if (count == 0)
    return fail_at(r, arr, "method", SPX_EINVAL, "at least one [[method]] is needed");
  c->method = calloc(count, sizeof *c->method);
  SPX_CHECK_ALLOC(c->method, r->err);
  for (size_t i = 0; i < count; i++) {
    const spx_toml_node *m = spx_toml_at(arr, i);
    char path[64];
    snprintf(path, sizeof path, "method[%zu]", i);
    if (spx_toml_type_of(m) != SPX_TOML_TABLE)
      return fail_at(r, m, path, SPX_EINVAL, "expected a table, got %s",
                     spx_toml_type_name(spx_toml_type_of(m)));
    spx_config_method *cm = &c->method[i];
    c->nmethod = i + 1;
    char key[96];
    snprintf(key, sizeof key, "%s.name", path);
    const char *name = NULL, *label = NULL;
    int rc = read_string(r, m, key, "name", &name);
    if (rc) return rc;
    if (name == NULL) return fail_at(r, m, key, SPX_EINVAL, "missing (the method to run)");
    cm->type = spx_config_find_method(r->types, name);
    if (cm->type == NULL) {
      char list[512];
      method_list(r->types, list, sizeof list);
      return fail_at(r, spx_toml_find(m, "name"), key, SPX_EINVAL,
                     "unknown method '%s' (known: %s)", name, list);
    }
    snprintf(key, sizeof key, "%s.label", path);
    if ((rc = read_string(r, m, key, "label", &label))) return rc;
    if (label && strchr(label, '/'))
      return fail_at(r, spx_toml_find(m, "label"), key, SPX_EINVAL, "must not contain '/'");
    if (label && (strcmp(label, ".") == 0 || strcmp(label, "..") == 0 || label[0] == '\0'))
      return fail_at(r, spx_toml_find(m, "label"), key, SPX_EINVAL,
                     "'%s' cannot name a group in the result file; use letters, digits or _",
                     label);
    const char *use = label ? label : name;
    for (size_t k = 0; k < i; k++)
      if (strcmp(c->method[k].label, use) == 0)
        return fail_at(r, label ? spx_toml_find(m, "label") : spx_toml_find(m, "name"), key,
                       SPX_EINVAL,
                       "'%s' is already used by method[%zu]; give each entry a distinct label",
                       use, k);
    cm->label = dupstr(use);
    SPX_CHECK_ALLOC(cm->label, r->err);
    char where[512];
    where_text(spx_toml_where(m), r->source, where, sizeof where);
    cm->where = dupstr(where);
    SPX_CHECK_ALLOC(cm->where, r->err);
    char context[160];
    snprintf(context, sizeof context, "method %s", use);
    static const char *const skip[] = {"name", "label", NULL};
    if ((rc = collect_options(r, m, context, skip, &cm->opts))) return rc;
    if ((rc = spx_options_declare(cm->opts, cm->type->options, r->err))) return rc;
  }
  return SPX_OK;
}

static int read_scaling(reader *r, const spx_toml_node *sc, spx_config *c) {
  if (c->kind != SPX_EXP_SCALING) {
    if (sc)
      return fail_at(r, sc, "scaling", SPX_EINVAL,
                     "[scaling] is only used with experiment.kind = \"scaling\"");
    return SPX_OK;
  }
  if (sc == NULL)
    return spx_error_set(r->err, SPX_EINVAL,
                         "%s: scaling: experiment.kind = \"scaling\" needs [scaling] n = [...]",
                         r->source);
  int rc = check_rows(r, sc, "scaling", scaling_rows);
  if (rc) return rc;
  const spx_toml_node *n = spx_toml_find(sc, "n");
  if (n == NULL) return fail_at(r, sc, "scaling.n", SPX_EINVAL, "missing (list of n values)");
  long long *vals;
  size_t count;
  if ((rc = read_row_int_array(r, n, "scaling", scaling_rows, "n", &vals, &count))) return rc;
  c->scaling_n = malloc(count * sizeof *c->scaling_n);
  if (c->scaling_n == NULL) {
    free(vals);
    return spx_error_set(r->err, SPX_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < count; i++) c->scaling_n[i] = (size_t)vals[i];
  free(vals);
  c->nscaling = count;
  char where[512];
  where_text(spx_toml_where(n), r->source, where, sizeof where);
  c->scaling_where = dupstr(where);
  SPX_CHECK_ALLOC(c->scaling_where, r->err);
  return SPX_OK;
}

/* [pruning]: fractions (ascending numbers in (0, 1]), rank_by, random_orders; only with the
 * components oracle, the one with a task accuracy. */
static int read_pruning(reader *r, const spx_toml_node *pr, spx_config *c) {
  if (pr == NULL) return SPX_OK;
  int rc = check_rows(r, pr, "pruning", pruning_rows);
  if (rc) return rc;
  if (strcmp(c->oracle->name, "components") != 0)
    return fail_at(r, pr, "pruning", SPX_EINVAL,
                   "[pruning] needs oracle.kind = \"components\" (the oracle with a task "
                   "accuracy), not %s",
                   c->oracle->name);
  if (c->kind != SPX_EXP_FAITHFULNESS && c->kind != SPX_EXP_RECOVERY)
    return fail_at(r, pr, "pruning", SPX_EINVAL,
                   "[pruning] is only used with experiment.kind = \"faithfulness\" or "
                   "\"recovery\"");
  int by = 0;
  long long orders = 0;
  if ((rc = read_row_choice(r, pr, "pruning", pruning_rows, "rank_by", &by)) ||
      (rc = read_row_int(r, pr, "pruning", pruning_rows, "random_orders", &orders)))
    return rc;
  /* The default fractions, parsed from their row. */
  double default_fractions[16];
  size_t ndefault = 0;
  {
    spx_options *tmp = spx_options_create("pruning");
    SPX_CHECK_ALLOC(tmp, r->err);
    rc = spx_options_declare(tmp, pruning_rows, r->err);
    if (rc == SPX_OK)
      rc = spx_opt_double_list(tmp, "fractions", default_fractions, 16, &ndefault, r->err);
    spx_options_destroy(&tmp);
    if (rc) return rc;
  }
  const spx_toml_node *v = spx_toml_find(pr, "fractions");
  size_t count = v ? spx_toml_count(v) : ndefault;
  if (v && spx_toml_type_of(v) != SPX_TOML_ARRAY)
    return fail_at(r, v, "pruning.fractions", SPX_EINVAL, "expected an array of numbers, got %s",
                   spx_toml_type_name(spx_toml_type_of(v)));
  if (count == 0) return fail_at(r, v, "pruning.fractions", SPX_EINVAL, "must not be empty");
  c->prune_fractions = malloc(count * sizeof *c->prune_fractions);
  SPX_CHECK_ALLOC(c->prune_fractions, r->err);
  for (size_t i = 0; i < count; i++) {
    if (v == NULL) {
      c->prune_fractions[i] = default_fractions[i];
      continue;
    }
    const spx_toml_node *e = spx_toml_at(v, i);
    char elem[64];
    snprintf(elem, sizeof elem, "pruning.fractions[%zu]", i);
    double f;
    if (spx_toml_double(e, &f) != 0)
      return fail_at(r, e, elem, SPX_EINVAL, "expected a number, got %s",
                     spx_toml_type_name(spx_toml_type_of(e)));
    if (!(f > 0.0 && f <= 1.0))
      return fail_at(r, e, elem, SPX_ERANGE, "%g is out of range (0, 1]", f);
    if (i > 0 && f <= c->prune_fractions[i - 1])
      return fail_at(r, e, elem, SPX_EINVAL,
                     "%g does not exceed fractions[%zu] = %g (give them in ascending order, "
                     "without repeats)",
                     f, i - 1, c->prune_fractions[i - 1]);
    c->prune_fractions[i] = f;
  }
  c->nprune = count;
  c->prune_rank_by = by;
  c->prune_random = (size_t)orders;
  return SPX_OK;
}

/* [scoring]: optional scorers (experiments/scorers/); absent = none of them, so the resolved
 * configuration of a file without the section is unchanged. */
static int read_scoring(reader *r, const spx_toml_node *t, spx_config *c) {
  if (t == NULL) return SPX_OK;
  c->has_scoring = 1;
  int rc = check_rows(r, t, "scoring", scoring_rows);
  if (rc) return rc;
  const spx_toml_node *v = spx_toml_find(t, "index_accuracy");
  int on = 0;
  if (v && spx_toml_bool(v, &on) != 0)
    return fail_at(r, v, "scoring.index_accuracy", SPX_EINVAL, "expected true or false, got %s",
                   spx_toml_type_name(spx_toml_type_of(v)));
  long long maxn = 20;
  if ((rc = read_row_int(r, t, "scoring", scoring_rows, "exact_max_n", &maxn))) return rc;
  if (on && c->kind == SPX_EXP_RECORD)
    return fail_at(r, v, "scoring.index_accuracy", SPX_EINVAL,
                   "is not used with experiment.kind = \"record\"");
  c->index_accuracy = on;
  c->exact_max_n = (size_t)maxn;
  return SPX_OK;
}

/* Number of explicands: resolve count and check the range against the oracle. */
static int resolve_explicands(reader *r, const spx_toml_node *orc, spx_config *c) {
  spx_options *opts = spx_config_oracle_options(c, 0, r->err);
  if (opts == NULL) return r->err ? r->err->code : SPX_ENOMEM;
  size_t total = 1;
  int rc = SPX_OK;
  if (c->oracle->explicands) rc = c->oracle->explicands(opts, &total, r->err);
  int count_read = spx_options_used(opts, "explicands");
  spx_options_destroy(&opts);
  if (rc) return rc;
  const spx_toml_node *ex = spx_toml_find(orc, "explicands");
  if (c->explicands_to_oracle && !count_read)
    return fail_at(r, ex, "oracle.explicands", SPX_EINVAL,
                   "an integer is the number of inputs of an oracle that takes such a count "
                   "(process); oracle %s chooses its explicands with a table { first = ..., "
                   "count = ... }",
                   c->oracle->name);
  if (c->explicand_first >= total)
    return fail_at(r, ex ? spx_toml_find(ex, "first") : NULL, "oracle.explicands.first",
                   SPX_ERANGE, "%zu is beyond the %zu explicand%s of oracle %s",
                   c->explicand_first, total, total == 1 ? "" : "s", c->oracle->name);
  size_t stride = c->explicand_stride ? c->explicand_stride : 1;
  size_t avail = (total - c->explicand_first + stride - 1) / stride; /* reachable explicands */
  if (c->explicand_count == 0 && avail > 100000)
    return fail_at(r, ex ? ex : orc, "oracle.explicands.count", SPX_EINVAL,
                   "oracle %s offers %zu explicands: say how many to use, e.g. explicands = { "
                   "first = %zu, count = 10 }",
                   c->oracle->name, avail, c->explicand_first);
  if (c->explicand_count == 0) c->explicand_count = avail;
  if (c->explicand_count > avail)
    return fail_at(r, ex ? spx_toml_find(ex, "count") : NULL, "oracle.explicands.count",
                   SPX_ERANGE, "%zu explicands from %zu%s go beyond the %zu of oracle %s",
                   c->explicand_count, c->explicand_first,
                   stride > 1 ? " with that stride" : "", total, c->oracle->name);
  double cells = (double)c->explicand_count * (double)(c->nscaling ? c->nscaling : 1) *
                 (double)c->nmethod * (double)c->nbudget_points * (double)c->repeats;
  if (cells > 1e8)
    return spx_error_set(r->err, SPX_ERANGE,
                         "%s: experiment: %.0f cells (explicands x scaling points x methods x "
                         "budgets x repeats) is more than the 10^8 a run can hold",
                         r->source, cells);
  return SPX_OK;
}

/* ---- resolved text -------------------------------------------------------------------------- */

static int set_default(reader *r, spx_toml *doc, const char *path, const char *value) {
  char msg[512];
  if (spx_toml_set(doc, path, value, r->source, msg, sizeof msg) != 0)
    return spx_error_set(r->err, SPX_EINTERNAL, "%s: %s: %s", r->source, path, msg);
  return SPX_OK;
}

/* Write the declared default of every row of section that the document leaves out (rows
 * without a default are resolved by the caller). */
static int fill_rows(reader *r, spx_toml *doc, const char *section, const spx_option_decl *rows) {
  const spx_toml_node *table = spx_toml_find(spx_toml_root(doc), section);
  for (const spx_option_decl *d = rows; d->kind != SPX_DECL_END; d++) {
    if (d->def == NULL || (table && spx_toml_find(table, d->name))) continue;
    char path[128], value[256];
    snprintf(path, sizeof path, "%s.%s", section, d->name);
    if (d->kind == SPX_DECL_STRING || d->kind == SPX_DECL_CHOICE)
      snprintf(value, sizeof value, "\"%s\"", d->def);
    else
      snprintf(value, sizeof value, "%s", d->def);
    int rc = set_default(r, doc, path, value);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int fill_defaults(reader *r, spx_toml *doc, const spx_config *c) {
  char num[64];
  char *qn = spx_options_quote(c->name), *qo = spx_options_quote(c->output),
       *qr = spx_options_quote(c->recording);
  int rc = (qn && qo && qr) ? SPX_OK : spx_error_set(r->err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) rc = set_default(r, doc, "experiment.name", qn);
  if (rc == SPX_OK) rc = set_default(r, doc, "experiment.output", qo);
  if (rc == SPX_OK) rc = set_default(r, doc, "experiment.recording", qr);
  free(qn);
  free(qo);
  free(qr);
  if (rc) return rc;
  if ((rc = fill_rows(r, doc, "experiment", experiment_rows))) return rc;
  if (c->explicand_stride > 1)
    snprintf(num, sizeof num, "{ first = %zu, count = %zu, stride = %zu }", c->explicand_first,
             c->explicand_count, c->explicand_stride);
  else
    snprintf(num, sizeof num, "{ first = %zu, count = %zu }", c->explicand_first,
             c->explicand_count);
  if (!c->explicands_to_oracle && (rc = set_default(r, doc, "oracle.explicands", num))) return rc;
  if (c->budget_mode == SPX_BUDGET_SPEX_B && (rc = fill_rows(r, doc, "budget", budget_rows)))
    return rc;
  if (c->nprune && (rc = fill_rows(r, doc, "pruning", pruning_rows))) return rc;
  if (c->has_scoring && (rc = fill_rows(r, doc, "scoring", scoring_rows))) return rc;
  return SPX_OK;
}

/* ---- load ---------------------------------------------------------------------------------- */

/* 1 when s is well-formed UTF-8 (TOML documents are; a key or string from the command line
 * with other bytes would not survive printing the resolved configuration and reading it back). */
static int utf8_valid(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p++, more, min;
    if (c < 0x80) continue;
    if (c >= 0xC2 && c <= 0xDF) more = 1, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) more = 2, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) more = 3, min = 0x10000;
    else return 0;
    unsigned long cp = c & (0x3Fu >> more);
    for (unsigned k = 0; k < more; k++, p++) {
      if ((*p & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (*p & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  }
  return 1;
}

/* The '=' that ends the key of --set KEY=VALUE: the first one outside a quoted key segment
 * ("..." with backslash escapes or '...', as in oracle."a=b"=1), or NULL (*open = 1 when a
 * quote is left open). */
static const char *set_key_end(const char *s, int *open) {
  char q = 0;
  *open = 0;
  for (; *s; s++) {
    if (q == '"' && *s == '\\' && s[1]) {
      s++;
    } else if (q) {
      if (*s == q) q = 0;
    } else if (*s == '"' || *s == '\'') {
      q = *s;
    } else if (*s == '=') {
      return s;
    }
  }
  *open = q != 0;
  return NULL;
}

static int apply_sets(reader *r, spx_toml *doc, const char *const *sets, size_t nsets) {
  for (size_t i = 0; i < nsets; i++) {
    int open;
    const char *eq = set_key_end(sets[i], &open);
    if (eq == NULL && open)
      return spx_error_set(r->err, SPX_EINVAL, "--set %s: a quoted key is not closed", sets[i]);
    if (eq == NULL || eq == sets[i])
      return spx_error_set(r->err, SPX_EINVAL, "--set %s: expected key=value", sets[i]);
    if (!utf8_valid(sets[i]))
      return spx_error_set(r->err, SPX_EINVAL, "--set %s: not valid UTF-8 text", sets[i]);
    size_t klen = (size_t)(eq - sets[i]);
    for (size_t k = 0; k < klen; k++) /* toml++ would print such a key unreadably */
      if ((unsigned char)sets[i][k] < 0x20 || sets[i][k] == 0x7F)
        return spx_error_set(r->err, SPX_EINVAL, "--set %s: control character in the key",
                             sets[i]);
    char *key = malloc(klen + 1), *src = malloc(strlen(sets[i]) + 8);
    if (key == NULL || src == NULL) {
      free(key);
      free(src);
      return spx_error_set(r->err, SPX_ENOMEM, "out of memory");
    }
    memcpy(key, sets[i], klen);
    key[klen] = '\0';
    sprintf(src, "--set %s", sets[i]);
    char msg[512];
    int rc = SPX_OK;
    if (spx_toml_set(doc, key, eq + 1, src, msg, sizeof msg) != 0)
      rc = spx_error_set(r->err, SPX_EINVAL, "%s: %s: %s", src, key, msg);
    free(key);
    free(src);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int load_doc(spx_toml *doc, const char *source, const char *const *sets, size_t nsets,
                    const spx_config_types *types, spx_config **out, spx_error *err) {
  reader r = {source, err, types};
  spx_config *c = calloc(1, sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  c->source = dupstr(source);
  int rc = c->source ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  const spx_toml_node *root = spx_toml_root(doc);
  const spx_toml_node *exp = NULL, *orc = NULL, *bud = NULL, *meth = NULL, *sc = NULL,
                      *pr = NULL, *scoring = NULL;
  if (rc == SPX_OK) rc = apply_sets(&r, doc, sets, nsets);
  if (rc == SPX_OK) rc = check_rows(&r, root, "", top_rows);
  if (rc == SPX_OK) rc = section(&r, root, "experiment", SPX_TOML_TABLE, &exp);
  if (rc == SPX_OK) rc = section(&r, root, "oracle", SPX_TOML_TABLE, &orc);
  if (rc == SPX_OK) rc = section(&r, root, "budget", SPX_TOML_TABLE, &bud);
  if (rc == SPX_OK) rc = section(&r, root, "method", SPX_TOML_ARRAY, &meth);
  if (rc == SPX_OK) rc = section(&r, root, "scaling", SPX_TOML_TABLE, &sc);
  if (rc == SPX_OK) rc = section(&r, root, "pruning", SPX_TOML_TABLE, &pr);
  if (rc == SPX_OK) rc = section(&r, root, "scoring", SPX_TOML_TABLE, &scoring);
  if (rc == SPX_OK) rc = read_experiment(&r, exp, c);
  if (rc == SPX_OK) rc = read_oracle(&r, orc, c);
  if (rc == SPX_OK) rc = read_budget(&r, bud, c);
  if (rc == SPX_OK) rc = read_methods(&r, meth, c);
  if (rc == SPX_OK) rc = read_scaling(&r, sc, c);
  if (rc == SPX_OK) rc = read_pruning(&r, pr, c);
  if (rc == SPX_OK) rc = read_scoring(&r, scoring, c);
  if (rc == SPX_OK) rc = resolve_explicands(&r, orc, c);
  if (rc == SPX_OK) rc = fill_defaults(&r, doc, c);
  if (rc == SPX_OK) {
    c->resolved = spx_toml_dump(doc);
    if (c->resolved == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (rc == SPX_OK) {
    /* The resolved text is stored in result files and compared on --resume, so it must read
     * back. toml++ prints a quoted key holding a control character (say "a\nb") raw, which
     * does not, and a string starting with a line break as a multi-line literal, whose first
     * line break TOML drops (both found by fuzzing); refuse such a document here. */
    char perr[512];
    spx_toml *again = spx_toml_parse_string(c->resolved, "resolved", perr, sizeof perr);
    char *text = again ? spx_toml_dump(again) : NULL;
    if (again == NULL)
      rc = spx_error_set(err, SPX_EINVAL,
                         "%s: a key cannot be printed back as TOML (a control character in a "
                         "quoted key?): %s", r.source, perr);
    else if (text == NULL)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    else if (strcmp(text, c->resolved) != 0) /* e.g. a string that starts with a newline */
      rc = spx_error_set(err, SPX_EINVAL,
                         "%s: a string cannot be printed back as TOML unchanged (one that "
                         "starts with a line break?)", r.source);
    free(text);
    spx_toml_destroy(&again);
  }
  if (rc) {
    spx_config_destroy(&c);
    return rc;
  }
  *out = c;
  return SPX_OK;
}

int spx_config_load(const char *path, const char *const *sets, size_t nsets,
                    const spx_config_types *types, spx_config **out, spx_error *err) {
  *out = NULL;
  char msg[SPX_ERRMSG_LEN];
  struct stat st;
  if (stat(path, &st) != 0)
    return spx_error_set(err, SPX_EIO, "%s: cannot open the configuration file: %s", path,
                         strerror(errno));
  if (S_ISDIR(st.st_mode))
    return spx_error_set(err, SPX_EINVAL, "%s: is a directory, not a configuration file", path);
  if (!S_ISREG(st.st_mode))
    return spx_error_set(err, SPX_EINVAL,
                         "%s: not a regular file (a device, FIFO or socket); give a TOML file",
                         path);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return spx_error_set(err, SPX_EIO, "%s: cannot open the configuration file: %s", path,
                         strerror(errno));
  fclose(f);
  spx_toml *doc = spx_toml_parse_file(path, msg, sizeof msg);
  if (doc == NULL) return spx_error_set(err, SPX_EINVAL, "%s", msg);
  int rc = load_doc(doc, path, sets, nsets, types, out, err);
  spx_toml_destroy(&doc);
  return rc;
}

int spx_config_load_string(const char *text, const char *source, const char *const *sets,
                           size_t nsets, const spx_config_types *types, spx_config **out,
                           spx_error *err) {
  *out = NULL;
  char msg[SPX_ERRMSG_LEN];
  spx_toml *doc = spx_toml_parse_string(text, source, msg, sizeof msg);
  if (doc == NULL) return spx_error_set(err, SPX_EINVAL, "%s", msg);
  int rc = load_doc(doc, source, sets, nsets, types, out, err);
  spx_toml_destroy(&doc);
  return rc;
}

void spx_config_destroy(spx_config **cfg) {
  if (cfg == NULL || *cfg == NULL) return;
  spx_config *c = *cfg;
  free(c->source);
  free(c->name);
  free(c->output);
  free(c->recording);
  free(c->oracle_where);
  spx_options_destroy(&c->oracle_opts);
  free(c->budget_points);
  for (size_t i = 0; i < c->nmethod; i++) {
    free(c->method[i].label);
    free(c->method[i].where);
    spx_options_destroy(&c->method[i].opts);
  }
  free(c->method);
  free(c->scaling_n);
  free(c->scaling_where);
  free(c->prune_fractions);
  free(c->resolved);
  free(c);
  *cfg = NULL;
}

/* ---- instances and budgets --------------------------------------------------------------- */

size_t spx_config_instances(const spx_config *cfg) {
  return cfg->explicand_count * (cfg->nscaling ? cfg->nscaling : 1);
}

size_t spx_config_instance_explicand(const spx_config *cfg, size_t instance) {
  size_t stride = cfg->explicand_stride ? cfg->explicand_stride : 1;
  return cfg->explicand_first + (instance % cfg->explicand_count) * stride;
}

size_t spx_config_instance_scaling(const spx_config *cfg, size_t instance) {
  return instance / cfg->explicand_count;
}

spx_options *spx_config_oracle_options(const spx_config *cfg, size_t instance, spx_error *err) {
  spx_options *o = spx_options_clone(cfg->oracle_opts);
  if (o == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory copying the oracle options");
    return NULL;
  }
  if (cfg->nscaling) {
    char num[32];
    size_t s = cfg->explicand_count ? instance / cfg->explicand_count : 0;
    snprintf(num, sizeof num, "%zu", cfg->scaling_n[s]);
    if (spx_options_put(o, "n", SPX_OPT_INT, num, cfg->scaling_where, err)) {
      spx_options_destroy(&o);
      return NULL;
    }
  }
  return o;
}

int spx_config_budget_queries(const spx_config *cfg, size_t n, size_t i, size_t *samples,
                      spx_error *err) {
  if (i >= cfg->nbudget_points)
    return spx_error_set(err, SPX_EINTERNAL, "budget point %zu of %zu", i, cfg->nbudget_points);
  if (cfg->budget_mode == SPX_BUDGET_SAMPLES) {
    *samples = (size_t)cfg->budget_points[i];
    return SPX_OK;
  }
  return spx_budget_spex_samples(n, cfg->spex_t, (unsigned)cfg->budget_points[i], samples, err);
}

/* ---- dry run ----------------------------------------------------------------------------- */

/* A message about a missing option names only its context ("oracle synthetic: terms:
 * required"); put the position of the table in front so that the file is named too. */
static int locate_error(spx_error *err, int rc, const char *context, const char *where) {
  if (rc != SPX_OK && err != NULL && context != NULL && where != NULL &&
      strncmp(err->msg, context, strlen(context)) == 0)
    spx_error_prefix(err, "%s", where);
  return rc;
}

/* The method's options parsed once (every bad key or value reported), then begin at the
 * smallest budget at which it applies. */
static int dry_run_method(const spx_config *cfg, const spx_config_method *m, size_t n,
                          spx_error *err) {
  spx_options *o = spx_options_clone(m->opts);
  SPX_CHECK_ALLOC(o, err);
  spx_method_config *mc = NULL;
  int rc = spx_method_configure(m->type, n, o, &mc, err);
  size_t best = 0;
  int found = 0;
  for (size_t i = 0; rc == SPX_OK && i < cfg->nbudget_points; i++) {
    size_t samples;
    if ((rc = spx_config_budget_queries(cfg, n, i, &samples, err))) break;
    char why[256];
    if (spx_method_config_applicable(mc, samples, why, sizeof why) && (!found || samples < best)) {
      best = samples;
      found = 1;
    }
  }
  if (rc == SPX_OK && found) {
    gsl_rng *rng = spx_rng_stream(cfg->seed, 0, spx_hash_string(m->type->name), best, 0);
    if (rng == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    void *state = NULL;
    if (rc == SPX_OK) rc = m->type->begin(n, best, mc->cfg, rng, &state, err);
    if (state) m->type->destroy(state);
    gsl_rng_free(rng);
  }
  spx_method_config_destroy(&mc);
  spx_options_destroy(&o);
  return locate_error(err, rc, spx_options_context(m->opts), m->where);
}

int spx_config_dry_run(const spx_config *cfg, spx_error *err) {
  spx_options *opts = spx_config_oracle_options(cfg, 0, err);
  if (opts == NULL) return err ? err->code : SPX_ENOMEM;
  spx_oracle *o = NULL;
  int rc = spx_oracle_open(cfg->oracle, opts, cfg->explicand_first, &o, err);
  spx_options_destroy(&opts);
  if (rc) return locate_error(err, rc, spx_options_context(cfg->oracle_opts), cfg->oracle_where);
  if (cfg->kind == SPX_EXP_RECOVERY && spx_oracle_truth(o) == NULL)
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: oracle.kind: oracle %s has no known truth, which experiment.kind = "
                       "\"recovery\" needs",
                       cfg->oracle_where, cfg->oracle->name);
  size_t n = o->n;
  spx_oracle_destroy(&o);
  for (size_t i = 0; rc == SPX_OK && i < cfg->nmethod; i++)
    rc = dry_run_method(cfg, &cfg->method[i], n, err);
  return rc;
}
