# lib.sh: sourced by the kill and fault tests. Waiting for something to happen or a process to
# end, checking that a step ended within its limit, and that no process was left behind (on
# this host or in a fake host's network namespace). Every check prints "FAIL: ..." and returns
# 1; the caller decides whether to go on.
# shellcheck shell=bash

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds (0), at most SECONDS
# (1). COMMAND may be a function of the caller that sets its variables.
wait_for() {
  local tries=$(($1 * 10))
  shift
  for _ in $(seq "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# alive PID: the process runs and is not a zombie.
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${st#Z}" = "$st" ]
}

# none_alive PID...: no PID is alive.
none_alive() {
  local pid
  for pid in "$@"; do
    alive "$pid" && return 1
  done
  return 0
}

# wait_gone SECONDS PID...: wait until no PID is alive (0), at most SECONDS (1). For processes
# that are not this shell's children (those take `wait`).
wait_gone() {
  local limit=$1
  shift
  wait_for "$limit" none_alive "$@"
}

# stop_pids PID...: SIGTERM, up to 10 s to end, then SIGKILL.
stop_pids() {
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  wait_gone 10 "$@" || kill -KILL "$@" 2>/dev/null
  return 0
}

# timer_start, then took_within LIMIT WHAT: sets `took` to the whole seconds since
# timer_start; when that is above LIMIT, "FAIL: WHAT took N s to end (limit LIMIT s)" and 1.
timer_start() {
  lib_timer=$SECONDS
}
took_within() {
  took=$((SECONDS - lib_timer))
  [ "$took" -le "$1" ] && return 0
  echo "FAIL: $2 took ${took} s to end (limit $1 s)"
  return 1
}

# assert_gone WHAT PID...: every PID still alive is reported ("FAIL: WHAT PID left running")
# and killed; 1 if there was one.
assert_gone() {
  local what=$1 pid rc=0
  shift
  for pid in "$@"; do
    if alive "$pid"; then
      echo "FAIL: $what $pid left running"
      kill -KILL "$pid" 2>/dev/null
      rc=1
    fi
  done
  return "$rc"
}

# netns_pids NETNS NAME...: the processes in network namespace NETNS (a fake host) whose
# command name is one of NAME, one PID a line.
netns_pids() {
  local ns=$1 pid name want
  shift
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    name=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    for want in "$@"; do
      [ "$name" = "$want" ] && echo "$pid" && break
    done
  done
}

# assert_none_in_netns NETNS NAME...: every process named NAME left in NETNS is reported
# ("FAIL: NAME (PID) left running on NETNS"); 1 if there was one.
assert_none_in_netns() {
  local ns=$1 pid rc=0
  shift
  for pid in $(netns_pids "$ns" "$@"); do
    echo "FAIL: $(cat "/proc/$pid/comm" 2>/dev/null) ($pid) left running on $ns"
    rc=1
  done
  return "$rc"
}

# wait_url FILE SECONDS: print the first http:// URL written to FILE (where a server started
# with --port 0 says where it listens) once it appears, at most SECONDS (1, nothing printed).
wait_url() {
  lib_url_file=$1
  wait_for "$2" lib_url_in || return 1
  echo "$lib_url"
}
lib_url_in() {
  lib_url=$(grep -o 'http://[^ ]*' "$lib_url_file" 2>/dev/null | head -1) && [ -n "$lib_url" ]
}
