/* test_driver.c: the experiment driver in-process on one rank, with the test-only oracle and
 * method of tests/driver_types.h: result file contents read back through the HDF5 API and
 * checked against brute-force values, failed and skipped cells, --resume after a partial run,
 * the recovery and scaling kinds, and the check command. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver_types.h"
#include "experiments/run.h"
#include "par/par.h"
#include "h5testing.h"
#include "testing.h"

static char dir[64];
static char cfgpath[256];

/* ---- running -------------------------------------------------------------------------------- */

/* Run "spex-bench CONFIG args..." in-process; the output goes to a scratch file whose text
 * is returned in text (if not NULL, up to len bytes). */
static int run(const char *config, const char *const *args, size_t nargs, int check, char *text,
               size_t len) {
  char *argv[32];
  int argc = 0;
  argv[argc++] = (char *)"spex-bench";
  argv[argc++] = (char *)config;
  for (size_t i = 0; i < nargs; i++) argv[argc++] = (char *)args[i];
  FILE *f = tmpfile();
  int code = check ? spx_check_config_types(argc, argv, f, f, &test_types)
                   : spx_run_config_types(argc, argv, f, f, &test_types);
  if (text) {
    rewind(f);
    size_t got = fread(text, 1, len - 1, f);
    text[got] = '\0';
  }
  fclose(f);
  return code;
}

/* ---- reading the file (read_ds, ds_size, read_status: h5testing.h) ------------------------- */

/* Message i of a method (copied into buf). */
static void read_message(hid_t f, const char *label, size_t count, size_t i, char *buf,
                         size_t len) {
  char path[128];
  snprintf(path, sizeof path, "/results/%s/message", label);
  char **msgs = calloc(count, sizeof *msgs);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  buf[0] = '\0';
  if (read_ds(f, path, t, msgs) == 0) {
    snprintf(buf, len, "%s", msgs[i] ? msgs[i] : "");
    for (size_t k = 0; k < count; k++) free(msgs[k]);
  }
  H5Tclose(t);
  free(msgs);
}

static long long read_attr(hid_t f, const char *obj, const char *name) {
  long long v = -1;
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
  }
  return v;
}

/* ---- brute force ------------------------------------------------------------------------------ */

/* The tsparse function of explicand e on n features, written out term by term: terms with
 * degree <= maxdeg only. */
static double tsparse_value(size_t e, size_t n, uint64_t m, int maxdeg) {
  double v = 1.0 + (double)e;
  int b0 = (int)(m & 1), b1 = (int)((m >> 1) & 1), b2 = (int)((m >> 2) & 1);
  int be = (int)((m >> (e % n)) & 1), bl = (int)((m >> (n - 1)) & 1);
  if (maxdeg >= 1) v += 0.5 * (b0 ? -1 : 1) + 0.3 * (be ? -1 : 1);
  if (maxdeg >= 2) v += -0.375 * ((double)e + 1.0) * ((b1 ^ b2) ? -1 : 1);
  if (maxdeg >= 3) v += 0.2 * ((b0 ^ b2 ^ bl) ? -1 : 1);
  return v;
}

static double r2_of(const double *y, const double *yhat, size_t count) {
  double mean = 0, ss = 0, res = 0;
  for (size_t i = 0; i < count; i++) mean += y[i];
  mean /= (double)count;
  for (size_t i = 0; i < count; i++) {
    ss += (y[i] - mean) * (y[i] - mean);
    res += (y[i] - yhat[i]) * (y[i] - yhat[i]);
  }
  return 1.0 - res / ss;
}

/* ---- the checks ------------------------------------------------------------------------------ */

enum { I = 3, B = 3, R = 2, T = 200, N = 6 };

