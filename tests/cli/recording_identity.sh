#!/usr/bin/env bash
# tests/cli/recording_identity.sh: a recording refuses a different model (issue #14). Record a
# synthetic oracle (n = 12, terms = 6); `record` again with another option but the same n must
# refuse, naming the key and both values; the same options append fine; a `fallback` with
# another option refuses too, with the same one it replays; a recording without the stored
# identity (attribute removed: as written before this version) refuses appending but replays
# read-only; random bytes in its data make the replay fail naming the file.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py
cd "$tmp" || exit 1
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
expect_stderr "first recording" 0 "" "$BIN" record live.toml --quiet
expect_stderr "the same model appends" 0 "" "$BIN" record live.toml --quiet
expect_stderr "record with another option" 1 "was made by another model: oracle option terms is '6' there but '7' here" "$BIN" record live.toml --quiet --set oracle.terms=7
expect_stderr "fallback with another option (found by the dry run: exit 2)" 2 "was made by another model: oracle option terms is '6' there but '7' here" "$BIN" fb.toml --quiet --set experiment.output=a.h5 --set oracle.terms=7
expect_stderr "fallback with the same options" 0 "" "$BIN" fb.toml --quiet --set experiment.output=b.h5
"$PY" -c "import h5py; del h5py.File('rec/r_0.h5', 'a').attrs['oracle_options']"
expect_stderr "old recording: no append" 1 "was written before recordings stored their model's options" "$BIN" record live.toml --quiet
expect_stderr "old recording: replays read-only" 0 "" "$BIN" replay.toml --quiet --set experiment.output=c.h5
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
expect_stderr "a corrupted recording is refused naming the file (by the dry run: exit 2)" 2 "rec/r_0.h5: damaged: /values cannot be read" \
  "$BIN" replay.toml --quiet --set experiment.output=d.h5
finish
