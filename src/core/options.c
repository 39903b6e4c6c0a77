/* options.c: typed option tables shared by the TOML reader and the command line. */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  char *key;
  spx_option_kind kind;
  char *text;  /* scalar text, or the array printed as "[a, b]" */
  char *where; /* location for messages */
  size_t nitems;
  spx_option_kind *item_kinds;
  char **items;
  int used;
} option;

struct spx_options {
  char *context;
  option *opt;
  size_t count, cap;
  char **known; /* keys asked for */
  size_t nknown, capknown;
  const spx_option_decl **decls; /* attached declaration tables */
  size_t ndecls, capdecls;
};

static char *dupstr(const char *s) {
  if (s == NULL) return NULL;
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

spx_options *spx_options_create(const char *context) {
  spx_options *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  o->context = dupstr(context ? context : "options");
  if (o->context == NULL) {
    free(o);
    return NULL;
  }
  return o;
}

static void option_free(option *p) {
  free(p->key);
  free(p->text);
  free(p->where);
  for (size_t i = 0; i < p->nitems; i++) free(p->items[i]);
  free(p->items);
  free(p->item_kinds);
}

void spx_options_destroy(spx_options **opts) {
  if (opts == NULL || *opts == NULL) return;
  spx_options *o = *opts;
  for (size_t i = 0; i < o->count; i++) option_free(&o->opt[i]);
  for (size_t i = 0; i < o->nknown; i++) free(o->known[i]);
  free(o->known);
  free(o->decls);
  free(o->opt);
  free(o->context);
  free(o);
  *opts = NULL;
}

static option *find(const spx_options *o, const char *key) {
  for (size_t i = 0; i < o->count; i++)
    if (strcmp(o->opt[i].key, key) == 0) return &o->opt[i];
  return NULL;
}

void spx_options_known(spx_options *opts, const char *key) {
  for (size_t i = 0; i < opts->nknown; i++)
    if (strcmp(opts->known[i], key) == 0) return;
  if (opts->nknown == opts->capknown) {
    size_t cap = opts->capknown ? 2 * opts->capknown : 16;
    char **k = realloc(opts->known, cap * sizeof *k);
    if (k == NULL) return; /* only affects the hint list */
    opts->known = k;
    opts->capknown = cap;
  }
  char *d = dupstr(key);
  if (d) opts->known[opts->nknown++] = d;
}

/* Slot for key: the existing option (cleared) or a new one. */
static option *slot(spx_options *o, const char *key, const char *where, spx_error *err) {
  option *p = find(o, key);
  if (p != NULL) {
    option_free(p);
  } else {
    if (o->count == o->cap) {
      size_t cap = o->cap ? 2 * o->cap : 8;
      option *n = realloc(o->opt, cap * sizeof *n);
      if (n == NULL) {
        spx_error_set(err, SPX_ENOMEM, "out of memory storing option %s", key);
        return NULL;
      }
      o->opt = n;
      o->cap = cap;
    }
    p = &o->opt[o->count++];
  }
  memset(p, 0, sizeof *p);
  p->key = dupstr(key);
  p->where = dupstr(where ? where : o->context);
  if (p->key == NULL || p->where == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory storing option %s", key);
    return NULL;
  }
  return p;
}

int spx_options_put(spx_options *opts, const char *key, spx_option_kind kind, const char *text,
                    const char *where, spx_error *err) {
  option *p = slot(opts, key, where, err);
  if (p == NULL) return SPX_ENOMEM;
  p->kind = kind;
  p->text = dupstr(text ? text : "");
  SPX_CHECK_ALLOC(p->text, err);
  return SPX_OK;
}

int spx_options_put_array(spx_options *opts, const char *key, size_t count,
                          const spx_option_kind *kinds, const char *const *texts,
                          const char *where, spx_error *err) {
  option *p = slot(opts, key, where, err);
  if (p == NULL) return SPX_ENOMEM;
  p->kind = SPX_OPT_ARRAY;
  p->items = calloc(count ? count : 1, sizeof *p->items);
  p->item_kinds = calloc(count ? count : 1, sizeof *p->item_kinds);
  SPX_CHECK_ALLOC(p->items, err);
  SPX_CHECK_ALLOC(p->item_kinds, err);
  size_t len = 3;
  for (size_t i = 0; i < count; i++) {
    p->items[i] = dupstr(texts[i]);
    SPX_CHECK_ALLOC(p->items[i], err);
    p->item_kinds[i] = kinds[i];
    p->nitems = i + 1;
    len += strlen(texts[i]) + 2;
  }
  p->text = malloc(len);
  SPX_CHECK_ALLOC(p->text, err);
  strcpy(p->text, "[");
  for (size_t i = 0; i < count; i++) {
    if (i) strcat(p->text, ", ");
    strcat(p->text, texts[i]);
  }
  strcat(p->text, "]");
  return SPX_OK;
}

int spx_options_has(const spx_options *opts, const char *key) { return find(opts, key) != NULL; }

int spx_options_used(const spx_options *opts, const char *key) {
  const option *p = find(opts, key);
  return p != NULL && p->used;
}

void spx_options_remove(spx_options *opts, const char *key) {
  option *p = find(opts, key);
  if (p == NULL) return;
  option_free(p);
  size_t i = (size_t)(p - opts->opt);
  memmove(p, p + 1, (opts->count - i - 1) * sizeof *p);
  opts->count--;
}
const char *spx_options_context(const spx_options *opts) { return opts->context; }
size_t spx_options_count(const spx_options *opts) { return opts->count; }

void spx_options_at(const spx_options *opts, size_t i, const char **key, spx_option_kind *kind,
                    const char **text, const char **where) {
  const option *p = &opts->opt[i];
  if (key) *key = p->key;
  if (kind) *kind = p->kind;
  if (text) *text = p->text;
  if (where) *where = p->where;
}

spx_options *spx_options_clone(const spx_options *opts) {
  spx_options *c = spx_options_create(opts->context);
  if (c == NULL) return NULL;
  for (size_t i = 0; i < opts->ndecls; i++)
    if (spx_options_declare(c, opts->decls[i], NULL) != SPX_OK) {
      spx_options_destroy(&c);
      return NULL;
    }
  for (size_t i = 0; i < opts->count; i++) {
    const option *p = &opts->opt[i];
    int rc = p->kind == SPX_OPT_ARRAY
                 ? spx_options_put_array(c, p->key, p->nitems, p->item_kinds,
                                         (const char *const *)p->items, p->where, NULL)
                 : spx_options_put(c, p->key, p->kind, p->text, p->where, NULL);
    if (rc) {
      spx_options_destroy(&c);
      return NULL;
    }
  }
  return c;
}

int spx_options_fail(const spx_options *opts, const char *key, int code, spx_error *err,
                     const char *fmt, ...) {
  if (err == NULL) return code;
  const option *p = find(opts, key);
  char msg[SPX_ERRMSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return spx_error_set(err, code, "%s: %s: %s", p ? p->where : opts->context, key, msg);
}

static const char *kind_name(spx_option_kind k) {
  switch (k) {
  case SPX_OPT_INT: return "an integer";
  case SPX_OPT_FLOAT: return "a number";
  case SPX_OPT_BOOL: return "a boolean";
  case SPX_OPT_STRING: return "a string";
  case SPX_OPT_ARRAY: return "an array";
  case SPX_OPT_TABLE: return "a table";
  default: return "text";
  }
}

/* Scalar parsers on text; return 0 on success. */
static int parse_ll(const char *s, long long *out) {
  if (*s == '\0') return -1;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end != '\0') {
    /* accept integral floats written like 1e3 */
    double d = strtod(s, &end);
    if (*end != '\0' || !isfinite(d) || d != floor(d) || fabs(d) > 9.0e18) return -1;
    v = (long long)d;
  }
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out) {
  if (*s == '\0') return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end != '\0') return -1;
  *out = v;
  return 0;
}

