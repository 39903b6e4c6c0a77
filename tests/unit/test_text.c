/* test_text.c: the text oracle through the scorer protocol, with tests/data/echo_scorer.py
 * (python3, standard library) logging every text it receives.
 *
 * Checks the exact texts the scorer gets (decoded from its JSON log) and the numbers it sends
 * back, for: word units dropped and replaced by a mask token; a template with two {text} slots
 * and a newline; sentence and paragraph units (newlines, quotes, a tab and a control character
 * inside, non-ASCII); CSV and JSONL inputs with a configurable field; {e} in the scorer command
 * and SPEX_EXPLICAND; labels and description; the splitting functions; and each option error
 * (file, key or value named). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/mask.h"
#include "core/options.h"
#include "oracle/oracle.h"
#include "oracle/textdata.h"
#include "testing.h"

static char tmpdir[256];
static char logpath[300];
static char scorer[1024];

static const char *source_dir(void) {
  const char *s = getenv("SPX_SOURCE_DIR");
  return s ? s : ".";
}

static char *put_file(const char *name, const char *text) {
  char *p = malloc(512);
  snprintf(p, 512, "%s/%s", tmpdir, name);
  FILE *f = fopen(p, "wb");
  fputs(text, f);
  fclose(f);
  return p;
}

static spx_oracle *open_kv(const char *kind, const char *const *kv, size_t e, spx_error *err) {
  spx_options *o = spx_options_create("oracle text");
  for (size_t i = 0; kv[i]; i += 2) {
    spx_option_kind k = SPX_OPT_STRING;
    if (strcmp(kv[i], "timeout") == 0) k = SPX_OPT_FLOAT;
    spx_options_put(o, kv[i], k, kv[i + 1], "t.toml:1:1", NULL);
  }
  spx_oracle *orc = NULL;
  spx_oracle_open(spx_oracle_lookup(kind), o, e, &orc, err);
  spx_options_destroy(&o);
  return orc;
}

/* Code points of a UTF-8 string. */
static double codepoints(const char *s) {
  double c = 0;
  for (; *s; s++) c += ((unsigned char)*s & 0xc0) != 0x80;
  return c;
}

static double newlines(const char *s) {
  double c = 0;
  for (; *s; s++) c += *s == '\n';
  return c;
}

/* Evaluate masks (strings of '0'/'1'), then compare the logged texts with want[] and the
 * values with the scorer's formula (plus extra). */
static void check_texts(spx_oracle *o, const char *const *masks, const char *const *want,
                        size_t count, double extra, const char *what) {
  unlink(logpath);
  spx_maskset *s = spx_maskset_create(o->n, count);
  for (size_t i = 0; i < count; i++)
    spx_mask_from_string(spx_maskset_row(s, i), o->n, masks[i], NULL);
  double v[16];
  spx_error err = {0};
  int rc = spx_oracle_eval_all(o, s, v, &err);
  spx_maskset_destroy(&s);
  spx_test(rc == SPX_OK, "%s: eval [%s]", what, err.msg);
  if (rc) return;
  FILE *f = fopen(logpath, "r");
  char line[8192];
  for (size_t i = 0; i < count; i++) {
    cJSON *j = NULL;
    if (f && fgets(line, sizeof line, f)) j = cJSON_Parse(line);
    const char *got = j && cJSON_IsString(j) ? j->valuestring : "(nothing)";
    spx_test(strcmp(got, want[i]) == 0, "%s, mask %s: the scorer got the text [%s] (want [%s])",
             what, masks[i], got, want[i]);
    double expect = codepoints(want[i]) + 1000 * newlines(want[i]) + extra;
    spx_test(v[i] == expect, "%s, mask %s: value %g = %g", what, masks[i], v[i], expect);
    cJSON_Delete(j);
  }
  if (f) fclose(f);
}

static const char *CSV =
    "id,body,other\n"
    "0,\"Hello, w\xc3\xb6rld! \"\"quoted\"\" \xe2\x98\x83 end\",x\n"
    "1,\"First one. Second \"\"two\"\"!  Third?\nFourth line\",y\n"
    "2,\"Para one\nstill one.\n\n  Para two.\n \t\nPara three\",z\n"
    "3,\"tab\there\x01x. Next\",w\n"
    "4,\"bad \xff byte\",v\n";

