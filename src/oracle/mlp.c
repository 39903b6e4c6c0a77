/* mlp.c: training, evaluation and caching of the small MLP behind the `components` oracle. */
#include "mlp.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/rng.h"

spx_mlp *spx_mlp_create(size_t in, size_t hidden, size_t out) {
  spx_mlp *m = calloc(1, sizeof *m);
  if (m == NULL) return NULL;
  m->in = in, m->hidden = hidden, m->out = out;
  m->w1 = calloc(hidden * in, sizeof *m->w1);
  m->b1 = calloc(hidden, sizeof *m->b1);
  m->w2 = calloc(out * hidden, sizeof *m->w2);
  m->b2 = calloc(out, sizeof *m->b2);
  if (!m->w1 || !m->b1 || !m->w2 || !m->b2) spx_mlp_destroy(&m);
  return m;
}

void spx_mlp_destroy(spx_mlp **m) {
  if (m == NULL || *m == NULL) return;
  free((*m)->w1);
  free((*m)->b1);
  free((*m)->w2);
  free((*m)->b2);
  free(*m);
  *m = NULL;
}

void spx_mlp_hidden(const spx_mlp *m, const double *x, double *h) {
  for (size_t j = 0; j < m->hidden; j++) {
    double a = m->b1[j];
    const double *w = m->w1 + j * m->in;
    for (size_t i = 0; i < m->in; i++) a += w[i] * x[i];
    h[j] = a > 0 ? a : 0;
  }
}

void spx_mlp_logits(const spx_mlp *m, const double *h, const double *keep, double *z) {
  for (size_t c = 0; c < m->out; c++) {
    double a = m->b2[c];
    const double *w = m->w2 + c * m->hidden;
    for (size_t j = 0; j < m->hidden; j++) a += w[j] * h[j] * (keep ? keep[j] : 1.0);
    z[c] = a;
  }
}

int spx_mlp_train(spx_mlp *m, const double *x, const int *y, size_t rows,
                  const spx_mlp_train_opts *o, spx_error *err) {
  size_t H = m->hidden, I = m->in, O = m->out;
  size_t np = H * I + H + O * H + O;
  gsl_rng *r = spx_rng_stream(o->seed, spx_hash_string("mlp init"), 0, 0, 0);
  double *grad = calloc(np, sizeof *grad), *vel = calloc(np, sizeof *vel);
  double *h = malloc(H * sizeof *h), *z = malloc(O * sizeof *z), *dh = malloc(H * sizeof *dh);
  size_t *perm = malloc(rows * sizeof *perm);
  int rc = SPX_OK;
  if (!r || !grad || !vel || !h || !z || !dh || !perm) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory training the MLP");
    goto done;
  }
  /* He initialisation. */
  for (size_t k = 0; k < H * I; k++) m->w1[k] = gsl_ran_gaussian(r, sqrt(2.0 / (double)I));
  for (size_t k = 0; k < O * H; k++) m->w2[k] = gsl_ran_gaussian(r, sqrt(2.0 / (double)H));
  memset(m->b1, 0, H * sizeof *m->b1);
  memset(m->b2, 0, O * sizeof *m->b2);
  for (size_t i = 0; i < rows; i++) perm[i] = i;
  for (int ep = 0; ep < o->epochs; ep++) {
    gsl_ran_shuffle(r, perm, rows, sizeof *perm);
    for (size_t start = 0; start < rows; start += o->batch) {
      size_t end = start + o->batch < rows ? start + o->batch : rows;
      memset(grad, 0, np * sizeof *grad);
      double *gw1 = grad, *gb1 = gw1 + H * I, *gw2 = gb1 + H, *gb2 = gw2 + O * H;
      for (size_t b = start; b < end; b++) {
        const double *xi = x + perm[b] * I;
        int yi = y[perm[b]];
        spx_mlp_hidden(m, xi, h);
        spx_mlp_logits(m, h, NULL, z);
        double mx = z[0], sum = 0;
        for (size_t c = 1; c < O; c++) mx = z[c] > mx ? z[c] : mx;
        for (size_t c = 0; c < O; c++) sum += (z[c] = exp(z[c] - mx));
        memset(dh, 0, H * sizeof *dh);
        for (size_t c = 0; c < O; c++) {
          double dz = z[c] / sum - ((int)c == yi);
          gb2[c] += dz;
          for (size_t j = 0; j < H; j++) {
            gw2[c * H + j] += dz * h[j];
            dh[j] += dz * m->w2[c * H + j];
          }
        }
        for (size_t j = 0; j < H; j++) {
          if (h[j] <= 0) continue;
          gb1[j] += dh[j];
          for (size_t i = 0; i < I; i++) gw1[j * I + i] += dh[j] * xi[i];
        }
      }
      double scale = 1.0 / (double)(end - start);
      double *params[4] = {m->w1, m->b1, m->w2, m->b2};
      size_t sizes[4] = {H * I, H, O * H, O};
      size_t off = 0;
      for (int blk = 0; blk < 4; blk++)
        for (size_t k = 0; k < sizes[blk]; k++, off++) {
          double g = grad[off] * scale + o->weight_decay * params[blk][k];
          vel[off] = o->momentum * vel[off] - o->learning_rate * g;
          params[blk][k] += vel[off];
        }
    }
  }
