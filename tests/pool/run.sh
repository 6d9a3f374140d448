#!/bin/bash
# run.sh EXIT LIMIT REGEX... -- COMMAND...: COMMAND (the probe) must exit EXIT within LIMIT
# seconds, print a line matching every REGEX (stdout or stderr), and leave no process of the
# run behind: neither a pool process nor Open MPI's orted may be alive 10 s later. With EXIT 0
# no pool process may end non-zero either (a sanitizer's report, a failed check).
set -u
want=$1 limit=$2
shift 2
res=()
while [ "$1" != -- ]; do
  res+=("$1")
  shift
done
shift
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
SECONDS=0
probe_bg "$out" "$@"
wait "$probe_pid"
code=$?
took=$SECONDS
fail=0
[ "$code" = "$want" ] || { echo "FAIL: exit $code, not $want"; fail=1; }
[ "$took" -le "$limit" ] || { echo "FAIL: took ${took} s (limit ${limit} s)"; fail=1; }
# a run that succeeds ends every pool process with 0 too (the orted reports any other code)
[ "$want" = 0 ] && grep -qE "non-zero (exit code|status)" "$out" &&
  { echo "FAIL: a pool process exited non-zero"; fail=1; }
for re in "${res[@]}"; do
  grep -qE -- "$re" "$out" || { echo "FAIL: no line matching: $re"; fail=1; }
done
left=$(none_left 10) || fail=1
cat "$out"
[ "$fail" = 0 ] || exit 1
echo "ok: exit $code after ${took} s, nothing left after ${left} s"
