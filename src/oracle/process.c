/* process.c: the external-model oracle; talks to a child process over pipes (DESIGN §5).
 *
 * The `command` is started once per explicand through /bin/sh -c, in its own process group,
 * with stdin and stdout connected to pipes and stderr shared with ours; "{e}" in the command
 * becomes the explicand number, which the environment also carries as SPEX_EXPLICAND.
 * Protocol (docs/oracles.md): we write a header line "n" (format = "plain") or "n packed",
 * then per batch a line "count" and count mask lines (n characters '0'/'1', or the hex text of
 * the bit-packed words); the child answers one decimal number per line and mask. Oracles built
 * on this one (text.c) may replace the header and the per-mask text (process.h). Masks are written and answers read at the
 * same time with poll(), so a child that answers while still reading cannot deadlock us.
 *
 * SIGPIPE: every write to the child is made with SIGPIPE blocked in this thread
 * (pthread_sigmask); when the write fails with EPIPE the SIGPIPE it raised is consumed with
 * sigtimedwait (unless one was already pending before) and the old mask restored, so the
 * process-wide disposition is never changed. Our pipe ends are created O_CLOEXEC, and every
 * other descriptor >= 3 (the HDF5 file, MPI's sockets) is closed in the child before the exec
 * (posix_spawn_file_actions_addclosefrom_np), so the model holds nothing of ours.
 *
 * The child is started lazily, at the first batch: opening the oracle (the dry run of
 * `check` and of every run) starts no process. Shutdown: close the pipes, let the model exit
 * on EOF for up to min(timeout, 10 s); then SIGTERM to the whole process group, and after
 * PROC_TERM_GRACE SIGKILL to the group, whatever the shell did (a shell that exits on SIGTERM
 * no longer lets a model that ignores it run on). A group counts as gone when no member is
 * left that is not a zombie (/proc; zombies of an init that does not reap are harmless).
 * After any protocol error or time-out the group is killed and reaped and the oracle refuses
 * further batches. An exit status 128+N of the shell is reported as the model's signal N. */
#define _GNU_SOURCE /* pipe2 (O_CLOEXEC at creation) */

#include "process.h"
#include "textdata.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PROC_LINE_MAX 4096       /* longest answer line accepted */
#define PROC_CLOSE_GRACE 10.0    /* seconds close() waits for the child after EOF */
#define PROC_TERM_GRACE 2.0      /* seconds between SIGTERM and SIGKILL to the group */

typedef struct {
  char *command;
  size_t n;
  double timeout;
  size_t batch;
  pid_t pid;
  int reaped, status; /* wait status once reaped */
  int gone;           /* the shell is reaped and its process group empty: signal no more */
  int to_child, from_child;
  unsigned long long batches; /* protocol batches started */
  int header_sent;
  int broken;                     /* a fatal error happened: refuse further batches */
  char first_error[SPX_ERRMSG_LEN]; /* its message */
  char *wbuf;   /* outgoing text */
  size_t wcap, wlen, wpos;
  char *header;                /* the header line, with its '\n' */
  int packed;                  /* format = "packed" */
  spx_process_row_fn row_fn;   /* per-mask text of a derived protocol (process.h), or NULL */
  void *row_ctx;
  const char *pend;            /* a row's text from row_fn that did not fit into wbuf yet */
  size_t pendlen;
  char **envp;                 /* environ plus SPEX_EXPLICAND (array owned, strings not) */
  char *env_explicand;         /* "SPEX_EXPLICAND=e" */
  char line[PROC_LINE_MAX + 2]; /* partial answer line */
  size_t linelen;
  char rbuf[65536];
} proc;

/* ---- time and child helpers ------------------------------------------------------------ */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) continue;
}

/* Reap the child if it has exited, waiting at most seconds. Returns 1 when reaped. */
static int wait_exit(proc *P, double seconds) {
  if (P->pid <= 0 || P->reaped) return 1;
  double end = now_s() + seconds, nap = 0.001;
  for (;;) {
    int st;
    pid_t r = waitpid(P->pid, &st, WNOHANG);
    if (r == P->pid || (r < 0 && errno == ECHILD)) {
      P->reaped = 1;
      P->status = r == P->pid ? st : -1;
      return 1;
    }
    if (r < 0 && errno != EINTR) return 0;
    double left = end - now_s();
    if (left <= 0.0) return 0;
    sleep_s(nap < left ? nap : left);
    if (nap < 0.02) nap *= 2.0;
  }
}

/* 1 while the child's process group (pgid = the shell's pid) has a member that is not a
 * zombie. Without /proc, any member counts. */
static int group_alive(pid_t pgid) {
  if (pgid <= 0) return 0;
  if (kill(-pgid, 0) != 0 && errno == ESRCH) return 0;
  DIR *d = opendir("/proc");
  if (d == NULL) return 1;
  int alive = 0;
  struct dirent *e;
  while (!alive && (e = readdir(d)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "re");
    if (f == NULL) continue;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')'); /* "pid (comm) S ppid pgrp ..." */
    char state;
    long ppid, pgrp;
    if (p && sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == (long)pgid &&
        state != 'Z' && state != 'X')
      alive = 1;
  }
  closedir(d);
  return alive;
}

