#!/bin/bash
# kill.sh BASE SCRIPT: submit SCRIPT (2 nodes) with a long IO run, kill one conpar rank on snode2
# once it runs; the job must end FAILED within 20 s and leave no conpar on either node.
set -u
base=$1 script=$2
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
export CONPAR_ARGS="--phase io --io-strategies ranks --requests 16 --delay 60s --timeout 90s"
jid=$(submit "$script") || { echo "FAIL: sbatch refused $script"; exit 1; }
victim=
on_snode2() { victim=$(netns_pids snode2 conpar | head -1) && [ -n "$victim" ]; }
wait_for 30 on_snode2 || { echo "FAIL: no conpar rank appeared on snode2"; scancel "$jid"; exit 1; }
sleep 1
timer_start
kill -KILL "$victim"
st=$(wait_final "$jid" 60)
fail=0
[ "$st" = FAILED ] || { echo "FAIL: job $jid ended $st after a rank was killed, not FAILED"; fail=1; }
took_within 20 "the job" || fail=1
[ "$st" = TIMEOUT_WAITING ] && scancel "$jid"
sleep 1
for i in 1 2; do
  assert_none_in_netns "snode$i" conpar || fail=1
done
[ "$fail" = 0 ] || { tail -20 "$base/submit/"*"-$jid.out"; exit 1; }
echo "ok: a killed rank ended job $jid FAILED in ${took} s, nothing left running"
