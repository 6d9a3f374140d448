"""What the experiment modules and the command share: the outcomes other than a result."""


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler so that every cleanup runs."""


class BadInput(Exception):
    """Bad arguments or an unusable input file: conpar_talk.py exits 2."""


class Skipped(Exception):
    """An optional module is missing: conpar_talk.py exits 3 with the reason."""


def cpu_record(name, args):
    """The CPU experiments' JSON document before the run (numpy's version filled by the run)."""
    return {
        "experiment": name,
        "kind": "cpu",
        "python": None,
        "numpy": None,
        "npy": args.npy,
        "size": None,
        "chunks": None,
        "chunks_used": None,
        "workers": None,
        "elements": args.elements,
        "start_method": None,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "seconds": [],
        "setup_seconds": 0.0,
        "setup": {},
        "value": None,
        "index": None,
        "index_timed": None,
        "timed_value": None,
        "nan_rule": None,
        "shm_name": None,
        "dask": None,
        "distributed": None,
        "skipped": None,
        "error": None,
    }
