#!/bin/bash
# kill.sh CONPAR: 3 ranks on this host busy with a long IO run; rank 1 is killed (SIGKILL) once
# running. mpiexec must end non-zero within 20 s and leave no rank behind.
set -u
conpar=$1
mpiexec --oversubscribe --bind-to none -np 3 "$conpar" --phase io --io-strategies ranks \
  --requests 9 --delay 60s --timeout 90s >/dev/null 2>&1 &
launcher=$!
ranks() { pgrep -P "$launcher" -x conpar; }
victim=
for _ in $(seq 200); do
  for pid in $(ranks); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' &&
      victim=$pid && break
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || { echo "FAIL: rank 1 never appeared"; kill -KILL "$launcher"; exit 1; }
left=$(ranks | xargs)
sleep 2 # past MPI_Init: the ranks are waiting for their requests
SECONDS=0
kill -KILL "$victim"
wait "$launcher"
code=$?
took=$SECONDS
fail=0
[ "$code" != 0 ] || { echo "FAIL: mpiexec exited 0 after a rank was killed"; fail=1; }
[ "$took" -le 20 ] || { echo "FAIL: mpiexec took ${took} s to end (limit 20 s)"; fail=1; }
sleep 0.5
for pid in $left; do
  st=$(ps -o stat= -p "$pid" 2>/dev/null) && [ "${st#Z}" = "$st" ] &&
    { echo "FAIL: rank process $pid left running"; kill -KILL "$pid"; fail=1; }
done
[ "$fail" = 0 ] || exit 1
echo "ok: rank 1 killed; mpiexec ended in ${took} s with exit $code, no rank left"
