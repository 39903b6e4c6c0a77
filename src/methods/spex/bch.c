/* bch.c: the shortened primitive narrow-sense binary BCH code whose parity bits label SPEX's
 * delays: parameter search, the systematic parity columns, syndrome decoding
 * (Berlekamp-Massey and a root search that only accepts error positions inside the
 * shortened word), and Chase soft decoding over the least reliable parity bits. */
#include <stdlib.h>
#include <string.h>

#include "spex_internal.h"

/* Union of the cyclotomic cosets {i 2^j mod nc} of i = 1..2t: returns its size (= deg g,
 * the parity length p) or -1 when out of memory. When members is not NULL (room for the
 * size, at most 2 t m), writes them coset by coset. One marker bit per residue mod nc. */
static long coset_union(uint32_t nc, unsigned t, uint32_t *members) {
  uint64_t *seen = calloc((size_t)nc / 64 + 1, sizeof *seen);
  if (seen == NULL) return -1;
  long count = 0;
  for (uint64_t i = 1; i <= 2 * (uint64_t)t; i++) {
    uint32_t e = (uint32_t)(i % nc);
    while (!((seen[e >> 6] >> (e & 63)) & 1u)) { /* walk the coset of i: i, 2i, 4i, ... */
      seen[e >> 6] |= (uint64_t)1 << (e & 63);
      if (members) members[count] = e;
      count++;
      e = (uint32_t)(((uint64_t)e * 2) % nc);
    }
  }
  free(seen);
  return count;
}

/* The smallest m with 2^m >= 2t + 2 (m = ceil(log2(d + 1)), d = 2t + 1), at least MMIN. */
static unsigned first_m(unsigned t) {
  unsigned m = SPX_BCH_MMIN;
  while (((uint64_t)1 << m) < 2 * (uint64_t)t + 2) m++;
  return m;
}

int spx_bch_params(size_t n, unsigned t, unsigned *m_out, uint32_t *nc_out, uint32_t *kc_out,
                   spx_error *err) {
  if (t < 1 || t > SPX_BCH_TMAX)
    return spx_error_set(err, SPX_ERANGE, "BCH: t = %u out of range 1..%d", t, SPX_BCH_TMAX);
  if (n < 1) return spx_error_set(err, SPX_ERANGE, "BCH: n must be at least 1");
  uint32_t kc = 0;
  for (unsigned m = first_m(t); m <= SPX_BCH_MMAX; m++) {
    uint32_t nc = (1u << m) - 1u;
    long p = coset_union(nc, t, NULL);
    if (p < 0) return spx_error_set(err, SPX_ENOMEM, "out of memory in the BCH parameter search");
    kc = nc - (uint32_t)p;
    if (kc >= n) {
      if (m_out) *m_out = m;
      if (nc_out) *nc_out = nc;
      if (kc_out) *kc_out = kc;
      return SPX_OK;
    }
  }
  return spx_error_set(err, SPX_ERANGE,
                       "n = %zu too large for a BCH code with m <= %d and t = %u "
                       "(at most %u features)",
                       n, SPX_BCH_MMAX, t, kc);
}

spx_bch *spx_bch_create(size_t n, unsigned t, spx_error *err) {
  unsigned m;
  if (spx_bch_params(n, t, &m, NULL, NULL, err)) return NULL;
  return spx_bch_create_m(n, t, m, err);
}