static int parse_bool(const char *s, int *out) {
  if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0) {
    *out = 1;
    return 0;
  }
  if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcasecmp(s, "no") == 0) {
    *out = 0;
    return 0;
  }
  return -1;
}

static option *lookup(spx_options *opts, const char *key) {
  spx_options_known(opts, key);
  option *p = find(opts, key);
  if (p) p->used = 1;
  return p;
}

int spx_options_int(spx_options *opts, const char *key, long long def, long long *out,
                    spx_error *err) {
  option *p = lookup(opts, key);
  if (p == NULL) {
    *out = def;
    return SPX_OK;
  }
  if ((p->kind == SPX_OPT_INT || p->kind == SPX_OPT_TEXT) && parse_ll(p->text, out) == 0)
    return SPX_OK;
  return spx_options_fail(opts, key, SPX_EINVAL, err, "expected an integer, got %s '%s'",
                          kind_name(p->kind), p->text);
}

int spx_options_double(spx_options *opts, const char *key, double def, double *out,
                       spx_error *err) {
  option *p = lookup(opts, key);
  if (p == NULL) {
    *out = def;
    return SPX_OK;
  }
  if ((p->kind == SPX_OPT_INT || p->kind == SPX_OPT_FLOAT || p->kind == SPX_OPT_TEXT) &&
      parse_double(p->text, out) == 0) {
    if (isfinite(*out)) return SPX_OK;
    return spx_options_fail(opts, key, SPX_EINVAL, err, "expected a finite number, got '%s'",
                            p->text);
  }
  return spx_options_fail(opts, key, SPX_EINVAL, err, "expected a number, got %s '%s'",
                          kind_name(p->kind), p->text);
}

