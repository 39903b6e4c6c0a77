/* test_oracle.c: the oracle layer: registry, dispatch checks (n, rows, counting), reopening
 * (same answers, counters kept; the retry keys). Uses the components oracle (fast, no external process). */
#include "core/rng.h"
#include "oracle/oracle.h"
#include "testing.h"

static spx_options *comp_opts(void) {
  spx_options *o = spx_options_create("oracle components");
  spx_options_put(o, "hidden", SPX_OPT_INT, "8", "t:1:1", NULL);
  spx_options_put(o, "epochs", SPX_OPT_INT, "3", "t:2:1", NULL);
  spx_options_put(o, "cache", SPX_OPT_BOOL, "false", "t:3:1", NULL);
  return o;
}

int main(void) {
  spx_error err;
  const spx_oracle_type *const *all = spx_oracle_types();
  size_t count = 0;
  for (; all[count]; count++)
    spx_test(spx_oracle_lookup(all[count]->name) == all[count], "lookup %s", all[count]->name);
  spx_test(count >= 3, "registry lists the oracles (%zu)", count);
  spx_test(spx_oracle_lookup("nope") == NULL, "unknown name");
  spx_options *o = comp_opts();
  spx_oracle *orc = NULL;
  spx_test(spx_oracle_find("nope", &err) == NULL && err.code == SPX_EINVAL &&
               strstr(err.msg, "unknown oracle kind 'nope'") && strstr(err.msg, "components"),
           "unknown kind lists the known ones (%s)", err.msg);
  spx_options_put(o, "colour", SPX_OPT_STRING, "red", "t:9:4", NULL);
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), o, 0, &orc, &err) == SPX_EINVAL &&
               strstr(err.msg, "t:9:4: colour: unknown key for oracle components"),
           "unknown key rejected with its location (%s)", err.msg);
  spx_options_remove(o, "colour");
  int rc = spx_oracle_open(spx_oracle_lookup("components"), o, 0, &orc, &err);
  if (rc && strstr(err.msg, "cannot open")) {
    printf("SKIP: %s\n", err.msg);
    spx_options_destroy(&o);
    return spx_test_summary();
  }
  spx_test(rc == SPX_OK, "open components");

  spx_maskset *m = spx_maskset_create(8, 64);
  for (size_t i = 0; i < 64; i++) spx_maskset_row(m, i)[0] = i * 3 % 256;
  double base[64];
  spx_test(spx_oracle_eval_all(orc, m, base, &err) == SPX_OK, "eval");
  spx_test(orc->queries == 64 && orc->seconds >= 0, "dispatch counts queries");
  spx_maskset *wrong = spx_maskset_create(9, 1);
  spx_test(spx_oracle_eval_all(orc, wrong, base, &err) == SPX_EINVAL && strstr(err.msg, "n = 8"),
           "mask width checked (%s)", err.msg);
  spx_test(spx_oracle_eval(orc, m, 60, 10, base, &err) == SPX_EINVAL, "row range checked");
  spx_maskset_destroy(&wrong);

  /* Reopen: a fresh state with the same options and explicand gives the same answers and
   * keeps the counters; retries/retry_backoff have their defaults. */
  double again[64];
  spx_test(orc->retries == 2 && orc->retry_backoff == 0.5, "retry defaults (%u, %g)",
           orc->retries, orc->retry_backoff);
  spx_test(spx_oracle_reopen(orc, &err) == SPX_OK && orc->reopens == 1 && !spx_oracle_lost(orc),
           "reopen (%s)", err.msg);
  spx_test(spx_oracle_eval_all(orc, m, again, &err) == SPX_OK &&
               memcmp(again, base, sizeof again) == 0 && orc->queries == 128,
           "reopened oracle answers the same, queries counted on (%llu)",
           (unsigned long long)orc->queries);
  spx_test(spx_oracle_labels(orc) && strcmp(spx_oracle_labels(orc)[2], "unit2") == 0,
           "labels after reopen");
  spx_test(spx_oracle_retryable(SPX_EORACLE) && spx_oracle_retryable(SPX_ETIMEOUT) &&
               !spx_oracle_retryable(SPX_EINVAL) && !spx_oracle_retryable(SPX_ENOMEM),
           "retryable codes");

  spx_maskset_destroy(&m);
  spx_oracle_destroy(&orc);
  spx_test(orc == NULL, "destroying the wrapper destroys the chain");
  spx_options_destroy(&o);
  return spx_test_summary();
}
