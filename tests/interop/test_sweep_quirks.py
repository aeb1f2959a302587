#!/usr/bin/env python3
"""tlsprobe sweep over the quirk axis against clients that break on how the
server shapes its records (tests/sweep_clients/record_intolerant.py): the
2006 phone that drops the connection when the server's Finished carries
non-minimal CBC padding, a client without handshake reassembly, one that
rejects tiny application-data records.  The rule must name the quirk value
exactly; the quirk axis combines with another axis; a sweep of the default
axes where nothing failed suggests the quirk axis; a bad quirk value is a
usage error naming the valid ones."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TLSPROBE = os.environ.get("TLSPROBE", "build/tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp_sweep_quirks_")
CLIENT = os.path.join(tp.TP_SRC, "tests", "sweep_clients", "record_intolerant.py")
R = tp.Results()
RUNS = [0]


def check(name, cond, detail=""):
    R.check(cond, name, detail)

CBC = ["--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers", "AES-128-CBC", "--macs", "SHA1"]


def sweep(args, timeout=300):
    RUNS[0] += 1
    out = os.path.join(TMP, "out%d.json" % RUNS[0])
    p = tp.run_tp([TLSPROBE, "sweep", "--echo", "--json", out, "-j", "2"] + args,
                       capture_output=True, text=True, timeout=timeout)
    data = None
    if os.path.exists(out):
        with open(out) as f:
            data = json.load(f)
    return p, data


def client(prop):
    return "python3 %s {host} {port} --reject %s" % (CLIENT, prop)


def check_rule(name, p, data, rule):
    check("%s: exit 0" % name, p.returncode == 0, p.stderr[-600:])
    if not data:
        check("%s: JSON written" % name, False, p.stderr[-600:])
        return
    d = data["decides"]
    check("%s: rule names the quirk exactly" % name, d["exact"] and d["rule"] == rule, d["rule"])
    check("%s: text summary has the rule" % name, "decides: " + rule in p.stdout, p.stdout[-800:])
    fails = [r for r in data["results"] if r["status"] == "fail"]
    check("%s: the failing run is the client's drop" % name,
          fails and all(r["client"]["exit"] == 1 and "dropping the connection" in r["client"]["output"]
                        for r in fails), fails[:1])


def test_phone():
    p, data = sweep(["--client", client("padding"), "--axes", "quirk"] + CBC)
    check_rule("phone (CBC padding)", p, data, "fails exactly when quirk = cbc-padding=max")
    if data:
        oks = sorted(r["config"]["quirk"] for r in data["results"] if r["status"] == "ok")
        check("phone: every other quirk value passes", "none" in oks and "hs-fragment=64" in oks, oks)


def test_fragment():
    p, data = sweep(["--client", client("fragment"), "--axes", "quirk"])
    check_rule("no reassembly", p, data, "fails exactly when quirk = hs-fragment=64")


def test_tiny():
    p, data = sweep(["--client", client("tiny"), "--axes", "quirk"])
    check_rule("tiny records", p, data, "fails exactly when quirk = appdata-split=1/n-1")


def test_combined():
    # with the cipher axis: padding only exists in CBC records
    p, data = sweep(["--client", client("padding"), "--axes", "cipher,quirk",
                     "--quirks", "none,cbc-padding=max,empty-records", "--protocols", "TLS1.2",
                     "--kx", "ECDHE-RSA", "--ciphers", "AES-128-CBC,AES-128-GCM", "--macs", "SHA1,AEAD"])
    check("combined: exit 0", p.returncode == 0, p.stderr[-600:])
    if data:
        fails = sorted((r["config"]["cipher"], r["config"]["quirk"]) for r in data["results"]
                       if r["status"] == "fail")
        check("combined: only AES-128-CBC with cbc-padding=max fails",
              fails == [("AES-128-CBC", "cbc-padding=max")], fails)
        check("combined: the rule names both",
              data["decides"]["rule"] == "fails exactly when cipher = AES-128-CBC and quirk = cbc-padding=max",
              data["decides"]["rule"])


def test_hint():
    html = os.path.join(TMP, "hint.html")
    p, data = sweep(["--client", client("padding"), "--axes", "mac", "--report", html] + CBC[:6] +
                    ["--macs", "SHA1,SHA256"])
    check("hint: nothing failed", data and data["decides"]["rule"] == "no combination failed",
          data and data["decides"])
    check("hint: the summary suggests the quirk axis", "--axes quirk" in p.stdout, p.stdout[-800:])
    check("hint: in the JSON too", data and "--axes quirk" in data.get("hint", ""), data and data.get("hint"))
    with open(html) as f:
        check("hint: in the HTML report too", 'id="hint"' in f.read())
    p, data = sweep(["--client", client("padding"), "--axes", "mac,quirk", "--quirks", "none"] + CBC[:6] +
                    ["--macs", "SHA1,SHA256"])
    check("hint: not when quirk is an axis", data and "hint" not in data and "--axes quirk" not in p.stdout,
          p.stdout[-500:])


def test_bad_value():
    p = tp.run_tp([TLSPROBE, "sweep", "--axes", "quirk", "--quirks", "none,cbc-padding=huge",
                        "--client", "true {host} {port}"], capture_output=True, text=True, timeout=30)
    check("bad quirk value: exit 2", p.returncode == 2, p.stderr)
    check("bad quirk value: names it and the valid ones",
          p.stderr.startswith("tlsprobe sweep: ") and "cbc-padding=huge" in p.stderr and "minimal|max|random" in p.stderr, p.stderr)


def main():
    for t in (test_phone, test_fragment, test_tiny, test_combined, test_hint, test_bad_value):
        R.run(lambda r, t=t: t())
    R.finish()


if __name__ == "__main__":
    main()
