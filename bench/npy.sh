#!/usr/bin/env bash
# Reading a .npy file with MPI-IO: `conpar generate` writes SIZE float64 values (2 ranks), the
# page cache is warmed, then `cat FILE >/dev/null` and conpar's `distributed` read are timed in
# pairs: each of 2 ranks reads its own block with MPI_File_read_at_all into memory its threads
# touched first; the JSON's read_seconds is the read alone, slowest rank.
#   bench/npy.sh [SIZE] [DIR]     (default 300M in /tmp; the file is removed at the end)
# Target: conpar's read >= 80% of cat's bandwidth (median of 5 paired runs).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
size=${1:-300M}
dir=${2:-/tmp}
file=$dir/conpar-bench-$size.npy
trap 'rm -f "$file"' EXIT
mpiexec -np 2 "$bin" generate --size "$size" --out "$file"
sync "$file" # written back, so reading measures the page cache, not writeback
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null # warm the page cache
# One untimed run first: on this VM the first process after the file was written spends
# seconds getting 2.4 GB of fresh memory (generated data shows it too), which is not reading.
OMP_NUM_THREADS=1 mpiexec -np 2 --map-by core --bind-to core "$bin" --phase cpu --input "$file" \
  -c distributed --warmup 0 --repeat 1 >/dev/null
ratios=()
for run in 1 2 3 4 5; do
  t0=$(date +%s.%N)
  cat "$file" >/dev/null
  t1=$(date +%s.%N)
  OMP_NUM_THREADS=1 mpiexec -np 2 --map-by core --bind-to core "$bin" --phase cpu --input "$file" \
    -c distributed --warmup 0 --repeat 1 --json "$out/npy-read-$size.json" >/dev/null
  read_s=$(grep -o '"read_seconds": [0-9.e+-]*' "$out/npy-read-$size.json" | head -1 | awk '{print $2}')
  awk -v run="$run" -v b="$bytes" -v t0="$t0" -v t1="$t1" -v r="$read_s" 'BEGIN {
    c = t1 - t0
    printf "run %d: cat %.3f s (%.2f GB/s); conpar 2 ranks %.3f s (%.2f GB/s) = %.0f%% of cat\n",
      run, c, b / c / 1e9, r, b / r / 1e9, 100 * c / r }'
  ratios+=("$(awk -v t0="$t0" -v t1="$t1" -v r="$read_s" 'BEGIN { printf "%.0f", 100 * (t1 - t0) / r }')")
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 3p)
echo "median of 5: conpar reads at $median% of cat's bandwidth (target >= 80%)"