/* Wait until the shell is reaped and its process group has no live member, at most seconds.
 * Returns 1 when both happened. */
static int wait_group(proc *P, double seconds) {
  double end = now_s() + seconds, nap = 0.001;
  for (;;) {
    wait_exit(P, 0.0);
    if (P->gone || (P->reaped && !group_alive(P->pid))) {
      P->gone = 1; /* the pgid may now be reused: never signal it again */
      return 1;
    }
    double left = end - now_s();
    if (left <= 0.0) return 0;
    sleep_s(nap < left ? nap : left);
    if (nap < 0.02) nap *= 2.0;
  }
}

/* Kill the child's process group and reap the shell. */
static void kill_child(proc *P) {
  if (P->pid <= 0 || P->gone) return;
  kill(-P->pid, SIGKILL);
  if (!P->reaped) {
    kill(P->pid, SIGKILL);
    int st;
    pid_t r;
    while ((r = waitpid(P->pid, &st, 0)) < 0 && errno == EINTR) continue;
    P->reaped = 1;
    P->status = r == P->pid ? st : -1;
  }
  wait_group(P, 1.0); /* members killed: gone in a moment (or zombies) */
}

/* Shut the child down (pipes already closed): up to grace seconds to exit on its own, then
 * SIGTERM to the group, PROC_TERM_GRACE seconds, SIGKILL to the group. */
static void stop_child(proc *P, double grace) {
  if (P->pid <= 0 || P->gone) return;
  if (wait_group(P, grace)) return;
  kill(-P->pid, SIGTERM);
  if (!P->reaped) kill(P->pid, SIGTERM); /* the shell, should it have left the group */
  if (wait_group(P, PROC_TERM_GRACE)) return;
  kill_child(P);
}

/* "SIGKILL" for 9 (or "signal 9" where the system has no name for it). */
static void signal_name(int sig, char *buf, size_t len) {
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev)
    snprintf(buf, len, "SIG%s", abbrev);
  else
    snprintf(buf, len, "signal %d", sig);
}

/* "exited with status 3", "was killed by signal 9 (SIGKILL)", ... The shell reports a
 * command killed by signal N as exit status 128 + N: that is named as the signal too. */
static void describe_status(const proc *P, char *buf, size_t len) {
  char name[32];
  if (!P->reaped) {
    snprintf(buf, len, "is still running");
  } else if (P->status < 0) {
    snprintf(buf, len, "has exited (status unknown)");
  } else if (WIFEXITED(P->status)) {
    int code = WEXITSTATUS(P->status);
    if (code > 128 && code - 128 < NSIG && sigabbrev_np(code - 128) != NULL) {
      signal_name(code - 128, name, sizeof name);
      snprintf(buf, len, "was killed by signal %d (%s) (the shell reported exit status %d)",
               code - 128, name, code);
    } else {
      snprintf(buf, len, "exited with status %d", code);
    }
  } else if (WIFSIGNALED(P->status)) {
    signal_name(WTERMSIG(P->status), name, sizeof name);
    snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(P->status), name);
  } else {
    snprintf(buf, len, "stopped (wait status %d)", P->status);
  }
}

/* Quote up to 60 bytes of s for a message, escaping what is not printable. */
static void quote(const char *s, size_t len, char *buf, size_t buflen) {
  size_t o = 0;
  if (buflen < 16) return;
  buf[o++] = '\'';
  for (size_t i = 0; i < len && o + 8 < buflen; i++) {
    if (i == 60) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
    unsigned char c = (unsigned char)s[i];
    if (isprint(c) && c != '\\') {
      buf[o++] = (char)c;
    } else {
      o += (size_t)snprintf(buf + o, buflen - o, "\\x%02x", c);
    }
  }
  buf[o++] = '\'';
  buf[o] = '\0';
}

/* Record a fatal protocol error: "process oracle 'CMD': batch B, answer line L: ...", kill
 * the child, and keep the message so later calls can repeat it. */
