#!/bin/bash
# matrix.sh CONPAR MPIEXEC: every wrong invocation of tests/cli/bad-input.txt must exit 2
# within 5 s with one line on stderr ("conpar: ...") and nothing on stdout. Under mpiexec only
# conpar's lines are counted: Open MPI adds its own banner about the non-zero exit.
set -u
export CONPAR=$1
export MPI2="$2 --oversubscribe --bind-to none -np 2"
DIR=$(mktemp -d)
export DIR
listener=
trap 'kill "$listener" 2>/dev/null; rm -rf "$DIR"' EXIT
# the bad files
printf 'junk' >"$DIR/junk.npy"
python3 - "$DIR" <<'PY'
import struct, sys
d = sys.argv[1]
def npy(descr, shape, data):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data
open(f"{d}/truncated.npy", "wb").write(npy("<f8", "(4,)", b"\0" * 24))  # 3 of 4 values
open(f"{d}/complex.npy", "wb").write(npy("<c16", "(1,)", b"\0" * 16))
PY
# a port someone else holds
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$DIR/port" &
listener=$!
for _ in $(seq 50); do [ -s "$DIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$DIR/port")
export PORT
n=0 bad=0
while IFS= read -r line; do
  case $line in '#'* | '') continue ;; esac
  n=$((n + 1))
  start=$(date +%s%N)
  timeout 10 bash -c "$line" </dev/null >"$DIR/out" 2>"$DIR/err" # mpiexec reads stdin
  code=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  # under mpiexec, Open MPI adds its own banner about the exit code: count conpar's lines
  case $line in
    \$MPI2*) lines=$(grep -c '^conpar: ' "$DIR/err") ;;
    *) lines=$(wc -l <"$DIR/err") ;;
  esac
  why=
  [ "$code" = 2 ] || why="exit $code"
  [ "$lines" = 1 ] || why="$why; $lines stderr lines"
  grep -q '^conpar: ' "$DIR/err" || why="$why; no 'conpar: ' line"
  [ -s "$DIR/out" ] && why="$why; output on stdout"
  [ "$ms" -le 5000 ] || why="$why; took $ms ms"
  if [ -n "$why" ]; then
    bad=$((bad + 1))
    echo "FAIL: $line: ${why#; }"
    sed 's/^/    /' "$DIR/err" | head -5
  else
    printf '%5d ms  %s\n        %s\n' "$ms" "$line" "$(grep '^conpar: ' "$DIR/err")"
  fi
done <"$(dirname "$0")/bad-input.txt"
[ "$n" -ge 40 ] || { echo "FAIL: only $n invocations"; exit 1; }
[ "$bad" = 0 ] || { echo "$bad of $n invocations failed"; exit 1; }
echo "ok: $n wrong invocations, each exit 2 with one line within 5 s"
