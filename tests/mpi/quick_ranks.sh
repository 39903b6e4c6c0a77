#!/bin/bash
# quick_ranks.sh: every configs/quick/*.toml on 1 rank, on 2 ranks (two groups of 1, rank 0
# computing) and on 4 ranks (two groups of 2 ranks with dynamic evaluation) must give the same
# result file up to timings, /meta and /config.
# Runs through spex-bench ($SPX_BIN, set by CTest); a config that spex-bench's `check`
# refuses is a failure (every quick config must be valid). Without SPX_BIN it runs through
# mpi_driver_main (the same entry points, built for the tests) and skips a config whose oracle
# or method that program lacks.
set -u
: "${SPX_MPI_DRIVER_MAIN:?set by CTest}" "${MPIEXEC:?set by CTest}"
command -v h5diff >/dev/null || { echo "FAIL: h5diff not found (install hdf5-tools: scripts/setup)"; exit 1; }
src="${SPX_SOURCE_DIR:-.}"
tmp=$(mktemp -d /tmp/spx_quick_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
for cfg in "$src"/configs/quick/*.toml; do
  name=$(basename "$cfg" .toml)
  bin=${SPX_BIN:-$SPX_MPI_DRIVER_MAIN}
  if ! "$bin" check "$cfg" >"$tmp/check.txt" 2>&1; then
    if [ -n "${SPX_BIN:-}" ]; then
      echo "FAIL: $name: spex-bench check refuses it: $(tail -1 "$tmp/check.txt")"; fail=1
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
      echo "FAIL: $name on $np ranks exited non-zero"; cat "$tmp/$name/np$np/err.txt"; fail=1
    fi
  done
  excl=(--exclude-path /meta --exclude-path /config)
  for m in $(h5ls "$tmp/$name/np1/out.h5/results" 2>/dev/null | awk '{print $1}'); do
    excl+=(--exclude-path "/results/$m/time_decode" --exclude-path "/results/$m/time_oracle" --exclude-path "/results/$m/peak_rss_mib")
  done
  for np in 2 4; do
    if h5diff "${excl[@]}" "$tmp/$name/np1/out.h5" "$tmp/$name/np$np/out.h5" >"$tmp/diff.txt" 2>&1; then
      echo "PASS: $name: 1 rank = $np ranks ($(basename "$bin"))"
    else
      echo "FAIL: $name: 1 and $np ranks differ"; head -20 "$tmp/diff.txt"; fail=1
    fi
  done
done
exit $fail
