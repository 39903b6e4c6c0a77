/* refine.c: optional SPEX refinement: refit the recovered support plus the constant and all
 * first-order terms by ridge or lasso regression in the Fourier basis on every queried
 * sample, the penalty chosen by K-fold cross-validation over design rows.
 *
 * No design matrix is formed. A sample of row (c, r) is x = M_c l + D[r], so the column of
 * interaction k is (-1)^<l, h_c(k)> s_r(k) with h_c(k) = M_c^T k and s_r(k) = (-1)^<D[r],k>.
 * By Parseval the residual sum of squares of row (c, r) equals 2^b times the squared norm of
 * its bin-domain residual E_{c,r} = U_{c,r} - sum_k beta_k s_r(k) [bin h_c(k)], so coordinate
 * descent works on E: each coordinate touches one bin per group, for all p+1 delays. Every
 * column has unit mean square on any set of rows, which makes the coordinate steps exact.
 *
 * Objectives (N = samples of the training rows, the constant term is not penalised):
 *   ridge: (1/2N) ||y - X beta||^2 + (alpha/2) ||beta||^2
 *   lasso: (1/2N) ||y - X beta||^2 + alpha ||beta||_1 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "spex_internal.h"

typedef struct {
  const uint32_t *idx;
  uint32_t deg;
  spx_parity par;
  uint32_t bin[SPX_SPEX_CMAX];
} column;

typedef struct {
  const spx_spex_design *d;
  size_t ncol, P1, nb;
  column *cols;
  double *beta;
  double *E;      /* residual bins, same layout as spx_spex_bins.U */
  double *weight; /* per design row: 1 if in the training rows, else 0 */
  double inv_rows;
  double *sig;    /* p+1 scratch */
} fit;

static void col_signature(const fit *f, const column *col) {
  f->sig[0] = 1.0;
  for (uint32_t r = 0; r < f->d->p; r++) f->sig[r + 1] = spx_parity_bit(&col->par, r) ? -1.0 : 1.0;
}

/* Coordinate descent sweeps at penalty alpha until the largest change is below tol. */
static void sweeps(fit *f, int kind, double alpha, unsigned max_sweeps, double tol) {
  const spx_spex_design *d = f->d;
  for (unsigned it = 0; it < max_sweeps; it++) {
    double maxdelta = 0;
    for (size_t i = 0; i < f->ncol; i++) {
      const column *col = &f->cols[i];
      col_signature(f, col);
      double z = 0;
      for (unsigned c = 0; c < d->groups; c++) {
        const double *e = f->E + (((size_t)c * f->nb) + col->bin[c]) * f->P1;
        const double *w = f->weight + (size_t)c * f->P1;
        for (size_t r = 0; r < f->P1; r++) z += w[r] * f->sig[r] * e[r];
      }
      double old = f->beta[i];
      z = old + z * f->inv_rows;
      double nw;
      if (col->deg == 0)
        nw = z; /* the constant is not penalised */
      else if (kind == SPX_REFINE_LASSO)
        nw = z > alpha ? z - alpha : (z < -alpha ? z + alpha : 0.0);
      else
        nw = z / (1.0 + alpha);
      double delta = nw - old;
      if (delta == 0) continue;
      f->beta[i] = nw;
      for (unsigned c = 0; c < d->groups; c++) {
        double *e = f->E + (((size_t)c * f->nb) + col->bin[c]) * f->P1;
        for (size_t r = 0; r < f->P1; r++) e[r] -= delta * f->sig[r];
      }
      if (fabs(delta) > maxdelta) maxdelta = fabs(delta);
    }
    if (maxdelta < tol) break;
  }
}

/* Sum of squared residuals over the rows with weight 0 (the held-out fold). */
static double heldout_sse(const fit *f) {
  double sse = 0;
  for (unsigned c = 0; c < f->d->groups; c++)
    for (size_t j = 0; j < f->nb; j++) {
      const double *e = f->E + (((size_t)c * f->nb) + j) * f->P1;
      const double *w = f->weight + (size_t)c * f->P1;
      for (size_t r = 0; r < f->P1; r++)
        if (w[r] == 0.0) sse += e[r] * e[r];
    }
  return sse * (double)f->nb;
}

static void reset(fit *f, const spx_spex_bins *orig) {
  memcpy(f->E, orig->U, orig->count * sizeof *f->E);
  memset(f->beta, 0, f->ncol * sizeof *f->beta);
}

