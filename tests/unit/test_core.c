/* test_core.c: masks, PCG64, the sparse transform map and option tables. */
#include <stdint.h>

#include <gsl/gsl_randist.h>

#include "core/mask.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/transform.h"
#include "testing.h"

static void test_masks(void) {
  spx_maskset *s = spx_maskset_create(130, 3);
  spx_test(s != NULL && s->words == 3, "maskset of n=130 has 3 words");
  uint64_t *m = spx_maskset_row(s, 1);
  spx_mask_set(m, 0);
  spx_mask_set(m, 64);
  spx_mask_set(m, 129);
  spx_test_int((long long)spx_mask_popcount(m, s->words), 3, "popcount");
  spx_test_int((long long)spx_mask_next(m, 130, 1), 64, "next set bit after 0");
  spx_test_int((long long)spx_mask_next(m, 130, 65), 129, "next set bit after 64");
  spx_test_int((long long)spx_mask_next(m, 130, 130), 130, "next past the end");
  spx_mask_flip(m, 64);
  spx_test(!spx_mask_test(m, 64), "flip clears");
  uint64_t *full = spx_maskset_row(s, 2);
  spx_mask_fill(full, 130, 1);
  spx_test_int((long long)spx_mask_popcount(full, 3), 130, "fill sets exactly n bits");
  spx_test_int(spx_mask_and_parity(m, full, 3), 0, "parity of |{0,129}| is even");
  char buf[131];
  spx_mask_to_string(m, 130, buf);
  spx_test(buf[0] == '1' && buf[129] == '1' && buf[64] == '0', "to_string");
  uint64_t back[3];
  spx_test(spx_mask_from_string(back, 130, buf, NULL) == SPX_OK && back[0] == m[0] &&
               back[2] == m[2],
           "from_string round trip");
  buf[5] = 'x';
  spx_error err;
  spx_test(spx_mask_from_string(back, 130, buf, &err) == SPX_EINVAL && strstr(err.msg, "5"),
           "from_string rejects 'x' and names the position");
  uint64_t full_copy[3];
  memcpy(full_copy, full, sizeof full_copy);
  /* Appending a row of the set itself is safe although the rows move when the set grows. */
  spx_test(spx_maskset_append(s, spx_maskset_row(s, 2), NULL) == SPX_OK, "append own row");
  for (int i = 0; i < 99; i++)
    spx_test(spx_maskset_append(s, full_copy, NULL) == SPX_OK, "append");
  spx_test_int((long long)s->count, 103, "append count");
  spx_test(spx_maskset_row(s, 3)[2] == full_copy[2] && spx_maskset_row(s, 102)[2] == full_copy[2],
           "appended row content");
  spx_maskset_destroy(&s);
  spx_test(s == NULL, "destroy clears the handle");
  spx_maskset_destroy(&s);
}

/* Hashing and the mask index: SplitMix64's known first output, the index against a linear
 * scan on random masks with repeats (n = 70: two words), across table growth. */
static void test_mask_index(void) {
  spx_test(spx_mix64(0) == 0xe220a8397b1dcdafULL, "mix64(0) is SplitMix64's first output");
  uint64_t a[2] = {1, 2}, b[2] = {1, 3}, ha[2], hb[2];
  spx_mask_hash128(a, 2, 5, 7, ha);
  spx_mask_hash128(b, 2, 5, 7, hb);
  spx_test(ha[0] != hb[0] && ha[1] != hb[1], "hash128 lanes differ for masks one bit apart");
  gsl_rng *r = spx_rng_stream(11, 0, 0, 0, 0);
  size_t n = 70, N = 3000;
  spx_maskset *rows = spx_maskset_create(n, 0), *draws = spx_maskset_create(n, N);
  for (size_t i = 0; i < N; i++) { /* few distinct masks: keep 3 random bits of each draw */
    uint64_t *m = spx_maskset_row(draws, i);
    spx_mask_random(m, n, r);
    m[0] &= 0x7, m[1] &= 0x20;
  }
  spx_mask_index ix = {0};
  int ok = 1;
  for (size_t i = 0; i < N && ok; i++) {
    const uint64_t *m = spx_maskset_row(draws, i);
    size_t scan = SIZE_MAX;
    for (size_t j = 0; j < rows->count && scan == SIZE_MAX; j++)
      if (memcmp(spx_maskset_row(rows, j), m, rows->words * sizeof *m) == 0) scan = j;
    size_t found = spx_mask_index_find(&ix, rows->bits, rows->words, m);
    ok = found == scan;
    if (ok && found == SIZE_MAX)
      ok = spx_maskset_append(rows, m, NULL) == SPX_OK &&
           spx_mask_index_add(&ix, rows->bits, rows->words, rows->count - 1, NULL) == SPX_OK;
  }
  spx_test(ok && rows->count == 16 && ix.count == 16 && 2 * ix.count <= ix.cap,
           "index agrees with a scan (%zu distinct of 16, %zu slots)", rows->count, ix.cap);
  spx_mask_index_free(&ix);
  spx_test(ix.slot == NULL && ix.cap == 0 &&
               spx_mask_index_find(&ix, rows->bits, rows->words, rows->bits) == SIZE_MAX,
           "a freed index is empty");
  spx_maskset_destroy(&rows);
  spx_maskset_destroy(&draws);
  gsl_rng_free(r);
}

