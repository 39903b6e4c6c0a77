/* oracle.h: the value-function interface every oracle implements (DESIGN §3.1).
 *
 * An oracle answers f(mask) for batches of masks. Implementations provide one static const
 * spx_oracle_type and register it in registry.c; users open them by name with their option
 * table. An oracle may wrap another (o->inner: the sentiment and OCR oracles drive a process
 * oracle); labels, explicand, truth and images are looked up through the wrapping. Noise is
 * an option of the synthetic oracle (snr_db); failed batches are retried on a reopened oracle
 * (spx_oracle_reopen, used by the evaluator in src/par). */
#ifndef SPX_ORACLE_H
#define SPX_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/mask.h"
#include "../core/options.h"
#include "../core/transform.h"

typedef struct spx_oracle spx_oracle;

/* Pictures of the features (say training images, or image regions): n images of h x w pixels
 * in [0, 1] (0 background, 1 ink), row-major, and the explicand's own picture (or NULL). An
 * oracle whose features are pictures keeps one in its state and returns it from its type's
 * `images` hook. */
typedef struct spx_images {
  size_t n, h, w;
  double *features;  /* n * h * w (owned) */
  double *explicand; /* h * w (owned), or NULL */
} spx_images;

/* Copy features (n images) and explicand (may be NULL) into im (freeing what it held). */
int spx_images_set(spx_images *im, size_t n, size_t h, size_t w, const double *features,
                   const double *explicand, spx_error *err);
void spx_images_free(spx_images *im);

/* Called once per file an oracle reads (see spx_oracle_type.inputs): key is the option naming
 * it ("texts_csv"), path the file as the oracle opens it, is_default 1 when the option was not
 * given and path is the oracle's built-in default. Nonzero stops the listing. */
typedef int (*spx_oracle_input_fn)(void *ctx, const char *key, const char *path, int is_default);

typedef struct spx_oracle_type {
  const char *name;
  const char *summary; /* one line for --help */
  /* Read the options (through the typed getters), then fill o->n, o->state and optionally
   * labels/explicand/concurrent via the setters below. Called once per explicand. */
  int (*open)(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err);
  /* Number of explicands the options describe (NULL: exactly 1). */
  int (*explicands)(spx_options *opts, size_t *count, spx_error *err);
  /* Evaluate masks first..first+count-1 of the set into out[0..count). */
  int (*eval)(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count, double *out,
              spx_error *err);
  /* Known exact transform (synthetic oracles), or NULL. */
  const spx_transform *(*truth)(const spx_oracle *o);
  /* Free o->state (o itself and its labels are freed by spx_oracle_destroy). */
  void (*close)(spx_oracle *o);
  /* Optional hooks (NULL: the oracle has no such thing). task_accuracy: the fraction of the
   * model's task answered correctly with the features of mask kept (pruning studies; the
   * components oracle). */
  double (*task_accuracy)(const spx_oracle *o, const uint64_t *mask);
  /* images: the pictures of the features, or NULL when this explicand has none (the grid
   * stores them with the instance: experiments/scorers/pruning.c). */
  const spx_images *(*images)(const spx_oracle *o);
  /* The oracle's option keys (core/options.h), each declared once with its default, range and
   * help; read with spx_opt_*. NULL for an oracle that reads undeclared keys. */
  const spx_option_decl *options;
  /* Optional: list the data, script and model files the oracle reads with these options, each
   * resolved by the code open() resolves it with, built-in defaults included (a file that
   * cannot be found is left out: open() reports it). For the result file's provenance, which
   * hashes them. NULL: the oracle reads no file that its options do not name. */
  int (*inputs)(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err);
} spx_oracle_type;

struct spx_oracle {
  const spx_oracle_type *type;
  void *state;
  size_t n;
  char **labels;    /* NULL or n owned strings */
  char *explicand;  /* owned description of the explicand, or NULL */
  int concurrent;   /* 1 if separate instances may be called from several ranks at once */
  spx_oracle *inner; /* wrapped oracle (owned), or NULL */
  uint64_t queries; /* masks answered through spx_oracle_eval */
  double seconds;   /* wall time spent in spx_oracle_eval */
  /* Recovery from failed batches (spx_oracle_reopen; the evaluator in src/par retries): */
  spx_options *reopen_opts; /* copy of the options it was opened with (owned), or NULL */
  size_t explicand_index;   /* the explicand it was opened for */
  unsigned retries;         /* `retries`: re-evaluations of a failed batch (default 2) */
  double retry_backoff;     /* `retry_backoff`: seconds before the first retry, doubled after */
  unsigned reopens;         /* successful reopens so far */
  int lost;                 /* a reopen failed: the oracle answers nothing any more */
};

