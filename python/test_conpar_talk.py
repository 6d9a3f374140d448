"""Tests of conpar_talk.py: `python3 -m unittest discover python` (Debian's /usr/bin/python3
with python3-numpy; the requests, aiohttp and dask tests need their Debian packages and are
skipped without them). Every test runs the command as the C side does: a child process, one
JSON document on stdout, an exit status. Timings are checked only against lower bounds that
physics guarantees."""

import glob
import http.server
import importlib.util
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "conpar_talk.py")
sys.path.insert(0, HERE)

HAVE = {m: importlib.util.find_spec(m) is not None for m in ("numpy", "requests", "aiohttp", "dask", "distributed")}
if HAVE["numpy"]:
    import numpy as np

CPU = ("builtin_max", "thread_pool", "process_pool", "shared_memory", "numpy", "dask")
BUILTIN = ("builtin_max", "thread_pool", "process_pool", "shared_memory")


def run_cli(*args, env=None, timeout=120):
    """Run conpar_talk.py: (exit status, parsed stdout or None, stderr)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(
        [sys.executable, SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    doc = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, doc, p.stderr


def children_of(pid):
    """Live (not zombie) processes whose parent is pid."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.append(int(stat.split("/")[2]))
    return out


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class ChunkRules(unittest.TestCase):
    """The pure functions behind every chunked experiment."""

    @unittest.skipUnless(HAVE["numpy"], "numpy missing")
    def test_chunks_cover_every_element_once(self):
        from conpar_talk_cpu import chunk_bounds

        for n in (1, 2, 3, 7, 99, 100, 101, 1003, 300_000_001):
            for c in (1, 2, 3, 7, 100, 1000):
                bounds = chunk_bounds(n, c)
                self.assertEqual(bounds[0][0], 0)
                self.assertEqual(bounds[-1][1], n)
                for (lo, hi), (lo2, _) in zip(bounds, bounds[1:]):
                    self.assertLess(lo, hi)
                    self.assertEqual(hi, lo2)
                self.assertEqual(len(bounds), min(n, c))

    @unittest.skipUnless(HAVE["numpy"], "numpy missing")
    def test_combine_is_numpys_rule(self):
        from conpar_talk_cpu import combine

        self.assertEqual(combine([1.0, 3.0, 2.0]), 3.0)
        self.assertTrue(math.isnan(combine([1.0, math.nan, 5.0])))
        self.assertTrue(math.isnan(combine([math.nan, 5.0])))
        self.assertEqual(combine([-math.inf, -1.0]), -1.0)

    def test_failure_classes(self):
        import errno as e
        import urllib.error

        from conpar_talk_io import classify

        self.assertEqual(classify(urllib.error.URLError(ConnectionRefusedError(e.ECONNREFUSED, "refused"))), "connect")
        self.assertEqual(classify(TimeoutError("timed out")), "timeout")
        self.assertEqual(classify(ConnectionResetError(e.ECONNRESET, "reset")), "reset")
        self.assertEqual(classify(ValueError("x")), "other")


