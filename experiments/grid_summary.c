/* grid_summary.c: the paired summary printed at the end of a grid run.
 *
 * Per budget point the methods are compared on the same cells only, with the convention of
 * analysis/ and python/spexbench/results.py (Results.paired, docs/results-format.md):
 *   common  the methods finished (ok) on the most (instance, repeat) cells, each averaged over
 *           the cells where all of them finished; only these rows are comparable;
 *   own     a method finished on fewer cells, over its own cells (never ranked with common);
 *   on X's  that method and the common ones over the cells where all of them finished.
 * Cells some method has not finished (pending: an interrupted run) are left out for all.
 * Uncertainty: standard error of the mean over cells, sd (ddof 1) / sqrt(cells); a single
 * cell has none (no "+-"). NaN values are left out of a mean; an infinite one makes the mean
 * that infinity (no s.e.), as numpy does.
 *
 * Columns: R2, decode time and queries always (from the coordinator), then the summary
 * columns of every enabled scorer (experiments/scorers/: recovery metrics, index accuracy)
 * whose dataset the file has. */
#include "grid_internal.h"

typedef enum { COL_R2, COL_TDEC, COL_QUERIES, COL_DATASET } col_source;

typedef struct {
  const char *header;
  col_source src;
  const char *dataset; /* COL_DATASET: /results/<label>/<dataset>, float64 [I, B, R] */
  int se;              /* 1: "mean +- s.e.", 0: the mean only */
  int digits;          /* decimals (se columns) or significant digits (the others) */
} summary_column;


void grid_budget_words(const spx_config *cfg, size_t b, size_t queries, char *buf, size_t len) {
  long long point = cfg->budget_points[b];
  if (cfg->budget_mode != SPX_BUDGET_SPEX_B)
    snprintf(buf, len, "%lld samples", point);
  else if (queries > 0)
    snprintf(buf, len, "b=%lld (%zu queries)", point, queries);
  else
    snprintf(buf, len, "b=%lld", point);
}
static const summary_column base_columns[] = {
    {"R2", COL_R2, NULL, 1, 4},
    {"decode s", COL_TDEC, NULL, 0, 4},
    {"queries", COL_QUERIES, NULL, 0, 0},
};

/* Extra columns: the enabled scorers' summary columns (experiments/scorers/, the
 * summary_columns of each), shown when the file has the dataset (for at least one method). */
#define NBASE (sizeof base_columns / sizeof base_columns[0])
#define NEXTRA 16
#define MAXCOLS (NBASE + NEXTRA)

typedef struct {
  const coordinator *c;
  size_t ncols;
  summary_column col[MAXCOLS];
  /* per column and method: I*B*R values, row-major [instance][budget][repeat] */
  double **val; /* ncols * nmethods arrays */
} summary;

/* mean and standard error over the cells of mask (I*R, index i*R + r) at budget b; returns
 * the number of values used (non-NaN); *se is NaN when there is none. */
static size_t mean_se(const summary *s, const double *v, size_t b, const unsigned char *mask,
                      double *mean, double *se) {
  const coordinator *c = s->c;
  size_t k = 0, inf = 0;
  double sum = 0;
  for (size_t i = 0; i < c->ninstances; i++)
    for (size_t r = 0; r < c->nrepeats; r++) {
      double x = v[(i * c->nbudgets + b) * c->nrepeats + r];
      if (!mask[i * c->nrepeats + r] || isnan(x)) continue;
      k++;
      inf += isinf(x) != 0;
      sum += x;
    }
  *mean = k ? sum / (double)k : NAN;
  *se = NAN;
  if (k < 2 || inf) {
    if (inf) *mean = sum; /* -inf, +inf or NaN (both), as numpy's sum */
    return k;
  }
  double ss = 0;
  for (size_t i = 0; i < c->ninstances; i++)
    for (size_t r = 0; r < c->nrepeats; r++) {
      double x = v[(i * c->nbudgets + b) * c->nrepeats + r];
      if (!mask[i * c->nrepeats + r] || isnan(x)) continue;
      ss += (x - *mean) * (x - *mean);
    }
  *se = sqrt(ss / (double)(k - 1) / (double)k);
  return k;
}

