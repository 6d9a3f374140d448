#!/usr/bin/env python3
"""The talk's own Python experiments, one per run, for `conpar --python`.

  conpar_talk.py cpu EXPERIMENT --npy FILE [--size N] [--chunks C] [--workers P] ...
  conpar_talk.py io EXPERIMENT --url URL [--requests R] [--concurrency C] ...
  conpar_talk.py --check
  conpar_talk.py --calibrate SECONDS [--npy FILE] [--elements float|numpy]

One JSON document goes to stdout, diagnostics to stderr. Exit status: 0 the experiment ran
(its answer is for the caller to verify), 1 an error inside the experiment (the JSON says
"error" when it can still be printed), 2 bad arguments or input (one line on stderr), 3 the
experiment was skipped because an optional module is missing (the JSON says "skipped").
SIGTERM: pools and shared memory are released, then the process ends by SIGTERM.

CONPAR_TALK_HIDE=mod1,mod2 makes those modules unimportable (to test the missing-module paths).
"""

import argparse
import json
import os
import platform
import re
import signal
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conpar_talk_common import BadInput, Skipped, Terminated, cpu_record  # noqa: E402

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3

for _name in filter(None, os.environ.get("CONPAR_TALK_HIDE", "").split(",")):
    sys.modules[_name.strip()] = None  # "import name" now raises ImportError

CPU_EXPERIMENTS = ("builtin_max", "thread_pool", "process_pool", "shared_memory", "numpy", "dask")
IO_EXPERIMENTS = ("requests_loop", "thread_pool", "throttled_pool", "aiohttp")
DEBIAN = {
    "numpy": "python3-numpy",
    "requests": "python3-requests",
    "aiohttp": "python3-aiohttp",
    "dask": "python3-dask",
    "distributed": "python3-distributed",
}


class UsageError(BadInput):
    pass


def parse_size(text):
    """An element count: digits, optionally with a decimal suffix K, M or G (300M = 3e8)."""
    m = re.fullmatch(r"(\d+)([KMG]?)", text.strip(), re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return int(m.group(1)) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[m.group(2).upper()]


def parse_seconds(text):
    """A duration: seconds as a number, or with a unit ms or s (200ms, 2s, 1.5)."""
    m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(ms|s)?", text.strip())
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"not a positive duration: {text!r}")
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)


def parse_int(low):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if v < low:
            raise argparse.ArgumentTypeError(f"{v} is below {low}")
        return v

    return parse


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    p = Parser(
        prog="conpar_talk.py",
        description="Run one of the talk's Python experiments and print one JSON document.",
        epilog="CPU experiments: " + ", ".join(CPU_EXPERIMENTS) + ". IO experiments: " + ", ".join(IO_EXPERIMENTS) + ".",
    )
    p.add_argument("kind", nargs="?", choices=("cpu", "io"), help="the phase")
    p.add_argument("experiment", nargs="?", help="the experiment of that phase")
    p.add_argument("--check", action="store_true", help="print the versions of python and its modules")
    p.add_argument("--calibrate", type=parse_seconds, metavar="SECONDS", help="print the N for which builtin_max takes SECONDS")
    g = p.add_argument_group("cpu")
    g.add_argument("--npy", metavar="FILE", help="float64 .npy in C order (memory-mapped)")
    g.add_argument("--size", type=parse_size, metavar="N", help="use the first N elements (default: all)")
    g.add_argument("--chunks", type=parse_int(1), default=100, metavar="C", help="chunks (default 100)")
    g.add_argument("--workers", type=parse_int(1), default=usable_cpus(), metavar="P", help="threads or processes (default: the CPUs this process may use)")
    g.add_argument("--elements", choices=("float", "numpy"), default="float", help="what builtin max iterates: Python floats from a memoryview (default) or numpy.float64 scalars from the ndarray")
    g.add_argument("--start-method", choices=("fork", "spawn", "forkserver"), default="fork", help="process pools' start method (default fork)")
    g = p.add_argument_group("io")
    g.add_argument("--url", metavar="URL", help="the server")
    g.add_argument("--requests", type=parse_int(1), default=10, metavar="R", help="requests per run (default 10)")
    g.add_argument("--concurrency", type=parse_int(1), metavar="C", help="requests in flight at most")
    g.add_argument("--timeout", type=parse_seconds, default=30.0, metavar="S", help="per request (default 30 s)")
    g.add_argument("--expect-status", type=parse_int(100), default=200, metavar="CODE", help="default 200")
    g.add_argument("--expect-body", default="Hello World!", metavar="TEXT", help='default "Hello World!"')
    g = p.add_argument_group("both")
    g.add_argument("--repeat", type=parse_int(1), metavar="R", help="timed runs (default cpu 3, io 1)")
    g.add_argument("--warmup", type=parse_int(0), metavar="W", help="untimed runs first (default cpu 1, io 0)")
    return p


