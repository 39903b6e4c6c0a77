/* explain.c: `spex-bench explain`, one method on one explicand, printed as a table or JSON.
 * The cell runs through the grid's cell runner (cell_runner.h) with the grid's streams.
 *
 * Options other than explain's own are "--KEY VALUE" pairs passed to the oracle (keys of its
 * TOML table) and, when the oracle does not read them, to the method. */
#include "explain.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cell_runner.h"
#include "core/convert.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/timer.h"
#include "methods/method.h"
#include "oracle/oracle.h"

typedef struct {
  const char *oracle, *method, *index_name, *json;
  long long budget, order, test_masks, seed, top, explicand;
  int have_budget, have_top, have_order;
  spx_options *extra; /* every --KEY VALUE not listed above */
} explain_args;

typedef struct {
  spx_oracle *oracle;
} eval_ctx;

static int eval_cb(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_retrying(((eval_ctx *)ctx)->oracle, masks, values, err);
}

void spx_explain_usage(FILE *out) {
  fprintf(out,
          "usage: spex-bench explain --oracle KIND [--KEY VALUE ...] --method NAME\n"
          "                          [--budget N] [--index NAME] [--order K] [--test-masks M]\n"
          "                          [--seed S] [--explicand E] [--top K] [--json FILE]\n"
          "\n"
          "Explain one explicand of an oracle with one method and print its top interactions.\n"
          "\n"
          "  --oracle KIND     value function:");
  const spx_oracle_type *const *ot = spx_oracle_types();
  for (size_t i = 0; ot[i]; i++) fprintf(out, " %s", ot[i]->name);
  fprintf(out, "\n  --method NAME     attribution method:");
  const spx_method_type *const *mt = spx_method_types();
  for (size_t i = 0; mt[i]; i++) fprintf(out, " %s", mt[i]->name);
  fprintf(out,
          "\n"
          "  --budget N        number of oracle queries the method may make (required except\n"
          "                    for exact, which enumerates all 2^n masks)\n"
          "  --index NAME      what to report: fourier, moebius, sii, bii, sv, bv, fsii, fbii,\n"
          "                    stii, ksii (default: the method's own basis); also given to\n"
          "                    methods that estimate that index themselves (an `index`\n"
          "                    option: proxyshap, shap_iq, permutation, kernelshap_iq)\n"
          "  --order K         order of the index (default 2; sv and bv use 1); also given to\n"
          "                    methods that take an `order` option\n"
          "  --test-masks M    score the reconstruction (R^2) on M uniform random held-out\n"
          "                    masks, which costs M extra oracle queries (default 0); drawn\n"
          "                    as a grid run draws them, so with a configuration's seed,\n"
          "                    explicand, budget (in queries) and test_masks the R^2 is that\n"
          "                    grid cell's (README \"explain reproduces a grid cell\")\n"
          "  --seed S          seed of every random choice (default 0)\n"
          "  --explicand E     which explicand of the oracle (default 0)\n"
          "  --top K           interactions to show (default 20; with --json, limits the list)\n"
          "  --json FILE       write the result as one JSON object to FILE ('-' = stdout)\n"
          "  --KEY VALUE       any key of the oracle's TOML table (e.g. --n 20 --max_degree 3)\n"
          "                    or of the method's table (e.g. --decoder soft)\n"
          "  --help            this text\n"
          "\n"
          "Oracles:\n");
  for (size_t i = 0; ot[i]; i++) fprintf(out, "  %-17s %s\n", ot[i]->name, ot[i]->summary);
  fprintf(out, "Methods:\n");
  for (size_t i = 0; mt[i]; i++) fprintf(out, "  %-17s %s\n", mt[i]->name, mt[i]->summary);
  fprintf(out, "\nExit status: 0 success, 1 run-time failure, 2 usage or option error.\n");
}

static int parse_ll_arg(const char *flag, const char *s, long long lo, long long *out,
                        FILE *errout) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < lo) {
    fprintf(errout, "spex-bench explain: %s: expected an integer >= %lld, got '%s'\n", flag, lo, s);
    return -1;
  }
  *out = v;
  return 0;
}