static void check_file(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  spx_test(f >= 0, "result file %s opens", path);
  if (f < 0) return;
  /* Instances: test masks over n = 6 features and their values by brute force. */
  for (size_t e = 0; e < I; e++) {
    char p[128];
    uint64_t masks[T];
    double values[T], pred1[T];
    snprintf(p, sizeof p, "/explicands/%zu/test_masks", e);
    int ok = read_ds(f, p, H5T_NATIVE_UINT64, masks) == 0 && ds_size(f, p) == T;
    snprintf(p, sizeof p, "/explicands/%zu/test_values", e);
    ok = ok && read_ds(f, p, H5T_NATIVE_DOUBLE, values) == 0;
    spx_test(ok, "explicand %zu: test masks and values stored", e);
    if (!ok) continue;
    double maxerr = 0;
    int inrange = 1, distinct = 0;
    for (size_t i = 0; i < T; i++) {
      maxerr = fmax(maxerr, fabs(values[i] - tsparse_value(e, N, masks[i], 3)));
      inrange &= masks[i] < 64;
      if (i && masks[i] != masks[0]) distinct = 1;
      pred1[i] = tsparse_value(e, N, masks[i], 1);
    }
    /* Values are sums of 5 terms of size <= 4: 1e-12 covers rounding. */
    spx_test(maxerr < 1e-12, "explicand %zu: test values = brute force (max err %g)", e, maxerr);
    spx_test(inrange && distinct, "explicand %zu: masks use the n = 6 low bits, not constant", e);
    snprintf(p, sizeof p, "/explicands/%zu", e);
    spx_test(read_attr(f, p, "n") == N && read_attr(f, p, "explicand") == (long long)e,
             "explicand %zu: attributes n and explicand", e);
    /* R2 of the method truncated to degree 1 is the R2 of the brute-force truncation. */
    double want1 = r2_of(values, pred1, T);
    double r2[I * B * R];
    read_ds(f, "/results/texhaust_deg1/r2", H5T_NATIVE_DOUBLE, r2);
    for (size_t b = 1; b < B; b++)
      for (size_t r = 0; r < R; r++)
        spx_test_abs(r2[(e * B + b) * R + r], want1, 1e-12,
                     "deg1 R2 e=%zu b=%zu r=%zu = brute-force truncation", e, b, r);
  }
  double r2[I * B * R];
  uint64_t q[I * B * R];
  signed char st[I * B * R];
  read_ds(f, "/results/texhaust/r2", H5T_NATIVE_DOUBLE, r2);
  read_ds(f, "/results/texhaust/queries", H5T_NATIVE_UINT64, q);
  read_status(f, "texhaust", st);
  for (size_t e = 0; e < I; e++)
    for (size_t r = 0; r < R; r++) {
      size_t k = (e * B + 0) * R + r;
      spx_test(st[k] == 2 && isnan(r2[k]) && q[k] == 0, "budget 32 < 2^6: skipped (e=%zu)", e);
      for (size_t b = 1; b < B; b++) {
        k = (e * B + b) * R + r;
        /* Exact transform, exact values: R2 = 1 up to rounding. */
        spx_test(st[k] == 1 && fabs(r2[k] - 1.0) < 1e-12 && q[k] == 64,
                 "exhaustive e=%zu b=%zu r=%zu: ok, R2 = 1, 64 queries", e, b, r);
      }
    }
  char msg[256];
  read_message(f, "texhaust", I * B * R, 0, msg, sizeof msg);
  spx_test(strstr(msg, "needs budget >= 2^n = 64, has 32") != NULL, "skip reason stored (%s)", msg);
  /* The stored transform of (e=1, b=2, r=1) is the truth: 5 terms. */
  uint64_t off[16];
  uint32_t idx[32];
  double coef[16];
  const char *tp = "/results/texhaust/transform/1/2/1";
  char p[128];
  snprintf(p, sizeof p, "%s/offsets", tp);
  size_t nt = ds_size(f, p);
  int ok = nt == 6 && read_ds(f, p, H5T_NATIVE_UINT64, off) == 0;
  snprintf(p, sizeof p, "%s/indices", tp);
  ok = ok && read_ds(f, p, H5T_NATIVE_UINT32, idx) == 0 && ds_size(f, p) == off[5];
  snprintf(p, sizeof p, "%s/coefficients", tp);
  ok = ok && read_ds(f, p, H5T_NATIVE_DOUBLE, coef) == 0;
  spx_test(ok, "transform of explicand 1 stored with 5 terms");
  if (ok) {
    /* Sorted by |value|: 2 {}, -0.75 {1,2}, 0.5 {0}, 0.3 {1}, 0.2 {0,2,5}. */
    static const double want[5] = {2.0, -0.75, 0.5, 0.3, 0.2};
    static const uint64_t want_off[6] = {0, 0, 2, 3, 4, 7};
    static const uint32_t want_idx[7] = {1, 2, 0, 1, 0, 2, 5};
    int same = 1;
    for (int k = 0; k < 5; k++) same &= fabs(coef[k] - want[k]) < 1e-12;
    for (int k = 0; k < 6; k++) same &= off[k] == want_off[k];
    for (int k = 0; k < 7; k++) same &= idx[k] == want_idx[k];
    spx_test(same, "stored transform = truth, sorted by |value|");
  }
  spx_test(read_attr(f, "/meta", "ranks") == 1, "/meta ranks = 1");
  H5Fclose(f);
}

