/* bench_sentiment.c: cost per query of the sentiment oracle (VADER in node, through the
 * process oracle's pipes), for one review of each length band of data/reviews.csv.
 *
 *   bench_sentiment [queries] [keep] [csv]      defaults 2000 0.5 (the project's reviews)
 *
 * For each review: open (node start-up), one batch of `queries` uniform masks keeping each
 * word with probability `keep`, then the same batch again (warm). Prints words, open seconds,
 * and microseconds per query of both batches. */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "core/options.h"
#include "core/rng.h"
#include "core/timer.h"
#include "oracle/oracle.h"

int main(int argc, char **argv) {
  size_t queries = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
  double keep = argc > 2 ? atof(argv[2]) : 0.5;
  const char *csv = argc > 3 ? argv[3] : NULL;
  spx_error err = {0};
  spx_options *opts = spx_options_create("bench_sentiment");
  if (csv) spx_options_put(opts, "texts_csv", SPX_OPT_STRING, csv, "argv", NULL);
  size_t count = 0;
  if (spx_oracle_explicands(spx_oracle_lookup("sentiment"), opts, &count, &err)) {
    fprintf(stderr, "bench_sentiment: %s\n", err.msg);
    return 1;
  }
  gsl_rng *r = gsl_rng_alloc(spx_rng_pcg64());
  gsl_rng_set(r, 1);
  printf("%6s %6s %9s %14s %14s\n", "row", "words", "open_s", "us/query", "us/query warm");
  /* one review per length band: the reviews file is sorted by length, 5 per band */
  for (size_t row = 0; row < count; row += count >= 40 ? count / 8 : 1) {
    double t0 = spx_time_now();
    spx_oracle *o = NULL;
    if (spx_oracle_open(spx_oracle_lookup("sentiment"), opts, row, &o, &err)) {
      fprintf(stderr, "bench_sentiment: %s\n", err.msg);
      return 1;
    }
    double t_open = spx_time_now() - t0;
    spx_maskset *m = spx_maskset_create(o->n, queries);
    for (size_t k = 0; k < queries; k++)
      for (size_t i = 0; i < o->n; i++)
        if (gsl_rng_uniform(r) < keep) spx_mask_set(spx_maskset_row(m, k), i);
    double *v = malloc(queries * sizeof *v);
    double t[2];
    for (int pass = 0; pass < 2; pass++) {
      t0 = spx_time_now();
      if (spx_oracle_eval_all(o, m, v, &err)) {
        fprintf(stderr, "bench_sentiment: %s\n", err.msg);
        return 1;
      }
      t[pass] = spx_time_now() - t0;
    }
    printf("%6zu %6zu %9.3f %14.1f %14.1f\n", row, o->n, t_open, 1e6 * t[0] / (double)queries,
           1e6 * t[1] / (double)queries);
    fflush(stdout);
    free(v);
    spx_maskset_destroy(&m);
    spx_oracle_destroy(&o);
  }
  gsl_rng_free(r);
  spx_options_destroy(&opts);
  return 0;
}
