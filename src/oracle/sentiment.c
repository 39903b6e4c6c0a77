/* sentiment.c: the `sentiment` oracle, feature attribution on the words of a movie review.
 *
 * Model: VADER (npm vader-sentiment 1.1.3), served by oracles/node/vader_server.js. The
 * features are the review's whitespace-separated words; a mask keeps some of them, which the
 * server re-joins with single spaces and scores. Value: the unrounded compound score, or the
 * raw valence sum (output = "sum"). This file does no pipe work: it writes the review's words
 * to a temporary file, opens the `process` oracle on "node vader_server.js ... FILE" as its
 * inner oracle and forwards eval to it. It adds the word labels, the explicand description,
 * the reviews CSV (explicand i = row i) and clear messages for missing pieces. */
#include "sentiment.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle.h"

#ifndef SPX_SOURCE_DIR
#define SPX_SOURCE_DIR "."
#endif

#define DEFAULT_CSV "data/reviews.csv"
#define DEFAULT_SCRIPT "oracles/node/vader_server.js"
#define DEFAULT_PACKAGE "oracles/node/node_modules/vader-sentiment"

/* ---- words ------------------------------------------------------------------------------ */

/* Byte length of the Python whitespace character at p (0 when p is not whitespace). */
static size_t space_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0];
  if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20)) return 1;
  if (c == 0xc2 && end - p >= 2 && (p[1] == 0x85 || p[1] == 0xa0)) return 2;
  if (end - p < 3) return 0;
  if (c == 0xe1 && p[1] == 0x9a && p[2] == 0x80) return 3; /* U+1680 */
  if (c == 0xe2 && p[1] == 0x80 &&
      ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
    return 3;                                              /* U+2000-200A, 2028, 2029, 202F */
  if (c == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) return 3; /* U+205F */
  if (c == 0xe3 && p[1] == 0x80 && p[2] == 0x80) return 3; /* U+3000 */
  return 0;
}

void spx_words_free(char ***words, size_t count) {
  if (words == NULL || *words == NULL) return;
  for (size_t i = 0; i < count; i++) free((*words)[i]);
  free(*words);
  *words = NULL;
}

int spx_words_split(const char *text, char ***words, size_t *count, spx_error *err) {
  *words = NULL;
  *count = 0;
  const unsigned char *p = (const unsigned char *)text, *end = p + strlen(text);
  size_t cap = 0, k = 0;
  char **w = NULL;
  while (p < end) {
    size_t s;
    while (p < end && (s = space_len(p, end)) > 0) p += s;
    if (p >= end) break;
    const unsigned char *start = p;
    while (p < end && space_len(p, end) == 0) p++;
    if (k == cap) {
      size_t ncap = cap ? 2 * cap : 64;
      char **nw = realloc(w, ncap * sizeof *nw);
      if (nw == NULL) {
        spx_words_free(&w, k);
        return spx_error_set(err, SPX_ENOMEM, "out of memory splitting a text into words");
      }
      w = nw;
      cap = ncap;
    }
    size_t len = (size_t)(p - start);
    w[k] = malloc(len + 1);
    if (w[k] == NULL) {
      spx_words_free(&w, k);
      return spx_error_set(err, SPX_ENOMEM, "out of memory splitting a text into words");
    }
    memcpy(w[k], start, len);
    w[k][len] = '\0';
    k++;
  }
  *words = w;
  *count = k;
  return SPX_OK;
}

/* ---- the reviews CSV ------------------------------------------------------------------------ */

void spx_reviews_destroy(spx_reviews **reviews) {
  if (reviews == NULL || *reviews == NULL) return;
  spx_reviews *r = *reviews;
  for (size_t i = 0; i < r->count; i++) {
    free(r->rows[i].text);
    free(r->rows[i].source);
    free(r->rows[i].sentiment);
  }
  free(r->rows);
  free(r);
  *reviews = NULL;
}