int spx_options_bool(spx_options *opts, const char *key, int def, int *out, spx_error *err) {
  option *p = lookup(opts, key);
  if (p == NULL) {
    *out = def;
    return SPX_OK;
  }
  if ((p->kind == SPX_OPT_BOOL || p->kind == SPX_OPT_TEXT) && parse_bool(p->text, out) == 0)
    return SPX_OK;
  return spx_options_fail(opts, key, SPX_EINVAL, err, "expected true or false, got %s '%s'",
                          kind_name(p->kind), p->text);
}

int spx_options_string(spx_options *opts, const char *key, const char *def, const char **out,
                       spx_error *err) {
  option *p = lookup(opts, key);
  if (p == NULL) {
    *out = def;
    return SPX_OK;
  }
  if (p->kind == SPX_OPT_STRING || p->kind == SPX_OPT_TEXT) {
    *out = p->text;
    return SPX_OK;
  }
  return spx_options_fail(opts, key, SPX_EINVAL, err, "expected a string, got %s '%s'",
                          kind_name(p->kind), p->text);
}

int spx_options_choice(spx_options *opts, const char *key, const char *const *choices, int def,
                       int *out, spx_error *err) {
  const char *s;
  int rc = spx_options_string(opts, key, NULL, &s, err);
  if (rc) return rc;
  if (s == NULL) {
    *out = def;
    return SPX_OK;
  }
  char list[512] = "";
  for (int i = 0; choices[i]; i++) {
    if (strcmp(s, choices[i]) == 0) {
      *out = i;
      return SPX_OK;
    }
    if (strlen(list) + strlen(choices[i]) + 8 < sizeof list) {
      if (i) strcat(list, ", ");
      strcat(list, "\"");
      strcat(list, choices[i]);
      strcat(list, "\"");
    }
  }
  return spx_options_fail(opts, key, SPX_EINVAL, err, "'%s' is not one of %s", s, list);
}

/* Split the elements of an array option (typed items, or text "a,b" / "[a, b]"). Calls fn on
 * each element text; stops at the first failure. */
typedef int (*elem_fn)(const char *text, size_t i, void *ctx);

static int for_each_elem(option *p, elem_fn fn, void *ctx, size_t *count) {
  *count = 0;
  if (p->kind == SPX_OPT_ARRAY) {
    for (size_t i = 0; i < p->nitems; i++) {
      if (fn(p->items[i], i, ctx)) return -1;
      (*count)++;
    }
    return 0;
  }
  if (p->kind != SPX_OPT_TEXT) return -1;
  char *buf = dupstr(p->text);
  if (buf == NULL) return -1;
  char *s = buf;
  while (*s == ' ') s++;
  if (*s == '[') s++;
  char *close = strrchr(s, ']');
  if (close) *close = '\0';
  int rc = 0;
  char *save = NULL;
  for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    size_t len = strlen(tok);
    while (len && tok[len - 1] == ' ') tok[--len] = '\0';
    if (fn(tok, *count, ctx)) {
      rc = -1;
      break;
    }
    (*count)++;
  }
  free(buf);
  return rc;
}

typedef struct {
  void *out;
  size_t max;
} arr_ctx;

