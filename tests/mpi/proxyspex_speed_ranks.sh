#!/bin/bash
# proxyspex_speed_ranks.sh: ProxySPEX's speed search (above speed_samples = 10,000 samples,
# with merge_rows and reuse_search: the one-job search runs on the leader and its model is
# the proxy) and a speed search of 4 jobs shared by the group (both depths, 2 hold-out folds,
# no reuse) give the same result file on 1 rank, on one group of 2 ranks and on two groups of
# 2 ranks (up to timings, /meta and /config); so does the accurate search after a fallback
# (fallback_r2 = 1) with reuse_fallback: its one job runs on the leader, and its model is the
# proxy when its support is refit, while with refine_max_gflop tiny it is not and the choice is
# fit on all samples. The verbose lines show that every path ran.
. "$(dirname "$0")/../lib/harness.sh"
need_mpi
need_cmd h5diff h5ls
cat >"$tmp/speed.toml" <<'TOML'
[experiment]
name = "proxyspex_speed_ranks"
seed = 3
output = "out.h5"
test_masks = 200

[oracle]
kind = "synthetic"
n = 12
terms = 10
max_degree = 3
explicands = { count = 2 }

[budget]
samples = [10500]

[[method]]
name = "proxyspex"
label = "speed_reuse"
verbose = true

[[method]]
name = "proxyspex"
label = "speed_jobs"
shallow_max_samples = 0
fast_folds = 2
verbose = true

[[method]]
name = "proxyspex"
label = "fallback_kept"
fallback_r2 = 1.0
verbose = true

[[method]]
name = "proxyspex"
label = "fallback_dropped"
fallback_r2 = 1.0
refine_max_gflop = 1e-6
verbose = true
TOML
for np in 1 2 4; do
  mkdir -p "$tmp/np$np"
  extra=(--set experiment.group_size=2)
  [ "$np" = 1 ] && extra=()
  if ! (cd "$tmp/np$np" && "$MPIEXEC" -n $np --oversubscribe "$BIN" "$tmp/speed.toml" --quiet \
        "${extra[@]}" >out.txt 2>err.txt); then
    note_fail "$np ranks exited non-zero" "$tmp/np$np/err.txt"
  fi
done
reused=$(grep -c "speed search, its model" "$tmp/np1/err.txt")
shared=$(grep -E "speed search\)" "$tmp/np1/err.txt" | grep -c "depth")
[ "$reused" = 2 ] && [ "$shared" = 2 ]
check "both paths ran on 1 rank: 2 reused-model lines (got $reused), 2 shared-search lines (got $shared)" $?
kept=$(grep -c "fell back, the accurate search's model" "$tmp/np1/err.txt")
dropped=$(grep -c "fell back, its model not refit" "$tmp/np1/err.txt")
[ "$kept" = 2 ] && [ "$dropped" = 2 ]
check "both fallback paths ran on 1 rank: 2 kept models (got $kept), 2 dropped (got $dropped)" $?
for np in 2 4; do
  if same_results "$tmp/np1/out.h5" "$tmp/np$np/out.h5"; then
    note_pass "1 rank = $np ranks (groups of 2)"
  else
    note_fail "1 and $np ranks differ" "$tmp/diff.txt"
  fi
done
finish
