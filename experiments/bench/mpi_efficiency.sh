#!/bin/bash
# mpi_efficiency.sh: wall time, speed-up and parallel efficiency of `spex-bench CONFIG` on 1, 2
# and 4 ranks for several simulated oracle costs (synthetic oracle, cost_ms per query).
# Results and the method: docs/benchmarks-mpi.md.
#
# usage: experiments/bench/mpi_efficiency.sh            (from the repository root)
# environment (defaults in brackets):
#   SPX_BIN     the spex-bench executable [build/spex-bench]
#   CONFIG      the experiment [configs/bench/mpi_efficiency.toml]
#   COSTS       oracle costs in ms per query ["0 0.1 1"]
#   NPS         rank counts ["1 2 4"] (more ranks than cores run with --oversubscribe)
#   RUNS        repetitions; the median is reported [3]
#   CLOCK       the synthetic oracle's cost_clock: wall | cpu [wall]
#   EXTRA       more --set arguments for every run, e.g. "experiment.coordinator=dedicated" []
# Runs are interleaved (repetition r of every (cost, np) before repetition r+1) so that load
# from other jobs on a shared machine spreads over all configurations.
set -eu
BIN=${SPX_BIN:-build/spex-bench}
CONFIG=${CONFIG:-configs/bench/mpi_efficiency.toml}
COSTS=${COSTS:-"0 0.1 1"}
NPS=${NPS:-"1 2 4"}
RUNS=${RUNS:-3}
CLOCK=${CLOCK:-wall}
EXTRA=${EXTRA:-}
MPIEXEC=${MPIEXEC:-mpirun}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

[ -x "$BIN" ] || { echo "mpi_efficiency: $BIN not found (build first, or set SPX_BIN)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/spx_mpi_eff_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sets=(--set "oracle.cost_clock=\"$CLOCK\"")
for e in $EXTRA; do sets+=(--set "$e"); done

echo "# machine: $(grep -c ^processor /proc/cpuinfo) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# $(mpirun --version 2>/dev/null | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: $MPIEXEC -n NP --oversubscribe $BIN $CONFIG --quiet --set experiment.output=OUT" \
     "--set oracle.cost_ms=COST ${sets[*]}"
for r in $(seq 1 "$RUNS"); do
  for cost in $COSTS; do
    for np in $NPS; do
      out="$tmp/r$r-c$cost-np$np.h5"
      t0=$(date +%s.%N)
      if ! "$MPIEXEC" -n "$np" --oversubscribe "$BIN" "$CONFIG" --quiet \
           --set "experiment.output=\"$out\"" --set "oracle.cost_ms=$cost" "${sets[@]}" \
           >"$tmp/log" 2>&1; then
        echo "mpi_efficiency: run failed (np $np, cost $cost):" >&2
        cat "$tmp/log" >&2
        exit 1
      fi
      t1=$(date +%s.%N)
      echo "$cost $np $(echo "$t1 - $t0" | bc -l)" >>"$tmp/times"
      rm -f "$out"
    done
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# every run (cost_ms np seconds):"
sed 's/^/#   /' "$tmp/times"
echo
printf '| cost per query | ranks | wall time (median of %s) | runs | speed-up | efficiency |\n' "$RUNS"
echo '|---|---|---|---|---|---|'
for cost in $COSTS; do
  t1=""
  for np in $NPS; do
    runs=$(awk -v c="$cost" -v n="$np" '$1 == c && $2 == n {print $3}' "$tmp/times" | sort -g)
    med=$(echo "$runs" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
    [ -z "$t1" ] && [ "$np" = 1 ] && t1=$med
    list=$(echo "$runs" | awk '{printf "%s%.2f", (NR > 1 ? ", " : ""), $1}')
    if [ -n "$t1" ]; then
      awk -v c="$cost" -v n="$np" -v m="$med" -v t="$t1" -v l="$list" 'BEGIN {
        printf "| %s ms | %d | %.2f s | %s | %.2fx | %.0f%% |\n", c, n, m, l, t / m, 100 * t / m / n }'
    else
      awk -v c="$cost" -v n="$np" -v m="$med" -v l="$list" 'BEGIN {
        printf "| %s ms | %d | %.2f s | %s | - | - |\n", c, n, m, l }'
    fi
  done
done
