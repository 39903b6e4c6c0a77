#!/bin/bash
# group_jobs.sh: what sharing a method's jobs over the ranks of a group buys. Runs CONFIG on
# 1 rank and on 2 ranks forming one group (--set experiment.group_size=2), RUNS times each
# (interleaved), checks that the result files are identical up to timings, and prints per
# (method, budget) the median decode time (the method's own time, which is where the jobs
# run) on 1 and 2 ranks and the speed-up. Results and the method: docs/benchmarks-mpi.md.
#
# usage: experiments/bench/group_jobs.sh CONFIG [RUNS=1]      (from the repository root)
#   SPX_BIN: the spex-bench executable [build/spex-bench]
set -eu
CONFIG=${1:?usage: group_jobs.sh CONFIG [RUNS]}
RUNS=${2:-1}
BIN=${SPX_BIN:-build/spex-bench}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$BIN" ] || { echo "group_jobs: $BIN not found (build first, or set SPX_BIN)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/spx_group_jobs_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "# machine: $(grep -c ^processor /proc/cpuinfo) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# config: $CONFIG; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$RUNS"); do
  for np in 1 2; do
    out="$tmp/np${np}_r$r.h5"
    t0=$(date +%s.%N)
    mpirun -n $np "$BIN" "$CONFIG" --quiet --set experiment.output="\"$out\"" \
      --set experiment.group_size=2 >/dev/null
    t1=$(date +%s.%N)
    echo "# run $r, $np rank(s): wall $(echo "$t1 - $t0" | bc) s; load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
excl=(--exclude-path /meta --exclude-path /config)
for m in $(h5ls "$tmp/np1_r1.h5/results" | awk '{print $1}'); do
  excl+=(--exclude-path "/results/$m/time_decode" --exclude-path "/results/$m/time_oracle" --exclude-path "/results/$m/peak_rss_mib")
done
if h5diff "${excl[@]}" "$tmp/np1_r1.h5" "$tmp/np2_r1.h5" >/dev/null; then
  echo "# results on 1 and 2 ranks: identical (h5diff, timings excluded)"
else
  echo "# results on 1 and 2 ranks DIFFER"; exit 1
fi
/usr/bin/python3 - "$tmp" "$RUNS" <<'PY'
import sys, glob
import numpy as np
sys.path.insert(0, "analysis")
from spexresults import Results
tmp, runs = sys.argv[1], int(sys.argv[2])
def decode(np_):
    out = {}
    for r in range(1, runs + 1):
        res = Results("%s/np%d_r%d.h5" % (tmp, np_, r))
        for m in res.methods:
            for b in range(len(res.budget)):
                ok = m.ok()[:, b, :]
                t = m.time_decode[:, b, :][ok]
                out.setdefault((m.label, int(res.budget[b])), []).extend(t.tolist())
        res.close()
    return out
one, two = decode(1), decode(2)
print("| method | budget | cells x runs | decode median, 1 rank (s) | 2 ranks, one group (s) | speed-up |")
print("|---|---|---|---|---|---|")
for key in sorted(one):
    a, b = np.median(one[key]), np.median(two[key])
    print("| %s | %d | %d | %.4g | %.4g | %.2f |" % (key[0], key[1], len(one[key]), a, b, a / b))
PY
