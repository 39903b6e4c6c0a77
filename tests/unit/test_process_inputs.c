/* test_process_inputs.c: the process oracle over many inputs and in the packed format.
 *
 * {e} in the command and SPEX_EXPLICAND in the environment (an awk model answers
 * 100 e_command + 10 e_env + popcount, so both are checked exactly), {e} inside single quotes
 * (replaced before the shell sees it), an inherited SPEX_EXPLICAND replaced; the explicands
 * key and its range error; labels files (JSON, JSONL, CSV with a quoted comma) giving one
 * label list and n per explicand, and their errors; the packed format (header "n packed",
 * 16 hex digits per 64-bit word) against the plain format on the same masks at n = 1, 63, 64,
 * 65 and 200 (values equal exactly), and spx_process_pack_hex on known words. */
#define _GNU_SOURCE /* mkstemps */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mask.h"
#include "core/options.h"
#include "oracle/oracle.h"
#include "oracle/process.h"
#include "testing.h"

/* awk model: ignores the header, answers 100*A + 10*$SPEX_EXPLICAND + number of '1's (mawk
 * reads its input in blocks unless -W interactive). */
#define AWK_MODEL                                                                               \
  "AWK=awk; awk -W version 2>/dev/null | grep -q mawk && AWK='awk -W interactive'; $AWK -v a=%s 'NR==1{next} k==0{k=$1; next} {c=gsub(/1/,\"1\"); "                             \
  "print 100*a + 10*ENVIRON[\"SPEX_EXPLICAND\"] + c; k--; fflush()}'"

static spx_options *opts_of(const char *const *kv) {
  spx_options *o = spx_options_create("oracle process");
  for (size_t i = 0; kv[i]; i += 2) {
    spx_option_kind kind = SPX_OPT_TEXT;
    const char *v = kv[i + 1];
    if (v[0] == '$') kind = SPX_OPT_STRING, v++; /* "$..." = a TOML string */
    spx_options_put(o, kv[i], kind, v, "t.toml:1:1", NULL);
  }
  return o;
}

static spx_oracle *open_kv(const char *const *kv, size_t e, spx_error *err) {
  spx_options *o = opts_of(kv);
  spx_oracle *orc = NULL;
  spx_oracle_open(spx_oracle_lookup("process"), o, e, &orc, err);
  spx_options_destroy(&o);
  return orc;
}

static double eval_bits(spx_oracle *o, const char *bits, spx_error *err) {
  spx_maskset *s = spx_maskset_create(o->n, 1);
  double v = -1;
  if (spx_mask_from_string(spx_maskset_row(s, 0), o->n, bits, NULL) != SPX_OK ||
      spx_oracle_eval_all(o, s, &v, err) != SPX_OK)
    v = -1;
  spx_maskset_destroy(&s);
  return v;
}

static char *write_tmp(const char *suffix, const char *text) {
  char *p = malloc(256);
  snprintf(p, 256, "/tmp/spx-test-inputs-XXXXXX%s", suffix);
  int fd = mkstemps(p, (int)strlen(suffix));
  if (fd < 0) {
    free(p);
    return NULL;
  }
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return p;
}

static void test_explicand_number(void) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, AWK_MODEL, "{e}");
  setenv("SPEX_EXPLICAND", "7", 1); /* inherited: must be replaced */
  for (size_t e = 0; e < 3; e++) {
    const char *kv[] = {"command", cmd, "n", "5", "explicands", "3", "timeout", "20", NULL};
    spx_error err = {0};
    spx_oracle *o = open_kv(kv, e, &err);
    spx_test(o != NULL, "open explicand %zu of 3 [%s]", e, err.msg);
    if (o == NULL) continue;
    double v = eval_bits(o, "10110", &err);
    spx_test(v == 110.0 * (double)e + 3.0, "explicand %zu: {e} and SPEX_EXPLICAND = %zu (got %g) [%s]",
             e, e, v, err.msg);
    spx_test(o->explicand && strstr(o->explicand, "of 3)") && !strstr(o->explicand, "{e}"),
             "description names the explicand and the substituted command (%s)", o->explicand);
    spx_oracle_destroy(&o);
  }
  unsetenv("SPEX_EXPLICAND");
  /* {e} inside single quotes and twice: still replaced (it is a plain integer) */
  snprintf(cmd, sizeof cmd, "x='{e}{e}'; " AWK_MODEL, "\"$x\"");
  const char *kv[] = {"command", cmd, "n", "4", "explicands", "13", NULL};
  spx_error err = {0};
  spx_oracle *o = open_kv(kv, 12, &err);
  double v = o ? eval_bits(o, "1111", &err) : -1;
  spx_test(v == 100.0 * 1212 + 120 + 4, "{e} inside single quotes, twice: %g [%s]", v, err.msg);
  spx_oracle_destroy(&o);
  /* out of range, and the default of 1 */
  const char *kv2[] = {"command", cmd, "n", "4", "explicands", "3", NULL};
  o = open_kv(kv2, 3, &err);
  spx_test(o == NULL && err.code == SPX_ERANGE && strstr(err.msg, "explicands") &&
               strstr(err.msg, "explicand 3 is out of range: the model offers 3 (0..2)"),
           "explicand 3 of 3 refused [%s]", err.msg);
  const char *kv3[] = {"command", cmd, "n", "4", NULL};
  o = open_kv(kv3, 1, &err);
  spx_test(o == NULL && strstr(err.msg, "the model offers 1 (0..0)"), "default: 1 explicand [%s]",
           err.msg);
  size_t count = 0;
  spx_options *op = opts_of(kv2);
  spx_test(spx_oracle_explicands(spx_oracle_lookup("process"), op, &count, &err) == SPX_OK && count == 3,
           "explicands() = 3 (%zu)", count);
  spx_options_destroy(&op);
  op = opts_of(kv3);
  spx_test(spx_oracle_explicands(spx_oracle_lookup("process"), op, &count, &err) == SPX_OK && count == 1,
           "explicands() = 1 by default (%zu)", count);
  spx_options_destroy(&op);
}