static const char *JSONL =
    "{\"body\": \"Hello, w\xc3\xb6rld! \\\"quoted\\\" \\u2603 end\", \"id\": 0}\n"
    "\n"
    "{\"body\": \"First one. Second \\\"two\\\"!  Third?\\nFourth line\", \"id\": 1}\n";

static void test_words(const char *csv, const char *jsonl) {
  spx_error err = {0};
  const char *kv[] = {"data", csv, "field", "body", "scorer", scorer, NULL};
  spx_oracle *o = open_kv("text", kv, 0, &err);
  spx_test(o != NULL && o->n == 5, "words of row 0: n = 5 [%s]", err.msg);
  if (o == NULL) return;
  char *const *l = spx_oracle_labels(o);
  spx_test(strcmp(l[0], "Hello,") == 0 && strcmp(l[1], "w\xc3\xb6rld!") == 0 &&
               strcmp(l[2], "\"quoted\"") == 0 && strcmp(l[3], "\xe2\x98\x83") == 0,
           "labels are the words");
  spx_test(o->explicand && strstr(o->explicand, "text 0 of") && strstr(o->explicand, "(5 words)"),
           "description (%s)", o->explicand);
  const char *m[] = {"11111", "10101", "00000", "01010"};
  const char *w[] = {"Hello, w\xc3\xb6rld! \"quoted\" \xe2\x98\x83 end", "Hello, \"quoted\" end", "",
                     "w\xc3\xb6rld! \xe2\x98\x83"};
  check_texts(o, m, w, 4, 0, "words, dropped");
  spx_oracle_destroy(&o);

  const char *kvm[] = {"data", csv, "field", "body", "scorer", scorer, "mask_token", "[UNK]", NULL};
  o = open_kv("text", kvm, 0, &err);
  const char *wm[] = {"Hello, w\xc3\xb6rld! \"quoted\" \xe2\x98\x83 end",
                      "Hello, [UNK] \"quoted\" [UNK] end", "[UNK] [UNK] [UNK] [UNK] [UNK]",
                      "[UNK] w\xc3\xb6rld! [UNK] \xe2\x98\x83 [UNK]"};
  if (o) check_texts(o, m, wm, 4, 0, "words, mask_token [UNK]");
  spx_oracle_destroy(&o);

  const char *kvt[] = {"data",     csv, "field", "body", "scorer", scorer, "template",
                       "Review: {text}\nSentiment of \"{text}\":", NULL};
  o = open_kv("text", kvt, 0, &err);
  const char *mt[] = {"11000", "00000"};
  const char *wt[] = {"Review: Hello, w\xc3\xb6rld!\nSentiment of \"Hello, w\xc3\xb6rld!\":",
                      "Review: \nSentiment of \"\":"};
  if (o) check_texts(o, mt, wt, 2, 0, "template with two {text} slots");
  spx_test(o != NULL, "open with a template [%s]", err.msg);
  spx_oracle_destroy(&o);

  /* JSONL, the same text via \u escapes */
  const char *kvj[] = {"data", jsonl, "field", "body", "scorer", scorer, NULL};
  size_t count = 0;
  spx_options *op = spx_options_create("oracle text");
  spx_options_put(op, "data", SPX_OPT_STRING, jsonl, NULL, NULL);
  spx_options_put(op, "field", SPX_OPT_STRING, "body", NULL, NULL);
  spx_test(spx_oracle_explicands(spx_oracle_lookup("text"), op, &count, &err) == SPX_OK && count == 2,
           "JSONL: 2 texts (blank line skipped) (%zu) [%s]", count, err.msg);
  spx_options_destroy(&op);
  o = open_kv("text", kvj, 0, &err);
  if (o) check_texts(o, m, w, 4, 0, "JSONL words");
  spx_test(o != NULL, "open JSONL [%s]", err.msg);
  spx_oracle_destroy(&o);
}

