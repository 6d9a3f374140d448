#!/bin/bash
# time_limit.sh BASE CHECK_JSON SCRIPT: submit SCRIPT with a 1-minute limit and a run that would
# take minutes. Its `#SBATCH --signal=TERM@30` makes Slurm send SIGTERM 30 s before the limit:
# conpar must stop, keep what it measured (the JSON where the script writes it, marked
# incomplete, exit_status 143) and end the job before the limit. Slurm may send the signal up
# to 60 s early, so how much finished before it varies.
set -u
base=$1 check=$2 script=$3
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
# async: 20 requests on 10 workers at 5 s = 10 s; then seq: 20 x 5 s = 100 s, past the limit
export CONPAR_ARGS="--phase io --io-strategies async,seq --requests 20 --delay 5s"
jid=$(sbatch --parsable --no-requeue --time=1 --output="$base/submit/%x-%j.out" "$script") ||
  { echo "FAIL: sbatch refused $script"; exit 1; }
SECONDS=0
st=$(wait_final "$jid" 120)
took=$SECONDS
info=$(scontrol -o show job "$jid")
name=$(grep -o ' JobName=[^ ]*' <<<"$info" | cut -d= -f2)
json=results/$name-$jid.json
fail() {
  echo "FAIL: $*"
  tail -20 "$base/submit/$name-$jid.out"
  [ "$st" = TIMEOUT_WAITING ] && scancel "$jid"
  exit 1
}
# conpar exits 143, so the job fails, but before Slurm's own TIMEOUT
[ "$st" = FAILED ] || fail "job $jid ended $st, expected FAILED (conpar's exit 143 at the signal)"
grep -q 'ExitCode=143:0' <<<"$info" || fail "job exit code: $(grep -o 'ExitCode=[^ ]*' <<<"$info")"
[ -s "$json" ] || fail "no JSON kept at $json"
"$check" "$json" complete=false exit_status=143 || fail "$json: JSON check"
grep -q 'interrupted by SIGTERM' "$base/submit/$name-$jid.out" || fail "no interruption line"
echo "ok: job $jid signalled before its 1-minute limit, ended $st after ${took} s with its partial JSON"
