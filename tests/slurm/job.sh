#!/bin/bash
# job.sh BASE CHECK_JSON SCRIPT NODES "CHECKS" [VAR=VALUE...]: submit a job script of jobs/
# unchanged to the test Slurm (sbatch --parsable --no-requeue, the VAR=VALUE pairs in the
# environment, e.g. tiny sizes in CONPAR_ARGS), wait for its final state, then check: COMPLETED,
# every JSON result where the script says it writes it (valid against the schema, CHECKS
# passed), the placement report in its output, the job ran on NODES distinct nodes and each of
# them appears in the results.
set -u
base=$1 check=$2 script=$3 nodes=$4 checks=$5
shift 5
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
for kv in "$@"; do export "${kv?}"; done
jid=$(submit "$script") || { echo "FAIL: sbatch refused $script"; exit 1; }
st=$(wait_final "$jid" 240)
info=$(scontrol -o show job "$jid")
name=$(grep -o ' JobName=[^ ]*' <<<"$info" | cut -d= -f2)
out=$base/submit/$name-$jid.out
fail() {
  echo "FAIL: $*"
  echo "--- $out"
  tail -40 "$out"
  [ "$st" = TIMEOUT_WAITING ] && scancel "$jid"
  exit 1
}
[ "$st" = COMPLETED ] || fail "job $jid ($name) ended $st, not COMPLETED"
ran_on=$(scontrol show hostnames "$(grep -o ' NodeList=[^ ]*' <<<"$info" | cut -d= -f2)")
[ "$(wc -l <<<"$ran_on")" = "$nodes" ] || fail "job $jid ran on $(xargs <<<"$ran_on"), not $nodes nodes"
# the scaling study writes a directory of points, the others one JSON
if [ -d "results/$name-$jid" ]; then
  jsons=(results/"$name-$jid"/*.json)
else
  jsons=("results/$name-$jid.json")
fi
for json in "${jsons[@]}"; do
  [ -s "$json" ] || fail "no JSON result at $json"
  if [ -n "${CONPAR_SCHEMA:-}" ]; then
    "${CONPAR_JSONSCHEMA:-jsonschema}" -i "$json" "$CONPAR_SCHEMA" >/dev/null 2>&1 ||
      fail "$json does not validate against $CONPAR_SCHEMA"
  fi
  # shellcheck disable=SC2086
  "$check" "$json" $checks || fail "$json: JSON check ($checks)"
done
# the placement report (host, threads and CPUs of every rank) is in the job's output
cat "$out" results/"$name-$jid"/*.txt 2>/dev/null | grep -q '^  rank 0 ' ||
  fail "no placement report in the job's output"
for node in $ran_on; do
  grep -q "\"$node\"" "${jsons[@]}" || fail "node $node does not appear in the results"
done
echo "ok: $script as job $jid: COMPLETED on $(xargs <<<"$ran_on"), ${#jsons[@]} JSON result(s) checked"
