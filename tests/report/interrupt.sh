#!/bin/bash
# interrupt.sh SIGNAL CODE CHECK_JSON JSON COMMAND...: start COMMAND (which writes JSON), wait
# until its first checkpoint is written, send SIGNAL, and check that it exits CODE with one
# `conpar:` line and leaves the measured strategies in a JSON marked incomplete.
set -u
sig=$1 want=$2 check=$3 json=$4
shift 4
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
rm -f "$json"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err" &
pid=$!
# the first checkpoint follows the first strategy's runs: on a loaded machine that can take
# most of the test's time limit (90 s)
checkpoint() { [ -s "$json" ] || ! alive "$pid"; }
wait_for 80 checkpoint
[ -s "$json" ] || { echo "FAIL: no checkpoint in 80 s"; kill -KILL "$pid"; exit 1; }
"$check" "$json" complete=false || { echo "FAIL: the checkpoint is not marked incomplete"; exit 1; }
kill -"$sig" "$pid"
wait "$pid"
code=$?
fail=0
[ "$code" = "$want" ] || { echo "FAIL: exit $code, expected $want"; fail=1; }
grep -q "^conpar: interrupted by SIG$sig: the results so far are kept" "$err" ||
  { echo "FAIL: no interruption message"; fail=1; }
"$check" "$json" complete=false "exit_status=$want" || { echo "FAIL: final JSON"; fail=1; }
if [ -n "${CONPAR_SCHEMA:-}" ]; then
  "${CONPAR_JSONSCHEMA:-jsonschema}" -i "$json" "$CONPAR_SCHEMA" 2>&1 | grep -v -i deprecat
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "FAIL: the JSON does not validate"; fail=1; }
fi
[ "$fail" = 0 ] || { echo "--- stderr:"; cat "$err"; exit 1; }
echo "ok: SIG$sig -> exit $code, JSON kept and marked incomplete"
