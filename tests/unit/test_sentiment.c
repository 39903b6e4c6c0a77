/* test_sentiment.c: the parts of the sentiment oracle that need no Node.js: word splitting
 * (Python str.split() whitespace) and the reviews CSV reader, on hand-made files, on the
 * project's data/reviews.csv and on ../shared/data/spectral_explain/sentiment.csv. The oracle
 * itself (which runs node) is tested in tests/integration/test_sentiment.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle/sentiment.h"
#include "testing.h"

static int words_are(const char *text, const char *const *want, size_t nwant) {
  char **w;
  size_t n;
  if (spx_words_split(text, &w, &n, NULL) != SPX_OK) return 0;
  int ok = n == nwant;
  for (size_t i = 0; ok && i < n; i++) ok = strcmp(w[i], want[i]) == 0;
  spx_words_free(&w, n);
  return ok;
}

static void test_words(void) {
  const char *abc[] = {"a", "bc", "d"};
  spx_test(words_are("a bc d", abc, 3), "single spaces");
  spx_test(words_are("  a\t\tbc\r\n d \n", abc, 3), "runs of ASCII whitespace, leading, trailing");
  spx_test(words_are("a\vbc\fd", abc, 3), "vertical tab and form feed separate");
  spx_test(words_are("a\x1c" "bc\x1f" "d", abc, 3), "0x1c..0x1f separate (as in Python)");
  spx_test(words_are("a\xc2\x85" "bc\xc2\xa0" "d", abc, 3), "U+0085 and U+00A0 separate");
  spx_test(words_are("a\xe3\x80\x80" "bc\xe2\x80\x8a" "d", abc, 3), "U+3000 and U+200A separate");
  spx_test(words_are("a\xe2\x80\xa8" "bc\xe2\x81\x9f" "d", abc, 3), "U+2028 and U+205F separate");
  /* Non-space characters next to those byte ranges stay inside words: U+2019 (’) is
   * E2 80 99, U+200B (zero width space, not whitespace in Python) is E2 80 8B, é is C3 A9. */
  const char *quote[] = {"don\xe2\x80\x99t", "caf\xc3\xa9", "x\xe2\x80\x8by"};
  spx_test(words_are("don\xe2\x80\x99t caf\xc3\xa9 x\xe2\x80\x8by", quote, 3),
           "U+2019, U+00E9 and U+200B are not whitespace");
  const char *br[] = {"great", "<br", "/><br", "/>But"};
  spx_test(words_are("great <br /><br />But", br, 4), "HTML breaks count as words");
  char **w = (char **)1;
  size_t n = 7;
  spx_test(spx_words_split(" \t\n", &w, &n, NULL) == SPX_OK && n == 0 && w == NULL,
           "whitespace only gives no words");
}

