#!/usr/bin/env bash
# tests/cli/recording_identity.sh: a recording refuses a different model (issue #14). Record a
# synthetic oracle (n = 12, terms = 6); `record` again with another option but the same n must
# refuse, naming the key and both values; the same options append fine; a `fallback` with
# another option refuses too, with the same one it replays; a recording without the stored
# identity (attribute removed: as written before this version) refuses appending but replays
# read-only; random bytes in its data make the replay fail naming the file.
set -u
BIN=${SPX_BIN:-build/spex-bench}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=${SPX_SOURCE_DIR:-$PWD}/tests/lsan-mpi.supp:print_suppressions=0}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0
# expect NAME RC FRAGMENT: the last command's exit status (in rc) and stderr (err)
expect() {
  if [ "$2" = "$(cat rc)" ] && { [ -z "$3" ] || grep -qF -- "$3" err; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1: want exit $2 and '$3'"
    echo "  got exit $(cat rc): $(head -2 err)"
  fi
}
body='[experiment]
name = "ri"
seed = 2
test_masks = 50
recording = "rec/r_{e}.h5"
[budget]
samples = [40]
[[method]]
name = "lime"
'
printf '%s[oracle]\nkind = "synthetic"\nn = 12\nterms = 6\nexplicands = { count = 1 }\n' "$body" >live.toml
printf '%s[oracle]\nkind = "recorded"\npath = "rec/r_{e}.h5"\nfallback = "synthetic"\nn = 12\nterms = 6\nexplicands = { count = 1 }\n' "$body" >fb.toml
printf '%s[oracle]\nkind = "recorded"\npath = "rec/r_{e}.h5"\n' "$body" >replay.toml
"$BIN" record live.toml --quiet >out 2>err; echo $? >rc
expect "first recording" 0 ""
"$BIN" record live.toml --quiet >out 2>err; echo $? >rc
expect "the same model appends" 0 ""
"$BIN" record live.toml --quiet --set oracle.terms=7 >out 2>err; echo $? >rc
expect "record with another option" 1 "was made by another model: oracle option terms is '6' there but '7' here"
"$BIN" fb.toml --quiet --set experiment.output=a.h5 --set oracle.terms=7 >out 2>err; echo $? >rc
expect "fallback with another option (found by the dry run: exit 2)" 2 "was made by another model: oracle option terms is '6' there but '7' here"
"$BIN" fb.toml --quiet --set experiment.output=b.h5 >out 2>err; echo $? >rc
expect "fallback with the same options" 0 ""
"$PY" -c "import h5py; del h5py.File('rec/r_0.h5', 'a').attrs['oracle_options']"
"$BIN" record live.toml --quiet >out 2>err; echo $? >rc
expect "old recording: no append" 1 "was written before recordings stored their model's options"
"$BIN" replay.toml --quiet --set experiment.output=c.h5 >out 2>err; echo $? >rc
expect "old recording: replays read-only" 0 ""
# random bytes in the middle of the file's data: the replay fails naming the file
size=$(stat -c %s rec/r_0.h5)
"$PY" - rec/r_0.h5 <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
off = f["values"].id.get_chunk_info(0).byte_offset
f.close()
with open(sys.argv[1], "r+b") as g:
    g.seek(off + 40); g.write(bytes([0x5a, 0xa5, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]))
PY
"$BIN" replay.toml --quiet --set experiment.output=d.h5 >out 2>err; echo $? >rc
[ "$(cat rc)" != 0 ] && grep -q "rec/r_0.h5: damaged: /values cannot be read" err
st=$?
if [ $st = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: corrupted recording replays (exit $(cat rc)): $(head -2 err)"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
