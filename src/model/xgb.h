/* model/xgb.h: the XGBoost model behind a small C interface, used by ProxySPEX and the tabular
 * oracle. Only model/xgb.c includes XGBoost's header.
 *
 * Features are the n mask bits. Below SPX_XGB_SPARSE_COLS columns they are a dense 0/1
 * float matrix (missing = NaN, none occur), so every split is at a threshold in (0, 1]. From
 * SPX_XGB_SPARSE_COLS columns on they are stored sparse: a 1 bit is the value 1, a 0 bit a
 * missing entry, so XGBoost's histograms and quantile sketch touch only the 1 bits (half
 * the work on uniform masks); a split then sends 0 to its learnt default child and 1 by its
 * threshold, and the export rewrites it as "x < 0.5 goes left". Both forms give the same
 * trees up to the rounding of double-precision gradient sums (a split's child sums are one
 * histogram bin and its difference from the parent's sum: the 0 bin in the dense form, the
 * 1 bin in the sparse one); leaf values are single precision, and in every comparison made
 * (docs/proxyspex.md, pipeline step 3) models and results were bit-identical. Trees are grown
 * with tree_method = hist, objective reg:squarederror, XGBoost's other defaults (lambda 1,
 * min_child_weight 1, no subsampling),
 * and base_score = the mean training label. Training is deterministic: a fixed seed and
 * thread count give the same model (and, with no subsampling, the first k trees of a longer
 * run are the model trained with k rounds). */
#ifndef SPX_PROXY_XGB_H
#define SPX_PROXY_XGB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/mask.h"
#include "tree_fourier.h"

/* Mask data with at least this many columns is stored sparse (see above): measured with
 * XGBoost 1.7 on one thread, 20,000 uniform masks, depth-5 trees, the sparse form is slower
 * below about 50 columns (per-row costs dominate) and faster above (1.5x at 256, 1.8x at
 * 1000 columns). */
#define SPX_XGB_SPARSE_COLS 64

typedef struct spx_xgb_params {
  int max_depth;  /* >= 1 */
  double eta;     /* learning rate */
  int threads;    /* XGBoost nthread, >= 1 */
  uint32_t seed;  /* XGBoost seed */
  double subsample; /* share of the rows each tree is grown on, in (0, 1); 0 or 1 = all rows
                     * (then the first k trees of a run are the k-round model, as above; with
                     * subsampling too, for a fixed seed and thread count) */
} spx_xgb_params;

/* A data set: the selected rows of a mask set as an XGBoost DMatrix (0/1 columns, dense or
 * sparse as above), with labels when y is given. rows == NULL selects rows 0..count-1; cols == NULL
 * selects all n features, else column k of the matrix is feature cols[k] (k < ncols).
 * threads: OpenMP threads XGBoost may use to build a dense matrix (a sparse one is built on
 * one thread). */
typedef struct spx_xgb_data spx_xgb_data;
spx_xgb_data *spx_xgb_data_create(const spx_maskset *masks, const double *y,
                                  const size_t *rows, size_t count, const uint32_t *cols,
                                  size_t ncols, int threads, spx_error *err);
/* The same data set with equal rows merged (y required): rows whose selected columns are
 * equal become one row (the first one's position in the order of first occurrence) with
 * label the mean of their labels and weight their count. Under squared error the gradient
 * and hessian sums of every tree node, hence every split gain and leaf value, are those of
 * the unmerged data up to rounding (min_child_weight counts the same hessian), and
 * base_score is the same mean label, so training gives the same trees on fewer rows. When no
 * two rows are equal this is spx_xgb_data_create (no weights: the identical data set).
 * *distinct (may be NULL) receives the number of rows after merging. */
spx_xgb_data *spx_xgb_data_create_merged(const spx_maskset *masks, const double *y,
                                         const size_t *rows, size_t count, const uint32_t *cols,
                                         size_t ncols, int threads, size_t *distinct,
                                         spx_error *err);
/* A data set from a dense row-major rows x cols matrix of real values (converted to float, as
 * XGBoost stores them; NaN = missing), with labels when y is given. */
spx_xgb_data *spx_xgb_data_create_dense(const double *x, size_t rows, size_t cols,
                                        const double *y, int threads, spx_error *err);
void spx_xgb_data_destroy(spx_xgb_data **d);
size_t spx_xgb_data_rows(const spx_xgb_data *d);

/* A booster trained on one data set (which must outlive it and have labels). */
typedef struct spx_xgb spx_xgb;
/* Objective reg:squarederror with base_score the mean label (the ProxySPEX proxy). */
spx_xgb *spx_xgb_create(spx_xgb_data *train, const spx_xgb_params *params, spx_error *err);
/* Objective binary:logistic on 0/1 labels with base_score 0.5 (margin 0). Every prediction
 * below and the exported ensemble are then raw margins (log-odds), not probabilities. */
spx_xgb *spx_xgb_create_logistic(spx_xgb_data *train, const spx_xgb_params *params,
                                 spx_error *err);
void spx_xgb_destroy(spx_xgb **b);
/* Add rounds trees. */
int spx_xgb_boost(spx_xgb *b, size_t rounds, spx_error *err);
size_t spx_xgb_trees(const spx_xgb *b);
double spx_xgb_base_score(const spx_xgb *b);
/* out[i] = sum of the outputs of trees [first, last) on row i of d, without the base score
 * (last = 0 means all trees). XGBoost sums in single precision. */
int spx_xgb_predict_trees(spx_xgb *b, spx_xgb_data *d, size_t first, size_t last, double *out,
                          spx_error *err);
/* Full prediction (base score + all trees) as XGBoost computes it (the margin for a
 * logistic model). */
int spx_xgb_predict(spx_xgb *b, spx_xgb_data *d, double *out, spx_error *err);

/* Read the trained model back: saves it as JSON (XGBoosterSaveModelToBuffer), parses it
 * with cJSON and copies the trees and base_score into a spx_tree_ensemble over n features.
 * cols (NULL = identity) maps the booster's columns back to features, as in data_create. */
int spx_xgb_export(spx_xgb *b, uint32_t n, const uint32_t *cols, size_t ncols,
                   spx_tree_ensemble **out, spx_error *err);

/* Parse an XGBoost JSON model text (as saved by XGBoost 1.7) into an ensemble; exposed for
 * tests. cols as in spx_xgb_export. For objective binary:logistic the stored base_score (a
 * probability p) becomes the margin log(p / (1 - p)), so the ensemble computes the margin.
 * zero_missing: the model was trained on sparse mask data (spx_xgb_data_create with at least
 * SPX_XGB_SPARSE_COLS columns), where a 0 is a missing entry: each split's default_left
 * (required then) says where 0 goes, and the split is rewritten as "x < 0.5 goes left"
 * (children swapped when 0 goes right). 0: thresholds are kept as they are (dense data with
 * no missing entries). */
int spx_xgb_parse_json(const char *json, size_t len, uint32_t n, const uint32_t *cols,
                       size_t ncols, int zero_missing, spx_tree_ensemble **out,
                       spx_error *err);

/* The XGBoost library's version "major.minor.patch" (for the result file's provenance). */
void spx_xgb_version(char *buf, size_t len);

#endif
