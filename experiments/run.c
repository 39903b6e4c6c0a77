/* run.c: command-line entry points of the experiment drivers (run and check) and the
 * printed plan of a configuration. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include "check_command.h"
#include "probe.h"

static const char *const run_usage =
    "usage: spex-bench CONFIG.toml [--set key=value ...] [--resume] [--quiet]\n";
static const char *const check_usage =
    "usage: spex-bench check CONFIG.toml [--set key=value ...] [--probe]\n";
static const char *const record_usage =
    "usage: spex-bench record CONFIG.toml [--set key=value ...] [--quiet]\n";

enum { MODE_CHECK = 0, MODE_RUN = 1, MODE_RECORD = 2 };

typedef struct {
  const char *path;
  const char **sets;
  size_t nsets;
  int resume, quiet, help, probe;
} cli_args;

/* Returns 0, or 2 after printing the problem (when print). */
static int parse_args(int argc, char **argv, int mode, cli_args *a, FILE *errout, int print) {
  memset(a, 0, sizeof *a);
  a->sets = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a->sets);
  if (a->sets == NULL) return 2;
  int run = mode == MODE_RUN;
  const char *usage = mode == MODE_RUN ? run_usage : mode == MODE_RECORD ? record_usage : check_usage;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
      a->help = 1;
    } else if (strcmp(s, "--set") == 0) {
      if (i + 1 >= argc) {
        if (print) fprintf(errout, "spex-bench: --set needs key=value\n%s", usage);
        return 2;
      }
      a->sets[a->nsets++] = argv[++i];
    } else if (strncmp(s, "--set=", 6) == 0) {
      a->sets[a->nsets++] = s + 6;
    } else if (run && strcmp(s, "--resume") == 0) {
      a->resume = 1;
    } else if (mode == MODE_CHECK && strcmp(s, "--probe") == 0) {
      a->probe = 1; /* start the model and ask it two masks (probe.h) */
    } else if (mode != MODE_CHECK && strcmp(s, "--quiet") == 0) {
      a->quiet = 1;
    } else if (s[0] == '-' && s[1] != '\0') {
      if (print) fprintf(errout, "spex-bench: unknown option '%s'\n%s", s, usage);
      return 2;
    } else if (a->path == NULL) {
      a->path = s;
    } else {
      if (print) fprintf(errout, "spex-bench: more than one configuration file ('%s', '%s')\n%s",
                         a->path, s, usage);
      return 2;
    }
  }
  if (a->path == NULL && !a->help) {
    if (print) fprintf(errout, "spex-bench: no configuration file given\n%s", usage);
    return 2;
  }
  return 0;
}

/* ---- check ---------------------------------------------------------------------------------- */

static void print_options(const spx_options *o, FILE *out) {
  for (size_t k = 0; k < spx_options_count(o); k++) {
    const char *key, *text;
    spx_option_kind kind;
    spx_options_at(o, k, &key, &kind, &text, NULL);
    fprintf(out, "%s%s = %s%s%s", k ? ", " : " (", key, kind == SPX_OPT_STRING ? "\"" : "", text,
            kind == SPX_OPT_STRING ? "\"" : "");
  }
  if (spx_options_count(o)) fputc(')', out);
}

/* The resolved options of o (declared defaults included) on one line: "k = v, k = v". */
static void print_resolved(const spx_options *o, FILE *out) {
  char *text = NULL;
  if (spx_options_resolved(o, &text, NULL) != SPX_OK) return;
  if (text[0] == '\0') fputs("(no option given; its keys are not declared in a table yet)", out);
  for (char *p = text; *p; p++)
    if (*p == '\n' && p[1] != '\0') {
      fputs(", ", out);
    } else if (*p != '\n') {
      fputc(*p, out);
    }
  free(text);
}

/* Cells that will be skipped (the method does not apply at that n and budget), grouped by
 * method, budget point and reason with the instances they concern. */
typedef struct {
  size_t method, budget_index, samples; /* budget_index: position in [budget] */
  char why[256];
  size_t *inst, ninst, cap;
} skip_group;

typedef struct {
  skip_group *g;
  size_t count, cap, cells;
} skip_list;