/* First outputs of pcg64(42, 54) from the PCG reference test output (pcg-c
 * test-high/expected/check-pcg64.out, also pcg-cpp's pcg64 with the same seed). */
static void test_pcg64(void) {
  gsl_rng *r = gsl_rng_alloc(spx_rng_pcg64());
  spx_rng_pcg64_seed(r, 0, 42, 0, 54);
  const uint64_t want[6] = {0x86b1da1d72062b68ULL, 0x1304aa46c9853d39ULL, 0xa3670e9e0dd50358ULL,
                            0xf9090e529a7dae00ULL, 0xc85b9fd837996f2cULL, 0x606121f8e3919196ULL};
  for (int i = 0; i < 6; i++) {
    uint64_t got = spx_rng_u64(r);
    spx_test(got == want[i], "pcg64(42,54) output %d = %016llx (want %016llx)", i,
             (unsigned long long)got, (unsigned long long)want[i]);
  }
  spx_test(strcmp(gsl_rng_name(r), "pcg64") == 0, "gsl_rng_name");
  spx_test(gsl_rng_max(r) == 0xffffffffffffffffUL && gsl_rng_min(r) == 0, "range");
  double sum = 0, sum2 = 0;
  const int N = 200000;
  for (int i = 0; i < N; i++) {
    double u = gsl_rng_uniform(r);
    if (!spx_test(u >= 0 && u < 1, "uniform in [0,1)")) i = N;
    sum += u;
    sum2 += u * u;
  }
  /* mean 1/2 with standard error 1/sqrt(12 N) ~ 6.5e-4: allow 5 sigma. */
  spx_test_abs(sum / N, 0.5, 5 * 6.5e-4, "uniform mean");
  spx_test_abs(sum2 / N - (sum / N) * (sum / N), 1.0 / 12, 2e-3, "uniform variance");
  double g = 0;
  for (int i = 0; i < N; i++) g += gsl_ran_gaussian_ziggurat(r, 2.0);
  spx_test_abs(g / N, 0.0, 5 * 2.0 / sqrt(N), "gaussian through GSL has mean 0");
  gsl_rng_free(r);

  gsl_rng *a = spx_rng_stream(7, 1, 2, 3, 4), *b = spx_rng_stream(7, 1, 2, 3, 4),
          *c = spx_rng_stream(7, 1, 2, 3, 5);
  int same = 1, differ = 0;
  for (int i = 0; i < 16; i++) {
    uint64_t x = spx_rng_u64(a), y = spx_rng_u64(b), z = spx_rng_u64(c);
    same &= x == y;
    differ += x != z;
  }
  spx_test(same, "same coordinates give the same stream");
  spx_test(differ == 16, "different coordinates give a different stream");
  gsl_rng_free(a);
  gsl_rng_free(b);
  gsl_rng_free(c);
  spx_test(spx_hash_string("spex") != spx_hash_string("lime"), "string hash separates names");
}

