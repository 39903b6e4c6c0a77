/* components.c: the `components` oracle: which hidden units (or groups of units, "heads") of
 * a small digits classifier a task relies on, and which combinations.
 *
 * A one-hidden-layer ReLU MLP (mlp.c) is trained in C on scikit-learn's digits (seeded,
 * trained at first use and cached to a file). Features are hidden units, or `heads` groups of
 * consecutive units; ablating a component zeroes its activations. The value is the mean
 * log-probability of the correct class over the task's test images; explicand e is the task
 * "images of digit e" (10 tasks) or, with task = "all", every test image (1 task). Hidden
 * activations do not depend on the mask, so they are computed once per task. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/paths.h"
#include "core/rng.h"
#include "oracle/mlp.h"
#include "oracle/oracle.h"
#include "oracle/sklearn_data.h"

typedef struct {
  spx_mlp *mlp;
  size_t images; /* in the task */
  double *act;   /* images x hidden activations */
  int *label;    /* images */
  size_t heads, per_head;
  double *keep;  /* hidden, workspace */
  double *z;     /* out, workspace */
} comp_state;

static const char *const tasks[] = {"class", "all", NULL};

typedef struct {
  const char *dir, *cache_dir;
  long long hidden, heads, epochs, seed, test_rows;
  int task, cache;
} comp_opts;

