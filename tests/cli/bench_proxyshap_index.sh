#!/usr/bin/env bash
# tests/cli/bench_proxyshap_index.sh: bench_proxyspex --index-accuracy (the exact index of its
# test function, orders 1 and 2). At the full budget 2^12 ProxySHAP with MSR is the exact SII
# (and BII) of the hierarchical function, so both MSEs are ~0; without the correction they are
# not; the parity (Fourier) function too; a bad index name, an index other than ProxySHAP's own
# or an oracle with --index-accuracy is a usage error (exit 2).
. "$(dirname "$0")/../lib/harness.sh"
BENCH=$(dirname "$BIN")/bench_proxyspex
run() { # run OUT ARGS...: one repetition at n = 12, all 4096 coalitions
  local out=$1
  shift
  "$BENCH" --method proxyshap --hpo default --n 12 --samples 4096 --reps 1 "$@" >"$out" 2>"$tmp/err"
}
mse() { # mse FILE ORDER: the median MSE of that order from the summary line
  sed -n "s/.*order $2: MSE \([^ ]*\) .*/\1/p" "$1" | head -1
}
exact() { # exact FILE ORDER...: every named order's MSE is below 1e-20; $got lists them all
  local f=$1 o v bad=0
  shift
  got=""
  for o in "$@"; do
    v=$(mse "$f" "$o")
    got="$got order-$o MSE $v,"
    awk -v a="$v" 'BEGIN {exit !(a != "" && a + 0 < 1e-20)}' || bad=1
  done
  return $bad
}
run "$tmp/sii" --index-accuracy sii
check "sii at the full budget runs (exit 0)" $?
exact "$tmp/sii" 2 1
check "ProxySHAP + MSR at 2^12 = the exact SII ($got)" $?
run "$tmp/bii" --index-accuracy bii --opt index=bii
exact "$tmp/bii" 2
check "the same for BII ($got)" $?
run "$tmp/bii2" --index-accuracy bii
exact "$tmp/bii2" 2
check "--index-accuracy bii alone runs ProxySHAP with index = bii ($got)" $?
run "$tmp/x" --index-accuracy bii --opt index=sii
[ $? = 2 ] && grep -q "index=sii" "$tmp/err"; check "--index-accuracy bii with index = sii: exit 2" $?
# the parity (Fourier) test function goes through the other branch of the exact transform
run "$tmp/parity" --index-accuracy sii --fn parity
exact "$tmp/parity" 2 1
check "the same on the parity function ($got)" $?
run "$tmp/none" --index-accuracy sii --opt correction=none
m2=$(mse "$tmp/none" 2)
awk -v a="$m2" 'BEGIN {exit !(a != "" && a + 0 > 1e-12)}'
check "without the correction the SII is not exact (order-2 MSE $m2)" $?
run "$tmp/x" --index-accuracy magic
[ $? = 2 ] && grep -q "index-accuracy magic" "$tmp/err"; check "unknown index: exit 2 naming it" $?
run "$tmp/x" --index-accuracy sii --oracle synthetic
[ $? = 2 ]; check "--index-accuracy with --oracle: exit 2" $?
finish
