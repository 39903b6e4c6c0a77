/* textdata.c: reading texts for the text oracle (text.c) and the sentiment alias: splitting
 * a text into words (Python str.split), sentences or paragraphs; CSV (RFC 4180) and JSONL
 * files; the reviews CSV of the sentiment experiments; per-explicand label files; JSON string
 * escaping and UTF-8 checks for the scorer protocol. No pipes or processes here. */
#include "textdata.h"

#include <cjson/cJSON.h>

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

int spx_file_read(const char *path, char **out, size_t *len, spx_error *err) {
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
  if (len) *len = n;
  return SPX_OK;
}

/* One CSV record starting at *pos: fields are written, NUL-terminated, into the buffer itself
 * (unquoting never makes a field longer). Fills starts[0..*nf), at most maxf of them (further
 * fields are counted, not stored), or, when grow is not NULL, all of them into *grow (capacity
 * *cap, grown with realloc). *line advances over the newlines consumed. */
static int csv_record_core(char *buf, size_t len, size_t *pos, char **starts, size_t maxf,
                           char ***grow, size_t *cap, size_t *nf, size_t *line, const char *path,
                           spx_error *err);

static int csv_record(char *buf, size_t len, size_t *pos, char **starts, size_t maxf, size_t *nf,
                      size_t *line, const char *path, spx_error *err) {
  return csv_record_core(buf, len, pos, starts, maxf, NULL, NULL, nf, line, path, err);
}