static void col_header(const summary_column *col, char *h, size_t len) {
  snprintf(h, len, "%s", col->header);
}

/* The header's width, at least what "mean +- s.e." of values in [-9, 9] needs. */
static int col_width(const summary_column *col) {
  char h[64];
  col_header(col, h, sizeof h);
  int w = (int)strlen(h), v = col->se ? col->digits * 2 + 10 : 10;
  return w > v ? w : v;
}

/* One row: label, cells, the columns over mask, then skipped and failed (skip < 0: blank). */
static void print_row(FILE *out, const summary *s, size_t m, size_t b, const char *label,
                      const unsigned char *mask, size_t cells, long skipped, long failed) {
  fprintf(out, "  %-26s %6zu", label, cells);
  for (size_t j = 0; j < s->ncols; j++) {
    const summary_column *col = &s->col[j];
    char text[64] = "-";
    double mean, se;
    const double *v = s->val[j * s->c->nmethods + m];
    size_t k = v && cells ? mean_se(s, v, b, mask, &mean, &se) : 0;
    if (k && col->se && isfinite(se))
      snprintf(text, sizeof text, "%.*f +- %.*f", col->digits, mean, col->digits, se);
    else if (k && col->se)
      snprintf(text, sizeof text, "%.*f", col->digits, mean);
    else if (k && col->digits == 0)
      snprintf(text, sizeof text, "%.0f", mean);
    else if (k)
      snprintf(text, sizeof text, "%.*g", col->digits, mean);
    fprintf(out, " %*s", col_width(col), text);
  }
  if (skipped >= 0)
    fprintf(out, " %8ld %7ld\n", skipped, failed);
  else
    fputc('\n', out);
}

static void print_header(FILE *out, const summary *s) {
  fprintf(out, "  %-26s %6s", "method", "cells");
  for (size_t j = 0; j < s->ncols; j++) {
    char h[64];
    col_header(&s->col[j], h, sizeof h);
    fprintf(out, " %*s", col_width(&s->col[j]), h);
  }
  fprintf(out, " %8s %7s\n", "skipped", "failed");
}

static size_t count_mask(const unsigned char *mask, size_t n) {
  size_t k = 0;
  for (size_t j = 0; j < n; j++) k += mask[j] != 0;
  return k;
}

/* explicands (instances) with at least one cell in mask */
static size_t count_instances(const coordinator *c, const unsigned char *mask) {
  size_t k = 0;
  for (size_t i = 0; i < c->ninstances; i++) {
    int any = 0;
    for (size_t r = 0; r < c->nrepeats; r++) any |= mask[i * c->nrepeats + r];
    k += any != 0;
  }
  return k;
}