/* Returns 0, or an exit status. */
static int parse_args(int argc, char **argv, explain_args *a, FILE *out, FILE *errout) {
  memset(a, 0, sizeof *a);
  a->order = 2;
  a->top = 20;
  a->extra = spx_options_create("command line");
  if (a->extra == NULL) return 1;
  unsigned seen = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      spx_explain_usage(out);
      return -1;
    }
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
      fprintf(errout, "spex-bench explain: unexpected argument '%s' (options are --KEY VALUE)\n",
              arg);
      return 2;
    }
    /* --KEY VALUE or --KEY=VALUE */
    char keybuf[256];
    const char *key = arg + 2, *val = NULL;
    const char *eq = strchr(key, '=');
    if (eq != NULL) {
      size_t klen = (size_t)(eq - key);
      if (klen == 0 || klen >= sizeof keybuf) {
        fprintf(errout, "spex-bench explain: '%s': expected --KEY=VALUE\n", arg);
        return 2;
      }
      memcpy(keybuf, key, klen);
      keybuf[klen] = '\0';
      key = keybuf;
      val = eq + 1;
    } else if (i + 1 >= argc) {
      fprintf(errout, "spex-bench explain: %s needs a value\n", arg);
      return 2;
    } else {
      val = argv[++i];
    }
    int bad = 0;
    /* explain's own flags, like the oracle's and method's keys, may be given once */
    static const char *const own[] = {"oracle", "method", "index", "json", "budget", "order",
                                      "test-masks", "seed", "top", "explicand", NULL};
    for (size_t k = 0; own[k]; k++) {
      if (strcmp(own[k], key) != 0) continue;
      if (seen & (1u << k)) {
        fprintf(errout, "spex-bench explain: --%s given twice\n", key);
        return 2;
      }
      seen |= 1u << k;
    }
    if (strcmp(key, "oracle") == 0)
      a->oracle = val;
    else if (strcmp(key, "method") == 0)
      a->method = val;
    else if (strcmp(key, "index") == 0)
      a->index_name = val;
    else if (strcmp(key, "json") == 0)
      a->json = val;
    else if (strcmp(key, "budget") == 0)
      bad = parse_ll_arg(arg, val, 0, &a->budget, errout), a->have_budget = 1;
    else if (strcmp(key, "order") == 0)
      bad = parse_ll_arg(arg, val, 1, &a->order, errout), a->have_order = 1;
    else if (strcmp(key, "test-masks") == 0)
      bad = parse_ll_arg(arg, val, 0, &a->test_masks, errout);
    else if (strcmp(key, "seed") == 0)
      bad = parse_ll_arg(arg, val, 0, &a->seed, errout);
    else if (strcmp(key, "top") == 0)
      bad = parse_ll_arg(arg, val, 0, &a->top, errout), a->have_top = 1;
    else if (strcmp(key, "explicand") == 0)
      bad = parse_ll_arg(arg, val, 0, &a->explicand, errout);
    else if (spx_options_has(a->extra, key)) {
      fprintf(errout, "spex-bench explain: %s given twice\n", arg);
      return 2;
    } else if (spx_options_put(a->extra, key, SPX_OPT_TEXT, val, arg, NULL) != SPX_OK)
      return 1;
    if (bad) return 2;
  }
  if (a->oracle == NULL || a->method == NULL) {
    fprintf(errout, "spex-bench explain: --oracle and --method are required (see --help)\n");
    return 2;
  }
  return 0;
}

/* Exit status for a failed library call: option and usage problems are 2. */
static int status_of(int code) {
  return (code == SPX_EINVAL || code == SPX_ERANGE || code == SPX_ENOTAPPLICABLE) ? 2 : 1;
}

static cJSON *interaction_json(const uint32_t *idx, uint32_t deg, double value) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  cJSON *f = cJSON_AddArrayToObject(o, "features");
  for (uint32_t j = 0; f && j < deg; j++) cJSON_AddItemToArray(f, cJSON_CreateNumber(idx[j]));
  cJSON_AddNumberToObject(o, "value", value);
  return o;
}

