/* soum.c: the `soum` oracle, a sum of unanimity games (shapiq_games' SOUM, used by the
 * ProxySHAP benchmark; research/papers.md §4.3), or a game given by its Moebius coefficients in
 * a shapiq InteractionValues JSON file (say the California housing game of shapiq's tests).
 *
 *   v(S) = sum_{i=1}^{terms} c_i 1[T_i ⊆ S],  c_i ~ U[-1, 1], |T_i| ~ uniform integer in
 *          [min_size, max_size], T_i a uniform random subset of that size.
 *
 * Options: n (features), terms (default 200), min_size (1), max_size (default n), seed (0);
 * explicand e is the game drawn with stream (seed, e). Or file = "path.json" (a shapiq
 * InteractionValues file whose data are Moebius coefficients: keys "Empty", "0", "0,5", ...;
 * n from metadata.n_players; a single explicand). Truth: the Moebius transform (exact), so
 * every index is known in closed form at any n. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "core/rng.h"
#include "oracle.h"

typedef struct {
  size_t n, words, terms;
  uint64_t *sets; /* terms x words */
  double *coef;
  spx_transform *truth;
} soum;

static void soum_free(soum *s) {
  if (s == NULL) return;
  free(s->sets);
  free(s->coef);
  spx_transform_destroy(&s->truth);
  free(s);
}

static int add_term(soum *s, const uint32_t *idx, uint32_t d, double c, spx_error *err) {
  uint64_t *m = s->sets + s->terms * s->words;
  memset(m, 0, s->words * sizeof *m);
  for (uint32_t j = 0; j < d; j++) m[idx[j] / 64] |= (uint64_t)1 << (idx[j] % 64);
  s->coef[s->terms++] = c;
  return spx_transform_add(s->truth, idx, d, c, err);
}

