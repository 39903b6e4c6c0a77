# tests/lib/harness.sh: the common prologue of the shell tests (tests/cli, tests/integration,
# tests/mpi; docs/architecture.md "Tests"). A test sources it first:
#
#   #!/usr/bin/env bash
#   # tests/cli/NAME.sh: what it checks.
#   . "$(dirname "$0")/../lib/harness.sh"
#   need_python h5py numpy          # optional: skip (exit 77) without them
#   "$BIN" c.toml --quiet >"$tmp/out" 2>"$tmp/err"
#   check "the run exits 0" $? "$tmp/err"
#   expect_status "a bad key is refused" 2 "$BIN" c.toml --set x.y=1
#   finish                          # "N passed, M failed"; exit 1 if any failed
#
# It sets (absolute paths): SRC the source tree, BIN spex-bench, PY a python3 (Debian's
# /usr/bin/python3 first: it has h5py), MPIEXEC (and MPIRUN, the same) the MPI launcher or
# empty, tmp a fresh directory removed at exit (KEEP=1 keeps it); exports the MPI, OpenMP and
# sanitizer settings the tests run under (as CTest's environment does); and defines
#   check NAME STATUS [FILE]      count a result: STATUS 0 passes; otherwise print NAME, the
#                                 status and FILE's start (pass the status as $? right after
#                                 the command, or capture st=$? first: never after a command
#                                 substitution in NAME, which resets $?)
#   check_eq NAME WANT GOT        pass when the strings are equal, else print both
#   expect_status NAME WANT CMD...  run CMD (stdout in $tmp/out, stderr in $tmp/err) and check
#                                 that it exits WANT; a failure prints the command, its status
#                                 and its stderr. Returns 0 when it passed.
#   expect_stderr NAME WANT TEXT CMD...  the same, and stderr must contain the fixed string
#                                 TEXT (empty: anything)
#   expect_ok NAME CMD...         expect_status NAME 0 CMD...
#   note_pass MSG / note_fail MSG [FILE]  count a result decided by the test itself
#   skip REASON                   print "SKIP: REASON" and exit 77 (CTest: SKIP_RETURN_CODE)
#   need_python MODULE...         skip unless $PY imports the modules
#   has_python MODULE...          status 0 when $PY imports the modules (no skip)
#   need_cmd CMD...               fail (exit 1) when a required program is missing
#   need_mpi                      fail (exit 1) without an MPI launcher ($MPIEXEC)
#   expect_ranks PROGRAM NP...    run PROGRAM under $MPIEXEC on each rank count NP (a C test
#                                 program of tests/mpi: its last line is its summary); one
#                                 check each, the output shown on a failure
#   same_results [--results] A B  h5diff of two result files up to what differs from run to
#                                 run: /meta, /config and every method's time_decode,
#                                 time_oracle and peak_rss_mib (--results: compare the
#                                 /results groups only); the differences in $tmp/diff.txt
#   on_exit 'COMMANDS'            run COMMANDS at exit, before $tmp is removed
#   finish                        print "N passed, M failed" and exit 0 only if none failed
# The counters are pass and fail. The test runs in the source tree (CTest's working directory)
# unless it changes to "$tmp" itself.
set -u