static int skip_add(skip_list *l, size_t m, size_t b, size_t samples, const char *why,
                    size_t inst) {
  skip_group *g = NULL;
  for (size_t k = 0; k < l->count; k++)
    if (l->g[k].method == m && l->g[k].budget_index == b && strcmp(l->g[k].why, why) == 0)
      g = &l->g[k];
  if (g == NULL) {
    if (l->count == l->cap) {
      size_t cap = l->cap ? 2 * l->cap : 8;
      skip_group *n = realloc(l->g, cap * sizeof *n);
      if (n == NULL) return -1;
      l->g = n;
      l->cap = cap;
    }
    g = &l->g[l->count++];
    memset(g, 0, sizeof *g);
    g->method = m;
    g->budget_index = b;
    g->samples = samples;
    snprintf(g->why, sizeof g->why, "%s", why);
  }
  if (g->ninst == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 8;
    size_t *n = realloc(g->inst, cap * sizeof *n);
    if (n == NULL) return -1;
    g->inst = n;
    g->cap = cap;
  }
  g->inst[g->ninst++] = inst;
  l->cells++;
  return 0;
}

static int skip_cmp(const void *a, const void *b) {
  const skip_group *x = a, *y = b;
  if (x->method != y->method) return x->method < y->method ? -1 : 1;
  if (x->budget_index != y->budget_index) return x->budget_index < y->budget_index ? -1 : 1;
  return x->inst[0] < y->inst[0] ? -1 : x->inst[0] > y->inst[0];
}

static void skip_free(skip_list *l) {
  for (size_t k = 0; k < l->count; k++) free(l->g[k].inst);
  free(l->g);
}

