/* mlp.h: a small one-hidden-layer ReLU network for the `components` oracle, trained in C
 * (seeded minibatch SGD with momentum on softmax cross-entropy) and cached to a file. */
#ifndef SPX_MLP_H
#define SPX_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct spx_mlp {
  size_t in, hidden, out;
  double *w1; /* hidden x in */
  double *b1; /* hidden */
  double *w2; /* out x hidden */
  double *b2; /* out */
} spx_mlp;

typedef struct spx_mlp_train_opts {
  size_t hidden;
  int epochs;
  double learning_rate, momentum, weight_decay;
  size_t batch;
  uint64_t seed;
} spx_mlp_train_opts;

spx_mlp *spx_mlp_create(size_t in, size_t hidden, size_t out);
void spx_mlp_destroy(spx_mlp **m);

/* Train on rows x in inputs with labels in 0..out-1. */
int spx_mlp_train(spx_mlp *m, const double *x, const int *y, size_t rows,
                  const spx_mlp_train_opts *opts, spx_error *err);
/* Hidden activations (ReLU) of one input: h[hidden]. */
void spx_mlp_hidden(const spx_mlp *m, const double *x, double *h);
/* Output logits from (possibly ablated) hidden activations: z[out]. keep may be NULL (all). */
void spx_mlp_logits(const spx_mlp *m, const double *h, const double *keep, double *z);

/* Binary file with a header naming the sizes and a caller-supplied key; load fails with
 * SPX_EIO when the file is absent, unreadable or was written for another key. */
int spx_mlp_save(const spx_mlp *m, const char *path, uint64_t key, spx_error *err);
int spx_mlp_load(spx_mlp **out, const char *path, uint64_t key, spx_error *err);

#endif
