/* test_oracle.c: the oracle layer: registry, dispatch checks, counting and noise decorators,
 * label lookup through wrappers. Uses the components oracle (fast, no external process). */
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
  spx_test(spx_oracle_open("nope", o, 0, &orc, &err) == SPX_EINVAL &&
               strstr(err.msg, "unknown oracle kind 'nope'") && strstr(err.msg, "components"),
           "unknown kind lists the known ones (%s)", err.msg);
  spx_options_put(o, "colour", SPX_OPT_STRING, "red", "t:9:4", NULL);
  spx_test(spx_oracle_open("components", o, 0, &orc, &err) == SPX_EINVAL &&
               strstr(err.msg, "t:9:4: colour: unknown key for oracle components"),
           "unknown key rejected with its location (%s)", err.msg);
  spx_options_remove(o, "colour");
  int rc = spx_oracle_open("components", o, 0, &orc, &err);
  if (rc && strstr(err.msg, "cannot open")) {
    printf("SKIP: %s\n", err.msg);
    spx_options_destroy(&o);
    return spx_test_summary();
  }
  spx_test(rc == SPX_OK, "open components");

  spx_maskset *m = spx_maskset_create(8, 64);
  for (size_t i = 0; i < 64; i++) spx_maskset_row(m, i)[0] = i * 3 % 256;
  double base[64], noisy[64], noisy2[64], part[64];
  spx_test(spx_oracle_eval_all(orc, m, base, &err) == SPX_OK, "eval");
  spx_test(orc->queries == 64 && orc->seconds >= 0, "dispatch counts queries");
  spx_maskset *wrong = spx_maskset_create(9, 1);
  spx_test(spx_oracle_eval_all(orc, wrong, base, &err) == SPX_EINVAL && strstr(err.msg, "n = 8"),
           "mask width checked (%s)", err.msg);
  spx_test(spx_oracle_eval(orc, m, 60, 10, base, &err) == SPX_EINVAL, "row range checked");
  spx_maskset_destroy(&wrong);

  /* Counting scope. */
  spx_test(spx_oracle_wrap_counting(&orc, &err) == SPX_OK, "wrap counting");
  spx_test(spx_oracle_eval(orc, m, 10, 20, part, &err) == SPX_OK && orc->queries == 20 &&
               orc->inner->queries == 84,
           "scope counts 20 while the inner total is 84");
  spx_test(memcmp(part, base + 10, 20 * sizeof *part) == 0, "wrapper forwards values");
  spx_test(spx_oracle_labels(orc) && strcmp(spx_oracle_labels(orc)[2], "unit2") == 0,
           "labels through the wrapper");
  spx_test(spx_oracle_explicand_of(orc) != NULL, "explicand through the wrapper");
  spx_oracle *scope = spx_oracle_unwrap(&orc);
  spx_test(scope && orc->inner == NULL && orc->queries == 84, "unwrap");
  spx_oracle_destroy(&scope);

  /* Noise: deterministic per mask, independent of batching, right spread. */
  spx_test(spx_oracle_wrap_noise(&orc, 0.5, 42, &err) == SPX_OK, "wrap noise");
  spx_oracle_eval_all(orc, m, noisy, NULL);
  for (size_t i = 0; i < 64; i += 16) spx_oracle_eval(orc, m, i, 16, noisy2 + i, NULL);
  spx_test(memcmp(noisy, noisy2, sizeof noisy) == 0, "same mask, same noise, any batching");
  spx_test(noisy[0] != base[0], "noise added");
  spx_maskset *big = spx_maskset_create(8, 256);
  for (size_t i = 0; i < 256; i++) spx_maskset_row(big, i)[0] = i;
  double *nb = malloc(256 * sizeof *nb), *bb = malloc(256 * sizeof *bb);
  spx_oracle_eval_all(orc, big, nb, NULL);
  spx_oracle_eval_all(orc->inner, big, bb, NULL);
  double s2 = 0;
  for (int i = 0; i < 256; i++) s2 += (nb[i] - bb[i]) * (nb[i] - bb[i]);
  /* 256 draws of N(0, 0.25): the sample variance has relative sd sqrt(2/256) ~ 0.09; allow 4. */
  spx_test_rel(s2 / 256, 0.25, 4 * 0.09, "noise variance");
  spx_test(spx_oracle_wrap_noise(&orc, -1, 0, &err) == SPX_EINVAL, "negative sd rejected");
  free(nb);
  free(bb);
  spx_maskset_destroy(&big);
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&orc);
  spx_test(orc == NULL, "destroying the wrapper destroys the chain");
  spx_options_destroy(&o);
  return spx_test_summary();
}
