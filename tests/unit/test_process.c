/* test_process.c: the external-process oracle. A round trip through the example Python
 * oracle (checked against the coefficients listed in its header), a large batch that would
 * deadlock a writer that does not read, children that misbehave (crash, hang, garbage, short
 * answers, NaN, extra output), SIGPIPE safety, descriptor inheritance and option errors. */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mask.h"
#include "core/options.h"
#include "oracle/oracle.h"
#include "testing.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Options for the process oracle: command, n, then optional "key=value" extras typed as
 * numbers (timeout, batch). */
static spx_options *popts(const char *command, long n, double timeout, long batch) {
  spx_options *o = spx_options_create("oracle process");
  char buf[64];
  if (command) spx_options_put(o, "command", SPX_OPT_STRING, command, "t.toml:1:1", NULL);
  snprintf(buf, sizeof buf, "%ld", n);
  if (n >= 0) spx_options_put(o, "n", SPX_OPT_INT, buf, "t.toml:2:1", NULL);
  if (timeout > 0) {
    snprintf(buf, sizeof buf, "%g", timeout);
    spx_options_put(o, "timeout", SPX_OPT_FLOAT, buf, "t.toml:3:1", NULL);
  }
  if (batch > 0) {
    snprintf(buf, sizeof buf, "%ld", batch);
    spx_options_put(o, "batch", SPX_OPT_INT, buf, "t.toml:4:1", NULL);
  }
  return o;
}

static spx_oracle *open_cmd(const char *command, long n, double timeout, long batch) {
  spx_options *opts = popts(command, n, timeout, batch);
  spx_oracle *o = NULL;
  spx_error err = {0};
  if (spx_oracle_open(spx_oracle_lookup("process"), opts, 0, &o, &err))
    printf("unexpected failure opening '%s': %s\n", command, err.msg);
  spx_options_destroy(&opts);
  return o;
}

/* count masks over n features from a fixed pattern generator (xorshift). */
static spx_maskset *pattern_masks(size_t n, size_t count, uint64_t seed) {
  spx_maskset *s = spx_maskset_create(n, count);
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (size_t i = 0; i < count; i++) {
    uint64_t *m = spx_maskset_row(s, i);
    for (size_t w = 0; w < s->words; w++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      m[w] = x;
    }
    if (n % 64) m[s->words - 1] &= ((uint64_t)1 << (n % 64)) - 1;
  }
  return s;
}

/* ---- the example oracle ---------------------------------------------------------------- */

/* Coefficients copied from the header comment of experiments/example_oracle.py. */
static double example_moebius(const uint64_t *m) {
  int x[6];
  for (int i = 0; i < 6; i++) x[i] = spx_mask_test(m, (size_t)i);
  return 0.25 + 1.0 * x[0] - 0.5 * x[1] + 2.0 * x[2] * x[3] - 1.5 * x[1] * x[4] * x[5];
}

static double example_fourier(const uint64_t *m) {
  static const struct {
    int k[3], d;
    double v;
  } F[] = {{{0}, 0, 0.8125},        {{0}, 1, -0.5},          {{1}, 1, 0.4375},
           {{2}, 1, -0.5},          {{3}, 1, -0.5},          {{2, 3}, 2, 0.5},
           {{4}, 1, 0.1875},        {{5}, 1, 0.1875},        {{1, 4}, 2, -0.1875},
           {{1, 5}, 2, -0.1875},    {{4, 5}, 2, -0.1875},    {{1, 4, 5}, 3, 0.1875}};
  double y = 0.0;
  for (size_t t = 0; t < sizeof F / sizeof *F; t++) {
    int par = 0;
    for (int j = 0; j < F[t].d; j++) par ^= spx_mask_test(m, (size_t)F[t].k[j]);
    y += par ? -F[t].v : F[t].v;
  }
  return y;
}

