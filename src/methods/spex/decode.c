/* decode.c: SPEX decoding: the normalised WHT of every (group, delay) row into bin vectors,
 * bin classification (zeroton / singleton / multiton, thresholds relative to the signal's
 * energy), singleton identification by hard or Chase soft BCH decoding, the check that the
 * decoded k hashes to its bin, the coefficient estimate over all delays, and peeling across
 * groups with averaging of repeated detections and the stall ("trap") exit. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../../core/wht.h"
#include "spex_internal.h"

spx_spex_bins *spx_spex_bins_create(const spx_spex_design *d, spx_error *err) {
  spx_spex_bins *bins = calloc(1, sizeof *bins);
  if (bins == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX bins");
    return NULL;
  }
  bins->count = ((size_t)d->groups << d->b) * ((size_t)d->p + 1);
  bins->U = calloc(bins->count, sizeof *bins->U);
  if (bins->U == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for %zu SPEX bin values", bins->count);
    free(bins);
    return NULL;
  }
  return bins;
}

void spx_spex_bins_destroy(spx_spex_bins **bins) {
  if (bins == NULL || *bins == NULL) return;
  free((*bins)->U);
  free(*bins);
  *bins = NULL;
}

void spx_spex_bins_count(spx_spex_bins *bins, const double *values, size_t count) {
  double sum = 0, sumsq = 0;
  for (size_t z = 0; z < count; z++) {
    sum += values[z];
    sumsq += values[z] * values[z];
  }
  bins->sum += sum;
  bins->sumsq += sumsq;
  bins->samples += count;
}

void spx_spex_bins_add_row(const spx_spex_design *d, spx_spex_bins *bins, size_t q,
                           const double *values, const spx_wht_plan *plan, double *work) {
  size_t nb = (size_t)1 << d->b, P1 = (size_t)d->p + 1;
  size_t c = q / P1, r = q % P1;
  spx_spex_bins_count(bins, values, nb);
  memcpy(work, values, nb * sizeof *work);
  spx_wht_execute(plan, work);
  double scale = 1.0 / (double)nb;
  double *U = bins->U + (c << d->b) * P1 + r;
  for (size_t j = 0; j < nb; j++) U[j * P1] = work[j] * scale;
}

/* One singleton detection of a round: k, its estimate, how many times it was seen. */
typedef struct {
  uint32_t k[SPX_BCH_TMAX];
  unsigned deg;
  double sum;
  unsigned count;
} detection;

static int same_k(const detection *a, const uint32_t *k, unsigned deg) {
  return a->deg == deg && memcmp(a->k, k, deg * sizeof *k) == 0;
}

/* Signs s_r = (-1)^<D[r], k> of k's delay signature (s_0 = 1). */
static void signature(const spx_spex_design *d, const uint32_t *k, unsigned deg, double *s) {
  spx_parity par;
  spx_bch_encode(d->code, k, deg, &par);
  s[0] = 1.0;
  for (uint32_t r = 0; r < d->p; r++) s[r + 1] = spx_parity_bit(&par, r) ? -1.0 : 1.0;
}

/* Try to identify the bin vector u (p+1 values) of bin j in group c as a singleton. Returns 1
 * with k and the estimate rho when the decoded k hashes to j and explains enough energy. */
static int identify(const spx_spex_design *d, const spx_spex_decode_opts *o, unsigned c,
                    uint32_t j, const double *u, double energy, double *soft, double *sig,
                    uint32_t *k, unsigned *deg, double *rho) {
  uint32_t p = d->p;
  /* u_r u_0 has the sign and reliability order of Re(u_r / u_0) without dividing by u_0. */
  for (uint32_t r = 0; r < p; r++) soft[r] = u[r + 1] * u[0];
  int e;
  if (o->decoder == SPX_SPEX_SOFT) {
    e = spx_bch_decode_soft(d->code, soft, o->chase_depth, o->chase_select, k, deg);
  } else {
    spx_parity bits;
    memset(&bits, 0, sizeof bits);
    for (uint32_t r = 0; r < p; r++)
      if (soft[r] < 0) bits.w[r >> 6] |= (uint64_t)1 << (r & 63);
    e = spx_bch_decode_hard(d->code, &bits, k, deg);
  }
  if (e < 0) return 0;
  if (spx_spex_hash(d, c, k, *deg) != j) return 0;
  signature(d, k, *deg, sig);
  double dot = 0;
  for (uint32_t r = 0; r <= p; r++) dot += sig[r] * u[r];
  double P1 = (double)p + 1.0;
  *rho = dot / P1;
  double res = energy - P1 * (*rho) * (*rho);
  if (res < 0) res = 0;
  return res < o->res_cutoff * energy;
}

double spx_spex_cutoff(const spx_spex_bins *bins, const spx_spex_decode_opts *o,
                       const spx_spex_design *d, double *scale) {
  double N = bins->samples ? (double)bins->samples : 1.0;
  double mean = bins->sum / N, second = bins->sumsq / N;
  double var = second - mean * mean;
  if (var < 0) var = 0;
  /* Zeroton iff the bin energy per delay is at most zero_tol x (variance of the samples),
   * plus a floor at the rounding level of the transforms (relative to the second moment). */
  double guard = 64.0 * DBL_EPSILON;
  if (scale) *scale = var;
  return (o->zero_tol * var + guard * guard * second) * ((double)d->p + 1.0);
}