done:
  if (r) gsl_rng_free(r);
  free(grad);
  free(vel);
  free(h);
  free(z);
  free(dh);
  free(perm);
  return rc;
}

#define MLP_MAGIC 0x53505845584d4c50ULL /* "SPXEXMLP" */

int spx_mlp_save(const spx_mlp *m, const char *path, uint64_t key, spx_error *err) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (f == NULL)
    return spx_error_set(err, SPX_EIO, "cannot write MLP cache %s: %s", tmp, strerror(errno));
  uint64_t head[5] = {MLP_MAGIC, key, m->in, m->hidden, m->out};
  int ok = fwrite(head, sizeof head, 1, f) == 1 &&
           fwrite(m->w1, sizeof *m->w1, m->hidden * m->in, f) == m->hidden * m->in &&
           fwrite(m->b1, sizeof *m->b1, m->hidden, f) == m->hidden &&
           fwrite(m->w2, sizeof *m->w2, m->out * m->hidden, f) == m->out * m->hidden &&
           fwrite(m->b2, sizeof *m->b2, m->out, f) == m->out;
  ok &= fclose(f) == 0;
  /* Write to a private name, then rename: concurrent ranks never see a partial file. */
  if (!ok || rename(tmp, path) != 0) {
    remove(tmp);
    return spx_error_set(err, SPX_EIO, "cannot write MLP cache %s: %s", path, strerror(errno));
  }
  return SPX_OK;
}

int spx_mlp_load(spx_mlp **out, const char *path, uint64_t key, spx_error *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return spx_error_set(err, SPX_EIO, "no MLP cache at %s", path);
  uint64_t head[5];
  int rc = SPX_OK;
  spx_mlp *m = NULL;
  if (fread(head, sizeof head, 1, f) != 1 || head[0] != MLP_MAGIC || head[1] != key ||
      head[2] == 0 || head[3] == 0 || head[4] == 0 || head[2] > 4096 || head[3] > 4096 ||
      head[4] > 4096) {
    rc = spx_error_set(err, SPX_EIO, "MLP cache %s was written for other settings", path);
  } else if ((m = spx_mlp_create(head[2], head[3], head[4])) == NULL) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory loading %s", path);
  } else if (fread(m->w1, sizeof *m->w1, m->hidden * m->in, f) != m->hidden * m->in ||
             fread(m->b1, sizeof *m->b1, m->hidden, f) != m->hidden ||
             fread(m->w2, sizeof *m->w2, m->out * m->hidden, f) != m->out * m->hidden ||
             fread(m->b2, sizeof *m->b2, m->out, f) != m->out) {
    rc = spx_error_set(err, SPX_EIO, "MLP cache %s is truncated", path);
  }
  fclose(f);
  if (rc) {
    spx_mlp_destroy(&m);
    return rc;
  }
  *out = m;
  return SPX_OK;
}
