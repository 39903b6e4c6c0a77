/* config.h: the experiment configuration (DESIGN §4), read from TOML and validated
 * completely before any work starts.
 *
 * Every problem is reported as "file:line:column: key: problem" (for a value that came from
 * the command line: "--set key=value: key: problem"); the callers turn that into exit
 * status 2. The configuration is loaded in two steps:
 *   spx_config_load     parse, apply --set overrides, check every driver key (types, ranges,
 *                       unknown keys), resolve oracle and method names, count explicands,
 *                       fill in defaults and print the resolved TOML text;
 *   spx_config_dry_run  open the oracle for the first explicand (first n of a scaling sweep)
 *                       and dry-run every method's options (see docs/configuration.md).
 * Oracle and method options are passed through as spx_options tables whose values carry
 * their file:line:column, so the getters of the oracle or method report them precisely. */
#ifndef SPX_CONFIG_H
#define SPX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/options.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "par/par.h"

typedef enum {
  SPX_EXP_FAITHFULNESS = 0,
  SPX_EXP_SCALING,
  SPX_EXP_RECOVERY,
  SPX_EXP_RECORD
} spx_experiment_kind;

typedef enum { SPX_BUDGET_SPEX_B = 0, SPX_BUDGET_SAMPLES } spx_budget_mode;

/* Extra oracle and method types besides the registries (NULL-terminated lists, each may be
 * NULL). Tests use this to exercise the driver with types that are not in the product. */
typedef struct spx_config_types {
  const spx_oracle_type *const *oracles;
  const spx_method_type *const *methods;
} spx_config_types;

typedef struct spx_config_method {
  const spx_method_type *type;
  char *label;       /* the "label" key, or the method name; unique within the config */
  char *where;       /* file:line:column of the [[method]] table */
  spx_options *opts; /* every key but name and label */
} spx_config_method;

typedef struct spx_config {
  char *source; /* the file (or source name) read */
  /* [experiment] */
  char *name;
  spx_experiment_kind kind;
  uint64_t seed;
  char *output;
  char *recording; /* recording path pattern ("{e}" = explicand), for kind = record */
  size_t test_masks, repeats, group_size, chunk;
  spx_par_split split; /* [parallel] split: par.h's enum */
  int dedicated_coordinator; /* coordinator = "dedicated": world rank 0 does not compute */
  /* [oracle] */
  const spx_oracle_type *oracle;
  char *oracle_where;       /* position of oracle.kind */
  spx_options *oracle_opts; /* every key but kind and explicands */
  size_t explicand_first, explicand_count;
  size_t explicand_stride; /* explicands first, first + stride, ... (default 1) */
  /* 1 when [oracle] explicands is an integer: the number of inputs an oracle offers (the
   * process oracle's key), passed to the oracle; every input is used. */
  int explicands_to_oracle;
  /* [budget] */
  spx_budget_mode budget_mode;
  unsigned spex_t;     /* BCH degree parameter of the spx_b rule */
  long long *budget_points; /* the [budget] points: b values (spx_b) or sample counts (samples) */
  size_t nbudget_points;
  /* [[method]] */
  spx_config_method *method;
  size_t nmethod;
  /* [scaling] (kind = scaling only; otherwise nscaling = 0) */
  size_t *scaling_n;
  size_t nscaling;
  char *scaling_where; /* position of scaling.n, for the oracle option "n" */
  /* [pruning] (oracle components only; otherwise nprune = 0): experiments/pruning.h */
  double *prune_fractions; /* ascending, in (0, 1] */
  size_t nprune;
  int prune_rank_by;        /* spx_prune_rank: 0 banzhaf, 1 shapley */
  size_t prune_random;      /* random orders per explicand for the baseline */
  /* [scoring] (optional scorers, experiments/scorers/): has_scoring when the section is given */
  int has_scoring;
  int index_accuracy;       /* score SII/BII orders 1..3 against the exact index */
  size_t exact_max_n;       /* largest n evaluated on all 2^n masks for the truth */
  /* The resolved configuration (defaults filled in) as TOML text. */
  char *resolved;
} spx_config;

/* Load and check a configuration file; sets are "key=value" overrides applied in order.
 * types may be NULL. On failure *out is NULL and err holds the message. */
int spx_config_load(const char *path, const char *const *sets, size_t nsets,
                    const spx_config_types *types, spx_config **out, spx_error *err);
/* The same from TOML text; source names it in messages. */
int spx_config_load_string(const char *text, const char *source, const char *const *sets,
                           size_t nsets, const spx_config_types *types, spx_config **out,
                           spx_error *err);
void spx_config_destroy(spx_config **cfg);

/* Open the oracle once and check each method's options (see docs/configuration.md). */
int spx_config_dry_run(const spx_config *cfg, spx_error *err);

/* Number of problem instances: explicands x max(1, scaling points). Instance i is explicand
 * explicand_first + i % explicand_count at scaling point i / explicand_count. */
size_t spx_config_instances(const spx_config *cfg);
size_t spx_config_instance_explicand(const spx_config *cfg, size_t instance);
size_t spx_config_instance_scaling(const spx_config *cfg, size_t instance);

/* A fresh copy of the oracle options for an instance (with n set for scaling sweeps). */
spx_options *spx_config_oracle_options(const spx_config *cfg, size_t instance, spx_error *err);
/* Queries (sample count) of budget point i for an instance with n features. */
int spx_config_budget_queries(const spx_config *cfg, size_t n, size_t i, size_t *samples,
                              spx_error *err);

/* Method and oracle lookup that also sees the extra types. */
const spx_oracle_type *spx_config_find_oracle(const spx_config_types *types, const char *name);
const spx_method_type *spx_config_find_method(const spx_config_types *types, const char *name);

const char *spx_experiment_kind_name(spx_experiment_kind kind);

/* The declared keys of a driver section ("experiment", "oracle.explicands", "budget",
 * "scaling", "pruning"), or NULL; spx_config_section_name(i) walks the sections (NULL after the
 * last). */
const spx_option_decl *spx_config_section_options(const char *section);
const char *spx_config_section_name(size_t i);

#endif