static int fail(proc *P, int code, spx_error *err, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(proc *P, int code, spx_error *err, size_t line, const char *fmt, ...) {
  char msg[800], cmd[96], where[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  quote(P->command, strlen(P->command), cmd, sizeof cmd);
  if (line)
    snprintf(where, sizeof where, "batch %llu, answer line %zu", P->batches, line);
  else
    snprintf(where, sizeof where, "batch %llu", P->batches);
  char full[SPX_ERRMSG_LEN];
  snprintf(full, sizeof full, "process oracle %s: %s: %s", cmd, where, msg);
  kill_child(P);
  if (!P->broken) {
    P->broken = 1;
    snprintf(P->first_error, sizeof P->first_error, "%s", full);
  }
  return spx_error_set(err, code, "%s", full);
}

/* ---- writing without SIGPIPE ------------------------------------------------------------- */

static ssize_t write_nosigpipe(int fd, const void *buf, size_t len) {
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  int was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = write(fd, buf, len);
  int e = errno;
  if (w < 0 && e == EPIPE && !was_pending) {
    const struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) continue;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return w;
}

/* ---- the batch exchange --------------------------------------------------------------- */

/* Mask i of n as packed hex (process.h). */
size_t spx_process_pack_hex(const uint64_t *mask, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  size_t words = (n + 63) / 64;
  char *o = out;
  for (size_t w = 0; w < words; w++) {
    uint64_t v = mask[w];
    if (w == words - 1 && n % 64) v &= (UINT64_C(1) << (n % 64)) - 1;
    for (int b = 0; b < 8; b++, v >>= 8) {
      *o++ = hex[(v >> 4) & 15];
      *o++ = hex[v & 15];
    }
  }
  return (size_t)(o - out);
}

/* Make room for need more bytes at the end of the outgoing buffer. */
static int reserve(proc *P, size_t need) {
  if (P->wlen + need <= P->wcap) return 0;
  size_t ncap = 2 * (P->wlen + need);
  char *nb = realloc(P->wbuf, ncap);
  if (nb == NULL) return -1;
  P->wbuf = nb;
  P->wcap = ncap;
  return 0;
}

/* Append whole mask rows to the outgoing buffer while they fit (a row longer than the buffer
 * grows it when the buffer is empty). Returns SPX_OK or row_fn's error. */
static int fill(proc *P, const spx_maskset *masks, size_t first, size_t count, size_t *row,
                spx_error *err) {
  if (P->wpos > 0) {
    memmove(P->wbuf, P->wbuf + P->wpos, P->wlen - P->wpos);
    P->wlen -= P->wpos;
    P->wpos = 0;
  }
  if (P->row_fn) {
    while (*row < count) {
      if (P->pend == NULL) {
        const uint64_t *m = spx_maskset_row(masks, first + *row);
        int rc = P->row_fn(P->row_ctx, m, P->n, &P->pend, &P->pendlen, err);
        if (rc) return rc;
      }
      if (P->wlen + P->pendlen + 1 > P->wcap) {
        if (P->wlen > 0) break; /* send what we have first */
        if (reserve(P, P->pendlen + 1))
          return spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu-byte line",
                               P->pendlen);
      }
      memcpy(P->wbuf + P->wlen, P->pend, P->pendlen);
      P->wlen += P->pendlen;
      P->wbuf[P->wlen++] = '\n';
      P->pend = NULL;
      (*row)++;
    }
    return SPX_OK;
  }
  size_t width = P->packed ? 16 * ((P->n + 63) / 64) : P->n;
  while (*row < count && P->wlen + width + 1 <= P->wcap) {
    const uint64_t *m = spx_maskset_row(masks, first + *row);
    char *o = P->wbuf + P->wlen;
    if (P->packed)
      spx_process_pack_hex(m, P->n, o);
    else
      for (size_t i = 0; i < P->n; i++) o[i] = (char)('0' + ((m[i >> 6] >> (i & 63)) & 1));
    o[width] = '\n';
    P->wlen += width + 1;
    (*row)++;
  }
  return SPX_OK;
}

/* Parse one answer line (without its '\n'). Returns 0 or writes a reason into why. */
static int parse_answer(const char *s, size_t len, double *v, char *why, size_t whylen) {
  char q[128];
  quote(s, len, q, sizeof q);
  if (memchr(s, '\0', len)) {
    snprintf(why, whylen, "expected a number, got %s (contains a NUL byte)", q);
    return -1;
  }
  char buf[PROC_LINE_MAX + 1];
  memcpy(buf, s, len);
  buf[len] = '\0';
  while (len && (buf[len - 1] == '\r' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
    buf[--len] = '\0';
  const char *p = buf;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') {
    snprintf(why, whylen, "expected a number, got an empty line");
    return -1;
  }
  char *end;
  errno = 0;
  double x = strtod(p, &end);
  if (end == p) {
    snprintf(why, whylen, "expected a number, got %s", q);
    return -1;
  }
  if (*end != '\0') {
    snprintf(why, whylen, "extra output after the number on the line: %s", q);
    return -1;
  }
  if (!isfinite(x)) {
    snprintf(why, whylen, "the answer %s is not a finite number", q);
    return -1;
  }
  *v = x;
  return 0;
}

/* Read what is available; parse complete lines into out[*answers...]. Returns SPX_OK, or a
 * failure; *eof is set when the child closed its output. */
static int read_some(proc *P, size_t count, double *out, size_t *answers, int *eof,
                     spx_error *err) {
  ssize_t r = read(P->from_child, P->rbuf, sizeof P->rbuf);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return SPX_OK;
    return fail(P, SPX_EIO, err, *answers + 1, "reading the answers failed: %s",
                strerror(errno));
  }
  if (r == 0) {
    *eof = 1;
    return SPX_OK;
  }
  for (ssize_t i = 0; i < r; i++) {
    char c = P->rbuf[i];
    if (c != '\n') {
      if (P->linelen >= PROC_LINE_MAX) {
        char q[128];
        quote(P->line, P->linelen, q, sizeof q);
        return fail(P, SPX_EORACLE, err, *answers + 1,
                    "answer line longer than %d bytes, starting %s", PROC_LINE_MAX, q);
      }
      P->line[P->linelen++] = c;
      continue;
    }
    if (*answers >= count) {
      char q[128];
      quote(P->line, P->linelen, q, sizeof q);
      return fail(P, SPX_EORACLE, err, *answers + 1,
                  "extra output after the last of the %zu answers: %s", count, q);
    }
    char why[256];
    if (parse_answer(P->line, P->linelen, &out[*answers], why, sizeof why))
      return fail(P, SPX_EORACLE, err, *answers + 1, "%s", why);
    (*answers)++;
    P->linelen = 0;
  }
  if (*answers >= count && P->linelen > 0) {
    char q[128];
    quote(P->line, P->linelen, q, sizeof q);
    return fail(P, SPX_EORACLE, err, *answers + 1,
                "extra output after the last of the %zu answers: %s", count, q);
  }
  return SPX_OK;
}

/* After EOF: describe how many answers came and what became of the child. */
static int eof_error(proc *P, size_t answers, size_t count, int stopped_reading,
                     spx_error *err) {
  wait_exit(P, 2.0);
  char st[128], part[160] = "";
  describe_status(P, st, sizeof st);
  if (P->linelen) {
    char q[128];
    quote(P->line, P->linelen, q, sizeof q);
    snprintf(part, sizeof part, " (an unfinished line %s was left)", q);
  }
  return fail(P, SPX_EORACLE, err, answers + 1,
              "the process closed its output after %zu of %zu answers%s%s; it %s", answers,
              count, part, stopped_reading ? " and stopped reading its input" : "", st);
}

/* Look for output that arrived outside a batch (more answers than masks, or late ones). */
static int check_quiet(proc *P, spx_error *err) {
  struct pollfd pf = {P->from_child, POLLIN, 0};
  if (poll(&pf, 1, 0) <= 0 || !(pf.revents & (POLLIN | POLLHUP))) return SPX_OK;
  ssize_t r = read(P->from_child, P->rbuf, sizeof P->rbuf);
  if (r <= 0) return SPX_OK; /* EOF is reported by the exchange, with the child's status */
  size_t len = (size_t)r;
  while (len && (P->rbuf[len - 1] == '\n' || P->rbuf[len - 1] == '\r')) len--;
  char q[128];
  quote(P->rbuf, len, q, sizeof q);
  return fail(P, SPX_EORACLE, err, 1,
              "unexpected output before the batch was sent (more answers to an earlier "
              "batch?): %s",
              q);
}

static int run_batch(proc *P, const spx_maskset *masks, size_t first, size_t count,
                     double *out, spx_error *err) {
  P->batches++;
  int rc = check_quiet(P, err);
  if (rc) return rc;
  /* header (first batch only) and the count line */
  P->wpos = P->wlen = 0;
  P->pend = NULL;
  if (!P->header_sent) {
    size_t hl = strlen(P->header);
    if (reserve(P, hl + 32))
      return fail(P, SPX_ENOMEM, err, 0, "out of memory for the header line");
    memcpy(P->wbuf, P->header, hl);
    P->wlen = hl;
    P->header_sent = 1;
  }
  P->wlen += (size_t)snprintf(P->wbuf + P->wlen, P->wcap - P->wlen, "%zu\n", count);
  size_t row = 0, answers = 0;
  int stopped_reading = 0, eof = 0;
  double deadline = now_s() + P->timeout;
  while (answers < count) {
    if (P->wpos == P->wlen && row < count && (rc = fill(P, masks, first, count, &row, err)))
      return fail(P, rc, err, answers + 1, "%s", err ? err->msg : "writing a mask failed");
    int writing = !stopped_reading && P->wpos < P->wlen;
    struct pollfd pf[2] = {{P->from_child, POLLIN, 0}, {P->to_child, POLLOUT, 0}};
    double left = deadline - now_s();
    if (left <= 0.0) {
      char part[160] = "";
      if (P->linelen) {
        char q[128];
        quote(P->line, P->linelen, q, sizeof q);
        snprintf(part, sizeof part, "; an unfinished line %s was read", q);
      }
      return fail(P, SPX_ETIMEOUT, err, answers + 1,
                  "no answer within the time-out of %g s (%zu of %zu answers received%s%s); "
                  "the process was killed",
                  P->timeout, answers, count, part,
                  stopped_reading ? "; it had stopped reading its input" : "");
    }
    double ms = ceil(left * 1000.0);
    int pr = poll(pf, writing ? 2 : 1, ms > 1e9 ? 1000000000 : (int)ms);
    if (pr < 0) {
      if (errno == EINTR) continue;
      return fail(P, SPX_EIO, err, answers + 1, "poll failed: %s", strerror(errno));
    }
    if (writing && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      while (P->wpos < P->wlen) {
        ssize_t w = write_nosigpipe(P->to_child, P->wbuf + P->wpos, P->wlen - P->wpos);
        if (w > 0) {
          P->wpos += (size_t)w;
          if (P->wpos == P->wlen && row < count &&
              (rc = fill(P, masks, first, count, &row, err)))
            return fail(P, rc, err, answers + 1, "%s", err ? err->msg : "writing a mask failed");
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (w < 0 && errno == EPIPE) {
          stopped_reading = 1; /* keep reading: its answers or EOF tell what happened */
          break;
        }
        return fail(P, SPX_EIO, err, answers + 1, "writing the masks failed: %s",
                    strerror(errno));
      }
    }
    if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      rc = read_some(P, count, out, &answers, &eof, err);
      if (rc) return rc;
      if (eof) return eof_error(P, answers, count, stopped_reading, err);
    }
  }
  if (P->wpos < P->wlen || row < count)
    return fail(P, SPX_EORACLE, err, count,
                "the process gave all %zu answers before it could have read all masks", count);
  return SPX_OK;
}

/* ---- oracle table ------------------------------------------------------------------------- */

static void proc_free(proc *P) {
  if (P == NULL) return;
  if (P->to_child >= 0) close(P->to_child);
  if (P->from_child >= 0) close(P->from_child);
  P->to_child = P->from_child = -1;
  stop_child(P, P->timeout < PROC_CLOSE_GRACE ? P->timeout : PROC_CLOSE_GRACE);
  free(P->command);
  free(P->wbuf);
  free(P->header);
  free(P->envp);
  free(P->env_explicand);
  free(P);
}

static int spawn(proc *P, spx_error *err) {
  int in[2] = {-1, -1}, outp[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
    int e = errno;
    if (in[0] >= 0) close(in[0]), close(in[1]);
    return spx_error_set(err, SPX_EIO, "process oracle: cannot create pipes: %s", strerror(e));
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t empty, def;
  sigemptyset(&empty);
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  int e = posix_spawn_file_actions_init(&fa);
  if (e == 0) {
    e = posix_spawnattr_init(&at);
    if (e) posix_spawn_file_actions_destroy(&fa);
  }
  if (e == 0) {
    if (!e) e = posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    if (!e) e = posix_spawn_file_actions_adddup2(&fa, outp[1], STDOUT_FILENO);
    /* nothing of ours but the two pipes (as stdin/stdout) and stderr */
    if (!e) e = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    if (!e)
      e = posix_spawnattr_setflags(
          &at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!e) e = posix_spawnattr_setpgroup(&at, 0);
    if (!e) e = posix_spawnattr_setsigmask(&at, &empty);
    if (!e) e = posix_spawnattr_setsigdefault(&at, &def);
    char *argv[] = {"sh", "-c", P->command, NULL};
    if (!e) e = posix_spawn(&P->pid, "/bin/sh", &fa, &at, argv, P->envp ? P->envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
  }
  close(in[0]);
  close(outp[1]);
  P->to_child = in[1];
  P->from_child = outp[0];
  if (e) {
    P->pid = 0;
    return spx_error_set(err, SPX_EIO, "process oracle: cannot start /bin/sh -c '%s': %s",
                         P->command, strerror(e));
  }
  if (fcntl(P->to_child, F_SETFL, O_NONBLOCK) != 0 ||
      fcntl(P->from_child, F_SETFL, O_NONBLOCK) != 0)
    return spx_error_set(err, SPX_EIO, "process oracle: fcntl failed: %s", strerror(errno));
  return SPX_OK;
}

/* ---- options: explicands, labels, {e} and the environment ----------------------------------- */

/* 1 when the labels option names a file: a TOML string, or command-line text ending in .json,
 * .jsonl or .csv (text "a,b,c" is a list). */
static int labels_is_file(const spx_options *opts, const char **path) {
  size_t count = spx_options_count(opts);
  for (size_t i = 0; i < count; i++) {
    const char *key, *text, *where;
    spx_option_kind kind;
    spx_options_at(opts, i, &key, &kind, &text, &where);
    if (strcmp(key, "labels") != 0) continue;
    size_t l = strlen(text);
    int file = kind == SPX_OPT_STRING;
    if (kind == SPX_OPT_TEXT && text[0] != '[')
      file = (l > 5 && strcmp(text + l - 5, ".json") == 0) ||
             (l > 6 && strcmp(text + l - 6, ".jsonl") == 0) ||
             (l > 4 && strcmp(text + l - 4, ".csv") == 0);
    *path = text;
    return file;
  }
  return 0;
}

/* The labels file, if the option names one (*table = NULL otherwise). */
static int read_labels_file(spx_options *opts, spx_table **table, spx_error *err) {
  *table = NULL;
  const char *path;
  if (!labels_is_file(opts, &path)) return SPX_OK;
  int rc = spx_options_string(opts, "labels", NULL, &path, err); /* marks it used */
  if (rc == SPX_OK) rc = spx_labels_file_read(path, table, err);
  if (rc == SPX_OK && (*table)->nrows == 0) {
    spx_table_destroy(table);
    rc = spx_error_set(err, SPX_EINVAL, "%s holds no label lists", path);
  }
  if (rc) {
    char msg[SPX_ERRMSG_LEN];
    snprintf(msg, sizeof msg, "%s", err ? err->msg : "cannot read the labels file");
    return spx_options_fail(opts, "labels", rc, err, "%s", msg);
  }
  return SPX_OK;
}

/* Number of explicands: the key `explicands` (default 1, or the number of label lists of a
 * labels file); both given must agree. */
static int proc_count(spx_options *opts, const spx_table *labels, size_t *count, spx_error *err) {
  long long e;
  int has = spx_options_has(opts, "explicands");
  int rc = spx_opt_int(opts, "explicands", &e, err);
  if (rc) return rc;
  if (labels && !has) e = (long long)labels->nrows;
  if (labels && has && (size_t)e != labels->nrows)
    return spx_options_fail(opts, "explicands", SPX_EINVAL, err,
                            "%lld, but the labels file holds %zu label lists (one per explicand)",
                            e, labels->nrows);
  *count = (size_t)e;
  return SPX_OK;
}

static int proc_explicands(spx_options *opts, size_t *count, spx_error *err) {
  spx_table *labels = NULL;
  int rc = read_labels_file(opts, &labels, err);
  if (rc == SPX_OK) rc = proc_count(opts, labels, count, err);
  spx_table_destroy(&labels);
  return rc;
}

char *spx_process_command_for(const char *command, size_t explicand) {
  char num[32];
  int nl = snprintf(num, sizeof num, "%zu", explicand);
  size_t count = 0;
  for (const char *p = strstr(command, "{e}"); p; p = strstr(p + 3, "{e}")) count++;
  char *out = malloc(strlen(command) + count * (size_t)nl + 1);
  if (out == NULL) return NULL;
  char *o = out;
  for (const char *p = command;;) {
    const char *q = strstr(p, "{e}");
    if (q == NULL) {
      strcpy(o, p);
      break;
    }
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, num, (size_t)nl);
    o += nl;
    p = q + 3;
  }
  return out;
}

/* environ with SPEX_EXPLICAND=e (replacing any inherited one). */
static int make_env(proc *P, size_t explicand) {
  char buf[64];
  snprintf(buf, sizeof buf, "SPEX_EXPLICAND=%zu", explicand);
  P->env_explicand = strdup(buf);
  size_t k = 0;
  while (environ && environ[k]) k++;
  P->envp = malloc((k + 2) * sizeof *P->envp);
  if (P->env_explicand == NULL || P->envp == NULL) return -1;
  size_t o = 0;
  for (size_t i = 0; i < k; i++)
    if (strncmp(environ[i], "SPEX_EXPLICAND=", 15) != 0) P->envp[o++] = environ[i];
  P->envp[o++] = P->env_explicand;
  P->envp[o] = NULL;
  return 0;
}

/* ---- helpers of the oracles that start a program (text, sentiment, ocr) -------------------- */

#ifndef SPX_SOURCE_DIR
#define SPX_SOURCE_DIR "."
#endif

static int keep_path(const char *path, char **out, spx_error *err) {
  *out = strdup(path);
  SPX_CHECK_ALLOC(*out, err);
  return SPX_OK;
}

int spx_process_find_file(spx_options *opts, const char *key, const char *given,
                          const char *def, int def_in_source, const char *what,
                          const char *hint, char **out, spx_error *err) {
  char a[4096], b[4096];
  if (given == NULL) {
    if (def_in_source)
      snprintf(a, sizeof a, "%s/%s", SPX_SOURCE_DIR, def);
    else
      snprintf(a, sizeof a, "%s", def);
    if (access(a, R_OK) == 0) return keep_path(a, out, err);
    return spx_options_fail(opts, key, SPX_EIO, err, "%s not found at %s (the default)%s", what,
                            a, hint);
  }
  if (access(given, R_OK) == 0) return keep_path(given, out, err);
  if (given[0] != '/') {
    snprintf(b, sizeof b, "%s/%s", SPX_SOURCE_DIR, given);
    if (access(b, R_OK) == 0) return keep_path(b, out, err);
    return spx_options_fail(opts, key, SPX_EIO, err,
                            "%s not found at %s (looked in the working directory and at %s)%s",
                            what, given, b, hint);
  }
  return spx_options_fail(opts, key, SPX_EIO, err, "%s not found at %s (%s)%s", what, given,
                          strerror(errno), hint);
}

int spx_process_list_file(spx_options *opts, const char *key, const char *given,
                          const char *def, int def_in_source, spx_oracle_input_fn add,
                          void *ctx, spx_error *err) {
  char *path = NULL;
  spx_error quiet = {0};
  if (spx_process_find_file(opts, key, given, def, def_in_source, "", "", &path, &quiet))
    return SPX_OK; /* not found: open() says so */
  int bad = add(ctx, key, path, given == NULL);
  free(path);
  return bad ? spx_error_set(err, SPX_ENOMEM, "out of memory listing the oracle's files") : SPX_OK;
}

int spx_process_program_found(const char *prog) {
  if (strchr(prog, '/')) return access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  if (path == NULL) path = "/usr/bin:/bin";
  char dir[4096];
  while (*path) {
    size_t l = strcspn(path, ":");
    snprintf(dir, sizeof dir, "%.*s/%s", (int)(l ? l : 1), l ? path : ".", prog);
    if (access(dir, X_OK) == 0) return 1;
    path += l + (path[l] == ':');
  }
  return 0;
}

int spx_process_sh_append(char **cmd, size_t *len, size_t *cap, const char *s, int quote) {
  size_t need = *len + 4 * strlen(s) + 4;
  if (need > *cap) {
    size_t ncap = 2 * need;
    char *nc = realloc(*cmd, ncap);
    if (nc == NULL) return SPX_ENOMEM;
    *cmd = nc;
    *cap = ncap;
  }
  char *o = *cmd + *len;
  if (*len) *o++ = ' ';
  if (quote) *o++ = '\'';
  for (; *s; s++) {
    if (quote && *s == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else {
      *o++ = *s;
    }
  }
  if (quote) *o++ = '\'';
  *o = '\0';
  *len = (size_t)(o - *cmd);
  return SPX_OK;
}

/* ---- the option table ------------------------------------------------------------------ */

const spx_option_decl spx_process_timeout_rows[] = {
    {"timeout", SPX_DECL_FLOAT, "600", 1e-3, 1e7, NULL,
     "seconds the model may take for one batch", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
const spx_option_decl spx_process_limit_rows[] = {
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_process_timeout_rows},
    {"batch", SPX_DECL_INT, "4096", 1, 16777216, NULL, "most masks sent to the model at once",
     NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static const char *const proc_formats[] = {"plain", "packed", NULL};
static const spx_option_decl proc_rows[] = {
    {"command", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the shell command that runs the model", NULL},
    {"n", SPX_DECL_INT, NULL, 1, 4294967295.0, NULL,
     "the number of features (required unless labels names a file)", NULL},
    {"labels", SPX_DECL_ANY, NULL, 0, 0, NULL,
     "feature labels: a list of n strings, or a .json/.jsonl/.csv file of one list per "
     "explicand", NULL},
    {"explicands", SPX_DECL_INT, "1", 1, 281474976710656.0, NULL,
     "number of explicands the model offers (default: 1, or the lists of a labels file)", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_process_limit_rows},
    {"format", SPX_DECL_CHOICE, "plain", 0, 0, proc_formats,
     "mask lines: 0/1 characters (plain) or hexadecimal words (packed)", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int proc_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err);

int spx_process_set_rows(spx_oracle *o, const char *header, spx_process_row_fn fn, void *ctx,
                         spx_error *err) {
  if (o == NULL || o->type->open != proc_open || o->state == NULL)
    return spx_error_set(err, SPX_EINTERNAL, "spx_process_set_rows: not a process oracle");
  proc *P = o->state;
  if (P->header_sent)
    return spx_error_set(err, SPX_EINTERNAL, "spx_process_set_rows: the protocol has started");
  char *h = strdup(header);
  SPX_CHECK_ALLOC(h, err);
  free(P->header);
  P->header = h;
  P->row_fn = fn;
  P->row_ctx = ctx;
  return SPX_OK;
}

static int proc_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  const char *command;
  long long n = 0, batch;
  double timeout;
  int rc, format;
  size_t count = 1;
  spx_table *lf = NULL;
  if ((rc = spx_opt_require(opts, "command", err)) ||
      (rc = spx_opt_string(opts, "command", &command, err)))
    return rc;
  const char *c = command;
  while (*c && isspace((unsigned char)*c)) c++;
  if (*c == '\0') return spx_options_fail(opts, "command", SPX_EINVAL, err, "is empty");
  if ((rc = read_labels_file(opts, &lf, err))) return rc;
  if ((rc = proc_count(opts, lf, &count, err))) goto fail_lf;
  if (explicand >= count) {
    rc = spx_options_fail(opts, "explicands", SPX_ERANGE, err,
                          "explicand %zu is out of range: the model offers %zu (0..%zu)",
                          explicand, count, count - 1);
    goto fail_lf;
  }
  if (lf == NULL && (rc = spx_opt_require(opts, "n", err))) goto fail_lf;
  size_t row_n = lf ? lf->start[explicand + 1] - lf->start[explicand] : 0;
  if ((rc = spx_opt_int(opts, "n", &n, err))) goto fail_lf;
  if (!spx_options_has(opts, "n")) n = (long long)row_n;
  if (n < 1) {
    rc = spx_options_fail(opts, "labels", SPX_EINVAL, err, "explicand %zu has no labels", explicand);
    goto fail_lf;
  }
  if (lf && (size_t)n != row_n) {
    const char *path = "";
    labels_is_file(opts, &path);
    rc = spx_options_fail(opts, "labels", SPX_EINVAL, err,
                          "%s:%zu: explicand %zu has %zu labels, but n = %lld (one label per "
                          "feature)",
                          path, lf->line[explicand], explicand, row_n, n);
    goto fail_lf;
  }
  if ((rc = spx_opt_double(opts, "timeout", &timeout, err))) goto fail_lf;
  if ((rc = spx_opt_int(opts, "batch", &batch, err))) goto fail_lf;
  if ((rc = spx_opt_choice(opts, "format", &format, err))) goto fail_lf;
  char **labels = NULL;
  size_t nlabels = 0;
  if (lf) {
    labels = calloc(row_n ? row_n : 1, sizeof *labels);
    if (labels == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the process oracle");
      goto fail_lf;
    }
    for (size_t i = 0; i < row_n; i++) {
      labels[i] = strdup(lf->cells[lf->start[explicand] + i]);
      nlabels = i + 1;
      if (labels[i] == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the process oracle");
        break;
      }
    }
    spx_table_destroy(&lf);
    if (rc) {
      for (size_t i = 0; i < nlabels; i++) free(labels[i]);
      free(labels);
      return rc;
    }
  } else {
    int has_labels = spx_options_has(opts, "labels");
    if ((rc = spx_options_string_array(opts, "labels", &labels, &nlabels, err))) return rc;
    if (has_labels && nlabels != (size_t)n) {
      for (size_t i = 0; i < nlabels; i++) free(labels[i]);
      free(labels);
      return spx_options_fail(opts, "labels", SPX_EINVAL, err,
                              "expected %lld labels (one per feature), got %zu", n, nlabels);
    }
  }

  proc *P = calloc(1, sizeof *P);
  char header[64];
  snprintf(header, sizeof header, "%lld%s\n", n, format == 1 ? " packed" : "");
  if (P) {
    P->to_child = P->from_child = -1;
    P->command = spx_process_command_for(command, explicand);
    P->header = strdup(header);
    P->packed = format == 1;
    P->n = (size_t)n;
    P->timeout = timeout;
    P->batch = (size_t)batch;
    P->wcap = P->n + 64 > 65536 ? P->n + 64 : 65536;
    P->wbuf = malloc(P->wcap);
  }
  if (P == NULL || P->command == NULL || P->header == NULL || P->wbuf == NULL ||
      make_env(P, explicand) != 0) {
    for (size_t i = 0; i < nlabels; i++) free(labels[i]);
    free(labels);
    proc_free(P);
    return spx_error_set(err, SPX_ENOMEM, "out of memory opening the process oracle");
  }
  o->n = (size_t)n;
  o->concurrent = 0;
  rc = spx_oracle_set_labels(o, labels, err); /* takes ownership, even of NULL */
  if (rc) {
    proc_free(P);
    return rc;
  }
  o->state = P;
  char desc[512];
  if (count > 1)
    snprintf(desc, sizeof desc, "process: %s (explicand %zu of %zu)", P->command, explicand, count);
  else
    snprintf(desc, sizeof desc, "process: %s", P->command);
  return spx_oracle_set_explicand(o, desc, err);
fail_lf:
  spx_table_destroy(&lf);
  return rc;
}

static int proc_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                     double *out, spx_error *err) {
  proc *P = o->state;
  if (P->broken)
    return spx_error_set(err, SPX_EORACLE, "process oracle unusable after an earlier error: %s",
                         P->first_error);
  if (P->pid <= 0) { /* started at the first batch: opening the oracle starts nothing */
    int rc = spawn(P, err);
    if (rc) {
      P->broken = 1;
      snprintf(P->first_error, sizeof P->first_error, "%s", err ? err->msg : "cannot start");
      return rc;
    }
  }
  for (size_t done = 0; done < count;) {
    size_t k = count - done < P->batch ? count - done : P->batch;
    int rc = run_batch(P, masks, first + done, k, out + done, err);
    if (rc) return rc;
    done += k;
  }
  return SPX_OK;
}

static void proc_close(spx_oracle *o) {
  proc_free(o->state);
  o->state = NULL;
}

int spx_process_open_inner(spx_oracle *outer, const char *context, const char *command, size_t n,
                           double timeout, long long batch, size_t explicands, size_t explicand,
                           const char *header, spx_process_row_fn fn, void *ctx, spx_error *err) {
  spx_options *popts = spx_options_create(context);
  if (popts == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  char num[64];
  int rc = spx_options_put(popts, "command", SPX_OPT_STRING, command, NULL, err);
  snprintf(num, sizeof num, "%zu", n);
  if (rc == SPX_OK) rc = spx_options_put(popts, "n", SPX_OPT_INT, num, NULL, err);
  snprintf(num, sizeof num, "%.17g", timeout);
  if (rc == SPX_OK) rc = spx_options_put(popts, "timeout", SPX_OPT_FLOAT, num, NULL, err);
  snprintf(num, sizeof num, "%lld", batch);
  if (rc == SPX_OK) rc = spx_options_put(popts, "batch", SPX_OPT_INT, num, NULL, err);
  snprintf(num, sizeof num, "%zu", explicands);
  if (rc == SPX_OK) rc = spx_options_put(popts, "explicands", SPX_OPT_INT, num, NULL, err);
  if (rc == SPX_OK) rc = spx_oracle_open(spx_oracle_lookup("process"), popts, explicand, &outer->inner, err);
  if (rc == SPX_OK && fn) rc = spx_process_set_rows(outer->inner, header, fn, ctx, err);
  spx_options_destroy(&popts);
  return rc;
}

const spx_oracle_type spx_oracle_process = {
    .name = "process",
    .summary = "external model: a command answering masks over stdin/stdout (docs/oracles.md)",
    .open = proc_open,
    .explicands = proc_explicands,
    .eval = proc_eval,
    .truth = NULL,
    .close = proc_close,
    .options = proc_rows,
};
