#!/bin/bash
# kill.sh BASE SCRIPT: submit SCRIPT (2 nodes) with a long IO run, kill one conpar rank on snode2
# once it runs; the job must end FAILED within 20 s and leave no conpar on either node.
set -u
base=$1 script=$2
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
export CONPAR_ARGS="--phase io --io-strategies ranks --requests 16 --delay 60s --timeout 90s"
jid=$(submit "$script") || { echo "FAIL: sbatch refused $script"; exit 1; }
victim=
for _ in $(seq 300); do
  for pid in $(ip netns pids snode2 2>/dev/null); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = conpar ] && victim=$pid && break
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || { echo "FAIL: no conpar rank appeared on snode2"; scancel "$jid"; exit 1; }
sleep 1
t0=$SECONDS
kill -KILL "$victim"
st=$(wait_final "$jid" 60)
took=$((SECONDS - t0))
fail=0
[ "$st" = FAILED ] || { echo "FAIL: job $jid ended $st after a rank was killed, not FAILED"; fail=1; }
[ "$took" -le 20 ] || { echo "FAIL: the job took ${took} s to end (limit 20 s)"; fail=1; }
[ "$st" = TIMEOUT_WAITING ] && scancel "$jid"
sleep 1
for i in 1 2; do
  for pid in $(ip netns pids "snode$i" 2>/dev/null); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = conpar ] && { echo "FAIL: conpar ($pid) left running on snode$i"; fail=1; }
  done
done
[ "$fail" = 0 ] || { tail -20 "$base/submit/"*"-$jid.out"; exit 1; }
echo "ok: a killed rank ended job $jid FAILED in ${took} s, nothing left running"
