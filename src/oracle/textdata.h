/* textdata.h: texts for the `text` oracle and its `sentiment` alias (text.c).
 *
 * Splitting a text into features (words, sentences, paragraphs), reading CSV and JSONL files
 * of texts, the reviews CSV of the sentiment experiments, per-explicand label files, and the
 * JSON escaping of the scorer protocol (docs/oracles.md). Public so tests and tools read the
 * same explicands as the oracle. */
#ifndef SPX_ORACLE_TEXTDATA_H
#define SPX_ORACLE_TEXTDATA_H

#include <stddef.h>

#include "../core/error.h"

/* One row of a reviews CSV (header review,source,n,sentiment; only review is required). */
typedef struct spx_review {
  char *text;      /* the review, with the literal '"' at each end removed */
  char *source;    /* "" when the column is absent */
  char *sentiment; /* "" when the column is absent */
  long long n;     /* the file's n column, or -1 when absent or not an integer */
  size_t line;     /* line of the file where the row starts (1-based) */
} spx_review;

typedef struct spx_reviews {
  spx_review *rows;
  size_t count;
} spx_reviews;

/* Read a reviews CSV (RFC 4180 quoting, LF or CRLF line ends, an optional UTF-8 BOM). Errors
 * name the file and line. */
int spx_reviews_read(const char *path, spx_reviews **out, spx_error *err);
void spx_reviews_destroy(spx_reviews **reviews);

/* Split text into words at whitespace as Python's str.split() does (ASCII \t\n\v\f\r, 0x1c-0x1f,
 * space, and the Unicode spaces U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000 in UTF-8). *words = count new strings (free with spx_words_free). */
int spx_words_split(const char *text, char ***words, size_t *count, spx_error *err);
void spx_words_free(char ***words, size_t count);

/* Split text into sentences: a sentence ends after a run of '.', '!' or '?' (with any closing
 * quotes or brackets " ' ) ] right after it) that is followed by whitespace or the end of the
 * text. Each sentence is trimmed of whitespace at both ends (Python's), inner text kept as
 * is (newlines too); empty ones are dropped. Free with spx_words_free. */
int spx_sentences_split(const char *text, char ***units, size_t *count, spx_error *err);
/* Split text into paragraphs: separated by blank lines (a line holding only whitespace);
 * trimmed as sentences are. Free with spx_words_free. */
int spx_paragraphs_split(const char *text, char ***units, size_t *count, spx_error *err);

/* A table of strings read from a CSV, JSON or JSONL file. Row r has cells
 * cells[start[r] .. start[r + 1]) and starts on line line[r] of the file. */
typedef struct spx_table {
  size_t nrows;
  size_t ncols;   /* header fields (CSV with a header), else 0 */
  char **header;  /* ncols names, or NULL */
  char **cells;   /* owned strings */
  size_t *start;  /* nrows + 1 offsets */
  size_t *line;   /* nrows line numbers (1-based) */
} spx_table;
void spx_table_destroy(spx_table **t);

/* Read a CSV file (RFC 4180 quoting, LF or CRLF, optional UTF-8 BOM, blank lines skipped).
 * With has_header every row must have as many fields as the header; without, rows may
 * differ in length. Errors name the file and line. */
int spx_csv_read(const char *path, int has_header, spx_table **out, spx_error *err);

/* Texts of a CSV (header with a column named field) or JSONL file (one JSON object per
 * non-blank line, field a string member): *texts = count new strings, *lines their lines.
 * jsonl selects the format. Errors name the file, line and field. */
int spx_texts_read(const char *path, int jsonl, const char *field, char ***texts,
                   size_t **lines, size_t *count, spx_error *err);

/* Per-explicand label lists from a file: JSON (path ends in .json: an array of arrays of
 * strings), JSONL (.jsonl: one array of strings per line) or CSV (otherwise: one record per
 * explicand, no header). Row e of the table is explicand e's labels. */
int spx_labels_file_read(const char *path, spx_table **out, spx_error *err);

/* 1 when s ends with suffix, ignoring ASCII case (suffix in lower case). */
int spx_ends_with_ci(const char *s, const char *suffix);
/* 1 if the len bytes at s are valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF); else 0
 * and *bad = the offset of the first invalid byte. */
int spx_utf8_valid(const char *s, size_t len, size_t *bad);

/* Append s as a JSON string (with its quotes) to *buf (length *len, capacity *cap, grown
 * with realloc): '"' and '\\' escaped, control characters as \n \r \t \b \f or \u00XX,
 * everything else (UTF-8 included) as is. Returns 0, or -1 when out of memory. */
int spx_json_append(char **buf, size_t *len, size_t *cap, const char *s, size_t slen);

/* Read a whole file into a new NUL-terminated buffer; *len (when len is not NULL) gets its
 * length. */
int spx_file_read(const char *path, char **out, size_t *len, spx_error *err);

#endif
