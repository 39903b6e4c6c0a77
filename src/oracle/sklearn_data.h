/* sklearn_data.h: reading scikit-learn's bundled data files (Debian's python3-sklearn), which
 * the data_attribution, components and tabular oracles use. */
#ifndef SPX_SKLEARN_DATA_H
#define SPX_SKLEARN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "oracle/oracle.h"

#define SPX_SKLEARN_DATA_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"
#define SPX_SKLEARN_BREAST_CANCER "breast_cancer.csv"
#define SPX_SKLEARN_DIGITS "digits.csv.gz"

typedef struct {
  size_t rows, d; /* samples, features */
  double *x;      /* rows x d */
  int *y;         /* class labels 0.. */
  int classes;    /* number of distinct labels used */
} spx_dataset;

void spx_dataset_free(spx_dataset *ds);
/* Rows of comma-separated numbers with the integer label last (gzip or plain text); header:
 * skip the first line (the "rows,cols,names..." line of breast_cancer.csv). */
int spx_dataset_read_csv(const char *path, int header, spx_dataset *ds, spx_error *err);

/* For an oracle's inputs hook (oracle.h): the data file dir/name the oracle reads, passed to
 * add under the key data_dir (is_default when opts does not give data_dir); nothing when the
 * file is not readable (loading it reports that). SPX_ENOMEM when add fails. */
int spx_dataset_list_file(spx_options *opts, const char *dir, const char *name,
                          spx_oracle_input_fn add, void *ctx, spx_error *err);

/* Shuffle the rows in place (Fisher-Yates) with the stream spx_rng_stream(seed,
 * spx_hash_string(name), 0, 0, 0): the deterministic train/test split of the oracles. */
int spx_dataset_shuffle(spx_dataset *ds, uint64_t seed, const char *name, spx_error *err);

#endif