int spx_config_print_plan(const spx_config *cfg, FILE *out, spx_error *err) {
  size_t I = spx_config_instances(cfg), M = cfg->nmethod, B = cfg->nbudget_points, R = cfg->repeats;
  fprintf(out, "experiment   %s: %s, seed %llu, output %s\n", cfg->name,
          spx_experiment_kind_name(cfg->kind), (unsigned long long)cfg->seed, cfg->output);
  size_t stride = cfg->explicand_stride ? cfg->explicand_stride : 1;
  fprintf(out, "oracle       %s, explicands %zu..%zu (%zu", cfg->oracle->name,
          cfg->explicand_first, cfg->explicand_first + (cfg->explicand_count - 1) * stride,
          cfg->explicand_count);
  if (stride > 1) fprintf(out, ", every %zu%s", stride, stride == 2 ? "nd" : "th");
  fprintf(out, ")");
  if (cfg->nscaling) {
    fprintf(out, ", scaling n =");
    for (size_t s = 0; s < cfg->nscaling; s++) fprintf(out, " %zu", cfg->scaling_n[s]);
  }
  print_options(cfg->oracle_opts, out);
  fputc('\n', out);
  for (size_t m = 0; m < M; m++) {
    fprintf(out, "%s %s", m ? "            " : "methods     ", cfg->method[m].label);
    if (strcmp(cfg->method[m].label, cfg->method[m].type->name) != 0)
      fprintf(out, " [%s]", cfg->method[m].type->name);
    print_options(cfg->method[m].opts, out);
    fputc('\n', out);
  }
  if (cfg->budget_mode == SPX_BUDGET_SPEX_B) {
    fprintf(out, "budget       spx_b =");
    for (size_t b = 0; b < B; b++) fprintf(out, " %lld", cfg->budget_points[b]);
    fprintf(out, ": N(b) = 3 (p+1) 2^b queries, p the BCH parity length for t = %u at n\n",
            cfg->spex_t);
  } else {
    fprintf(out, "budget       samples =");
    for (size_t b = 0; b < B; b++) fprintf(out, " %lld", cfg->budget_points[b]);
    fputc('\n', out);
  }
  fprintf(out, "evaluation   %zu test masks per explicand, %zu repeat%s, group size %zu, %s split",
          cfg->test_masks, R, R == 1 ? "" : "s", cfg->group_size,
          cfg->split == SPX_PAR_BLOCK ? "block" : "dynamic");
  if (cfg->split == SPX_PAR_DYNAMIC) fprintf(out, " (chunks of %zu)", cfg->chunk);
  fprintf(out, ", %s coordinator", cfg->dedicated_coordinator ? "dedicated" : "computing");
  if (cfg->nprune) {
    fprintf(out, "\npruning      keep the top fraction");
    for (size_t j = 0; j < cfg->nprune; j++) fprintf(out, " %g", cfg->prune_fractions[j]);
    fprintf(out, " of the components by %s value; %zu random orders per explicand",
            cfg->prune_rank_by ? "Shapley" : "Banzhaf", cfg->prune_random);
  }
  fprintf(out, "\n\n%-9s %-10s %-8s queries per cell at each budget point\n", "instance",
          "explicand", "n");
  /* n of each instance: open the oracle (all instances up to 64, else the first of each
   * scaling point, assumed for the rest). */
  int all = I <= 64;
  size_t n = 0;
  double total = 0;
  int rc = SPX_OK;
  skip_list skipped = {0};
  for (size_t i = 0; rc == SPX_OK && i < I; i++) {
    int fresh = all || i % cfg->explicand_count == 0;
    if (fresh) {
      spx_options *o = spx_config_oracle_options(cfg, i, err);
      spx_oracle *orc = NULL;
      rc = o ? spx_oracle_open(cfg->oracle, o, spx_config_instance_explicand(cfg, i), &orc,
                                    err)
             : SPX_ENOMEM;
      if (rc == SPX_OK) n = orc->n;
      spx_oracle_destroy(&orc);
      spx_options_destroy(&o);
      if (rc) break;
    }
    int show = all || fresh || i + 1 == I;
    if (show) fprintf(out, "%-9zu %-10zu %-8zu", i, spx_config_instance_explicand(cfg, i), n);
    for (size_t b = 0; rc == SPX_OK && b < B; b++) {
      size_t s;
      rc = spx_config_budget_queries(cfg, n, b, &s, err);
      if (rc == SPX_OK && show) fprintf(out, " %zu", s);
      for (size_t m = 0; rc == SPX_OK && m < M; m++) {
        spx_options *mo = spx_options_clone(cfg->method[m].opts);
        char why[256] = "";
        int ok = mo ? spx_method_applicable(cfg->method[m].type, n, s, mo, why, sizeof why) : 1;
        spx_options_destroy(&mo);
        if (ok) {
          total += (double)s * (double)R;
        } else if (skip_add(&skipped, m, b, s, why, i) != 0) {
          rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
        }
      }
    }
    if (show) fprintf(out, "%s\n", (!all && !fresh) ? "  (n of the first explicand assumed)" : "");
    if (!all && fresh && i + 1 < I && (i + 1) % cfg->explicand_count != 0)
      fprintf(out, "...\n");
    total += (double)cfg->test_masks;
  }
  if (rc) {
    skip_free(&skipped);
    return rc;
  }
  fprintf(out, "\ncells        %zu instance%s x %zu method%s x %zu budget%s x %zu repeat%s = %zu\n",
          I, I == 1 ? "" : "s", M, M == 1 ? "" : "s", B, B == 1 ? "" : "s", R, R == 1 ? "" : "s",
          I * M * B * R);
  if (skipped.cells == 0) {
    fprintf(out, "skipped      none: every method applies at every instance and budget\n");
  } else {
    fprintf(out, "skipped      %zu of %zu cells (the method does not apply there; recorded as "
                 "skipped%s):\n",
            skipped.cells * R, I * M * B * R, all ? "" : "; n of the first explicand assumed");
    qsort(skipped.g, skipped.count, sizeof *skipped.g, skip_cmp);
    for (size_t k = 0; k < skipped.count; k++) {
      const skip_group *g = &skipped.g[k];
      fprintf(out, "  %s at %s = %lld (%zu queries), instance%s", cfg->method[g->method].label,
              cfg->budget_mode == SPX_BUDGET_SPEX_B ? "b" : "samples", cfg->budget_points[g->budget_index],
              g->samples, g->ninst == 1 ? "" : "s");
      for (size_t j = 0; j < g->ninst; j++) fprintf(out, "%s%zu", j ? "," : " ", g->inst[j]);
      fprintf(out, ": %s\n", g->why);
    }
  }
  skip_free(&skipped);
  fprintf(out, "queries      at most %.0f (the budgets of every cell that runs plus the test masks; "
               "methods may use fewer)\n",
          total);
  fprintf(out, "\nresolved method options (declared defaults included):\n");
  for (size_t m = 0; m < M; m++) {
    fprintf(out, "  %-16s ", cfg->method[m].label);
    print_resolved(cfg->method[m].opts, out);
    fputc('\n', out);
  }
  fprintf(out, "  %-16s ", cfg->oracle->name);
  print_resolved(cfg->oracle_opts, out);
  fputc('\n', out);
  fprintf(out, "\nresolved configuration:\n%s", cfg->resolved);
  return SPX_OK;
}

