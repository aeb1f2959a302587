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


def doomed(pid):
    """pid is gone, a zombie, or has SIGKILL pending (it cannot run again)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            st = dict(line.split(":", 1) for line in f if ":" in line)
    except (FileNotFoundError, ProcessLookupError):
        return True
    kill_bit = 1 << (signal.SIGKILL - 1)
    return (st["State"].split()[0] in ("Z", "X") or
            int(st["SigPnd"], 16) & kill_bit != 0 or int(st["ShdPnd"], 16) & kill_bit != 0)


def with_marker(marker):
    """The pids whose command line holds marker."""
    out = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if marker in f.read():
                    out.append(int(d))
        except (OSError, ValueError):
            pass
    return out


def finish(proc, lines):
    """All the sweep wrote, once it has exited (a sweep that never exits
    fails by the test's own time limit)."""
    text = "".join(lines) + proc.stdout.read()
    proc.wait()
    m = tp.SANITIZER_RE.search(text)
    R.check(m is None, "no sanitizer report", text[m.start():m.start() + 2500] if m else "")
    return text


def test_driven(sig):
    """The probe's client command leaves a child of its own running (in its
    process group) and then signals the sweep, so the signal always lands
    while a client runs."""
    name = "driven, %s" % signal.Signals(sig).name
    out = os.path.join(TMP, "driven%d.json" % sig)
    nap = "61.%d" % sig  # the stray child's mark
    cmd = "sleep %s & kill -%d $PPID; wait # {port}" % (nap, sig)
    args = [TLSPROBE, "sweep", "--client", cmd, "--client-timeout", "120", "--json", out] + MATRIX
    proc = tp.popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = finish(proc, [])
    R.eq(proc.returncode, 130, name + ": exit status", text[-600:])
    R.contains(text, "interrupted: 0 of 0 combinations done", name + ": says how far it got")
    left = [p for p in with_marker(b"sleep\0" + nap.encode() + b"\0") if not doomed(p)]
    R.check(not left, name + ": the client command's stray child is gone", left)
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
    proc = tp.popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
