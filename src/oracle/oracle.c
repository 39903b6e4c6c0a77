/* oracle.c: dispatch, counting and bookkeeping shared by all oracles. */
#include "oracle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/timer.h"

spx_oracle *spx_oracle_alloc(const spx_oracle_type *type) {
  spx_oracle *o = calloc(1, sizeof *o);
  if (o) o->type = type;
  return o;
}

const spx_oracle_type *spx_oracle_find(const char *kind, spx_error *err) {
  const spx_oracle_type *type = spx_oracle_lookup(kind);
  if (type) return type;
  char list[512] = "";
  const spx_oracle_type *const *all = spx_oracle_types();
  for (size_t i = 0; all[i]; i++) {
    if (i) strcat(list, ", ");
    strncat(list, all[i]->name, sizeof list - strlen(list) - 3);
  }
  spx_error_set(err, SPX_EINVAL, "unknown oracle kind '%s' (known: %s)", kind, list);
  return NULL;
}

const spx_option_decl spx_oracle_common_options[] = {
    {"retries", SPX_DECL_INT, "2", 0, 100, NULL,
     "re-evaluations of a failed batch, each on a freshly reopened oracle", NULL},
    {"retry_backoff", SPX_DECL_FLOAT, "0.5", 0, 3600, NULL,
     "seconds before the first retry (doubled before each further one)", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

/* A copy of the options for spx_oracle_reopen, taken before the type reads them (so a reopen
 * sees exactly what the first open saw). */
static int keep_for_reopen(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  o->reopen_opts = spx_options_clone(opts);
  SPX_CHECK_ALLOC(o->reopen_opts, err);
  o->explicand_index = explicand;
  return SPX_OK;
}

/* The keys every oracle accepts. */
static int open_common(spx_oracle *o, spx_options *opts, spx_error *err) {
  long long retries = 2;
  double backoff = 0.5;
  int rc;
  if ((rc = spx_opt_int(opts, "retries", &retries, err)) ||
      (rc = spx_opt_double(opts, "retry_backoff", &backoff, err)))
    return rc;
  o->retries = (unsigned)retries;
  o->retry_backoff = backoff;
  return SPX_OK;
}

/* Attach the tables of type and the common keys to opts. */
static int declare(const spx_oracle_type *type, spx_options *opts, spx_error *err) {
  int rc = spx_options_declare(opts, type->options, err);
  return rc ? rc : spx_options_declare(opts, spx_oracle_common_options, err);
}

int spx_oracle_open(const spx_oracle_type *type, spx_options *opts, size_t explicand,
                    spx_oracle **out, spx_error *err) {
  *out = NULL;
  if (type == NULL) return spx_error_set(err, SPX_EINVAL, "no oracle kind given");
  spx_oracle *o = spx_oracle_alloc(type);
  SPX_CHECK_ALLOC(o, err);
  int rc = declare(type, opts, err);
  if (rc == SPX_OK) rc = keep_for_reopen(o, opts, explicand, err);
  if (rc == SPX_OK) rc = open_common(o, opts, err);
  if (rc == SPX_OK) rc = type->open(o, opts, explicand, err);
  if (rc == SPX_OK) rc = spx_options_check_unused(opts, err);
  if (rc == SPX_OK && o->n == 0)
    rc = spx_error_set(err, SPX_EINTERNAL, "oracle %s opened with n = 0", type->name);
  if (rc) {
    spx_oracle_destroy(&o);
    return rc;
  }
  *out = o;
  return SPX_OK;
}

int spx_oracle_explicands(const spx_oracle_type *type, spx_options *opts, size_t *count,
                          spx_error *err) {
  if (type == NULL) return spx_error_set(err, SPX_EINVAL, "no oracle kind given");
  int rc = declare(type, opts, err);
  if (rc) return rc;
  if (type->explicands == NULL) {
    *count = 1;
    return SPX_OK;
  }
  return type->explicands(opts, count, err);
}

int spx_oracle_inputs(const spx_oracle_type *type, spx_options *opts, spx_oracle_input_fn add,
                      void *ctx, spx_error *err) {
  if (type == NULL) return spx_error_set(err, SPX_EINVAL, "no oracle kind given");
  int rc = declare(type, opts, err);
  if (rc || type->inputs == NULL) return rc;
  return type->inputs(opts, add, ctx, err);
}

/* Everything the type's open fills in, freed (the counters and reopen data stay). */
static void close_state(spx_oracle *p) {
  if (p->type && p->type->close && p->state) p->type->close(p);
  p->state = NULL;
  spx_oracle_destroy(&p->inner);
  if (p->labels) {
    for (size_t i = 0; i < p->n; i++) free(p->labels[i]);
    free(p->labels);
  }
  p->labels = NULL;
  free(p->explicand);
  p->explicand = NULL;
}

void spx_oracle_destroy(spx_oracle **o) {
  if (o == NULL || *o == NULL) return;
  spx_oracle *p = *o;
  close_state(p);
  spx_options_destroy(&p->reopen_opts);
  free(p);
  *o = NULL;
}

int spx_oracle_reopen(spx_oracle *o, spx_error *err) {
  if (o->lost)
    return spx_error_set(err, SPX_EORACLE, "oracle %s is lost (an earlier reopen failed)",
                         o->type->name);
  size_t n = o->n;
  close_state(o);
  int rc;
  spx_options *opts = o->reopen_opts ? spx_options_clone(o->reopen_opts) : NULL;
  if (o->reopen_opts == NULL)
    rc = spx_error_set(err, SPX_EINTERNAL, "oracle %s was not opened by name: it cannot be "
                       "reopened", o->type->name);
  else if (opts == NULL)
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory reopening oracle %s", o->type->name);
  else if ((rc = declare(o->type, opts, err)) == SPX_OK &&
           (rc = open_common(o, opts, err)) == SPX_OK)
    rc = o->type->open(o, opts, o->explicand_index, err);
  spx_options_destroy(&opts);
  if (rc == SPX_OK && o->n != n)
    rc = spx_error_set(err, SPX_EORACLE, "oracle %s reopened with n = %zu instead of %zu",
                       o->type->name, o->n, n);
  if (rc) {
    close_state(o);
    o->n = n;
    o->lost = 1;
    spx_error_prefix(err, "reopening oracle %s", o->type->name);
    return rc;
  }
  o->reopens++;
  return SPX_OK;
}

int spx_oracle_lost(const spx_oracle *o) { return o != NULL && o->lost; }

int spx_oracle_retryable(int code) {
  return code == SPX_EORACLE || code == SPX_EIO || code == SPX_ETIMEOUT;
}

int spx_oracle_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err) {
  if (masks->n != o->n)
    return spx_error_set(err, SPX_EINVAL, "oracle %s has n = %zu but masks have n = %zu",
                         o->type->name, o->n, masks->n);
  if (first + count > masks->count)
    return spx_error_set(err, SPX_EINVAL, "rows %zu..%zu beyond the %zu masks of the batch", first,
                         first + count, masks->count);
  if (count == 0) return SPX_OK;
  if (o->lost)
    return spx_error_set(err, SPX_EORACLE, "oracle %s is lost (reopening it after a failure "
                         "failed)", o->type->name);
  double t0 = spx_time_now();
  int rc = o->type->eval(o, masks, first, count, out, err);
  o->seconds += spx_time_now() - t0;
  if (rc) return rc;
  for (size_t i = 0; i < count; i++)
    if (!isfinite(out[i]))
      return spx_error_set(err, SPX_EORACLE, "oracle %s returned %g for mask %zu of the batch",
                           o->type->name, out[i], first + i);
  o->queries += count;
  return SPX_OK;
}

int spx_oracle_eval_retrying(spx_oracle *o, const spx_maskset *masks, double *out,
                             spx_error *err) {
  for (unsigned attempt = 0;; attempt++) {
    int rc = spx_oracle_eval(o, masks, 0, masks->count, out, err);
    if (rc == SPX_OK || !spx_oracle_retryable(rc) || o->lost) return rc;
    int last = attempt >= o->retries;
    if (!last) {
      double s = o->retry_backoff * (double)(1u << (attempt < 20 ? attempt : 20));
      struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
      nanosleep(&ts, NULL);
    }
    spx_error re = {0};
    if (spx_oracle_reopen(o, &re)) {
      if (err) {
        spx_error_prefix(err, "after %u retr%s", attempt, attempt == 1 ? "y" : "ies");
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, "; then %s", re.msg);
      }
      return rc;
    }
    if (last) {
      if (attempt) spx_error_prefix(err, "failed again after %u retr%s on a reopened oracle",
                                    attempt, attempt == 1 ? "y" : "ies");
      return rc;
    }
  }
}

