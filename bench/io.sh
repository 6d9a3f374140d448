#!/usr/bin/env bash
# IO-phase benchmarks against real servers on loopback:
#   (a) the talk's workload on the embedded server: 10 and 20 requests, 2 s delay, 10 workers;
#       every strategy against its ideal time ceil(R / min(C, W)) x D;
#   (b) a burst of N requests (default 10,000) at 1 s delay, all in flight, against a separate
#       `conpar serve --workers 0`: wall time and the client's CPU per request, the server's CPU;
#       then the floor: the same burst from a raw-socket client with no HTTP library;
#   (c) when python3-aiohttp is installed: the same burst with aiohttp against the same server.
#   bench/io.sh [BURST]          (results in bench/results/)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
burst=${1:-10000}

for r in 10 20; do
  echo "== (a) the talk: $r requests, 2 s delay, 10 workers (embedded server)"
  "$bin" --phase io --requests "$r" --delay 2s --server-workers 10 --json "$out/io-talk-$r.json" |
    grep -E '^(strategy|seq|threads|async|ranks) '
  /usr/bin/env python3 - "$out/io-talk-$r.json" <<'PY'
import json, sys
for row in json.load(open(sys.argv[1]))["io"]["results"]:
    over = 100 * (row["seconds"] / row["ideal_seconds"] - 1)
    print(f"   {row['strategy']:8} {row['seconds']:.3f} s vs ideal {row['ideal_seconds']:.3f} s: +{over:.2f}%")
PY
done

echo "== (b) burst: $burst requests at 1 s delay, all in flight, conpar serve --workers 0"
log=$(mktemp)
"$bin" serve --port 0 --workers 0 --delay 1s --connection-limit $((burst + 1000)) >"$log" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^conpar serve: http' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$log" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(ticks)
"$bin" --phase io --url "$url" --requests "$burst" --delay 1s --server-workers 0 \
  --io-strategies async --json "$out/io-burst-$burst.json" | grep -E '^(strategy|async) '
after=$(ticks)
awk -v b="$before" -v a="$after" -v n="$burst" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  printf "   server CPU: %.2f s, %.0f us per request\n", (a - b) / hz, 1e6 * (a - b) / hz / n }'

echo "== (b) the floor: the same burst from raw sockets and epoll, no HTTP library (bench/floor.c)"
cc -O2 -Wall -o "$out/floor" "$(dirname "$0")/floor.c"
port=${url##*:}
port=${port%/}
for _ in 1 2 3; do
  sleep 1
  printf '   '
  "$out/floor" "$port" "$burst"
done

if /usr/bin/python3 -c 'import aiohttp' 2>/dev/null; then
  echo "== (c) the same burst with Python asyncio + aiohttp"
  /usr/bin/python3 - "$url" "$burst" <<'PY'
import asyncio, resource, sys, time
import aiohttp
url, n = sys.argv[1], int(sys.argv[2])
async def main():
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=60)) as s:
        async def one():
            async with s.get(url) as r:
                return r.status == 200 and await r.text() == "Hello World!"
        t0 = time.perf_counter(); c0 = resource.getrusage(resource.RUSAGE_SELF)
        ok = sum(await asyncio.gather(*(one() for _ in range(n))))
        t = time.perf_counter() - t0; c1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
        print(f"   aiohttp: {ok}/{n} ok in {t:.3f} s, client CPU {1e6 * cpu / n:.0f} us per request")
asyncio.run(main())
PY
else
  echo "== (c) skipped: python3-aiohttp is not installed (apt-get install python3-aiohttp)"
fi
