/* gf2m.c: arithmetic in GF(2^m), 2 <= m <= 20 (log/antilog tables over a fixed primitive
 * polynomial), and root finding for the small polynomials that BCH decoding produces: a
 * test that the polynomial splits into distinct linear factors (x^(2^m) = x mod f) followed
 * by Berlekamp's trace splitting, so the cost does not depend on the code length. */
#include <stdlib.h>
#include <string.h>

#include "spex_internal.h"

/* Primitive polynomials (bit i = coefficient of x^i); primitivity is checked when the tables
 * are built (alpha must have order exactly 2^m - 1). */
static const uint32_t primitive[SPX_GF_MMAX + 1] = {
    0,       0,
    0x7,     /* m=2:  x^2 + x + 1 */
    0xB,     /* m=3:  x^3 + x + 1 */
    0x13,    /* m=4:  x^4 + x + 1 */
    0x25,    /* m=5:  x^5 + x^2 + 1 */
    0x43,    /* m=6:  x^6 + x + 1 */
    0x89,    /* m=7:  x^7 + x^3 + 1 */
    0x11D,   /* m=8:  x^8 + x^4 + x^3 + x^2 + 1 */
    0x211,   /* m=9:  x^9 + x^4 + 1 */
    0x409,   /* m=10: x^10 + x^3 + 1 */
    0x805,   /* m=11: x^11 + x^2 + 1 */
    0x1053,  /* m=12: x^12 + x^6 + x^4 + x + 1 */
    0x201B,  /* m=13: x^13 + x^4 + x^3 + x + 1 */
    0x4443,  /* m=14: x^14 + x^10 + x^6 + x + 1 */
    0x8003,  /* m=15: x^15 + x + 1 */
    0x1100B, /* m=16: x^16 + x^12 + x^3 + x + 1 */
    0x20009, /* m=17: x^17 + x^3 + 1 */
    0x40081, /* m=18: x^18 + x^7 + 1 */
    0x80027, /* m=19: x^19 + x^5 + x^2 + x + 1 */
    0x100009, /* m=20: x^20 + x^3 + 1 */
};

uint32_t spx_gf_primitive_poly(unsigned m) {
  return (m >= SPX_GF_MMIN && m <= SPX_GF_MMAX) ? primitive[m] : 0u;
}

spx_gf *spx_gf_create(unsigned m, spx_error *err) {
  if (m < SPX_GF_MMIN || m > SPX_GF_MMAX) {
    spx_error_set(err, SPX_ERANGE, "GF(2^%u) not supported (m must be in %d..%d)", m,
                  SPX_GF_MMIN, SPX_GF_MMAX);
    return NULL;
  }
  spx_gf *f = calloc(1, sizeof *f);
  if (f == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for GF(2^%u)", m);
    return NULL;
  }
  f->m = m;
  f->order = (1u << m) - 1u;
  f->poly = primitive[m];
  f->exp = malloc(2 * (size_t)f->order * sizeof *f->exp);
  f->log = calloc((size_t)f->order + 1, sizeof *f->log);
  if (f->exp == NULL || f->log == NULL) {
    spx_gf_destroy(&f);
    spx_error_set(err, SPX_ENOMEM, "out of memory for GF(2^%u) tables", m);
    return NULL;
  }
  uint32_t a = 1;
  for (uint32_t i = 0; i < f->order; i++) {
    if (i > 0 && a == 1) { /* alpha has order < 2^m - 1: the polynomial is not primitive */
      spx_gf_destroy(&f);
      spx_error_set(err, SPX_EINTERNAL, "polynomial 0x%x is not primitive", primitive[m]);
      return NULL;
    }
    f->exp[i] = f->exp[i + f->order] = a;
    f->log[a] = i;
    a <<= 1;
    if (a >> m) a ^= f->poly;
  }
  return f;
}

void spx_gf_destroy(spx_gf **gf) {
  if (gf == NULL || *gf == NULL) return;
  free((*gf)->exp);
  free((*gf)->log);
  free(*gf);
  *gf = NULL;
}

/* ---- small polynomials: coefficient arrays, low degree first; degree -1 = zero ---------- */

#define PLEN (2 * SPX_GF_POLY_MAX + 2)

typedef struct {
  int deg;
  uint32_t c[PLEN];
} poly;

static void poly_trim(poly *a) {
  while (a->deg >= 0 && a->c[a->deg] == 0) a->deg--;
}

/* a = a mod f, f monic of degree >= 1. */
static void poly_mod(const spx_gf *gf, poly *a, const poly *f) {
  for (int i = a->deg; i >= f->deg; i--) {
    uint32_t q = a->c[i];
    if (q == 0) continue;
    int s = i - f->deg;
    for (int j = 0; j <= f->deg; j++) a->c[s + j] ^= spx_gf_mul(gf, q, f->c[j]);
  }
  if (a->deg >= f->deg) a->deg = f->deg - 1;
  poly_trim(a);
}