static int put_double(const char *t, size_t i, void *vctx) {
  arr_ctx *c = vctx;
  double v;
  if (i >= c->max || parse_double(t, &v) || !isfinite(v)) return -1;
  ((double *)c->out)[i] = v;
  return 0;
}

static int put_ll(const char *t, size_t i, void *vctx) {
  arr_ctx *c = vctx;
  long long v;
  if (i >= c->max || parse_ll(t, &v)) return -1;
  ((long long *)c->out)[i] = v;
  return 0;
}

int spx_options_double_array(spx_options *opts, const char *key, double *out, size_t max,
                             size_t *count, spx_error *err) {
  option *p = lookup(opts, key);
  *count = 0;
  if (p == NULL) return SPX_OK;
  arr_ctx c = {out, max};
  if (for_each_elem(p, put_double, &c, count) == 0) return SPX_OK;
  return spx_options_fail(opts, key, SPX_EINVAL, err,
                          "expected an array of at most %zu numbers, got '%s'", max, p->text);
}

int spx_options_int_array(spx_options *opts, const char *key, long long *out, size_t max,
                          size_t *count, spx_error *err) {
  option *p = lookup(opts, key);
  *count = 0;
  if (p == NULL) return SPX_OK;
  arr_ctx c = {out, max};
  if (for_each_elem(p, put_ll, &c, count) == 0) return SPX_OK;
  return spx_options_fail(opts, key, SPX_EINVAL, err,
                          "expected an array of at most %zu integers, got '%s'", max, p->text);
}

typedef struct {
  char **items;
  size_t cap;
} str_ctx;

static int put_str(const char *t, size_t i, void *vctx) {
  str_ctx *c = vctx;
  if (i >= c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    char **n = realloc(c->items, cap * sizeof *n);
    if (n == NULL) return -1;
    c->items = n;
    c->cap = cap;
  }
  c->items[i] = dupstr(t);
  return c->items[i] ? 0 : -1;
}

int spx_options_string_array(spx_options *opts, const char *key, char ***out, size_t *count,
                             spx_error *err) {
  option *p = lookup(opts, key);
  *out = NULL;
  *count = 0;
  if (p == NULL) return SPX_OK;
  int typed_ok = p->kind == SPX_OPT_TEXT;
  if (p->kind == SPX_OPT_ARRAY) {
    typed_ok = 1;
    for (size_t i = 0; i < p->nitems; i++)
      if (p->item_kinds[i] != SPX_OPT_STRING && p->item_kinds[i] != SPX_OPT_TEXT)
        return spx_options_fail(opts, key, SPX_EINVAL, err,
                                "expected an array of strings, but element %zu is %s '%s'",
                                i + 1, kind_name(p->item_kinds[i]), p->items[i]);
  }
  if (!typed_ok)
    return spx_options_fail(opts, key, SPX_EINVAL, err,
                            "expected an array of strings, got %s '%s'", kind_name(p->kind),
                            p->text);
  str_ctx c = {NULL, 0};
  size_t n = 0;
  if (for_each_elem(p, put_str, &c, &n) != 0) {
    for (size_t i = 0; i < n; i++) free(c.items[i]);
    free(c.items);
    return spx_error_set(err, SPX_ENOMEM, "out of memory reading option %s", key);
  }
  if (n == 0) { /* an empty array: return a valid (empty) allocation */
    free(c.items);
    c.items = malloc(sizeof *c.items);
    SPX_CHECK_ALLOC(c.items, err);
  }
  *out = c.items;
  *count = n;
  return SPX_OK;
}

int spx_options_int_range(spx_options *opts, const char *key, long long def, long long lo,
                          long long hi, long long *out, spx_error *err) {
  int rc = spx_options_int(opts, key, def, out, err);
  if (rc) return rc;
  if (*out < lo || *out > hi)
    return spx_options_fail(opts, key, SPX_ERANGE, err, "%lld is out of range [%lld, %lld]",
                            *out, lo, hi);
  return SPX_OK;
}

int spx_options_double_range(spx_options *opts, const char *key, double def, double lo,
                             double hi, double *out, spx_error *err) {
  int rc = spx_options_double(opts, key, def, out, err);
  if (rc) return rc;
  if (!(*out >= lo && *out <= hi))
    return spx_options_fail(opts, key, SPX_ERANGE, err, "%g is out of range [%g, %g]", *out, lo,
                            hi);
  return SPX_OK;
}

