"""The talk's CPU experiments: max and argmax of the first N float64 values of an .npy file.

Every experiment returns one record (a dict, see new_record) that conpar_talk.py prints as JSON.
The answer follows numpy's rules: the value is the maximum, the index the first position holding
it, and a NaN anywhere wins at its first position (like numpy.max and numpy.argmax).

Experiments built on the builtin max() time max() alone. max() skips a NaN unless the NaN is the
first element of the sequence it scans (no comparison with NaN is true, so a NaN first is never
replaced and a NaN later never replaces), so their timed answer ("timed_value") can differ from
numpy's when a NaN is present; an untimed pass over the same elements then finds the first NaN,
or else the first position of the timed value, and gives "value" and "index" by numpy's rule.

Chunks: chunk k of C covers [k*N//C, (k+1)*N//C), so the chunks cover every element exactly once
for any N and C (with N < C some chunks are empty and are not submitted).
"""

import atexit
import ctypes
import glob
import math
import os
import secrets
import signal
import sys
import threading
import time

import numpy as np

from conpar_talk_common import BadInput, Skipped, Terminated, cpu_record

SHM_PREFIX = "conpar_talk_"
BLOCK = 1 << 22  # elements per block of the untimed passes (32 MiB of float64)


def chunk_bounds(n, chunks):
    """The non-empty [lo, hi) ranges of `chunks` chunks over n elements, in order."""
    out = []
    for k in range(chunks):
        lo, hi = k * n // chunks, (k + 1) * n // chunks
        if hi > lo:
            out.append((lo, hi))
    return out


def combine(values):
    """numpy's rule over per-chunk maxima in chunk order: the first NaN wins, else the largest,
    the earliest chunk on ties."""
    best = None
    for v in values:
        if best is None:
            best = v
        elif best != best:
            break
        elif v != v or v > best:
            best = v
    return best


def first_nan(a):
    """Index of the first NaN in a, or None (untimed, in blocks)."""
    for lo in range(0, a.shape[0], BLOCK):
        mask = np.isnan(a[lo : lo + BLOCK])
        if mask.any():
            return lo + int(mask.argmax())
    return None


def first_equal(a, value):
    """Index of the first element of a equal to value, or None (untimed, in blocks)."""
    for lo in range(0, a.shape[0], BLOCK):
        mask = a[lo : lo + BLOCK] == value
        if mask.any():
            return lo + int(mask.argmax())
    return None


def scan(seq, elements):
    """The timed kernel: builtin max over the elements of a float64 array or memoryview.
    elements "float": iterate a memoryview, each element a Python float made on the fly;
    "numpy": iterate the ndarray, each element a numpy.float64 scalar (the talk's max(array))."""
    if elements == "float":
        return float(max(memoryview(seq)))
    return float(max(seq))


def json_float(v):
    """A float for JSON: a number, or "nan", "inf", "-inf"."""
    if v is None:
        return None
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def load(path, size):
    """The first `size` elements (all when size is None) of the .npy at path, memory-mapped,
    as a 1-D float64 ndarray view. Raises BadInput for a file conpar_talk cannot use."""
    try:
        mm = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise BadInput(f"--npy {path}: {e}") from None
    if mm.dtype != np.dtype("<f8") and mm.dtype != np.dtype("=f8"):
        raise BadInput(f"--npy {path}: dtype {mm.dtype.str}, need float64 ('<f8')")
    if mm.ndim > 1 and not mm.flags.c_contiguous:
        raise BadInput(f"--npy {path}: Fortran order, need C order")
    a = np.asarray(mm).reshape(-1)
    if a.shape[0] == 0:
        raise BadInput(f"--npy {path}: zero-size array: no maximum")
    if size is None:
        size = a.shape[0]
    if size > a.shape[0]:
        raise BadInput(f"--size {size}: {path} has only {a.shape[0]} elements")
    return a[:size]


def die_with_parent(parent_pid):
    """In a pool worker: end when the parent process ends, however it ends (SIGKILL too).
    Linux delivers SIGKILL at the parent's death (PR_SET_PDEATHSIG); a watchdog thread
    polling getppid() covers other systems and a parent that died before prctl."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# ---- pool workers (module level: a spawned worker imports them by name) ----

_shared = {}


def _worker_init(parent_pid, shm_name=None, n=0):
    die_with_parent(parent_pid)
    if shm_name is not None:
        from multiprocessing import shared_memory

        shm = shared_memory.SharedMemory(name=shm_name)
        _shared["shm"] = shm
        _shared["array"] = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
        atexit.register(_release_shared)


def _release_shared():
    """Drop the view before closing the segment (a spawned worker runs its finalizers)."""
    _shared.pop("array", None)
    shm = _shared.pop("shm", None)
    if shm is not None:
        shm.close()


def _noop(_):
    return os.getpid()


def _scan_chunk(chunk, elements):
    return scan(chunk, elements)


def _scan_shared(lo, hi, elements):
    return scan(_shared["array"][lo:hi], elements)


def _same(block):
    return block


def _load_block(path, lo, hi):
    """A dask worker's block: a private copy of elements [lo, hi) of the .npy."""
    mm = np.load(path, mmap_mode="r", allow_pickle=False)
    return np.array(np.asarray(mm).reshape(-1)[lo:hi])