/* The tables of one budget point. ok: per method I*R flags (ok and every method finished). */
static void print_budget(FILE *out, const summary *s, size_t b, unsigned char *ok,
                         unsigned char *cmask, unsigned char *tmp) {
  const coordinator *c = s->c;
  const spx_config *cfg = c->cfg;
  size_t IR = c->ninstances * c->nrepeats, M = c->nmethods;
  size_t *cnt = calloc(M ? M : 1, sizeof *cnt);
  long *skipped = calloc(M ? M : 1, sizeof *skipped), *failed = calloc(M ? M : 1, sizeof *failed);
  if (!cnt || !skipped || !failed) {
    fprintf(out, "(summary: out of memory)\n");
    goto done;
  }
  /* finished by every method */
  memset(tmp, 1, IR);
  for (size_t m = 0; m < M; m++)
    for (size_t i = 0; i < c->ninstances; i++)
      for (size_t r = 0; r < c->nrepeats; r++)
        if (c->cell_state[grid_cell_id(c, i, m, b, r)] != CELL_FINISHED) tmp[i * c->nrepeats + r] = 0;
  size_t most = 0;
  for (size_t m = 0; m < M; m++) {
    for (size_t i = 0; i < c->ninstances; i++)
      for (size_t r = 0; r < c->nrepeats; r++) {
        size_t id = grid_cell_id(c, i, m, b, r), k = i * c->nrepeats + r;
        int fin = c->cell_state[id] == CELL_FINISHED;
        skipped[m] += fin && c->status[id] == SPX_CELL_SKIPPED;
        failed[m] += fin && c->status[id] == SPX_CELL_FAILED;
        ok[m * IR + k] = fin && c->status[id] == SPX_CELL_OK && tmp[k];
      }
    cnt[m] = count_mask(ok + m * IR, IR);
    if (cnt[m] > most) most = cnt[m];
  }
  memset(cmask, most > 0, IR);
  for (size_t m = 0; m < M; m++)
    if (most && cnt[m] == most)
      for (size_t k = 0; k < IR; k++) cmask[k] &= ok[m * IR + k];
  size_t ccells = count_mask(cmask, IR);
  char budget[64];
  grid_budget_words(cfg, b, 0, budget, sizeof budget);
  size_t ce = count_instances(c, cmask);
  if (most)
    fprintf(out, "\nbudget %s: common set = %zu cell%s on %zu explicand%s, where every method "
                 "of its rows finished\n",
            budget, ccells, ccells == 1 ? "" : "s", ce, ce == 1 ? "" : "s");
  else
    fprintf(out, "\nbudget %s: no method finished on a cell\n", budget);
  print_header(out, s);
  for (size_t m = 0; m < M; m++)
    if (most && cnt[m] == most)
      print_row(out, s, m, b, cfg->method[m].label, cmask, ccells, skipped[m], failed[m]);
  for (size_t m = 0; m < M; m++) {
    if (cnt[m] == 0 || cnt[m] == most) continue;
    const unsigned char *own = ok + m * IR;
    fprintf(out, "  -- %s finished on fewer cells: own set, not comparable with the rows "
                 "above --\n",
            cfg->method[m].label);
    char label[96];
    snprintf(label, sizeof label, "%s (own)", cfg->method[m].label);
    print_row(out, s, m, b, label, own, cnt[m], skipped[m], failed[m]);
    for (size_t k = 0; k < IR; k++) tmp[k] = own[k] && cmask[k];
    size_t sc = count_mask(tmp, IR);
    fprintf(out, "  -- on %s's cells that the common methods finished too (%zu cell%s on %zu "
                 "explicand%s), paired --\n",
            cfg->method[m].label, sc, sc == 1 ? "" : "s", count_instances(c, tmp),
            count_instances(c, tmp) == 1 ? "" : "s");
    print_row(out, s, m, b, cfg->method[m].label, tmp, sc, -1, -1);
    for (size_t o = 0; o < M; o++)
      if (cnt[o] == most) print_row(out, s, o, b, cfg->method[o].label, tmp, sc, -1, -1);
  }
  int header = 0;
  for (size_t m = 0; m < M; m++) {
    if (cnt[m]) continue;
    if (!header) fprintf(out, "  -- no finished cell --\n");
    header = 1;
    print_row(out, s, m, b, cfg->method[m].label, ok + m * IR, 0, skipped[m], failed[m]);
  }
done:
  free(cnt);
  free(skipped);
  free(failed);
}

