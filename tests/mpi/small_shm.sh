#!/bin/bash
# small_shm.sh EXIT COMMAND...: run COMMAND with Open MPI's shared-memory window directory on a
# 1 MiB tmpfs (in a private mount namespace) and check that conpar skips the window strategy
# with the reason instead of dying of SIGBUS: exit EXIT, the skip named on stderr.
# Exit 77 (skipped) when a mount namespace cannot be made (not root, no unshare).
set -u
want=$1
shift
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "small_shm: needs root and unshare -m; skipped"
    exit 77
fi
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m bash -c '
    dir=$(mktemp -d) &&
    mount -t tmpfs -o size=1m conpar-small-shm "$dir" &&
    OMPI_MCA_osc_sm_backing_directory=$dir timeout 50 "$@"
' small_shm "$@" >"$out" 2>"$err"
code=$?
fail=0
if [ "$code" != "$want" ]; then
    echo "FAIL: exit $code, expected $want"
    fail=1
fi
if ! grep -q "^conpar: .*window skipped: .* has .* free but the node's part of the array needs" "$err"; then
    echo "FAIL: stderr does not name the skip"
    fail=1
fi
if grep -qi "bus error\|SIGBUS\|signal 7" "$err"; then
    echo "FAIL: a rank died of SIGBUS"
    fail=1
fi
if [ "$fail" != 0 ]; then
    echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"
    exit 1
fi
echo "ok: exit $code, window skipped with its reason"
