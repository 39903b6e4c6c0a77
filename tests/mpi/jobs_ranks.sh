#!/bin/bash
# jobs_ranks.sh: method jobs shared over one group of 1, 2, 3 and 4 ranks (tests/mpi/jobs_main.c
# holds the checks: job order, distribution, failures, ProxySPEX search shared = serial).
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_MPI_JOBS_MAIN:?set by CTest}"
need_mpi
expect_ranks "$SPX_MPI_JOBS_MAIN" 1 2 3 4
finish
