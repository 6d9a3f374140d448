#!/bin/bash
# full_fs.sh CONPAR: --json and --csv on a filesystem with 4 KiB left (a 64 KiB tmpfs in a
# private mount namespace, as root; skipped otherwise). conpar must exit non-zero naming the
# file and the reason, and leave no temporary file and no JSON that claims to be complete.
set -u
conpar=$1
[ "$(id -u)" = 0 ] || { echo "full_fs: needs root for a private tmpfs; skipped"; exit 77; }
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare -m --propagation private bash -c '
  set -u
  conpar=$1
  mnt=$(mktemp -d)
  mount -t tmpfs -o size=64k full "$mnt" || { echo "full_fs: cannot mount a tmpfs; skipped"; exit 77; }
  dd if=/dev/zero of="$mnt/fill" bs=1k count=60 2>/dev/null
  "$conpar" --phase cpu -c seq,simd --size 1M --warmup 0 --repeat 1 \
    --json "$mnt/r.json" --csv "$mnt/r.csv" >/dev/null 2>"$mnt/../full_fs.err.$$"
  code=$?
  err=$(cat "$mnt/../full_fs.err.$$"); rm -f "$mnt/../full_fs.err.$$"
  echo "$err"
  fail() { echo "FAIL: $*"; ls -la "$mnt"; exit 1; }
  [ "$code" != 0 ] || fail "exit 0 with nowhere to write"
  grep -q "^conpar: --json .$mnt/r.json.: cannot write: No space left on device$" <<<"$err" ||
    fail "no error line naming the file and the reason"
  for f in "$mnt"/*; do
    case $f in
      "$mnt/fill") ;;
      "$mnt/r.json")
        python3 -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d[\"complete\"] is not False)" "$f" ||
          fail "r.json is not a valid JSON marked incomplete" ;;
      *) fail "left behind: $f" ;;
    esac
  done
  echo "ok: exit $code, one error naming the file, nothing truncated left as complete"
' x "$conpar"
