#!/bin/bash
# scaling_study.sh: the scaling study of docs/benchmarks.md. Runs configs/scaling.toml (n = 16
# to 100,000, b = 8) in four variants -- s = 100 and s = 1000 interactions, noiseless and at
# 10 dB SNR -- each into results/scaling/<variant>.h5 (resumed when it exists), then
# analysis/plot_scaling.py for each into docs/figures/scaling/<variant>/ (figures, CSV of
# means, and a markdown table of medians).
#
# With LARGE=1 only the sizes beyond 100,000 run (n = 262,144 and 1,000,000, BCH codes over
# GF(2^19) and GF(2^20)), into results/scaling/<variant>_large.h5 and
# docs/figures/scaling/<variant>_large/ (the full list in configs/scaling.toml has them too).
#
# usage: experiments/bench/scaling_study.sh [VARIANT ...]   (from the repository root)
#   variants: s100 s1000 s100_snr10 s1000_snr10 (default: all)
#   NP: ranks for mpirun [2]; SPX_BIN: the executable [build/spex-bench]; LARGE: see above
set -eu
BIN=${SPX_BIN:-build/spex-bench}
NP=${NP:-2}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$BIN" ] || { echo "scaling_study: $BIN not found (build first, or set SPX_BIN)" >&2; exit 2; }
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(s100 s1000 s100_snr10 s1000_snr10)
mkdir -p results/scaling
for v0 in "${variants[@]}"; do
  v=$v0
  large=()
  if [ "${LARGE:-0}" = 1 ]; then v=${v0}_large; large=(--set "scaling.n=[262144, 1000000]"); fi
  sets=(--set "experiment.output=\"results/scaling/$v.h5\"" "${large[@]}")
  case $v0 in
    s100) ;;
    s1000) sets+=(--set oracle.terms=1000) ;;
    s100_snr10) sets+=(--set oracle.snr_db=10) ;;
    s1000_snr10) sets+=(--set oracle.terms=1000 --set oracle.snr_db=10) ;;
    *) echo "scaling_study: unknown variant $v" >&2; exit 2 ;;
  esac
  resume=()
  [ -f "results/scaling/$v.h5" ] && resume=(--resume)
  echo "# $v: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s)
  mpirun -n "$NP" --oversubscribe "$BIN" configs/scaling.toml "${sets[@]}" "${resume[@]}" \
    > "results/scaling/$v.txt" || true   # failed cells are in the file; keep going
  echo "# $v: $(( $(date +%s) - t0 )) s wall, load $(cut -d' ' -f1-3 /proc/loadavg); summary in results/scaling/$v.txt"
  /usr/bin/python3 analysis/plot_scaling.py "results/scaling/$v.h5" -o "docs/figures/scaling/$v" \
    --title "$v"
done
