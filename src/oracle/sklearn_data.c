/* sklearn_data.c: CSV (optionally gzipped) reader for scikit-learn's bundled data files. */
#include "sklearn_data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#include <zlib.h>

#include "core/rng.h"

int spx_dataset_list_file(spx_options *opts, const char *dir, const char *name,
                          spx_oracle_input_fn add, void *ctx, spx_error *err) {
  char path[4096];
  if (dir == NULL || (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
      access(path, R_OK) != 0)
    return SPX_OK;
  if (add(ctx, "data_dir", path, !spx_options_has(opts, "data_dir")))
    return spx_error_set(err, SPX_ENOMEM, "out of memory listing the oracle's files");
  return SPX_OK;
}

void spx_dataset_free(spx_dataset *ds) {
  free(ds->x);
  free(ds->y);
  memset(ds, 0, sizeof *ds);
}

/* Read a (possibly gzipped) text file completely. */
static int read_text(const char *path, char **out, spx_error *err) {
  gzFile f = gzopen(path, "rb");
  if (f == NULL)
    return spx_error_set(err, SPX_EIO,
                         "cannot open %s: %s (install python3-sklearn, which scripts/setup does, "
                         "or set the oracle key data_dir)",
                         path, strerror(errno ? errno : ENOENT));
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  int rc = SPX_OK;
  for (;;) {
    if (buf == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
      break;
    }
    if (len + 4096 + 1 > cap) {
      char *nb = realloc(buf, cap *= 2);
      if (nb == NULL) {
        free(buf);
        buf = NULL;
        continue;
      }
      buf = nb;
    }
    int got = gzread(f, buf + len, 4096);
    if (got < 0) {
      rc = spx_error_set(err, SPX_EIO, "read error in %s", path);
      break;
    }
    if (got == 0) break;
    len += (size_t)got;
  }
  gzclose(f);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[len] = '\0';
  *out = buf;
  return SPX_OK;
}

/* Parse rows of comma-separated numbers, label last. header: skip the first line. */
int spx_dataset_read_csv(const char *path, int header, spx_dataset *ds, spx_error *err) {
  char *text = NULL;
  int rc = read_text(path, &text, err);
  if (rc) return rc;
  memset(ds, 0, sizeof *ds);
  char *save = NULL;
  char *line = strtok_r(text, "\n", &save);
  if (header && line) line = strtok_r(NULL, "\n", &save);
  size_t cap = 0, lineno = header ? 2 : 1;
  for (; line; line = strtok_r(NULL, "\n", &save), lineno++) {
    if (line[0] == '\0' || line[0] == '\r') continue;
    double vals[128];
    size_t nv = 0;
    char *p = line;
    while (*p && nv < 128) {
      char *end;
      vals[nv++] = strtod(p, &end);
      if (end == p) {
        rc = spx_error_set(err, SPX_EIO, "%s:%zu: not a number near '%.20s'", path, lineno, p);
        break;
      }
      p = end;
      while (*p == ',' || *p == ' ' || *p == '\r') p++;
    }
    if (rc) break;
    if (ds->d == 0) ds->d = nv - 1;
    if (nv < 2 || nv - 1 != ds->d) {
      rc = spx_error_set(err, SPX_EIO, "%s:%zu: expected %zu columns, found %zu", path, lineno,
                         ds->d + 1, nv);
      break;
    }
    if (ds->rows == cap) {
      cap = cap ? 2 * cap : 256;
      double *nx = realloc(ds->x, cap * ds->d * sizeof *nx);
      int *ny = nx ? realloc(ds->y, cap * sizeof *ny) : NULL;
      if (nx) ds->x = nx;
      if (ny) ds->y = ny;
      if (nx == NULL || ny == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
        break;
      }
    }
    memcpy(ds->x + ds->rows * ds->d, vals, ds->d * sizeof *vals);
    ds->y[ds->rows++] = (int)vals[nv - 1];
  }
  free(text);
  if (rc == SPX_OK && ds->rows == 0) rc = spx_error_set(err, SPX_EIO, "%s: no data rows", path);
  if (rc) spx_dataset_free(ds);
  return rc;
}


int spx_dataset_shuffle(spx_dataset *ds, uint64_t seed, const char *name, spx_error *err) {
  if (ds->rows < 2) return SPX_OK;
  gsl_rng *r = spx_rng_stream(seed, spx_hash_string(name), 0, 0, 0);
  double *tmp = malloc((ds->d ? ds->d : 1) * sizeof *tmp);
  if (r == NULL || tmp == NULL) {
    if (r) gsl_rng_free(r);
    free(tmp);
    return spx_error_set(err, SPX_ENOMEM, "out of memory shuffling the data");
  }
  size_t bytes = ds->d * sizeof *tmp;
  for (size_t i = ds->rows - 1; i > 0; i--) {
    size_t j = (size_t)gsl_rng_uniform_int(r, i + 1);
    memcpy(tmp, ds->x + i * ds->d, bytes);
    memcpy(ds->x + i * ds->d, ds->x + j * ds->d, bytes);
    memcpy(ds->x + j * ds->d, tmp, bytes);
    int t = ds->y[i];
    ds->y[i] = ds->y[j];
    ds->y[j] = t;
  }
  gsl_rng_free(r);
  free(tmp);
  return SPX_OK;
}