int spx_spex_refine(const spx_spex_design *d, const spx_spex_bins *orig,
                    const spx_spex_refine_opts *o, gsl_rng *rng, spx_transform *tf,
                    double *alpha_out, spx_error *err) {
  *alpha_out = 0;
  if (o->kind == SPX_REFINE_NONE) return SPX_OK;
  int rc = SPX_OK;
  fit f;
  memset(&f, 0, sizeof f);
  f.d = d;
  f.P1 = (size_t)d->p + 1;
  f.nb = (size_t)1 << d->b;
  size_t rows = (size_t)d->groups * f.P1;

  /* Support: recovered interactions, the constant and every first-order term. */
  spx_transform *supp = spx_transform_create((uint32_t)d->n, SPX_BASIS_FOURIER);
  unsigned *fold = malloc(rows * sizeof *fold);
  if (supp == NULL || fold == NULL) goto nomem;
  for (size_t e = 0; e < spx_transform_size(tf); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(tf, e, &idx, &deg, &v);
    if ((rc = spx_transform_set(supp, idx, deg, 0.0, err))) goto out;
  }
  uint32_t none = 0; /* the empty interaction (a non-NULL pointer for degree 0) */
  if ((rc = spx_transform_set(supp, &none, 0, 0.0, err))) goto out;
  for (uint32_t i = 0; i < d->n; i++)
    if ((rc = spx_transform_set(supp, &i, 1, 0.0, err))) goto out;
  f.ncol = spx_transform_size(supp);
  f.cols = malloc(f.ncol * sizeof *f.cols);
  f.beta = calloc(f.ncol, sizeof *f.beta);
  f.E = malloc(orig->count * sizeof *f.E);
  f.weight = malloc(rows * sizeof *f.weight);
  f.sig = malloc(f.P1 * sizeof *f.sig);
  if (!f.cols || !f.beta || !f.E || !f.weight || !f.sig) goto nomem;
  for (size_t i = 0; i < f.ncol; i++) {
    double v;
    column *col = &f.cols[i];
    spx_transform_entry(supp, i, &col->idx, &col->deg, &v);
    spx_bch_encode(d->code, col->idx, col->deg, &col->par);
    for (unsigned c = 0; c < d->groups; c++) col->bin[c] = spx_spex_hash(d, c, col->idx, col->deg);
  }

  double N = (double)orig->samples;
  double mean = orig->sum / N, var = orig->sumsq / N - mean * mean;
  double sd = var > 0 ? sqrt(var) : 0;
  double tol = o->tol * (sd > 0 ? sd : 1.0);

  /* Penalty grid. Lasso: alpha_max (the smallest penalty that zeroes every penalised
   * coefficient, from the correlations with the centred data) down to 1e-6 alpha_max in
   * steps of 10^-0.5. Ridge: 1e2 down to 1e-8 in steps of 10 (unitless: columns have unit
   * mean square). */
  double grid[16];
  unsigned ngrid = 0;
  if (o->alpha > 0) {
    grid[ngrid++] = o->alpha;
  } else if (o->kind == SPX_REFINE_LASSO) {
    for (size_t q = 0; q < rows; q++) f.weight[q] = 1.0;
    f.inv_rows = 1.0 / (double)rows;
    reset(&f, orig);
    sweeps(&f, SPX_REFINE_LASSO, INFINITY, 1, 0); /* fits the constant only */
    double amax = 0;
    for (size_t i = 0; i < f.ncol; i++) {
      if (f.cols[i].deg == 0) continue;
      col_signature(&f, &f.cols[i]);
      double z = 0;
      for (unsigned c = 0; c < d->groups; c++) {
        const double *e = f.E + (((size_t)c * f.nb) + f.cols[i].bin[c]) * f.P1;
        for (size_t r = 0; r < f.P1; r++) z += f.sig[r] * e[r];
      }
      z = fabs(z) * f.inv_rows;
      if (z > amax) amax = z;
    }
    if (amax <= 0) amax = sd > 0 ? sd : 1.0;
    for (unsigned g = 0; g < 13; g++) grid[ngrid++] = amax * pow(10.0, -0.5 * g);
  } else {
    for (int g = 2; g >= -8; g--) grid[ngrid++] = pow(10.0, g);
  }

  unsigned best = 0;
  if (ngrid > 1) {
    /* Folds: a random partition of the design rows. */
    for (size_t q = 0; q < rows; q++) fold[q] = (unsigned)(q % o->folds);
    gsl_ran_shuffle(rng, fold, rows, sizeof *fold);
    double cv[16] = {0};
    for (unsigned k = 0; k < o->folds; k++) {
      size_t train = 0;
      for (size_t q = 0; q < rows; q++) {
        f.weight[q] = fold[q] == k ? 0.0 : 1.0;
        train += fold[q] != k;
      }
      if (train == 0 || train == rows) continue;
      f.inv_rows = 1.0 / (double)train;
      reset(&f, orig);
      for (unsigned g = 0; g < ngrid; g++) { /* warm-started path, largest penalty first */
        sweeps(&f, o->kind, grid[g], o->max_sweeps, tol);
        cv[g] += heldout_sse(&f);
      }
    }
    for (unsigned g = 1; g < ngrid; g++)
      if (cv[g] < cv[best]) best = g;
  }
  /* Final fit on every row along the path down to the chosen penalty. */
  for (size_t q = 0; q < rows; q++) f.weight[q] = 1.0;
  f.inv_rows = 1.0 / (double)rows;
  reset(&f, orig);
  for (unsigned g = 0; g <= best; g++) sweeps(&f, o->kind, grid[g], o->max_sweeps, tol);
  *alpha_out = grid[best];

  spx_transform_clear(tf);
  for (size_t i = 0; i < f.ncol; i++) {
    if (f.beta[i] == 0.0 && f.cols[i].deg > 0) continue;
    if ((rc = spx_transform_set(tf, f.cols[i].idx, f.cols[i].deg, f.beta[i], err))) goto out;
  }
  goto out;
nomem:
  rc = spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX refinement (%zu columns)",
                     f.ncol);
out:
  spx_transform_destroy(&supp);
  free(fold);
  free(f.cols);
  free(f.beta);
  free(f.E);
  free(f.weight);
  free(f.sig);
  return rc;
}
