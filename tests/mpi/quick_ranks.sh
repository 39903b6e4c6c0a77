#!/bin/bash
# quick_ranks.sh: every configs/quick/*.toml on 1 rank, on 2 ranks (two groups of 1, rank 0
# computing) and on 4 ranks (two groups of 2 ranks with dynamic evaluation) must give the same
# result file up to timings, /meta and /config.
# Runs through spex-bench ($SPX_BIN, set by CTest); a config that spex-bench's `check`
# refuses is a failure (every quick config must be valid). Without SPX_BIN it runs through
# mpi_driver_main (the same entry points, built for the tests) and skips a config whose oracle
# or method that program lacks.
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_MPI_DRIVER_MAIN:?set by CTest}"
need_mpi
need_cmd h5diff h5ls
for cfg in "$SRC"/configs/quick/*.toml; do
  name=$(basename "$cfg" .toml)
  bin=${SPX_BIN:-$SPX_MPI_DRIVER_MAIN}
  if ! "$bin" check "$cfg" >"$tmp/check.txt" 2>&1; then
    if [ -n "${SPX_BIN:-}" ]; then
      note_fail "$name: spex-bench check refuses it: $(tail -1 "$tmp/check.txt")"
    else
      echo "SKIP: $name: $(tail -1 "$tmp/check.txt")"
    fi
    continue
  fi
  for np in 1 2 4; do
    mkdir -p "$tmp/$name/np$np"
    extra=()
    [ "$np" = 4 ] && extra=(--set experiment.group_size=2 --set experiment.split=dynamic --set experiment.chunk=100)
    if ! (cd "$tmp/$name/np$np" && "$MPIEXEC" -n $np --oversubscribe "$bin" "$cfg" \
          --quiet --set experiment.output=out.h5 "${extra[@]}" >out.txt 2>err.txt); then
      note_fail "$name on $np ranks exited non-zero" "$tmp/$name/np$np/err.txt"
    fi
  done
  for np in 2 4; do
    if same_results "$tmp/$name/np1/out.h5" "$tmp/$name/np$np/out.h5"; then
      note_pass "$name: 1 rank = $np ranks ($(basename "$bin"))"
    else
      note_fail "$name: 1 and $np ranks differ" "$tmp/diff.txt"
    fi
  done
done
finish