static void test_example_oracle(void) {
  if (system("command -v python3 >/dev/null 2>&1") != 0) {
    printf("SKIP: python3 not found; example oracle round trip not run\n");
    return;
  }
  const char *src = getenv("SPX_SOURCE_DIR");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "python3 '%s/experiments/example_oracle.py'", src ? src : ".");
  spx_oracle *o = open_cmd(cmd, 9, 60, 100);
  if (!o) {
    spx_test(0, "example oracle: open");
    return;
  }
  spx_maskset *all = spx_maskset_create(9, 512);
  for (size_t x = 0; x < 512; x++) spx_maskset_row(all, x)[0] = x;
  double y[512];
  spx_error err = {0};
  int rc = spx_oracle_eval_all(o, all, y, &err);
  spx_test(rc == SPX_OK, "example oracle answers all 512 masks in 6 batches [%s]",
           rc ? err.msg : "");
  int mo = 1, fo = 1;
  for (size_t x = 0; x < 512 && rc == SPX_OK; x++) {
    const uint64_t *m = spx_maskset_row(all, x);
    /* dyadic values printed with repr(): exact equality is expected */
    if (y[x] != example_moebius(m)) mo = 0;
    if (y[x] != example_fourier(m)) fo = 0;
  }
  spx_test(mo, "answers equal the listed Moebius coefficients on all masks");
  spx_test(fo, "answers equal the listed Fourier coefficients on all masks");
  /* a second call continues the protocol on the same process */
  rc = spx_oracle_eval(o, all, 7, 3, y, &err);
  spx_test(rc == SPX_OK && y[0] == example_moebius(spx_maskset_row(all, 7)),
           "a second call on the same process");
  spx_test_int((long long)o->queries, 515, "queries counted");
  spx_test(o->concurrent == 0, "process oracle is not concurrent");
  spx_test(spx_oracle_truth(o) == NULL, "no truth");
  spx_test(o->explicand && strstr(o->explicand, "example_oracle.py"), "explicand names command");
  double t0 = now_s();
  spx_oracle_destroy(&o);
  /* the time limits below separate "at once" from PROC_CLOSE_GRACE (10 s, process.c) with room
   * for a loaded machine: 8 s, not a speed goal */
  spx_test(now_s() - t0 < 8.0, "close: the child exits on EOF and is reaped (%.2f s)",
           now_s() - t0);
  spx_maskset_destroy(&all);

  /* the example rejects n < 6 with its own message on stderr and status 2 */
  o = open_cmd(cmd, 4, 60, 0);
  spx_maskset *m = spx_maskset_create(4, 2);
  rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "batch 1, answer line 1") &&
               strstr(err.msg, "exited with status 2"),
           "example oracle with n = 4 fails with its status [%s]", err.msg);
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&o);
}

/* awk that handles each input line as soon as it arrives: mawk reads its input in blocks
 * unless run with -W interactive. */
#define AWK_LINEWISE                                                                         \
  "AWK=awk; awk -W version 2>/dev/null | grep -q mawk && AWK='awk -W interactive'; exec $AWK "

/* Answers the number of kept features, line by line as it reads (flushed per line). */
static const char *popcount_awk =
    AWK_LINEWISE "'NR==1{next} !c{c=$1+0; next} {c--; print gsub(/1/,\"1\"); fflush()}'";

static void test_large_batch(void) {
  /* 20,000 masks of n = 300 in one protocol batch: 6 MB of input while the child writes
   * answers as it goes; a writer that does not read concurrently would deadlock once both
   * pipes are full. */
  spx_oracle *o = open_cmd(popcount_awk, 300, 120, 20000);
  spx_maskset *m = pattern_masks(300, 20000, 3);
  static double y[20000];
  spx_error err = {0};
  double t0 = now_s();
  int rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_OK, "20000 masks at n = 300 in one batch (%.2f s) [%s]", now_s() - t0,
           rc ? err.msg : "");
  int ok = 1;
  for (size_t i = 0; i < 20000 && rc == SPX_OK; i++)
    if (y[i] != (double)spx_mask_popcount(spx_maskset_row(m, i), m->words)) ok = 0;
  spx_test(ok, "every answer is the popcount of its mask");
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);

  /* Larger calls are split into protocol batches of `batch` masks: 10 masks with batch 4 are
   * batches 1, 2, 3; a child that dies after 9 answers fails in batch 3 at line 2. */
  o = open_cmd(AWK_LINEWISE "'NR==1{next} !c{c=$1+0; next} {c--; a++; print 1; fflush(); if (a == 9) "
               "exit 5}'",
               8, 30, 4);
  m = pattern_masks(8, 10, 5);
  rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "batch 3, answer line 2") &&
               strstr(err.msg, "after 1 of 2 answers") && strstr(err.msg, "status 5"),
           "split into batches of 4: death after 9 answers is batch 3, line 2 [%s]", err.msg);
  spx_test(y[8] == 1.0, "answers received before the failure are kept");
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);
}

