# tests/lib/fault_model.sh: the flaky process model of the fault tests (tests/integration/
# retries.sh, process_faults.sh), sourced after tests/lib/harness.sh (it uses $PY and $SRC).
# The model is tests/data/faulty_oracle.py: f(m) = 1 + x0 - 2 x1 x2 on 6 features, correct for
# its first LIMIT answers and then misbehaving as MODE says (crash, hang, garbage, nan, extra,
# short; ok never misbehaves).
#   fault_model MODE LIMIT          the model's shell command
#   fault_model_set MODE LIMIT      the --set argument that runs the model instead
#   fault_model_config [KEY=VALUE...]  a configuration on stdout: one lime method on the healthy
#       model (fault_model ok 0). Keys: name (faults), seed (1), output (out.h5), test_masks
#       (50), repeats, timeout (5), retries, retry_backoff, samples ([100]); the keys without a
#       default are written only when given.

fault_model() { echo "$PY $SRC/tests/data/faulty_oracle.py $1 $2"; }

fault_model_set() { echo "oracle.command=\"$(fault_model "$1" "$2")\""; }

fault_model_config() {
  local name=faults seed=1 output=out.h5 test_masks=50 repeats='' timeout=5 retries=''
  local retry_backoff='' samples='[100]' kv
  for kv in "$@"; do
    case ${kv%%=*} in
      name | seed | output | test_masks | repeats | timeout | retries | retry_backoff | samples)
        local "$kv" ;;
      *)
        echo "fault_model_config: unknown key '${kv%%=*}'" >&2
        return 1 ;;
    esac
  done
  printf '[experiment]\nname = "%s"\nseed = %s\noutput = "%s"\ntest_masks = %s\n' \
    "$name" "$seed" "$output" "$test_masks"
  [ -z "$repeats" ] || printf 'repeats = %s\n' "$repeats"
  printf '\n[oracle]\nkind = "process"\ncommand = "%s"\nn = 6\ntimeout = %s\n' \
    "$(fault_model ok 0)" "$timeout"
  [ -z "$retries" ] || printf 'retries = %s\n' "$retries"
  [ -z "$retry_backoff" ] || printf 'retry_backoff = %s\n' "$retry_backoff"
  printf '\n[budget]\nsamples = %s\n\n[[method]]\nname = "lime"\n' "$samples"
}
