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
run "$tmp/sii" --index-accuracy sii
check "sii at the full budget runs (exit 0)" $?
m2=$(mse "$tmp/sii" 2) m1=$(mse "$tmp/sii" 1)
awk -v a="$m2" -v b="$m1" 'BEGIN {exit !(a != "" && b != "" && a + 0 < 1e-20 && b + 0 < 1e-20)}'
check "ProxySHAP + MSR at 2^12 = the exact SII (order-2 MSE $m2, order-1 MSE $m1)" $?
run "$tmp/bii" --index-accuracy bii --opt index=bii
m2=$(mse "$tmp/bii" 2)
awk -v a="$m2" 'BEGIN {exit !(a != "" && a + 0 < 1e-20)}'
check "the same for BII (order-2 MSE $m2)" $?
run "$tmp/bii2" --index-accuracy bii
m2=$(mse "$tmp/bii2" 2)
awk -v a="$m2" 'BEGIN {exit !(a != "" && a + 0 < 1e-20)}'
check "--index-accuracy bii alone runs ProxySHAP with index = bii (order-2 MSE $m2)" $?
run "$tmp/x" --index-accuracy bii --opt index=sii
[ $? = 2 ] && grep -q "index=sii" "$tmp/err"; check "--index-accuracy bii with index = sii: exit 2" $?
# the parity (Fourier) test function goes through the other branch of the exact transform
run "$tmp/parity" --index-accuracy sii --fn parity
m2=$(mse "$tmp/parity" 2) m1=$(mse "$tmp/parity" 1)
awk -v a="$m2" -v b="$m1" 'BEGIN {exit !(a != "" && b != "" && a + 0 < 1e-20 && b + 0 < 1e-20)}'
check "the same on the parity function (order-2 MSE $m2, order-1 MSE $m1)" $?
run "$tmp/none" --index-accuracy sii --opt correction=none
m2=$(mse "$tmp/none" 2)
awk -v a="$m2" 'BEGIN {exit !(a != "" && a + 0 > 1e-12)}'
check "without the correction the SII is not exact (order-2 MSE $m2)" $?
run "$tmp/x" --index-accuracy magic
[ $? = 2 ] && grep -q "index-accuracy magic" "$tmp/err"; check "unknown index: exit 2 naming it" $?
run "$tmp/x" --index-accuracy sii --oracle synthetic
[ $? = 2 ]; check "--index-accuracy with --oracle: exit 2" $?
finish