int spx_oracle_eval_all(spx_oracle *o, const spx_maskset *masks, double *out, spx_error *err) {
  return spx_oracle_eval(o, masks, 0, masks->count, out, err);
}

static const spx_oracle *with_accuracy(const spx_oracle *o) {
  while (o && o->type->task_accuracy == NULL) o = o->inner;
  return o;
}

double spx_oracle_task_accuracy(const spx_oracle *o, const uint64_t *mask) {
  const spx_oracle *a = with_accuracy(o);
  return a ? a->type->task_accuracy(a, mask) : NAN;
}

int spx_oracle_has_task_accuracy(const spx_oracle *o) { return with_accuracy(o) != NULL; }

const spx_transform *spx_oracle_truth(const spx_oracle *o) {
  while (o->inner && (o->type->truth == NULL)) o = o->inner;
  return o->type->truth ? o->type->truth(o) : NULL;
}

char *const *spx_oracle_labels(const spx_oracle *o) {
  while (o->labels == NULL && o->inner) o = o->inner;
  return o->labels;
}

const char *spx_oracle_explicand_of(const spx_oracle *o) {
  while (o->explicand == NULL && o->inner) o = o->inner;
  return o->explicand;
}

const char *spx_oracle_label(const spx_oracle *o, size_t i, char *buf, size_t buflen) {
  while (o->labels == NULL && o->inner) o = o->inner;
  if (o->labels && i < o->n && o->labels[i]) return o->labels[i];
  snprintf(buf, buflen, "x%zu", i);
  return buf;
}

