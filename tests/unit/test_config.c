/* test_config.c: the TOML shim, the BCH budget rule, and every validation message of the
 * experiment configuration (including --set overrides), with the test-only types of
 * tests/driver_types.h standing in for real oracles and methods. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/budget.h"
#include "config/config.h"
#include "config/toml_shim.h"
#include "driver_types.h"
#include "testing.h"

/* Lines 1..16 of every test document; tests append or replace lines. */
static const char *base =
    "[experiment]\n"            /* 1 */
    "name = \"t\"\n"            /* 2 */
    "seed = 3\n"                /* 3 */
    "output = \"/tmp/x.h5\"\n"  /* 4 */
    "\n"                        /* 5 */
    "[oracle]\n"                /* 6 */
    "kind = \"tsparse\"\n"      /* 7 */
    "n = 5\n"                   /* 8 */
    "\n"                        /* 9 */
    "[budget]\n"                /* 10 */
    "samples = [32, 64]\n"      /* 11 */
    "\n"                        /* 12 */
    "[[method]]\n"              /* 13 */
    "name = \"texhaust\"\n"     /* 14 */
    "rounds = 2\n"              /* 15 */
    "\n";                       /* 16 */

/* base with the first occurrence of from replaced by to (from may be "" to append). */
static char *edit(const char *from, const char *to) {
  size_t len = strlen(base) + strlen(to) + 1;
  char *s = malloc(len);
  const char *at = *from ? strstr(base, from) : NULL;
  if (at == NULL) {
    snprintf(s, len, "%s%s", base, to);
  } else {
    size_t pre = (size_t)(at - base);
    memcpy(s, base, pre);
    snprintf(s + pre, len - pre, "%s%s", to, at + strlen(from));
  }
  return s;
}

/* Load text (with sets) and dry-run; expect failure with exactly msg. */
static void expect_error(const char *text, const char *const *sets, size_t nsets,
                         const char *msg, const char *what) {
  spx_config *c = NULL;
  spx_error err = {0};
  int rc = spx_config_load_string(text, "cfg.toml", sets, nsets, &test_types, &c, &err);
  if (rc == SPX_OK) rc = spx_config_dry_run(c, &err);
  spx_test(rc != SPX_OK, "%s: fails", what);
  if (strcmp(err.msg, msg) != 0) printf("  got:  %s\n  want: %s\n", err.msg, msg);
  spx_test(strcmp(err.msg, msg) == 0, "%s: message", what);
  spx_config_destroy(&c);
}

static void expect_edit_error(const char *from, const char *to, const char *msg,
                              const char *what) {
  char *text = edit(from, to);
  expect_error(text, NULL, 0, msg, what);
  free(text);
}

/* The same with a message that starts with prefix and lists name (registries grow). */
static void expect_edit_error_prefix(const char *from, const char *to, const char *prefix,
                                     const char *name, const char *what) {
  char *text = edit(from, to);
  spx_config *c = NULL;
  spx_error err = {0};
  int rc = spx_config_load_string(text, "cfg.toml", NULL, 0, &test_types, &c, &err);
  spx_test(rc != SPX_OK, "%s: fails", what);
  spx_test(strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, name) != NULL,
           "%s: message (%s)", what, err.msg);
  spx_config_destroy(&c);
  free(text);
}