static int write_json(const explain_args *a, size_t n, size_t queries, double t_decode,
                      double t_oracle, const char *index, long long order, double r2,
                      const spx_transform *res, const size_t *sorted, size_t shown,
                      FILE *out, spx_error *err) {
  cJSON *root = cJSON_CreateObject();
  SPX_CHECK_ALLOC(root, err);
  cJSON_AddNumberToObject(root, "n", (double)n);
  cJSON_AddStringToObject(root, "method", a->method);
  cJSON_AddNumberToObject(root, "budget", (double)a->budget);
  cJSON_AddNumberToObject(root, "queries", (double)queries);
  cJSON_AddNumberToObject(root, "time_decode_s", t_decode);
  cJSON_AddNumberToObject(root, "time_oracle_s", t_oracle);
  cJSON_AddStringToObject(root, "index", index);
  cJSON_AddNumberToObject(root, "order", (double)order);
  if (a->test_masks > 0) cJSON_AddNumberToObject(root, "r2", r2);
  cJSON *list = cJSON_AddArrayToObject(root, "interactions");
  int have_empty = 0;
  for (size_t k = 0; list && k < spx_transform_size(res); k++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(res, sorted[k], &idx, &deg, &v);
    if (k >= shown && deg != 0) continue;
    if (deg == 0) have_empty = 1;
    cJSON_AddItemToArray(list, interaction_json(idx, deg, v));
  }
  if (list && !have_empty) cJSON_AddItemToArray(list, interaction_json(NULL, 0, 0.0));
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  SPX_CHECK_ALLOC(text, err);
  int rc = SPX_OK;
  FILE *f = strcmp(a->json, "-") == 0 ? out : fopen(a->json, "w");
  if (f == NULL) {
    rc = spx_error_set(err, SPX_EIO, "--json %s: cannot open for writing: %s", a->json,
                       strerror(errno));
  } else {
    if (fprintf(f, "%s\n", text) < 0)
      rc = spx_error_set(err, SPX_EIO, "--json %s: write failed", a->json);
    if (f != out && fclose(f) != 0)
      rc = spx_error_set(err, SPX_EIO, "--json %s: write failed: %s", a->json, strerror(errno));
  }
  free(text);
  return rc;
}

static void print_table(const explain_args *a, const spx_oracle *o, size_t queries,
                        double t_decode, double t_oracle, const char *index, long long order,
                        double r2, const spx_transform *res, const size_t *sorted, size_t shown,
                        FILE *out) {
  const char *desc = spx_oracle_explicand_of(o);
  fprintf(out, "oracle %s, n = %zu%s%s\n", a->oracle, o->n, desc ? ", explicand: " : "",
          desc ? desc : "");
  char budget[48] = "unlimited";
  if (a->budget > 0) snprintf(budget, sizeof budget, "%lld queries", a->budget);
  fprintf(out, "method %s, budget %s, %zu queries asked, decode %.3f s, oracle %.3f s\n",
          a->method, budget, queries, t_decode, t_oracle);
  if (a->test_masks > 0)
    fprintf(out, "faithfulness R^2 on %lld held-out masks: %.6f\n", a->test_masks, r2);
  fprintf(out, "index %s", index);
  if (strcmp(index, "fourier") && strcmp(index, "moebius")) fprintf(out, " of order %lld", order);
  fprintf(out, ", %zu interactions, top %zu by |value|:\n", spx_transform_size(res), shown);
  fprintf(out, "  %4s  %16s  %s\n", "rank", "value", "features");
  for (size_t k = 0; k < shown; k++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(res, sorted[k], &idx, &deg, &v);
    fprintf(out, "  %4zu  %16.8g  ", k + 1, v);
    if (deg == 0) fprintf(out, "(empty set)");
    for (uint32_t j = 0; j < deg; j++) {
      char buf[32];
      const char *label = spx_oracle_label(o, idx[j], buf, sizeof buf);
      if (spx_oracle_labels(o))
        fprintf(out, "%s%u:%s", j ? ", " : "", idx[j], label);
      else
        fprintf(out, "%s%s", j ? ", " : "", label);
    }
    fprintf(out, "\n");
  }
}

