/* driver_main.c: spex-bench's run/check entry points with the test-only oracle and method of
 * tests/driver_types.h registered, for the MPI tests of the driver (the scripts in tests/mpi/). */
#include <stdio.h>
#include <string.h>

#include "driver_types.h"
#include "experiments/run.h"
#include "par/par.h"

int main(int argc, char **argv) {
  if (spx_par_init(&argc, &argv) != 0) return 1;
  int code;
  if (argc > 1 && strcmp(argv[1], "check") == 0)
    code = spx_check_config_types(argc - 1, argv + 1, stdout, stderr, &test_types);
  else
    code = spx_run_config_types(argc, argv, stdout, stderr, &test_types);
  spx_par_finalize();
  return code;
}