static void test_shim(void) {
  char err[256];
  spx_toml *doc = spx_toml_parse_string("a = 1\n[t]\nx = [1, 2.5, \"s\"]\ny = true\n", "s.toml",
                                        err, sizeof err);
  spx_test(doc != NULL, "shim: parse string");
  const spx_toml_node *root = spx_toml_root(doc);
  spx_test_int(spx_toml_count(root), 2, "shim: two root entries");
  const char *key;
  spx_toml_pos kp;
  const spx_toml_node *t = spx_toml_entry(root, 1, &key, &kp);
  spx_test(strcmp(key, "t") == 0 && spx_toml_type_of(t) == SPX_TOML_TABLE, "shim: entry 1 is t");
  const spx_toml_node *x = spx_toml_find(t, "x");
  spx_toml_pos p = spx_toml_where(spx_toml_at(x, 1));
  spx_test(p.line == 3 && p.column == 9 && strcmp(p.file, "s.toml") == 0,
           "shim: element position 3:9 (got %u:%u)", p.line, p.column);
  double d;
  long long i;
  spx_test(spx_toml_double(spx_toml_at(x, 1), &d) == 0 && d == 2.5, "shim: float element");
  spx_test(spx_toml_int(spx_toml_at(x, 1), &i) != 0, "shim: float is not an int");
  spx_test(spx_toml_double(spx_toml_at(x, 0), &d) == 0 && d == 1.0, "shim: int as double");
  char buf[32];
  spx_toml_text(spx_toml_at(x, 2), buf, sizeof buf);
  spx_test(strcmp(buf, "s") == 0, "shim: string text without quotes");
  int b;
  spx_test(spx_toml_bool(spx_toml_find(t, "y"), &b) == 0 && b == 1, "shim: bool");
  spx_test(spx_toml_set(doc, "t.x[1]", "7", "--set t.x[1]=7", err, sizeof err) == 0 &&
               spx_toml_int(spx_toml_at(x, 1), &i) == 0 && i == 7,
           "shim: set array element");
  spx_test(spx_toml_set(doc, "u.v.w", "hello world", "--set", err, sizeof err) == 0,
           "shim: set creates tables");
  const spx_toml_node *w = spx_toml_find(spx_toml_find(spx_toml_find(root, "u"), "v"), "w");
  spx_test(w && strcmp(spx_toml_string(w), "hello world") == 0,
           "shim: unparsable value becomes a string");
  spx_test(spx_toml_set(doc, "a.b", "1", "--set", err, sizeof err) != 0 &&
               strstr(err, "'a' is not a table") != NULL,
           "shim: set through a scalar fails (%s)", err);
  spx_test(spx_toml_set(doc, "t.x[9]", "1", "--set", err, sizeof err) != 0 &&
               strstr(err, "no element [9]") != NULL,
           "shim: set beyond an array fails (%s)", err);
  char *dump = spx_toml_dump(doc);
  spx_test(dump && strstr(dump, "x = [ 1, 7, 's' ]") != NULL, "shim: dump (%s)", dump);
  spx_toml *again = spx_toml_parse_string(dump, "dump", err, sizeof err);
  spx_test(again != NULL, "shim: dump parses again");
  spx_toml_destroy(&again);
  free(dump);
  spx_toml_destroy(&doc);
  spx_test(doc == NULL, "shim: destroy clears the handle");
  spx_toml_destroy(&doc);

  doc = spx_toml_parse_string("a = 1\nb = [1,\n", "bad.toml", err, sizeof err);
  spx_test(doc == NULL && strncmp(err, "bad.toml:2:9: ", 14) == 0, "shim: parse error (%s)",
           err);
  doc = spx_toml_parse_file("/nonexistent/x.toml", err, sizeof err);
  spx_test(doc == NULL && strstr(err, "/nonexistent/x.toml") != NULL,
           "shim: missing file (%s)", err);
}

/* Parity lengths from research/reference-code.md §1.2 (computed there with the coset rule and
 * matching shapiq's unit tests). */
static void test_bch(void) {
  static const struct { size_t n; unsigned t; size_t nc, kc; } ref[] = {
      {6, 2, 15, 7},      {6, 5, 31, 11},     {10, 3, 31, 16},    {20, 3, 63, 45},
      {20, 5, 63, 36},    {50, 5, 127, 92},   {64, 3, 127, 106},  {100, 5, 255, 215},
      {256, 5, 511, 466}, {512, 5, 1023, 973}, {1000, 5, 2047, 1992}, {16, 4, 63, 39},
      {32, 6, 127, 85},   {100, 4, 255, 223}, {8, 4, 31, 11}};
  for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
    size_t p, nc, kc;
    int rc = spx_bch_parity_length(ref[i].n, ref[i].t, &p, &nc, &kc, NULL);
    spx_test(rc == 0 && nc == ref[i].nc && kc == ref[i].kc && p == nc - kc,
             "bch n=%zu t=%u -> (%zu,%zu), got (%zu,%zu)", ref[i].n, ref[i].t, ref[i].nc,
             ref[i].kc, nc, kc);
  }
  size_t s;
  spx_test(spx_budget_spex_samples(20, 5, 4, &s, NULL) == 0 && s == 1344, "N(b=4) at n=20 = 1344");
  spx_test(spx_budget_spex_samples(1000, 5, 8, &s, NULL) == 0 && s == 43008,
           "N(b=8) at n=1000 = 43008");
  spx_error err;
  size_t nc, kc;
  spx_test(spx_bch_parity_length(1000000, 5, &s, &nc, &kc, &err) == 0 && s == 100 &&
               nc == 1048575 && kc == 1048475,
           "bch: n = 10^6, t = 5 -> m = 20, p = 100 (the code SPEX builds)");
  spx_test(spx_bch_parity_length(1048476, 5, &s, NULL, NULL, &err) == SPX_ERANGE,
           "bch: n = 1048476 needs m >= 21: out of range");
  spx_test(spx_bch_parity_length(10, 16, &s, NULL, NULL, &err) == SPX_ERANGE,
           "bch: t = 16 is beyond SPEX's decoder: out of range");
  spx_test(spx_bch_parity_length(10, 0, &s, NULL, NULL, &err) == SPX_ERANGE, "bch: t = 0");
}