/* a = a^2 mod f (characteristic 2: the square has coefficients c_i^2 at x^(2i)). */
static void poly_sqr_mod(const spx_gf *gf, poly *a, const poly *f) {
  poly s;
  s.deg = a->deg < 0 ? -1 : 2 * a->deg;
  memset(s.c, 0, sizeof s.c);
  for (int i = 0; i <= a->deg; i++) s.c[2 * i] = spx_gf_mul(gf, a->c[i], a->c[i]);
  poly_mod(gf, &s, f);
  *a = s;
}

static void poly_monic(const spx_gf *gf, poly *a) {
  if (a->deg < 0) return;
  uint32_t inv = spx_gf_inv(gf, a->c[a->deg]);
  for (int i = 0; i <= a->deg; i++) a->c[i] = spx_gf_mul(gf, a->c[i], inv);
}

/* Monic gcd of a and b. */
static void poly_gcd(const spx_gf *gf, const poly *a, const poly *b, poly *g) {
  poly x = *a, y = *b;
  while (y.deg >= 0) {
    poly_monic(gf, &y);
    poly_mod(gf, &x, &y);
    poly t = x;
    x = y;
    y = t;
  }
  poly_monic(gf, &x);
  *g = x;
}

/* q = a / b for monic b dividing a exactly. */
static void poly_div(const spx_gf *gf, const poly *a, const poly *b, poly *q) {
  poly r = *a;
  memset(q->c, 0, sizeof q->c);
  q->deg = a->deg - b->deg;
  for (int i = r.deg; i >= b->deg; i--) {
    uint32_t c = r.c[i];
    int s = i - b->deg;
    q->c[s] = c;
    if (c == 0) continue;
    for (int j = 0; j <= b->deg; j++) r.c[s + j] ^= spx_gf_mul(gf, c, b->c[j]);
  }
  poly_trim(q);
}

/* Roots of f (monic, splits into distinct linear factors) appended to roots; X[j] is
 * x^(2^j) mod f for j < m. */
static void split(const spx_gf *gf, const poly *f, const poly *X, uint32_t *roots,
                  unsigned *count) {
  if (f->deg <= 0) return;
  if (f->deg == 1) {
    roots[(*count)++] = f->c[0]; /* x + c0 = 0 */
    return;
  }
  /* Tr(beta x) = sum_j beta^(2^j) x^(2^j) mod f vanishes on the roots with trace 0; for
   * distinct roots some beta = alpha^i (i < m) separates two of them. */
  unsigned m = gf->m;
  for (unsigned i = 0; i < m; i++) {
    poly tr;
    memset(&tr, 0, sizeof tr);
    tr.deg = f->deg - 1;
    uint32_t e = i; /* log of beta^(2^j) */
    for (unsigned j = 0; j < m; j++) {
      uint32_t bj = gf->exp[e];
      for (int h = 0; h <= X[j].deg; h++) tr.c[h] ^= spx_gf_mul(gf, bj, X[j].c[h]);
      e = (uint32_t)(((uint64_t)e * 2) % gf->order);
    }
    poly_trim(&tr);
    if (tr.deg < 0) continue; /* every root has trace 0 for this beta */
    poly g;
    poly_gcd(gf, f, &tr, &g);
    if (g.deg > 0 && g.deg < f->deg) {
      poly h, Xs[SPX_GF_MMAX];
      poly_div(gf, f, &g, &h);
      for (unsigned j = 0; j < m; j++) {
        Xs[j] = X[j];
        poly_mod(gf, &Xs[j], &g);
      }
      split(gf, &g, Xs, roots, count);
      for (unsigned j = 0; j < m; j++) {
        Xs[j] = X[j];
        poly_mod(gf, &Xs[j], &h);
      }
      split(gf, &h, Xs, roots, count);
      return;
    }
  }
}

int spx_gf_poly_roots(const spx_gf *gf, const uint32_t *coef, unsigned deg, uint32_t *roots) {
  if (deg < 1 || deg > SPX_GF_POLY_MAX || coef[deg] == 0) return -1;
  poly f;
  memset(&f, 0, sizeof f);
  f.deg = (int)deg;
  memcpy(f.c, coef, (deg + 1) * sizeof *coef);
  poly_monic(gf, &f);
  if (deg == 1) {
    roots[0] = f.c[0];
    return 1;
  }
  /* f splits into distinct linear factors iff f divides x^(2^m) - x. Keep the Frobenius
   * powers x^(2^j) mod f: the trace splitting reuses them. */
  poly X[SPX_GF_MMAX + 1];
  memset(&X[0], 0, sizeof X[0]);
  X[0].deg = 1;
  X[0].c[1] = 1;
  for (unsigned j = 1; j <= gf->m; j++) {
    X[j] = X[j - 1];
    poly_sqr_mod(gf, &X[j], &f);
  }
  const poly *xm = &X[gf->m];
  if (!(xm->deg == 1 && xm->c[1] == 1 && xm->c[0] == 0)) return -1;
  unsigned count = 0;
  split(gf, &f, X, roots, &count);
  return count == deg ? (int)deg : -1;
}