int spx_check_config_types(int argc, char **argv, FILE *out, FILE *errout,
                           const spx_config_types *types) {
  int print = spx_par_world_rank_now() == 0;
  cli_args a;
  int code = parse_args(argc, argv, MODE_CHECK, &a, errout, print);
  if (code == 0 && a.help) {
    if (print) fputs(check_usage, out);
  } else if (code == 0) {
    spx_config *cfg = NULL;
    spx_error err = {0};
    int rc = spx_config_load(a.path, a.sets, a.nsets, types, &cfg, &err);
    if (rc == SPX_OK) rc = spx_config_dry_run(cfg, &err);
    if (rc == SPX_OK) rc = spx_check_commands(cfg, &err); /* the model's program exists */
    if (rc == SPX_OK && print) rc = spx_config_print_plan(cfg, out, &err);
    if (rc == SPX_OK && print) rc = spx_check_estimate(cfg, a.probe, out, &err);
    if (rc) {
      if (print) fprintf(errout, "spex-bench: %s\n", err.msg);
      code = 2;
    }
    spx_config_destroy(&cfg);
  }
  free(a.sets);
  return code;
}

int spx_check_config(int argc, char **argv, FILE *out, FILE *errout) {
  return spx_check_config_types(argc, argv, out, errout, NULL);
}

/* ---- run ------------------------------------------------------------------------------------ */

static int run_main(int argc, char **argv, FILE *out, FILE *errout,
                    const spx_config_types *types, int mode) {
  if (spx_par_init(NULL, NULL) != 0) {
    fprintf(errout, "spex-bench: MPI initialisation failed\n");
    return 1;
  }
  int rank = spx_par_world_rank_now(), print = rank == 0;
  cli_args a;
  int code = parse_args(argc, argv, mode, &a, errout, print);
  if (code || a.help) {
    if (code == 0 && print) fputs(mode == MODE_RECORD ? record_usage : run_usage, out);
    free(a.sets);
    return code;
  }
  spx_config *cfg = NULL;
  spx_error err = {0};
  int rc = spx_config_load(a.path, a.sets, a.nsets, types, &cfg, &err);
  free(a.sets);
  if (rc) { /* every rank reads the same file and gets the same answer */
    if (print) fprintf(errout, "spex-bench: %s\n", err.msg);
    return 2;
  }
  spx_par *par = NULL;
  rc = spx_par_create(spx_par_comm_world(), cfg->group_size, cfg->split, cfg->chunk,
                      cfg->dedicated_coordinator, &par, &err);
  if (rc) {
    if (print) fprintf(errout, "spex-bench: %s\n", err.msg);
    spx_config_destroy(&cfg);
    return 1;
  }
  /* The dry run (oracle and method options) on rank 0, before any work starts. */
  int32_t checked = SPX_OK;
  if (rank == 0) checked = spx_config_dry_run(cfg, &err);
  spx_par_world_bcast(par, &checked, sizeof checked, NULL);
  if (checked) {
    if (print) fprintf(errout, "spex-bench: %s\n", err.msg);
    code = 2;
  } else {
    spx_run_options opt = {a.resume, a.quiet, print ? out : NULL, print ? errout : NULL};
    rc = mode == MODE_RECORD ? spx_run_record(cfg, par, &opt, &err)
                             : spx_run_experiment(cfg, par, &opt, &err);
    if (rc) {
      if (print) fprintf(errout, "spex-bench: %s\n", err.msg);
      code = rc == SPX_EINVAL ? 2 : 1;
    }
  }
  spx_par_destroy(&par);
  spx_config_destroy(&cfg);
  return code;
}

int spx_run_config_types(int argc, char **argv, FILE *out, FILE *errout,
                         const spx_config_types *types) {
  return run_main(argc, argv, out, errout, types, MODE_RUN);
}

int spx_record_config_types(int argc, char **argv, FILE *out, FILE *errout,
                            const spx_config_types *types) {
  return run_main(argc, argv, out, errout, types, MODE_RECORD);
}

int spx_run_config(int argc, char **argv, FILE *out, FILE *errout) {
  return spx_run_config_types(argc, argv, out, errout, NULL);
}

int spx_record_config(int argc, char **argv, FILE *out, FILE *errout) {
  return spx_record_config_types(argc, argv, out, errout, NULL);
}