SRC=${SPX_SOURCE_DIR:-$PWD}
case "$SRC" in /*) ;; *) SRC="$PWD/$SRC" ;; esac
BIN=${SPX_BIN:-$SRC/build/spex-bench}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
MPIEXEC=${MPIEXEC:-$(command -v mpiexec || command -v mpirun || true)}
MPIRUN=$MPIEXEC
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# In a sanitizer build, Open MPI keeps memory until exit: suppress those leak reports.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRC/tests/lsan-mpi.supp:print_suppressions=0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-fast_unwind_on_malloc=0}

pass=0
fail=0
harness_name=$(basename "$0" .sh)
harness_exit_hooks=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spx_${harness_name}_XXXXXX") || {
  echo "FAIL: $harness_name: mktemp -d failed"
  exit 1
}

harness_cleanup() {
  local h
  for h in "${harness_exit_hooks[@]}"; do eval "$h"; done
  cd / || true
  if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap harness_cleanup EXIT

on_exit() { harness_exit_hooks+=("$1"); }

# harness_show FILE: the start of FILE, indented (nothing when FILE is empty or absent).
harness_show() {
  [ -s "$1" ] && head -c "${HARNESS_SHOW_BYTES:-600}" "$1" | sed -e 's/^/    /' -e '$a\'
  return 0
}

note_pass() { pass=$((pass + 1)); [ -n "${1:-}" ] && echo "PASS: $1"; return 0; }
note_fail() {
  fail=$((fail + 1))
  echo "FAIL: $1"
  [ -n "${2:-}" ] && harness_show "$2"
  return 0
}

check() {
  if [ "$2" = 0 ]; then
    pass=$((pass + 1))
  else
    note_fail "$1 (status $2)" "${3:-}"
  fi
}

check_eq() {
  if [ "$2" == "$3" ]; then
    pass=$((pass + 1))
  else
    note_fail "$1"
    echo "    expected: $(printf %q "$2")"
    echo "    got:      $(printf %q "$3")"
  fi
}

expect_status() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1))
    return 0
  fi
  note_fail "$name: exit status $got, want $want: $(printf '%q ' "$@")" "$tmp/err"
  return 1
}

expect_stderr() {
  local name=$1 want=$2 text=$3
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" = "$want" ] && { [ -z "$text" ] || grep -qF -- "$text" "$tmp/err"; }; then
    pass=$((pass + 1))
    return 0
  fi
  note_fail "$name: exit status $got, want $want and stderr with '$text': $(printf '%q ' "$@")" "$tmp/err"
  return 1
}

expect_ok() {
  local name=$1
  shift
  expect_status "$name" 0 "$@"
}

skip() {
  echo "SKIP: $1"
  exit 77
}

has_python() {
  local mods
  mods=$(IFS=,; echo "$*")
  "$PY" -c "import $mods" 2>/dev/null
}

need_python() {
  has_python "$@" && return 0
  local py
  for py in python3 python; do # another python3 on PATH that has them
    if command -v "$py" >/dev/null && PY=$(command -v "$py") && has_python "$@"; then return 0; fi
  done
  PY=/usr/bin/python3
  skip "python3 with $* missing (scripts/setup installs them)"
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || {
      echo "FAIL: $c not found (scripts/setup installs it)"
      exit 1
    }
  done
}

need_mpi() {
  [ -n "$MPIEXEC" ] || {
    echo "FAIL: no mpiexec or mpirun (set MPIEXEC)"
    exit 1
  }
}

expect_ranks() {
  local prog=$1 np
  shift
  for np in "$@"; do
    if "$MPIEXEC" -n "$np" --oversubscribe "$prog" >"$tmp/ranks.out" 2>&1; then
      note_pass "$(basename "$prog") on $np ranks ($(tail -1 "$tmp/ranks.out"))"
    else
      HARNESS_SHOW_BYTES=4000 note_fail "$(basename "$prog") on $np ranks" "$tmp/ranks.out"
    fi
  done
}

same_results() {
  local results='' m
  [ "$1" = --results ] && { results=1; shift; }
  local excl=() at=/results
  [ -n "$results" ] && at=''
  for m in $(h5ls "$1/results" 2>/dev/null | awk '{print $1}'); do
    excl+=(--exclude-path "$at/$m/time_decode" --exclude-path "$at/$m/time_oracle"
           --exclude-path "$at/$m/peak_rss_mib")
  done
  if [ -n "$results" ]; then
    h5diff "${excl[@]}" "$1" "$2" /results /results >"$tmp/diff.txt" 2>&1
  else
    h5diff --exclude-path /meta --exclude-path /config "${excl[@]}" "$1" "$2" >"$tmp/diff.txt" 2>&1
  fi
}

finish() {
  echo "$harness_name: $pass passed, $fail failed"
  [ "$fail" = 0 ] && [ "$pass" -gt 0 ] && exit 0
  [ "$fail" = 0 ] && echo "FAIL: $harness_name: no check ran"
  exit 1
}
