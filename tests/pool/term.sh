#!/bin/bash
# term.sh PROBE P SIGNAL: SIGTERM or SIGINT to the parent of a running pool. The parent's
# handler (cp_stop_install) only records it; the pool learns it through the next
# cp_stop_check, every process leaves its loop, the pool stops and the parent exits 128+signal.
# Nothing may hang and nothing may be left 10 s later.
set -u
probe=$1 processes=$2 sig=$3
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
probe_bg "$out" "$probe" term "$processes"
wait_line "$out" '^ready' >/dev/null || { echo "FAIL: the pool never got ready"; cat "$out"; kill -KILL "$probe_pid"; none_left 10; exit 1; }
sleep 0.5
SECONDS=0
kill "-$sig" "$probe_pid"
wait "$probe_pid"
code=$?
took=$SECONDS
want=$((128 + $(kill -l "$sig")))
fail=0
[ "$code" = "$want" ] || { echo "FAIL: exit $code, not $want"; fail=1; }
grep -q "^stopped: interrupted by SIG$sig" "$out" || { echo "FAIL: no 'stopped: interrupted by SIG$sig'"; fail=1; }
grep -q "non-zero" "$out" && { echo "FAIL: a pool process exited non-zero"; fail=1; }
left=$(none_left 10) || fail=1
[ "$fail" = 0 ] || { echo "--- probe output"; cat "$out"; exit 1; }
echo "ok: $sig: the pool of $processes stopped, exit $code after ${took} s, nothing left after ${left} s"
