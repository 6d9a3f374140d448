#!/usr/bin/env python3
"""examples.py CONPAR MPIEXEC: run every example of `conpar --help` and of each subcommand's
--help as it is written, each made tiny, and require exit 0.

Made tiny: where the example's subcommand takes them (its own --help lists them), --size 1000,
--warmup 0, --repeat 1, --delay 10ms and --requests 2 replace the example's values or are added
(--size is left alone beside --input, which sets the size, and beside --plant-max/--plant-nan,
whose index is chosen for the example's size). A `conpar serve` example runs on port 0 in the
background until it has answered one request, then gets SIGTERM. A --url example is pointed at a
`conpar serve` this script starts. An mpirun example runs under `MPIEXEC -n 2 --oversubscribe`
instead of its own launcher options. The examples of one help run in order in one scratch
directory, so a file one writes is there for the next."""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import urllib.request

CONPAR, MPIEXEC = sys.argv[1], sys.argv[2]
SUBCOMMANDS = ("generate", "serve", "doctor")
LAUNCHERS = ("mpirun", "mpiexec", "srun")
TINY = {"--size": "1000", "--warmup": "0", "--repeat": "1", "--delay": "10ms", "--requests": "2"}
SHORT = {"-n": "--size", "-r": "--repeat"}
TIMEOUT = 120


def help_of(sub):
    args = [CONPAR] + ([sub] if sub else []) + ["--help"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def options_of(text):
    """The long options a help lists in its Options section."""
    section = text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^  (?:-\w, |    )(--[a-z-]+)", section, re.M))


def examples_of(text):
    """The example command lines of a help, their comments removed."""
    if "\nExamples:\n" not in text:
        sys.exit("FAIL: a help without examples")
    section = text.split("\nExamples:\n", 1)[1].split("\n\n", 1)[0]
    lines = [line.split("# ", 1)[0].strip() for line in section.splitlines()]
    return [line for line in lines if line]


def serve_url(proc):
    """The URL a `conpar serve` prints first."""
    line = proc.stdout.readline()
    found = re.search(r"(http://\S+/)", line)
    if not found:
        proc.kill()
        sys.exit(f"FAIL: conpar serve printed no URL: {line!r}")
    return found.group(1)


def tiny(args, takes, url):
    """The arguments of conpar (after any subcommand) made tiny."""
    args = list(args)
    keep_size = any(a in args or any(x.startswith(a + "=") for x in args)
                    for a in ("--input", "-i", "--plant-max", "--plant-nan"))
    given = set()
    for i, arg in enumerate(args):
        name, eq, _ = arg.partition("=")
        name = SHORT.get(name, name)
        value = None
        if name in TINY and not (name == "--size" and keep_size):
            value = TINY[name]
        elif name == "--url":
            value = url
        elif name == "--port":
            value = "0"
        if name in TINY or name in ("--url", "--port"):
            given.add(name)
        if value is None:
            continue
        if eq:
            args[i] = f"{name}={value}"
        elif i + 1 < len(args):
            args[i + 1] = value
    for name, value in TINY.items():
        if name in takes and name not in given and not (name == "--size" and keep_size):
            args += [name, value]
    return args


def run(line, url, helps):
    words = shlex.split(line)
    launcher = []
    if words[0] in LAUNCHERS:
        launcher = [MPIEXEC, "-n", "2", "--oversubscribe"]
        words = words[words.index("conpar"):]
    if words[0] != "conpar":
        return f"not a conpar command: {line}"
    sub = words[1] if len(words) > 1 and words[1] in SUBCOMMANDS else None
    head = [CONPAR] + ([sub] if sub else [])
    args = launcher + head + tiny(words[len(head):], helps[sub], url)
    shown = " ".join(shlex.quote(a) for a in args)
    if sub == "serve":
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # one answer before SIGTERM: the server works, and conpar serve is waiting for the
        # signal (one sent before that wait can reach one of Open MPI's threads and kill it)
        try:
            urllib.request.urlopen(serve_url(proc), timeout=TIMEOUT).read()
        except OSError as e:
            proc.kill()
            return f"{shown}: no answer: {e}"
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            return f"{shown}: did not stop on SIGTERM"
        code = proc.returncode
    else:
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return f"{shown}: still running after {TIMEOUT} s"
        code, err = done.returncode, done.stderr
    print(f"exit {code}: {line}\n        ran: {shown}", flush=True)
    if code != 0:
        return f"{shown}: exit {code}\n{err}"
    return None


def main():
    texts = {sub: help_of(sub) for sub in (None,) + SUBCOMMANDS}
    helps = {sub: options_of(text) for sub, text in texts.items()}
    server = subprocess.Popen([CONPAR, "serve", "--port", "0", "--delay", "10ms"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    failures, count = [], 0
    try:
        url = serve_url(server)
        for sub, text in texts.items():
            with tempfile.TemporaryDirectory() as scratch:
                os.chdir(scratch)
                for line in examples_of(text):
                    count += 1
                    failure = run(line, url, helps)
                    if failure:
                        failures.append(failure)
                os.chdir("/")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=TIMEOUT)
    for failure in failures:
        print(f"FAIL: {failure}")
    if count < 16 or failures:
        sys.exit(f"{len(failures)} of {count} examples failed")
    print(f"ok: {count} examples of {len(texts)} helps, each exit 0")


main()