/* ---- misbehaving children ------------------------------------------------------------- */

typedef struct {
  const char *what;
  const char *command;
  long n;
  size_t count;
  double timeout;
  int code;
  const char *frag[3];
} bad_case;

static void run_bad(const bad_case *b) {
  spx_oracle *o = open_cmd(b->command, b->n, b->timeout, 0);
  if (!o) {
    spx_test(0, "%s: open", b->what);
    return;
  }
  spx_maskset *m = pattern_masks((size_t)b->n, b->count, 9);
  double *y = calloc(b->count, sizeof *y);
  spx_error err = {0};
  double t0 = now_s();
  int rc = spx_oracle_eval_all(o, m, y, &err);
  double secs = now_s() - t0;
  int ok = rc == b->code;
  for (int i = 0; i < 3; i++)
    if (b->frag[i] && !strstr(err.msg, b->frag[i])) ok = 0;
  spx_test(ok, "%s: error code %d naming %s / %s / %s [got %d: %s]", b->what, b->code,
           b->frag[0], b->frag[1] ? b->frag[1] : "-", b->frag[2] ? b->frag[2] : "-", rc,
           err.msg);
  spx_test(secs < b->timeout + 8.0, "%s: failed within %.1f s (%.2f s)", b->what,
           b->timeout + 8.0, secs);
  /* the oracle refuses to continue after a protocol error */
  spx_error err2 = {0};
  rc = spx_oracle_eval_all(o, m, y, &err2);
  spx_test(rc == SPX_EORACLE && strstr(err2.msg, "unusable after an earlier error") &&
               strstr(err2.msg, b->frag[0]),
           "%s: later calls repeat the first error", b->what);
  t0 = now_s();
  spx_oracle_destroy(&o);
  spx_test(now_s() - t0 < 8.0, "%s: close does not wait (%.2f s)", b->what, now_s() - t0);
  free(y);
  spx_maskset_destroy(&m);
}