int spx_oracle_set_labels(spx_oracle *o, char **labels, spx_error *err) {
  (void)err;
  if (o->labels) {
    for (size_t i = 0; i < o->n; i++) free(o->labels[i]);
    free(o->labels);
  }
  o->labels = labels;
  return SPX_OK;
}

int spx_oracle_set_explicand(spx_oracle *o, const char *description, spx_error *err) {
  free(o->explicand);
  size_t len = strlen(description) + 1;
  o->explicand = malloc(len);
  SPX_CHECK_ALLOC(o->explicand, err);
  memcpy(o->explicand, description, len);
  return SPX_OK;
}

int spx_images_set(spx_images *im, size_t n, size_t h, size_t w, const double *features,
                   const double *explicand, spx_error *err) {
  spx_images_free(im);
  if (features == NULL || n == 0 || h == 0 || w == 0) return SPX_OK;
  size_t px = h * w;
  im->features = malloc(n * px * sizeof *im->features);
  SPX_CHECK_ALLOC(im->features, err);
  memcpy(im->features, features, n * px * sizeof *im->features);
  if (explicand) {
    im->explicand = malloc(px * sizeof *im->explicand);
    if (im->explicand == NULL) {
      spx_images_free(im);
      return spx_error_set(err, SPX_ENOMEM, "out of memory for the feature images");
    }
    memcpy(im->explicand, explicand, px * sizeof *im->explicand);
  }
  im->n = n;
  im->h = h;
  im->w = w;
  return SPX_OK;
}

void spx_images_free(spx_images *im) {
  if (im == NULL) return;
  free(im->features);
  free(im->explicand);
  memset(im, 0, sizeof *im);
}

int spx_oracle_images(const spx_oracle *o, size_t *h, size_t *w, const double **features,
                      const double **explicand) {
  for (; o; o = o->inner) {
    const spx_images *im = o->type && o->type->images ? o->type->images(o) : NULL;
    if (im == NULL || im->features == NULL) continue;
    *h = im->h;
    *w = im->w;
    *features = im->features;
    *explicand = im->explicand;
    return 1;
  }
  return 0;
}
