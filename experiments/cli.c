/* cli.c: parse the spex-bench command line and call one driver. */
#include "cli.h"

#include <string.h>

#include "experiments/convert.h"
#include "experiments/explain.h"
#include "experiments/help.h"
#include "experiments/run.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: spex-bench CONFIG.toml [--set key=value ...] [--resume] [--quiet]\n"
          "                                  run an experiment (under mpirun for several ranks)\n"
          "       spex-bench check CONFIG.toml [--set key=value ...] [--probe]\n"
          "                                  validate a config and print its query plan\n"
          "                                  (--probe: also start the model, ask two masks)\n"
          "       spex-bench record CONFIG.toml [--set key=value ...] [--quiet]\n"
          "                                  run every query of the config against the live\n"
          "                                  oracle and store them (docs/recordings.md)\n"
          "       spex-bench explain --oracle KIND --method NAME [options]\n"
          "                                  explain one explicand (see explain --help)\n"
          "       spex-bench convert --index NAME [--order K] < TRANSFORM.json\n"
          "                                  a stored transform to an interaction index\n"
          "       spex-bench --help [TOPIC] | --version\n"
          "                                  TOPIC: experiment, budget, explicands, scaling,\n"
          "                                  pruning, an oracle kind or a method name (their\n"
          "                                  keys, defaults and ranges), oracles, methods\n"
          "\n"
          "Exit status: 0 success, 1 run-time failure (finished results are kept),\n"
          "2 usage or configuration error. Configuration keys: docs/configuration.md.\n");
}

int spx_cli_main(int argc, char **argv, FILE *out, FILE *errout) {
  if (argc < 2) {
    usage(errout);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    if (argc > 2) return spx_help_topic(argv[2], out, errout);
    usage(out);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    if (spx_print_versions(out) == 0) return 0;
    fprintf(errout, "spex-bench: out of memory\n");
    return 1;
  }
  if (strcmp(cmd, "explain") == 0) return spx_explain_main(argc - 1, argv + 1, out, errout);
  if (strcmp(cmd, "convert") == 0)
    return spx_convert_main(argc - 1, argv + 1, stdin, out, errout);
  if (strcmp(cmd, "check") == 0) return spx_check_config(argc - 1, argv + 1, out, errout);
  if (strcmp(cmd, "record") == 0) return spx_record_config(argc - 1, argv + 1, out, errout);
  if (cmd[0] != '-') return spx_run_config(argc, argv, out, errout);
  fprintf(errout, "spex-bench: unknown option '%s'\n", cmd);
  usage(errout);
  return 2;
}
