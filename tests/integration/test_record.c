/* test_record.c: recordings from configurations, in-process on one rank. A quick synthetic
 * experiment (SPEX, the exact solver, and the test-only multi-round method texhaust) is
 * recorded, first in part (one budget point: as if interrupted), then completely; a re-run
 * adds nothing; the same experiment replayed with [oracle] kind = "recorded" gives datasets
 * identical to the live run, bit for bit (timings aside); a mask missing from the recording
 * fails its cells with a message naming the file and the mask, unless fallback is set;
 * kind = "record" in [experiment] records like the command; bad recording settings are
 * refused with exit 2. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_types.h"
#include "experiments/run.h"
#include "io/recording.h"
#include "par/par.h"
#include "testing.h"

static char dir[64];

/* "spex-bench [record] CONFIG args..." in-process; the output text goes to text. */
static int run(int record, const char *config, const char *const *args, size_t nargs,
               char *text, size_t len) {
  char *argv[32];
  int argc = 0;
  argv[argc++] = (char *)(record ? "record" : "spex-bench");
  argv[argc++] = (char *)config;
  for (size_t i = 0; i < nargs; i++) argv[argc++] = (char *)args[i];
  FILE *f = tmpfile();
  int code = record ? spx_record_config_types(argc, argv, f, f, &test_types)
                    : spx_run_config_types(argc, argv, f, f, &test_types);
  if (text) {
    rewind(f);
    size_t got = fread(text, 1, len - 1, f);
    text[got] = '\0';
  }
  fclose(f);
  return code;
}

/* The live config (synthetic oracle) or the replay config (recorded oracle) with n features,
 * the given [[method]] tables and budgets, recording to DIR/<stem>_{e}.h5; extra lines are
 * appended to [oracle]. */
static void write_config(const char *path, int replay, int n, const char *stem,
                         const char *budgets, const char *methods, const char *extra) {
  FILE *f = fopen(path, "w");
  fprintf(f, "[experiment]\nname = \"rec\"\nrecording = \"%s/%s_{e}.h5\"\n", dir, stem);
  fprintf(f, "seed = 3\ntest_masks = 200\nrepeats = 2\n[budget]\nsamples = %s\n%s", budgets,
          methods);
  if (replay)
    fprintf(f, "[oracle]\nkind = \"recorded\"\npath = \"%s/%s_{e}.h5\"\n", dir, stem);
  else
    fprintf(f, "[oracle]\nkind = \"synthetic\"\nn = %d\nterms = 5\n", n);
  fprintf(f, "explicands = { first = 1, count = 2 }\n%s", extra ? extra : "");
  fclose(f);
}

static const char *const three_methods =
    "[[method]]\nname = \"spex\"\n[[method]]\nname = \"exact\"\n"
    "[[method]]\nname = \"texhaust\"\nrounds = 3\n";

static size_t rows(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  spx_recording *r = NULL;
  if (spx_recording_open(path, 0, &r, NULL)) return 0;
  size_t n = spx_recording_count(r);
  spx_recording_close(&r);
  return n;
}

/* ---- comparing result files ------------------------------------------------------------------ */

typedef struct {
  hid_t other;
  size_t compared, differ;
  char first[256];
} cmp_ctx;

/* Every numeric dataset of the visited file but the timings and peak memory must be
 * byte-identical in the other file (strings, /config and /meta are skipped: the configs
 * differ by design). */
