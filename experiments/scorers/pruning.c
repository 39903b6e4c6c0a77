/* pruning.c: the pruning scorer of the components oracle (docs/configuration.md "[pruning]",
 * experiments/pruning.h) and the feature images of oracles whose features are pictures.
 *
 * pruning: the /pruning group (fractions, rank_by, random_orders); per instance the
 * references pruning_kept [F], pruning_full and pruning_random [P, F]; per ok cell the task
 * accuracy at each fraction kept, pruning_accuracy [I, B, R, F], and the ranking of the
 * components, pruning_order [n] beside the transform; and the pruning table of the summary.
 * images: /explicands/<i>/feature_images [n, h, w] and explicand_image [h, w] from the
 * oracle's image hook. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/pruning.h"
#include "scorer.h"

static int enabled(const spx_config *cfg) { return cfg->nprune > 0; }

static size_t columns(const spx_config *cfg, spx_score_dataset *out, size_t cap) {
  if (out && cap >= 1)
    out[0] = (spx_score_dataset){"pruning_accuracy", "1",
                                 "task accuracy of the model keeping the top fraction of its "
                                 "components, ranked by the transform (per /pruning/fractions)",
                                 cfg->nprune};
  return 1;
}

static void layout(const spx_config *cfg, spx_results_layout *L) {
  L->nprune = cfg->nprune;
  L->prune_fractions = cfg->prune_fractions;
  L->prune_rank_by = spx_prune_rank_names[cfg->prune_rank_by];
  L->prune_random = cfg->prune_random;
}

/* The references of an instance: kept components per fraction, the full model's accuracy and
 * the accuracy of each random order. */
static int setup(const spx_score_ctx *ctx, spx_array_list *out, spx_error *err) {
  const spx_config *cfg = ctx->cfg;
  size_t n = ctx->oracle->n, F = cfg->nprune, P = cfg->prune_random;
  uint64_t dF = F, dPF[2] = {P, F};
  spx_array *kept = spx_array_list_add(out, "pruning_kept", "components",
                                       "components kept at each fraction", SPX_ARRAY_U64, 1, &dF, err);
  if (kept == NULL) return err->code;
  for (size_t j = 0; j < F; j++) ((uint64_t *)kept->data)[j] = spx_pruning_kept(cfg->prune_fractions[j], n);
  spx_array *full = spx_array_list_add(out, "pruning_full", "1", "task accuracy of the full model",
                                       SPX_ARRAY_F64, 0, NULL, err);
  if (full == NULL) return err->code;
  spx_array *rnd = spx_array_list_add(out, "pruning_random", "1",
                                      "task accuracy keeping each random order's top fraction",
                                      SPX_ARRAY_F64, 2, dPF, err);
  if (rnd == NULL) return err->code;
  uint32_t *order = malloc((n ? n : 1) * sizeof *order);
  SPX_CHECK_ALLOC(order, err);
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  const double one = 1.0;
  int rc = spx_pruning_curve(ctx->oracle, order, n, &one, 1, full->data, err);
  for (size_t p = 0; rc == SPX_OK && p < P; p++) {
    rc = spx_pruning_random_order(cfg->seed, ctx->stream, p, n, order, err);
    if (rc == SPX_OK)
      rc = spx_pruning_curve(ctx->oracle, order, n, cfg->prune_fractions, F,
                             (double *)rnd->data + p * F, err);
  }
  free(order);
  if (rc) spx_error_prefix(err, "references");
  return rc;
}

/* Rank the components by the transform and measure the task accuracy at each fraction. */
static int score(const spx_score_ctx *ctx, const spx_transform *tr, double *slots,
                 spx_array_list *arrays, spx_error *err) {
  const spx_config *cfg = ctx->cfg;
  size_t n = ctx->oracle->n, F = cfg->nprune;
  uint64_t dn = n;
  double *scores = malloc((n ? n : 1) * sizeof *scores), *acc = malloc(F * sizeof *acc);
  spx_array *order = spx_array_list_add(arrays, "pruning_order", "component",
                                        "components by rank, the most important first",
                                        SPX_ARRAY_U32, 1, &dn, err);
  int rc = scores && acc ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (order == NULL) rc = err->code;
  if (rc == SPX_OK) rc = spx_pruning_scores(tr, (spx_prune_rank)cfg->prune_rank_by, n, scores, err);
  if (rc == SPX_OK) rc = spx_pruning_order(scores, n, order->data, err);
  if (rc == SPX_OK)
    rc = spx_pruning_curve(ctx->oracle, order->data, n, cfg->prune_fractions, F, acc, err);
  if (rc == SPX_OK) memcpy(slots, acc, F * sizeof *acc);
  free(scores);
  free(acc);
  return rc;
}

/* One row of the pruning table: the means, "-" where no cell contributed. */
static void prune_row(FILE *out, const double *sum, const size_t *cnt, size_t F) {
  for (size_t j = 0; j < F; j++) {
    if (cnt[j])
      fprintf(out, " %8.4f", sum[j] / (double)cnt[j]);
    else
      fprintf(out, " %8s", "-");
  }
  fputc('\n', out);
}