static void test_misbehaving(void) {
  const bad_case cases[] = {
      {"crash at start", "exit 3", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "after 0 of 3 answers", "exited with status 3"}},
      {"crash after one answer", "read n; read c; read m; echo 1.5; exit 0", 5, 3, 10,
       SPX_EORACLE, {"batch 1, answer line 2", "after 1 of 3 answers", "exited with status 0"}},
      {"killed by a signal", "read n; read c; kill -9 $$", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "killed by signal 9", NULL}},
      {"command not found", "no_such_command_for_spex_bench_test 2>/dev/null", 5, 2, 10,
       SPX_EORACLE, {"batch 1, answer line 1", "exited with status 127", NULL}},
      {"hang", "sleep 30", 5, 3, 1, SPX_ETIMEOUT,
       {"batch 1, answer line 1", "time-out of 1 s", "0 of 3 answers received"}},
      {"short answer then hang", "read n; read c; echo 1; echo 2; sleep 30", 5, 3, 1,
       SPX_ETIMEOUT, {"batch 1, answer line 3", "2 of 3 answers received", NULL}},
      {"half a line then hang", "read n; read c; printf '1\\n2.'; sleep 30", 5, 3, 1,
       SPX_ETIMEOUT, {"batch 1, answer line 2", "unfinished line '2.'", NULL}},
      {"garbage", "read n; read c; echo 0.5; echo hello; sleep 30", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 2", "expected a number, got 'hello'", NULL}},
      {"empty line", "read n; read c; echo; sleep 30", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "empty line", NULL}},
      {"NaN", "read n; read c; echo 1; echo 2; echo nan; sleep 30", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 3", "'nan' is not a finite number", NULL}},
      {"infinity", "read n; read c; echo -inf; sleep 30", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "'-inf' is not a finite number", NULL}},
      {"overflow", "read n; read c; echo 1e999; sleep 30", 5, 3, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "'1e999' is not a finite number", NULL}},
      {"extra text on a line", "read n; read c; echo '1.5 2.5'; sleep 30", 5, 3, 10,
       SPX_EORACLE, {"batch 1, answer line 1", "extra output after the number", "'1.5 2.5'"}},
      {"extra lines", "read n; read c; read m; printf '1\\n2\\n'; sleep 30", 5, 1, 10,
       SPX_EORACLE, {"batch 1, answer line 2", "extra output after the last of the 1", "'2'"}},
      {"binary garbage", "read n; read c; printf '\\001\\377\\n'; sleep 30", 5, 1, 10,
       SPX_EORACLE, {"batch 1, answer line 1", "'\\x01\\xff'", NULL}},
      {"answers before reading", "read n; read c; echo 1; echo 2; echo 3; sleep 30", 100000, 3,
       10, SPX_EORACLE, {"batch 1, answer line 3", "before it could have read all masks", NULL}},
      {"exits without reading (EPIPE)", "exec 0<&-; sleep 0.2", 100000, 50, 10, SPX_EORACLE,
       {"batch 1, answer line 1", "stopped reading its input", "exited with status 0"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_bad(&cases[i]);

  /* An extra answer that arrives after the batch is caught before the next batch. */
  spx_oracle *o = open_cmd("read n; read c; read m; echo 1; sleep 0.2; echo 2; sleep 30", 5,
                           10, 0);
  spx_maskset *m = pattern_masks(5, 1, 2);
  double y[1];
  spx_error err = {0};
  int rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_OK && y[0] == 1.0, "one answer for one mask");
  struct timespec ts = {0, 500000000};
  nanosleep(&ts, NULL);
  rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "batch 2, answer line 1") &&
               strstr(err.msg, "unexpected output before the batch") && strstr(err.msg, "'2'"),
           "a late extra answer is reported at the next batch [%s]", err.msg);
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);

  /* A time-out in the second batch names batch 2. */
  o = open_cmd("read n; read c; read m; echo 1; sleep 30", 5, 1, 1);
  m = pattern_masks(5, 2, 2);
  double y2[2];
  rc = spx_oracle_eval_all(o, m, y2, &err);
  spx_test(rc == SPX_ETIMEOUT && strstr(err.msg, "batch 2, answer line 1"),
           "time-out in the second batch names batch 2 [%s]", err.msg);
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);
}

/* SIGPIPE: writing to a child that has gone must neither kill us nor leave SIGPIPE blocked,
 * pending or ignored. */
static void test_sigpipe_state(void) {
  sigset_t before, after, pending;
  sigprocmask(SIG_SETMASK, NULL, &before);
  struct sigaction sa_before, sa_after;
  sigaction(SIGPIPE, NULL, &sa_before);
  /* The child starts at the first batch: it answers one mask, then closes its input (our
   * writes of the second batch meet EPIPE at once) and exits a moment later. */
  spx_oracle *o = open_cmd("read n; read c; read m; echo 1; exec 0<&-; sleep 0.3", 1000, 10, 0);
  spx_maskset *one = pattern_masks(1000, 1, 3);
  double y1[1];
  spx_error err = {0};
  int rc = spx_oracle_eval_all(o, one, y1, &err);
  spx_test(rc == SPX_OK && y1[0] == 1.0, "first batch answered [%s]", rc ? err.msg : "");
  spx_maskset_destroy(&one);
  spx_maskset *m = pattern_masks(1000, 500, 1);
  double *y = calloc(500, sizeof *y);
  rc = spx_oracle_eval_all(o, m, y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "stopped reading its input"),
           "write to a dead child: EPIPE reported, no SIGPIPE death [%s]", err.msg);
  sigprocmask(SIG_SETMASK, NULL, &after);
  sigpending(&pending);
  sigaction(SIGPIPE, NULL, &sa_after);
  spx_test(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE),
           "signal mask unchanged");
  spx_test(!sigismember(&pending, SIGPIPE), "no SIGPIPE left pending");
  spx_test(sa_after.sa_handler == sa_before.sa_handler, "SIGPIPE disposition unchanged");
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);
  free(y);
}

