#!/usr/bin/env bash
# MPI strategies on one node at the talk's size: -np 1 x all threads against -np NCORES x 1
# thread, bound to cores. The targets: window within 10% of threads; scatter's distribute
# stage about one memory copy; distributed's set-up (generation) and scan per rank.
#   bench/mpi.sh [SIZE]         (default 300M; results in bench/results/)
# Needs a release build and Open MPI's mpiexec; as root set OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (the script does it when run as root).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
size=${1:-300M}
cores=$(nproc)
strategies=threads,scatter,window,distributed

echo "== -np 1 x $cores threads, $size values"
OMP_NUM_THREADS=$cores OMP_PROC_BIND=close OMP_PLACES=cores \
  mpiexec -np 1 --map-by "ppr:1:node:pe=$cores" --bind-to core \
  "$bin" --phase cpu --size "$size" --repeat 5 -c "$strategies" --json "$out/mpi-np1-t$cores-$size.json"
echo
echo "== -np $cores x 1 thread, $size values"
OMP_NUM_THREADS=1 mpiexec -np "$cores" --map-by core --bind-to core \
  "$bin" --phase cpu --size "$size" --repeat 5 -c "$strategies" --json "$out/mpi-np$cores-t1-$size.json"
echo
echo "== one memory copy of the array on one thread (what scatter's distribute stage moves)"
/usr/bin/env python3 - "$size" <<'PY' || true
import sys, time
try:
    import numpy as np
except ImportError:
    sys.exit("numpy not found: skipped")
text = sys.argv[1]
scale = {"K": 10**3, "M": 10**6, "G": 10**9}
n = int(float(text[:-1]) * scale[text[-1]]) if text[-1] in scale else int(float(text))
a = np.ones(n); b = np.ones(n)
t = []
for _ in range(3):
    t0 = time.perf_counter(); np.copyto(b, a); t.append(time.perf_counter() - t0)
print(f"numpy.copyto of {n} float64: {min(t):.3f} s  {n * 8 / min(t) / 1e9:.2f} GB/s copied")
PY