static herr_t cmp_visit(hid_t obj, const char *name, const H5O_info_t *info, void *vctx) {
  cmp_ctx *c = vctx;
  if (info->type != H5O_TYPE_DATASET || strstr(name, "time_") || strstr(name, "peak_rss") ||
      strcmp(name, "config") == 0 ||
      strncmp(name, "meta", 4) == 0)
    return 0;
  hid_t a = H5Dopen2(obj, name, H5P_DEFAULT), ft = H5Dget_type(a);
  int is_string = H5Tget_class(ft) == H5T_STRING;
  hid_t nt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
  H5Tclose(ft);
  if (is_string) {
    H5Tclose(nt);
    H5Dclose(a);
    return 0;
  }
  hid_t b = H5Dopen2(c->other, name, H5P_DEFAULT);
  int same = b >= 0;
  if (same) {
    hid_t sa = H5Dget_space(a), sb = H5Dget_space(b);
    hssize_t na = H5Sget_simple_extent_npoints(sa), nb = H5Sget_simple_extent_npoints(sb);
    size_t bytes = (size_t)(na > 0 ? na : 1) * H5Tget_size(nt);
    unsigned char *x = calloc(1, bytes), *y = calloc(1, bytes);
    same = na == nb && x && y && H5Dread(a, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
           H5Dread(b, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0 && memcmp(x, y, bytes) == 0;
    free(x);
    free(y);
    H5Sclose(sa);
    H5Sclose(sb);
    H5Dclose(b);
  }
  H5Tclose(nt);
  H5Dclose(a);
  c->compared++;
  if (!same && c->differ++ == 0) snprintf(c->first, sizeof c->first, "%s", name);
  return 0;
}

static int same_datasets(const char *pa, const char *pb, size_t *compared, char *first) {
  hid_t fa = H5Fopen(pa, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(pb, H5F_ACC_RDONLY, H5P_DEFAULT);
  cmp_ctx c = {fb, 0, 0, ""};
  if (fa >= 0 && fb >= 0) H5Ovisit2(fa, H5_INDEX_NAME, H5_ITER_INC, cmp_visit, &c, H5O_INFO_BASIC);
  if (fa >= 0) H5Fclose(fa);
  if (fb >= 0) H5Fclose(fb);
  *compared = c.compared;
  strcpy(first, c.first);
  return fa >= 0 && fb >= 0 && c.differ == 0;
}

/* The stored message of cell k of a method. */
static void read_message(const char *path, const char *label, size_t k, char *buf, size_t len) {
  buf[0] = '\0';
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  char ds[128];
  snprintf(ds, sizeof ds, "/results/%s/message", label);
  hid_t d = f >= 0 ? H5Dopen2(f, ds, H5P_DEFAULT) : -1;
  if (d >= 0) {
    hid_t sp = H5Dget_space(d);
    size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
    char **msgs = calloc(n, sizeof *msgs);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    if (k < n && H5Dread(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, msgs) >= 0 && msgs[k])
      snprintf(buf, len, "%s", msgs[k]);
    H5Dvlen_reclaim(st, sp, H5P_DEFAULT, msgs);
    free(msgs);
    H5Tclose(st);
    H5Sclose(sp);
    H5Dclose(d);
  }
  if (f >= 0) H5Fclose(f);
}

/* Sum of /results/<label>/queries over the cells of explicand index i (of I). */
static long long queries_of(const char *path, const char *label, size_t i, size_t I) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  char ds[128];
  snprintf(ds, sizeof ds, "/results/%s/queries", label);
  hid_t d = f >= 0 ? H5Dopen2(f, ds, H5P_DEFAULT) : -1;
  long long sum = -1;
  if (d >= 0) {
    hid_t sp = H5Dget_space(d);
    size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
    unsigned long long *q = calloc(n, sizeof *q);
    if (q && H5Dread(d, H5T_NATIVE_ULLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, q) >= 0) {
      sum = 0;
      for (size_t k = i * n / I; k < (i + 1) * n / I; k++) sum += (long long)q[k];
    }
    free(q);
    H5Sclose(sp);
    H5Dclose(d);
  }
  if (f >= 0) H5Fclose(f);
  return sum;
}

int main(void) {
  spx_par_init(NULL, NULL);
  snprintf(dir, sizeof dir, "/tmp/spx_record_XXXXXX");
  if (mkdtemp(dir) == NULL) return 1;
  char live[256], replay[256], text[16384], out[300], out2[300];
  snprintf(live, sizeof live, "%s/live.toml", dir);
  snprintf(replay, sizeof replay, "%s/replay.toml", dir);
  write_config(live, 0, 8, "rec", "[256, 600]", three_methods, NULL);
  write_config(replay, 1, 8, "rec", "[256, 600]", three_methods, NULL);

  /* A partial recording (the first budget point only), then the whole grid. */
  const char *part[] = {"--set", "budget.samples=[256]", "--quiet"};
  int code = run(1, live, part, 3, text, sizeof text);
  spx_test(code == 0, "record of one budget point: exit 0 (%s)", text);
  size_t r1 = rows("rec_1.h5"), r2 = rows("rec_2.h5");
  spx_test(r1 > 0 && r2 > 0 && rows("rec_0.h5") == 0,
           "one file per explicand 1, 2 (rows %zu, %zu), none for explicand 0", r1, r2);
  code = run(1, live, NULL, 0, text, sizeof text);
  size_t f1 = rows("rec_1.h5"), f2 = rows("rec_2.h5");
  spx_test(code == 0 && strstr(text, "[2/2]") && strstr(text, "recorded 2 explicands"),
           "record of the whole grid: exit 0, progress and summary (%s)", text);
  /* The exact solver and texhaust ask for all 2^8 masks: every mask is recorded, once. */
  spx_test(f1 == 256 && f2 == 256, "every one of the 2^8 masks is recorded once (%zu, %zu)", f1,
           f2);
  code = run(1, live, NULL, 0, text, sizeof text);
  spx_test(code == 0 && strstr(text, "0 new masks recorded") && rows("rec_1.h5") == f1,
           "a second record adds nothing (%s)", text);
  char asked[64];
  const char *at = strstr(text, "explicand 1: ");
  long long nasked = at ? atoll(at + strlen("explicand 1: ")) : -1;
  snprintf(asked, sizeof asked, "%lld", nasked);

  /* Live run and replay: identical datasets. */
  snprintf(out, sizeof out, "experiment.output=\"%s/live.h5\"", dir);
  const char *a1[] = {"--set", out, "--quiet"};
  code = run(0, live, a1, 3, text, sizeof text);
  spx_test(code == 0, "live run: exit 0 (%s)", text);
  char pl[256], pr[256], first[256];
  snprintf(pl, sizeof pl, "%s/live.h5", dir);
  /* The queries the record asked for = the run's test masks + its cells' queries. */
  long long want_q = 200 + queries_of(pl, "spex", 0, 2) + queries_of(pl, "exact", 0, 2) +
                     queries_of(pl, "texhaust", 0, 2);
  spx_test(nasked == want_q, "record asked for the run's queries of explicand 1 (%lld = %lld)",
           nasked, want_q);
  snprintf(out2, sizeof out2, "experiment.output=\"%s/replay.h5\"", dir);
  const char *a2[] = {"--set", out2, "--quiet"};
  code = run(0, replay, a2, 3, text, sizeof text);
  spx_test(code == 0, "replay: exit 0 (%s)", text);
  snprintf(pr, sizeof pr, "%s/replay.h5", dir);
  size_t compared;
  int same = same_datasets(pl, pr, &compared, first);
  /* Per explicand budget, test masks and values; per method r2, queries, status, recovery
   * datasets and one transform (3 arrays) per ok cell: far more than 30 datasets. */
  spx_test(same && compared > 30, "replay = live run: %zu datasets identical (first difference: %s)",
           compared, first);

  /* SPEX alone at n = 24: a larger budget than recorded needs masks the recording lacks. */
  const char *spex_only = "[[method]]\nname = \"spex\"\n";
  write_config(live, 0, 24, "sp", "[400]", spex_only, NULL);
  code = run(1, live, part + 2, 1, text, sizeof text);
  size_t s1 = rows("sp_1.h5");
  spx_test(code == 0 && s1 > 400, "SPEX at n = 24 recorded (%zu rows)", s1);
  write_config(replay, 1, 24, "sp", "[400, 1200]", spex_only, NULL);
  snprintf(out2, sizeof out2, "experiment.output=\"%s/missing.h5\"", dir);
  const char *a3[] = {"--set", out2, "--quiet"};
  code = run(0, replay, a3, 3, text, sizeof text);
  spx_test(code == 1 && strstr(text, "4 cells failed"), "uncovered budget: exit 1 (%s)", text);
  snprintf(pr, sizeof pr, "%s/missing.h5", dir);
  char msg[1024], want[256];
  read_message(pr, "spex", 2, msg, sizeof msg); /* explicand 1, budget 1200, repeat 0 */
  snprintf(want, sizeof want, "recording %s/sp_1.h5 has no value for mask ", dir);
  spx_test(strstr(msg, want) && strstr(msg, "features kept") && strstr(msg, "fallback"),
           "the message names the file and the mask (%s)", msg);
  read_message(pr, "spex", 0, msg, sizeof msg);
  spx_test(msg[0] == '\0', "the recorded budget's cells are fine (%s)", msg);
  /* Recording the larger grid adds just the missing masks (as after an interrupted record);
   * then the replay matches the live run. */
  write_config(live, 0, 24, "sp", "[400, 1200]", spex_only, NULL);
  code = run(1, live, NULL, 0, text, sizeof text);
  size_t s2 = rows("sp_1.h5");
  at = strstr(text, "explicand 1: ");
  const char *nw = at ? strstr(at, "queries, ") : NULL;
  long long added = nw ? atoll(nw + strlen("queries, ")) : -1;
  spx_test(code == 0 && s2 > s1 && added == (long long)(s2 - s1),
           "recording the larger grid adds the missing masks only (%zu -> %zu rows, %lld new)", s1,
           s2, added);
  snprintf(out, sizeof out, "experiment.output=\"%s/live24.h5\"", dir);
  code = run(0, live, a1, 3, text, sizeof text);
  snprintf(out2, sizeof out2, "experiment.output=\"%s/replay24.h5\"", dir);
  int code2 = run(0, replay, a3, 3, text, sizeof text);
  snprintf(pl, sizeof pl, "%s/live24.h5", dir);
  snprintf(pr, sizeof pr, "%s/replay24.h5", dir);
  same = same_datasets(pl, pr, &compared, first);
  spx_test(code == 0 && code2 == 0 && same && compared > 10,
           "n = 24: replay = live run (%zu datasets; first difference: %s)", compared, first);
  /* With a live fallback the missing masks are queried and appended. */
  write_config(replay, 1, 24, "sp", "[400, 1200, 2000]", spex_only,
               "fallback = \"synthetic\"\nn = 24\nterms = 5\n");
  snprintf(out2, sizeof out2, "experiment.output=\"%s/fallback.h5\"", dir);
  code = run(0, replay, a3, 3, text, sizeof text);
  spx_test(code == 0 && rows("sp_1.h5") > s2,
           "with fallback: exit 0, the recording grows (%zu -> %zu rows)", s2, rows("sp_1.h5"));
  write_config(replay, 1, 24, "sp", "[400]", spex_only, "n = 24\n");
  code = run(0, replay, a3, 3, text, sizeof text);
  spx_test(code == 2 && strstr(text, "n: unknown key for oracle recorded"),
           "a live oracle key without fallback: exit 2 (%s)", text);

  /* kind = "record" in [experiment] records like the command. */
  write_config(live, 0, 8, "rec", "[256, 600]", three_methods, NULL);
  char rec2[300];
  snprintf(rec2, sizeof rec2, "experiment.recording=\"%s/kind_{e}.h5\"", dir);
  const char *a5[] = {"--set", rec2, "--quiet", "--set", "experiment.kind=\"record\""};
  code = run(0, live, a5, 5, text, sizeof text);
  spx_test(code == 0 && rows("kind_1.h5") == 256 && rows("kind_2.h5") == 256,
           "kind = record: exit 0, the same rows (%s)", text);

  /* Refused settings. */
  snprintf(rec2, sizeof rec2, "experiment.recording=\"%s/one.h5\"", dir);
  const char *a6[] = {"--set", rec2};
  code = run(1, live, a6, 2, text, sizeof text);
  spx_test(code == 2 && strstr(text, "experiment.recording") && strstr(text, "must contain {e}"),
           "two explicands into one file: exit 2 (%s)", text);
  const char *a7[] = {"--resume"};
  code = run(1, live, a7, 1, text, sizeof text);
  spx_test(code == 2 && strstr(text, "unknown option '--resume'"), "record --resume: exit 2");

  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) printf("could not remove %s\n", dir);
  spx_par_finalize();
  return spx_test_summary();
}
