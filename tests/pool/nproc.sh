#!/bin/bash
# nproc.sh PROBE: ulimit -u too low for the pool. As root the limit does not apply (root may
# exceed RLIMIT_NPROC), so the probe runs as `nobody` under prlimit --nproc: the parent and its
# orted fit, the pool does not. The start must be refused at once with the reason (exit 2),
# and nothing of the run may be left. Skipped (77) when not root or without setpriv/prlimit.
set -u
probe=$1
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null; then
  echo "skip: needs root, setpriv and prlimit"
  exit 77
fi
id nobody >/dev/null 2>&1 || { echo "skip: no user nobody"; exit 77; }
dir=$(mktemp -d)
chmod 777 "$dir"
trap 'rm -rf "$dir"' EXIT
# the parent (3 threads) and its orted (4) start under the limit; 2 pool processes need 7 more
running=$(ps -L -u nobody --no-headers 2>/dev/null | wc -l)
limit=$((running + 10))
OMPI_MCA_orte_tmpdir_base=$dir exec bash "$(dirname "$0")/run.sh" 2 10 \
  '^conpar: process pool: 2 pool processes need 7 tasks .* but ulimit -u \(RLIMIT_NPROC\) is '"$limit" \
  -- setpriv --reuid=nobody --regid=nogroup --clear-groups prlimit "--nproc=$limit" \
  "$probe" fail 3 --dir "$dir"