void spx_spex_classify(const spx_spex_design *d, const spx_spex_decode_opts *o, unsigned c,
                       uint32_t j, const double *u, double cutoff, double *scratch,
                       spx_spex_bin_result *r) {
  size_t P1 = (size_t)d->p + 1;
  double energy = 0;
  for (size_t q = 0; q < P1; q++) energy += u[q] * u[q];
  memset(r, 0, sizeof *r);
  if (energy <= cutoff) {
    r->status = SPX_SPEX_ZEROTON;
    return;
  }
  unsigned deg;
  r->status = identify(d, o, c, j, u, energy, scratch, scratch + P1, r->k, &deg, &r->rho)
                  ? SPX_SPEX_SINGLETON
                  : SPX_SPEX_MULTITON;
  r->deg = deg;
}

int spx_spex_peel(const spx_spex_design *d, spx_spex_bins *bins, const spx_spex_decode_opts *o,
                  const spx_spex_bin_result *first, gsl_rng *rng, spx_transform *out,
                  spx_spex_decode_info *info, spx_error *err) {
  memset(info, 0, sizeof *info);
  size_t nb = (size_t)1 << d->b, P1 = (size_t)d->p + 1, C = d->groups;
  double cutoff = spx_spex_cutoff(bins, o, d, &info->scale);

  unsigned order[SPX_SPEX_CMAX];
  for (unsigned c = 0; c < C; c++) order[c] = c;
  gsl_ran_shuffle(rng, order, C, sizeof *order);

  unsigned char *check = malloc(C * nb);
  size_t *history = malloc(((size_t)o->max_iter + 1) * sizeof *history);
  double *scratch = malloc(2 * P1 * sizeof *scratch);
  size_t cap = 1024, ndet = 0;
  detection *det = malloc(cap * sizeof *det);
  spx_transform *index = spx_transform_create((uint32_t)d->n, SPX_BASIS_FOURIER);
  if (!check || !history || !scratch || !det || !index) {
    free(check);
    free(history);
    free(scratch);
    free(det);
    spx_transform_destroy(&index);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX peeling decoder");
  }
  memset(check, 1, C * nb);
  double *sig = scratch + P1;
  int rc = SPX_OK;
  int cont = 1;
  unsigned iter = 0;
  while (cont && iter < o->max_iter) {
    ndet = 0;
    spx_transform_clear(index);
    int found = 0;
    for (unsigned oc = 0; oc < C; oc++) {
      unsigned c = order[oc];
      for (size_t j = 0; j < nb; j++) {
        unsigned char *flag = check + c * nb + j;
        if (!*flag) continue;
        spx_spex_bin_result here;
        const spx_spex_bin_result *br = &here;
        if (iter == 0 && first)
          br = &first[c * nb + j]; /* the first pass, done before (possibly elsewhere) */
        else
          spx_spex_classify(d, o, c, (uint32_t)j, bins->U + ((c << d->b) + j) * P1, cutoff,
                            scratch, &here);
        if (br->status == SPX_SPEX_ZEROTON) {
          *flag = 0;
          continue;
        }
        info->decodes++;
        if (br->status != SPX_SPEX_SINGLETON) {
          *flag = 0; /* multiton: wait until something is peeled into this bin */
          continue;
        }
        const uint32_t *k = br->k;
        unsigned deg = br->deg;
        double rho = br->rho;
        found = 1;
        info->singletons++;
        /* index maps k to its detection slot + 1 within this round */
        int seen;
        double slot = spx_transform_get(index, k, deg, &seen);
        if (seen) {
          detection *x = &det[(size_t)slot - 1];
          if (same_k(x, k, deg)) {
            x->sum += rho;
            x->count++;
            continue;
          }
        }
        if (ndet == cap) {
          detection *bigger = realloc(det, 2 * cap * sizeof *det);
          if (bigger == NULL) {
            rc = spx_error_set(err, SPX_ENOMEM, "out of memory for SPEX detections");
            goto done;
          }
          det = bigger;
          cap *= 2;
        }
        detection *x = &det[ndet++];
        memcpy(x->k, k, deg * sizeof *k);
        x->deg = deg;
        x->sum = rho;
        x->count = 1;
        rc = spx_transform_set(index, k, deg, (double)ndet, err);
        if (rc) goto done;
      }
    }
    cont = found;
    if (o->trap_exit && iter >= 15 && history[iter - 1] == history[iter - 15]) cont = 0;
    /* Peel every distinct k (average of its detections) from its bin in every group. */
    for (size_t i = 0; i < ndet; i++) {
      const detection *x = &det[i];
      double v = x->sum / (double)x->count;
      int known;
      spx_transform_get(out, x->k, x->deg, &known);
      rc = spx_transform_add(out, x->k, x->deg, v, err);
      if (rc) goto done;
      if (!known) info->distinct++;
      signature(d, x->k, x->deg, sig);
      for (unsigned c = 0; c < C; c++) {
        uint32_t j = spx_spex_hash(d, c, x->k, x->deg);
        double *u = bins->U + ((c << d->b) + j) * P1;
        for (size_t r = 0; r < P1; r++) u[r] -= v * sig[r];
        check[c * nb + j] = 1;
      }
    }
    history[iter] = info->distinct;
    iter++;
  }
done:
  info->iterations = iter;
  free(check);
  free(history);
  free(scratch);
  free(det);
  spx_transform_destroy(&index);
  return rc;
}
