#!/usr/bin/env bash
# CPU-phase benchmark at the talk's size: every strategy, the read-bandwidth probe, gil at
# 1 and all threads, and numpy / Python's builtin max when /usr/bin/python3 has numpy.
#   bench/cpu.sh [SIZE]         (default 300M; results in bench/results/)
# Needs a release build (./build.sh demo or cmake --build --preset release).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
size=${1:-300M}
threads=$(nproc)

echo "== conpar, every strategy, $threads threads, $size values"
"$bin" --phase cpu --size "$size" --repeat 5 --threads "$threads" --json "$out/cpu-$size.json"
echo
echo "== gil against simd with 1 and $threads threads (the lesson: no speedup)"
for t in 1 "$threads"; do
  "$bin" --phase cpu --size "$size" --repeat 5 -c simd,gil --threads "$t" --json "$out/gil-t$t-$size.json" |
    grep -E '^(simd|gil) '
done

echo
echo "== generation on one thread (per-core rate, for the numpy comparison)"
"$bin" --phase cpu --size "$size" --threads 1 -c seq --warmup 0 --repeat 1 | grep -E '^  setup'

py=/usr/bin/python3
if "$py" -c 'import numpy' 2>/dev/null; then
  echo
  echo "== numpy (one thread; best of 3) and Python's builtin max"
  # OPENBLAS_* do not matter here: max and argmax are numpy's own loops
  "$py" - "$size" <<'PY'
import sys, time
import numpy as np
text = sys.argv[1]
scale = {"K": 10**3, "M": 10**6, "G": 10**9}
n = int(float(text[:-1]) * scale[text[-1]]) if text[-1] in scale else int(float(text))
def best(f, k=3):
    t = []
    for _ in range(k):
        t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)
    return min(t)
rng = np.random.default_rng(42)
t_alloc_gen = best(lambda: np.random.random(n), 1)
a = np.random.random(n)
t_gen = best(lambda: rng.random(out=a))
t_max = best(lambda: a.max())
t_argmax = best(lambda: a.argmax())
print(f"numpy.random.random({n}) new array  {t_alloc_gen:.3f} s")
print(f"Generator.random(out=a)  (no faults) {t_gen:.3f} s  {n / t_gen / 1e6:.0f} M values/s")
print(f"numpy.max                           {t_max:.4f} s  {n * 8 / t_max / 1e9:.2f} GB/s")
print(f"numpy.argmax                        {t_argmax:.4f} s  {n * 8 / t_argmax / 1e9:.2f} GB/s")
m = min(n, 30_000_000)
lst = a[:m].tolist()
t_b = best(lambda: max(lst), 1)
print(f"builtin max(list) over {m} floats   {t_b:.3f} s; x{n / m:.0f} = {t_b * n / m:.2f} s for {n}")
t_c = best(lambda: max(a[:m]), 1)
print(f"builtin max(ndarray) over {m}       {t_c:.3f} s; x{n / m:.0f} = {t_c * n / m:.2f} s for {n}")
PY
else
  echo "(python3-numpy not installed: numpy comparison skipped)"
fi