/* Fill the columns' values: the coordinator's arrays, and the extra datasets the file has. */
static int load_columns(summary *s) {
  const coordinator *c = s->c;
  size_t M = c->nmethods, cells = c->ninstances * c->nbudgets * c->nrepeats;
  for (size_t j = 0; j < NBASE; j++) s->col[j] = base_columns[j];
  spx_summary_column sc[NEXTRA];
  size_t nsc = spx_score_summary_columns(c->cfg, sc, NEXTRA);
  if (nsc > NEXTRA) nsc = NEXTRA;
  summary_column grid_summary_extra[NEXTRA];
  for (size_t j = 0; j < nsc; j++)
    grid_summary_extra[j] = (summary_column){sc[j].header, COL_DATASET, sc[j].dataset, sc[j].se,
                                             sc[j].digits};
  double **extra = calloc(NEXTRA * (M ? M : 1), sizeof *extra);
  if (extra == NULL) return -1;
  size_t nextra = 0;
  for (size_t j = 0; j < nsc && c->res; j++) {
    int any = 0;
    for (size_t m = 0; m < M; m++) {
      double *v = malloc((cells ? cells : 1) * sizeof *v);
      spx_error e = {0};
      if (v && spx_results_read_doubles(c->res, m, grid_summary_extra[j].dataset, v, &e) == SPX_OK) {
        extra[nextra * M + m] = v;
        any = 1;
      } else {
        free(v);
      }
    }
    if (any) s->col[NBASE + nextra++] = grid_summary_extra[j];
  }
  s->ncols = NBASE + nextra;
  s->val = calloc(s->ncols * (M ? M : 1), sizeof *s->val);
  if (s->val == NULL) {
    for (size_t k = 0; k < NEXTRA * M; k++) free(extra[k]);
    free(extra);
    return -1;
  }
  for (size_t k = 0; k < nextra * M; k++) s->val[NBASE * M + k] = extra[k];
  free(extra);
  for (size_t m = 0; m < M; m++) {
    double *v[NBASE];
    for (size_t j = 0; j < NBASE; j++) {
      v[j] = malloc((cells ? cells : 1) * sizeof *v[j]);
      s->val[j * M + m] = v[j];
      if (v[j] == NULL) return -1;
    }
    for (size_t i = 0; i < c->ninstances; i++)
      for (size_t b = 0; b < c->nbudgets; b++)
        for (size_t r = 0; r < c->nrepeats; r++) {
          size_t id = grid_cell_id(c, i, m, b, r), k = (i * c->nbudgets + b) * c->nrepeats + r;
          v[COL_R2][k] = c->r2[id];
          v[COL_TDEC][k] = c->time_decode[id];
          v[COL_QUERIES][k] = (double)c->queries[id];
        }
  }
  return 0;
}

static void free_columns(summary *s) {
  if (s->val)
    for (size_t k = 0; k < s->ncols * s->c->nmethods; k++) free(s->val[k]);
  free(s->val);
}

void grid_print_summary(const coordinator *c, FILE *out) {
  if (out == NULL) return;
  const spx_config *cfg = c->cfg;
  fprintf(out, "\n%s (%s): %zu explicand%s x %zu repeat%s, results in %s\n", cfg->name,
          spx_experiment_kind_name(cfg->kind), c->ninstances, c->ninstances == 1 ? "" : "s",
          c->nrepeats, c->nrepeats == 1 ? "" : "s", cfg->output);
  fprintf(out, "Paired means: at each budget the methods finished on the most cells are compared\n"
               "over the cells where all of them finished (the common set); a method finished on\n"
               "fewer cells is shown over its own cells (not comparable) and, paired, beside the\n"
               "common methods on those cells. Every column is the mean over the row's cells; +- is\n"
               "the standard error of the mean (sd / sqrt(cells)); one cell has none\n"
               "(docs/results-format.md).\n");
  summary s = {c, 0, {{0}}, NULL};
  size_t IR = c->ninstances * c->nrepeats;
  unsigned char *ok = malloc((IR ? IR : 1) * (c->nmethods ? c->nmethods : 1));
  unsigned char *cmask = malloc(IR ? IR : 1), *tmp = malloc(IR ? IR : 1);
  if (!ok || !cmask || !tmp || load_columns(&s)) {
    fprintf(out, "(summary: out of memory)\n");
  } else {
    for (size_t b = 0; b < c->nbudgets; b++) print_budget(out, &s, b, ok, cmask, tmp);
  }
  free_columns(&s);
  free(ok);
  free(cmask);
  free(tmp);
  if (c->failed) {
    fprintf(out, "failed cells (%zu", c->failed);
    if (c->failed > c->nfail_shown) fprintf(out, ", the first %zu shown", c->nfail_shown);
    fprintf(out, "):\n");
    for (size_t k = 0; k < c->nfail_shown; k++) fprintf(out, "  %s\n", c->fail_lines[k]);
  }
  if (c->groups_lost && c->todo_cells > c->done_cells)
    fprintf(out, "not run: %zu cell%s (every group's oracle was lost)\n",
            c->todo_cells - c->done_cells, c->todo_cells - c->done_cells == 1 ? "" : "s");
  fflush(out);
}