static void test_units(const char *csv, const char *jsonl) {
  spx_error err = {0};
  /* sentences; explicand 1 -> SPEX_EXPLICAND = 1 adds 100000, {e} = 1 adds 1e6 */
  char sc[1200];
  snprintf(sc, sizeof sc, "%s {e}", scorer);
  const char *kv[] = {"data", csv, "field", "body", "scorer", sc, "unit", "sentence", NULL};
  spx_oracle *o = open_kv("text", kv, 1, &err);
  spx_test(o != NULL && o->n == 4, "sentences of row 1: n = 4 [%s]", err.msg);
  if (o) {
    char *const *l = spx_oracle_labels(o);
    spx_test(strcmp(l[0], "First one.") == 0 && strcmp(l[1], "Second \"two\"!") == 0 &&
                 strcmp(l[2], "Third?") == 0 && strcmp(l[3], "Fourth line") == 0,
             "sentence labels (%s | %s | %s | %s)", l[0], l[1], l[2], l[3]);
    const char *m[] = {"1111", "1011", "0100"};
    const char *w[] = {"First one. Second \"two\"! Third? Fourth line", "First one. Third? Fourth line",
                       "Second \"two\"!"};
    check_texts(o, m, w, 3, 1100000, "sentences, explicand 1 ({e} and SPEX_EXPLICAND)");
  }
  spx_oracle_destroy(&o);
  const char *kvj[] = {"data", jsonl, "field", "body", "scorer", scorer, "unit", "sentences", NULL};
  o = open_kv("text", kvj, 1, &err);
  spx_test(o != NULL && o->n == 4 && strcmp(spx_oracle_labels(o)[1], "Second \"two\"!") == 0,
           "JSONL sentences equal the CSV ones [%s]", err.msg);
  spx_oracle_destroy(&o);
  /* paragraphs, with a mask token */
  const char *kvp[] = {"data", csv, "field", "body", "scorer", scorer, "unit", "paragraph",
                       "mask_token", "[UNK]", NULL};
  o = open_kv("text", kvp, 2, &err);
  spx_test(o != NULL && o->n == 3, "paragraphs of row 2: n = 3 [%s]", err.msg);
  if (o) {
    spx_test(strcmp(spx_oracle_labels(o)[0], "Para one\nstill one.") == 0 &&
                 strcmp(spx_oracle_labels(o)[1], "Para two.") == 0,
             "paragraph labels");
    const char *m[] = {"111", "101"};
    const char *w[] = {"Para one\nstill one.\n\nPara two.\n\nPara three",
                       "Para one\nstill one.\n\n[UNK]\n\nPara three"};
    check_texts(o, m, w, 2, 200000, "paragraphs, explicand 2");
  }
  spx_oracle_destroy(&o);
  /* a tab and a control character survive (\t and \u0001 in JSON) */
  const char *kvc[] = {"data", csv, "field", "body", "scorer", scorer, "unit", "sentence", NULL};
  o = open_kv("text", kvc, 3, &err);
  if (o) {
    const char *m[] = {"11", "10"};
    const char *w[] = {"tab\there\x01x. Next", "tab\there\x01x."};
    check_texts(o, m, w, 2, 300000, "tab and \\x01 inside a sentence");
  }
  spx_test(o != NULL, "open row 3 [%s]", err.msg);
  spx_oracle_destroy(&o);
}