static int csv_record_core(char *buf, size_t len, size_t *pos, char **starts, size_t maxf,
                           char ***grow, size_t *cap, size_t *nf, size_t *line, const char *path,
                           spx_error *err) {
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
    if (grow) {
      if (k == *cap) {
        size_t ncap = *cap ? 2 * *cap : 16;
        char **ng = realloc(*grow, ncap * sizeof *ng);
        if (ng == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        *grow = ng;
        *cap = ncap;
      }
      (*grow)[k] = out;
    } else if (k < maxf) {
      starts[k] = out;
    }
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
  int rc = spx_file_read(path, &buf, &len, err);
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


/* ---- sentences and paragraphs ----------------------------------------------------------- */

/* Append a copy of text[a, b) trimmed of Python whitespace (if anything is left). */
static int push_unit(const char *text, size_t a, size_t b, char ***units, size_t *count,
                     size_t *cap, spx_error *err) {
  const unsigned char *p = (const unsigned char *)text + a, *end = (const unsigned char *)text + b;
  size_t s;
  while (p < end && (s = space_len(p, end)) > 0) p += s;
  /* trailing whitespace: scan forward remembering the end of the last non-space */
  const unsigned char *q = p, *last = p;
  while (q < end) {
    s = space_len(q, end);
    if (s) {
      q += s;
    } else {
      q++;
      last = q;
    }
  }
  if (last <= p) return SPX_OK;
  if (*count == *cap) {
    size_t ncap = *cap ? 2 * *cap : 16;
    char **nu = realloc(*units, ncap * sizeof *nu);
    if (nu == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory splitting a text");
    *units = nu;
    *cap = ncap;
  }
  size_t l = (size_t)(last - p);
  char *u = malloc(l + 1);
  if (u == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory splitting a text");
  memcpy(u, p, l);
  u[l] = '\0';
  (*units)[(*count)++] = u;
  return SPX_OK;
}

int spx_sentences_split(const char *text, char ***units, size_t *count, spx_error *err) {
  *units = NULL;
  *count = 0;
  size_t cap = 0, len = strlen(text), start = 0, i = 0;
  const unsigned char *t = (const unsigned char *)text;
  while (i < len) {
    if (t[i] != '.' && t[i] != '!' && t[i] != '?') {
      i++;
      continue;
    }
    size_t j = i;
    while (j < len && (t[j] == '.' || t[j] == '!' || t[j] == '?')) j++;
    while (j < len && (t[j] == '"' || t[j] == '\'' || t[j] == ')' || t[j] == ']')) j++;
    if (j == len || space_len(t + j, t + len) > 0) {
      int rc = push_unit(text, start, j, units, count, &cap, err);
      if (rc) {
        spx_words_free(units, *count);
        *count = 0;
        return rc;
      }
      start = j;
    }
    i = j;
  }
  int rc = push_unit(text, start, len, units, count, &cap, err);
  if (rc) {
    spx_words_free(units, *count);
    *count = 0;
  }
  return rc;
}

int spx_paragraphs_split(const char *text, char ***units, size_t *count, spx_error *err) {
  *units = NULL;
  *count = 0;
  size_t cap = 0, len = strlen(text), start = 0, i = 0;
  while (i < len) {
    if (text[i] != '\n') {
      i++;
      continue;
    }
    /* a blank line follows this newline? (only spaces, tabs, \r, \v, \f before the next \n) */
    size_t j = i + 1;
    while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\v' ||
                       text[j] == '\f'))
      j++;
    if (j < len && text[j] == '\n') {
      int rc = push_unit(text, start, i, units, count, &cap, err);
      if (rc) {
        spx_words_free(units, *count);
        *count = 0;
        return rc;
      }
      while (j < len && (text[j] == '\n' || text[j] == ' ' || text[j] == '\t' ||
                         text[j] == '\r' || text[j] == '\v' || text[j] == '\f'))
        j++;
      start = j;
      i = j;
      continue;
    }
    i++;
  }
  int rc = push_unit(text, start, len, units, count, &cap, err);
  if (rc) {
    spx_words_free(units, *count);
    *count = 0;
  }
  return rc;
}

/* ---- tables: CSV, JSON, JSONL ------------------------------------------------------------- */

void spx_table_destroy(spx_table **t) {
  if (t == NULL || *t == NULL) return;
  spx_table *T = *t;
  if (T->cells && T->start)
    for (size_t i = 0; i < T->start[T->nrows]; i++) free(T->cells[i]);
  if (T->header)
    for (size_t i = 0; i < T->ncols; i++) free(T->header[i]);
  free(T->header);
  free(T->cells);
  free(T->start);
  free(T->line);
  free(T);
  *t = NULL;
}

typedef struct {
  spx_table *t;
  size_t cellcap, rowcap;
} table_builder;

static int tb_init(table_builder *b, spx_error *err) {
  b->t = calloc(1, sizeof *b->t);
  b->cellcap = b->rowcap = 0;
  if (b->t) b->t->start = calloc(1, sizeof *b->t->start);
  if (b->t == NULL || b->t->start == NULL) {
    if (b->t) free(b->t);
    b->t = NULL;
    return spx_error_set(err, SPX_ENOMEM, "out of memory reading a table");
  }
  return SPX_OK;
}

/* Start a new row at line. */
static int tb_row(table_builder *b, size_t line, spx_error *err) {
  spx_table *T = b->t;
  if (T->nrows + 1 >= b->rowcap) {
    size_t ncap = b->rowcap ? 2 * b->rowcap : 64;
    size_t *ns = realloc(T->start, (ncap + 1) * sizeof *ns);
    if (ns) T->start = ns;
    size_t *nl = ns ? realloc(T->line, ncap * sizeof *nl) : NULL;
    if (nl) T->line = nl;
    if (ns == NULL || nl == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory reading a table");
    b->rowcap = ncap;
  }
  T->line[T->nrows] = line;
  T->nrows++;
  T->start[T->nrows] = T->start[T->nrows - 1];
  return SPX_OK;
}

/* Append a copy of s to the current row. */
static int tb_cell(table_builder *b, const char *s, spx_error *err) {
  spx_table *T = b->t;
  size_t k = T->start[T->nrows];
  if (k == b->cellcap) {
    size_t ncap = b->cellcap ? 2 * b->cellcap : 256;
    char **nc = realloc(T->cells, ncap * sizeof *nc);
    if (nc == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory reading a table");
    T->cells = nc;
    b->cellcap = ncap;
  }
  T->cells[k] = dup_str(s);
  if (T->cells[k] == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory reading a table");
  T->start[T->nrows]++;
  return SPX_OK;
}

int spx_csv_read(const char *path, int has_header, spx_table **out, spx_error *err) {
  *out = NULL;
  char *buf = NULL, **f = NULL;
  size_t len = 0, pos = 0, line = 1, cap = 0, nf = 0;
  int rc = spx_file_read(path, &buf, &len, err);
  if (rc) return rc;
  if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) pos = 3;
  table_builder b;
  rc = tb_init(&b, err);
  int header_done = !has_header;
  while (rc == SPX_OK && pos < len) {
    if (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')) {
      pos += buf[pos] == '\r' ? 2 : 1; /* blank line */
      line++;
      continue;
    }
    size_t start_line = line;
    rc = csv_record_core(buf, len, &pos, NULL, 0, &f, &cap, &nf, &line, path, err);
    if (rc) break;
    if (!header_done) {
      b.t->header = calloc(nf, sizeof *b.t->header);
      if (b.t->header == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        break;
      }
      b.t->ncols = nf;
      for (size_t k = 0; k < nf && rc == SPX_OK; k++) {
        b.t->header[k] = dup_str(f[k]);
        if (b.t->header[k] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
      }
      header_done = 1;
      continue;
    }
    if (has_header && nf != b.t->ncols) {
      rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: expected %zu fields as in the header, got %zu",
                         path, start_line, b.t->ncols, nf);
      break;
    }
    rc = tb_row(&b, start_line, err);
    for (size_t k = 0; k < nf && rc == SPX_OK; k++) rc = tb_cell(&b, f[k], err);
  }
  if (rc == SPX_OK && !header_done)
    rc = spx_error_set(err, SPX_EINVAL, "%s is empty (expected a header line)", path);
  free(f);
  free(buf);
  if (rc) {
    spx_table_destroy(&b.t);
    return rc;
  }
  *out = b.t;
  return SPX_OK;
}

/* Next non-blank line of buf (modified: the '\n' becomes NUL); NULL at the end. */
static char *next_line(char *buf, size_t len, size_t *pos, size_t *line, size_t *at) {
  while (*pos < len) {
    char *s = buf + *pos;
    char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *at = *line;
    *pos += l + (nl != NULL);
    (*line)++;
    s[l] = '\0';
    if (l && s[l - 1] == '\r') s[l - 1] = '\0';
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    if (*p) return s;
  }
  return NULL;
}

int spx_texts_read(const char *path, int jsonl, const char *field, char ***texts,
                   size_t **lines, size_t *count, spx_error *err) {
  *texts = NULL;
  *lines = NULL;
  *count = 0;
  size_t n = 0, cap = 0;
  char **t = NULL;
  size_t *ln = NULL;
  int rc = SPX_OK;
  if (!jsonl) {
    spx_table *T = NULL;
    rc = spx_csv_read(path, 1, &T, err);
    if (rc) return rc;
    size_t col = T->ncols;
    for (size_t c = 0; c < T->ncols; c++)
      if (strcmp(T->header[c], field) == 0) col = c;
    if (col == T->ncols) {
      char names[512] = "";
      for (size_t c = 0; c < T->ncols && strlen(names) < 400; c++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", c ? ", " : "",
                 T->header[c]);
      rc = spx_error_set(err, SPX_EINVAL, "%s:1: no column named '%s' in the header (columns: %s)",
                         path, field, names);
    }
    if (rc == SPX_OK) {
      t = calloc(T->nrows ? T->nrows : 1, sizeof *t);
      ln = calloc(T->nrows ? T->nrows : 1, sizeof *ln);
      if (t == NULL || ln == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
    }
    for (size_t r = 0; rc == SPX_OK && r < T->nrows; r++) {
      t[r] = dup_str(T->cells[T->start[r] + col]);
      ln[r] = T->line[r];
      if (t[r] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
      n = r + 1;
    }
    spx_table_destroy(&T);
  } else {
    char *buf = NULL;
    size_t len = 0, pos = 0, line = 1, at = 0;
    rc = spx_file_read(path, &buf, &len, err);
    if (rc) return rc;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) pos = 3;
    char *s;
    while (rc == SPX_OK && (s = next_line(buf, len, &pos, &line, &at)) != NULL) {
      cJSON *j = cJSON_Parse(s);
      const cJSON *v = j && cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, field) : NULL;
      if (j == NULL || !cJSON_IsObject(j))
        rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: not a JSON object (JSONL: one object per line)",
                           path, at);
      else if (v == NULL)
        rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: the object has no field '%s'", path, at, field);
      else if (!cJSON_IsString(v))
        rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: field '%s' is not a string", path, at, field);
      if (rc == SPX_OK && n == cap) {
        size_t ncap = cap ? 2 * cap : 64;
        char **nt = realloc(t, ncap * sizeof *nt);
        if (nt) t = nt;
        size_t *nl = nt ? realloc(ln, ncap * sizeof *nl) : NULL;
        if (nl) ln = nl;
        if (nt == NULL || nl == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        else cap = ncap;
      }
      if (rc == SPX_OK) {
        t[n] = dup_str(v->valuestring);
        ln[n] = at;
        if (t[n] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        else n++;
      }
      cJSON_Delete(j);
    }
    free(buf);
  }
  if (rc) {
    spx_words_free(&t, n);
    free(ln);
    return rc;
  }
  *texts = t;
  *lines = ln;
  *count = n;
  return SPX_OK;
}

/* One JSON array of strings into a new table row. */
static int json_label_row(table_builder *b, const cJSON *a, size_t line, const char *path,
                          size_t item, spx_error *err) {
  if (!cJSON_IsArray(a))
    return spx_error_set(err, SPX_EINVAL, "%s:%zu: label list %zu is not an array of strings",
                         path, line, item);
  int rc = tb_row(b, line, err);
  size_t k = 0;
  const cJSON *s;
  cJSON_ArrayForEach(s, a) {
    if (rc) break;
    if (!cJSON_IsString(s))
      return spx_error_set(err, SPX_EINVAL, "%s:%zu: label %zu of list %zu is not a string", path,
                           line, k, item);
    rc = tb_cell(b, s->valuestring, err);
    k++;
  }
  return rc;
}

int spx_ends_with_ci(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  if (a < b) return 0;
  for (size_t i = 0; i < b; i++) {
    char c = s[a - b + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != suffix[i]) return 0;
  }
  return 1;
}

int spx_labels_file_read(const char *path, spx_table **out, spx_error *err) {
  *out = NULL;
  if (!spx_ends_with_ci(path, ".json") && !spx_ends_with_ci(path, ".jsonl")) return spx_csv_read(path, 0, out, err);
  char *buf = NULL;
  size_t len = 0;
  int rc = spx_file_read(path, &buf, &len, err);
  if (rc) return rc;
  table_builder b;
  rc = tb_init(&b, err);
  if (rc == SPX_OK && spx_ends_with_ci(path, ".json")) {
    cJSON *j = cJSON_Parse(buf);
    if (j == NULL || !cJSON_IsArray(j)) {
      rc = spx_error_set(err, SPX_EINVAL,
                         "%s: expected a JSON array of label lists ([[\"a\", \"b\"], ...])%s",
                         path, j == NULL ? " (the file is not valid JSON)" : "");
    } else {
      size_t item = 0;
      const cJSON *a;
      cJSON_ArrayForEach(a, j) {
        if (rc) break;
        rc = json_label_row(&b, a, 1, path, item++, err);
      }
    }
    cJSON_Delete(j);
  } else if (rc == SPX_OK) {
    size_t pos = 0, line = 1, at = 0;
    char *s;
    while (rc == SPX_OK && (s = next_line(buf, len, &pos, &line, &at)) != NULL) {
      cJSON *a = cJSON_Parse(s);
      if (a == NULL)
        rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: not valid JSON", path, at);
      else
        rc = json_label_row(&b, a, at, path, b.t->nrows, err);
      cJSON_Delete(a);
    }
  }
  free(buf);
  if (rc) {
    spx_table_destroy(&b.t);
    return rc;
  }
  *out = b.t;
  return SPX_OK;
}

/* ---- UTF-8 and JSON strings --------------------------------------------------------------- */

int spx_utf8_valid(const char *s, size_t len, size_t *bad) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t k;
    unsigned min, cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      k = 1, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      k = 2, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      k = 3, min = 0x10000, cp = c & 0x07;
    } else {
      if (bad) *bad = i;
      return 0;
    }
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= len || (p[i + j] & 0xc0) != 0x80) {
        if (bad) *bad = i;
        return 0;
      }
      cp = (cp << 6) | (p[i + j] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      if (bad) *bad = i;
      return 0;
    }
    i += k + 1;
  }
  return 1;
}

int spx_json_append(char **buf, size_t *len, size_t *cap, const char *s, size_t slen) {
  size_t need = *len + 6 * slen + 3;
  if (need > *cap) {
    size_t ncap = 2 * need;
    char *nb = realloc(*buf, ncap);
    if (nb == NULL) return -1;
    *buf = nb;
    *cap = ncap;
  }
  char *o = *buf + *len;
  *o++ = '"';
  for (size_t i = 0; i < slen; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20) {
      *o++ = '\\';
      switch (c) {
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
          o += sprintf(o, "u%04x", c);
      }
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  *len = (size_t)(o - *buf);
  return 0;
}
