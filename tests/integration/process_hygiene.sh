#!/usr/bin/env bash
# tests/integration/process_hygiene.sh: the process oracle leaves nothing behind (issue #14).
# The model (experiments/example_oracle.py) is started with a companion in its process group
# that ignores SIGTERM and EOF (`(trap '' TERM; exec sleep 1000) &`), as a careless wrapper
# script would leave. Checked: `check` starts no model; `check --probe` starts it, prints its
# answers and stops it and its companion; a run on 1 rank and under `mpirun -np 2` ends (the
# companion used to keep mpirun waiting forever: it held the rank's descriptors) and no
# process of the model's group survives; a model killed by SIGKILL behind the shell (exit
# status 137) is reported as "killed by signal 9 (SIGKILL)". About 40 s.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
# kill what a failing run may have left
on_exit '[ -f "$tmp/pids" ] && for p in $(cat "$tmp/pids"); do kill -9 "$p" 2>/dev/null; done'
cd "$tmp" || exit 1
# alive PIDFILE: prints the pids of the file that are still running (not zombies)
alive() {
  [ -f "$1" ] || return 0
  for p in $(cat "$1"); do
    st=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$p/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] && printf '%s ' "$p"
  done
}
cat >c.toml <<EOF2
[experiment]
name = "hygiene"
seed = 1
output = "h.h5"
test_masks = 20

[oracle]
kind = "process"
command = "touch $tmp/started; (trap '' TERM; exec sleep 1000) & echo \$! >>$tmp/pids; exec $PY $SRC/experiments/example_oracle.py"
n = 8
timeout = 5

[budget]
samples = [40, 60]

[[method]]
name = "lime"
EOF2

# check: no model started
"$BIN" check c.toml >check.out 2>&1
st=$?
check "check exits 0 [$(tail -1 check.out)]" $st
[ ! -e started ]
check "check starts no model process" $?

# check --probe: the model answers f(empty) = 0.25 and f(all) = 1.25 and is stopped
"$BIN" check c.toml --probe >probe.out 2>&1
st=$?
check "check --probe exits 0 [$(tail -1 probe.out)]" $st
grep -q "f(no feature) = 0.25, f(all 8 features) = 1.25" probe.out
st=$?
check "check --probe prints the model's answers [$(grep probe probe.out)]" $st
[ -e started ] && [ -s pids ]
check "check --probe started the model" $?
left=$(alive pids)
check "check --probe leaves no process behind [$left]" "$([ -z "$left" ] && echo 0 || echo 1)"

# a run on 1 rank, then on 2 ranks: it ends, and nothing of the model's group survives
rm -f pids h.h5
timeout 60 "$BIN" c.toml --quiet >run1.out 2>&1
rc=$?
check "run on 1 rank ends with 0 (got $rc) [$(tail -1 run1.out)]" "$([ $rc = 0 ] && echo 0 || echo 1)"
left=$(alive pids)
check "1 rank: no process of the model's group survives [$left]" "$([ -z "$left" ] && echo 0 || echo 1)"
if [ -n "$MPIRUN" ]; then
  rm -f pids h.h5
  timeout 60 "$MPIRUN" --oversubscribe -np 2 "$BIN" c.toml --quiet >run2.out 2>&1
  rc=$?
  check "mpirun -np 2 ends with 0, not hung (got $rc) [$(tail -1 run2.out)]" "$([ $rc = 0 ] && echo 0 || echo 1)"
  left=$(alive pids)
  check "2 ranks: no process of the model's group survives [$left]" "$([ -z "$left" ] && echo 0 || echo 1)"
  [ "$(wc -w <pids)" -ge 1 ]
  check "2 ranks: the models ran" $?
fi

# a model killed by SIGKILL behind the shell: the shell's exit status 137 is named
rm -f h.h5
"$BIN" c.toml --quiet --set "oracle.command=read n; read c; sh -c 'kill -9 \$\$'; exit \$?" \
  >kill.out 2>&1
rc=$?
"$PY" - h.h5 >msg.out 2>&1 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print("\n".join(m.decode() for m in f["results/lime/message"][...].ravel()))
PY
[ $rc = 1 ] && grep -q "killed by signal 9 (SIGKILL) (the shell reported exit status 137)" kill.out msg.out
st=$?
check "exit status 137 reported as SIGKILL (rc $rc) [$(cat kill.out msg.out | grep -m1 signal)]" $st

finish
