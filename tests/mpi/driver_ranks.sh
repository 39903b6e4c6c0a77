#!/bin/bash
# driver_ranks.sh: the same experiment on 1 rank, on 2 ranks (rank 0 computes: two groups of
# 1) and on 4 ranks (four groups of 1; a dedicated coordinator and three groups of 1; groups
# of 3 and 1 with dynamic evaluation, rank 0 leading the group of 3; two groups of 2 with block
# evaluation) must give the same result file, up to timings, /meta and /config (which records
# the group size). Uses the test-only oracle and method (mpi_driver_main).
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_MPI_DRIVER_MAIN:?set by CTest}"
need_mpi
need_cmd h5diff h5ls
cfg="$SRC/tests/data/driver_small.toml"
run() { # name np args...
  local name=$1 np=$2
  shift 2
  mkdir -p "$tmp/$name"
  if ! (cd "$tmp/$name" && "$MPIEXEC" -n "$np" --oversubscribe "$SPX_MPI_DRIVER_MAIN" "$cfg" --quiet "$@" >out.txt 2>err.txt); then
    note_fail "run $name (np $np $*) exited non-zero" "$tmp/$name/err.txt"
  fi
}
run np1 1
run np2 2
run np4 4 --set experiment.group_size=1
run np4d 4 --set experiment.coordinator=dedicated
run np4g3 4 --set experiment.group_size=3 --set experiment.split=dynamic --set experiment.chunk=7
run np4g2 4 --set experiment.group_size=2
for other in np2 np4 np4d np4g3 np4g2; do
  if same_results "$tmp/np1/driver_small.h5" "$tmp/$other/driver_small.h5"; then
    note_pass "np1 = $other"
  else
    note_fail "np1 and $other differ:" "$tmp/diff.txt"
  fi
done
finish
