#!/usr/bin/env python3
"""tlsprobe fleet on bad and unusual captures (tests/data/fleet/, written by
make_fixtures.py): VLAN-tagged, Linux cooked (SLL) and IPv6 captures read
like plain Ethernet/IPv4; out-of-order and retransmitted segments are put
in order and named; a truncated capture is named and its connections still
get verdicts; HTTP on the TLS port is its own group; garbage and empty files
are refused with a message.  Never a crash."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

# meson runs these with -j 1 and with -j 2 (TP_FLEET_JOBS); unset: the default
JOBS = ["-j", os.environ["TP_FLEET_JOBS"]] if os.environ.get("TP_FLEET_JOBS") else []

DATA = os.path.join(os.environ.get("TP_SRC", os.path.join(os.path.dirname(__file__), "..", "..")),
                    "tests", "data", "fleet")
KEYS = os.path.join(DATA, "fleet.keys")
BASE = [("closed-after-server-flight", 1, "fail"), ("session-ok", 2, "ok")]


def fleet(*args):
    p = subprocess.run([tp.TLSPROBE, "fleet", "--no-progress", "--json"] + JOBS + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def groups(out):
    try:
        doc = json.loads(out)
    except ValueError:
        return None, []
    return doc, [(g["cause"], g["count"], g["outcome"]) for g in doc["groups"]]


def check_file(r, name, want, rc_want=0, err_words=(), keys=True):
    path = os.path.join(DATA, name)
    r.check(os.path.exists(path), "%s: fixture present" % name)
    rc, out, err = fleet(path, *(["--keylog", KEYS] if keys else []))
    r.eq(rc, rc_want, "%s: exit %d (no crash)" % (name, rc_want), err)
    doc, got = groups(out)
    r.eq(got, want, "%s: groups" % name, out[:600])
    for w in err_words:
        r.contains(err, w, "%s: stderr names it" % name)
    return doc


def test_links(r):
    ja4 = None
    for name in ("ether-v4.pcap", "vlan.pcap", "sll.pcap", "ipv6.pcap"):
        doc = check_file(r, name, BASE)
        if doc:
            g = doc["groups"][1]
            r.eq(g["unchecked"], 0, "%s: with the keys every record is checked" % name)
            ja4 = ja4 or g["ja4"]
            r.eq(g["ja4"], ja4, "%s: the same client fingerprint as on Ethernet" % name)


def test_reassembly(r):
    check_file(r, "ooo-retrans.pcap", BASE,
               err_words=("9 out-of-order segments put back in order", "870 retransmitted bytes dropped"))


def test_truncated(r):
    # the third connection is cut inside the server's flight: the network acted
    check_file(r, "truncated.pcap", [("capture-ended", 1, "fail"), ("session-ok", 2, "ok")],
               rc_want=1, err_words=("truncated capture", "file ends inside packet 33"))


def test_not_tls(r):
    doc = check_file(r, "not-tls.pcap", [("not-tls", 1, "fail"), ("closed-after-server-flight", 1, "fail"),
                                         ("session-ok", 1, "ok")])
    if doc:
        r.eq(doc["without_hello"], 1, "not-tls: one connection without a ClientHello")
        r.eq(doc["groups"][0]["ja4"], None, "not-tls: no fingerprint for it")


def test_no_keys(r):
    doc = check_file(r, "ether-v4.pcap", BASE, keys=False)
    if doc:
        r.eq(doc["groups"][1]["unchecked"], 2, "without keys: both sessions say what was not checked")


def test_garbage(r):
    tmp = tempfile.mkdtemp(prefix="tp-fleet-bad-")
    cases = {"garbage.pcap": os.urandom(4096), "empty.pcap": b"",
             "header-only.pcap": open(os.path.join(DATA, "ether-v4.pcap"), "rb").read()[:30]}
    for name, data in cases.items():
        path = os.path.join(tmp, name)
        open(path, "wb").write(data)
        rc, out, err = fleet(path)
        r.eq(rc, 1, "%s: exit 1, no crash" % name, err)
        r.check(err.startswith("tlsprobe fleet: ") and path in err, "%s: the message names the file" % name, err)
    rc, out, err = fleet(os.path.join(tmp, "missing.pcap"))
    r.check(rc == 1 and "cannot open" in err, "a missing file is named", err)
    rc, out, err = fleet("--frobnicate")
    r.check(rc == 2 and "unknown option '--frobnicate'" in err, "a bad option: exit 2, named", err)


def test_cut_trace(r):
    """A JSON trace (decode --json of a fixture) with a torn line in it and
    its last verdict cut off: the torn line is named, the connection without
    its verdict still counted."""
    p = subprocess.run([tp.TLSPROBE, "decode", "--json", "--keylog", KEYS,
                        os.path.join(DATA, "ether-v4.pcap")], capture_output=True, text=True)
    lines = p.stdout.splitlines()
    last = max(i for i, l in enumerate(lines) if '"event":"verdict"' in l)
    lines = lines[:3] + ['{"event":"record","conn":1,"t":0.0'] + lines[3:last]
    tmp = tempfile.mkdtemp(prefix="tp-fleet-trace-")
    path = os.path.join(tmp, "cut.jsonl")
    open(path, "w").write("\n".join(lines) + "\n")
    rc, out, err = fleet(path)
    doc, got = groups(out)
    r.eq(rc, 0, "cut trace: exit 0", err)
    r.eq(got, [("no-verdict", 1, "fail"), ("session-ok", 2, "ok")],
         "cut trace: the connection without its verdict is counted as no-verdict", out[:400])
    r.contains(err, "1 line skipped, not a JSON object (first: line 4)", "cut trace: the torn line is named")
    if doc:
        r.check(doc["groups"][1]["first_seen"] is not None, "trace: first seen from the accept's wall")


def test_trace_reads_like_capture(r):
    """The same connections from the capture and from its JSON trace:
    the same groups, fingerprints, offer summaries and properties."""
    cap = os.path.join(DATA, "not-tls.pcap")
    p = subprocess.run([tp.TLSPROBE, "decode", "--json", "--keylog", KEYS, cap],
                       capture_output=True, text=True)
    tmp = tempfile.mkdtemp(prefix="tp-fleet-trace-")
    path = os.path.join(tmp, "t.jsonl")
    open(path, "w").write(p.stdout)
    keys = ("cause", "count", "outcome", "ja4", "ja3", "offer", "offered", "first_seen", "typical")
    docs = []
    for args in ((cap, "--keylog", KEYS), (path,)):
        rc, out, err = fleet(*args)
        doc, _ = groups(out)
        docs.append([{k: g[k] for k in keys} for g in (doc or {}).get("groups", [])])
    r.check(docs[0] and docs[0] == docs[1], "trace and capture: the same groups", docs)


def test_progress(r):
    p = subprocess.run([tp.TLSPROBE, "fleet", "--progress", os.path.join(DATA, "ether-v4.pcap")],
                       capture_output=True, text=True, timeout=60)
    r.check(p.returncode == 0 and "ether-v4.pcap [" + "#" * 40 + "] 100%" in p.stderr,
            "--progress: the bar reaches 100% on stderr", p.stderr[-300:])
    r.check("[" not in p.stdout.splitlines()[0], "--progress: nothing of it on stdout")


def main():
    r = tp.Results("fleet_badinput")
    for t in (test_links, test_reassembly, test_truncated, test_not_tls, test_no_keys, test_garbage,
              test_progress, test_cut_trace, test_trace_reads_like_capture):
        r.run(t)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