@unittest.skipUnless(HAVE["numpy"], "numpy missing")
class CpuExperiments(unittest.TestCase):
    """Every CPU experiment against numpy's answer on planted arrays."""

    N = 1003  # not a multiple of the 7 chunks; chunk heads at 0, 143, 286, 429, 573, 716, 859

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        rng = np.random.default_rng(7)
        base = rng.random(cls.N)
        cases = {}
        a = base.copy()
        a[-1] = 5.0  # the talk's chunk bounds never looked at the last elements
        cases["last"] = a
        a = base.copy()
        a[0] = 5.0
        cases["first"] = a
        a = base.copy()
        a[500] = a[900] = 5.0  # a tie: the first position wins
        cases["tie"] = a
        a = base.copy()
        a[100] = 5.0
        a[286] = a[600] = math.nan  # the first NaN wins; 286 is a chunk head
        cases["nan_head"] = a
        a = base.copy()
        a[100] = 5.0
        a[600] = math.nan  # a NaN inside a chunk: builtin max skips it
        cases["nan_inside"] = a
        a = -base.copy()  # every value negative, maximum last
        a[-1] = -1e-300
        cases["negative"] = a
        cases["three"] = np.array([1.0, 3.0, 2.0])  # fewer elements than chunks
        cls.files = {}
        for name, arr in cases.items():
            path = os.path.join(cls.dir.name, name + ".npy")
            np.save(path, arr)
            cls.files[name] = (path, arr)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def expect(self, doc, arr):
        i = int(np.argmax(arr))
        self.assertEqual(doc["index"], i)
        if math.isnan(arr[i]):
            self.assertEqual(doc["value"], "nan")
        else:
            self.assertEqual(doc["value"], float(arr[i]))

    def run_case(self, experiment, case, *extra):
        path, arr = self.files[case]
        rc, doc, err = run_cli("cpu", experiment, "--npy", path, "--chunks", 7, "--workers", 2, "--repeat", 2, "--warmup", 1, *extra)
        self.assertEqual(rc, 0, err)
        self.assertIsNone(doc["error"])
        self.assertIsNone(doc["skipped"])
        self.assertEqual(doc["experiment"], experiment)
        self.assertEqual(doc["kind"], "cpu")
        self.assertEqual(doc["size"], arr.shape[0])
        self.assertEqual(len(doc["seconds"]), 2)
        self.assertTrue(all(s > 0 for s in doc["seconds"]))
        return doc, arr

    def test_every_experiment_every_case(self):
        for experiment in CPU:
            if experiment == "dask" and not (HAVE["dask"] and HAVE["distributed"]):
                continue
            for case in self.files:
                with self.subTest(experiment=experiment, case=case):
                    doc, arr = self.run_case(experiment, case)
                    self.expect(doc, arr)
                    if experiment in BUILTIN:
                        self.assertEqual(doc["nan_rule"], "builtin")
                        self.assertFalse(doc["index_timed"])
                    else:
                        self.assertEqual(doc["nan_rule"], "numpy")
                        self.assertTrue(doc["index_timed"])
                    if experiment in ("thread_pool", "process_pool", "shared_memory", "dask"):
                        self.assertEqual(doc["chunks_used"], min(7, arr.shape[0]))

    def test_what_builtin_max_answers_with_nan(self):
        # one scan skips a NaN that is not its first element; a chunk that starts with a NaN
        # answers NaN; the reported value and index follow numpy's rule either way
        doc, _ = self.run_case("builtin_max", "nan_inside")
        self.assertEqual(doc["timed_value"], 5.0)
        self.assertEqual((doc["value"], doc["index"]), ("nan", 600))
        doc, _ = self.run_case("thread_pool", "nan_head")
        self.assertEqual(doc["timed_value"], "nan")
        self.assertEqual((doc["value"], doc["index"]), ("nan", 286))
        doc, _ = self.run_case("process_pool", "nan_inside")
        self.assertEqual(doc["timed_value"], 5.0)

    def test_size_takes_a_prefix(self):
        path, arr = self.files["last"]  # 5.0 at the last index, beyond the prefix
        for experiment in ("builtin_max", "process_pool", "numpy"):
            with self.subTest(experiment=experiment):
                rc, doc, err = run_cli("cpu", experiment, "--npy", path, "--size", 1000, "--chunks", 7, "--workers", 2, "--repeat", 1)
                self.assertEqual(rc, 0, err)
                self.assertEqual(doc["size"], 1000)
                self.assertEqual(doc["index"], int(np.argmax(arr[:1000])))

    def test_numpy_scalars_and_spawn(self):
        for extra in (("--elements", "numpy"), ("--start-method", "spawn")):
            for experiment in ("process_pool", "shared_memory"):
                with self.subTest(experiment=experiment, extra=extra):
                    doc, arr = self.run_case(experiment, "last", *extra)
                    self.expect(doc, arr)

    def test_shared_memory_reports_copy_and_start_and_leaves_no_segment(self):
        doc, _ = self.run_case("shared_memory", "tie")
        self.assertEqual(set(doc["setup"]), {"shm_copy", "pool_start"})
        self.assertAlmostEqual(doc["setup_seconds"], sum(doc["setup"].values()))
        self.assertFalse(os.path.exists("/dev/shm/" + doc["shm_name"]))

    def test_stale_segment_of_a_dead_process_is_removed(self):
        p = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        dead = int(p.stdout)
        stale = f"/dev/shm/conpar_talk_{dead}_deadbeef"
        with open(stale, "wb") as f:
            f.write(b"\0" * 8)
        try:
            self.run_case("shared_memory", "three")
            self.assertFalse(os.path.exists(stale))
        finally:
            if os.path.exists(stale):
                os.unlink(stale)

    def test_bad_input_exits_2(self):
        path, _ = self.files["last"]
        f32 = os.path.join(self.dir.name, "f32.npy")
        np.save(f32, np.ones(4, dtype=np.float32))
        empty = os.path.join(self.dir.name, "empty.npy")
        np.save(empty, np.ones(0))
        for args in (
            ("cpu", "builtin_max"),
            ("cpu", "no_such", "--npy", path),
            ("cpu", "builtin_max", "--npy", path, "--size", 1004),
            ("cpu", "builtin_max", "--npy", path, "--size", 0),
            ("cpu", "builtin_max", "--npy", path, "--chunks", 0),
            ("cpu", "builtin_max", "--npy", path, "--workers", "two"),
            ("cpu", "builtin_max", "--npy", f32),
            ("cpu", "builtin_max", "--npy", empty),
            ("cpu", "builtin_max", "--npy", os.path.join(self.dir.name, "missing.npy")),
            ("--check", "--calibrate", 1),
            (),
        ):
            with self.subTest(args=args):
                rc, doc, err = run_cli(*args)
                self.assertEqual(rc, 2, err)
                self.assertIsNone(doc)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_missing_dask_is_skipped(self):
        path, _ = self.files["last"]
        rc, doc, err = run_cli("cpu", "dask", "--npy", path, env={"CONPAR_TALK_HIDE": "distributed"})
        self.assertEqual(rc, 3, err)
        self.assertIn("python3-distributed", doc["skipped"])
        self.assertEqual(doc["seconds"], [])

    def test_missing_numpy_is_skipped(self):
        path, _ = self.files["last"]
        rc, doc, err = run_cli("cpu", "numpy", "--npy", path, env={"CONPAR_TALK_HIDE": "numpy"})
        self.assertEqual(rc, 3, err)
        self.assertIn("python3-numpy", doc["skipped"])
        rc, good, err = run_cli("cpu", "numpy", "--npy", path)
        self.assertEqual(set(doc), set(good))

    def test_calibrate(self):
        rc, doc, err = run_cli("--calibrate", "0.5")
        self.assertEqual(rc, 0, err)
        self.assertGreater(doc["size"], 1000)
        self.assertGreater(doc["ns_per_element"], 0.1)
        self.assertAlmostEqual(doc["size"] * doc["ns_per_element"] * 1e-9, 0.5, delta=0.01)


