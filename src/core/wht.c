/* wht.c: in-place fast Walsh-Hadamard transform (radix-2 butterflies, blocked for cache). */
#include "wht.h"

#include <stdlib.h>

struct spx_wht_plan {
  unsigned log2n;
  size_t len;
};

spx_wht_plan *spx_wht_plan_create(unsigned log2n, spx_error *err) {
  if (log2n < 1 || log2n > 24) {
    spx_error_set(err, SPX_ERANGE, "WHT size 2^%u outside 2^1..2^24", log2n);
    return NULL;
  }
  spx_wht_plan *p = malloc(sizeof *p);
  if (p == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory planning a WHT");
    return NULL;
  }
  p->log2n = log2n;
  p->len = (size_t)1 << log2n;
  return p;
}

void spx_wht_plan_destroy(spx_wht_plan **plan) {
  if (plan == NULL) return;
  free(*plan);
  *plan = NULL;
}

unsigned spx_wht_plan_log2n(const spx_wht_plan *plan) { return plan->log2n; }

/* Radix-4 step: two butterfly levels (h and 2h) at once, halving memory passes. */
static void radix4(double *restrict x, size_t len, size_t h) {
  for (size_t i = 0; i < len; i += 4 * h)
    for (size_t j = i; j < i + h; j++) {
      double a = x[j], b = x[j + h], c = x[j + 2 * h], d = x[j + 3 * h];
      double s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d;
      x[j] = s0 + s1;
      x[j + h] = d0 + d1;
      x[j + 2 * h] = s0 - s1;
      x[j + 3 * h] = d0 - d1;
    }
}

static void radix2(double *restrict x, size_t len, size_t h) {
  for (size_t i = 0; i < len; i += 2 * h)
    for (size_t j = i; j < i + h; j++) {
      double a = x[j], b = x[j + h];
      x[j] = a + b;
      x[j + h] = a - b;
    }
}

void spx_wht_execute(const spx_wht_plan *plan, double *data) {
  size_t len = plan->len, h = 1;
  unsigned level = 0;
  for (; level + 2 <= plan->log2n; level += 2, h *= 4) radix4(data, len, h);
  if (level < plan->log2n) radix2(data, len, h);
}
