#!/usr/bin/env bash
# load.sh CONPAR DELAY WORKERS SECONDS: `conpar serve` under wrk, 1,000 connections for SECONDS,
# then slowloris-style idle connections. Passes when:
#   - the server survives, answers every request 200 and prints no error or warning;
#   - its resident memory is flat: the mean of the last 10 s within 10% of the first 10 s;
#   - its open files return to the count before the load within 5 s of the end;
#   - 100 connections that send half a request and stall are closed by the idle timeout (2 s);
#   - SIGTERM ends it with exit 0 and its summary.
set -u
conpar=$1 delay=$2 workers=$3 seconds=$4
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
command -v wrk >/dev/null || { echo "load: no wrk (apt-get install wrk); skipped"; exit 77; }
dir=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill -KILL "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server output"; cat "$dir/serve.out"; exit 1; }
ulimit -n 4096 2>/dev/null || true
"$conpar" serve --port 0 --delay "$delay" --workers "$workers" --idle-timeout 2s \
  >"$dir/serve.out" 2>&1 &
server=$!
url=$(wait_url "$dir/serve.out" 5) || fail "the server printed no URL"
fds() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status" 2>/dev/null; }
base_fds=$(fds)
fds_down() { now=$(fds) && [ "$now" -le "$base_fds" ]; }
fds_back() { # WHEN: the open files must be back to base_fds within 5 s
  now=
  wait_for 5 fds_down || fail "open files $now $1, $base_fds before"
  echo "load: open files $now $1, $base_fds before"
}

wrk -t2 -c1000 -d"${seconds}s" --timeout 10s "$url" >"$dir/wrk.out" 2>&1 &
load=$!
: >"$dir/rss"
for _ in $(seq "$seconds"); do
  sleep 1
  kill -0 "$server" 2>/dev/null || fail "the server died under load"
  rss >>"$dir/rss"
done
wait "$load"
cat "$dir/wrk.out"
kill -0 "$server" 2>/dev/null || fail "the server died under load"
requests=$(awk '/requests in/ { print $1 }' "$dir/wrk.out")
[ "${requests:-0}" -gt 0 ] || fail "wrk made no request"
grep -q 'Non-2xx' "$dir/wrk.out" && fail "answers other than 200: $(grep Non-2xx "$dir/wrk.out")"
# memory: the first and last 10 one-second samples
read -r first last < <(awk '{ v[NR] = $1 } END {
  for (i = 1; i <= 10; i++) { a += v[i]; b += v[NR - 10 + i] }
  print a / 10, b / 10 }' "$dir/rss")
echo "load: resident memory ${first} kB in the first 10 s, ${last} kB in the last 10 s"
awk -v a="$first" -v b="$last" 'BEGIN { d = (b - a) / a; exit !(d <= 0.10 && d >= -0.10) }' ||
  fail "resident memory not flat: ${first} kB -> ${last} kB"
fds_back "after the load"

# slowloris: half a request, then silence; the idle timeout must close every connection
port=${url##*:}
port=${port%/}
python3 - "$port" <<'PY' || fail "idle connections were not closed by the idle timeout"
import socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never the blank line
    s.settimeout(8)
    socks.append(s)
t0 = time.monotonic()
closed = 0
for s in socks:
    try:
        if s.recv(1) == b"":
            closed += 1
    except (socket.timeout, ConnectionResetError):
        pass
took = time.monotonic() - t0
print(f"load: {closed} of 100 idle connections closed by the server after {took:.1f} s")
sys.exit(0 if closed == 100 and took >= 1.5 else 1)  # by the 2 s idle timeout, not before
PY
fds_back "after the idle connections"

kill -TERM "$server"
wait "$server"
code=$?
server=
[ "$code" = 0 ] || fail "exit $code on SIGTERM"
grep -q 'requests, .* answered' "$dir/serve.out" || fail "no summary on SIGTERM"
grep -v '^conpar serve: ' "$dir/serve.out" | grep -q . && fail "unexpected server output"
grep -i -E 'error|warning' "$dir/serve.out" && fail "the server reported a problem"
tail -1 "$dir/serve.out"
echo "ok: conpar serve --delay $delay --workers $workers under 1,000 connections for ${seconds} s"