/* Children must not inherit our pipe ends: if B held A's stdin write end, A would never see
 * EOF when A is closed, and closing A would wait for the grace period (10 s) and kill it. */
static void test_no_inherited_fds(void) {
  spx_oracle *a = open_cmd("while read x; do :; done", 3, 0, 0);
  spx_oracle *b = open_cmd("while read x; do :; done", 3, 0, 0);
  double t0 = now_s();
  spx_oracle_destroy(&a);
  double secs = now_s() - t0;
  spx_test(secs < 8.0, "closing A while B runs: A sees EOF at once (%.2f s)", secs);
  spx_oracle_destroy(&b);
}


/* ---- process hygiene ---------------------------------------------------------------------- */

static int pid_alive(long pid) { /* alive and not a zombie */
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = '\0';
  const char *p = strrchr(buf, ')');
  return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static long read_pid(const char *path) {
  FILE *f = fopen(path, "r");
  long pid = -1;
  if (f) {
    if (fscanf(f, "%ld", &pid) != 1) pid = -1;
    fclose(f);
  }
  return pid;
}

/* One batch of one mask through command (n = 3); returns the answer or NaN. */
static double one_answer(spx_oracle *o) {
  spx_maskset *m = pattern_masks(3, 1, 5);
  double y = NAN;
  spx_error err = {0};
  if (spx_oracle_eval_all(o, m, &y, &err)) {
    printf("unexpected failure: %s\n", err.msg);
    y = NAN;
  }
  spx_maskset_destroy(&m);
  return y;
}

/* Opening the oracle starts no process (the dry run of `check`); the first batch does. */
static void test_lazy_start(void) {
  char dir[] = "/tmp/spx_lazy_XXXXXX";
  if (!mkdtemp(dir)) return;
  char marker[96], cmd[256];
  snprintf(marker, sizeof marker, "%s/started", dir);
  snprintf(cmd, sizeof cmd, "touch %s; read n; read c; read m; echo 1; while read x; do :; done",
           marker);
  spx_oracle *o = open_cmd(cmd, 3, 5, 0);
  spx_oracle_destroy(&o);
  spx_test(access(marker, F_OK) != 0, "open + close starts no model process");
  o = open_cmd(cmd, 3, 5, 0);
  spx_test(one_answer(o) == 1.0, "the first batch starts it");
  spx_test(access(marker, F_OK) == 0, "...and the model ran");
  spx_oracle_destroy(&o);
  unlink(marker);
  rmdir(dir);
}

/* The child sees none of our descriptors but its pipes and stderr: not a file we opened
 * (without O_CLOEXEC, like the HDF5 file) nor a pipe (like MPI's sockets). */
static void test_closed_fds(void) {
  int fd = open("/dev/null", O_RDONLY);
  int pp[2];
  if (fd < 0 || pipe(pp) != 0) return;
  char cmd[256];
  snprintf(cmd, sizeof cmd,
           "read n; read c; read m; k=0; for f in %d %d %d; do [ -e /proc/$$/fd/$f ] && "
           "k=$((k+1)); done; echo $k; while read x; do :; done",
           fd, pp[0], pp[1]);
  spx_oracle *o = open_cmd(cmd, 3, 5, 0);
  double k = one_answer(o);
  spx_test(k == 0.0, "no descriptor of the parent in /proc/<child>/fd (%g of 3 seen)", k);
  spx_oracle_destroy(&o);
  close(fd);
  close(pp[0]);
  close(pp[1]);
}

/* Shutdown reaches every member of the group, whatever the shell does: a member that ignores
 * SIGTERM is killed after the grace period, also when the shell itself exits on SIGTERM or
 * exits at EOF and leaves it behind. */
static void test_group_shutdown(void) {
  char dir[] = "/tmp/spx_group_XXXXXX";
  if (!mkdtemp(dir)) return;
  const struct {
    const char *what, *body;
  } cases[] = {
      {"shell exits at EOF, a TERM-ignoring child stays",
       "(trap '' TERM; exec sleep 1000) & echo $! >%s; read n; read c; read m; echo 1; "
       "while read x; do :; done"},
      {"shell dies of SIGTERM, a TERM-ignoring child stays",
       "(trap '' TERM; exec sleep 1000) & echo $! >%s; read n; read c; read m; echo 1; "
       "sleep 1000"},
      {"everything ignores SIGTERM and EOF",
       "trap '' TERM; sleep 1000 & echo $! >%s; read n; read c; read m; echo 1; sleep 1000"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char pidfile[96], cmd[512];
    snprintf(pidfile, sizeof pidfile, "%s/pid%zu", dir, i);
    snprintf(cmd, sizeof cmd, cases[i].body, pidfile);
    spx_oracle *o = open_cmd(cmd, 3, 1, 0); /* timeout 1 s: 1 s of grace after EOF */
    double y = one_answer(o);
    long pid = read_pid(pidfile);
    double t0 = now_s();
    spx_oracle_destroy(&o);
    double secs = now_s() - t0;
    int alive = pid > 0 && pid_alive(pid);
    spx_test(y == 1.0 && pid > 0 && !alive && secs < 6.0,
             "%s: no survivor after close (pid %ld %s, %.2f s)", cases[i].what, pid,
             alive ? "alive" : "gone", secs);
    if (alive) kill((pid_t)pid, SIGKILL);
    unlink(pidfile);
  }
  rmdir(dir);
}

/* The shell reports a model killed by signal N as exit status 128 + N: named as the signal. */
static void test_signal_names(void) {
  spx_oracle *o = open_cmd("read n; read c; sh -c 'kill -9 $$'; exit $?", 3, 5, 0);
  spx_maskset *m = pattern_masks(3, 1, 5);
  double y;
  spx_error err = {0};
  int rc = spx_oracle_eval_all(o, m, &y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "was killed by signal 9 (SIGKILL)") &&
               strstr(err.msg, "exit status 137"),
           "exit status 137 named as SIGKILL [%s]", err.msg);
  spx_oracle_destroy(&o);
  o = open_cmd("read n; read c; kill -TERM $$", 3, 5, 0);
  rc = spx_oracle_eval_all(o, m, &y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "was killed by signal 15 (SIGTERM)"),
           "a shell killed by SIGTERM [%s]", err.msg);
  spx_oracle_destroy(&o);
  o = open_cmd("read n; read c; exit 3", 3, 5, 0);
  rc = spx_oracle_eval_all(o, m, &y, &err);
  spx_test(rc == SPX_EORACLE && strstr(err.msg, "exited with status 3") &&
               !strstr(err.msg, "signal"),
           "a plain exit status stays one [%s]", err.msg);
  spx_oracle_destroy(&o);
  spx_maskset_destroy(&m);
}