/* Keys every oracle accepts besides its own (declared once here; docs/oracles.md):
 * retries (int >= 0, default 2) and retry_backoff (seconds >= 0, default 0.5). */
extern const spx_option_decl spx_oracle_common_options[];

/* Registry. */
const spx_oracle_type *spx_oracle_lookup(const char *name);
/* NULL-terminated list of every registered type. */
const spx_oracle_type *const *spx_oracle_types(void);

/* The registered type named kind, or NULL with "unknown oracle kind 'X' (known: ...)". */
const spx_oracle_type *spx_oracle_find(const char *kind, spx_error *err);

/* Open an oracle of type for one explicand: declares the type's option table and the common
 * keys in opts, reads them, and refuses a key that no table declares and the oracle did not
 * read. The one way to open an oracle (a wrapping oracle opens its inner one the same way);
 * the type comes from spx_oracle_find, spx_oracle_lookup or a configuration. */
int spx_oracle_open(const spx_oracle_type *type, spx_options *opts, size_t explicand,
                    spx_oracle **out, spx_error *err);
/* Number of explicands of type with these options (declares the same tables in opts, so
 * spx_options_decl_of then tells which keys are the oracle's). */
int spx_oracle_explicands(const spx_oracle_type *type, spx_options *opts, size_t *count,
                          spx_error *err);
void spx_oracle_destroy(spx_oracle **o);
/* The files an oracle of type reads with these options (the type's inputs hook, after declaring
 * its tables in opts); nothing when the type has no hook. add's nonzero return -> SPX_ENOMEM. */
int spx_oracle_inputs(const spx_oracle_type *type, spx_options *opts, spx_oracle_input_fn add,
                      void *ctx, spx_error *err);

/* Replace the oracle's state by a freshly opened one (same type, options and explicand; for
 * a process oracle, a new process), keeping the query and time counters. On failure the
 * oracle is lost (spx_oracle_lost) and every later evaluation fails at once. */
int spx_oracle_reopen(spx_oracle *o, spx_error *err);
/* 1 when a reopen failed (the oracle can no longer answer). */
int spx_oracle_lost(const spx_oracle *o);
/* 1 for a status that a fresh instance of the oracle may not repeat (the model failed, timed
 * out or its pipe broke), so that a failed batch is worth a retry. */
int spx_oracle_retryable(int code);

/* Evaluate count masks starting at row first of masks. Counts queries and time, and rejects
 * non-finite answers with a message naming the oracle and the row. */
int spx_oracle_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err);
/* Evaluate a whole mask set as one process alone (no MPI) with the retry policy of the
 * evaluator (src/par: a retryable failure is retried `retries` times after a back-off on a
 * reopened oracle, which is reopened once more after the last failure). */
int spx_oracle_eval_retrying(spx_oracle *o, const spx_maskset *masks, double *out,
                             spx_error *err);
/* Evaluate a whole mask set. */
int spx_oracle_eval_all(spx_oracle *o, const spx_maskset *masks, double *out, spx_error *err);

/* Ground truth of the innermost oracle, or NULL. */
const spx_transform *spx_oracle_truth(const spx_oracle *o);
/* Labels (n strings) or NULL, and explicand description or NULL, looking through wrappers. */
char *const *spx_oracle_labels(const spx_oracle *o);
const char *spx_oracle_explicand_of(const spx_oracle *o);
/* Feature label i (the oracle's own, or "x<i>" written into buf). */
const char *spx_oracle_label(const spx_oracle *o, size_t i, char *buf, size_t buflen);

/* Helpers for implementations. */
int spx_oracle_set_labels(spx_oracle *o, char **labels, spx_error *err); /* takes ownership */
int spx_oracle_set_explicand(spx_oracle *o, const char *description, spx_error *err);
/* The feature images of the first oracle of the chain (o, then the oracles it wraps) whose
 * type's images hook returns some: returns 1 and fills h, w, features, explicand (may be
 * NULL), or returns 0. */
int spx_oracle_images(const spx_oracle *o, size_t *h, size_t *w, const double **features,
                      const double **explicand);


/* The task accuracy hook of the oracle (or of the oracle it wraps) with the features of mask
 * kept; NaN when no oracle of the chain has one (spx_oracle_has_task_accuracy = 0). */
double spx_oracle_task_accuracy(const spx_oracle *o, const uint64_t *mask);
int spx_oracle_has_task_accuracy(const spx_oracle *o);

/* Allocate an empty oracle of a type (used by open). */
spx_oracle *spx_oracle_alloc(const spx_oracle_type *type);

#endif