/* Compare every dataset two files must share (not the timings and /meta). */
static int same_results(const char *a, const char *b, int with_transforms) {
  hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
  int same = fa >= 0 && fb >= 0;
  static const char *const labels[] = {"texhaust", "texhaust_deg1"};
  for (int m = 0; same && m < 2; m++) {
    char p[128];
    double ra[I * B * R], rb[I * B * R];
    uint64_t qa[I * B * R], qb[I * B * R];
    signed char sa[I * B * R], sb[I * B * R];
    snprintf(p, sizeof p, "/results/%s/r2", labels[m]);
    same &= read_ds(fa, p, H5T_NATIVE_DOUBLE, ra) == 0 && read_ds(fb, p, H5T_NATIVE_DOUBLE, rb) == 0;
    snprintf(p, sizeof p, "/results/%s/queries", labels[m]);
    same &= read_ds(fa, p, H5T_NATIVE_UINT64, qa) == 0 && read_ds(fb, p, H5T_NATIVE_UINT64, qb) == 0;
    same &= read_status(fa, labels[m], sa) == 0 && read_status(fb, labels[m], sb) == 0;
    for (size_t k = 0; same && k < I * B * R; k++) {
      same &= (isnan(ra[k]) && isnan(rb[k])) || ra[k] == rb[k];
      same &= qa[k] == qb[k] && sa[k] == sb[k];
      char ma[256], mb[256];
      read_message(fa, labels[m], I * B * R, k, ma, sizeof ma);
      read_message(fb, labels[m], I * B * R, k, mb, sizeof mb);
      same &= strcmp(ma, mb) == 0;
    }
    for (size_t e = 0; with_transforms && same && e < I; e++)
      for (size_t bb = 1; bb < B; bb++)
        for (size_t r = 0; r < R; r++) {
          double ca[64], cb[64];
          snprintf(p, sizeof p, "/results/%s/transform/%zu/%zu/%zu/coefficients", labels[m], e, bb, r);
          size_t n = ds_size(fa, p);
          same &= n == ds_size(fb, p) && n <= 64 && read_ds(fa, p, H5T_NATIVE_DOUBLE, ca) == 0 &&
                  read_ds(fb, p, H5T_NATIVE_DOUBLE, cb) == 0 && memcmp(ca, cb, n * sizeof *ca) == 0;
        }
  }
  for (size_t e = 0; same && e < I; e++) {
    char p[128];
    double va[T], vb[T];
    snprintf(p, sizeof p, "/explicands/%zu/test_values", e);
    same &= read_ds(fa, p, H5T_NATIVE_DOUBLE, va) == 0 && read_ds(fb, p, H5T_NATIVE_DOUBLE, vb) == 0 &&
            memcmp(va, vb, sizeof va) == 0;
  }
  if (fa >= 0) H5Fclose(fa);
  if (fb >= 0) H5Fclose(fb);
  return same;
}

/* Make a finished file look interrupted: instance 2 never set up, some cells of the others
 * pending (their old values left in place, as after a crash between writes). */
static void interrupt(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(f, "/explicands/2", H5P_DEFAULT);
  static const char *const labels[] = {"texhaust", "texhaust_deg1"};
  for (int m = 0; m < 2; m++) {
    char p[128];
    snprintf(p, sizeof p, "/results/%s/status", labels[m]);
    hid_t d = H5Dopen2(f, p, H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    signed char st[I * B * R];
    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, st);
    for (size_t k = 0; k < I * B * R; k++)
      if (k >= 2 * B * R || k % 5 == (size_t)m) st[k] = 0;
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, st);
    H5Tclose(t);
    H5Dclose(d);
    double r2[I * B * R];
    snprintf(p, sizeof p, "/results/%s/r2", labels[m]);
    d = H5Dopen2(f, p, H5P_DEFAULT);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r2);
    for (size_t k = 0; k < I * B * R; k++)
      if (k % 5 == (size_t)m) r2[k] = -7.0; /* garbage that the rerun must overwrite */
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r2);
    H5Dclose(d);
  }
  H5Fclose(f);
}

static void out_arg(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "experiment.output=%s/%s", dir, name);
}

