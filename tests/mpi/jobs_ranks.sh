#!/bin/bash
# jobs_ranks.sh: method jobs shared over one group of 1, 2, 3 and 4 ranks (tests/mpi/jobs_main.c
# holds the checks: job order, distribution, failures, ProxySPEX search shared = serial).
set -u
: "${SPX_MPI_JOBS_MAIN:?set by CTest}" "${MPIEXEC:?set by CTest}"
fail=0
for np in 1 2 3 4; do
  if out=$("$MPIEXEC" -n $np --oversubscribe "$SPX_MPI_JOBS_MAIN" 2>&1); then
    echo "PASS: $np ranks ($(echo "$out" | tail -1))"
  else
    echo "FAIL: $np ranks"; echo "$out"; fail=1
  fi
done
exit $fail
