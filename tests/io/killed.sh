#!/bin/bash
# killed.sh CONPAR CHECK_JSON JSON: `conpar serve` killed (SIGKILL) while conpar's sequential
# client is half-way through 20 requests. The client must go on, count the rest as failed
# (connect; the request in flight as reset), write its report and exit 1 well before the
# per-request timeout could add up.
set -u
conpar=$1 check=$2 json=$3
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
out=$(mktemp)
trap 'kill -KILL "$pid" 2>/dev/null; rm -f "$out" "$out.client"' EXIT
fail() { echo "FAIL: $*"; cat "$out.client" 2>/dev/null; exit 1; }
"$conpar" serve --port 0 --delay 100ms >"$out" 2>/dev/null &
pid=$!
url=$(wait_url "$out" 10) || fail "no URL printed"
rm -f "$json"
timer_start
"$conpar" --phase io --url "$url" --requests 20 --delay 100ms --io-strategies seq \
  --json "$json" >"$out.client" 2>&1 &
client=$!
# about 8 of the 20 answers after the client's first connection (the client may take a while
# to get there: MPI_Init, a sanitizer, a loaded machine)
port=${url##*:}
port=${port%/}
connected() { [ -n "$(ss -Htn state established "( dport = :$port )" 2>/dev/null)" ]; }
wait_for 30 connected || fail "the client never connected"
sleep 0.8
kill -KILL "$pid"
wait "$client"
code=$?
[ "$code" = 1 ] || fail "client exit $code, expected 1"
took_within 9 "the client" || { cat "$out.client"; exit 1; } # less than 10 s
grep -q '^conpar: [0-9]* of 20 requests to .* failed (connect [0-9]*' "$out.client" ||
  fail "no failure line naming connect errors"
[ -s "$json" ] || fail "no report written"
ok=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["io"]["results"][0]
f=r["failed"]; print(r["ok"], f.get("connect",0), f.get("reset",0), sum(f.values()))' "$json") ||
  fail "unreadable report"
read -r nok nconnect nreset nfailed <<<"$ok"
if ! { [ "$nok" -ge 1 ] && [ "$nconnect" -ge 1 ] && [ $((nok + nfailed)) = 20 ] &&
  [ $((nconnect + nreset)) = "$nfailed" ]; }; then
  fail "ok $nok, connect $nconnect, reset $nreset of 20"
fi
"$check" "$json" exit_status=1 || fail "JSON check"
echo "ok: server killed after $nok answers; $nconnect connect and $nreset reset failures, report written, exit 1"