static int read_file(soum *s, const char *path, spx_options *opts, spx_error *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return spx_options_fail(opts, "file", SPX_EIO, err, "cannot open '%s'", path);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
  size_t got = buf ? fread(buf, 1, (size_t)len, f) : 0;
  fclose(f);
  if (buf == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory reading '%s'", path);
  buf[got] = 0;
  cJSON *j = cJSON_Parse(buf);
  free(buf);
  cJSON *meta = j ? cJSON_GetObjectItem(j, "metadata") : NULL;
  cJSON *np = meta ? cJSON_GetObjectItem(meta, "n_players") : NULL;
  cJSON *data = j ? cJSON_GetObjectItem(j, "data") : NULL;
  if (!cJSON_IsNumber(np) || !cJSON_IsObject(data) || np->valuedouble < 1 ||
      np->valuedouble > 4096) {
    cJSON_Delete(j);
    return spx_options_fail(opts, "file", SPX_EINVAL, err,
                            "'%s' is not a shapiq InteractionValues JSON file (metadata.n_players "
                            "in [1, 4096] and a data object)",
                            path);
  }
  s->n = (size_t)np->valuedouble;
  s->words = spx_mask_words(s->n);
  size_t count = (size_t)cJSON_GetArraySize(data);
  s->sets = calloc((count ? count : 1) * s->words, sizeof *s->sets);
  s->coef = malloc((count ? count : 1) * sizeof *s->coef);
  s->truth = spx_transform_create((uint32_t)s->n, SPX_BASIS_MOEBIUS);
  if (!s->sets || !s->coef || !s->truth) {
    cJSON_Delete(j);
    return spx_error_set(err, SPX_ENOMEM, "out of memory reading '%s'", path);
  }
  int rc = SPX_OK;
  uint32_t *idx = malloc(s->n * sizeof *idx);
  if (idx == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (cJSON *e = data->child; e && rc == SPX_OK; e = e->next) {
    uint32_t d = 0;
    if (!cJSON_IsNumber(e)) {
      rc = spx_options_fail(opts, "file", SPX_EINVAL, err, "'%s': value of key '%s' is not a number",
                            path, e->string);
      break;
    }
    if (strcmp(e->string, "Empty") != 0)
      for (const char *p = e->string; *p && rc == SPX_OK;) {
        char *end;
        long i = strtol(p, &end, 10);
        if (end == p || i < 0 || (size_t)i >= s->n || d >= s->n ||
            (d > 0 && (uint32_t)i <= idx[d - 1])) {
          rc = spx_options_fail(opts, "file", SPX_EINVAL, err,
                                "'%s': key '%s' is not an increasing list of players < %zu", path,
                                e->string, s->n);
          break;
        }
        idx[d++] = (uint32_t)i;
        p = *end == ',' ? end + 1 : end;
      }
    if (rc == SPX_OK) rc = add_term(s, idx, d, e->valuedouble, err);
  }
  free(idx);
  cJSON_Delete(j);
  return rc;
}

static const spx_option_decl soum_rows[] = {
    {"file", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "a shapiq InteractionValues JSON file of Moebius coefficients (instead of a random game)",
     NULL},
    {"n", SPX_DECL_INT, "15", 1, 100000, NULL, "features of the random game", NULL},
    {"terms", SPX_DECL_INT, "200", 1, 10000000, NULL, "unanimity games summed", NULL},
    {"min_size", SPX_DECL_INT, "1", 0, 100000, NULL, "smallest term size (at most n)", NULL},
    {"max_size", SPX_DECL_INT, NULL, 0, 100000, NULL,
     "largest term size, min_size..n (default n)", NULL},
    {"seed", SPX_DECL_INT, "0", SPX_NOMIN, SPX_NOMAX, NULL,
     "seed of the games (explicand e is game e of the seed)", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int soum_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  soum *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  const char *file = NULL;
  int rc = spx_opt_string(opts, "file", &file, err);
  char desc[512];
  if (rc == SPX_OK && file) {
    const char *keys[] = {"n", "terms", "min_size", "max_size", "seed"};
    for (size_t k = 0; k < 5; k++)
      if (spx_options_has(opts, keys[k])) {
        rc = spx_options_fail(opts, keys[k], SPX_EINVAL, err,
                              "does not apply with file (the file gives the game)");
        break;
      }
    if (rc == SPX_OK && explicand != 0)
      rc = spx_error_set(err, SPX_EINVAL, "soum: file '%s' holds one game (explicand 0), not %zu",
                         file, explicand);
    if (rc == SPX_OK) rc = read_file(s, file, opts, err);
    snprintf(desc, sizeof desc, "Moebius game of %s (n = %zu, %zu coefficients)", file, s->n,
             s->terms);
  } else if (rc == SPX_OK) {
    long long n, terms, lo, hi, seed;
    rc = spx_opt_int(opts, "n", &n, err);
    if (rc == SPX_OK) rc = spx_opt_int(opts, "terms", &terms, err);
    if (rc == SPX_OK) rc = spx_opt_int(opts, "min_size", &lo, err);
    if (rc == SPX_OK) rc = spx_opt_int(opts, "max_size", &hi, err);
    if (rc == SPX_OK && !spx_options_has(opts, "max_size")) hi = n;
    if (rc == SPX_OK && lo > n)
      rc = spx_options_fail(opts, "min_size", SPX_ERANGE, err, "%lld is above n = %lld", lo, n);
    if (rc == SPX_OK && (hi < lo || hi > n))
      rc = spx_options_fail(opts, "max_size", SPX_ERANGE, err,
                            "%lld is out of range [%lld, %lld] (min_size..n)", hi, lo, n);
    if (rc == SPX_OK) rc = spx_opt_int(opts, "seed", &seed, err);
    if (rc == SPX_OK) {
      s->n = (size_t)n;
      s->words = spx_mask_words(s->n);
      s->sets = calloc((size_t)terms * s->words, sizeof *s->sets);
      s->coef = malloc((size_t)terms * sizeof *s->coef);
      s->truth = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
      uint32_t *perm = malloc((size_t)n * sizeof *perm);
      gsl_rng *r = spx_rng_stream((uint64_t)seed, spx_hash_string("soum"), explicand, 0, 0);
      if (!s->sets || !s->coef || !s->truth || !perm || !r)
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %lld terms", terms);
      for (long long t = 0; t < terms && rc == SPX_OK; t++) {
        size_t size = (size_t)lo + gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1));
        for (size_t i = 0; i < (size_t)n; i++) perm[i] = (uint32_t)i;
        for (size_t i = 0; i < size; i++) { /* partial Fisher-Yates: the first size entries */
          size_t j = i + gsl_rng_uniform_int(r, (unsigned long)((size_t)n - i));
          uint32_t tmp = perm[i];
          perm[i] = perm[j];
          perm[j] = tmp;
        }
        for (size_t a = 1; a < size; a++) /* sorted indices */
          for (size_t b = a; b > 0 && perm[b - 1] > perm[b]; b--) {
            uint32_t tmp = perm[b];
            perm[b] = perm[b - 1];
            perm[b - 1] = tmp;
          }
        double c = 2.0 * gsl_rng_uniform(r) - 1.0;
        rc = add_term(s, perm, (uint32_t)size, c, err);
      }
      free(perm);
      if (r) gsl_rng_free(r);
      snprintf(desc, sizeof desc,
               "sum of %lld unanimity games #%zu (seed %lld, sizes %lld..%lld), n = %lld", terms,
               explicand, seed, lo, hi, n);
    }
  }
  if (rc) {
    soum_free(s);
    return rc;
  }
  o->state = s;
  o->n = s->n;
  o->concurrent = 1;
  return spx_oracle_set_explicand(o, desc, err);
}

static int soum_explicands(spx_options *opts, size_t *count, spx_error *err) {
  (void)err;
  *count = spx_options_has(opts, "file") ? 1 : (size_t)1 << 48;
  return SPX_OK;
}

static int soum_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                     double *out, spx_error *err) {
  (void)err;
  const soum *s = o->state;
  for (size_t i = 0; i < count; i++) {
    const uint64_t *m = spx_maskset_row(masks, first + i);
    double v = 0.0;
    for (size_t t = 0; t < s->terms; t++) {
      const uint64_t *T = s->sets + t * s->words;
      size_t w = 0;
      while (w < s->words && (T[w] & ~m[w]) == 0) w++;
      if (w == s->words) v += s->coef[t];
    }
    out[i] = v;
  }
  return SPX_OK;
}

static const spx_transform *soum_truth(const spx_oracle *o) {
  return ((const soum *)o->state)->truth;
}

static void soum_close(spx_oracle *o) {
  soum_free(o->state);
  o->state = NULL;
}

const spx_oracle_type spx_oracle_soum = {
    .name = "soum",
    .summary = "sum of unanimity games (random, as shapiq's SOUM) or a Moebius JSON file; "
               "exact truth",
    .open = soum_open,
    .explicands = soum_explicands,
    .eval = soum_eval,
    .truth = soum_truth,
    .close = soum_close,
    .options = soum_rows};
