#!/bin/bash
# serve.sh CONPAR CHECK_JSON JSON: `conpar serve` as a separate process, driven by conpar's own
# client, then stopped with SIGTERM.
set -u
conpar=$1 check=$2 json=$3
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
out=$(mktemp) err=$(mktemp)
trap 'kill "$pid" 2>/dev/null; rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- serve stdout:"; cat "$out"; echo "--- serve stderr:"; cat "$err"; exit 1; }

"$conpar" serve --port 0 --workers 3 --delay 200ms >"$out" 2>"$err" &
pid=$!
url=$(wait_url "$out" 10) || fail "no URL printed"
port=${url##*:}
port=${port%/}

# 12 requests, all at once, on 3 workers: >= 4 delays, all answered
"$conpar" --phase io --url "$url" --requests 12 --delay 200ms --server-workers 3 \
  --io-strategies async,threads --json "$json" >/dev/null || fail "client run failed"
"$check" "$json" io_ok=12 io_bound=1 || fail "client results"

# the port is taken: a second server says so and exits 2
"$conpar" serve --port "$port" >/dev/null 2>"$err.2"
code=$?
grep -q "^conpar: --port $port: address 127.0.0.1:$port is already in use" "$err.2" ||
  { cat "$err.2"; rm -f "$err.2"; fail "second server: no clear refusal"; }
rm -f "$err.2"
[ "$code" = 2 ] || fail "second server exit $code, expected 2"

kill -TERM "$pid"
wait "$pid"
code=$?
[ "$code" = 0 ] || fail "serve exit $code after SIGTERM, expected 0"
grep -q '24 requests, 24 answered (0 with 500), 0 reset; peak in service 3, peak waiting' "$out" ||
  fail "counters after SIGTERM"
grep -q 'SIGTERM: finishing what is in flight' "$err" || fail "no shutdown message"
echo "ok: $url, 3 workers never exceeded, clean exit on SIGTERM"
