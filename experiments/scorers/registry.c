/* registry.c: the table of scorers (scorer.h) and the loops over it. A record's slots are the
 * enabled scorers' columns in the order of this table. */
#include "scorer.h"

#include <stdlib.h>
#include <string.h>

extern const spx_scorer spx_scorer_r2, spx_scorer_recovery, spx_scorer_pruning,
    spx_scorer_images, spx_scorer_index_accuracy;

static const spx_scorer *const table[] = {
    &spx_scorer_r2,
    &spx_scorer_recovery,
    &spx_scorer_pruning,
    &spx_scorer_images,
    &spx_scorer_index_accuracy,
    NULL,
};

const spx_scorer *const *spx_scorers(void) { return table; }

static int on(const spx_scorer *s, const spx_config *cfg) {
  return s->enabled == NULL || (cfg != NULL && s->enabled(cfg));
}

static size_t ncolumns(const spx_scorer *s, const spx_config *cfg) {
  return on(s, cfg) && s->columns ? s->columns(cfg, NULL, 0) : 0;
}

int spx_score_columns(const spx_config *cfg, spx_score_dataset **out, size_t *count,
                      size_t *nslots, spx_error *err) {
  size_t total = 0;
  for (size_t k = 0; table[k]; k++) total += ncolumns(table[k], cfg);
  spx_score_dataset *d = calloc(total ? total : 1, sizeof *d);
  SPX_CHECK_ALLOC(d, err);
  size_t at = 0;
  for (size_t k = 0; table[k]; k++) {
    size_t c = ncolumns(table[k], cfg);
    if (c) table[k]->columns(cfg, d + at, c);
    at += c;
  }
  *out = d;
  *count = total;
  if (nslots) *nslots = spx_score_slots_all(d, total);
  return SPX_OK;
}

size_t spx_score_slot_of(const spx_config *cfg, const char *name) {
  size_t at = 0;
  for (size_t k = 0; table[k]; k++) {
    size_t c = ncolumns(table[k], cfg);
    if (c == 0) continue;
    spx_score_dataset d[64];
    if (c > 64) return (size_t)-1;
    table[k]->columns(cfg, d, c);
    for (size_t j = 0; j < c; j++) {
      if (strcmp(d[j].name, name) == 0) return at;
      at += spx_score_slots(&d[j]);
    }
  }
  return (size_t)-1;
}

void spx_score_caches_reset(spx_score_caches *c, size_t instance) {
  for (size_t k = 0; table[k] && k < sizeof c->cache / sizeof c->cache[0]; k++) {
    if (c->cache[k] && table[k]->cache_free) table[k]->cache_free(c->cache[k]);
    c->cache[k] = NULL;
  }
  c->instance = instance;
  c->valid = 1;
}

static void **cache_of(spx_score_caches *caches, size_t k, size_t instance) {
  if (caches == NULL || k >= sizeof caches->cache / sizeof caches->cache[0]) return NULL;
  if (!caches->valid || caches->instance != instance) spx_score_caches_reset(caches, instance);
  return &caches->cache[k];
}

int spx_score_setup(spx_score_ctx *ctx, spx_score_caches *caches, spx_array_list *out,
                    spx_error *err) {
  for (size_t k = 0; table[k]; k++) {
    const spx_scorer *s = table[k];
    if (!on(s, ctx->cfg) || s->setup == NULL) continue;
    ctx->cache = cache_of(caches, k, ctx->instance);
    int rc = s->setup(ctx, out, err);
    if (rc) {
      spx_error_prefix(err, "%s", s->name);
      return rc;
    }
  }
  return SPX_OK;
}

int spx_score_cell(spx_score_ctx *ctx, spx_score_caches *caches, const spx_transform *tr,
                   double *slots, size_t nslots, spx_array_list *arrays, spx_error *err) {
  size_t at = 0;
  for (size_t k = 0; table[k]; k++) {
    const spx_scorer *s = table[k];
    size_t c = ncolumns(s, ctx->cfg);
    if (!on(s, ctx->cfg)) continue;
    spx_score_dataset d[64];
    if (c > 64) return spx_error_set(err, SPX_EINTERNAL, "scorer %s: too many columns", s->name);
    if (c) s->columns(ctx->cfg, d, c);
    size_t width = spx_score_slots_all(d, c);
    if (at + width > nslots)
      return spx_error_set(err, SPX_EINTERNAL, "scorer %s: slots beyond the record", s->name);
    if (s->score) {
      ctx->cache = cache_of(caches, k, ctx->instance);
      int rc = s->score(ctx, tr, slots + at, arrays, err);
      if (rc) return rc;
    }
    at += width;
  }
  return SPX_OK;
}

void spx_score_layout(const spx_config *cfg, spx_results_layout *L) {
  for (size_t k = 0; table[k]; k++)
    if (on(table[k], cfg) && table[k]->layout) table[k]->layout(cfg, L);
}

void spx_score_summaries(const spx_config *cfg, spx_results *res, FILE *out) {
  for (size_t k = 0; table[k]; k++)
    if (on(table[k], cfg) && table[k]->print) table[k]->print(cfg, res, out);
}

size_t spx_score_summary_columns(const spx_config *cfg, spx_summary_column *out, size_t cap) {
  size_t count = 0;
  for (size_t k = 0; table[k]; k++) {
    if (!on(table[k], cfg) || table[k]->summary_columns == NULL) continue;
    for (const spx_summary_column *c = table[k]->summary_columns; c->header; c++) {
      if (out && count < cap) out[count] = *c;
      count++;
    }
  }
  return count;
}