int spx_options_check_unused(const spx_options *opts, spx_error *err) {
  for (size_t i = 0; i < opts->count; i++) {
    if (opts->opt[i].used) continue;
    int known = 0;
    for (size_t k = 0; k < opts->nknown; k++)
      if (strcmp(opts->known[k], opts->opt[i].key) == 0) known = 1;
    if (known) continue;
    char list[600] = "";
    for (size_t k = 0; k < opts->nknown; k++) {
      if (strlen(list) + strlen(opts->known[k]) + 4 >= sizeof list) break;
      if (k) strcat(list, ", ");
      strcat(list, opts->known[k]);
    }
    return spx_error_set(err, SPX_EINVAL, "%s: %s: unknown key for %s (known keys: %s)",
                         opts->opt[i].where, opts->opt[i].key, opts->context,
                         opts->nknown ? list : "none");
  }
  return SPX_OK;
}

/* ---- declared options ------------------------------------------------------------------------ */

static void known_rows(spx_options *opts, const spx_option_decl *d) {
  for (; d && d->kind != SPX_DECL_END; d++) {
    if (d->kind == SPX_DECL_INCLUDE)
      known_rows(opts, d->include);
    else
      spx_options_known(opts, d->name);
  }
}

int spx_options_declare(spx_options *opts, const spx_option_decl *decls, spx_error *err) {
  if (decls == NULL) return SPX_OK;
  for (size_t i = 0; i < opts->ndecls; i++)
    if (opts->decls[i] == decls) return SPX_OK;
  if (opts->ndecls == opts->capdecls) {
    size_t cap = opts->capdecls ? 2 * opts->capdecls : 4;
    const spx_option_decl **d = realloc(opts->decls, cap * sizeof *d);
    if (d == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory declaring options");
    opts->decls = d;
    opts->capdecls = cap;
  }
  opts->decls[opts->ndecls++] = decls;
  known_rows(opts, decls);
  return SPX_OK;
}

const spx_option_decl *spx_option_decl_find(const spx_option_decl *decls, const char *key) {
  for (const spx_option_decl *d = decls; d && d->kind != SPX_DECL_END; d++) {
    if (d->kind == SPX_DECL_INCLUDE) {
      const spx_option_decl *f = spx_option_decl_find(d->include, key);
      if (f) return f;
    } else if (strcmp(d->name, key) == 0) {
      return d;
    }
  }
  return NULL;
}

const spx_option_decl *spx_options_decl_of(const spx_options *opts, const char *key) {
  for (size_t i = 0; i < opts->ndecls; i++) {
    const spx_option_decl *d = spx_option_decl_find(opts->decls[i], key);
    if (d) return d;
  }
  return NULL;
}

/* The declaration of key (or an internal error: a component read a key it did not declare). */
static const spx_option_decl *declared(spx_options *opts, const char *key, spx_error *err) {
  const spx_option_decl *d = spx_options_decl_of(opts, key);
  if (d == NULL)
    spx_error_set(err, SPX_EINTERNAL, "%s: option '%s' is read but not declared (a bug)",
                  opts->context, key);
  return d;
}

static int bad_default(const spx_options *opts, const spx_option_decl *d, spx_error *err) {
  return spx_error_set(err, SPX_EINTERNAL, "%s: option '%s': declared default '%s' is not valid",
                       opts->context, d->name, d->def ? d->def : "");
}

/* "in [lo, hi]", "at least lo", "at most hi" for messages. */
static void range_text(const spx_option_decl *d, char *buf, size_t len) {
  if (isfinite(d->min) && isfinite(d->max))
    snprintf(buf, len, "out of range [%.10g, %.10g]", d->min, d->max);
  else if (isfinite(d->min))
    snprintf(buf, len, "out of range (must be >= %.10g)", d->min);
  else
    snprintf(buf, len, "out of range (must be <= %.10g)", d->max);
}

static int in_range(const spx_option_decl *d, double v) {
  return v >= d->min && v <= d->max;
}

int spx_opt_int(spx_options *opts, const char *key, long long *out, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  int present = spx_options_has(opts, key);
  int rc = spx_options_int(opts, key, 0, out, err);
  if (rc) return rc;
  if (!present) {
    if (d->def == NULL) return SPX_OK;
    if (parse_ll(d->def, out) != 0) return bad_default(opts, d, err);
  }
  if (!in_range(d, (double)*out)) {
    char r[96];
    range_text(d, r, sizeof r);
    return spx_options_fail(opts, key, SPX_ERANGE, err, "%lld is %s", *out, r);
  }
  return SPX_OK;
}

int spx_opt_double(spx_options *opts, const char *key, double *out, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  int present = spx_options_has(opts, key);
  int rc = spx_options_double(opts, key, 0.0, out, err);
  if (rc) return rc;
  if (!present) {
    if (d->def == NULL) return SPX_OK;
    if (parse_double(d->def, out) != 0) return bad_default(opts, d, err);
  }
  if (!in_range(d, *out)) {
    char r[96];
    range_text(d, r, sizeof r);
    return spx_options_fail(opts, key, SPX_ERANGE, err, "%.17g is %s", *out, r);
  }
  return SPX_OK;
}

int spx_opt_bool(spx_options *opts, const char *key, int *out, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  int present = spx_options_has(opts, key);
  int rc = spx_options_bool(opts, key, 0, out, err);
  if (rc || present || d->def == NULL) return rc;
  return parse_bool(d->def, out) == 0 ? SPX_OK : bad_default(opts, d, err);
}

int spx_opt_string(spx_options *opts, const char *key, const char **out, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  return spx_options_string(opts, key, d->def, out, err);
}

int spx_opt_choice(spx_options *opts, const char *key, int *out, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  if (d->choices == NULL) return bad_default(opts, d, err);
  int def = -1;
  for (int i = 0; d->def && d->choices[i]; i++)
    if (strcmp(d->choices[i], d->def) == 0) def = i;
  if (d->def && def < 0) return bad_default(opts, d, err);
  return spx_options_choice(opts, key, d->choices, def, out, err);
}

int spx_opt_require(spx_options *opts, const char *key, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  if (spx_options_has(opts, key)) return SPX_OK;
  return spx_options_fail(opts, key, SPX_EINVAL, err, "required: %s", d->help ? d->help : "");
}

/* Read a list: the given value, else the declared default parsed as command-line text. */
static int opt_list(spx_options *opts, const char *key, elem_fn fn, void *out, size_t max,
                    size_t *count, const char *what, spx_error *err) {
  const spx_option_decl *d = declared(opts, key, err);
  if (d == NULL) return SPX_EINTERNAL;
  option *p = lookup(opts, key);
  *count = 0;
  option def = {0};
  if (p == NULL) {
    if (d->def == NULL) return SPX_OK;
    def.kind = SPX_OPT_TEXT;
    def.text = (char *)d->def;
    p = &def;
  }
  arr_ctx c = {out, max};
  if (for_each_elem(p, fn, &c, count) != 0) {
    if (p == &def) return bad_default(opts, d, err);
    return spx_options_fail(opts, key, SPX_EINVAL, err, "expected an array of at most %zu %s, got '%s'",
                            max, what, p->text);
  }
  for (size_t i = 0; i < *count; i++) {
    double v = fn == put_double ? ((double *)out)[i] : (double)((long long *)out)[i];
    if (!in_range(d, v)) {
      char r[96];
      range_text(d, r, sizeof r);
      return spx_options_fail(opts, key, SPX_ERANGE, err, "element %zu (%.17g) is %s", i + 1, v, r);
    }
  }
  return SPX_OK;
}

int spx_opt_double_list(spx_options *opts, const char *key, double *out, size_t max,
                        size_t *count, spx_error *err) {
  return opt_list(opts, key, put_double, out, max, count, "numbers", err);
}

int spx_opt_int_list(spx_options *opts, const char *key, long long *out, size_t max,
                     size_t *count, spx_error *err) {
  return opt_list(opts, key, put_ll, out, max, count, "integers", err);
}

static const char *decl_kind_name(spx_decl_kind k) {
  switch (k) {
  case SPX_DECL_INT: return "integer";
  case SPX_DECL_FLOAT: return "number";
  case SPX_DECL_BOOL: return "boolean";
  case SPX_DECL_STRING: return "string";
  case SPX_DECL_CHOICE: return "choice";
  case SPX_DECL_INT_LIST: return "integers";
  case SPX_DECL_FLOAT_LIST: return "numbers";
  case SPX_DECL_STRING_LIST: return "strings";
  default: return "value";
  }
}

void spx_option_decls_print(FILE *out, const spx_option_decl *decls, const char *indent) {
  for (const spx_option_decl *d = decls; d && d->kind != SPX_DECL_END; d++) {
    if (d->kind == SPX_DECL_INCLUDE) {
      spx_option_decls_print(out, d->include, indent);
      continue;
    }
    char type[160] = "";
    if (d->kind == SPX_DECL_CHOICE && d->choices) {
      for (int i = 0; d->choices[i]; i++) {
        if (strlen(type) + strlen(d->choices[i]) + 4 >= sizeof type) break;
        if (i) strcat(type, "|");
        strcat(type, d->choices[i]);
      }
    } else {
      snprintf(type, sizeof type, "%s", decl_kind_name(d->kind));
      if (d->kind == SPX_DECL_INT || d->kind == SPX_DECL_FLOAT || d->kind == SPX_DECL_INT_LIST ||
          d->kind == SPX_DECL_FLOAT_LIST) {
        size_t l = strlen(type);
        int integer = d->kind == SPX_DECL_INT || d->kind == SPX_DECL_INT_LIST;
        /* integer bounds beyond 2^53 mean "no limit" in practice */
        int has_min = isfinite(d->min) && !(integer && d->min <= -9e15);
        int has_max = isfinite(d->max) && !(integer && d->max >= 9e15);
        const char *f = integer ? "%.0f" : "%g";
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, f, d->min);
        snprintf(hi, sizeof hi, f, d->max);
        if (has_min && has_max)
          snprintf(type + l, sizeof type - l, " in [%s, %s]", lo, hi);
        else if (has_min)
          snprintf(type + l, sizeof type - l, " >= %s", lo);
        else if (has_max)
          snprintf(type + l, sizeof type - l, " <= %s", hi);
      }
    }
    fprintf(out, "%s%-16s %-28s %-18s %s\n", indent ? indent : "", d->name, type,
            d->def ? d->def : "-", d->help ? d->help : "");
  }
}

