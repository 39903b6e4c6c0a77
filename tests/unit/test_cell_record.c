/* test_cell_record.c: the one cell record (src/io/cell.h): a transform through its CSR arrays
 * (core/transform.h) and back, a record through its codec (pack -> unpack) with every field,
 * NaN initialisation, and malformed bytes refused. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/transform.h"
#include "io/cell.h"
#include "io/results.h"
#include "testing.h"

static spx_transform *sample(void) {
  spx_transform *t = spx_transform_create(10, SPX_BASIS_MOEBIUS);
  uint32_t a[] = {3}, b[] = {1, 7}, c[] = {0, 2, 9};
  spx_transform_set(t, NULL, 0, 0.25, NULL);
  spx_transform_set(t, a, 1, -2.5, NULL);
  spx_transform_set(t, b, 2, 4.0, NULL);
  spx_transform_set(t, c, 3, 1e-3, NULL);
  return t;
}

static int same_transform(const spx_transform *x, const spx_transform *y) {
  if (spx_transform_size(x) != spx_transform_size(y) || spx_transform_n(x) != spx_transform_n(y) ||
      spx_transform_basis(x) != spx_transform_basis(y))
    return 0;
  for (size_t k = 0; k < spx_transform_size(x); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    int found = 0;
    spx_transform_entry(x, k, &idx, &d, &v);
    if (spx_transform_get(y, idx, d, &found) != v || !found) return 0;
  }
  return 1;
}

static void test_csr(void) {
  spx_transform *t = sample(), *back = NULL;
  spx_transform_csr csr;
  spx_error err = {0};
  spx_test(spx_transform_to_csr(t, &csr, &err) == SPX_OK, "to CSR");
  /* sorted by |value|: {1,7} 4, {3} -2.5, {} 0.25, {0,2,9} 1e-3 */
  spx_test(csr.nterms == 4 && csr.offsets[0] == 0 && csr.offsets[4] == 6 &&
               csr.coefficients[0] == 4.0 && csr.coefficients[1] == -2.5 &&
               csr.indices[0] == 1 && csr.indices[1] == 7 && csr.indices[2] == 3 &&
               csr.offsets[3] - csr.offsets[2] == 0,
           "CSR arrays in spx_transform_sorted order");
  spx_test(spx_transform_from_csr(&csr, &back, &err) == SPX_OK && same_transform(t, back) &&
               same_transform(back, t),
           "from CSR gives the same transform");
  spx_transform_destroy(&back);
  csr.indices[0] = 10; /* not below n */
  spx_test(spx_transform_from_csr(&csr, &back, &err) == SPX_EINVAL && back == NULL,
           "from CSR refuses an index >= n (%s)", err.msg);
  csr.indices[0] = 1;
  csr.offsets[2] = 1; /* decreasing */
  spx_test(spx_transform_from_csr(&csr, &back, &err) == SPX_EINVAL, "from CSR refuses bad offsets");
  spx_transform_csr_free(&csr);
  spx_transform_csr_free(&csr); /* a zeroed csr may be freed again */
  spx_transform_destroy(&t);
}

static void test_codec(void) {
  spx_error err = {0};
  spx_cell_result c, d;
  spx_test(spx_cell_init(&c, 2, 5, 1, 3, 4, &err) == SPX_OK, "init");
  int nan_ok = isnan(c.time_decode) && isnan(c.time_oracle) && isnan(c.peak_rss_mib) &&
               c.status == SPX_CELL_PENDING && c.nscores == 4;
  for (size_t k = 0; k < 4; k++) nan_ok &= isnan(c.scores[k]);
  spx_test(nan_ok, "init: pending, every time and score NaN");
  c.status = SPX_CELL_OK;
  c.queries = 1234;
  c.time_decode = 0.5;
  c.time_oracle = 1.5;
  c.peak_rss_mib = 33.0;
  c.scores[0] = 0.97;
  c.scores[2] = -1.0;
  spx_cell_set_message(&c, "hello");
  spx_transform *t = sample();
  spx_test(spx_cell_set_transform(&c, t, &err) == SPX_OK, "set transform");
  uint64_t dn = 3;
  spx_array *a = spx_array_list_add(&c.arrays, "pruning_order", "component", "x", SPX_ARRAY_U32,
                                    1, &dn, &err);
  ((uint32_t *)a->data)[0] = 2;
  ((uint32_t *)a->data)[2] = 9;
  spx_bytes b = {0};
  spx_cell_pack(&b, &c);
  spx_bytes_reader r = {b.data, b.len, 0, 0};
  spx_test(!b.failed && spx_cell_unpack(&r, &d, &err) == SPX_OK && r.at == b.len,
           "unpack reads the whole record (%s)", err.msg);
  int same = d.method == 2 && d.instance == 5 && d.budget_index == 1 && d.repeat == 3 &&
             d.status == SPX_CELL_OK && d.queries == 1234 && d.time_decode == 0.5 &&
             d.time_oracle == 1.5 && d.peak_rss_mib == 33.0 && d.message &&
             strcmp(d.message, "hello") == 0 && d.nscores == 4 && d.scores[0] == 0.97 &&
             isnan(d.scores[1]) && d.scores[2] == -1.0 && isnan(d.scores[3]) &&
             d.has_transform && d.arrays.count == 1 &&
             strcmp(d.arrays.a[0].name, "pruning_order") == 0 && d.arrays.a[0].dims[0] == 3 &&
             ((uint32_t *)d.arrays.a[0].data)[2] == 9;
  spx_test(same, "every field of the record survives pack -> unpack");
  spx_transform *back = NULL;
  spx_test(spx_transform_from_csr(&d.transform, &back, &err) == SPX_OK && same_transform(t, back),
           "the transform survives pack -> unpack");
  spx_transform_destroy(&back);
  spx_cell_free(&d);
  /* every truncation is refused, never read past the end */
  int refused = 1;
  for (size_t cut = 0; cut < b.len; cut++) {
    spx_bytes_reader rc = {b.data, cut, 0, 0};
    spx_cell_result e;
    refused &= spx_cell_unpack(&rc, &e, &err) != SPX_OK;
    spx_cell_free(&e);
  }
  spx_test(refused, "every truncated record (%zu cuts) is refused", b.len);
  spx_bytes_free(&b);
  spx_cell_free(&c);
  spx_transform_destroy(&t);
}

int main(void) {
  test_csr();
  test_codec();
  return spx_test_summary();
}