spx_bch *spx_bch_create_m(size_t n, unsigned t, unsigned m, spx_error *err) {
  if (t < 1 || t > SPX_BCH_TMAX || n < 1 || m < first_m(t) || m > SPX_GF_MMAX) {
    spx_error_set(err, SPX_ERANGE, "BCH: (n = %zu, t = %u, m = %u) out of range", n, t, m);
    return NULL;
  }
  uint32_t nc = (1u << m) - 1u;
  long pl = coset_union(nc, t, NULL);
  if (pl < 0) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for the BCH code");
    return NULL;
  }
  uint32_t kc = nc - (uint32_t)pl;
  if (kc < n) {
    spx_error_set(err, SPX_ERANGE, "BCH: n = %zu exceeds the dimension %u at m = %u, t = %u", n,
                  kc, m, t);
    return NULL;
  }

  spx_bch *code = calloc(1, sizeof *code);
  if (code == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for the BCH code");
    return NULL;
  }
  code->m = m;
  code->t = t;
  code->nc = nc;
  code->kc = kc;
  code->p = nc - kc;
  code->n = n;
  code->gf = spx_gf_create(m, err);
  if (code->gf == NULL) goto fail;
  if (code->p >= SPX_BCH_PMAX) {
    spx_error_set(err, SPX_ERANGE, "BCH: %u parity bits exceed the supported %d", code->p,
                  SPX_BCH_PMAX);
    goto fail;
  }
  const spx_gf *gf = code->gf;
  uint32_t p = code->p;

  /* g(x) = prod over the coset union of (x - alpha^u); its coefficients lie in GF(2). */
  uint32_t members[SPX_BCH_PMAX];
  coset_union(nc, t, members); /* p < SPX_BCH_PMAX members (checked above) */
  uint32_t g[SPX_BCH_PMAX + 1];
  memset(g, 0, sizeof g);
  g[0] = 1;
  for (uint32_t i = 0; i < p; i++) {
    uint32_t root = gf->exp[members[i]];
    for (uint32_t j = i + 1; j > 0; j--) g[j] = g[j - 1] ^ spx_gf_mul(gf, g[j], root);
    g[0] = spx_gf_mul(gf, g[0], root);
  }
  spx_parity glow; /* g(x) - x^p, i.e. x^p mod g */
  memset(&glow, 0, sizeof glow);
  for (uint32_t i = 0; i <= p; i++) {
    if (g[i] > 1) {
      spx_error_set(err, SPX_EINTERNAL, "BCH generator has a non-binary coefficient");
      goto fail;
    }
    if (i < p && g[i]) glow.w[i >> 6] |= (uint64_t)1 << (i & 63);
  }

  /* col[i] = x^(p+i) mod g: multiply the previous remainder by x and reduce. */
  code->col = malloc(n * sizeof *code->col);
  code->synd = malloc((size_t)p * t * sizeof *code->synd);
  if (code->col == NULL || code->synd == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for the BCH parity columns (n = %zu)", n);
    goto fail;
  }
  spx_parity cur = glow;
  for (size_t i = 0; i < n; i++) {
    code->col[i] = cur;
    int top = spx_parity_bit(&cur, p - 1);
    for (int w = SPX_BCH_PWORDS - 1; w > 0; w--) cur.w[w] = (cur.w[w] << 1) | (cur.w[w - 1] >> 63);
    cur.w[0] <<= 1;
    cur.w[p >> 6] &= ~((uint64_t)1 << (p & 63)); /* drop x^p (p < 256: the word exists) */
    if (top) spx_parity_xor(&cur, &glow);
  }
  for (uint32_t r = 0; r < p; r++)
    for (unsigned h = 0; h < t; h++)
      code->synd[(size_t)r * t + h] = gf->exp[(uint32_t)(((uint64_t)(2 * h + 1) * r) % nc)];
  return code;
fail:
  spx_bch_destroy(&code);
  return NULL;
}

void spx_bch_destroy(spx_bch **code) {
  if (code == NULL || *code == NULL) return;
  spx_gf_destroy(&(*code)->gf);
  free((*code)->col);
  free((*code)->synd);
  free(*code);
  *code = NULL;
}

void spx_bch_encode(const spx_bch *code, const uint32_t *k, unsigned deg, spx_parity *out) {
  memset(out, 0, sizeof *out);
  for (unsigned i = 0; i < deg; i++) spx_parity_xor(out, &code->col[k[i]]);
}

