#!/bin/bash
# kill.sh CONPAR: a long run on 4 fake hosts x 2 ranks; one rank on node3 is killed after it
# starts. mpirun must end non-zero within 20 s and leave nothing running on any host.
set -u
conpar=$1
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$(dirname "$0")/env.sh"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# IO with a long delay keeps every rank busy for a minute
timeout 120 "$here/nsrsh" node1 "mpirun -np 8 --hostfile $hosts $conpar --phase io \
  --io-strategies ranks --requests 16 --delay 60s --timeout 90s" >/dev/null 2>&1 &
launcher=$!
victim=
on_node3() { victim=$(netns_pids node3 conpar | head -1) && [ -n "$victim" ]; }
wait_for 10 on_node3 ||
  { echo "FAIL: no conpar rank appeared on node3"; kill -KILL "$launcher"; exit 1; }
sleep 1
timer_start
kill -KILL "$victim"
wait "$launcher"
code=$?
fail=0
[ "$code" != 0 ] || { echo "FAIL: mpirun exited 0 after a rank was killed"; fail=1; }
took_within 20 mpirun || fail=1
sleep 1
for i in 1 2 3 4; do
  assert_none_in_netns "node$i" conpar orted mpirun || fail=1
done
[ "$fail" = 0 ] || exit 1
echo "ok: a killed rank ended the job in ${took} s (exit $code), nothing left running"