void spx_option_decls_names(const spx_option_decl *decls, char *buf, size_t len) {
  if (len == 0) return;
  size_t used = strlen(buf);
  for (const spx_option_decl *d = decls; d && d->kind != SPX_DECL_END; d++) {
    if (d->kind == SPX_DECL_INCLUDE) {
      spx_option_decls_names(d->include, buf, len);
      used = strlen(buf);
      continue;
    }
    if (used + strlen(d->name) + 3 >= len) return;
    if (used) strcat(buf, ", ");
    strcat(buf, d->name);
    used = strlen(buf);
  }
}

/* ---- resolved options as TOML ---------------------------------------------------------------- */

typedef struct {
  char *s;
  size_t len, cap;
  int failed;
} sbuf;

static void sb_add(sbuf *b, const char *t) {
  size_t l = strlen(t);
  if (b->failed) return;
  if (b->len + l + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + l + 1) cap *= 2;
    char *n = realloc(b->s, cap);
    if (n == NULL) {
      b->failed = 1;
      return;
    }
    b->s = n;
    b->cap = cap;
  }
  memcpy(b->s + b->len, t, l + 1);
  b->len += l;
}

char *spx_options_quote(const char *s) {
  char *q = malloc(6 * strlen(s) + 3);
  if (q == NULL) return NULL;
  char *p = q;
  *p++ = '"';
  for (; *s; s++) {
    unsigned char u = (unsigned char)*s;
    if (u == '"' || u == '\\') {
      *p++ = '\\';
      *p++ = (char)u;
    } else if (u < 0x20 || u == 0x7f) {
      p += sprintf(p, "\\u%04x", u);
    } else {
      *p++ = (char)u;
    }
  }
  *p++ = '"';
  *p = '\0';
  return q;
}

