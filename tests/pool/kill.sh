#!/bin/bash
# kill.sh PROBE P WHERE VICTIM: a pool of P started from a singleton, the pool waiting in
# WHERE (barrier: a blocking MPI_Barrier; idle: cp_comm_idle_barrier; compute: no MPI call;
# start: the parent is killed while it spawns). VICTIM parent: the parent gets SIGKILL and no
# process of the run may be left 10 s later (Open MPI's orted ends the pool when its
# singleton dies). VICTIM child: one pool process gets SIGKILL; the parent must end by
# itself with exit 1 and one line naming it (every collective would wait for the dead
# process forever), and nothing may be left 10 s later.
set -u
probe=$1 processes=$2 where=$3 victim=$4
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
probe_bg "$out" "$probe" hold "$processes" "$where"
fail=0
if [ "$where" = start ]; then
  wait_line "$out" '^starting' >/dev/null || { echo "FAIL: no 'starting' line"; cat "$out"; exit 1; }
  sleep 0.15 # inside MPI_Comm_spawn: the orted is launching the pool
  pids=
else
  ready=$(wait_line "$out" '^ready') || { echo "FAIL: the pool never got ready"; cat "$out"; kill -KILL "$probe_pid"; none_left 10; exit 1; }
  pids=${ready#ready }
  sleep 1 # the pool is inside its wait
fi
before=$(tagged | wc -l)
if [ "$victim" = parent ]; then
  kill -KILL "$probe_pid"
  wait "$probe_pid" 2>/dev/null
else
  child=$(echo "$pids" | awk '{print $NF}') # the last pool process
  kill -KILL "$child"
  SECONDS=0
  wait "$probe_pid"
  code=$?
  took=$SECONDS
  [ "$code" = 1 ] || { echo "FAIL: the parent exited $code, not 1, after a pool process died"; fail=1; }
  grep -qE "^conpar: process pool: pool process rank [0-9]+ \(pid $child\) ended during the run" "$out" ||
    { echo "FAIL: no line naming the dead pool process"; fail=1; }
  echo "the parent ended ${took} s after pool process $child was killed"
fi
took=$(none_left 10) || fail=1
[ "$fail" = 0 ] || { echo "--- probe output"; cat "$out"; exit 1; }
echo "ok: $victim killed ($where, $before processes of the run alive): nothing left after ${took} s"
