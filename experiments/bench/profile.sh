#!/bin/bash
# profile.sh: where the time goes in the hot paths (docs/benchmarks.md, "Profiles"). Records
# each case with `perf record` (sampling at 10 kHz, no call graphs) and prints the symbols
# with at least 0.3% of the samples, self time, leaving out the benchmark's own test
# function (eval_fn: evaluating the synthetic function is the "oracle", not the method) and
# renormalising the rest to 100% of the remaining samples. Cases:
#   spex_decode    bench_spex decode 21         SPEX n = 1000, b = 8, s = 100, soft + hard
#   spex_large     bench_spex large 11          SPEX n = 100,000, s = 1000, end to end
#   proxyspex      bench_proxyspex, n = 1000, 5000 samples, hpo = fast, 1 repetition
#   predict        bench_predict 100000 10000 1000 5   (scoring a transform on test masks)
# usage: experiments/bench/profile.sh [CASE ...]   (from the repository root; needs perf:
#   Debian's linux-perf, and kernel.perf_event_paranoid <= 2)
set -eu
B=${BUILD:-build}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(spex_decode spex_large proxyspex predict)
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 2; }
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
tmp=$(mktemp -d /tmp/spx_profile_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
  case $c in
    spex_decode) cmd=("$B/bench_spex" decode 21) ;;
    spex_large) cmd=("$B/bench_spex" large 11) ;;
    proxyspex) cmd=("$B/bench_proxyspex" --n 1000 --samples 5000 --hpo fast --reps 1) ;;
    predict) cmd=("$B/bench_predict" 100000 10000 1000 5) ;;
    *) echo "profile.sh: unknown case $c" >&2; exit 2 ;;
  esac
  echo "## $c: ${cmd[*]}"
  perf record -F 10000 -o "$tmp/$c.data" -- "${cmd[@]}" > "$tmp/$c.out" 2> "$tmp/$c.err"
  tail -n 5 "$tmp/$c.out" | sed 's/^/    /'
  perf report -i "$tmp/$c.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | sed 's/ \+/ /g' |
    awk '$4 == "eval_fn" || ($2 == "bench_predict" && $4 == "main") { next }
         { sub("%", "", $1); p[NR] = $1; line[NR] = $0; total += $1 }
         END { for (i = 1; i <= NR; i++) if (i in p && 100 * p[i] / total >= 0.3) {
                 l = line[i]; sub(/^ *[0-9.]+%? */, "", l);
                 printf "  %5.1f%%  %s\n", 100 * p[i] / total, l } }' | head -25
  echo
done