static void sb_quoted(sbuf *b, const char *s) {
  char *q = spx_options_quote(s);
  if (q == NULL) b->failed = 1;
  else sb_add(b, q);
  free(q);
}

static void sb_key(sbuf *b, const char *key) {
  int bare = *key != '\0';
  for (const char *k = key; *k; k++)
    if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
          *k == '_' || *k == '-'))
      bare = 0;
  if (bare)
    sb_add(b, key);
  else
    sb_quoted(b, key);
}

static int text_is_number(const char *t) {
  double v;
  return parse_double(t, &v) == 0;
}

/* One scalar: quoted when it is a string (typed, declared, or text that is not a number or
 * boolean for an undeclared key). */
static void sb_scalar(sbuf *b, const char *text, spx_option_kind kind, const spx_option_decl *d) {
  int quote;
  if (kind == SPX_OPT_STRING)
    quote = 1;
  else if (kind != SPX_OPT_TEXT)
    quote = 0;
  else if (d && (d->kind == SPX_DECL_STRING || d->kind == SPX_DECL_CHOICE ||
                 d->kind == SPX_DECL_STRING_LIST))
    quote = 1;
  else if (d && d->kind != SPX_DECL_ANY)
    quote = 0;
  else {
    int bv;
    quote = !(text_is_number(text) || parse_bool(text, &bv) == 0);
  }
  if (quote)
    sb_quoted(b, text);
  else
    sb_add(b, text);
}

