#!/usr/bin/env bash
# tests/cli/blas_threads.sh: results do not depend on the OpenMP/OpenBLAS thread settings of the
# environment (spx_par_init keeps one BLAS thread per rank unless OPENBLAS_NUM_THREADS is set;
# docs/parallel.md). ProxySPEX's ridge refit goes through OpenBLAS's dsyrk, whose multithreaded
# kernel sums in another order: with two BLAS threads its coefficients differ in the last bits.
. "$(dirname "$0")/../lib/harness.sh"
need_cmd h5diff
cfg="$SRC/configs/quick/proxyspex.toml"
run() { # run NAME ENV...: the quick ProxySPEX config under the given environment
  local name=$1; shift
  env -u OPENBLAS_NUM_THREADS "$@" "$BIN" "$cfg" --quiet \
    --set "experiment.output=\"$tmp/$name.h5\"" >"$tmp/$name.out" 2>&1
  check "$name: the run exits 0" $? "$tmp/$name.out"
}
run one OMP_NUM_THREADS=1
run unset -u OMP_NUM_THREADS
run two OMP_NUM_THREADS=2
same_results --results "$tmp/one.h5" "$tmp/unset.h5"
check "OMP_NUM_THREADS unset gives the results of OMP_NUM_THREADS=1" $? "$tmp/diff.txt"
same_results --results "$tmp/one.h5" "$tmp/two.h5"
check "OMP_NUM_THREADS=2 gives the results of OMP_NUM_THREADS=1" $? "$tmp/diff.txt"
finish
