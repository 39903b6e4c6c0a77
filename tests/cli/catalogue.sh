#!/usr/bin/env bash
# tests/cli/catalogue.sh: a catalogue of malformed configurations and command lines. Each case
# gives the EXACT first line spex-bench must print on stderr and exit status 2 (usage or
# configuration error, docs/configuration.md "Errors"). The configs are small edits of one
# valid base config, written as c.toml in a temporary directory (so messages name "c.toml").
. "$(dirname "$0")/../lib/harness.sh"
cd "$tmp" || exit 1

base() {
  cat <<'EOF'
[experiment]
name = "cat"
seed = 1
output = "out.h5"
test_masks = 50

[oracle]
kind = "synthetic"
n = 8
terms = 4
explicands = { count = 2 }

[budget]
samples = [300]

[[method]]
name = "exact"
EOF
}
# cfg SED-SCRIPT [EXTRA-TEXT]: c.toml = the base edited by sed, then EXTRA-TEXT appended.
cfg() {
  base | sed "$1" >c.toml
  if [ $# -ge 2 ]; then printf '%s\n' "$2" >>c.toml; fi
}
# expect NAME 'EXACT FIRST STDERR LINE' ARGS...: spex-bench ARGS exits 2 with that line.
expect() {
  local name=$1 want=$2
  shift 2
  "$BIN" "$@" >out.txt 2>err.txt
  local got=$? line
  line=$(head -n 1 err.txt)
  if [ "$got" = 2 ] && [ "$line" = "$want" ]; then
    note_pass
  else
    note_fail "$name: exit $got (want 2): $(printf '%q ' "$BIN" "$@")"
    printf '    want: %s\n    got:  %s\n' "$want" "$line"
  fi
}

# The same for a message whose tail grows with the registries (lists of oracles or methods).
expect_prefix() {
  local name=$1 want=$2
  shift 2
  "$BIN" "$@" >out.txt 2>err.txt
  local got=$? line
  line=$(head -n 1 err.txt)
  if [ "$got" = 2 ] && [ "${line#"$want"}" != "$line" ]; then
    note_pass
  else
    note_fail "$name: exit $got (want 2): $(printf '%q ' "$BIN" "$@")"
    printf '    want: %s...\n    got:  %s\n' "$want" "$line"
  fi
}

# The base itself is valid (otherwise every case below would test nothing).
base >c.toml
"$BIN" check c.toml >/dev/null 2>err.txt || { echo "FAIL: base config: $(cat err.txt)"; exit 1; }

# ---- unknown keys, one per table ----
cfg 's/^seed = 1/sede = 1/'
expect "unknown experiment key" "spex-bench: c.toml:3:1: experiment.sede: unknown key (known keys: name, kind, seed, output, test_masks, repeats, group_size, split, chunk, coordinator, recording)" check c.toml
cfg 's/^samples = \[300\]/samples = [300]\nbogus = 1/'
expect "unknown budget key" "spex-bench: c.toml:15:1: budget.bogus: unknown key (known keys: spx_b, samples, t)" check c.toml
cfg 's/count = 2/count = 2, strde = 3/'
expect "unknown explicands key" "spex-bench: c.toml:11:27: oracle.explicands.strde: unknown key (known keys: first, count, stride)" check c.toml
cfg 's/^\[oracle\]/[oracl]/'
expect "unknown top-level table" "spex-bench: c.toml:7:2: oracl: unknown key (known keys: experiment, oracle, budget, method, scaling, pruning, scoring)" check c.toml
cfg 's/^n = 8/n = 8\nwidth = 3/'
expect "unknown oracle option (dry run)" "spex-bench: c.toml:10:9: width: unknown key for oracle synthetic (known keys: n, degree_counts, max_degree, terms, basis, distribution, magnitude, constant, hierarchical, decay, snr_db, seed, cost_ms, cost_clock, retries, retry_backoff)" check c.toml
cfg '' 'colour = 3'
expect "unknown method option (dry run)" "spex-bench: c.toml:18:10: colour: unknown key for method exact (known keys: max_n, basis, tolerance)" check c.toml

# ---- types and ranges ----
cfg 's/^seed = 1/seed = "x"/'
expect "string for an integer" "spex-bench: c.toml:3:8: experiment.seed: expected an integer, got a string" check c.toml
cfg 's/^seed = 1/seed = -1/'
expect "negative seed" "spex-bench: c.toml:3:8: experiment.seed: -1 is out of range [0, 9223372036854775807]" check c.toml
cfg 's/^test_masks = 50/test_masks = 1/'
expect "too few test masks" "spex-bench: c.toml:5:14: experiment.test_masks: 1 is out of range [2, 10000000]" check c.toml
cfg 's/^name = "cat"/repeats = 0/'
expect "zero repeats" "spex-bench: c.toml:2:11: experiment.repeats: 0 is out of range [1, 1000000]" check c.toml
cfg 's/^name = "cat"/group_size = 1.5/'
expect "float for an integer" "spex-bench: c.toml:2:14: experiment.group_size: expected an integer, got a floating-point number" check c.toml
cfg 's/^name = "cat"/kind = "fast"/'
expect "unknown experiment kind" "spex-bench: c.toml:2:8: experiment.kind: 'fast' is not one of faithfulness | scaling | recovery | record" check c.toml
cfg 's/^name = "cat"/split = "random"/'
expect "unknown split" "spex-bench: c.toml:2:9: experiment.split: 'random' is not one of block | dynamic" check c.toml
cfg 's/^name = "cat"/name = "a\/b"/'
expect "slash in name" "spex-bench: c.toml:2:8: experiment.name: must not contain '/'" check c.toml
cfg 's/^samples = \[300\]/samples = [300, 0]/'
expect "zero samples" "spex-bench: c.toml:14:17: budget.samples[1]: 0 is out of range [1, 1000000000000]" check c.toml
cfg 's/^samples = \[300\]/spx_b = [31]/'
expect "spx_b too large" "spex-bench: c.toml:14:10: budget.spx_b[0]: 31 is out of range [1, 30]" check c.toml
cfg 's/^samples = \[300\]/spx_b = []/'
expect "empty spx_b" "spex-bench: c.toml:14:9: budget.spx_b: must not be empty" check c.toml
cfg 's/^terms = 4/terms = "four"/'
expect "oracle option type (dry run)" "spex-bench: c.toml:10:9: terms: expected an integer, got a string 'four'" check c.toml
cfg '' 'tolerance = -1'
expect "method option range (dry run)" "spex-bench: c.toml:18:13: tolerance: -1 is out of range (must be >= 0)" check c.toml

# ---- missing or conflicting parts ----
cfg '/^\[budget\]/,/^samples/d'
expect "missing [budget]" "spex-bench: c.toml: budget: missing [budget] table (spx_b = [...] or samples = [...])" check c.toml
cfg 's/^samples = \[300\]/samples = [300]\nspx_b = [4]/'
expect "both spx_b and samples" "spex-bench: c.toml:14:11: budget.samples: give either budget.spx_b or budget.samples, not both" check c.toml
cfg 's/^samples = \[300\]/samples = [300]\nt = 3/'
expect "t without spx_b" "spex-bench: c.toml:15:5: budget.t: only used with budget.spx_b" check c.toml
cfg '/^\[\[method\]\]/,$d'
expect "no method" "spex-bench: c.toml: method: no [[method]] table (at least one method is needed)" check c.toml
cfg '' '[[method]]
name = "exact"'
expect "duplicate method label" "spex-bench: c.toml:19:8: method[1].label: 'exact' is already used by method[0]; give each entry a distinct label" check c.toml
cfg '' '[scaling]
n = [4]'
expect "[scaling] without kind scaling" "spex-bench: c.toml:18:1: scaling: [scaling] is only used with experiment.kind = \"scaling\"" check c.toml
cfg 's/^terms = 4/termz = 4/'
expect "missing required oracle option (dry run)" "spex-bench: c.toml:8:8: oracle synthetic: terms: required: the number of interactions (or give degree_counts)" check c.toml

# ---- names ----
cfg 's/^kind = "synthetic"/kind = "magic"/'
expect_prefix "unknown oracle" "spex-bench: c.toml:8:8: oracle.kind: unknown oracle 'magic' (known: synthetic, process" check c.toml
cfg 's/^name = "exact"/name = "magic"/'
expect_prefix "unknown method" "spex-bench: c.toml:17:8: method[0].name: unknown method 'magic' (known: exact, spex, spex_hard, proxyspex" check c.toml

# ---- explicands ----
cfg 's/count = 2/count = 0/'
expect "zero explicands" "spex-bench: c.toml:11:24: oracle.explicands.count: 0 is out of range [1, 9223372036854775807]" check c.toml
cfg 's/count = 2/first = -1, count = 2/'
expect "negative first explicand" "spex-bench: c.toml:11:24: oracle.explicands.first: -1 is out of range [0, 9223372036854775807]" check c.toml
cfg 's/^kind = "synthetic"/kind = "process"\ncommand = "cat"/'
expect "more explicands than the oracle has" "spex-bench: c.toml:12:24: oracle.explicands.count: 2 explicands from 0 go beyond the 1 of oracle process" check c.toml

# ---- [pruning] (components oracle only) ----
cfg '' '[pruning]'
expect "[pruning] with another oracle" "spex-bench: c.toml:18:1: pruning: [pruning] needs oracle.kind = \"components\" (the oracle with a task accuracy), not synthetic" check c.toml
C='s/^kind = "synthetic"/kind = "components"/'
cfg "$C;1i pruning = 3"
expect "[pruning] not a table" "spex-bench: c.toml:1:11: pruning: expected a table, got an integer" check c.toml
cfg "$C;s/^name = \"cat\"/kind = \"record\"/" '[pruning]'
expect "[pruning] with kind record" "spex-bench: c.toml:18:1: pruning: [pruning] is only used with experiment.kind = \"faithfulness\" or \"recovery\"" check c.toml
cfg "$C" '[pruning]
fraction = [0.5]'
expect "unknown pruning key" "spex-bench: c.toml:19:1: pruning.fraction: unknown key (known keys: fractions, rank_by, random_orders)" check c.toml
cfg "$C" '[pruning]
fractions = []'
expect "empty fractions" "spex-bench: c.toml:19:13: pruning.fractions: must not be empty" check c.toml
cfg "$C" '[pruning]
fractions = 0.5'
expect "fractions not an array" "spex-bench: c.toml:19:13: pruning.fractions: expected an array of numbers, got a floating-point number" check c.toml
cfg "$C" '[pruning]
fractions = ["half"]'
expect "fraction not a number" "spex-bench: c.toml:19:14: pruning.fractions[0]: expected a number, got a string" check c.toml
cfg "$C" '[pruning]
fractions = [0.5, 0]'
expect "zero fraction" "spex-bench: c.toml:19:19: pruning.fractions[1]: 0 is out of range (0, 1]" check c.toml
cfg "$C" '[pruning]
fractions = [1.5]'
expect "fraction above 1" "spex-bench: c.toml:19:14: pruning.fractions[0]: 1.5 is out of range (0, 1]" check c.toml
cfg "$C" '[pruning]
fractions = [0.5, 0.25]'
expect "descending fractions" "spex-bench: c.toml:19:19: pruning.fractions[1]: 0.25 does not exceed fractions[0] = 0.5 (give them in ascending order, without repeats)" check c.toml
cfg "$C" '[pruning]
fractions = [0.5, 0.5]'
expect "repeated fraction" "spex-bench: c.toml:19:19: pruning.fractions[1]: 0.5 does not exceed fractions[0] = 0.5 (give them in ascending order, without repeats)" check c.toml
cfg "$C" '[pruning]
rank_by = "gain"'
expect "unknown rank_by" "spex-bench: c.toml:19:11: pruning.rank_by: 'gain' is not one of banzhaf | shapley" check c.toml
cfg "$C" '[pruning]
random_orders = -1'
expect "negative random_orders" "spex-bench: c.toml:19:17: pruning.random_orders: -1 is out of range [0, 10000]" check c.toml

# ---- TOML syntax ----
cfg 's/^seed = 1/seed = = 1/'
expect "TOML: two equals signs" "spex-bench: c.toml:3:8: Error while parsing value: could not determine value type" check c.toml
cfg 's/^seed = 1/seed = [1,/'
expect "TOML: unterminated array" "spex-bench: c.toml:4:1: Error while parsing value: could not determine value type" check c.toml
cfg 's/^name = "cat"/name = "cat/'
expect "TOML: unterminated string" "spex-bench: c.toml:2:12: Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited" check c.toml
cfg '' '[experiment]'
expect "TOML: table defined twice" "spex-bench: c.toml:18:1: Error while parsing table header: cannot redefine existing table 'experiment'" check c.toml

# ---- files and the command line ----
expect "missing file" "spex-bench: nonexist.toml: cannot open the configuration file: No such file or directory" check nonexist.toml
base >c.toml
expect "--set without =" "spex-bench: --set experiment.seed: expected key=value" check c.toml --set experiment.seed
expect "--set unknown key" "spex-bench: --set experiment.sede=3: experiment.sede: unknown key (known keys: name, kind, seed, output, test_masks, repeats, group_size, split, chunk, coordinator, recording)" check c.toml --set experiment.sede=3
expect "--set missing array element" "spex-bench: --set method[3].order=2: method[3].order: 'method' has no element [3]" check c.toml --set 'method[3].order=2'
expect "--set oracle value of wrong type" "spex-bench: --set oracle.n=x: n: expected an integer, got a string 'x'" check c.toml --set oracle.n=x
expect "--set with bytes that are not UTF-8" "spex-bench: --set experiment.name=$(printf '\xff'): not valid UTF-8 text" check c.toml --set "experiment.name=$(printf '\xff')"
expect "--set with a control character in the key" "spex-bench: --set oracle.a$(printf '\t')b=3: control character in the key" check c.toml --set "oracle.a$(printf '\t')b=3"
cfg '' '"a\nb" = 1'
expect "quoted key with a control character" "spex-bench: c.toml: a key cannot be printed back as TOML (a control character in a quoted key?): resolved:24:2: Error while parsing key-value pair: expected '=', saw '\n'" check c.toml
base >c.toml
expect "string starting with a line break" "spex-bench: c.toml: a string cannot be printed back as TOML unchanged (one that starts with a line break?)" check c.toml --set 'method[0].label="\nx"'
expect "--set without value" "spex-bench: --set needs key=value" check c.toml --set
expect "unknown flag (check)" "spex-bench: unknown option '--frobnicate'" check c.toml --frobnicate
expect "unknown flag (run)" "spex-bench: unknown option '--frobnicate'" c.toml --frobnicate
expect "--resume is not a check flag" "spex-bench: unknown option '--resume'" check c.toml --resume
expect "two config files" "spex-bench: more than one configuration file ('c.toml', 'd.toml')" check c.toml d.toml
expect "no config file" "spex-bench: no configuration file given" check
expect "unknown top-level flag" "spex-bench: unknown option '--frob'" --frob
# --resume with another configuration, and a second run without --resume
if "$BIN" c.toml --quiet >/dev/null 2>err.txt; then
  expect "--resume with another config" "spex-bench: out.h5: the file was written with another configuration; --resume needs the same resolved configuration (compare its /config with \`spex-bench check\`)" c.toml --resume --set experiment.seed=2
  expect "existing output without --resume" "spex-bench: out.h5: the output file exists; pass --resume to continue it, or remove it (or --set experiment.output=...)" c.toml
else
  note_fail "base run" err.txt
fi

# ---- explain usage errors ----
expect "explain without arguments" "spex-bench explain: --oracle and --method are required (see --help)" explain
expect "explain option without value" "spex-bench explain: --n needs a value" explain --oracle synthetic --method exact --n
# Malformed inputs of #14 (7): duplicate budget points, a label that cannot name a group,
# a directory or a device as the configuration, --explicand beyond the oracle's explicands,
# a repeated explain flag, and --KEY=VALUE accepted.
cfg 's/^samples = \[300\]/samples = [300, 200, 300]/'
expect "duplicate budget point" "spex-bench: c.toml:14:22: budget.samples[2]: 300 repeats budget.samples[0] (give each value once)" check c.toml
cfg '' 'label = "."'
expect "label ." "spex-bench: c.toml:18:9: method[0].label: '.' cannot name a group in the result file; use letters, digits or _" check c.toml
mkdir -p adir
expect "directory as config" "spex-bench: adir: is a directory, not a configuration file" check adir
expect "device as config" "spex-bench: /dev/zero: not a regular file (a device, FIFO or socket); give a TOML file" check /dev/zero
expect "explicand out of range" "spex-bench explain: --explicand: 5 is beyond the 1 explicand of oracle process (0..0)" explain --oracle process --command true --n 4 --method exact --explicand 5
expect "explain flag twice" "spex-bench explain: --seed given twice" explain --oracle synthetic --n 8 --terms 3 --method exact --seed 1 --seed 2
"$BIN" explain --oracle synthetic --n=8 --terms=3 --method=exact --top=2 >out.txt 2>err.txt
st=$?
[ $st = 0 ] && grep -q "n = 8" out.txt
check "explain --KEY=VALUE (exit $st)" $? err.txt
expect "explain unknown index" "spex-bench explain: --index: unknown index 'magic' (fourier, moebius, sii, bii, sv, bv, fsii, fbii, stii, ksii)" explain --oracle synthetic --method exact --n 8 --terms 3 --index magic
expect "explain bad --top" "spex-bench explain: --top: expected an integer >= 0, got 'x'" explain --oracle synthetic --method exact --n 8 --terms 3 --top x
expect "explain oracle option missing" "spex-bench explain: oracle process: command line: command: required: the shell command that runs the model" explain --oracle process --method exact --n 8
# \u0000 in a string or a key (C text ends there: it used to cut the string short silently),
# in the file and from --set.
cfg 's/^name = "cat"/name = "ca\\u0000t"/'
expect "NUL in a string" "spex-bench: c.toml:2:8: experiment.name: the string holds \\u0000 (a NUL character): text ends there in C, so the rest would be lost; remove it" check c.toml
cfg '' '"k\u0000y" = 1'
expect "NUL in a key" "spex-bench: c.toml:18:1: method[0].\"k\\u0000y\": the key holds \\u0000 (a NUL character): text ends there in C, so the rest would be lost; remove it" check c.toml
base >c.toml
expect "NUL from --set" "spex-bench: --set experiment.name=\"x\\u0000y\": experiment.name: the string holds \\u0000 (a NUL character): text ends there in C, so the rest would be lost; remove it" check c.toml --set 'experiment.name="x\u0000y"'
expect "NUL in an array from --set" "spex-bench: --set budget.samples=[300, \"\\u0000\"]: budget.samples: [1]: the string holds \\u0000 (a NUL character): text ends there in C, so the rest would be lost; remove it" check c.toml --set 'budget.samples=[300, "\u0000"]'
# --set keys follow TOML's dotted-key rules: a quoted segment is one key, dots and '=' in it
# included (oracle."a.b" used to be split into oracle.a.b).
expect "--set quoted key with a dot" "spex-bench: --set oracle.\"a.b\"=1: a.b: unknown key for oracle synthetic (known keys: n, degree_counts, max_degree, terms, basis, distribution, magnitude, constant, hierarchical, decay, snr_db, seed, cost_ms, cost_clock, retries, retry_backoff)" check c.toml --set 'oracle."a.b"=1'
expect "--set literal quoted key with '='" "spex-bench: --set oracle.'a=b'=1: a=b: unknown key for oracle synthetic (known keys: n, degree_counts, max_degree, terms, basis, distribution, magnitude, constant, hierarchical, decay, snr_db, seed, cost_ms, cost_clock, retries, retry_backoff)" check c.toml --set "oracle.'a=b'=1"
expect "--set quoted key not closed" "spex-bench: --set oracle.\"ab=1: a quoted key is not closed" check c.toml --set 'oracle."ab=1'
expect "--set quoted key with a bad escape" "spex-bench: --set oracle.\"a\\qb\"=1: oracle.\"a\\qb\": bad quoted key \"a\\qb\" in 'oracle.\"a\\qb\"': Error while parsing string: unknown escape sequence '\\q'" check c.toml --set 'oracle."a\qb"=1'
"$BIN" check c.toml --set '"experiment" . "see\u0064" = 7' >out.txt 2>err.txt
st=$?
[ $st = 0 ] && grep -qx "seed = 7" out.txt
check "--set with quoted segments, spaces and an escape (exit $st)" $? err.txt
# check looks for the program of the process oracle's command without starting it (it used
# to pass and the run failed every cell): a program not on PATH, a path that does not exist or
# is not executable, an interpreter's missing script (also through {e}); a model that exists
# passes.
# pcfg 'TOML STRING': c.toml = the base with a process oracle whose command is that string
pcfg() {
  base | sed 's/^kind = "synthetic"/kind = "process"/; /^terms/d; s/count = 2/count = 1/' |
    CMD="$1" awk '{ print } /^kind = "process"/ { print "command = " ENVIRON["CMD"] }' >c.toml
}
pcfg '"pythn3 model.py"'
expect "process command: program not on PATH" "spex-bench: c.toml:9:11: oracle.command: the program 'pythn3' is not found (no executable of that name on PATH, and not a shell builtin)" check c.toml
pcfg '"MODEL=1 ./no/model --fast"'
expect "process command: path to a missing program" "spex-bench: c.toml:9:11: oracle.command: the program './no/model' does not exist" check c.toml
printf 'print(1)\n' >model.py
pcfg '"./model.py"'
expect "process command: a script that is not executable" "spex-bench: c.toml:9:11: oracle.command: the program './model.py' is not an executable file (chmod +x it, or start it through its interpreter)" check c.toml
pcfg '"exec python3 -u models/m.py"'
expect "process command: missing script of python3" "spex-bench: c.toml:9:11: oracle.command: the script 'models/m.py' (the first argument of python3) does not exist" check c.toml
pcfg '"python3 model_{e}.py"'
expect "process command: missing script per explicand" "spex-bench: c.toml:9:11: oracle.command (explicand 0): the script 'model_0.py' (the first argument of python3) does not exist" check c.toml
pcfg "'bash run.sh'"
expect "process command: missing script of bash" "spex-bench: c.toml:9:11: oracle.command: the script 'run.sh' (the first argument of bash) does not exist" check c.toml
pcfg "'X=\"a b\" python3 -W ignore model.py --n 8'"
"$BIN" check c.toml >out.txt 2>err.txt
check "process command that exists accepted" $? err.txt
rm -f model.py

finish