/* The pruning table: mean task accuracy at each fraction kept, per method and budget (ok
 * cells), then the random orders and the full model (set-up instances), read back from the
 * file, which holds every cell of this and earlier runs. */
static void print_table(const spx_config *cfg, spx_results *res, FILE *out) {
  if (out == NULL || res == NULL) return;
  size_t I = spx_config_instances(cfg), B = cfg->nbudget_points, R = cfg->repeats;
  size_t F = cfg->nprune, P = cfg->prune_random, cells = I * B * R;
  double *acc = malloc((cells ? cells : 1) * F * sizeof *acc);
  double *rnd = malloc((P ? P : 1) * F * sizeof *rnd), *sum = calloc(F, sizeof *sum);
  size_t *cnt = calloc(F, sizeof *cnt);
  int *st = malloc((cells ? cells : 1) * sizeof *st);
  if (!acc || !rnd || !sum || !cnt || !st) {
    fprintf(out, "(pruning table: out of memory)\n");
    goto done;
  }
  fprintf(out, "\npruning: task accuracy (mean over finished cells) by fraction of components "
               "kept, ranked by %s\n%-20s %-12s",
          spx_prune_rank_names[cfg->prune_rank_by], "method", "budget");
  for (size_t j = 0; j < F; j++) fprintf(out, " %8.3g", cfg->prune_fractions[j]);
  fputc('\n', out);
  for (size_t m = 0; m < cfg->nmethod; m++) {
    spx_error e = {0};
    if (spx_results_read_pruning(res, m, acc, &e) ||
        spx_results_read_cells(res, m, st, NULL, NULL, NULL, &e)) {
      fprintf(out, "(pruning table: %s)\n", e.msg);
      goto done;
    }
    for (size_t b = 0; b < B; b++) {
      memset(sum, 0, F * sizeof *sum);
      memset(cnt, 0, F * sizeof *cnt);
      for (size_t i = 0; i < I; i++)
        for (size_t r = 0; r < R; r++) {
          size_t k = (i * B + b) * R + r;
          if (st[k] != SPX_CELL_OK) continue;
          for (size_t j = 0; j < F; j++)
            if (isfinite(acc[k * F + j])) sum[j] += acc[k * F + j], cnt[j]++;
        }
      char budget[32];
      snprintf(budget, sizeof budget, cfg->budget_mode == SPX_BUDGET_SPEX_B ? "b=%lld" : "%lld",
               cfg->budget_points[b]);
      fprintf(out, "%-20s %-12s", cfg->method[m].label, budget);
      prune_row(out, sum, cnt, F);
    }
  }
  memset(sum, 0, F * sizeof *sum);
  memset(cnt, 0, F * sizeof *cnt);
  double fsum = 0;
  size_t fcnt = 0;
  for (size_t i = 0; i < I; i++) {
    double full;
    if (!spx_results_has_instance(res, i) ||
        spx_results_read_pruning_instance(res, i, &full, rnd, NULL))
      continue;
    if (isfinite(full)) fsum += full, fcnt++;
    for (size_t p = 0; p < P; p++)
      for (size_t j = 0; j < F; j++)
        if (isfinite(rnd[p * F + j])) sum[j] += rnd[p * F + j], cnt[j]++;
  }
  char what[32];
  snprintf(what, sizeof what, "(%zu orders)", P);
  fprintf(out, "%-20s %-12s", "random", what);
  prune_row(out, sum, cnt, F);
  fprintf(out, "%-20s %-12s %8.4f\n", "full model", "", fcnt ? fsum / (double)fcnt : NAN);
done:
  free(acc);
  free(rnd);
  free(sum);
  free(cnt);
  free(st);
  fflush(out);
}

const spx_scorer spx_scorer_pruning = {
    .name = "pruning",
    .summary = "task accuracy of the pruned model by fraction of components kept ([pruning])",
    .enabled = enabled,
    .columns = columns,
    .layout = layout,
    .setup = setup,
    .score = score,
    .print = print_table,
};

/* ---- feature images --------------------------------------------------------------------------- */

static int images_setup(const spx_score_ctx *ctx, spx_array_list *out, spx_error *err) {
  size_t h = 0, w = 0, n = ctx->oracle->n;
  const double *feat = NULL, *expl = NULL;
  if (!spx_oracle_images(ctx->oracle, &h, &w, &feat, &expl) || feat == NULL || h == 0 || w == 0)
    return SPX_OK;
  uint64_t dims[3] = {n, h, w};
  spx_array *a = spx_array_list_add(out, "feature_images", "1",
                                    "picture of each feature, pixels in [0, 1]", SPX_ARRAY_F64, 3,
                                    dims, err);
  if (a == NULL) return err->code;
  memcpy(a->data, feat, n * h * w * sizeof *feat);
  if (expl) {
    a = spx_array_list_add(out, "explicand_image", "1", "picture of the explicand, pixels in [0, 1]",
                           SPX_ARRAY_F64, 2, dims + 1, err);
    if (a == NULL) return err->code;
    memcpy(a->data, expl, h * w * sizeof *expl);
  }
  return SPX_OK;
}

const spx_scorer spx_scorer_images = {
    .name = "images",
    .summary = "the pictures of the features of oracles whose features are images",
    .setup = images_setup,
};