/* Odd syndromes S_(2h+1), h < t, of the word [0 | bits]. */
static void odd_syndromes(const spx_bch *code, const spx_parity *bits, uint32_t *s) {
  unsigned t = code->t;
  for (unsigned h = 0; h < t; h++) s[h] = 0;
  for (int w = 0; w < SPX_BCH_PWORDS; w++) {
    uint64_t x = bits->w[w];
    while (x) {
      unsigned r = (unsigned)(64 * w + __builtin_ctzll(x));
      x &= x - 1;
      const uint32_t *row = code->synd + (size_t)r * t;
      for (unsigned h = 0; h < t; h++) s[h] ^= row[h];
    }
  }
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Decode from the odd syndromes: Berlekamp-Massey, then the roots of the error locator. Only
 * positions < p + n (the shortened word) are accepted. Returns the number of errors or -1. */
static int decode_syndromes(const spx_bch *code, const uint32_t *odd, uint32_t *k,
                            unsigned *deg) {
  const spx_gf *gf = code->gf;
  unsigned t = code->t, n2 = 2 * t;
  uint32_t S[2 * SPX_BCH_TMAX + 1];
  int any = 0;
  for (unsigned j = 1; j <= n2; j++) {
    S[j] = (j & 1) ? odd[j >> 1] : spx_gf_mul(gf, S[j >> 1], S[j >> 1]);
    any |= S[j] != 0;
  }
  *deg = 0;
  if (!any) return 0;
  uint32_t C[2 * SPX_BCH_TMAX + 2], B[2 * SPX_BCH_TMAX + 2], T[2 * SPX_BCH_TMAX + 2];
  memset(C, 0, sizeof C);
  memset(B, 0, sizeof B);
  C[0] = B[0] = 1;
  unsigned L = 0, shift = 1;
  uint32_t bprev = 1;
  for (unsigned r = 0; r < n2; r++) {
    uint32_t d = S[r + 1];
    for (unsigned i = 1; i <= L; i++) d ^= spx_gf_mul(gf, C[i], S[r + 1 - i]);
    if (d == 0) {
      shift++;
      continue;
    }
    uint32_t coef = spx_gf_mul(gf, d, spx_gf_inv(gf, bprev));
    if (2 * L <= r) {
      memcpy(T, C, sizeof C);
      for (unsigned i = 0; i + shift <= n2 + 1; i++) C[i + shift] ^= spx_gf_mul(gf, coef, B[i]);
      L = r + 1 - L;
      memcpy(B, T, sizeof T);
      bprev = d;
      shift = 1;
    } else {
      for (unsigned i = 0; i + shift <= n2 + 1; i++) C[i + shift] ^= spx_gf_mul(gf, coef, B[i]);
      shift++;
    }
  }
  if (L > t || C[L] == 0) return -1;
  for (unsigned i = L + 1; i <= n2 + 1; i++)
    if (C[i]) return -1;
  uint32_t roots[SPX_GF_POLY_MAX];
  if (spx_gf_poly_roots(gf, C, L, roots) != (int)L) return -1;
  /* C(x) = prod (1 - X_i x): each root is X_i^-1 with X_i = alpha^position. */
  unsigned count = 0;
  uint64_t limit = (uint64_t)code->p + code->n;
  for (unsigned i = 0; i < L; i++) {
    if (roots[i] == 0) return -1;
    uint32_t pos = (code->nc - gf->log[roots[i]]) % code->nc;
    if (pos >= limit) return -1; /* an error in a shortened-away position: not a codeword */
    if (pos >= code->p) k[count++] = pos - code->p;
  }
  qsort(k, count, sizeof *k, cmp_u32);
  *deg = count;
  return (int)L;
}

int spx_bch_decode_hard(const spx_bch *code, const spx_parity *bits, uint32_t *k,
                        unsigned *deg) {
  uint32_t odd[SPX_BCH_TMAX];
  odd_syndromes(code, bits, odd);
  return decode_syndromes(code, odd, k, deg);
}

/* Chase patterns: subsets of the depth least reliable positions (sorted by reliability),
 * produced in nondecreasing summed reliability with a heap. A subset with largest element i
 * has two children: add i+1, and replace i by i+1; every subset has exactly one parent. */
typedef struct {
  double cost;
  uint32_t set; /* bit h = item h flipped */
  int last;
} pattern;

static int pattern_less(const pattern *a, const pattern *b) {
  if (a->cost != b->cost) return a->cost < b->cost;
  return a->set < b->set;
}

static void heap_push(pattern *h, size_t *len, pattern x) {
  size_t i = (*len)++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!pattern_less(&x, &h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = x;
}

static pattern heap_pop(pattern *h, size_t *len) {
  pattern top = h[0], x = h[--(*len)];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= *len) break;
    if (c + 1 < *len && pattern_less(&h[c + 1], &h[c])) c++;
    if (!pattern_less(&h[c], &x)) break;
    h[i] = h[c];
    i = c;
  }
  if (*len > 0) h[i] = x;
  return top;
}

