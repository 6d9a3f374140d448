#!/usr/bin/env bash
# run.sh TARGET SEEDS SECONDS [WORK]: fuzz one libFuzzer target for SECONDS, starting from the
# seed corpus SEEDS (read-only; new inputs go to WORK/corpus). Every seed is replayed first, so
# the inputs that once crashed a target stay regression tests. A crash leaves its input in
# WORK/artifacts/ and fails; copy it to SEEDS once fixed.
#   fuzz/run.sh build/fuzz/fuzz/fuzz_npy fuzz/corpus/npy 3600      # an hour
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: run.sh TARGET SEEDS SECONDS [WORK]" >&2; exit 2; }
target=$1 seeds=$2 seconds=$3
work=${4:-$(mktemp -d)}
mkdir -p "$work/corpus" "$work/artifacts"
# ASan's leak check at exit, and UBSan findings are fatal like ASan's
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" 2>"$work/log" || {
  tail -60 "$work/log"
  echo "run.sh: $(basename "$target") failed; the input is in $work/artifacts/" >&2
  exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/log" || true
echo "run.sh: $(basename "$target"): no crash in ${seconds} s"
