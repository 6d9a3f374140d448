#!/bin/bash
# progress.sh CONPAR: progress lines appear on a terminal (`script` gives the run one), and
# neither with --quiet nor when stderr is a pipe.
set -u
conpar=$1
args="--size 1M --warmup 0 --repeat 1 --requests 3 --delay 10ms"
tty=$(script -qec "$conpar $args" /dev/null | tr '\r' '\n')
echo "$tty" | grep -q 'conpar: CPU: seq (1 of 7)' || { echo "FAIL: no CPU progress on a terminal"; exit 1; }
echo "$tty" | grep -q 'conpar: IO: seq, 3 requests' || { echo "FAIL: no IO progress on a terminal"; exit 1; }
quiet=$(script -qec "$conpar --quiet $args" /dev/null)
echo "$quiet" | grep -q 'conpar: CPU:' && { echo "FAIL: progress despite --quiet"; exit 1; }
# shellcheck disable=SC2086
pipe=$("$conpar" $args 2>&1 >/dev/null)
echo "$pipe" | grep -q 'conpar: CPU:' && { echo "FAIL: progress into a pipe"; exit 1; }
echo "ok: progress on a terminal only, silenced by --quiet"