/* Soft discrepancy of a decoded message: summed reliability of the parity positions where its
 * codeword disagrees with the hard decision. */
static double discrepancy(const spx_bch *code, const double *soft, const spx_parity *hard,
                          const uint32_t *k, unsigned deg) {
  spx_parity c;
  spx_bch_encode(code, k, deg, &c);
  spx_parity_xor(&c, hard);
  double sum = 0;
  for (int w = 0; w < SPX_BCH_PWORDS; w++)
    for (uint64_t x = c.w[w]; x; x &= x - 1) {
      double v = soft[64 * w + __builtin_ctzll(x)];
      sum += v < 0 ? -v : v;
    }
  return sum;
}

int spx_bch_decode_soft(const spx_bch *code, const double *soft, unsigned depth, int select,
                        uint32_t *k, unsigned *deg) {
  uint32_t p = code->p;
  unsigned t = code->t;
  spx_parity bits;
  memset(&bits, 0, sizeof bits);
  for (uint32_t r = 0; r < p; r++)
    if (soft[r] < 0) bits.w[r >> 6] |= (uint64_t)1 << (r & 63);
  uint32_t odd[SPX_BCH_TMAX];
  odd_syndromes(code, &bits, odd);
  int e = decode_syndromes(code, odd, k, deg);
  if (e >= 0) return e;
  if (depth > p) depth = p;
  if (depth > SPX_CHASE_MAX) depth = SPX_CHASE_MAX;
  if (depth == 0) return -1;

  /* The depth least reliable positions, ascending reliability (ties: lower index first). */
  uint32_t pos[SPX_CHASE_MAX];
  double rel[SPX_CHASE_MAX];
  unsigned have = 0;
  for (uint32_t r = 0; r < p; r++) {
    double a = soft[r] < 0 ? -soft[r] : soft[r];
    if (have == depth && a >= rel[depth - 1]) continue;
    unsigned i = have < depth ? have++ : depth - 1;
    while (i > 0 && rel[i - 1] > a) {
      rel[i] = rel[i - 1];
      pos[i] = pos[i - 1];
      i--;
    }
    rel[i] = a;
    pos[i] = r;
  }

  size_t total = (size_t)depth * (depth + 1) / 2 - 1; /* non-empty patterns to try */
  pattern heap[2 * (SPX_CHASE_MAX * (SPX_CHASE_MAX + 1) / 2) + 4];
  size_t len = 0;
  heap_push(heap, &len, (pattern){rel[0], 1u, 0});
  int best = -1;
  unsigned best_deg = 0;
  double best_metric = 0;
  uint32_t cand[SPX_BCH_TMAX];
  for (size_t tried = 0; tried < total && len > 0; tried++) {
    pattern cur = heap_pop(heap, &len);
    if (cur.last + 1 < (int)depth) {
      int nx = cur.last + 1;
      heap_push(heap, &len, (pattern){cur.cost + rel[nx], cur.set | (1u << nx), nx});
      heap_push(heap, &len,
                (pattern){cur.cost - rel[cur.last] + rel[nx],
                          (cur.set & ~(1u << cur.last)) | (1u << nx), nx});
    }
    uint32_t s[SPX_BCH_TMAX];
    memcpy(s, odd, t * sizeof *s);
    for (uint32_t set = cur.set; set; set &= set - 1) {
      const uint32_t *row = code->synd + (size_t)pos[__builtin_ctz(set)] * t;
      for (unsigned h = 0; h < t; h++) s[h] ^= row[h];
    }
    unsigned d;
    int ee = decode_syndromes(code, s, cand, &d);
    if (ee < 0) continue;
    if (select == SPX_CHASE_METRIC) {
      double metric = discrepancy(code, soft, &bits, cand, d);
      if (best >= 0 && !(metric < best_metric || (metric == best_metric && ee < best))) continue;
      best_metric = metric;
    } else if (best >= 0 && ee >= best) {
      continue;
    }
    best = ee;
    best_deg = d;
    memcpy(k, cand, d * sizeof *k);
  }
  *deg = best_deg;
  return best;
}
