/* bench_packed.c: cost per query of the process oracle's two mask formats at large n.
 *
 *   bench_packed [python] [source_dir]     python: an interpreter with numpy (/usr/bin/python3)
 *
 * For n = 10^4, 10^5, 10^6 and format plain / packed, two models: "read" (python, standard
 * library: reads each mask line and answers 0, so the time is spex-bench's encoding plus the
 * pipe plus reading the line) and "decode" (spexbench.serve: the masks also become a NumPy
 * boolean array, as a real model needs them). Masks are uniform random; a warm-up batch
 * first (model start-up excluded), then enough masks for >= ~1 GB of plain text or 2000
 * masks, in batches of 64. Prints bytes per mask and microseconds per query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mask.h"
#include "core/options.h"
#include "core/timer.h"
#include "oracle/oracle.h"

static const char *READ_MODEL =
    "import sys\n"
    "h = sys.stdin.buffer.readline()\n"
    "if not h: sys.exit(0)\n"
    "for c in sys.stdin.buffer:\n"
    "    k = int(c)\n"
    "    for _ in range(k): sys.stdin.buffer.readline()\n"
    "    sys.stdout.write('0\\n' * k); sys.stdout.flush()\n";

int main(int argc, char **argv) {
  const char *py = argc > 1 ? argv[1] : "/usr/bin/python3";
  const char *src = argc > 2 ? argv[2] : ".";
  char readpath[] = "/tmp/spx-bench-packed-XXXXXX";
  int fd = mkstemp(readpath);
  if (fd < 0) return 1;
  FILE *f = fdopen(fd, "w");
  fputs(READ_MODEL, f);
  fclose(f);
  printf("%9s %7s %7s %12s %10s %12s\n", "n", "format", "model", "bytes/mask", "masks",
         "us/query");
  const size_t ns[] = {10000, 100000, 1000000};
  for (size_t k = 0; k < 3; k++) {
    size_t n = ns[k], count = 1000000000 / n;
    if (count > 2000) count = 2000;
    if (count < 200) count = 200;
    spx_maskset *s = spx_maskset_create(n, count);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; s && i < count; i++) {
      uint64_t *m = spx_maskset_row(s, i);
      for (size_t w = 0; w < s->words; w++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m[w] = x;
      }
      if (n % 64) m[s->words - 1] &= (UINT64_C(1) << (n % 64)) - 1;
    }
    double *out = malloc(count * sizeof *out);
    if (s == NULL || out == NULL) return 1;
    for (int model = 0; model < 2; model++) {
      for (int fmt = 0; fmt < 2; fmt++) {
        char cmd[4096], nb[32];
        if (model == 0)
          snprintf(cmd, sizeof cmd, "exec %s %s", py, readpath);
        else
          snprintf(cmd, sizeof cmd,
                   "PYTHONPATH='%s/python' exec %s -c 'import spexbench; "
                   "spexbench.serve(lambda m: m[:, 0].astype(float))'",
                   src, py);
        snprintf(nb, sizeof nb, "%zu", n);
        spx_options *o = spx_options_create("bench_packed");
        spx_options_put(o, "command", SPX_OPT_STRING, cmd, NULL, NULL);
        spx_options_put(o, "n", SPX_OPT_INT, nb, NULL, NULL);
        spx_options_put(o, "batch", SPX_OPT_INT, "64", NULL, NULL);
        spx_options_put(o, "format", SPX_OPT_STRING, fmt ? "packed" : "plain", NULL, NULL);
        spx_oracle *orc = NULL;
        spx_error err = {0};
        if (spx_oracle_open(spx_oracle_lookup("process"), o, 0, &orc, &err) ||
            spx_oracle_eval(orc, s, 0, 8, out, &err)) { /* warm-up: start-up excluded */
          fprintf(stderr, "bench_packed: %s\n", err.msg);
          return 1;
        }
        double t0 = spx_time_now();
        if (spx_oracle_eval_all(orc, s, out, &err)) {
          fprintf(stderr, "bench_packed: %s\n", err.msg);
          return 1;
        }
        double t = spx_time_now() - t0;
        size_t bytes = fmt ? 16 * ((n + 63) / 64) + 1 : n + 1;
        printf("%9zu %7s %7s %12zu %10zu %12.1f\n", n, fmt ? "packed" : "plain",
               model ? "decode" : "read", bytes, count, 1e6 * t / (double)count);
        fflush(stdout);
        spx_oracle_destroy(&orc);
        spx_options_destroy(&o);
      }
    }
    free(out);
    spx_maskset_destroy(&s);
  }
  unlink(readpath);
  return 0;
}