/* Write text to a new temporary file; returns its path in buf. */
static const char *temp_file(const char *text, char *buf, size_t len) {
  const char *dir = getenv("TMPDIR");
  snprintf(buf, len, "%s/spx-test-sentiment-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(buf);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return buf;
}

static void test_csv_format(void) {
  char path[512];
  /* BOM, CRLF, doubled quotes, a newline inside a quoted field, a blank line, an unquoted
   * review, extra column order */
  const char *csv =
      "\xef\xbb\xbfsentiment,review,n,source\r\n"
      "positive,\"\"\"A \"\"great\"\" film, truly.\"\"\",4,web\r\n"
      "\r\n"
      "negative,\"\"\"two\nlines\"\"\",2,x\n"
      "negative,plain text here,3,y\n"
      "neutral,\"\",zero,z";
  if (!temp_file(csv, path, sizeof path)) {
    spx_test(0, "cannot create a temporary file");
    return;
  }
  spx_reviews *R = NULL;
  spx_error err = {0};
  int rc = spx_reviews_read(path, &R, &err);
  spx_test(rc == SPX_OK, "hand-made CSV reads [%s]", err.msg);
  if (rc == SPX_OK) {
    spx_test_int((long long)R->count, 4, "4 rows (the blank line is skipped)");
    spx_test(strcmp(R->rows[0].text, "A \"great\" film, truly.") == 0,
             "doubled quotes unescaped and the literal quote at each end removed: [%s]",
             R->rows[0].text);
    spx_test(strcmp(R->rows[0].sentiment, "positive") == 0 && strcmp(R->rows[0].source, "web") == 0,
             "columns found by header name in any order");
    spx_test_int(R->rows[0].n, 4, "n column");
    spx_test_int((long long)R->rows[0].line, 2, "row 0 starts on line 2");
    spx_test(strcmp(R->rows[1].text, "two\nlines") == 0, "newline inside a quoted field");
    spx_test_int((long long)R->rows[1].line, 4, "row 1 starts on line 4 (after the blank line)");
    spx_test(strcmp(R->rows[2].text, "plain text here") == 0, "unquoted field kept as is");
    spx_test_int((long long)R->rows[2].line, 6, "line count includes the quoted newline");
    spx_test(strcmp(R->rows[3].text, "") == 0 && R->rows[3].n == -1,
             "empty review; a non-integer n reads as -1");
  }
  spx_reviews_destroy(&R);
  spx_reviews_destroy(&R); /* NULL is fine */
  unlink(path);

  struct {
    const char *csv, *want, *what;
  } bad[] = {
      {"review,n\n\"\"\"never closed,3\n", ":2: a quoted field is not closed", "unclosed quote"},
      {"review,n\n\"a\"b,3\n", ":2: unexpected character 'b' after a closing quote",
       "text after a closing quote"},
      {"review,n\nok,1\nx,2,3\n", ":3: expected 2 fields as in the header, got 3",
       "too many fields"},
      {"text,n\nok,1\n", "no column named 'review'", "missing review column"},
      {"\n\n", "is empty", "empty file"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (!temp_file(bad[i].csv, path, sizeof path)) continue;
    R = NULL;
    rc = spx_reviews_read(path, &R, &err);
    spx_test(rc == SPX_EINVAL && R == NULL && strstr(err.msg, bad[i].want) &&
                 strstr(err.msg, path),
             "%s is an error naming the file and what is wrong [%s]", bad[i].what, err.msg);
    unlink(path);
  }
  rc = spx_reviews_read("/nonexistent/reviews.csv", &R, &err);
  spx_test(rc == SPX_EIO && strstr(err.msg, "/nonexistent/reviews.csv"),
           "missing file names the path [%s]", err.msg);
}

static size_t word_count(const char *text) {
  char **w;
  size_t n = 0;
  if (spx_words_split(text, &w, &n, NULL) != SPX_OK) return (size_t)-1;
  spx_words_free(&w, n);
  return n;
}

static void test_project_reviews(void) {
  const char *src = getenv("SPX_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/data/reviews.csv", src ? src : ".");
  spx_reviews *R = NULL;
  spx_error err = {0};
  int rc = spx_reviews_read(path, &R, &err);
  spx_test(rc == SPX_OK, "data/reviews.csv reads [%s]", err.msg);
  if (rc) return;
  spx_test(R->count >= 40, "at least 40 reviews (%zu)", R->count);
  size_t band[12] = {0}, bad_n = 0, pos = 0, neg = 0, total = 0;
  for (size_t i = 0; i < R->count; i++) {
    size_t n = word_count(R->rows[i].text);
    if ((long long)n != R->rows[i].n) bad_n++;
    total += n;
    size_t b = 0;
    while (b < 11 && ((size_t)8 << (b + 1)) <= n) b++; /* band b: 8*2^b <= n < 8*2^(b+1) */
    if (n >= 8 && n < 2048) band[b]++;
    pos += strcmp(R->rows[i].sentiment, "positive") == 0;
    neg += strcmp(R->rows[i].sentiment, "negative") == 0;
  }
  spx_test_int((long long)bad_n, 0, "every n column equals the word count");
  for (size_t b = 0; b < 8; b++)
    spx_test(band[b] >= 5, "at least 5 reviews of %zu..%zu words (%zu)", (size_t)8 << b,
             ((size_t)16 << b) - 1, band[b]);
  spx_test(pos >= 15 && neg >= 15, "both sentiments well represented (%zu, %zu)", pos, neg);
  spx_test(total < 20000, "file kept small (%zu words)", total);
  spx_reviews_destroy(&R);
}

static void test_shared_csv(void) {
  char buf[1024];
  const char *path = spx_test_shared("spectral_explain/sentiment.csv", buf, sizeof buf);
  if (path == NULL) return;
  spx_reviews *R = NULL;
  spx_error err = {0};
  int rc = spx_reviews_read(path, &R, &err);
  spx_test(rc == SPX_OK, "sentiment.csv reads [%s]", err.msg);
  if (rc) return;
  /* Facts about the file established with Python's csv module and str.split()
   * (research/platform-notes.md §6). */
  spx_test_int((long long)R->count, 160, "160 reviews");
  spx_test_int((long long)word_count(R->rows[0].text), 8, "row 0 has 8 words");
  spx_test_int(R->rows[0].n, 8, "row 0's n column says 8");
  spx_test(strncmp(R->rows[0].text, "Offers that rare", 16) == 0 &&
               R->rows[0].text[strlen(R->rows[0].text) - 1] == '.',
           "row 0's literal quotes are stripped");
  spx_test(strcmp(R->rows[0].source, "Stanford") == 0 &&
               strcmp(R->rows[0].sentiment, "positive") == 0,
           "row 0's source and sentiment");
  size_t mismatches = 0, first = 0, words = 0, maxn = 0;
  for (size_t i = 0; i < R->count; i++) {
    size_t n = word_count(R->rows[i].text);
    words += n;
    if (n > maxn) maxn = n;
    if ((long long)n != R->rows[i].n && mismatches++ == 0) first = i;
  }
  spx_test(mismatches == 1 && first == 6,
           "the word count matches n on every row but row 6 (%zu mismatches, first %zu)",
           mismatches, first);
  spx_test_int((long long)word_count(R->rows[106].text), 360,
               "row 106 (split at U+0085 as Python does) has 360 words");
  spx_test_int((long long)words, 55482, "55482 words in all (the n column sums to 55481)");
  spx_test_int((long long)maxn, 1830, "longest review has 1830 words");
  spx_reviews_destroy(&R);
}

int main(void) {
  test_words();
  test_csv_format();
  test_project_reviews();
  test_shared_csv();
  return spx_test_summary();
}