static void test_good(void) {
  spx_config *c = NULL;
  spx_error err = {0};
  int rc = spx_config_load_string(base, "cfg.toml", NULL, 0, &test_types, &c, &err);
  spx_test(rc == SPX_OK, "base config loads (%s)", err.msg);
  if (rc) return;
  spx_test(spx_config_dry_run(c, &err) == SPX_OK, "base config dry run (%s)", err.msg);
  spx_test(strcmp(c->name, "t") == 0 && c->seed == 3 && c->kind == SPX_EXP_FAITHFULNESS,
           "base: name, seed, kind");
  spx_test(c->test_masks == 1000 && c->repeats == 1 && c->group_size == 1 && c->chunk == 64 &&
               c->split == SPX_PAR_BLOCK && c->dedicated_coordinator == 0,
           "base: defaults");
  spx_test(c->explicand_first == 0 && c->explicand_count == 3, "base: all 3 explicands");
  spx_test(c->nbudget_points == 2 && c->budget_points[1] == 64 &&
               c->budget_mode == SPX_BUDGET_SAMPLES,
           "base: samples");
  spx_test(c->nmethod == 1 && strcmp(c->method[0].label, "texhaust") == 0 &&
               spx_options_count(c->method[0].opts) == 1,
           "base: one method with one option");
  const char *k, *t, *w;
  spx_options_at(c->method[0].opts, 0, &k, NULL, &t, &w);
  spx_test(strcmp(k, "rounds") == 0 && strcmp(t, "2") == 0 && strcmp(w, "cfg.toml:15:10") == 0,
           "base: method option with its position (%s)", w);
  spx_test(strstr(c->resolved, "test_masks = 1000") && strstr(c->resolved, "count = 3"),
           "resolved text has the defaults");
  /* The resolved text is a fixed point. */
  spx_config *again = NULL;
  rc = spx_config_load_string(c->resolved, "resolved", NULL, 0, &test_types, &again, &err);
  spx_test(rc == SPX_OK && strcmp(again->resolved, c->resolved) == 0,
           "resolved text loads to the same resolved text");
  spx_config_destroy(&again);
  spx_config_destroy(&c);

  const char *sets[] = {"experiment.seed=7", "oracle.n=4", "method[0].rounds=3",
                        "experiment.name=run two", "oracle.explicands={first = 1}"};
  rc = spx_config_load_string(base, "cfg.toml", sets, 5, &test_types, &c, &err);
  spx_test(rc == SPX_OK, "--set overrides load (%s)", err.msg);
  if (rc) return;
  spx_test(c->seed == 7, "--set experiment.seed=7");
  spx_test(strcmp(c->name, "run two") == 0, "--set of a bare string");
  spx_test(c->explicand_first == 1 && c->explicand_count == 2, "--set explicands.first");
  spx_options_at(c->method[0].opts, 0, &k, NULL, &t, &w);
  spx_test(strcmp(t, "3") == 0 && strcmp(w, "--set method[0].rounds=3") == 0,
           "--set method option, located at the --set");
  spx_test(spx_config_dry_run(c, &err) == SPX_OK, "--set oracle.n=4 dry run");
  spx_config_destroy(&c);

  /* spx_b budgets and a scaling sweep. */
  char *text = edit("samples = [32, 64]", "spx_b = [2, 3]");
  char *text2 = malloc(strlen(text) + 200);
  sprintf(text2, "%s[scaling]\nn = [4, 6]\n", text);
  char *p = strstr(text2, "n = 5\n");
  memcpy(p, "     \n", 6);
  const char *kind[] = {"experiment.kind=scaling"};
  rc = spx_config_load_string(text2, "cfg.toml", kind, 1, &test_types, &c, &err);
  spx_test(rc == SPX_OK, "scaling config loads (%s)", err.msg);
  if (rc == SPX_OK) {
    spx_test(c->nscaling == 2 && spx_config_instances(c) == 6, "scaling: 2 n x 3 explicands");
    spx_test(spx_config_instance_explicand(c, 4) == 1 && spx_config_instance_scaling(c, 4) == 1,
             "scaling: instance 4 = explicand 1 at n[1]");
    spx_options *o = spx_config_oracle_options(c, 4, &err);
    long long n;
    spx_test(o && spx_options_int(o, "n", 0, &n, &err) == 0 && n == 6, "scaling: n = 6 set");
    spx_options_destroy(&o);
    size_t s;
    /* n = 6, t = 5: (31,11), p = 20: N(3) = 3 * 21 * 8. */
    spx_test(spx_config_budget_queries(c, 6, 1, &s, &err) == 0 && s == 504,
             "spx_b = 3 at n = 6: 504");
    spx_test(spx_config_dry_run(c, &err) == SPX_OK, "scaling dry run (%s)", err.msg);
  }
  spx_config_destroy(&c);
  free(text);
  free(text2);
}

