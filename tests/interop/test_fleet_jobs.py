#!/usr/bin/env python3
"""tlsprobe fleet -j N: the reader deals the connections of a capture out to
N session threads; the result must be the one of a single pass (-j 1):
the same JSON (groups, counts, typical verdicts, example connection
numbers), the same text, the same messages and exit status, for the test
captures, the bad-input fixtures, and a generated capture of many
interleaved connections (several open at once, closed by FIN both ways, by
a reset, or not at all before the capture ends, one 4-tuple reused)."""
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

SRC = os.environ.get("TP_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests"))
sys.path.insert(0, os.path.join(SRC, "tests", "data", "fleet"))
DATA = os.path.join(SRC, "tests", "data", "fleet")
KEYS = os.path.join(DATA, "fleet.keys")
CONNS = 90


def fleet(*args):
    p = subprocess.run([tp.TLSPROBE, "fleet", "--no-progress"] + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def profiles(tmp, keys):
    import ssl
    import make_fixtures
    out = []
    for ciphers in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA:AES128-SHA",
                    "ECDHE-RSA-CHACHA20-POLY1305"):
        cctx, sctx = make_fixtures.contexts(tmp, keys)
        cctx.set_ciphers(ciphers)
        sctx.set_ciphers("ALL")
        cctx.maximum_version = ssl.TLSVersion.TLSv1_2
        out.append(make_fixtures.session(cctx, sctx))
        out.append(make_fixtures.session(cctx, sctx, full=False))
    out.append([(0, b"GET / HTTP/1.0\r\n\r\n"), (1, b"HTTP/1.0 400 Bad Request\r\n\r\n")])
    return out


def build(path, keys, tmp):
    """CONNS connections, up to 7 open at once, their flights interleaved
    in a fixed pseudo-random order; endings vary; connection 5's 4-tuple is
    used again by the last one."""
    import pcapgen
    prof = profiles(tmp, keys)
    rnd = random.Random(15)
    with open(path, "wb") as f:
        w = pcapgen.PcapWriter(f, link="ether")
        pending, opened, ts = [], 0, 1764590400.0
        while opened < CONNS or pending:
            if opened < CONNS and (len(pending) < 7 and rnd.random() < 0.5 or not pending):
                port = 2000 + (5 if opened == CONNS - 1 else opened)
                c = w.conn(("10.1.%d.%d" % (opened % 3, opened % 5 + 1), port), ("192.0.2.1", 443), ts)
                c.open()
                pending.append([c, list(prof[opened % len(prof)]), opened % 9])
                opened += 1
                continue
            i = rnd.randrange(len(pending))
            c, flights, ending = pending[i]
            ts += 0.001
            c.ts = max(c.ts, ts)
            if flights:
                c.send(*flights.pop(0))
                continue
            pending.pop(i)
            if ending == 3:
                c.segment(0, pcapgen.RST | pcapgen.ACK)
            elif ending == 6:
                continue  # never closed: the capture's end closes it
            else:
                c.close(first=ending % 2)


def same(r, what, args, jobs=(2, 4)):
    rc1, out1, err1 = fleet("-j", "1", *args)
    for j in jobs:
        rc, out, err = fleet("-j", str(j), *args)
        r.eq((rc, out, err), (rc1, out1, err1), "%s: -j %d gives what -j 1 gives" % (what, j),
             "-j 1:\n%s\n%s" % (out1[:800], err1[:300]))
    return rc1, out1, err1


def test_generated(r):
    import json
    tmp = tempfile.mkdtemp(prefix="tp-fleet-jobs-")
    cap, keys = os.path.join(tmp, "many.pcap"), os.path.join(tmp, "keys.log")
    build(cap, keys, tmp)
    rc, out, err = same(r, "interleaved capture, JSON with keys", ("--json", "--keylog", keys, cap))
    doc = json.loads(out) if rc == 0 else {}
    r.eq(doc.get("connections"), CONNS, "interleaved capture: every connection counted", err)
    groups = doc.get("groups", [])
    r.check(len(groups) >= 5, "interleaved capture: several groups (a comparison that can fail)",
            [(g["cause"], g["count"]) for g in groups])
    causes = {g["cause"] for g in groups}
    for c in ("session-ok", "capture-ended"):
        r.check(c in causes, "interleaved capture: a %s group" % c, sorted(causes))
    same(r, "interleaved capture, JSON without keys", ("--json", cap))
    same(r, "interleaved capture, text", ("--keylog", keys, cap))
    same(r, "two files at once", ("--json", "--keylog", keys, cap, os.path.join(DATA, "not-tls.pcap")))


def test_fixtures(r):
    caps = [os.path.join(DATA, n) for n in sorted(os.listdir(DATA)) if n.endswith(".pcap")]
    capdir = os.path.join(SRC, "tests", "data", "capture")
    caps += [os.path.join(capdir, n) for n in sorted(os.listdir(capdir)) if ".pcap" in n]
    r.check(len(caps) >= 9, "the fixtures are there", caps)
    for cap in caps:
        same(r, os.path.basename(cap), ("--json", "--keylog", KEYS, cap), jobs=(4,))
        same(r, os.path.basename(cap) + " without keys", ("--json", cap), jobs=(4,))


def test_bad_input(r):
    tmp = tempfile.mkdtemp(prefix="tp-fleet-jobs-bad-")
    good = open(os.path.join(DATA, "ether-v4.pcap"), "rb").read()
    cases = {"garbage.pcap": os.urandom(4096), "empty.pcap": b"", "header-only.pcap": good[:30],
             "cut.pcap": good[:len(good) * 2 // 3]}
    for name, data in cases.items():
        path = os.path.join(tmp, name)
        open(path, "wb").write(data)
        rc, out, err = same(r, name, ("--json", "--keylog", KEYS, path), jobs=(4,))
        r.eq(rc, 1, "%s: exit 1 with -j 1 and -j 4" % name, err)
    for bad in ("0", "65", "x", "-2", ""):
        rc, out, err = fleet("-j", bad, os.path.join(DATA, "ether-v4.pcap"))
        r.check(rc == 2 and "tlsprobe fleet: -j '%s'" % bad in err and "1 to 64" in err,
                "-j %r: exit 2, the value and the valid ones named" % bad, err)


def main():
    r = tp.Results("fleet_jobs")
    for t in (test_generated, test_fixtures, test_bad_input):
        r.run(t)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