/* ---- options ------------------------------------------------------------------------------- */

static void expect_error(spx_options *opts, const char *what, const char *frag) {
  spx_oracle *o = NULL;
  spx_error err = {0};
  int rc = spx_oracle_open(spx_oracle_lookup("process"), opts, 0, &o, &err);
  spx_test(rc != SPX_OK && o == NULL && strstr(err.msg, frag), "%s: message has '%s' [%s]", what,
           frag, rc ? err.msg : "no error");
  spx_oracle_destroy(&o);
  spx_options_destroy(&opts);
}

static void test_options(void) {
  expect_error(popts(NULL, 5, 0, 0), "no command", "oracle process: command: required");
  expect_error(popts("  ", 5, 0, 0), "blank command", "t.toml:1:1: command: is empty");
  expect_error(popts("cat", -1, 0, 0), "no n", "n: required");
  spx_options *o = popts("cat", 0, 0, 0);
  expect_error(o, "n = 0", "t.toml:2:1: n: 0 is out of range");
  o = popts("cat", 5, 0, 0);
  spx_options_put(o, "timeout", SPX_OPT_FLOAT, "-1", "t.toml:3:1", NULL);
  expect_error(o, "negative timeout", "t.toml:3:1: timeout: -1 is out of range [0.001, 10000000]");
  o = popts("cat", 5, 0, 0);
  spx_options_put(o, "timeout", SPX_OPT_STRING, "soon", "t.toml:3:1", NULL);
  expect_error(o, "timeout text", "timeout: expected a number, got a string 'soon'");
  o = popts("cat", 5, 0, 0);
  spx_options_put(o, "batch", SPX_OPT_INT, "0", "t.toml:4:1", NULL);
  expect_error(o, "batch 0", "t.toml:4:1: batch: 0 is out of range");
  o = popts("cat", 3, 0, 0);
  const char *two[] = {"a", "b"};
  const spx_option_kind sk[] = {SPX_OPT_STRING, SPX_OPT_STRING, SPX_OPT_STRING};
  spx_options_put_array(o, "labels", 2, sk, two, "t.toml:5:1", NULL);
  expect_error(o, "2 labels for n = 3", "t.toml:5:1: labels: expected 3 labels (one per feature), got 2");
  o = popts("cat", 2, 0, 0);
  const char *mixed[] = {"a", "7"};
  const spx_option_kind mk[] = {SPX_OPT_STRING, SPX_OPT_INT};
  spx_options_put_array(o, "labels", 2, mk, mixed, "t.toml:5:1", NULL);
  expect_error(o, "a number among labels", "labels: expected an array of strings, but element 2");
  o = popts("cat", 2, 0, 0);
  spx_options_put(o, "timeot", SPX_OPT_INT, "5", "t.toml:6:1", NULL);
  expect_error(o, "misspelt key", "t.toml:6:1: timeot: unknown key for oracle process");

  /* labels (with a comma inside one) are kept per feature */
  o = popts("while read x; do :; done", 3, 0, 0);
  const char *three[] = {"the", "cat, sat", "down"};
  spx_options_put_array(o, "labels", 3, sk, three, "t.toml:5:1", NULL);
  spx_oracle *p = NULL;
  spx_error err = {0};
  int rc = spx_oracle_open(spx_oracle_lookup("process"), o, 0, &p, &err);
  char buf[16];
  spx_test(rc == SPX_OK && strcmp(spx_oracle_label(p, 1, buf, sizeof buf), "cat, sat") == 0 &&
               strcmp(spx_oracle_label(p, 2, buf, sizeof buf), "down") == 0,
           "labels are per feature [%s]", rc ? err.msg : "");
  spx_oracle_destroy(&p);
  spx_options_destroy(&o);
  /* command-line form: --labels a,b,c */
  o = popts("while read x; do :; done", 3, 0, 0);
  spx_options_put(o, "labels", SPX_OPT_TEXT, "a,b,c", "--labels", NULL);
  rc = spx_oracle_open(spx_oracle_lookup("process"), o, 0, &p, &err);
  spx_test(rc == SPX_OK && strcmp(spx_oracle_label(p, 2, buf, sizeof buf), "c") == 0,
           "labels from the command line [%s]", rc ? err.msg : "");
  spx_oracle_destroy(&p);
  spx_options_destroy(&o);
}

int main(void) {
  test_example_oracle();
  test_large_batch();
  test_misbehaving();
  test_sigpipe_state();
  test_no_inherited_fds();
  test_lazy_start();
  test_closed_fds();
  test_group_shutdown();
  test_signal_names();
  test_options();
  return spx_test_summary();
}
