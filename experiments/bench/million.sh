#!/bin/bash
# million.sh: SPEX at n = 1,000,000 (docs/benchmarks.md, "A million features"): runs
# configs/scaling_million.toml (1000 interactions of degree <= 5, b = 10, 310,272 queries, a group
# of 2 ranks) REPEATS times, each into results/million/run<i>.h5, and prints per run the load
# average before and after, the wall time of mpirun (oracle, setup and writing included), the
# cell's method and oracle time, the peak resident memory of the leader rank, and the recovery
# (precision, recall, relative coefficient error, R^2 on 200 held-out masks); then the median
# wall time. Exit status 1 when a run does not recover the function exactly.
#
# usage: experiments/bench/million.sh [REPEATS]     (from the repository root; default 3)
#   NP: ranks [2]; SPX_BIN: the executable [build/spex-bench]; EXTRA: more --set arguments
set -eu
BIN=${SPX_BIN:-build/spex-bench}
NP=${NP:-2}
REPEATS=${1:-3}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$BIN" ] || { echo "million.sh: $BIN not found (build first, or set SPX_BIN)" >&2; exit 2; }
mkdir -p results/million
get() { h5dump -d "/results/spex_hard/$2" "$1" | sed -n 's/^ *(0,0,0): *//p'; }
walls=()
status=0
for i in $(seq 1 "$REPEATS"); do
  out=results/million/run$i.h5
  rm -f "$out"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  mpirun -n "$NP" --oversubscribe "$BIN" configs/scaling_million.toml \
    --set "experiment.output=\"$out\"" ${EXTRA:-} > results/million/run$i.txt 2>&1 || status=1
  wall=$(echo "$(date +%s.%N) - $t0" | bc)
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  walls+=("$wall")
  prec=$(get "$out" precision); rec=$(get "$out" recall); ce=$(get "$out" coef_error)
  printf 'run %d (%s): wall %.1f s; method %.1f s, oracle %.1f s; peak %.0f MiB; precision %s recall %s coef_error %s r2 %s; load before %s, after %s\n' \
    "$i" "$(date -u +%FT%TZ)" "$wall" "$(get "$out" time_decode)" "$(get "$out" time_oracle)" \
    "$(get "$out" peak_rss_mib)" "$prec" "$rec" "$ce" "$(get "$out" r2)" "$load0" "$load1"
  if [ "$prec" != 1 ] || [ "$rec" != 1 ] || ! awk -v c="$ce" 'BEGIN{exit !(c < 1e-9)}'; then
    echo "run $i: not an exact recovery" >&2
    status=1
  fi
done
printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{printf "median wall of %d runs: %.1f s\n", NR, (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
exit $status
