#!/usr/bin/env python3
"""The sweep journal and bad input: kill -9 mid-sweep then --resume gives
the same final results and analysis as an uninterrupted run; a torn last
line and a corrupt line are named and skipped; a hanging client command is
recorded as timeout; an unknown axis or value exits 2 naming it and the
valid ones."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TLSPROBE = os.environ.get("TLSPROBE", "build/tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp_sweepj_")
R = tp.Results()


# a small matrix with a known rule; the client sleeps a little so that a
# kill lands in the middle
CLIENT = "sleep 0.3; python3 %s {host} {port} --reject sha256" % tp.INTOLERANT
ARGS = ["--echo", "--client", CLIENT, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA,RSA",
        "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--macs", "SHA1,SHA256,AEAD"]


def normalised(path):
    """Results and decides without what differs between runs of the same
    sweep (the client's output tail holds random session data)."""
    with open(path) as f:
        d = json.load(f)
    for r in d["results"]:
        r.pop("client", None)
    return {"axes": d["axes"], "results": d["results"], "decides": d["decides"]}


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def test_kill_and_resume():
    full_json = os.path.join(TMP, "full.json")
    p = tp.run_tp([TLSPROBE, "sweep", "--journal", os.path.join(TMP, "full.jsonl"),
                        "--json", full_json] + ARGS, capture_output=True, text=True, timeout=300)
    R.check(p.returncode == 0 and os.path.exists(full_json), "uninterrupted run", p.stderr[-400:])
    full_lines = lines(os.path.join(TMP, "full.jsonl"))
    total = len(full_lines)
    # TLS1.2 x {ECDHE-RSA: CBC128 SHA1/SHA256, CBC256 SHA1, GCM; RSA: those + CBC256 SHA256}
    R.check(total == 9, "journal holds one result per tried combination", total)

    journal = os.path.join(TMP, "j.jsonl")
    proc = tp.popen([TLSPROBE, "sweep", "--journal", journal] + ARGS,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(lines(journal)) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = lines(journal)
    R.check(3 <= len(before) < total, "killed mid-sweep", len(before))
    R.check(all(json.loads(l)["status"] in ("ok", "fail") for l in before),
          "every journal line is a whole result")
    # what a SIGKILL in the middle of a write leaves behind
    with open(journal, "a") as f:
        f.write('{"config":{"protocol":"TLS1.2","kx":"RSA","ciph')
    resumed_json = os.path.join(TMP, "resumed.json")
    p = tp.run_tp([TLSPROBE, "sweep", "--journal", journal, "--resume",
                        "--json", resumed_json] + ARGS, capture_output=True, text=True, timeout=300)
    R.check(p.returncode == 0, "resume exit 0", p.stderr[-400:])
    R.check("torn last line" in p.stderr and
          "line %d" % (len(before) + 1) in p.stderr, "torn line reported", p.stderr)
    tried = p.stdout.count("] TLS1.2")
    R.check(tried == total - len(before), "resume only tries what is missing", (tried, p.stdout[-600:]))
    R.check(len(lines(journal)) == total, "journal complete after resume", len(lines(journal)))
    if os.path.exists(resumed_json):
        a, b = normalised(full_json), normalised(resumed_json)
        R.check(a["results"] == b["results"], "resumed results identical")
        R.check(a["decides"] == b["decides"], "resumed decides identical", (a["decides"], b["decides"]))
        R.check(a["decides"]["rule"] == "fails exactly when mac = SHA256", "rule", a["decides"]["rule"])


def test_corrupt_line():
    journal = os.path.join(TMP, "c.jsonl")
    src = lines(os.path.join(TMP, "full.jsonl"))
    with open(journal, "w") as f:
        f.write(src[0] + "\n")
        f.write("this line is not JSON\n")
        f.write('{"config":{"protocol":"SSL2.0","kx":"RSA","cipher":"X","mac":"Y"},"status":"ok"}\n')
        for l in src[1:3]:
            f.write(l + "\n")
    out = os.path.join(TMP, "c.json")
    p = tp.run_tp([TLSPROBE, "sweep", "--journal", journal, "--resume", "--json", out] + ARGS,
                       capture_output=True, text=True, timeout=300)
    R.check(p.returncode == 0, "corrupt journal: exit 0", p.stderr[-400:])
    R.check("line 2: not JSON" in p.stderr, "corrupt line named with its number", p.stderr)
    R.check("line 3: configuration not in this sweep" in p.stderr, "foreign configuration named", p.stderr)
    R.check(p.stdout.count("] TLS1.2") == len(src) - 3,
          "corrupt journal: 3 resumed, the rest tried", p.stdout[-400:])
    if os.path.exists(out):
        R.check(normalised(out)["decides"] == normalised(os.path.join(TMP, "full.json"))["decides"],
              "corrupt journal: same decision")


def test_hanging_client():
    out = os.path.join(TMP, "h.json")
    # the client sleeps 60 s; subprocess's own limit (50 s) fails the test if
    # the sweep waits for it instead of ending it at --client-timeout
    p = tp.run_tp([TLSPROBE, "sweep", "--client", "sleep 60 # {host} {port}",
                        "--client-timeout", "1", "--protocols", "TLS1.2", "--kx", "RSA",
                        "--ciphers", "AES-128-GCM", "--macs", "AEAD", "--json", out],
                       capture_output=True, text=True, timeout=50)
    R.check(p.returncode == 0, "hanging client: finishes", (p.returncode, p.stderr))
    if os.path.exists(out):
        with open(out) as f:
            d = json.load(f)
        st = [r for r in d["results"] if r["status"] != "skipped"]
        R.check(len(st) == 1 and st[0]["status"] == "timeout" and st[0]["client"]["timed_out"],
              "hanging client: recorded as timeout", st)


def test_bad_input():
    p = tp.run_tp([TLSPROBE, "sweep", "--axes", "protocol,colour", "--client", "true {port}"],
                       capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 2, "unknown axis: exit 2", p.returncode)
    R.check("unknown axis 'colour'" in p.stderr and "protocol, kx, cipher, mac, group, sigalg, key-type" in p.stderr,
          "unknown axis: named with the valid ones",
          p.stderr)
    p = tp.run_tp([TLSPROBE, "sweep", "--ciphers", "AES-128-CBC,AES-129-GCM", "--client", "true {port}"],
                       capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 2, "unknown value: exit 2", p.returncode)
    R.check("AES-129-GCM" in p.stderr and "AES-256-GCM" in p.stderr,
          "unknown value: named with the valid ones", p.stderr)
    p = tp.run_tp([TLSPROBE, "sweep", "--axes", "key-type", "--key-types", "rsa:3000",
                        "--client", "true {port}"], capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 2 and "rsa:3000" in p.stderr and "ed25519" in p.stderr,
          "unknown key type: exit 2 with the valid ones", p.stderr)
    p = tp.run_tp([TLSPROBE, "sweep", "--resume", "--client", "true {port}"],
                       capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 2, "--resume without --journal: exit 2", p.stderr)


test_kill_and_resume()
test_corrupt_line()
test_hanging_client()
test_bad_input()
shutil.rmtree(TMP, ignore_errors=True)
R.finish()
