#!/bin/bash
# kill.sh CONPAR: 3 ranks on this host busy with a long IO run; rank 1 is killed (SIGKILL) once
# running. mpiexec must end non-zero within 20 s and leave no rank behind.
set -u
conpar=$1
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
mpiexec --oversubscribe --bind-to none -np 3 "$conpar" --phase io --io-strategies ranks \
  --requests 9 --delay 60s --timeout 90s >/dev/null 2>&1 &
launcher=$!
ranks() { pgrep -P "$launcher" -x conpar; }
victim=
find_rank1() {
  local pid
  for pid in $(ranks); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' &&
      victim=$pid && return 0
  done
  return 1
}
wait_for 20 find_rank1 || { echo "FAIL: rank 1 never appeared"; kill -KILL "$launcher"; exit 1; }
left=$(ranks | xargs)
sleep 2 # past MPI_Init: the ranks are waiting for their requests
timer_start
kill -KILL "$victim"
wait "$launcher"
code=$?
fail=0
[ "$code" != 0 ] || { echo "FAIL: mpiexec exited 0 after a rank was killed"; fail=1; }
took_within 20 mpiexec || fail=1
sleep 0.5
# shellcheck disable=SC2086 # one PID a word
assert_gone "rank process" $left || fail=1
[ "$fail" = 0 ] || exit 1
echo "ok: rank 1 killed; mpiexec ended in ${took} s with exit $code, no rank left"