int main(void) {
  spx_par_init(NULL, NULL);
  snprintf(dir, sizeof dir, "/tmp/spx_driver_XXXXXX");
  if (mkdtemp(dir) == NULL) return 1;
  const char *src = getenv("SPX_SOURCE_DIR");
  snprintf(cfgpath, sizeof cfgpath, "%s/tests/data/driver_small.toml", src ? src : ".");
  char text[16384], o1[256], o2[256], path[256];

  /* A full run. */
  out_arg(o1, sizeof o1, "a.h5");
  const char *a1[] = {"--set", o1, "--quiet"};
  int code = run(cfgpath, a1, 3, 0, text, sizeof text);
  spx_test_int(code, 0, "full run exits 0");
  spx_test(strstr(text, "texhaust_deg1") && strstr(text, "common set") && strstr(text, "standard error of the mean"),
           "summary table printed");
  spx_test(strstr(text, "[1/36]") == NULL, "--quiet: no progress lines");
  snprintf(path, sizeof path, "%s/a.h5", dir);
  check_file(path);

  /* The output exists: refused without --resume. */
  code = run(cfgpath, a1, 3, 0, text, sizeof text);
  spx_test(code == 2 && strstr(text, "the output file exists; pass --resume"),
           "existing output without --resume: exit 2 (%s)", text);

  /* --resume after an interrupted run gives the same datasets. */
  out_arg(o2, sizeof o2, "b.h5");
  const char *a2[] = {"--set", o2, "--quiet"};
  run(cfgpath, a2, 3, 0, NULL, 0);
  snprintf(path, sizeof path, "%s/b.h5", dir);
  interrupt(path);
  const char *a3[] = {"--set", o2, "--resume"};
  code = run(cfgpath, a3, 3, 0, text, sizeof text);
  spx_test_int(code, 0, "resumed run exits 0");
  spx_test(strstr(text, "resuming") && strstr(text, "[1/") != NULL,
           "resume reports progress (%.80s)", text);
  char pa[256];
  snprintf(pa, sizeof pa, "%s/a.h5", dir);
  spx_test(same_results(pa, path, 1), "resumed file = uninterrupted file");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  spx_test(read_attr(f, "/meta", "runs") == 2, "/meta runs = 2 after a resume");
  H5Fclose(f);
  /* Resume with another configuration: refused. */
  const char *a4[] = {"--set", o2, "--resume", "--set", "experiment.seed=12"};
  code = run(cfgpath, a4, 5, 0, text, sizeof text);
  spx_test(code == 2 && strstr(text, "written with another configuration"),
           "resume with another seed: exit 2 (%s)", text);

  /* Failing cells are recorded; the others are kept. */
  out_arg(o1, sizeof o1, "c.h5");
  const char *a5[] = {"--set", o1, "--quiet", "--set", "method[0].fail=true"};
  code = run(cfgpath, a5, 5, 0, text, sizeof text);
  spx_test(code == 1 && strstr(text, "12 cells failed"), "failing method: exit 1 (%s)", text);
  snprintf(path, sizeof path, "%s/c.h5", dir);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  signed char st0[I * B * R], st1[I * B * R];
  read_status(f, "texhaust", st0);
  read_status(f, "texhaust_deg1", st1);
  int fails = 0, oks = 0;
  for (size_t k = 0; k < I * B * R; k++) {
    fails += st0[k] == 3;
    oks += st1[k] == 1;
  }
  spx_test(fails == 12 && oks == 12, "12 failed cells, the other method's 12 ok cells kept");
  char msg[256];
  read_message(f, "texhaust", I * B * R, 2, msg, sizeof msg);
  spx_test(strstr(msg, "texhaust: failure requested") != NULL, "failure message stored (%s)", msg);
  H5Fclose(f);

  /* An instance whose oracle cannot be opened: its cells fail, the rest run. */
  out_arg(o1, sizeof o1, "d.h5");
  const char *a6[] = {"--set", o1, "--quiet", "--set", "oracle.fail_explicand=1"};
  code = run(cfgpath, a6, 5, 0, text, sizeof text);
  spx_test(code == 1 && strstr(text, "12 cells failed"), "failing explicand: exit 1");

  /* Recovery: exact method scores perfectly; degree 1 misses the higher terms. */
  out_arg(o1, sizeof o1, "e.h5");
  const char *a7[] = {"--set", o1, "--quiet", "--set", "experiment.kind=recovery"};
  code = run(cfgpath, a7, 5, 0, text, sizeof text);
  spx_test_int(code, 0, "recovery run exits 0");
  snprintf(path, sizeof path, "%s/e.h5", dir);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double ce[I * B * R], prec[I * B * R], rec[I * B * R];
  read_ds(f, "/results/texhaust/coef_error", H5T_NATIVE_DOUBLE, ce);
  read_ds(f, "/results/texhaust/recall", H5T_NATIVE_DOUBLE, rec);
  spx_test(fabs(ce[2]) < 1e-12 && rec[2] == 1.0, "recovery: exact method has error 0, recall 1");
  read_ds(f, "/results/texhaust_deg1/coef_error", H5T_NATIVE_DOUBLE, ce);
  read_ds(f, "/results/texhaust_deg1/precision", H5T_NATIVE_DOUBLE, prec);
  read_ds(f, "/results/texhaust_deg1/recall", H5T_NATIVE_DOUBLE, rec);
  /* Explicand 1 (e % n = 1): nonempty truth terms 0.5 {0}, 0.3 {1}, -0.75 {1,2}, 0.2 {0,2,5};
   * degree 1 keeps the first two: rel_l2 = sqrt((0.75^2 + 0.2^2) / (0.5^2 + 0.3^2 + 0.75^2 +
   * 0.2^2)), precision 2/2, recall 2/4. */
  size_t k1 = (1 * B + 1) * R;
  double want = sqrt((0.5625 + 0.04) / (0.25 + 0.09 + 0.5625 + 0.04));
  spx_test_abs(ce[k1], want, 1e-12, "recovery: degree-1 coefficient error by hand");
  spx_test(prec[k1] == 1.0 && rec[k1] == 0.5, "recovery: degree-1 precision 1, recall 1/2");
  H5Fclose(f);

  /* Scaling over n. */
  snprintf(path, sizeof path, "%s/scaling.toml", dir);
  FILE *sf = fopen(path, "w");
  fprintf(sf, "[experiment]\nkind = \"scaling\"\noutput = \"%s/s.h5\"\ntest_masks = 50\n"
              "[oracle]\nkind = \"tsparse\"\nexplicands = { count = 2 }\n"
              "[scaling]\nn = [4, 5, 8]\n[budget]\nsamples = [128]\n"
              "[[method]]\nname = \"texhaust\"\n",
          dir);
  fclose(sf);
  const char *a8[] = {"--quiet"};
  code = run(path, a8, 1, 0, text, sizeof text);
  spx_test_int(code, 0, "scaling run exits 0");
  snprintf(path, sizeof path, "%s/s.h5", dir);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  long long ns[6];
  for (int i = 0; i < 6; i++) {
    char p[64];
    snprintf(p, sizeof p, "/explicands/%d", i);
    ns[i] = read_attr(f, p, "n");
  }
  spx_test(ns[0] == 4 && ns[1] == 4 && ns[2] == 5 && ns[3] == 5 && ns[4] == 8 && ns[5] == 8,
           "scaling: instances have n = 4 4 5 5 8 8");
  double sr2[6];
  read_ds(f, "/results/texhaust/r2", H5T_NATIVE_DOUBLE, sr2);
  spx_test(fabs(sr2[0] - 1) < 1e-12 && fabs(sr2[3] - 1) < 1e-12 && isnan(sr2[4]),
           "scaling: exact at n = 4, 5; skipped at n = 8 (2^8 > 128)");
  H5Fclose(f);

  /* check prints the plan. */
  const char *a9[] = {"--set", "experiment.repeats=3"};
  code = run(cfgpath, a9, 2, 1, text, sizeof text);
  spx_test(code == 0 && strstr(text, "3 instances x 2 methods x 3 budgets x 3 repeats = 54") &&
               strstr(text, "at most 4056 ") && strstr(text, "skipped      18 of 54 cells") &&
               strstr(text, "resolved configuration:"),
           "check prints the plan (%s)", text);
  const char *a10[] = {"--set", "budget.samples=[0]"};
  code = run(cfgpath, a10, 2, 1, text, sizeof text);
  spx_test(code == 2 && strstr(text, "budget.samples[0]: 0 is out of range"),
           "check reports a bad --set with exit 2 (%s)", text);
  const char *a11[] = {"--bogus"};
  code = run(cfgpath, a11, 1, 0, text, sizeof text);
  spx_test(code == 2 && strstr(text, "unknown option '--bogus'"), "unknown option: exit 2");
  code = run("/nonexistent.toml", NULL, 0, 0, text, sizeof text);
  spx_test(code == 2 && strstr(text, "/nonexistent.toml: cannot open"), "missing config: exit 2");

  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) printf("could not remove %s\n", dir);
  spx_par_finalize();
  return spx_test_summary();
}
