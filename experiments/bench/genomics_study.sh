#!/bin/bash
# genomics_study.sh: the genomics-style recovery study of docs/benchmarks.md. Runs
# configs/scaling_genomics.toml (n = 10^4, 10^5, 10^6 SNPs; b = 5..9) in two variants --
# noiseless (h2_1) and phenotypic noise at heritability 0.8 (h2_08) -- into
# results/genomics/<variant>.h5 (resumed when it exists), then analysis/plot_genomics.py draws
# precision, recall and R^2 against queries into docs/figures/genomics/<variant>/.
# Variant h2_08_all runs configs/scaling_genomics_noisy.toml instead: h2 = 0.8 with SPEX and every
# other method (each cell a method refuses is recorded as skipped with its reason).
#
# usage: experiments/bench/genomics_study.sh [VARIANT ...]   (from the repository root)
#   variants: h2_1 h2_08 h2_08_all (default: h2_1 h2_08); NP: ranks for mpirun [2]; SPX_BIN [build/spex-bench]
set -eu
BIN=${SPX_BIN:-build/spex-bench}
NP=${NP:-2}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -x "$BIN" ] || { echo "genomics_study: $BIN not found (build first, or set SPX_BIN)" >&2; exit 2; }
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(h2_1 h2_08)
mkdir -p results/genomics
for v in "${variants[@]}"; do
  sets=(--set "experiment.output=\"results/genomics/$v.h5\"")
  config=configs/scaling_genomics.toml
  case $v in
    h2_1) ;;
    h2_08) sets+=(--set oracle.h2=0.8) ;;
    h2_08_all) config=configs/scaling_genomics_noisy.toml ;;
    *) echo "genomics_study: unknown variant $v" >&2; exit 2 ;;
  esac
  resume=()
  [ -f "results/genomics/$v.h5" ] && resume=(--resume)
  echo "# $v: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s)
  mpirun -n "$NP" --oversubscribe "$BIN" "$config" "${sets[@]}" "${resume[@]}" \
    > "results/genomics/$v.txt" || true   # failed cells are in the file; keep going
  echo "# $v: $(( $(date +%s) - t0 )) s wall, load $(cut -d' ' -f1-3 /proc/loadavg); summary in results/genomics/$v.txt"
  /usr/bin/python3 analysis/plot_genomics.py "results/genomics/$v.h5" -o "docs/figures/genomics/$v" \
    --title "genomics, $v"
done