static void test_errors(void) {
  {
    spx_config *c = NULL;
    spx_error err = {0};
    char *text = edit("seed = 3\n", "seed = 3 3\n");
    int rc = spx_config_load_string(text, "cfg.toml", NULL, 0, &test_types, &c, &err);
    spx_test(rc == SPX_EINVAL && strncmp(err.msg, "cfg.toml:3:", 11) == 0,
             "syntax error names file:line:column (%s)", err.msg);
    free(text);
  }
  expect_edit_error("[experiment]\n", "foo = 1\n[experiment]\n",
                    "cfg.toml:1:1: foo: unknown key (known keys: experiment, oracle, budget, "
                    "method, scaling, pruning, scoring)",
                    "unknown top-level key");
  expect_edit_error("seed = 3\n", "seed = 3\nsede = 4\n",
                    "cfg.toml:4:1: experiment.sede: unknown key (known keys: name, kind, seed, "
                    "output, test_masks, repeats, group_size, split, chunk, coordinator, recording)",
                    "unknown experiment key");
  expect_edit_error("seed = 3", "seed = \"3\"",
                    "cfg.toml:3:8: experiment.seed: expected an integer, got a string",
                    "seed of the wrong type");
  expect_edit_error("seed = 3", "seed = -1",
                    "cfg.toml:3:8: experiment.seed: -1 is out of range [0, 9223372036854775807]",
                    "negative seed");
  expect_edit_error("seed = 3", "test_masks = 1",
                    "cfg.toml:3:14: experiment.test_masks: 1 is out of range [2, 10000000]",
                    "too few test masks");
  expect_edit_error("seed = 3", "repeats = 0",
                    "cfg.toml:3:11: experiment.repeats: 0 is out of range [1, 1000000]",
                    "zero repeats");
  expect_edit_error("seed = 3", "kind = \"fast\"",
                    "cfg.toml:3:8: experiment.kind: 'fast' is not one of faithfulness | scaling "
                    "| recovery | record",
                    "unknown kind");
  expect_edit_error("seed = 3", "split = \"static\"",
                    "cfg.toml:3:9: experiment.split: 'static' is not one of block | dynamic",
                    "unknown split");
  expect_edit_error("seed = 3", "coordinator = \"idle\"",
                    "cfg.toml:3:15: experiment.coordinator: 'idle' is not one of worker | "
                    "dedicated",
                    "unknown coordinator");
  expect_edit_error("name = \"t\"", "name = \"a/b\"",
                    "cfg.toml:2:8: experiment.name: must not contain '/'", "name with a slash");
  expect_edit_error("name = \"t\"", "name = \"\"", "cfg.toml:2:8: experiment.name: must not be empty",
                    "empty name");
  expect_edit_error("[oracle]\nkind = \"tsparse\"\nn = 5\n", "",
                    "cfg.toml: oracle: missing [oracle] table", "missing oracle");
  expect_edit_error_prefix("kind = \"tsparse\"", "kind = \"magic\"",
                           "cfg.toml:7:8: oracle.kind: unknown oracle 'magic' (known: ", "tsparse",
                           "unknown oracle");
  expect_edit_error("kind = \"tsparse\"\n", "",
                    "cfg.toml:6:1: oracle.kind: missing (the oracle to explain)",
                    "oracle without kind");
  expect_edit_error("n = 5", "n = \"five\"",
                    "cfg.toml:8:5: n: expected an integer, got a string 'five'",
                    "oracle option of the wrong type (dry run)");
  expect_edit_error("n = 5", "n = 50", "cfg.toml:8:5: n: 50 is out of range [3, 20]",
                    "oracle option out of range (dry run)");
  expect_edit_error("n = 5", "n = 5\nm = 2",
                    "cfg.toml:9:5: m: unknown key for oracle tsparse (known keys: retries, retry_backoff, n, count, "
                    "fail_explicand, no_truth)",
                    "unknown oracle option (dry run)");
  expect_edit_error("n = 5", "n = 5\nexplicands = { first = 3 }",
                    "cfg.toml:9:24: oracle.explicands.first: 3 is beyond the 3 explicands of "
                    "oracle tsparse",
                    "explicand beyond the oracle's");
  expect_edit_error("n = 5", "n = 5\nexplicands = { first = 1, count = 3 }",
                    "cfg.toml:9:35: oracle.explicands.count: 3 explicands from 1 go beyond the "
                    "3 of oracle tsparse",
                    "explicand count beyond the oracle's");
  expect_edit_error("n = 5", "n = 5\ncount = 200000",
                    "cfg.toml:6:1: oracle.explicands.count: oracle tsparse offers 200000 "
                    "explicands: say how many to use, e.g. explicands = { first = 0, count = 10 }",
                    "an oracle with very many explicands needs a count");
  {
    char *text = edit("n = 5", "n = 5\ncount = 100000\nexplicands = { count = 100000 }");
    const char *rep[] = {"experiment.repeats=1000"};
    expect_error(text, rep, 1,
                 "cfg.toml: experiment: 200000000 cells (explicands x scaling points x methods x "
                 "budgets x repeats) is more than the 10^8 a run can hold",
                 "too many cells");
    spx_config *c = NULL;
    spx_error err = {0};
    int rc = spx_config_load_string(text, "cfg.toml", NULL, 0, &test_types, &c, &err);
    spx_test(rc == SPX_OK && c->explicand_count == 100000,
             "an explicit count of many explicands is accepted (%s)", err.msg);
    spx_config_destroy(&c);
    free(text);
  }
  expect_edit_error("n = 5", "n = 5\nexplicands = { last = 1 }",
                    "cfg.toml:9:16: oracle.explicands.last: unknown key (known keys: first, "
                    "count, stride)",
                    "unknown explicands key");
  expect_edit_error("n = 5", "n = 5\nexplicands = 4",
                    "cfg.toml:9:14: oracle.explicands: an integer is the number of inputs of an "
                    "oracle that takes such a count (process); oracle tsparse chooses its "
                    "explicands with a table { first = ..., count = ... }",
                    "integer explicands for an oracle without a count");
  expect_edit_error("n = 5", "n = 5\nexplicands = \"all\"",
                    "cfg.toml:9:14: oracle.explicands: expected a table { first = ..., count = "
                    "... }, got a string",
                    "explicands neither a table nor an integer");
  expect_edit_error("[budget]\nsamples = [32, 64]\n", "",
                    "cfg.toml: budget: missing [budget] table (spx_b = [...] or samples = [...])",
                    "missing budget");
  expect_edit_error("samples = [32, 64]", "samples = []",
                    "cfg.toml:11:11: budget.samples: must not be empty", "empty samples");
  expect_edit_error("samples = [32, 64]", "samples = [32, 0]",
                    "cfg.toml:11:16: budget.samples[1]: 0 is out of range [1, 1000000000000]",
                    "zero samples");
  expect_edit_error("samples = [32, 64]", "samples = 32",
                    "cfg.toml:11:11: budget.samples: expected an array of integers, got an "
                    "integer",
                    "samples not an array");
  expect_edit_error("samples = [32, 64]", "spx_b = [4, 31]",
                    "cfg.toml:11:13: budget.spx_b[1]: 31 is out of range [1, 30]",
                    "spx_b too large");
  expect_edit_error("samples = [32, 64]", "spx_b = [4]\nsamples = [3]",
                    "cfg.toml:12:11: budget.samples: give either budget.spx_b or "
                    "budget.samples, not both",
                    "both budget kinds");
  expect_edit_error("samples = [32, 64]", "t = 5",
                    "cfg.toml:10:1: budget: give spx_b = [...] or samples = [...]",
                    "no budget kind");
  expect_edit_error("samples = [32, 64]", "samples = [32]\nt = 5",
                    "cfg.toml:12:5: budget.t: only used with budget.spx_b", "t with samples");
  expect_edit_error("samples = [32, 64]", "samples = [32]\nb = [3]",
                    "cfg.toml:12:1: budget.b: unknown key (known keys: spx_b, samples, t)",
                    "unknown budget key");
  expect_edit_error("[[method]]\nname = \"texhaust\"\nrounds = 2\n", "",
                    "cfg.toml: method: no [[method]] table (at least one method is needed)",
                    "no method");
  expect_edit_error_prefix("name = \"texhaust\"", "name = \"magic\"",
                           "cfg.toml:14:8: method[0].name: unknown method 'magic' (known: ",
                           "texhaust", "unknown method");
  expect_edit_error("[[method]]", "[method]",
                    "cfg.toml:13:1: method: write [[method]] (one per entry), not [method]",
                    "[method] instead of [[method]]");
  expect_edit_error("name = \"texhaust\"\n", "",
                    "cfg.toml:13:1: method[0].name: missing (the method to run)",
                    "method without name");
  expect_edit_error("", "[[method]]\nname = \"texhaust\"\n",
                    "cfg.toml:18:8: method[1].label: 'texhaust' is already used by method[0]; "
                    "give each entry a distinct label",
                    "duplicate method label");
  expect_edit_error("", "[[method]]\nname = \"texhaust\"\nlabel = \"a/b\"\n",
                    "cfg.toml:19:9: method[1].label: must not contain '/'", "label with a slash");
  expect_edit_error("rounds = 2", "rounds = 0",
                    "cfg.toml:15:10: rounds: 0 is out of range [1, 8]",
                    "method option out of range (dry run)");
  expect_edit_error("rounds = 2", "rounds = 2\ncolour = \"red\"",
                    "cfg.toml:16:10: colour: unknown key for method texhaust (known keys: "
                    "rounds, max_degree, fail)",
                    "unknown method option (dry run)");
  expect_edit_error("rounds = 2", "rounds = 2\nlabel = \"x\"\ncolour = 1",
                    "cfg.toml:17:10: colour: unknown key for method x (known keys: rounds, "
                    "max_degree, fail)",
                    "unknown option of a labelled method (dry run)");
  expect_edit_error("", "[scaling]\nn = [4]\n",
                    "cfg.toml:17:1: scaling: [scaling] is only used with experiment.kind = "
                    "\"scaling\"",
                    "scaling without kind = scaling");
  expect_edit_error("seed = 3", "kind = \"scaling\"",
                    "cfg.toml:8:5: oracle.n: is set by [scaling] n when kind = \"scaling\"; "
                    "remove it",
                    "oracle.n with scaling");
  {
    char *text = edit("seed = 3", "kind = \"scaling\"");
    char *p = strstr(text, "n = 5\n");
    memcpy(p, "     \n", 6);
    expect_error(text, NULL, 0,
                 "cfg.toml: scaling: experiment.kind = \"scaling\" needs [scaling] n = [...]",
                 "scaling without [scaling]");
    free(text);
  }
}

