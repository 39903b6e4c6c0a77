/* recorded.c: the `recorded` oracle: replays a recording (io/recording.h) instead of querying
 * a model. With `fallback = "<oracle kind>"`, masks missing from the recording are answered by
 * that live oracle (opened with the remaining keys of the table) and appended to the file, so
 * the recording works as a persistent query cache. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/recording.h"
#include "oracle/oracle.h"

typedef struct {
  spx_recording *rec;
  spx_oracle *live; /* fallback, or NULL */
  spx_maskset *missing;
  size_t *missing_rows;
  double *missing_values;
} rec_state;

/* Replace "{e}" in pattern by the explicand number. */
static void expand(const char *pattern, size_t e, char *out, size_t len) {
  const char *p = strstr(pattern, "{e}");
  if (p == NULL) {
    snprintf(out, len, "%s", pattern);
    return;
  }
  snprintf(out, len, "%.*s%zu%s", (int)(p - pattern), pattern, e, p + 3);
}

static const spx_option_decl rec_rows[] = {
    {"path", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the recording FILE.h5 (\"{e}\" in it stands for the explicand number)", NULL},
    {"fallback", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "oracle kind that answers the masks the recording lacks (added to it); its keys go beside "
     "these", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_opts(spx_options *opts, const char **path, const char **fallback,
                     spx_error *err) {
  int rc = spx_opt_require(opts, "path", err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "path", path, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "fallback", fallback, err);
  if (rc == SPX_OK && *fallback && strcmp(*fallback, "recorded") == 0)
    rc = spx_options_fail(opts, "fallback", SPX_EINVAL, err, "cannot be \"recorded\" itself");
  return rc;
}

static int rec_explicands(spx_options *opts, size_t *count, spx_error *err) {
  const char *path, *fallback;
  int rc = read_opts(opts, &path, &fallback, err);
  if (rc) return rc;
  if (fallback) {
    const spx_oracle_type *type = spx_oracle_find(fallback, err);
    return type ? spx_oracle_explicands(type, opts, count, err)
                : SPX_EINVAL;
  }
  if (strstr(path, "{e}") == NULL) {
    *count = 1;
    return SPX_OK;
  }
  /* One past the highest explicand number with a file, so that recordings of explicands
   * first..first+count-1 (first > 0) replay too; a gap is reported when that file is opened. */
  const char *at = strstr(path, "{e}");
  size_t pre = (size_t)(at - path), post = strlen(at + 3);
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%.*s*%s", (int)pre, path, at + 3);
  glob_t g;
  size_t e = 0;
  int found = 0;
  if (glob(pattern, 0, NULL, &g) == 0) {
    for (size_t k = 0; k < g.gl_pathc; k++) {
      const char *f = g.gl_pathv[k];
      size_t len = strlen(f);
      if (len <= pre + post) continue;
      char *end;
      errno = 0;
      unsigned long long v = strtoull(f + pre, &end, 10);
      if (errno || end == f + pre || (size_t)(end - f) != len - post || f[pre] == '+' ||
          f[pre] == '-' || f[pre] == ' ')
        continue;
      found = 1;
      if ((size_t)v + 1 > e) e = (size_t)v + 1;
    }
    globfree(&g);
  }
  if (!found)
    return spx_options_fail(opts, "path", SPX_EIO, err, "no recording found (no file %s)",
                            pattern);
  *count = e;
  return SPX_OK;
}

static void rec_close(spx_oracle *self) {
  rec_state *s = self->state;
  spx_recording_close(&s->rec);
  spx_oracle_destroy(&s->live);
  spx_maskset_destroy(&s->missing);
  free(s->missing_rows);
  free(s->missing_values);
  free(s);
}

static char **copy_labels(char *const *labels, size_t n) {
  char **out = calloc(n, sizeof *out);
  for (size_t i = 0; out && i < n; i++) {
    out[i] = strdup(labels[i]);
    if (out[i] == NULL) {
      for (size_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static int rec_open(spx_oracle *self, spx_options *opts, size_t explicand, spx_error *err) {
  const char *path, *fallback;
  int rc = read_opts(opts, &path, &fallback, err);
  if (rc) return rc;
  rec_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  self->state = s;
  char file[4096];
  expand(path, explicand, file, sizeof file);
  if (fallback) {
    const spx_oracle_type *type = spx_oracle_find(fallback, err);
    rc = type ? spx_oracle_open(type, opts, explicand, &s->live, err) : SPX_EINVAL;
    if (rc) return spx_error_prefix(err, "fallback oracle %s", fallback);
    if (access(file, F_OK) == 0) {
      rc = spx_recording_open(file, 1, &s->rec, err);
    } else {
      char model[256];
      snprintf(model, sizeof model, "%s", fallback);
      rc = spx_recording_create(file, s->live->n, model, s->live->explicand, s->live->labels, 0,
                                &s->rec, err);
    }
    if (rc == SPX_OK && spx_recording_n(s->rec) != s->live->n)
      rc = spx_error_set(err, SPX_EINVAL, "recording %s has n = %zu but oracle %s has n = %zu",
                         file, spx_recording_n(s->rec), fallback, s->live->n);
    if (rc == SPX_OK) { /* answers of the same model only (issue #14) */
      char *ident = spx_recording_identity(fallback, opts);
      rc = ident ? spx_recording_check_identity(s->rec, ident, err)
                 : spx_error_set(err, SPX_ENOMEM, "out of memory");
      free(ident);
    }
  } else {
    rc = spx_recording_open(file, 0, &s->rec, err);
  }
  if (rc) return rc;
  self->n = spx_recording_n(s->rec);
  self->concurrent = s->live == NULL;
  char *const *labels = spx_recording_labels(s->rec);
  if (labels == NULL && s->live) labels = s->live->labels;
  if (labels) {
    char **copy = copy_labels(labels, self->n);
    SPX_CHECK_ALLOC(copy, err);
    spx_oracle_set_labels(self, copy, err);
  }
  const char *desc = spx_recording_explicand(s->rec);
  char buf[4500];
  snprintf(buf, sizeof buf, "%s%s(recorded in %s)", desc, desc[0] ? " " : "", file);
  return spx_oracle_set_explicand(self, buf, err);
}

static int rec_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err) {
  rec_state *s = self->state;
  size_t nmiss = 0;
  if (s->live) {
    spx_maskset_destroy(&s->missing);
    free(s->missing_rows);
    free(s->missing_values);
    s->missing = spx_maskset_create(masks->n, 0);
    s->missing_rows = malloc(count * sizeof *s->missing_rows);
    s->missing_values = malloc(count * sizeof *s->missing_values);
    if (!s->missing || !s->missing_rows || !s->missing_values)
      return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < count; i++) {
    const uint64_t *m = spx_maskset_row(masks, first + i);
    int found;
    spx_recording_lookup(s->rec, m, &out[i], &found);
    if (found) continue;
    if (s->live == NULL) {
      char shown[201];
      size_t len = masks->n < 200 ? masks->n : 200;
      spx_mask_to_string(m, len, shown);
      return spx_error_set(err, SPX_EORACLE,
                           "recording %s has no value for mask %s%s (%zu of %zu features kept); "
                           "set fallback = \"<live oracle kind>\" to query the model for missing "
                           "masks",
                           spx_recording_path(s->rec), shown, masks->n > 200 ? "..." : "",
                           spx_mask_popcount(m, masks->words), masks->n);
    }
    int rc = spx_maskset_append(s->missing, m, err);
    if (rc) return rc;
    s->missing_rows[nmiss++] = i;
  }
  if (nmiss == 0) return SPX_OK;
  int rc = spx_oracle_eval_all(s->live, s->missing, s->missing_values, err);
  /* Keep every answer received, even when later ones fail. */
  if (rc == SPX_OK) rc = spx_recording_append(s->rec, s->missing, 0, nmiss, s->missing_values, err);
  if (rc) return rc;
  for (size_t k = 0; k < nmiss; k++) out[s->missing_rows[k]] = s->missing_values[k];
  return SPX_OK;
}

const spx_oracle_type spx_oracle_recorded = {
    .name = "recorded",
    .summary = "replay a recording (HDF5 query log or full table); optional live fallback that appends",
    .open = rec_open,
    .explicands = rec_explicands,
    .eval = rec_eval,
    .truth = NULL,
    .close = rec_close,
    .options = rec_rows};