static int read_file(const char *path, char **out, size_t *len, spx_error *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return spx_error_set(err, SPX_EIO, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    char *nb = realloc(buf, 2 * cap);
    if (nb == NULL) free(buf);
    buf = nb;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  SPX_CHECK_ALLOC(buf, err);
  if (bad) {
    free(buf);
    return spx_error_set(err, SPX_EIO, "error reading %s", path);
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return SPX_OK;
}

/* One CSV record starting at *pos: fields are written, NUL-terminated, into the buffer itself
 * (unquoting never makes a field longer). Fills starts[0..*nf), at most maxf of them (further
 * fields are counted, not stored). *line advances over the newlines consumed. */
static int csv_record(char *buf, size_t len, size_t *pos, char **starts, size_t maxf, size_t *nf,
                      size_t *line, const char *path, spx_error *err) {
  size_t i = *pos, k = 0;
  for (;;) {
    char *out = buf + i, *o = out;
    if (i < len && buf[i] == '"') {
      size_t qline = *line;
      i++;
      for (;;) {
        if (i >= len)
          return spx_error_set(err, SPX_EINVAL,
                               "%s:%zu: a quoted field is not closed before the end of the file",
                               path, qline);
        if (buf[i] == '"') {
          if (i + 1 < len && buf[i + 1] == '"') {
            *o++ = '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (buf[i] == '\n') (*line)++;
        *o++ = buf[i++];
      }
      if (i < len && buf[i] != ',' && buf[i] != '\n' && !(buf[i] == '\r' && buf[i + 1] == '\n'))
        return spx_error_set(err, SPX_EINVAL,
                             "%s:%zu: unexpected character '%c' after a closing quote (a quote "
                             "inside a quoted field must be doubled)",
                             path, *line, buf[i]);
    } else {
      while (i < len && buf[i] != ',' && buf[i] != '\n' && !(buf[i] == '\r' && buf[i + 1] == '\n'))
        *o++ = buf[i++];
    }
    /* the separator: ',' or the record end ("\n", "\r\n" or the end of the file); read it
     * before the terminating NUL goes in, which may overwrite its first byte */
    int more = i < len && buf[i] == ',';
    size_t skip = i >= len ? 0 : buf[i] == '\r' ? 2 : 1;
    *o = '\0';
    if (k < maxf) starts[k] = out;
    k++;
    i += skip;
    if (more) continue;
    (*line)++;
    break;
  }
  *pos = i;
  *nf = k;
  return SPX_OK;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

int spx_reviews_read(const char *path, spx_reviews **out, spx_error *err) {
  *out = NULL;
  char *buf = NULL;
  size_t len = 0, pos = 0, line = 1;
  int rc = read_file(path, &buf, &len, err);
  if (rc) return rc;
  if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) pos = 3;
  enum { MAXF = 64 };
  char *f[MAXF];
  size_t nf, nheader;
  int col_review = -1, col_source = -1, col_n = -1, col_sentiment = -1;
  while (pos < len && (buf[pos] == '\n' || buf[pos] == '\r')) {
    if (buf[pos] == '\n') line++;
    pos++;
  }
  if (pos >= len) {
    free(buf);
    return spx_error_set(err, SPX_EINVAL, "%s is empty (expected a header line review,...)", path);
  }
  rc = csv_record(buf, len, &pos, f, MAXF, &nheader, &line, path, err);
  if (rc == SPX_OK && nheader > MAXF)
    rc = spx_error_set(err, SPX_EINVAL, "%s:1: more than %d columns", path, MAXF);
  for (size_t c = 0; rc == SPX_OK && c < nheader; c++) {
    if (strcmp(f[c], "review") == 0) col_review = (int)c;
    if (strcmp(f[c], "source") == 0) col_source = (int)c;
    if (strcmp(f[c], "n") == 0) col_n = (int)c;
    if (strcmp(f[c], "sentiment") == 0) col_sentiment = (int)c;
  }
  if (rc == SPX_OK && col_review < 0)
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s:1: no column named 'review' in the header (expected "
                       "review,source,n,sentiment)",
                       path);
  spx_reviews *R = NULL;
  size_t cap = 0;
  if (rc == SPX_OK) {
    R = calloc(1, sizeof *R);
    if (R == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
  }
  while (rc == SPX_OK && pos < len) {
    if (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')) {
      pos += buf[pos] == '\r' ? 2 : 1; /* blank line */
      line++;
      continue;
    }
    size_t start_line = line;
    rc = csv_record(buf, len, &pos, f, MAXF, &nf, &line, path, err);
    if (rc) break;
    if (nf != nheader) {
      rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: expected %zu fields as in the header, got %zu",
                         path, start_line, nheader, nf);
      break;
    }
    if (R->count == cap) {
      size_t ncap = cap ? 2 * cap : 64;
      spx_review *nr = realloc(R->rows, ncap * sizeof *nr);
      if (nr == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        break;
      }
      R->rows = nr;
      cap = ncap;
    }
    spx_review *r = &R->rows[R->count];
    char *text = f[col_review];
    size_t tl = strlen(text);
    if (tl >= 2 && text[0] == '"' && text[tl - 1] == '"') {
      text[tl - 1] = '\0';
      text++;
    }
    r->text = dup_str(text);
    r->source = dup_str(col_source >= 0 ? f[col_source] : "");
    r->sentiment = dup_str(col_sentiment >= 0 ? f[col_sentiment] : "");
    r->n = -1;
    r->line = start_line;
    R->count++;
    if (col_n >= 0) {
      char *e;
      errno = 0;
      long long v = strtoll(f[col_n], &e, 10);
      if (e != f[col_n] && *e == '\0' && errno == 0) r->n = v;
    }
    if (r->text == NULL || r->source == NULL || r->sentiment == NULL)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
  }
  free(buf);
  if (rc) {
    spx_reviews_destroy(&R);
    return rc;
  }
  *out = R;
  return SPX_OK;
}

/* ---- paths and programs ----------------------------------------------------------------- */

static int keep_path(const char *path, char **out, spx_error *err) {
  *out = dup_str(path);
  SPX_CHECK_ALLOC(*out, err);
  return SPX_OK;
}

/* Resolve a file option: the default lives under the source tree; a given relative path is
 * tried as written (relative to the working directory), then under the source tree. */
static int find_file(spx_options *opts, const char *key, const char *given, const char *def,
                     const char *what, char **out, spx_error *err) {
  char a[4096], b[4096];
  const char *hint = strcmp(key, "package") == 0 ? "; run scripts/setup to install it" : "";
  if (given == NULL) {
    snprintf(a, sizeof a, "%s/%s", SPX_SOURCE_DIR, def);
    if (access(a, R_OK) == 0) return keep_path(a, out, err);
    return spx_options_fail(opts, key, SPX_EIO, err, "%s not found at %s (the default)%s", what,
                            a, hint);
  }
  if (access(given, R_OK) == 0) return keep_path(given, out, err);
  if (given[0] != '/') {
    snprintf(b, sizeof b, "%s/%s", SPX_SOURCE_DIR, given);
    if (access(b, R_OK) == 0) return keep_path(b, out, err);
    return spx_options_fail(opts, key, SPX_EIO, err,
                            "%s not found at %s (looked in the working directory and at %s)%s",
                            what, given, b, hint);
  }
  return spx_options_fail(opts, key, SPX_EIO, err, "%s not found at %s (%s)%s", what, given,
                          strerror(errno), hint);
}

/* The node program: a path containing '/' must be executable; a bare name is looked up in
 * PATH (as /bin/sh will). */
static int check_node(spx_options *opts, const char *node, spx_error *err) {
  if (strchr(node, '/')) {
    if (access(node, X_OK) == 0) return SPX_OK;
    return spx_options_fail(opts, "node", SPX_EIO, err,
                            "the Node.js program %s does not exist or is not executable (%s); "
                            "install Node.js (scripts/setup does) or give its path",
                            node, strerror(errno));
  }
  const char *path = getenv("PATH");
  if (path == NULL) path = "/usr/bin:/bin";
  char dir[4096];
  while (*path) {
    size_t l = strcspn(path, ":");
    snprintf(dir, sizeof dir, "%.*s/%s", (int)(l ? l : 1), l ? path : ".", node);
    if (access(dir, X_OK) == 0) return SPX_OK;
    path += l + (path[l] == ':');
  }
  return spx_options_fail(opts, "node", SPX_EIO, err,
                          "the Node.js program '%s' is not on PATH; install Node.js (scripts/setup "
                          "does) or set node to its full path",
                          node);
}

/* Append s to the command, quoted for /bin/sh. */
static int sh_append(char **cmd, size_t *len, size_t *cap, const char *s, int quote) {
  size_t need = *len + 4 * strlen(s) + 4;
  if (need > *cap) {
    size_t ncap = 2 * need;
    char *nc = realloc(*cmd, ncap);
    if (nc == NULL) return SPX_ENOMEM;
    *cmd = nc;
    *cap = ncap;
  }
  char *o = *cmd + *len;
  if (*len) *o++ = ' ';
  if (quote) *o++ = '\'';
  for (; *s; s++) {
    if (quote && *s == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else {
      *o++ = *s;
    }
  }
  if (quote) *o++ = '\'';
  *o = '\0';
  *len = (size_t)(o - *cmd);
  return SPX_OK;
}

/* ---- the oracle ----------------------------------------------------------------------------- */

typedef struct {
  char *textfile; /* temporary file holding the review's words, removed on close */
} senti;

static void senti_close(spx_oracle *o) {
  senti *S = o->state;
  spx_oracle_destroy(&o->inner); /* stop node before its text file goes */
  if (S) {
    if (S->textfile) {
      unlink(S->textfile);
      free(S->textfile);
    }
    free(S);
  }
  o->state = NULL;
}

static int read_csv_option(spx_options *opts, char **path, spx_reviews **reviews,
                           spx_error *err) {
  const char *given;
  int rc = spx_options_string(opts, "texts_csv", NULL, &given, err);
  if (rc == SPX_OK)
    rc = find_file(opts, "texts_csv", given, DEFAULT_CSV, "the reviews file", path, err);
  if (rc) return rc;
  rc = spx_reviews_read(*path, reviews, err);
  if (rc == SPX_OK && (*reviews)->count == 0) {
    spx_reviews_destroy(reviews);
    rc = spx_options_fail(opts, "texts_csv", SPX_EINVAL, err, "%s holds no reviews", *path);
  }
  if (rc) {
    free(*path);
    *path = NULL;
  }
  return rc;
}

static int senti_explicands(spx_options *opts, size_t *count, spx_error *err) {
  char *path = NULL;
  spx_reviews *R = NULL;
  int rc = read_csv_option(opts, &path, &R, err);
  if (rc) return rc;
  *count = R->count;
  spx_reviews_destroy(&R);
  free(path);
  return SPX_OK;
}

static int write_words(const char *dir, char **words, size_t n, char **path, spx_error *err) {
  size_t l = strlen(dir) + 32;
  char *tmpl = malloc(l);
  SPX_CHECK_ALLOC(tmpl, err);
  snprintf(tmpl, l, "%s/spx-sentiment-XXXXXX", dir);
  int fd = mkstemp(tmpl);
  if (fd < 0) {
    int e = errno;
    spx_error_set(err, SPX_EIO, "sentiment oracle: cannot create a temporary file in %s: %s", dir,
                  strerror(e));
    free(tmpl);
    return SPX_EIO;
  }
  FILE *f = fdopen(fd, "w");
  int bad = f == NULL;
  for (size_t i = 0; !bad && i < n; i++)
    bad = fputs(words[i], f) < 0 || fputc(i + 1 < n ? ' ' : '\n', f) == EOF;
  if (f ? fclose(f) != 0 : close(fd) != 0) bad = 1;
  if (bad) {
    unlink(tmpl);
    spx_error_set(err, SPX_EIO, "sentiment oracle: cannot write the temporary file %s", tmpl);
    free(tmpl);
    return SPX_EIO;
  }
  *path = tmpl;
  return SPX_OK;
}

static int senti_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  static const char *const outputs[] = {"compound", "sum", NULL};
  const char *node, *script_opt, *package_opt;
  int output;
  double timeout;
  char *csv = NULL, *script = NULL, *package = NULL, *pkgjson = NULL, *cmd = NULL;
  char **words = NULL;
  size_t n = 0, len = 0, cap = 0;
  spx_reviews *R = NULL;
  spx_options *popts = NULL;

  int rc = read_csv_option(opts, &csv, &R, err);
  if (rc == SPX_OK && explicand >= R->count)
    rc = spx_options_fail(opts, "texts_csv", SPX_ERANGE, err,
                          "review %zu is out of range: %s holds %zu reviews (0..%zu)", explicand,
                          csv, R->count, R->count - 1);
  if (rc == SPX_OK) rc = spx_options_choice(opts, "output", outputs, 0, &output, err);
  if (rc == SPX_OK) rc = spx_options_string(opts, "node", "node", &node, err);
  if (rc == SPX_OK) rc = spx_options_string(opts, "script", NULL, &script_opt, err);
  if (rc == SPX_OK) rc = spx_options_string(opts, "package", NULL, &package_opt, err);
  if (rc == SPX_OK) rc = spx_options_double(opts, "timeout", 600.0, &timeout, err);
  if (rc == SPX_OK && !(timeout > 0.0 && timeout <= 1e7))
    rc = spx_options_fail(opts, "timeout", SPX_ERANGE, err,
                          "%g is not a number of seconds in (0, 1e7]", timeout);
  if (rc == SPX_OK) rc = check_node(opts, node, err);
  if (rc == SPX_OK)
    rc = find_file(opts, "script", script_opt, DEFAULT_SCRIPT, "the VADER server script", &script,
                   err);
  if (rc == SPX_OK)
    rc = find_file(opts, "package", package_opt, DEFAULT_PACKAGE,
                   "the npm package vader-sentiment", &package, err);
  if (rc == SPX_OK) {
    size_t l = strlen(package) + 16;
    pkgjson = malloc(l);
    if (pkgjson == NULL)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
    else
      snprintf(pkgjson, l, "%s/package.json", package);
    if (pkgjson && access(pkgjson, R_OK) != 0)
      rc = spx_options_fail(opts, "package", SPX_EIO, err,
                            "the npm package vader-sentiment is not installed: %s is missing; run "
                            "scripts/setup to install it",
                            pkgjson);
  }

  const spx_review *r = rc == SPX_OK ? &R->rows[explicand] : NULL;
  if (rc == SPX_OK) rc = spx_words_split(r->text, &words, &n, err);
  if (rc == SPX_OK && n == 0)
    rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: review %zu has no words", csv, r->line,
                       explicand);

  senti *S = NULL;
  if (rc == SPX_OK) {
    S = calloc(1, sizeof *S);
    if (S == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
    o->state = S; /* from here on close() cleans up */
  }
  if (rc == SPX_OK) {
    const char *tmp = getenv("TMPDIR");
    rc = write_words(tmp && *tmp ? tmp : "/tmp", words, n, &S->textfile, err);
  }
  /* exec node SCRIPT --output X --package DIR TEXTFILE */
  if (rc == SPX_OK) {
    int e = sh_append(&cmd, &len, &cap, "exec", 0);
    if (!e) e = sh_append(&cmd, &len, &cap, node, 1);
    if (!e) e = sh_append(&cmd, &len, &cap, script, 1);
    if (!e) e = sh_append(&cmd, &len, &cap, "--output", 0);
    if (!e) e = sh_append(&cmd, &len, &cap, outputs[output], 0);
    if (!e) e = sh_append(&cmd, &len, &cap, "--package", 0);
    if (!e) e = sh_append(&cmd, &len, &cap, package, 1);
    if (!e) e = sh_append(&cmd, &len, &cap, S->textfile, 1);
    if (e) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
  }
  if (rc == SPX_OK) {
    char num[64];
    popts = spx_options_create("oracle sentiment (its process oracle)");
    if (popts == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK) rc = spx_options_put(popts, "command", SPX_OPT_STRING, cmd, NULL, err);
    snprintf(num, sizeof num, "%zu", n);
    if (rc == SPX_OK) rc = spx_options_put(popts, "n", SPX_OPT_INT, num, NULL, err);
    snprintf(num, sizeof num, "%.17g", timeout);
    if (rc == SPX_OK) rc = spx_options_put(popts, "timeout", SPX_OPT_FLOAT, num, NULL, err);
    if (rc == SPX_OK) rc = spx_oracle_open("process", popts, 0, &o->inner, err);
  }
  if (rc == SPX_OK) {
    o->n = n;
    o->concurrent = 1; /* each instance runs its own deterministic node process */
    /* review 3 of FILE (spex-bench, positive, 22 words, VADER compound): first words ... */
    char desc[640], tags[192] = "";
    if (r->source[0]) snprintf(tags, sizeof tags, "%.80s, ", r->source);
    if (r->sentiment[0])
      snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%.80s, ", r->sentiment);
    size_t used = (size_t)snprintf(desc, sizeof desc, "review %zu of %.300s (%s%zu words, VADER %s):",
                                   explicand, csv, tags, n, outputs[output]);
    for (size_t i = 0; i < n && i < 12 && used < sizeof desc - 48; i++)
      used += (size_t)snprintf(desc + used, sizeof desc - used, " %.40s", words[i]);
    if (n > 12 && used < sizeof desc - 8) snprintf(desc + used, sizeof desc - used, " ...");
    rc = spx_oracle_set_explicand(o, desc, err);
  }
  if (rc == SPX_OK) {
    rc = spx_oracle_set_labels(o, words, err); /* takes ownership */
    words = NULL;
  }
  spx_words_free(&words, n);
  spx_options_destroy(&popts);
  spx_reviews_destroy(&R);
  free(csv);
  free(script);
  free(package);
  free(pkgjson);
  free(cmd);
  return rc;
}

static int senti_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                      double *out, spx_error *err) {
  return spx_oracle_eval(o->inner, masks, first, count, out, err);
}

const spx_oracle_type spx_oracle_sentiment = {
    .name = "sentiment",
    .summary = "VADER sentiment of a movie review; features are its words (docs/sentiment.md)",
    .open = senti_open,
    .explicands = senti_explicands,
    .eval = senti_eval,
    .truth = NULL,
    .close = senti_close,
};
