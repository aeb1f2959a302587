#!/usr/bin/env python3
"""A sweep stopped by SIGINT or SIGTERM: it exits 130 and says how far it
got, the client command it was running (and its process group) is gone, and
the reports hold what was done.  Driven mode (a client command that hangs)
and device mode (nobody connects)."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TLSPROBE = os.environ.get("TLSPROBE", "build/tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp_sweeps_")
R = tp.Results()
MATRIX = ["--protocols", "TLS1.2", "--kx", "RSA", "--ciphers", "AES-128-CBC,AES-128-GCM"]


def read_until(proc, pattern, lines):
    """Lines of the sweep's output up to the one matching pattern (None at EOF)."""
    for line in proc.stdout:
        lines.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    return None


def children(pid):
    """The pids of pid's children (Linux /proc)."""
    out = []
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as f:
            out += [int(x) for x in f.read().split()]
    return out


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def finish(proc, lines):
    try:
        rest, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    text = "".join(lines) + rest
    m = tp.SANITIZER_RE.search(text)
    R.check(m is None, "no sanitizer report", text[m.start():m.start() + 2500] if m else "")
    return text


def test_driven(sig):
    name = "driven, %s" % signal.Signals(sig).name
    out = os.path.join(TMP, "driven%d.json" % sig)
    # the marker names the command so its process is found among the children
    args = [TLSPROBE, "sweep", "--client", "sleep 60 # {port}", "--client-timeout", "120",
            "--json", out] + MATRIX
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    if not read_until(proc, r"client: sleep 60", lines):
        R.check(False, name + ": starts", "".join(lines))
        proc.kill()
        return
    deadline = time.monotonic() + 20
    kids = []
    while not kids and time.monotonic() < deadline:
        kids = children(proc.pid)
        time.sleep(0.05)
    R.check(len(kids) == 1, name + ": the probe's client command runs", kids)
    proc.send_signal(sig)
    text = finish(proc, lines)
    R.eq(proc.returncode, 130, name + ": exit status", text[-600:])
    R.contains(text, "interrupted: 0 of 0 combinations done", name + ": says how far it got")
    R.check(all(gone(k) for k in kids), name + ": the client command is gone", kids)
    R.check(os.path.exists(out), name + ": --json written", text[-600:])
    if os.path.exists(out):
        with open(out) as f:
            d = json.load(f)
        R.check(d["results"] and all(r["status"] != "ok" for r in d["results"]),
                name + ": no combination counted as tried", d["results"])


def test_device(sig):
    name = "device, %s" % signal.Signals(sig).name
    out = os.path.join(TMP, "device%d.json" % sig)
    args = [TLSPROBE, "sweep", "--port", "0", "--listen", "127.0.0.1", "--json", out] + MATRIX
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    if not read_until(proc, r"connect the client now \u2014 probe", lines):
        R.check(False, name + ": prompts for the probe", "".join(lines))
        proc.kill()
        return
    proc.send_signal(sig)
    text = finish(proc, lines)
    R.eq(proc.returncode, 130, name + ": exit status", text[-600:])
    R.contains(text, "interrupted: 0 of 0 combinations done", name + ": says how far it got")
    R.check(os.path.exists(out), name + ": --json written", text[-600:])


test_driven(signal.SIGINT)
test_driven(signal.SIGTERM)
test_device(signal.SIGINT)
test_device(signal.SIGTERM)
shutil.rmtree(TMP, ignore_errors=True)
R.finish()