static void test_labels_files(void) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, AWK_MODEL, "{e}");
  struct {
    const char *suffix, *text;
  } files[] = {
      {".json", "[[\"the\", \"plot\"], [\"a\", \"b, c\", \"d\\u00e9\"], [\"x\"]]"},
      {".jsonl", "[\"the\", \"plot\"]\n\n[\"a\", \"b, c\", \"d\xc3\xa9\"]\n[\"x\"]\n"},
      {".csv", "the,plot\na,\"b, c\",d\xc3\xa9\r\nx\n"},
  };
  for (size_t f = 0; f < 3; f++) {
    char *path = write_tmp(files[f].suffix, files[f].text);
    size_t count = 0;
    spx_error err = {0};
    const char *kv[] = {"command", cmd, "labels", path, NULL};
    spx_options *op = opts_of(kv);
    int rc = spx_oracle_explicands(spx_oracle_lookup("process"), op, &count, &err);
    spx_options_destroy(&op);
    spx_test(rc == SPX_OK && count == 3, "%s: 3 explicands from the labels file (%zu) [%s]",
             files[f].suffix, count, err.msg);
    spx_oracle *o = open_kv(kv, 1, &err);
    spx_test(o != NULL && o->n == 3, "%s: explicand 1 has n = 3 from its labels [%s]",
             files[f].suffix, err.msg);
    if (o) {
      char *const *l = spx_oracle_labels(o);
      spx_test(l && strcmp(l[0], "a") == 0 && strcmp(l[1], "b, c") == 0 &&
                   strcmp(l[2], "d\xc3\xa9") == 0,
               "%s: labels a | b, c | d\xc3\xa9", files[f].suffix);
      double v = eval_bits(o, "011", &err);
      spx_test(v == 112.0, "%s: explicand 1 answers (%g) [%s]", files[f].suffix, v, err.msg);
      spx_oracle_destroy(&o);
    }
    o = open_kv(kv, 2, &err);
    spx_test(o != NULL && o->n == 1, "%s: explicand 2 has n = 1", files[f].suffix);
    spx_oracle_destroy(&o);
    /* n given and different: the file, line and explicand are named */
    const char *kvn[] = {"command", cmd, "labels", path, "n", "2", NULL};
    o = open_kv(kvn, 1, &err);
    spx_test(o == NULL && strstr(err.msg, path) && strstr(err.msg, "explicand 1 has 3 labels") &&
                 strstr(err.msg, "n = 2"),
             "%s: n = 2 against 3 labels refused [%s]", files[f].suffix, err.msg);
    const char *kve[] = {"command", cmd, "labels", path, "explicands", "4", NULL};
    o = open_kv(kve, 0, &err);
    spx_test(o == NULL && strstr(err.msg, "explicands") && strstr(err.msg, "3 label lists"),
             "%s: explicands = 4 against 3 label lists refused [%s]", files[f].suffix, err.msg);
    unlink(path);
    free(path);
  }
  /* a TOML string is a path whatever its name; a bad file is named */
  const char *kvs[] = {"command", cmd, "labels", "$/nonexistent/labels.txt", NULL};
  spx_error err = {0};
  spx_oracle *o = open_kv(kvs, 0, &err);
  spx_test(o == NULL && strstr(err.msg, "labels") && strstr(err.msg, "/nonexistent/labels.txt"),
           "missing labels file named [%s]", err.msg);
  char *bad = write_tmp(".json", "[[\"a\", 3]]");
  const char *kvb[] = {"command", cmd, "labels", bad, NULL};
  o = open_kv(kvb, 0, &err);
  spx_test(o == NULL && strstr(err.msg, "label 1 of list 0 is not a string"),
           "a number in a JSON label list refused [%s]", err.msg);
  unlink(bad);
  free(bad);
  /* the inline array form still works */
  const char *kvi[] = {"command", cmd, "n", "2", "labels", "[a, b]", NULL};
  o = open_kv(kvi, 0, &err);
  spx_test(o != NULL && strcmp(spx_oracle_labels(o)[1], "b") == 0, "inline labels [%s]", err.msg);
  spx_oracle_destroy(&o);
}

