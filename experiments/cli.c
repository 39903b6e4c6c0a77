/* cli.c: parse the spex-bench command line and call one driver. */
#include "cli.h"

#include <string.h>

int spx_cli_main(int argc, char **argv, FILE *out, FILE *errout) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(out, "usage: spex-bench explain ...\n");
    return argc < 2 ? 2 : 0;
  }
  fprintf(errout, "spex-bench: unknown command '%s'\n", argv[1]);
  return 2;
}