static void test_split(void) {
  char **u = NULL;
  size_t n = 0;
  spx_sentences_split("  Dr. Who? Yes!!! (Really.) \"Go.\" Then... end", &u, &n, NULL);
  spx_test(n == 7 && strcmp(u[0], "Dr.") == 0 && strcmp(u[2], "Yes!!!") == 0 &&
               strcmp(u[3], "(Really.)") == 0 && strcmp(u[4], "\"Go.\"") == 0 &&
               strcmp(u[5], "Then...") == 0 && strcmp(u[6], "end") == 0,
           "sentences: runs of .!?, closing quotes/brackets (%zu)", n);
  spx_words_free(&u, n);
  spx_sentences_split("no end mark", &u, &n, NULL);
  spx_test(n == 1 && strcmp(u[0], "no end mark") == 0, "one sentence without an end mark");
  spx_words_free(&u, n);
  spx_paragraphs_split("\n\na\nb\r\n\r\nc\n\n\n", &u, &n, NULL);
  spx_test(n == 2 && strcmp(u[0], "a\nb") == 0 && strcmp(u[1], "c") == 0,
           "paragraphs: CRLF blank lines, leading/trailing blank lines (%zu)", n);
  spx_words_free(&u, n);
  char *b = NULL;
  size_t len = 0, cap = 0;
  spx_json_append(&b, &len, &cap, "a\"\\\n\x1f\xc3\xa9", 7);
  spx_test(len == strlen("\"a\\\"\\\\\\n\\u001f\xc3\xa9\"") &&
               memcmp(b, "\"a\\\"\\\\\\n\\u001f\xc3\xa9\"", len) == 0,
           "json escaping");
  free(b);
  size_t bad = 0;
  spx_test(!spx_utf8_valid("ok \xed\xa0\x80", 6, &bad) && bad == 3, "UTF-8: a surrogate is invalid");
  spx_test(!spx_utf8_valid("\xc0\xaf", 2, &bad) && bad == 0, "UTF-8: an overlong is invalid");
  spx_test(spx_utf8_valid("\xf0\x9f\x98\x80", 4, &bad), "UTF-8: U+1F600 is valid");
}

static void test_errors(const char *csv) {
  spx_error err = {0};
  struct {
    const char *kv[12];
    size_t e;
    const char *a, *b;
  } cases[] = {
      {{"data", "", "field", "body", NULL}, 0, "scorer", "required"},
      {{"field", "body", "scorer", "cat", NULL}, 0, "data", "required"},
      {{"data", "", "scorer", "cat", NULL}, 0, "no column named 'text'", "id, body, other"},
      {{"data", "", "field", "body", "scorer", "cat", "template", "no slot", NULL}, 0, "template",
       "{text}"},
      {{"data", "", "field", "body", "scorer", "cat", "unit", "letter", NULL}, 0, "unit", "letter"},
      {{"data", "", "field", "body", "scorer", "cat", NULL}, 4, "not valid UTF-8", "byte 4"},
      {{"data", "", "field", "body", "scorer", "cat", NULL}, 5, "out of range", "0..4"},
      {{"data", "/nonexistent/t.csv", "field", "body", "scorer", "cat", NULL}, 0, "data",
       "/nonexistent/t.csv"},
      {{"data", "", "field", "body", "scorer", "cat", "mask_tokn", "x", NULL}, 0, "mask_tokn",
       "unknown"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    for (size_t i = 0; cases[c].kv[i]; i += 2)
      if (strcmp(cases[c].kv[i], "data") == 0 && cases[c].kv[i + 1][0] == '\0')
        cases[c].kv[i + 1] = csv;
    spx_oracle *o = open_kv("text", cases[c].kv, cases[c].e, &err);
    spx_test(o == NULL && strstr(err.msg, cases[c].a) && strstr(err.msg, cases[c].b),
             "error %zu names '%s' and '%s' [%s]", c, cases[c].a, cases[c].b, err.msg);
    spx_oracle_destroy(&o);
  }
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/spx-test-text-XXXXXX");
  if (mkdtemp(tmpdir) == NULL) return 1;
  snprintf(logpath, sizeof logpath, "%s/log.jsonl", tmpdir);
  test_split();
  if (system("command -v python3 >/dev/null 2>&1") != 0) {
    printf("SKIP: python3 not found; the scorer protocol tests were not run\n");
    return spx_test_summary();
  }
  snprintf(scorer, sizeof scorer, "python3 '%s/tests/data/echo_scorer.py' '%s'", source_dir(),
           logpath);
  char *csv = put_file("texts.csv", CSV), *jsonl = put_file("texts.jsonl", JSONL);
  test_words(csv, jsonl);
  test_units(csv, jsonl);
  test_errors(csv);
  unlink(csv);
  unlink(jsonl);
  unlink(logpath);
  free(csv);
  free(jsonl);
  rmdir(tmpdir);
  return spx_test_summary();
}