/* packed: a python model decoding both formats answers sum (i+1) * bit_i exactly. */
static void test_packed(void) {
  uint64_t w[2] = {UINT64_C(0x0123456789abcdef), UINT64_C(0xffffffffffffffff)};
  char hex[33] = {0};
  size_t l = spx_process_pack_hex(w, 68, hex);
  spx_test(l == 32 && strcmp(hex, "efcdab89674523010f00000000000000") == 0,
           "pack_hex: little-endian bytes, bits >= n cleared (%s)", hex);
  if (system("command -v python3 >/dev/null 2>&1") != 0) {
    printf("SKIP: python3 not found; packed-format round trip not run\n");
    return;
  }
  const char *model =
      "python3 -c 'import sys\n"
      "h = sys.stdin.readline().split(); n = int(h[0]); packed = h[1:] == [\"packed\"]\n"
      "for c in sys.stdin:\n"
      "    out = []\n"
      "    for _ in range(int(c)):\n"
      "        s = sys.stdin.readline().rstrip(\"\\n\")\n"
      "        if packed:\n"
      "            assert len(s) == 16 * ((n + 63) // 64), len(s)\n"
      "            v = int.from_bytes(bytes.fromhex(s), \"little\")\n"
      "            bits = [(v >> i) & 1 for i in range(n)]\n"
      "            assert v >> n == 0\n"
      "        else:\n"
      "            bits = [int(ch) for ch in s]\n"
      "        out.append(sum((i + 1) * b for i, b in enumerate(bits)))\n"
      "    sys.stdout.write(\"\".join(\"%d\\n\" % x for x in out)); sys.stdout.flush()\n'";
  size_t ns[] = {1, 63, 64, 65, 200};
  for (size_t k = 0; k < 5; k++) {
    size_t n = ns[k], count = 300;
    char nb[32];
    snprintf(nb, sizeof nb, "%zu", n);
    const char *kvp[] = {"command", model, "n", nb, "format", "packed", "batch", "77", NULL};
    const char *kvq[] = {"command", model, "n", nb, NULL};
    spx_error err = {0};
    spx_oracle *p = open_kv(kvp, 0, &err), *q = open_kv(kvq, 0, &err);
    spx_maskset *s = spx_maskset_create(n, count);
    uint64_t x = 0x9e3779b97f4a7c15ULL * (n + 1);
    for (size_t i = 0; i < count; i++) {
      uint64_t *m = spx_maskset_row(s, i);
      for (size_t j = 0; j < s->words; j++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m[j] = i == 0 ? ~UINT64_C(0) : x;
      }
      if (n % 64) m[s->words - 1] &= (UINT64_C(1) << (n % 64)) - 1;
    }
    double *a = calloc(count, sizeof *a), *b = calloc(count, sizeof *b);
    int ra = p ? spx_oracle_eval_all(p, s, a, &err) : -1;
    int rb = q ? spx_oracle_eval_all(q, s, b, &err) : -1;
    size_t same = 0;
    for (size_t i = 0; i < count; i++) {
      double want = 0;
      const uint64_t *m = spx_maskset_row(s, i);
      for (size_t j = 0; j < n; j++) want += (double)(j + 1) * (double)((m[j >> 6] >> (j & 63)) & 1);
      same += a[i] == want && b[i] == want;
    }
    spx_test(ra == SPX_OK && rb == SPX_OK && same == count,
             "n = %zu: packed and plain give the exact sum on %zu of %zu masks (4 batches) [%s]",
             n, same, count, err.msg);
    free(a);
    free(b);
    spx_maskset_destroy(&s);
    spx_oracle_destroy(&p);
    spx_oracle_destroy(&q);
  }
  const char *kvf[] = {"command", "cat", "n", "3", "format", "hex", NULL};
  spx_error err = {0};
  spx_oracle *o = open_kv(kvf, 0, &err);
  spx_test(o == NULL && strstr(err.msg, "format"), "format = hex refused [%s]", err.msg);
}

int main(void) {
  test_explicand_number();
  test_labels_files();
  test_packed();
  return spx_test_summary();
}
