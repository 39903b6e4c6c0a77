#!/usr/bin/env bash
# tests/cli/blas_kernels.sh: spex-bench runs OpenBLAS's AVX-512/AVX2 kernels where OpenBLAS's
# own CPU detection falls back to its generic "Prescott" ones (Debian 12's OpenBLAS 0.3.21 on
# CPUs newer than it), honours OPENBLAS_CORETYPE when the user sets it, names the kernels in
# --version and /meta/versions, and leaves a model process's environment as the user's
# (src/core/blas_setup.c, docs/parallel.md "BLAS").
. "$(dirname "$0")/../lib/harness.sh"

"$BIN" --version >"$tmp/version" 2>&1
check "--version exits 0" $? "$tmp/version"
blas=$(grep '^  BLAS ' "$tmp/version")
case $blas in
*OpenBLAS*DYNAMIC_ARCH*)
  # the kernels a CPU with AVX-512 F/BW/DQ/VL or AVX2 + FMA must not run with
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  has() { case " $flags " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
  if has avx512f && has avx512bw && has avx512dq && has avx512vl || { has avx2 && has fma; }; then
    case $blas in
    *"kernels Prescott"*) note_fail "AVX2/AVX-512 CPU, but --version says: $blas" ;;
    *) note_pass ;;
    esac
  fi
  OPENBLAS_CORETYPE=Prescott "$BIN" --version >"$tmp/version_user" 2>&1
  check "--version with OPENBLAS_CORETYPE exits 0" $? "$tmp/version_user"
  grep -q "kernels Prescott (OPENBLAS_CORETYPE set by the user)" "$tmp/version_user"
  check "OPENBLAS_CORETYPE=Prescott is honoured and said" $? "$tmp/version_user"
  ;;
*OpenBLAS*) note_pass "OpenBLAS without runtime dispatch: its kernels are fixed at build time" ;;
*) skip "GSL does not call OpenBLAS here ($blas)" ;;
esac

# /meta/versions names the kernels; a model process does not see an OPENBLAS_CORETYPE that
# spex-bench set only for OpenBLAS's initialisation
cat >"$tmp/model.sh" <<MODEL
env >"$tmp/model_env"
read n
while read c; do
  i=0
  while [ \$i -lt \$c ]; do read m; case \$m in 1*) echo 1;; *) echo 0;; esac; i=\$((i+1)); done
done
MODEL
cat >"$tmp/run.toml" <<TOML
[experiment]
kind = "faithfulness"
output = "$tmp/run.h5"
test_masks = 20
[oracle]
kind = "process"
command = "sh $tmp/model.sh"
n = 5
[budget]
samples = [40]
[[method]]
name = "lime"
TOML
env -u OPENBLAS_CORETYPE "$BIN" "$tmp/run.toml" --quiet >"$tmp/run.out" 2>&1
check "a process-oracle run exits 0" $? "$tmp/run.out"
if grep -q OPENBLAS_CORETYPE "$tmp/model_env"; then
  note_fail "the model process saw OPENBLAS_CORETYPE: $(grep OPENBLAS_CORETYPE "$tmp/model_env")"
else
  note_pass
fi
if has_python h5py; then
  "$PY" - "$tmp/run.h5" >"$tmp/meta.out" 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(f["meta/runs/0/versions"].attrs["blas"])
PYEOF
  check "/meta/runs/0/versions has a blas attribute" $? "$tmp/meta.out"
  check_eq "/meta/runs/0/versions blas = the --version line" "${blas#  BLAS     }" "$(cat "$tmp/meta.out")"
  # --version and the result file print one list (experiments/grid_provenance.c): every
  # recorded library's value is on a --version line, and nothing else is
  "$PY" - "$tmp/run.h5" "$tmp/version" >"$tmp/vers.out" 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    a = f["meta/runs/0/versions"].attrs
    rec = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in a.items()}
lines = open(sys.argv[2]).read().splitlines()
want = ["spex-bench %s (commit %s)" % (rec.pop("spex_bench"), rec.pop("git_commit"))]
bad = [] if lines[:1] == want else ["first line %r, want %r" % (lines[:1], want)]
rest = [l.strip() for l in lines[1:]]
for k, v in rec.items():
    if not any(l.endswith(" " + v) for l in rest):
        bad.append("%s = %r not on a --version line" % (k, v))
if len(rest) != len(rec):
    bad.append("%d library lines, %d recorded" % (len(rest), len(rec)))
print("\n".join(bad) or "ok")
sys.exit(1 if bad else 0)
PYEOF
  check "--version lists exactly /meta/runs/0/versions" $? "$tmp/vers.out"
fi
finish
