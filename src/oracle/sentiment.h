/* sentiment.h: the reviews file and word splitting behind the `sentiment` oracle.
 *
 * The oracle itself (sentiment.c, registered as "sentiment") scores movie reviews with the
 * VADER model through a Node.js server run by the `process` oracle; see docs/sentiment.md.
 * These helpers are public so tests and tools can read the same explicands. */
#ifndef SPX_ORACLE_SENTIMENT_H
#define SPX_ORACLE_SENTIMENT_H

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

#endif