int spx_explain_main(int argc, char **argv, FILE *out, FILE *errout) {
  explain_args a;
  int status = parse_args(argc, argv, &a, out, errout);
  if (status != 0) {
    spx_options_destroy(&a.extra);
    return status < 0 ? 0 : status;
  }
  spx_error err;
  spx_error_clear(&err);
  spx_oracle *o = NULL;
  spx_options *mopts = NULL;
  spx_transform *t = NULL, *res = NULL;
  spx_cell_runner runner;
  spx_cell_result rec;
  size_t *sorted = NULL;
  spx_cell_runner_init(&runner);
  memset(&rec, 0, sizeof rec);
  int rc;

  spx_index index = SPX_INDEX_FOURIER;
  if (a.index_name && spx_index_from_name(a.index_name, &index) != SPX_OK) {
    fprintf(errout,
            "spex-bench explain: --index: unknown index '%s' (fourier, moebius, sii, bii, sv, "
            "bv, fsii, fbii, stii, ksii)\n",
            a.index_name);
    spx_options_destroy(&a.extra);
    return 2;
  }
  if (!a.have_budget && strcmp(a.method, "exact") != 0) {
    fprintf(errout, "spex-bench explain: --budget is required for method %s\n", a.method);
    spx_options_destroy(&a.extra);
    return 2;
  }

  /* Route each --KEY by the declared option tables. Counting the explicands attaches the
   * oracle's tables to a copy of the keys (its kind's, the common keys, and any table the
   * oracle adds itself, such as a recorded oracle's fallback): a key they declare is the
   * oracle's, any other the method's (every oracle kind declares its table). */
  char mcontext[160];
  snprintf(mcontext, sizeof mcontext, "method %s", a.method);
  mopts = spx_options_create(mcontext);
  spx_options *probe = spx_options_clone(a.extra);
  size_t count = 1;
  const spx_oracle_type *otype = spx_oracle_find(a.oracle, &err);
  rc = otype == NULL ? SPX_EINVAL
       : mopts && probe ? spx_oracle_explicands(otype, probe, &count, &err)
                        : spx_error_set(&err, SPX_ENOMEM, "out of memory");
  if (rc) {
    spx_options_destroy(&probe);
    spx_error_prefix(&err, "oracle %s", a.oracle);
    goto done;
  }
  for (size_t i = 0; rc == SPX_OK && i < spx_options_count(a.extra);) {
    const char *key, *text, *where;
    spx_option_kind kind;
    spx_options_at(a.extra, i, &key, &kind, &text, &where);
    int to_method = spx_options_decl_of(probe, key) == NULL;
    if (!to_method) {
      i++;
      continue;
    }
    rc = spx_options_put(mopts, key, kind, text, where, &err);
    if (rc == SPX_OK) spx_options_remove(a.extra, key);
  }
  spx_options_destroy(&probe);
  if (rc) goto done;
  if ((unsigned long long)a.explicand >= (unsigned long long)count) { /* within the oracle's */
    rc = spx_error_set(&err, SPX_ERANGE,
                       "--explicand: %lld is beyond the %zu explicand%s of oracle %s (0..%zu)",
                       a.explicand, count, count == 1 ? "" : "s", a.oracle, count - 1);
    goto done;
  }
  rc = spx_oracle_open(otype, a.extra, (size_t)a.explicand, &o, &err);
  if (rc) {
    spx_error_prefix(&err, "oracle %s", a.oracle);
    goto done;
  }
  if (rc == SPX_OK && a.have_order) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", a.order);
    rc = spx_options_put(mopts, "order", SPX_OPT_TEXT, buf, "--order", &err);
    spx_options_known(mopts, "order");
  }
  /* --index goes to a method that estimates that index itself (an `index` choice among its
   * options: proxyshap, shap_iq, permutation, kernelshap_iq); its result is then the index and
   * is reported as it is, not converted again. */
  int method_index = 0;
  if (rc == SPX_OK && a.index_name && !spx_options_has(mopts, "index")) {
    const spx_method_type *mt = spx_method_lookup(a.method);
    const spx_option_decl *d = mt ? spx_option_decl_find(mt->options, "index") : NULL;
    for (size_t k = 0; d && d->kind == SPX_DECL_CHOICE && d->choices[k]; k++)
      method_index = method_index || strcmp(d->choices[k], a.index_name) == 0;
    if (method_index) {
      rc = spx_options_put(mopts, "index", SPX_OPT_TEXT, a.index_name, "--index", &err);
      spx_options_known(mopts, "index");
    }
  }
  if (rc) goto done;

  /* The cell runner of the grid (cell_runner.h), with the grid's streams: a configuration's
   * seed, explicand, method, budget (its query count) and test_masks give that grid cell's
   * transform and R^2 exactly. */
  const spx_method_type *mtype = spx_method_lookup(a.method);
  if (mtype == NULL) {
    char list[512] = "";
    const spx_method_type *const *all = spx_method_types();
    for (size_t i = 0; all[i]; i++) {
      if (i) strcat(list, ", ");
      strncat(list, all[i]->name, sizeof list - strlen(list) - 3);
    }
    rc = spx_error_set(&err, SPX_EINVAL, "unknown method '%s' (known: %s)", a.method, list);
    goto done;
  }
  spx_cell_spec spec = {NULL,
                        (uint64_t)a.seed,
                        (size_t)a.explicand,
                        spx_cell_stream((size_t)a.explicand, 0),
                        0,
                        0,
                        0,
                        mtype,
                        a.method,
                        mopts,
                        a.have_order ? "order" : NULL,
                        (size_t)a.budget,
                        (size_t)a.test_masks};
  eval_ctx ctx = {o};
  rc = spx_cell_run(&runner, &spec, o, eval_cb, &ctx, NULL, NULL, &rec, &t, &err);
  if (rc) {
    if (rc == SPX_EINVAL && strstr(err.msg, "unknown key")) {
      size_t len = strlen(err.msg);
      snprintf(err.msg + len, sizeof err.msg - len, "; it is not a key of oracle %s either",
               a.oracle);
    }
    goto done;
  }
  if (rec.status != SPX_CELL_OK) { /* scoring failed (a non-finite prediction or R^2) */
    rc = spx_error_set(&err, SPX_EORACLE, "%s", rec.message ? rec.message : "scoring failed");
    goto done;
  }
  double r2 = a.test_masks > 0 ? rec.scores[0] : NAN;
  spx_method_stats stats = {0};
  stats.queries = (size_t)rec.queries;
  stats.time_decode = rec.time_decode;
  stats.time_oracle = rec.time_oracle;

  if (a.index_name == NULL)
    index = spx_transform_basis(t) == SPX_BASIS_MOEBIUS ? SPX_INDEX_MOEBIUS : SPX_INDEX_FOURIER;
  long long order = (index == SPX_INDEX_SV || index == SPX_INDEX_BV) ? 1 : a.order;
  if (method_index) /* already the index, in the Moebius slot: a copy */
    rc = spx_transform_to_index(t, SPX_INDEX_MOEBIUS, (unsigned)order, &res, &err);
  else
    rc = spx_transform_to_index(t, index, (unsigned)order, &res, &err);
  if (rc) goto done;
  size_t size = spx_transform_size(res);
  sorted = malloc((size ? size : 1) * sizeof *sorted);
  if (sorted == NULL) {
    rc = spx_error_set(&err, SPX_ENOMEM, "out of memory");
    goto done;
  }
  rc = spx_transform_sorted(res, sorted, &err);
  if (rc) goto done;
  size_t shown = (size_t)a.top < size ? (size_t)a.top : size;
  if (a.json) {
    size_t jshown = a.have_top ? shown : size;
    rc = write_json(&a, o->n, stats.queries, stats.time_decode, stats.time_oracle,
                    spx_index_name(index), order, r2, res, sorted, jshown, out, &err);
    if (rc) goto done;
  }
  if (a.json == NULL || strcmp(a.json, "-") != 0)
    print_table(&a, o, stats.queries, stats.time_decode, stats.time_oracle,
                spx_index_name(index), order, r2, res, sorted, shown, out);

done:
  if (rc) fprintf(errout, "spex-bench explain: %s\n", err.msg);
  free(sorted);
  spx_cell_free(&rec);
  spx_cell_runner_free(&runner);
  spx_transform_destroy(&res);
  spx_transform_destroy(&t);
  spx_options_destroy(&mopts);
  spx_oracle_destroy(&o);
  spx_options_destroy(&a.extra);
  return rc ? status_of(rc) : 0;
}