@unittest.skipUnless(HAVE["numpy"], "numpy missing")
class Signals(unittest.TestCase):
    """The process dies with its pools, and leaves no shared memory, however it is killed."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "big.npy")
        np.save(cls.path, np.random.default_rng(1).random(2_000_000))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def start(self, experiment, workers=2, settle=0.5, group=False):
        """Start a long run (in a process group of its own when group, as the C side does) and
        wait until its pool's workers run."""
        p = subprocess.Popen(
            [sys.executable, SCRIPT, "cpu", experiment, "--npy", self.path, "--workers", str(workers), "--repeat", "100000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=group,
        )
        self.addCleanup(lambda: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close()))
        # the pool's workers, and for shared_memory the resource tracker
        expected = workers + (experiment == "shared_memory")
        self.assertTrue(wait_for(lambda: len(children_of(p.pid)) >= expected, 30), "no pool workers")
        time.sleep(settle)
        kids = children_of(p.pid)
        self.addCleanup(self.reap, p.pid, kids)
        return p, kids

    def reap(self, pid, kids):
        """After a failed check: no process or segment outlives the test."""
        for k in kids:
            if alive(k):
                os.kill(k, signal.SIGKILL)
        for path in self.segments(pid):
            os.unlink(path)

    def segments(self, pid):
        return glob.glob(f"/dev/shm/conpar_talk_{pid}_*")

    def test_sigkill_leaves_no_orphan_worker(self):
        for experiment in ("process_pool", "shared_memory"):
            with self.subTest(experiment=experiment):
                p, kids = self.start(experiment)
                os.kill(p.pid, signal.SIGKILL)  # the process alone, not its group
                p.wait()
                self.assertTrue(wait_for(lambda: not any(alive(k) for k in kids), 5), f"orphans {kids}")

    def test_sigkill_shared_memory_segment_is_removed(self):
        p, kids = self.start("shared_memory")
        self.assertEqual(len(self.segments(p.pid)), 1)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        # the resource tracker removes it once every worker is gone
        self.assertTrue(wait_for(lambda: not self.segments(p.pid), 10), self.segments(p.pid))

    def test_sigterm_releases_pool_and_segment(self):
        for experiment in ("process_pool", "shared_memory"):
            with self.subTest(experiment=experiment):
                p, kids = self.start(experiment)
                os.kill(p.pid, signal.SIGTERM)
                self.assertEqual(p.wait(timeout=20), -signal.SIGTERM)
                self.assertEqual(self.segments(p.pid), [])
                self.assertTrue(wait_for(lambda: not any(alive(k) for k in kids), 5), f"orphans {kids}")

    def test_group_sigterm_releases_everything(self):
        for experiment in ("process_pool", "shared_memory"):
            with self.subTest(experiment=experiment):
                p, kids = self.start(experiment, group=True)
                os.killpg(p.pid, signal.SIGTERM)
                self.assertEqual(p.wait(timeout=20), -signal.SIGTERM)
                self.assertEqual(self.segments(p.pid), [])
                self.assertTrue(wait_for(lambda: not any(alive(k) for k in kids), 5), f"orphans {kids}")

    def test_group_sigkill_segment_is_swept_by_the_next_run(self):
        # SIGKILL of the whole group kills the resource tracker too: the segment stays until
        # the next shared_memory run, which removes segments whose creator is gone
        p, kids = self.start("shared_memory", group=True)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        self.assertTrue(wait_for(lambda: not any(alive(k) for k in kids), 5), f"orphans {kids}")
        self.assertEqual(len(self.segments(p.pid)), 1)
        rc, doc, err = run_cli("cpu", "shared_memory", "--npy", self.path, "--size", 10, "--workers", 1, "--repeat", 1)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.segments(p.pid), [])
        self.assertIn("removed stale shared memory segment", err)

    @unittest.skipUnless(HAVE["dask"] and HAVE["distributed"], "dask.distributed missing")
    def test_sigkill_leaves_no_dask_worker(self):
        p, _ = self.start("dask", settle=4)
        # the cluster's worker processes, and what they started
        kids = children_of(p.pid)
        kids += [g for k in kids for g in children_of(k)]
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        self.assertTrue(wait_for(lambda: not any(alive(k) for k in kids), 10), f"orphans {kids}")


