"""The talk's IO experiments: R GET requests to a slow server, every answer checked.

Every request opens a fresh TCP connection and asks the server to close it:
- requests: requests.get() without a Session makes a new Session, and so a new connection pool,
  for every call; the request also sends "Connection: close".
- urllib: urllib.request.urlopen() opens a new http.client connection for every call and always
  sends "Connection: close".
- aiohttp: one ClientSession whose TCPConnector has force_close=True (the connection is closed
  after each response, never pooled) and limit=0 (the connector never queues requests: only the
  --concurrency semaphore throttles).

Failures are counted by class: connect (refused, unreachable, no such host), timeout, reset
(closed or empty reply, incomplete body), status (not --expect-status), body (not
--expect-body), other. Latencies are measured from the start of a request to the end of its
body, for every request, ok or failed.
"""

import errno
import math
import time

from conpar_talk_common import BadInput, Skipped

CLASSES = ("connect", "timeout", "reset", "status", "body", "other")

CONNECT_TYPES = {"NewConnectionError", "ConnectionRefusedError", "ClientConnectorError", "gaierror"}
TIMEOUT_TYPES = {
    "TimeoutError",
    "timeout",
    "Timeout",
    "ConnectTimeout",
    "ReadTimeout",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ServerTimeoutError",
}
RESET_TYPES = {
    "ConnectionResetError",
    "ConnectionAbortedError",
    "BrokenPipeError",
    "RemoteDisconnected",
    "IncompleteRead",
    "ProtocolError",
    "ChunkedEncodingError",
    "ServerDisconnectedError",
    "ClientPayloadError",
    "BadStatusLine",
}
CONNECT_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}
RESET_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


def _chain(exc):
    """exc and every exception it wraps (cause, context, args, .reason, .os_error)."""
    seen, todo, out = set(), [exc], []
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        out.append(e)
        todo.extend([e.__cause__, e.__context__, getattr(e, "reason", None), getattr(e, "os_error", None)])
        todo.extend(a for a in e.args if isinstance(a, BaseException))
    return out


def classify(exc):
    """The failure class of an exception raised by any of the three libraries."""
    chain = _chain(exc)
    names = {c.__name__ for e in chain for c in type(e).__mro__}
    errnos = {e.errno for e in chain if isinstance(e, OSError) and e.errno is not None}
    # urllib3 1.26's NewConnectionError derives from ConnectTimeoutError: connect comes first,
    # unless requests itself said the connect timed out
    if "ConnectTimeout" in names:
        return "timeout"
    if names & CONNECT_TYPES or errnos & CONNECT_ERRNOS:
        return "connect"
    if names & TIMEOUT_TYPES:
        return "timeout"
    if names & RESET_TYPES or errnos & RESET_ERRNOS:
        return "reset"
    return "other"


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


class Check:
    def __init__(self, status, body):
        self.status = status
        self.body = body.encode("utf-8")

    def verdict(self, status, body):
        if status != self.status:
            return "status"
        if body != self.body:
            return "body"
        return None


def blocking_fetcher(library, url, timeout):
    """A function doing one GET and returning (status, body bytes)."""
    if library == "requests":
        import requests

        def fetch():
            r = requests.get(url, timeout=timeout, headers={"Connection": "close"}, allow_redirects=False)
            try:
                return r.status_code, r.content
            finally:
                r.close()

        return fetch
    import urllib.error
    import urllib.request

    def fetch():
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read()

    return fetch


def timed_request(fetch, check):
    """One checked request: (latency seconds, failure class or None)."""
    t0 = time.perf_counter()
    try:
        status, body = fetch()
        failure = check.verdict(status, body)
    except Exception as e:  # every library error becomes one counted failure
        failure = classify(e)
    return time.perf_counter() - t0, failure


def batch_loop(fetch, check, n, _concurrency):
    return [timed_request(fetch, check) for _ in range(n)]


def batch_threads(fetch, check, n, concurrency):
    import concurrent.futures as cf

    ex = cf.ThreadPoolExecutor(max_workers=concurrency)
    try:
        return list(ex.map(lambda _: timed_request(fetch, check), range(n)))
    finally:
        # after a SIGTERM the process ends without waiting for the requests in flight
        ex.shutdown(wait=False, cancel_futures=True)


def batch_aiohttp(url, timeout, check, n, concurrency, limited):
    import asyncio

    import aiohttp

    async def one(session, sem):
        async def get():
            t0 = time.perf_counter()
            try:
                async with session.get(url, allow_redirects=False) as resp:
                    body = await resp.read()
                    failure = check.verdict(resp.status, body)
            except Exception as e:  # every library error becomes one counted failure
                failure = classify(e)
            return time.perf_counter() - t0, failure

        if sem is None:
            return await get()
        async with sem:
            return await get()

    async def batch():
        sem = asyncio.Semaphore(concurrency) if limited else None
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as session:
            return await asyncio.gather(*(one(session, sem) for _ in range(n)))

    return asyncio.run(batch())


def new_record(name, args):
    return {
        "experiment": name,
        "kind": "io",
        "python": None,
        "library": None,
        "library_version": None,
        "url": args.url,
        "requests": args.requests,
        "concurrency": None,
        "timeout": args.timeout,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seconds": [],
        "ok": 0,
        "failed": {c: 0 for c in CLASSES},
        "latency": {"p50": None, "p90": None, "p99": None, "max": None},
        "fresh_connections": None,
        "skipped": None,
        "error": None,
    }


FRESH = {
    "requests": "requests.get without a Session, header Connection: close",
    "urllib": "urllib.request.urlopen, a new connection per call, Connection: close",
    "aiohttp": "TCPConnector(force_close=True, limit=0)",
}


def raise_open_files():
    """Raise the open-file limit to the hard limit (many requests in flight)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def run(name, args, rec):
    """Fill rec by running experiment `name` against args.url."""
    check = Check(args.expect_status, args.expect_body)
    n = args.requests
    raise_open_files()
    if name == "aiohttp":
        rec["library"] = "aiohttp"
        try:
            import aiohttp
        except ImportError:
            raise Skipped("aiohttp missing (Debian: python3-aiohttp)") from None
        rec["library_version"] = aiohttp.__version__
        limited = args.concurrency is not None
        conc = args.concurrency if limited else n
        batch = lambda: batch_aiohttp(args.url, args.timeout, check, n, conc, limited)  # noqa: E731
    else:
        try:
            import requests

            rec["library"] = "requests"
            rec["library_version"] = requests.__version__
        except ImportError:
            rec["library"] = "urllib"
            rec["library_version"] = None
        fetch = blocking_fetcher(rec["library"], args.url, args.timeout)
        if name == "requests_loop":
            conc, runner = 1, batch_loop
        elif name == "thread_pool":
            conc, runner = (args.concurrency or n), batch_threads
        else:
            if args.concurrency is None:
                raise BadInput("throttled_pool needs --concurrency")
            conc, runner = args.concurrency, batch_threads
        batch = lambda: runner(fetch, check, n, conc)  # noqa: E731
    rec["concurrency"] = conc
    rec["fresh_connections"] = FRESH[rec["library"]]
    for _ in range(args.warmup):
        batch()
    latencies = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        results = batch()
        rec["seconds"].append(time.perf_counter() - t0)
        for latency, failure in results:
            latencies.append(latency)
            if failure is None:
                rec["ok"] += 1
            else:
                rec["failed"][failure] += 1
    latencies.sort()
    rec["latency"] = {
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else None,
    }
