/* cli.c: parse the spex-bench command line and call one driver. */
#include "cli.h"

#include <string.h>

#include "experiments/explain.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: spex-bench explain --oracle KIND --method NAME [options]   (see explain --help)\n"
          "       spex-bench --help | --version\n");
}

int spx_cli_main(int argc, char **argv, FILE *out, FILE *errout) {
  if (argc < 2) {
    usage(errout);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    usage(out);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    fprintf(out, "spex-bench %s\n", SPX_VERSION);
    return 0;
  }
  if (strcmp(cmd, "explain") == 0) return spx_explain_main(argc - 1, argv + 1, out, errout);
  fprintf(errout, "spex-bench: unknown command '%s'\n", cmd);
  usage(errout);
  return 2;
}