static const spx_option_decl comp_rows[] = {
    {"data_dir", SPX_DECL_STRING, SPX_SKLEARN_DATA_DIR, 0, 0, NULL,
     "folder of scikit-learn's bundled data files", NULL},
    {"cache_dir", SPX_DECL_STRING, "results/cache", 0, 0, NULL,
     "folder of the trained model's cache file", NULL},
    {"cache", SPX_DECL_BOOL, "true", 0, 0, NULL, "keep the trained model in cache_dir", NULL},
    {"hidden", SPX_DECL_INT, "32", 2, 1024, NULL, "hidden units of the classifier", NULL},
    {"heads", SPX_DECL_INT, "0", 0, 1024, NULL,
     "groups of consecutive units as features (0: every unit is a feature)", NULL},
    {"epochs", SPX_DECL_INT, "40", 1, 10000, NULL, "training epochs", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 4611686018427387904.0, NULL, "split and training seed", NULL},
    {"test_rows", SPX_DECL_INT, "497", 10, 1000, NULL, "held-out images of the tasks", NULL},
    {"task", SPX_DECL_CHOICE, "class", 0, 0, tasks,
     "class: explicand e is the images of digit e; all: every test image", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_opts(spx_options *opts, comp_opts *o, spx_error *err) {
  int rc = spx_opt_string(opts, "data_dir", &o->dir, err);
  if (!rc) rc = spx_opt_string(opts, "cache_dir", &o->cache_dir, err);
  if (!rc) rc = spx_opt_bool(opts, "cache", &o->cache, err);
  if (!rc) rc = spx_opt_int(opts, "hidden", &o->hidden, err);
  if (!rc) rc = spx_opt_int(opts, "heads", &o->heads, err);
  if (!rc) rc = spx_opt_int(opts, "epochs", &o->epochs, err);
  if (!rc) rc = spx_opt_int(opts, "seed", &o->seed, err);
  if (!rc) rc = spx_opt_int(opts, "test_rows", &o->test_rows, err);
  if (!rc) rc = spx_opt_choice(opts, "task", &o->task, err);
  if (!rc && o->heads && o->hidden % o->heads)
    rc = spx_options_fail(opts, "heads", SPX_EINVAL, err,
                          "%lld heads do not divide %lld hidden units", o->heads, o->hidden);
  return rc;
}

static int comp_explicands(spx_options *opts, size_t *count, spx_error *err) {
  comp_opts o;
  int rc = read_opts(opts, &o, err);
  if (rc) return rc;
  *count = o.task == 0 ? 10 : 1;
  return SPX_OK;
}

static void comp_free(comp_state *s) {
  if (s == NULL) return;
  spx_mlp_destroy(&s->mlp);
  free(s->act);
  free(s->label);
  free(s->keep);
  free(s->z);
  free(s);
}

/* Load digits, scale pixels to [0,1], shuffle with the seed; last test_rows rows are test. */
static int load_digits(const comp_opts *o, spx_dataset *ds, spx_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", o->dir, SPX_SKLEARN_DIGITS);
  int rc = spx_dataset_read_csv(path, 0, ds, err);
  if (rc) return rc;
  for (size_t k = 0; k < ds->rows * ds->d; k++) ds->x[k] /= 16.0;
  rc = spx_dataset_shuffle(ds, (uint64_t)o->seed, "components split", err);
  if (rc) return rc;
  if (ds->d != 64 || ds->rows <= (size_t)o->test_rows)
    return spx_error_set(err, SPX_EIO, "%s: expected 64 pixel columns and more than %lld rows",
                         path, o->test_rows);
  return SPX_OK;
}

static int comp_open(spx_oracle *self, spx_options *opts, size_t explicand, spx_error *err) {
  comp_opts o;
  int rc = read_opts(opts, &o, err);
  if (rc) return rc;
  if (explicand >= (o.task == 0 ? 10u : 1u))
    return spx_error_set(err, SPX_ERANGE, "components: explicand %zu out of range (%d tasks)",
                         explicand, o.task == 0 ? 10 : 1);
  spx_dataset ds = {0};
  rc = load_digits(&o, &ds, err);
  if (rc) return rc;
  comp_state *s = calloc(1, sizeof *s);
  if (s == NULL) {
    spx_dataset_free(&ds);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  size_t train = ds.rows - (size_t)o.test_rows;
  spx_mlp_train_opts to = {(size_t)o.hidden, (int)o.epochs, 0.05, 0.9, 1e-4, 32,
                           (uint64_t)o.seed};
  /* The cache key covers everything the weights depend on. */
  uint64_t key = spx_hash_string("components v1");
  key ^= (uint64_t)o.hidden * 0x9e3779b97f4a7c15ULL ^ (uint64_t)o.epochs * 0xc2b2ae3d27d4eb4fULL ^
         (uint64_t)o.seed * 0x165667b19e3779f9ULL ^ (uint64_t)o.test_rows * 0x27d4eb2f165667c5ULL;
  char cache[4200];
  snprintf(cache, sizeof cache, "%s/components_mlp_%016llx.bin", o.cache_dir,
           (unsigned long long)key);
  if (o.cache) spx_mlp_load(&s->mlp, cache, key, NULL);
  if (s->mlp == NULL) {
    s->mlp = spx_mlp_create(64, (size_t)o.hidden, 10);
    rc = s->mlp ? spx_mlp_train(s->mlp, ds.x, ds.y, train, &to, err)
                : spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK && o.cache) {
      rc = spx_make_dirs(o.cache_dir, err);
      if (rc == SPX_OK) rc = spx_mlp_save(s->mlp, cache, key, err);
      if (rc) spx_error_prefix(err, "components (set cache = false to skip caching)");
    }
  }
  /* Task images and their activations. */
  size_t H = (size_t)o.hidden;
  if (rc == SPX_OK) {
    s->act = malloc((size_t)o.test_rows * H * sizeof *s->act);
    s->label = malloc((size_t)o.test_rows * sizeof *s->label);
    s->keep = malloc(H * sizeof *s->keep);
    s->z = malloc(10 * sizeof *s->z);
    if (!s->act || !s->label || !s->keep || !s->z) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  for (size_t i = train; rc == SPX_OK && i < ds.rows; i++) {
    if (o.task == 0 && ds.y[i] != (int)explicand) continue;
    spx_mlp_hidden(s->mlp, ds.x + i * 64, s->act + s->images * H);
    s->label[s->images++] = ds.y[i];
  }
  spx_dataset_free(&ds);
  if (rc == SPX_OK && s->images == 0)
    rc = spx_error_set(err, SPX_EINTERNAL, "components: task %zu has no test images", explicand);
  s->heads = o.heads ? (size_t)o.heads : H;
  s->per_head = H / s->heads;
  self->state = s;
  if (rc) return rc;
  self->n = s->heads;
  self->concurrent = 1;
  char **labels = calloc(self->n, sizeof *labels);
  if (labels == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t i = 0; i < self->n; i++) {
    char buf[48];
    if (s->per_head == 1)
      snprintf(buf, sizeof buf, "unit%zu", i);
    else
      snprintf(buf, sizeof buf, "head%zu[%zu-%zu]", i, i * s->per_head,
               (i + 1) * s->per_head - 1);
    labels[i] = strdup(buf);
    if (labels[i] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  spx_oracle_set_labels(self, labels, err);
  char desc[96];
  if (o.task == 0)
    snprintf(desc, sizeof desc, "digits task: test images of digit %zu (%zu images)", explicand,
             s->images);
  else
    snprintf(desc, sizeof desc, "digits task: all %zu test images", s->images);
  if (rc == SPX_OK) rc = spx_oracle_set_explicand(self, desc, err);
  return rc;
}

/* Mean log-probability of the correct class with the kept components. */
static double task_value(const comp_state *s, const uint64_t *mask, double *correct) {
  size_t H = s->mlp->hidden;
  for (size_t j = 0; j < H; j++) s->keep[j] = spx_mask_test(mask, j / s->per_head) ? 1.0 : 0.0;
  double total = 0;
  size_t hits = 0;
  for (size_t i = 0; i < s->images; i++) {
    spx_mlp_logits(s->mlp, s->act + i * H, s->keep, s->z);
    double mx = s->z[0];
    size_t arg = 0;
    for (size_t c = 1; c < 10; c++)
      if (s->z[c] > mx) mx = s->z[c], arg = c;
    double sum = 0;
    for (size_t c = 0; c < 10; c++) sum += exp(s->z[c] - mx);
    total += s->z[s->label[i]] - mx - log(sum);
    hits += (int)arg == s->label[i];
  }
  if (correct) *correct = (double)hits / (double)s->images;
  return total / (double)s->images;
}

static int comp_eval(spx_oracle *self, const spx_maskset *masks, size_t first, size_t count,
                     double *out, spx_error *err) {
  (void)err;
  for (size_t r = 0; r < count; r++)
    out[r] = task_value(self->state, spx_maskset_row(masks, first + r), NULL);
  return SPX_OK;
}

static void comp_close(spx_oracle *self) { comp_free(self->state); }

static double comp_task_accuracy(const spx_oracle *o, const uint64_t *mask) {
  double acc = NAN;
  task_value(o->state, mask, &acc);
  return acc;
}

/* The data file the oracle reads (provenance; the trained model's cache file in cache_dir is
 * derived from it and the options, and not listed). */
static int comp_inputs(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err) {
  const char *dir;
  int rc = spx_opt_string(opts, "data_dir", &dir, err);
  return rc ? rc : spx_dataset_list_file(opts, dir, SPX_SKLEARN_DIGITS, add, ctx, err);
}

const spx_oracle_type spx_oracle_components = {
    .name = "components",
    .summary = "ablate hidden units (or heads) of an MLP trained on digits; mean log-prob of the task",
    .open = comp_open,
    .explicands = comp_explicands,
    .eval = comp_eval,
    .truth = NULL,
    .close = comp_close,
    .task_accuracy = comp_task_accuracy,
    .options = comp_rows,
    .inputs = comp_inputs};