static void test_set_errors(void) {
  const char *a[] = {"experiment.seed=-1"};
  expect_error(base, a, 1,
               "--set experiment.seed=-1: experiment.seed: -1 is out of range [0, "
               "9223372036854775807]",
               "--set out of range");
  const char *b[] = {"experiment.sed=3"};
  expect_error(base, b, 1,
               "--set experiment.sed=3: experiment.sed: unknown key (known keys: name, kind, "
               "seed, output, test_masks, repeats, group_size, split, chunk, coordinator, recording)",
               "--set unknown key");
  const char *c[] = {"seed"};
  expect_error(base, c, 1, "--set seed: expected key=value", "--set without =");
  const char *d[] = {"method[3].rounds=1"};
  expect_error(base, d, 1, "--set method[3].rounds=1: method[3].rounds: 'method' has no element [3]",
               "--set beyond the method list");
  const char *e[] = {"oracle.n=x"};
  expect_error(base, e, 1, "--set oracle.n=x: n: expected an integer, got a string 'x'",
               "--set oracle option of the wrong type");
  const char *f[] = {"experiment.kind=recovery", "oracle.no_truth=true"};
  expect_error(base, f, 2,
               "cfg.toml:7:8: oracle.kind: oracle tsparse has no known truth, which "
               "experiment.kind = \"recovery\" needs",
               "recovery without truth");
}

int main(void) {
  test_shim();
  test_bch();
  test_good();
  test_errors();
  test_set_errors();
  return spx_test_summary();
}
