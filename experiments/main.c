/* main.c: the spex-bench command; a thin dispatcher over the drivers in experiments/. */
#include <stdio.h>

#include "experiments/cli.h"
#include "par/par.h"

int main(int argc, char **argv) {
  if (spx_par_init(&argc, &argv) != 0) {
    fprintf(stderr, "spex-bench: MPI initialisation failed\n");
    return 1;
  }
  int status = spx_cli_main(argc, argv, stdout, stderr);
  spx_par_finalize();
  return status;
}