static int elem_to_sb(const char *t, size_t i, void *vctx) {
  void **c = vctx;
  sbuf *b = c[0];
  if (i) sb_add(b, ", ");
  sb_scalar(b, t, SPX_OPT_TEXT, c[1]);
  return 0;
}

static void sb_value(sbuf *b, option *p, const spx_option_decl *d) {
  int list = p->kind == SPX_OPT_ARRAY ||
             (p->kind == SPX_OPT_TEXT && d &&
              (d->kind == SPX_DECL_INT_LIST || d->kind == SPX_DECL_FLOAT_LIST ||
               d->kind == SPX_DECL_STRING_LIST));
  if (p->kind == SPX_OPT_TABLE) {
    sb_add(b, p->text);
  } else if (!list) {
    sb_scalar(b, p->text, p->kind, d);
  } else if (p->kind == SPX_OPT_ARRAY) {
    sb_add(b, "[");
    for (size_t i = 0; i < p->nitems; i++) {
      if (i) sb_add(b, ", ");
      sb_scalar(b, p->items[i], p->item_kinds[i], d);
    }
    sb_add(b, "]");
  } else {
    size_t count;
    void *ctx[2] = {b, (void *)d};
    sb_add(b, "[");
    for_each_elem(p, elem_to_sb, ctx, &count);
    sb_add(b, "]");
  }
}

static void resolved_rows(const spx_options *opts, const spx_option_decl *decls, sbuf *b,
                          const char ***seen, size_t *nseen) {
  for (const spx_option_decl *d = decls; d && d->kind != SPX_DECL_END; d++) {
    if (d->kind == SPX_DECL_INCLUDE) {
      resolved_rows(opts, d->include, b, seen, nseen);
      continue;
    }
    int dup = 0;
    for (size_t i = 0; i < *nseen; i++)
      if (strcmp((*seen)[i], d->name) == 0) dup = 1;
    if (dup) continue;
    const char **ns = realloc(*seen, (*nseen + 1) * sizeof *ns);
    if (ns == NULL) {
      b->failed = 1;
      return;
    }
    *seen = ns;
    ns[(*nseen)++] = d->name;
    option *p = find(opts, d->name);
    option def = {0};
    if (p == NULL) {
      if (d->def == NULL) continue;
      def.kind = SPX_OPT_TEXT;
      def.text = (char *)d->def;
      p = &def;
    }
    sb_key(b, d->name);
    sb_add(b, " = ");
    sb_value(b, p, d);
    sb_add(b, "\n");
  }
}

int spx_options_resolved(const spx_options *opts, char **out, spx_error *err) {
  sbuf b = {0};
  const char **seen = NULL;
  size_t nseen = 0;
  sb_add(&b, "");
  for (size_t i = 0; i < opts->ndecls; i++) resolved_rows(opts, opts->decls[i], &b, &seen, &nseen);
  for (size_t i = 0; i < opts->count; i++) {
    if (spx_options_decl_of(opts, opts->opt[i].key)) continue;
    sb_key(&b, opts->opt[i].key);
    sb_add(&b, " = ");
    sb_value(&b, &opts->opt[i], NULL);
    sb_add(&b, "\n");
  }
  free(seen);
  if (b.failed) {
    free(b.s);
    return spx_error_set(err, SPX_ENOMEM, "out of memory printing the resolved options");
  }
  *out = b.s;
  return SPX_OK;
}
