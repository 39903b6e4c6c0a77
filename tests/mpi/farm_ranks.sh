#!/bin/bash
# farm_ranks.sh: the task farm alone (src/par/farm.h) on 1, 2 and 3 ranks; tests/mpi/farm_main.c
# holds the checks (group sizes 1 and 2, computing and dedicated coordinator, a group that
# retires, and with 3 ranks a farm on a communicator of two of them).
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_MPI_FARM_MAIN:?set by CTest}"
need_mpi
expect_ranks "$SPX_MPI_FARM_MAIN" 1 2 3
finish
