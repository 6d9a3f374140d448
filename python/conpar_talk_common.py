"""What the experiment modules and the command share: the outcomes other than a result."""


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler so that every cleanup runs."""


class BadInput(Exception):
    """Bad arguments or an unusable input file: conpar_talk.py exits 2."""


class Skipped(Exception):
    """An optional module is missing: conpar_talk.py exits 3 with the reason."""