# ---- IO ----


class SlowServer:
    """The talk's slow server: at most `workers` requests in service, each answered after
    `delay` seconds. mode: "ok" (200 "Hello World!"), "500", "body" (200 with another body),
    "reset" (the connection closed without an answer)."""

    def __init__(self, delay, workers, mode="ok"):
        sem = threading.BoundedSemaphore(workers)
        state = {"in_service": 0, "peak": 0, "arrived": 0}
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with lock:
                    state["arrived"] += 1
                with sem:
                    with lock:
                        state["in_service"] += 1
                        state["peak"] = max(state["peak"], state["in_service"])
                    time.sleep(delay)
                    with lock:
                        state["in_service"] -= 1
                if mode == "reset":
                    self.close_connection = True
                    return
                status, body = {"ok": (200, b"Hello World!"), "500": (500, b"oops"), "body": (200, b"Goodbye!")}[mode]
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a client that timed out and closed: expected in the timeout test

        self.state = state
        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"


class IoExperiments(unittest.TestCase):
    D = 0.2
    W = 10

    @classmethod
    def setUpClass(cls):
        cls.server = SlowServer(cls.D, cls.W)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def run_io(self, experiment, url, requests, *extra, env=None):
        rc, doc, err = run_cli("io", experiment, "--url", url, "--requests", requests, *extra, env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["kind"], "io")
        self.assertIsNone(doc["error"])
        self.assertEqual(doc["requests"], requests)
        return doc

    def check_batch(self, doc, requests, concurrency, delays):
        self.assertEqual(doc["ok"], requests, doc)
        self.assertEqual(sum(doc["failed"].values()), 0, doc)
        self.assertEqual(doc["concurrency"], concurrency)
        self.assertEqual(len(doc["seconds"]), 1)
        # physics: `delays` rounds of the server's delay
        self.assertGreaterEqual(doc["seconds"][0], delays * self.D)
        self.assertGreaterEqual(doc["latency"]["p50"], self.D)
        self.assertGreaterEqual(doc["latency"]["max"], doc["latency"]["p99"])

    def libraries(self):
        """(experiment arguments, environment, library expected) for each client library."""
        out = [((), {"CONPAR_TALK_HIDE": "requests"}, "urllib")]
        if HAVE["requests"]:
            out.append(((), None, "requests"))
        return out

    def test_requests_loop(self):
        for _, env, lib in self.libraries():
            with self.subTest(library=lib):
                doc = self.run_io("requests_loop", self.server.url, 5, env=env)
                self.assertEqual(doc["library"], lib)
                self.check_batch(doc, 5, 1, 5)

    def test_thread_pool(self):
        for _, env, lib in self.libraries():
            with self.subTest(library=lib):
                doc = self.run_io("thread_pool", self.server.url, 20, env=env)
                self.assertEqual(doc["library"], lib)
                self.check_batch(doc, 20, 20, 2)  # 20 requests on 10 workers

    def test_throttled_pool(self):
        doc = self.run_io("throttled_pool", self.server.url, 20, "--concurrency", 5)
        self.check_batch(doc, 20, 5, 4)
        rc, _, err = run_cli("io", "throttled_pool", "--url", self.server.url)
        self.assertEqual(rc, 2, err)

    @unittest.skipUnless(HAVE["aiohttp"], "aiohttp missing")
    def test_aiohttp(self):
        doc = self.run_io("aiohttp", self.server.url, 20)
        self.assertEqual(doc["library"], "aiohttp")
        self.check_batch(doc, 20, 20, 2)
        doc = self.run_io("aiohttp", self.server.url, 20, "--concurrency", 4)
        self.check_batch(doc, 20, 4, 5)

    def test_repeat_counts_every_run(self):
        doc = self.run_io("thread_pool", self.server.url, 4, "--repeat", 2, "--warmup", 1)
        self.assertEqual(len(doc["seconds"]), 2)
        self.assertEqual(doc["ok"], 8)

    def test_missing_aiohttp_is_skipped(self):
        rc, doc, err = run_cli("io", "aiohttp", "--url", self.server.url, env={"CONPAR_TALK_HIDE": "aiohttp"})
        self.assertEqual(rc, 3, err)
        self.assertIn("python3-aiohttp", doc["skipped"])
        self.assertEqual(doc["ok"], 0)

    def failures(self, url, expected, *extra, requests=3):
        runs = [(e, env) for e, env in [("thread_pool", {"CONPAR_TALK_HIDE": "requests"}), ("thread_pool", None)]]
        if HAVE["aiohttp"]:
            runs.append(("aiohttp", None))
        for experiment, env in runs:
            with self.subTest(experiment=experiment, env=env, expected=expected):
                doc = self.run_io(experiment, url, requests, *extra, env=env)
                self.assertEqual(doc["ok"], 0, doc)
                self.assertEqual(doc["failed"][expected], requests, doc)

    def test_connect_failure(self):
        self.failures(closed_port_url(), "connect")

    def test_status_body_reset_timeout_failures(self):
        for mode, expected, delay, extra in (
            ("500", "status", 0.01, ()),
            ("body", "body", 0.01, ()),
            ("reset", "reset", 0.01, ()),
            ("ok", "timeout", 1.0, ("--timeout", "200ms")),
        ):
            server = SlowServer(delay, 10, mode)
            try:
                self.failures(server.url, expected, *extra)
            finally:
                server.close()

    def test_sigterm_ends_a_batch_in_flight(self):
        server = SlowServer(60, 10)
        try:
            runs = [("requests_loop", None), ("thread_pool", None), ("thread_pool", {"CONPAR_TALK_HIDE": "requests"})]
            if HAVE["aiohttp"]:
                runs.append(("aiohttp", None))
            for experiment, env in runs:
                with self.subTest(experiment=experiment, env=env):
                    before = server.state["arrived"]
                    p = subprocess.Popen(
                        [sys.executable, SCRIPT, "io", experiment, "--url", server.url, "--requests", "5"],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=dict(os.environ, **(env or {})),
                    )
                    self.addCleanup(lambda p=p: (p.kill(), p.wait(), p.stdout.close(), p.stderr.close()))
                    self.assertTrue(wait_for(lambda: server.state["arrived"] > before, 20))
                    os.kill(p.pid, signal.SIGTERM)
                    # the server answers after 60 s: ending by then means the batch was cut
                    self.assertEqual(p.wait(timeout=30), -signal.SIGTERM)
        finally:
            server.close()

    def test_bad_url_exits_2(self):
        for args in (("io", "thread_pool"), ("io", "thread_pool", "--url", "ftp://x/"), ("io", "nope", "--url", self.server.url)):
            with self.subTest(args=args):
                rc, doc, _ = run_cli(*args)
                self.assertEqual(rc, 2)
                self.assertIsNone(doc)


class Check(unittest.TestCase):
    def test_check_lists_versions(self):
        rc, doc, err = run_cli("--check")
        self.assertEqual(rc, 0 if HAVE["numpy"] else 2, err)
        self.assertEqual(set(doc) - {"executable", "missing_debian_packages"}, {"python", "numpy", "requests", "aiohttp", "dask", "distributed"})
        for name in ("numpy", "requests", "aiohttp", "dask", "distributed"):
            self.assertEqual(doc[name] is not None, HAVE[name], name)

    def test_check_without_numpy_exits_2(self):
        rc, doc, err = run_cli("--check", env={"CONPAR_TALK_HIDE": "numpy,aiohttp"})
        self.assertEqual(rc, 2)
        self.assertIsNone(doc["numpy"])
        self.assertIn("python3-numpy", doc["missing_debian_packages"])
        self.assertIn("python3-aiohttp", doc["missing_debian_packages"])
        self.assertEqual(len(err.strip().splitlines()), 1, err)


if __name__ == "__main__":
    unittest.main()
