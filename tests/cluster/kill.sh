#!/bin/bash
# kill.sh CONPAR: a long run on 4 fake hosts x 2 ranks; one rank on node3 is killed after it
# starts. mpirun must end non-zero within 20 s and leave nothing running on any host.
set -u
conpar=$1
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
# IO with a long delay keeps every rank busy for a minute
timeout 120 "$here/nsrsh" node1 "mpirun -np 8 --hostfile $hosts $conpar --phase io \
  --io-strategies ranks --requests 16 --delay 60s --timeout 90s" >/dev/null 2>&1 &
launcher=$!
victim=
for _ in $(seq 100); do
  for pid in $(ip netns pids node3 2>/dev/null); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = conpar ] && victim=$pid && break
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || { echo "FAIL: no conpar rank appeared on node3"; kill -KILL "$launcher"; exit 1; }
sleep 1
t0=$(date +%s)
kill -KILL "$victim"
wait "$launcher"
code=$?
took=$(($(date +%s) - t0))
fail=0
[ "$code" != 0 ] || { echo "FAIL: mpirun exited 0 after a rank was killed"; fail=1; }
[ "$took" -le 20 ] || { echo "FAIL: mpirun took ${took} s to end (limit 20 s)"; fail=1; }
sleep 1
for i in 1 2 3 4; do
  for pid in $(ip netns pids "node$i" 2>/dev/null); do
    name=$(cat "/proc/$pid/comm" 2>/dev/null)
    case $name in conpar|orted|mpirun) echo "FAIL: $name ($pid) left running on node$i"; fail=1 ;; esac
  done
done
[ "$fail" = 0 ] || exit 1
echo "ok: a killed rank ended the job in ${took} s (exit $code), nothing left running"