def validate(args):
    modes = sum([args.check, args.calibrate is not None, args.kind is not None])
    if modes != 1:
        raise UsageError("give exactly one of: cpu EXPERIMENT, io EXPERIMENT, --check, --calibrate SECONDS")
    if args.kind is None:
        if args.experiment is not None:
            raise UsageError(f"unexpected argument {args.experiment!r}")
        return
    names = CPU_EXPERIMENTS if args.kind == "cpu" else IO_EXPERIMENTS
    if args.experiment not in names:
        raise UsageError(f"{args.kind} experiment {args.experiment!r}: choose from {', '.join(names)}")
    if args.kind == "cpu":
        if args.npy is None:
            raise UsageError("cpu experiments need --npy FILE")
        if args.size == 0:
            raise UsageError("--size 0: zero-size array: no maximum")
        args.repeat = 3 if args.repeat is None else args.repeat
        args.warmup = 1 if args.warmup is None else args.warmup
    else:
        if args.url is None:
            raise UsageError("io experiments need --url URL")
        if not re.match(r"https?://", args.url):
            raise UsageError(f"--url {args.url}: not an http:// or https:// URL")
        if args.experiment == "throttled_pool" and args.concurrency is None:
            raise UsageError("throttled_pool needs --concurrency C")
        args.repeat = 1 if args.repeat is None else args.repeat
        args.warmup = 0 if args.warmup is None else args.warmup


def module_version(name):
    try:
        mod = __import__(name)
    except ImportError:
        return None
    except Exception as e:  # a broken install: report it as missing, say why
        print(f"conpar_talk: import {name}: {type(e).__name__}: {e}", file=sys.stderr)
        return None
    return getattr(mod, "__version__", "unknown")


def check():
    doc = {"python": platform.python_version(), "executable": sys.executable}
    for name in DEBIAN:
        doc[name] = module_version(name)
    doc["missing_debian_packages"] = [DEBIAN[n] for n in DEBIAN if doc[n] is None]
    print(json.dumps(doc))
    if doc["numpy"] is None:
        print("conpar_talk: numpy is missing (Debian: python3-numpy)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def one_line(e):
    text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return " ".join(text.split())


def on_sigterm(_signum, _frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one cleanup, not interrupted by a second TERM
    raise Terminated()


def die_by_sigterm():
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(128 + signal.SIGTERM)


def run_experiment(args):
    if args.kind == "cpu":
        try:
            import conpar_talk_cpu as mod
        except ImportError as e:
            if e.name != "numpy":
                raise
            rec = cpu_record(args.experiment, args)
            rec["python"] = platform.python_version()
            rec["skipped"] = "numpy missing (Debian: python3-numpy)"
            print(json.dumps(rec))
            return EXIT_SKIPPED
    else:
        import conpar_talk_io as mod
    rec = mod.new_record(args.experiment, args)
    rec["python"] = platform.python_version()
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        mod.run(args.experiment, args, rec)
    except Terminated:
        print("conpar_talk: terminated (SIGTERM)", file=sys.stderr)
        die_by_sigterm()
    except KeyboardInterrupt:
        print("conpar_talk: interrupted", file=sys.stderr)
        return 130
    except BadInput as e:
        print(f"conpar_talk: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Skipped as e:
        rec["skipped"] = str(e)
        print(json.dumps(rec, allow_nan=False))
        print(f"conpar_talk: {args.kind} {args.experiment} skipped: {e}", file=sys.stderr)
        return EXIT_SKIPPED
    except Exception as e:  # any failure inside the experiment: reported, exit 1
        traceback.print_exc()
        rec["error"] = one_line(e)
        print(json.dumps(rec, allow_nan=False))
        return EXIT_ERROR
    print(json.dumps(rec, allow_nan=False))
    return EXIT_OK


def calibrate(args):
    try:
        import conpar_talk_cpu as mod
    except ImportError as e:
        if e.name != "numpy":
            raise
        print("conpar_talk: --calibrate needs numpy (Debian: python3-numpy)", file=sys.stderr)
        return EXIT_SKIPPED
    try:
        doc = mod.calibrate(args.calibrate, args.elements, args.npy)
    except BadInput as e:
        print(f"conpar_talk: {e}", file=sys.stderr)
        return EXIT_USAGE
    doc["python"] = platform.python_version()
    print(json.dumps(doc))
    return EXIT_OK


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        validate(args)
    except UsageError as e:
        print(f"conpar_talk: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        return check()
    if args.calibrate is not None:
        return calibrate(args)
    return run_experiment(args)


if __name__ == "__main__":
    sys.exit(main())