# ---- shared memory segments ----


def sweep_stale_segments():
    """Unlink /dev/shm segments this program left when its process was killed with SIGKILL
    (their names carry the creator's pid; the creator no longer runs). Returns the names."""
    removed = []
    for path in glob.glob(f"/dev/shm/{SHM_PREFIX}*_*"):
        try:
            pid = int(os.path.basename(path)[len(SHM_PREFIX) :].split("_")[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
            continue
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            os.unlink(path)
            removed.append(os.path.basename(path))
        except OSError:
            pass
    return removed


# ---- the experiments ----


def new_record(name, args):
    rec = cpu_record(name, args)
    rec["numpy"] = np.__version__
    return rec


def timed_runs(rec, args, run):
    """Warm-up runs, then timed runs of run(); the last timed answer is returned."""
    answer = None
    for _ in range(args.warmup):
        run()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        answer = run()
        rec["seconds"].append(time.perf_counter() - t0)
    return answer


def setup_step(rec, part, fn):
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    rec["setup"][part] = dt
    rec["setup_seconds"] += dt
    return out


def finish_builtin(rec, a, timed_value):
    """numpy's answer from the timed builtin maxima, by the untimed passes (see module doc)."""
    rec["timed_value"] = json_float(timed_value)
    rec["nan_rule"] = "builtin"
    rec["index_timed"] = False
    i = first_nan(a)
    if i is None:
        i = first_equal(a, timed_value)
        rec["value"] = json_float(timed_value)
    else:
        rec["value"] = "nan"
    rec["index"] = i


def kill_process_pool(ex):
    """Stop a ProcessPoolExecutor at once: kill its workers, then shut it down."""
    for p in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            p.kill()
        except (OSError, ValueError):
            pass
    ex.shutdown(wait=False, cancel_futures=True)


def close_process_pool(ex, quick):
    if quick:
        kill_process_pool(ex)
    else:
        ex.shutdown(wait=True, cancel_futures=True)


def start_process_pool(rec, args, initargs):
    import concurrent.futures as cf
    import multiprocessing as mp

    ctx = mp.get_context(args.start_method)
    rec["start_method"] = args.start_method
    ex = cf.ProcessPoolExecutor(
        max_workers=args.workers,
        mp_context=ctx,
        initializer=_worker_init,
        initargs=(os.getpid(), *initargs),
    )
    # every worker started and initialised before the timed runs
    list(ex.map(_noop, range(args.workers)))
    return ex


def run_builtin_max(rec, args, a):
    rec.update(chunks=1, chunks_used=1, workers=1)
    v = timed_runs(rec, args, lambda: scan(a, args.elements))
    finish_builtin(rec, a, v)


def run_thread_pool(rec, args, a):
    import concurrent.futures as cf

    bounds = chunk_bounds(a.shape[0], args.chunks)
    rec.update(chunks=args.chunks, chunks_used=len(bounds), workers=args.workers)
    ex = setup_step(rec, "pool_start", lambda: cf.ThreadPoolExecutor(max_workers=args.workers))
    try:

        def run():
            futs = [ex.submit(scan, a[lo:hi], args.elements) for lo, hi in bounds]
            return combine([f.result() for f in futs])

        v = timed_runs(rec, args, run)
    finally:
        ex.shutdown(wait=False, cancel_futures=True)
    finish_builtin(rec, a, v)


def run_process_pool(rec, args, a):
    bounds = chunk_bounds(a.shape[0], args.chunks)
    rec.update(chunks=args.chunks, chunks_used=len(bounds), workers=args.workers)
    ex = setup_step(rec, "pool_start", lambda: start_process_pool(rec, args, ()))
    quick = False
    try:

        def run():
            # each task carries a pickled copy of its chunk, as in the talk
            futs = [ex.submit(_scan_chunk, a[lo:hi], args.elements) for lo, hi in bounds]
            return combine([f.result() for f in futs])

        v = timed_runs(rec, args, run)
    except (Terminated, KeyboardInterrupt):
        quick = True
        raise
    finally:
        close_process_pool(ex, quick)
    finish_builtin(rec, a, v)


def run_shared_memory(rec, args, a):
    from multiprocessing import shared_memory

    n = a.shape[0]
    bounds = chunk_bounds(n, args.chunks)
    rec.update(chunks=args.chunks, chunks_used=len(bounds), workers=args.workers)
    for name in sweep_stale_segments():
        print(f"conpar_talk: removed stale shared memory segment {name}", file=sys.stderr)
    name = f"{SHM_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    rec["shm_name"] = name
    shm = ex = None
    quick = False
    try:
        shm = shared_memory.SharedMemory(name=name, create=True, size=n * 8)

        def copy():
            np.ndarray((n,), dtype=np.float64, buffer=shm.buf)[:] = a

        setup_step(rec, "shm_copy", copy)
        ex = setup_step(rec, "pool_start", lambda: start_process_pool(rec, args, (name, n)))

        def run():
            # each task carries only its bounds; the worker reads the shared block in place
            futs = [ex.submit(_scan_shared, lo, hi, args.elements) for lo, hi in bounds]
            return combine([f.result() for f in futs])

        v = timed_runs(rec, args, run)
    except (Terminated, KeyboardInterrupt):
        quick = True
        raise
    finally:
        if ex is not None:
            close_process_pool(ex, quick)
        if shm is not None:
            shm.unlink()
            shm.close()
    finish_builtin(rec, a, v)


def run_numpy(rec, args, a):
    rec.update(chunks=1, chunks_used=1, workers=1, elements=None, nan_rule="numpy", index_timed=True)
    v, i = timed_runs(rec, args, lambda: (float(np.max(a)), int(np.argmax(a))))
    rec.update(value=json_float(v), timed_value=json_float(v), index=i)


def run_dask(rec, args, a):
    n = a.shape[0]
    bounds = chunk_bounds(n, args.chunks)
    rec.update(chunks=args.chunks, chunks_used=len(bounds), workers=args.workers)
    rec.update(elements=None, nan_rule="numpy", index_timed=True)
    try:
        import logging

        import dask
        import dask.array as da
        import distributed
        from dask.distributed import Client, LocalCluster, wait
    except ImportError as e:
        raise Skipped(f"dask.distributed missing ({e.name}; Debian: python3-dask python3-distributed)") from None
    rec["dask"] = dask.__version__
    rec["distributed"] = distributed.__version__
    cluster = client = None
    quick = False
    try:

        def start():
            c = LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            return c, Client(c)

        cluster, client = setup_step(rec, "cluster_start", start)

        def place():
            blocks = [
                da.from_delayed(dask.delayed(_load_block)(args.npy, lo, hi), shape=(hi - lo,), dtype=np.float64)
                for lo, hi in bounds
            ]
            x = da.concatenate(blocks).persist()
            wait(x)
            return x

        # the workers read their blocks from the file into their own memory, untimed
        x = setup_step(rec, "load", place)

        def run():
            # a fresh name per run: a result the scheduler still holds from the run before
            # would otherwise be reused instead of computed
            y = da.map_blocks(_same, x, dtype=x.dtype, name=f"run-{secrets.token_hex(8)}")
            v, i = dask.compute(y.max(), y.argmax())
            return float(v), int(i)

        v, i = timed_runs(rec, args, run)
        rec.update(value=json_float(v), timed_value=json_float(v), index=i)
    except (Terminated, KeyboardInterrupt):
        quick = True
        raise
    finally:
        # on SIGTERM the workers end with this process (distributed watches its parent)
        if not quick:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()


EXPERIMENTS = {
    "builtin_max": run_builtin_max,
    "thread_pool": run_thread_pool,
    "process_pool": run_process_pool,
    "shared_memory": run_shared_memory,
    "numpy": run_numpy,
    "dask": run_dask,
}


def run(name, args, rec):
    """Fill rec by running experiment `name` over args.npy. Raises BadInput, Skipped,
    Terminated, or the experiment's own exception."""
    a = load(args.npy, args.size)
    rec["size"] = int(a.shape[0])
    EXPERIMENTS[name](rec, args, a)


def calibrate(seconds, elements, npy=None):
    """The N for which builtin max over N elements takes about `seconds` here (a dict): scans
    of a prefix of at most 2^20 elements (of the .npy, or of uniform random values), repeated
    until one measurement takes 0.2 s, then the median of three measurements."""
    if npy is not None:
        src = load(npy, None)[: 1 << 20]
    else:
        src = np.random.default_rng(0).random(1 << 20)
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            scan(src, elements)
        if time.perf_counter() - t0 >= 0.2:
            break
        reps *= 2
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(reps):
            scan(src, elements)
        times.append(time.perf_counter() - t0)
    per = sorted(times)[1] / (reps * src.shape[0])
    return {
        "seconds": seconds,
        "elements": elements,
        "probe_size": int(src.shape[0]),
        "probe_repeats": reps,
        "ns_per_element": per * 1e9,
        "size": max(1, int(round(seconds / per))),
    }
