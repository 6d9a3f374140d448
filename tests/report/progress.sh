#!/bin/bash
# progress.sh CONPAR: progress lines and colour appear on a terminal (`script` gives the run
# one); no progress with --quiet or into a pipe, no colour with NO_COLOR or into a pipe.
set -u
conpar=$1
args="--size 1M --warmup 0 --repeat 1 --requests 3 --delay 10ms"
tty=$(script -qec "$conpar $args" /dev/null | tr '\r' '\n')
echo "$tty" | grep -Eq 'conpar: CPU: seq.* \(1 of [0-9]+\)' || { echo "FAIL: no CPU progress on a terminal"; exit 1; }
echo "$tty" | grep -q 'conpar: IO: seq, 3 requests' || { echo "FAIL: no IO progress on a terminal"; exit 1; }
quiet=$(script -qec "$conpar --quiet $args" /dev/null)
echo "$quiet" | grep -q 'conpar: CPU:' && { echo "FAIL: progress despite --quiet"; exit 1; }
# shellcheck disable=SC2086
pipe=$("$conpar" $args 2>&1 >/dev/null)
echo "$pipe" | grep -q 'conpar: CPU:' && { echo "FAIL: progress into a pipe"; exit 1; }
# colour: on a terminal, not with NO_COLOR, not into a pipe
echo "$tty" | grep -q $'\033\[32m' || { echo "FAIL: no colour on a terminal"; exit 1; }
nocolour=$(NO_COLOR=1 script -qec "$conpar --quiet $args" /dev/null)
echo "$nocolour" | grep -q $'\033\[3' && { echo "FAIL: colour despite NO_COLOR"; exit 1; }
# shellcheck disable=SC2086
"$conpar" --quiet $args | grep -q $'\033' && { echo "FAIL: colour into a pipe"; exit 1; }
echo "ok: progress and colour on a terminal only; --quiet and NO_COLOR respected"
