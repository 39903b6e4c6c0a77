# tests/data/huge_model.sh: a process-oracle model (docs/oracles.md protocol) that answers
# 1e308 when feature 0 is kept and -1e308 otherwise: huge but finite values whose squares
# overflow (numeric-guard and failed-cell tests). Run as `sh tests/data/huge_model.sh`.
read n
while read c; do
  i=0
  while [ $i -lt $c ]; do read m; case $m in 1*) echo 1e308;; *) echo -1e308;; esac; i=$((i+1)); done
done
