#!/bin/bash
# shellcheck shell=bash
# Shared by the pool tests: a tag in the probe's environment that the orted and every pool
# process inherit (the orted is forked at the parent's MPI_Init, the pool processes by the
# orted), so a test sees its own processes only, even with other tests running.
POOL_TAG="conpar-pool-test-$$-$RANDOM$RANDOM"
export POOL_TAG

# The live processes carrying this test's tag (zombies are dead: pid 1 reaps them).
tagged() {
  local e pid state
  for e in /proc/[0-9]*/environ; do
    pid=${e#/proc/}
    pid=${pid%/environ}
    { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qxF "CONPAR_POOL_TEST_TAG=$POOL_TAG" || continue
    state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
  done
}

# Poll for `limit` seconds until none of this test's processes is left; prints how long it
# took, or names the ones left (and kills them) and returns 1.
none_left() {
  local limit=$1 start=$SECONDS left
  while :; do
    left=$(tagged | xargs)
    [ -z "$left" ] && { echo "$((SECONDS - start))"; return 0; }
    [ $((SECONDS - start)) -ge "$limit" ] && break
    sleep 0.5
  done
  echo "FAIL: left after ${limit} s:" >&2
  for pid in $left; do
    ps -o pid=,ppid=,stat=,args= -p "$pid" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  return 1
}

# Run the probe with the tag: probe_bg OUT ARGS... (sets probe_pid)
probe_bg() {
  local out=$1
  shift
  CONPAR_POOL_TEST_TAG=$POOL_TAG "$@" >"$out" 2>&1 &
  probe_pid=$!
}

# Wait until OUT has a line matching REGEX (at most 60 s); prints it.
wait_line() {
  local out=$1 re=$2 line
  for _ in $(seq 600); do
    line=$(grep -m1 -E "$re" "$out")
    [ -n "$line" ] && { echo "$line"; return 0; }
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}
