/* grid_provenance.c: what the grid records about each run in its result file
 * (src/io/provenance.h): the command line, the versions of spex-bench and its libraries
 * (Open MPI, GSL, XGBoost; HDF5 is added by provenance.c; the node packages of oracles/), the
 * resolved options of the oracle and every method (spx_options_resolved: declared defaults
 * included), and the input files named by those options, hashed. */
#include <dirent.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_version.h>

#include "core/blas_setup.h"
#include "grid_internal.h"
#include "spx_git_commit.h" /* SPX_GIT_COMMIT, generated (CMakeLists.txt) */
#include "io/provenance.h"
#include "model/xgb.h"
#include "oracle/oracle.h"
#include "oracle/textdata.h"

#ifndef SPX_SOURCE_DIR
#define SPX_SOURCE_DIR "."
#endif

/* A growing list of owned strings. */
typedef struct {
  char **s;
  size_t n, cap;
} strlist;

static int push(strlist *l, char *s) { /* takes s */
  if (s == NULL) return -1;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **p = realloc(l->s, cap * sizeof *p);
    if (p == NULL) {
      free(s);
      return -1;
    }
    l->s = p;
    l->cap = cap;
  }
  l->s[l->n++] = s;
  return 0;
}

static char *dup_str(const char *s) {
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

static char *fmt(const char *f, const char *a, const char *b) {
  size_t len = strlen(f) + strlen(a) + (b ? strlen(b) : 0) + 1;
  char *d = malloc(len);
  if (d) snprintf(d, len, f, a, b ? b : "");
  return d;
}

static void strlist_free(strlist *l) {
  for (size_t k = 0; k < l->n; k++) free(l->s[k]);
  free(l->s);
  l->s = NULL;
  l->n = l->cap = 0;
}

/* ---- the command line ----------------------------------------------------------------------- */

/* argv of this process (/proc/self/cmdline), each word shell-quoted when it needs it. */
static char *command_line(void) {
  FILE *f = fopen("/proc/self/cmdline", "rb");
  if (f == NULL) return dup_str("unknown (no /proc/self/cmdline)");
  size_t cap = 4096, len = 0;
  char *raw = malloc(cap);
  int c;
  while (raw && (c = fgetc(f)) != EOF) {
    if (len + 1 >= cap) {
      char *p = realloc(raw, cap *= 2);
      if (p == NULL) {
        free(raw);
        raw = NULL;
        break;
      }
      raw = p;
    }
    raw[len++] = (char)c;
  }
  fclose(f);
  if (raw == NULL) return NULL;
  char *out = malloc(4 * len + 16);
  if (out == NULL) {
    free(raw);
    return NULL;
  }
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    const char *w = raw + i;
    size_t wl = strnlen(w, len - i);
    int plain = wl > 0;
    for (size_t k = 0; k < wl; k++)
      if (!(strchr("-_./=:,+@%", w[k]) || (w[k] >= '0' && w[k] <= '9') ||
            (w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z')))
        plain = 0;
    if (o) out[o++] = ' ';
    if (plain) {
      memcpy(out + o, w, wl);
      o += wl;
    } else { /* 'word' with each ' as '\'' */
      out[o++] = '\'';
      for (size_t k = 0; k < wl; k++) {
        if (w[k] == '\'') {
          memcpy(out + o, "'\\''", 4);
          o += 4;
        } else {
          out[o++] = w[k];
        }
      }
      out[o++] = '\'';
    }
    i += wl + 1;
  }
  out[o] = '\0';
  free(raw);
  return out;
}

/* ---- versions ------------------------------------------------------------------------------- */

/* "name version" of each dependency of DIR/package.json as installed in DIR/node_modules. */
static int node_packages(const char *dir, const char *label, strlist *names, strlist *values) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/package.json", dir) >= (int)sizeof path) return 0;
  char *text = NULL;
  size_t len = 0;
  spx_error e = {0};
  if (spx_file_read(path, &text, &len, &e) != SPX_OK) return 0; /* no package here */
  cJSON *root = cJSON_Parse(text);
  free(text);
  cJSON *deps = root ? cJSON_GetObjectItemCaseSensitive(root, "dependencies") : NULL;
  int rc = 0;
  cJSON *d;
  cJSON_ArrayForEach(d, deps) {
    char ipath[4096], *itext = NULL, value[512];
    size_t ilen = 0;
    if (snprintf(ipath, sizeof ipath, "%s/node_modules/%s/package.json", dir, d->string) >=
        (int)sizeof ipath)
      continue;
    const char *wanted = cJSON_IsString(d) ? d->valuestring : "?";
    cJSON *inst = NULL;
    if (spx_file_read(ipath, &itext, &ilen, &e) == SPX_OK) {
      inst = cJSON_Parse(itext);
      free(itext);
    }
    cJSON *v = inst ? cJSON_GetObjectItemCaseSensitive(inst, "version") : NULL;
    if (cJSON_IsString(v))
      snprintf(value, sizeof value, "%s (installed in %s; package.json asks %s)", v->valuestring,
               label, wanted);
    else
      snprintf(value, sizeof value, "not installed (%s/package.json asks %s)", label, wanted);
    cJSON_Delete(inst);
    if (push(names, fmt("node %s", d->string, NULL)) || push(values, dup_str(value))) {
      rc = -1;
      break;
    }
  }
  cJSON_Delete(root);
  return rc;
}

static int versions(strlist *names, strlist *values) {
  char buf[512];
  int bad = push(names, dup_str("spex_bench")) | push(values, dup_str(SPX_VERSION));
  bad |= push(names, dup_str("git_commit")) | push(values, dup_str(SPX_GIT_COMMIT));
  spx_par_library_version(buf, sizeof buf);
  bad |= push(names, dup_str("mpi")) | push(values, dup_str(buf));
  bad |= push(names, dup_str("gsl")) | push(values, dup_str(gsl_version));
  spx_blas_describe(buf, sizeof buf);
  bad |= push(names, dup_str("blas")) | push(values, dup_str(buf));
  spx_xgb_version(buf, sizeof buf);
  bad |= push(names, dup_str("xgboost")) | push(values, dup_str(buf));
  /* every oracles/<dir>/package.json of the source tree */
  char root[4096];
  snprintf(root, sizeof root, "%s/oracles", SPX_SOURCE_DIR);
  DIR *dir = opendir(root);
  if (dir) {
    struct dirent *ent;
    strlist dirs = {0};
    while ((ent = readdir(dir)) != NULL)
      if (ent->d_name[0] != '.') bad |= push(&dirs, dup_str(ent->d_name));
    closedir(dir);
    /* readdir order is arbitrary: sort for a stable file */
    for (size_t i = 1; i < dirs.n; i++)
      for (size_t j = i; j > 0 && strcmp(dirs.s[j - 1], dirs.s[j]) > 0; j--) {
        char *t = dirs.s[j];
        dirs.s[j] = dirs.s[j - 1];
        dirs.s[j - 1] = t;
      }
    for (size_t i = 0; i < dirs.n && !bad; i++) {
      char path[4096 + 256], label[300];
      snprintf(path, sizeof path, "%s/%s", root, dirs.s[i]);
      snprintf(label, sizeof label, "oracles/%s", dirs.s[i]);
      bad |= node_packages(path, label, names, values);
    }
    strlist_free(&dirs);
  }
  return bad ? -1 : 0;
}

/* spex-bench --version: the same list as /meta/runs/k/versions, HDF5 included. */
int spx_print_versions(FILE *out) {
  static const struct {
    const char *name, *label;
  } labels[] = {{"mpi", "MPI"}, {"gsl", "GSL"}, {"blas", "BLAS"}, {"xgboost", "XGBoost"}};
  strlist names = {0}, values = {0};
  if (versions(&names, &values)) {
    strlist_free(&names);
    strlist_free(&values);
    return -1;
  }
  fprintf(out, "spex-bench %s (commit %s)\n", SPX_VERSION, SPX_GIT_COMMIT);
  for (size_t k = 0; k < names.n; k++) {
    const char *label = names.s[k];
    if (strcmp(label, "spex_bench") == 0 || strcmp(label, "git_commit") == 0) continue;
    for (size_t j = 0; j < sizeof labels / sizeof labels[0]; j++)
      if (strcmp(label, labels[j].name) == 0) label = labels[j].label;
    fprintf(out, "  %-8s %s\n", label, values.s[k]);
  }
  char h5v[48];
  spx_provenance_hdf5_version(h5v, sizeof h5v);
  fprintf(out, "  %-8s %s\n", "HDF5", h5v);
  strlist_free(&names);
  strlist_free(&values);
  return 0;
}

/* ---- options and input files ------------------------------------------------------------------ */

static char *resolved(const spx_options *given, const spx_option_decl *a, const spx_option_decl *b,
                      spx_error *err) {
  spx_options *o = spx_options_clone(given);
  char *text = NULL;
  int rc = o ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK && a) rc = spx_options_declare(o, a, err);
  if (rc == SPX_OK && b) rc = spx_options_declare(o, b, err);
  if (rc == SPX_OK) rc = spx_options_resolved(o, &text, err);
  spx_options_destroy(&o);
  return rc == SPX_OK ? text : NULL;
}

/* The file a path names as the oracles open it: as given, else under the source tree. A
 * regular file that is not executable (data, scripts; not interpreters) -> 1. */
static int input_file(const char *given, char *out, size_t len) {
  struct stat st;
  if (given[0] == '\0' || strlen(given) >= len - strlen(SPX_SOURCE_DIR) - 2) return 0;
  snprintf(out, len, "%s", given);
  if (stat(out, &st) != 0 && given[0] != '/') snprintf(out, len, "%s/%s", SPX_SOURCE_DIR, given);
  if (stat(out, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0;
}

typedef struct {
  strlist option, path, origin;
} inputs;

/* origin: "given" (named by an option's value) or "default" (the oracle's built-in file). */
static int add_input_from(inputs *in, const char *option, const char *path, const char *origin) {
  for (size_t k = 0; k < in->path.n; k++)
    if (strcmp(in->path.s[k], path) == 0) return 0;
  if (push(&in->option, dup_str(option))) return -1;
  if (push(&in->path, dup_str(path))) {
    free(in->option.s[--in->option.n]);
    return -1;
  }
  if (push(&in->origin, dup_str(origin))) {
    free(in->option.s[--in->option.n]);
    free(in->path.s[--in->path.n]);
    return -1;
  }
  return 0;
}

static int add_input(inputs *in, const char *option, const char *path) {
  return add_input_from(in, option, path, "given");
}

/* spx_oracle_input_fn: a file the oracle reads, as "oracle.<key>". */
static int add_oracle_input(void *ctx, const char *key, const char *path, int is_default) {
  char option[300];
  snprintf(option, sizeof option, "oracle.%s", key);
  return add_input_from(ctx, option, path, is_default ? "default" : "given");
}

/* word with "{e}" replaced by e */
static char *expand(const char *word, size_t e) {
  char num[32];
  snprintf(num, sizeof num, "%zu", e);
  size_t count = 0;
  for (const char *p = strstr(word, "{e}"); p; p = strstr(p + 3, "{e}")) count++;
  char *out = malloc(strlen(word) + count * strlen(num) + 1);
  if (out == NULL) return NULL;
  char *o = out;
  for (const char *p = word; *p;) {
    if (strncmp(p, "{e}", 3) == 0) {
      o += sprintf(o, "%s", num);
      p += 3;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

/* Every file named by a string value (or a word of it) of the resolved TOML lines. */
static int scan_inputs(const spx_config *cfg, const char *owner, const char *text, inputs *in) {
  const size_t max_expl = 1000;
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t ll = end ? (size_t)(end - line) : strlen(line);
    const char *eq = memchr(line, '=', ll);
    char key[256];
    snprintf(key, sizeof key, "%s.%.*s", owner, eq ? (int)(eq - line) : 0, line);
    for (char *k = key + strlen(key); k > key && k[-1] == ' '; k--) k[-1] = '\0';
    /* each "..." of the value */
    for (const char *p = eq ? eq + 1 : line + ll; p < line + ll; p++) {
      if (*p != '"') continue;
      char val[4096];
      size_t v = 0;
      for (p++; p < line + ll && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < line + ll) p++;
        if (v + 1 < sizeof val) val[v++] = *p;
      }
      val[v] = '\0';
      /* the whole value, then each of its words when it has several */
      char words[4096], *save = NULL;
      snprintf(words, sizeof words, "%s", val);
      const char *cand = val;
      int split = strpbrk(val, " \t") != NULL;
      while (cand) {
        size_t ne = strstr(cand, "{e}") ? cfg->explicand_count : 1;
        if (ne > max_expl) ne = max_expl;
        for (size_t i = 0; i < ne; i++) {
          char *x = strstr(cand, "{e}")
                        ? expand(cand, cfg->explicand_first + i * cfg->explicand_stride)
                        : dup_str(cand);
          char path[4096 + 64];
          if (x == NULL) return -1;
          int bad = input_file(x, path, sizeof path) && add_input(in, key, path);
          free(x);
          if (bad) return -1;
        }
        if (!split) break;
        cand = strtok_r(cand == val ? words : NULL, " \t", &save);
      }
    }
    line = end ? end + 1 : NULL;
  }
  return 0;
}

/* ---- begin / end ---------------------------------------------------------------------------- */

int grid_provenance_begin(coordinator *c, spx_par *par, const char *start, spx_error *err) {
  const spx_config *cfg = c->cfg;
  strlist vn = {0}, vv = {0}, on = {0}, ot = {0};
  inputs in = {{0}, {0}, {0}};
  int rc = versions(&vn, &vv) ? spx_error_set(err, SPX_ENOMEM, "out of memory") : SPX_OK;
  if (rc == SPX_OK) {
    char *t = resolved(cfg->oracle_opts, spx_oracle_common_options, cfg->oracle->options, err);
    if (t == NULL || push(&on, dup_str("oracle")) || push(&ot, t))
      rc = err->code ? err->code : spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK && scan_inputs(cfg, "oracle", t, &in))
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  /* the files the oracle reads that no option value names (its built-in defaults) */
  if (rc == SPX_OK) {
    spx_options *o = spx_options_clone(cfg->oracle_opts);
    if (o == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK) rc = spx_oracle_inputs(cfg->oracle, o, add_oracle_input, &in, err);
    spx_options_destroy(&o);
  }
  for (size_t m = 0; rc == SPX_OK && m < cfg->nmethod; m++) {
    char *t = resolved(cfg->method[m].opts, cfg->method[m].type->options, NULL, err);
    if (t == NULL || push(&on, fmt("method.%s", cfg->method[m].label, NULL)) || push(&ot, t)) {
      rc = err->code ? err->code : spx_error_set(err, SPX_ENOMEM, "out of memory");
      break;
    }
    char owner[300];
    snprintf(owner, sizeof owner, "method.%s", cfg->method[m].label);
    if (scan_inputs(cfg, owner, t, &in)) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  char *cmd = rc == SPX_OK ? command_line() : NULL;
  if (rc == SPX_OK && cmd == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  spx_provenance_input *pin = NULL;
  if (rc == SPX_OK && in.path.n) {
    pin = malloc(in.path.n * sizeof *pin);
    if (pin == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (size_t k = 0; pin && k < in.path.n; k++) pin[k] = (spx_provenance_input){in.option.s[k], in.path.s[k], in.origin.s[k]};
  }
  if (rc == SPX_OK) {
    char cwd[4096], host[256];
    if (getcwd(cwd, sizeof cwd) == NULL) snprintf(cwd, sizeof cwd, "unknown");
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    spx_provenance_run run = {start, cmd, cwd, host, spx_par_world_size(par), (int)cfg->group_size,
                              vn.n, (const char *const *)vn.s, (const char *const *)vv.s,
                              on.n, (const char *const *)on.s, (const char *const *)ot.s,
                              in.path.n, pin};
    size_t index;
    rc = spx_provenance_begin(c->res, &run, &index, err);
    if (rc == SPX_OK) rc = spx_provenance_describe(c->res, err);
  }
  free(pin);
  free(cmd);
  strlist_free(&vn);
  strlist_free(&vv);
  strlist_free(&on);
  strlist_free(&ot);
  strlist_free(&in.option);
  strlist_free(&in.path);
  strlist_free(&in.origin);
  return rc;
}

int grid_provenance_end(coordinator *c, const char *end, spx_error *err) {
  if (c->res == NULL) return SPX_OK;
  char state[SPX_ERRMSG_LEN + 64];
  size_t unrun = c->todo_cells - c->done_cells;
  if (c->fatal)
    snprintf(state, sizeof state, "error: %s", c->fatal_err.msg);
  else if (unrun)
    snprintf(state, sizeof state, "not run: %zu cells (every group's oracle was lost)%s", unrun,
             c->failed ? "; other cells failed" : "");
  else if (c->failed)
    snprintf(state, sizeof state, "failed cells: %zu", c->failed);
  else
    snprintf(state, sizeof state, "ok");
  int rc = spx_provenance_describe(c->res, err);
  if (rc == SPX_OK) rc = spx_provenance_end(c->res, end, state, err);
  return rc;
}