static void test_transform(void) {
  spx_transform *t = spx_transform_create(100, SPX_BASIS_FOURIER);
  uint32_t a[] = {5, 2, 9}, a_sorted[] = {2, 5, 9}, b[] = {7};
  spx_test(spx_transform_add(t, a, 3, 1.5, NULL) == SPX_OK, "add unsorted");
  spx_test(spx_transform_add(t, a_sorted, 3, 0.25, NULL) == SPX_OK, "add sorted twin");
  spx_test_rel(spx_transform_get(t, a, 3, NULL), 1.75, 1e-15, "values accumulate");
  spx_test(spx_transform_set(t, NULL, 0, -3.0, NULL) == SPX_OK, "set empty set");
  spx_test(spx_transform_add(t, b, 1, 0.5, NULL) == SPX_OK, "add singleton");
  spx_test_int((long long)spx_transform_size(t), 3, "three entries");
  int found = 1;
  uint32_t absent[] = {1, 2};
  spx_test(spx_transform_get(t, absent, 2, &found) == 0.0 && !found, "absent entry");
  uint32_t bad[] = {3, 3};
  spx_error err;
  spx_test(spx_transform_add(t, bad, 2, 1, &err) == SPX_EINVAL, "duplicate index rejected");
  uint32_t big[] = {100};
  spx_test(spx_transform_add(t, big, 1, 1, &err) == SPX_ERANGE, "index >= n rejected");
  size_t order[3];
  spx_transform_sorted(t, order, NULL);
  double v0, v1, v2;
  spx_transform_entry(t, order[0], NULL, NULL, &v0);
  spx_transform_entry(t, order[1], NULL, NULL, &v1);
  spx_transform_entry(t, order[2], NULL, NULL, &v2);
  spx_test(v0 == -3.0 && v1 == 1.75 && v2 == 0.5, "sorted by |value|");
  spx_transform_max_degree(t);
  spx_test_int(spx_transform_max_degree(t), 3, "max degree");
  /* Many entries force rehashing; all stay reachable. */
  for (uint32_t i = 0; i < 99; i++) {
    uint32_t p[2] = {i, i + 1};
    spx_transform_add(t, p, 2, (double)i, NULL);
  }
  int ok = 1;
  for (uint32_t i = 0; i < 99; i++) {
    uint32_t p[2] = {i + 1, i};
    ok &= spx_transform_get(t, p, 2, NULL) == (double)i;
  }
  spx_test(ok, "lookups after rehash");
  spx_transform *c = spx_transform_clone(t);
  spx_test(spx_transform_merge(c, t, -1.0, NULL) == SPX_OK, "merge");
  spx_test(spx_transform_prune(c, 0.0, 0, NULL) == SPX_OK && spx_transform_size(c) == 0,
           "t - t prunes to nothing");
  spx_test(spx_transform_prune(t, 1.0, 1, NULL) == SPX_OK, "prune");
  spx_test(spx_transform_get(t, NULL, 0, &found) == -3.0 && found, "prune keeps -3 constant");
  spx_test(spx_transform_get(t, b, 1, &found) == 0.0 && !found, "prune drops 0.5");
  uint32_t p98[2] = {98, 99};
  spx_test(spx_transform_get(t, p98, 2, NULL) == 98.0, "entries survive prune");
  spx_transform *other = spx_transform_create(50, SPX_BASIS_FOURIER);
  spx_test(spx_transform_merge(t, other, 1, &err) == SPX_EINVAL, "merge of different n fails");
  spx_transform_destroy(&other);
  spx_transform_destroy(&c);
  spx_transform_destroy(&t);
  spx_test(t == NULL, "destroy clears handle");
}

static void test_options(void) {
  spx_options *o = spx_options_create("oracle synthetic");
  spx_error err;
  spx_options_put(o, "n", SPX_OPT_INT, "12", "a.toml:3:5", NULL);
  spx_options_put(o, "basis", SPX_OPT_STRING, "fourier", "a.toml:4:9", NULL);
  spx_options_put(o, "snr_db", SPX_OPT_TEXT, "10.5", "--snr_db", NULL);
  spx_options_put(o, "magnitude", SPX_OPT_TEXT, "0.5,1", "--magnitude", NULL);
  const spx_option_kind k[] = {SPX_OPT_INT, SPX_OPT_INT};
  const char *const items[] = {"3", "4"};
  spx_options_put_array(o, "degree_counts", 2, k, items, "a.toml:6:1", NULL);
  spx_options_put(o, "bogus", SPX_OPT_BOOL, "true", "a.toml:7:1", NULL);
  long long n;
  spx_test(spx_options_int(o, "n", 0, &n, NULL) == SPX_OK && n == 12, "int");
  double snr;
  spx_test(spx_options_double(o, "snr_db", 0, &snr, NULL) == SPX_OK && snr == 10.5,
           "text parsed as double");
  int choice;
  const char *const bases[] = {"fourier", "moebius", NULL};
  spx_test(spx_options_choice(o, "basis", bases, 1, &choice, NULL) == SPX_OK && choice == 0,
           "choice");
  double mag[2];
  size_t cnt;
  spx_test(spx_options_double_array(o, "magnitude", mag, 2, &cnt, NULL) == SPX_OK && cnt == 2 &&
               mag[0] == 0.5 && mag[1] == 1.0,
           "text array");
  long long dc[4];
  spx_test(spx_options_int_array(o, "degree_counts", dc, 4, &cnt, NULL) == SPX_OK && cnt == 2 &&
               dc[1] == 4,
           "typed array");
  spx_test(spx_options_int(o, "basis", 0, &n, &err) == SPX_EINVAL &&
               strstr(err.msg, "a.toml:4:9: basis: expected an integer"),
           "wrong type names file:line:col and key (%s)", err.msg);
  spx_test(spx_options_int_range(o, "n", 0, 13, 20, &n, &err) == SPX_ERANGE &&
               strstr(err.msg, "a.toml:3:5: n: 12 is out of range"),
           "range error (%s)", err.msg);
  spx_test(spx_options_int(o, "missing", 77, &n, NULL) == SPX_OK && n == 77, "default");
  spx_test(spx_options_check_unused(o, &err) == SPX_EINVAL &&
               strstr(err.msg, "a.toml:7:1: bogus: unknown key for oracle synthetic") &&
               strstr(err.msg, "degree_counts"),
           "unknown key reported with the known ones (%s)", err.msg);
  spx_options *c = spx_options_clone(o);
  spx_test(c && spx_options_count(c) == spx_options_count(o), "clone");
  spx_options_destroy(&c);
  spx_options_destroy(&o);
}

int main(void) {
  test_masks();
  test_mask_index();
  test_pcg64();
  test_transform();
  test_options();
  return spx_test_summary();
}
