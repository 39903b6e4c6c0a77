#!/bin/bash
# record_ranks.sh: `spex-bench record` on 2 ranks (two groups) and on 4 ranks (two groups of 2
# sharing the oracle work), then the experiment replayed on 1 rank from each recording with
# [oracle] kind = "recorded" must give the live 1-rank result file (up to timings, /meta,
# /config and the explicand descriptions, which name the recording).
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_BIN:?set by CTest}"
need_mpi
need_cmd h5diff h5ls
body='[experiment]
name = "rr"
seed = 9
test_masks = 300
repeats = 2
[budget]
spx_b = [3, 5]
[[method]]
name = "spex"
[[method]]
name = "spex_hard"
'
printf '%s[oracle]\nkind = "synthetic"\nn = 40\nterms = 8\nexplicands = { count = 3 }\n' "$body" >"$tmp/live.toml"
for rec in np2 np4g2; do
  printf '%s[oracle]\nkind = "recorded"\npath = "%s/%s/r_{e}.h5"\nexplicands = { count = 3 }\n' \
    "$body" "$tmp" "$rec" >"$tmp/replay_$rec.toml"
done
go() { # name np args...
  local name=$1 np=$2
  shift 2
  if ! "$MPIEXEC" -n "$np" --oversubscribe "$BIN" "$@" >"$tmp/$name.out" 2>&1; then
    note_fail "$name (np $np) exited non-zero" "$tmp/$name.out"
  fi
}
go record_np2 2 record "$tmp/live.toml" --quiet --set "experiment.recording=\"$tmp/np2/r_{e}.h5\""
go record_np4g2 4 record "$tmp/live.toml" --quiet --set "experiment.recording=\"$tmp/np4g2/r_{e}.h5\"" \
   --set experiment.group_size=2 --set experiment.split=dynamic --set experiment.chunk=50
go live 1 "$tmp/live.toml" --quiet --set "experiment.output=\"$tmp/live.h5\""
for rec in np2 np4g2; do
  go "replay_$rec" 1 "$tmp/replay_$rec.toml" --quiet --set "experiment.output=\"$tmp/replay_$rec.h5\""
  ok=1
  same_results --results "$tmp/live.h5" "$tmp/replay_$rec.h5" || ok=0
  for e in 0 1 2; do
    for d in test_masks test_values budget; do
      h5diff "$tmp/live.h5" "$tmp/replay_$rec.h5" "/explicands/$e/$d" "/explicands/$e/$d" >>"$tmp/diff.txt" 2>&1 || ok=0
    done
  done
  if [ $ok = 1 ]; then
    note_pass "recorded on ${rec}, replayed on 1 rank = live run"
  else
    note_fail "recorded on ${rec}: the replay differs from the live run" "$tmp/diff.txt"
  fi
done
finish
