#!/usr/bin/env python3
"""tlsprobe sweep in driven mode against real clients with known behaviour:
openssl s_client limited to some suites (exactly those are ok), gnutls-cli
with a priority that excludes a MAC (the rule names that MAC), curl, and
tests/sweep_clients/intolerant.py, which drops the connection when the
server picks a given property (the rule names that property)."""
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TLSPROBE = os.environ.get("TLSPROBE", "build/tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp_sweep_")
T = tp.Tally()
check = T.check


def sweep(args, timeout=300):
    out = os.path.join(TMP, "out%d.json" % (T.passed + T.failed))
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([TLSPROBE, "sweep", "--json", out] + args, capture_output=True, text=True,
                       timeout=timeout)
    data = None
    if os.path.exists(out):
        with open(out) as f:
            data = json.load(f)
    return p, data


def label(r, axes):
    return " ".join(r["config"][a] for a in axes)


def by_status(data, status):
    return sorted(label(r, data["axes"]) for r in data["results"] if r["status"] == status)


LIMITS = ["--kx", "ECDHE-RSA,RSA", "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM,AES-256-GCM",
          "--macs", "SHA1,SHA256,SHA384,AEAD"]


def test_openssl_limited():
    cmd = ("openssl s_client -connect {host}:{port} -tls1_2 "
           "-cipher AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384 </dev/null")
    p, data = sweep(["--client", cmd, "--protocols", "TLS1.1,TLS1.2", "-j", "2"] + LIMITS)
    check("openssl: exit 0", p.returncode == 0, p.stderr[-500:])
    if not data:
        check("openssl: json written", False)
        return
    check("openssl: axes", data["axes"] == ["protocol", "kx", "cipher", "mac"], data["axes"])
    ok = by_status(data, "ok")
    check("openssl: exactly the client's suites are ok",
          ok == ["TLS1.2 ECDHE-RSA AES-256-GCM AEAD", "TLS1.2 RSA AES-128-CBC SHA1"], ok)
    # the hello does not say its minimum version: TLS1.1 was tried and refused
    fail = by_status(data, "fail")
    check("openssl: TLS1.1 tries fail", fail == ["TLS1.1 RSA AES-128-CBC SHA1"], fail)
    d = data["decides"]
    check("openssl: rule", d["exact"] and d["rule"] == "fails exactly when protocol = TLS1.1", d)
    check("openssl: terms", d["terms"] == [{"axis": "protocol", "op": "=", "values": ["TLS1.1"]}],
          d["terms"])
    check("openssl: exceptions empty", d["exceptions"] == [])
    # every tried result carries the verdict and the client's exit status
    tried = [r for r in data["results"] if r["status"] in ("ok", "fail")]
    check("openssl: verdict and client in results",
          all("verdict" in r and r["verdict"]["event"] == "verdict" and "exit" in r["client"]
              for r in tried), tried[:1])
    check("openssl: skipped carry a reason",
          all(r.get("reason") for r in data["results"] if r["status"] == "skipped"))
    okr = [r for r in tried if r["status"] == "ok"]
    check("openssl: ok verdicts name the negotiated cipher",
          all(r["verdict"].get("cipher") == r["config"]["cipher"] for r in okr), okr[:1])
    check("openssl: text summary", "decides: fails exactly when protocol = TLS1.1" in p.stdout,
          p.stdout[-800:])
    typical = d.get("typical_failure", [])
    check("openssl: typical failure quoted with counts",
          typical and typical[0]["count"] == 1 and typical[0]["of"] == 1 and
          "protocol_version" in typical[0]["summary"], typical)


def test_gnutls_excludes_mac():
    if not shutil.which("gnutls-cli"):
        check("gnutls-cli present", False)
        return
    cmd = "gnutls-cli --insecure --priority NORMAL:-SHA256 -p {port} {host} </dev/null"
    args = ["--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
            "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--macs", "SHA1,SHA256,AEAD",
            "-j", "2"]
    p, data = sweep(args)
    check("gnutls: exit 0", p.returncode == 0, p.stderr[-500:])
    if not data:
        return
    # not offered: not tried by default
    cfgs = [label(r, data["axes"]) for r in data["results"] if r["status"] != "skipped"]
    check("gnutls: SHA256 not tried when not offered", not any(c.endswith("SHA256") for c in cfgs), cfgs)
    check("gnutls: not-offered counted", data["summary"]["not_offered"] >= 1, data["summary"])
    p, data = sweep(args + ["--include-unoffered"])
    if not data:
        check("gnutls unoffered: json", False, p.stderr)
        return
    d = data["decides"]
    check("gnutls: rule names the excluded MAC",
          d["exact"] and d["rule"] == "fails exactly when mac = SHA256", d["rule"])
    check("gnutls: ok rows", by_status(data, "ok") == [
        "TLS1.2 ECDHE-RSA AES-128-CBC SHA1", "TLS1.2 ECDHE-RSA AES-128-GCM AEAD",
        "TLS1.2 ECDHE-RSA AES-256-CBC SHA1"], by_status(data, "ok"))
    check("gnutls: counts per value", d["counts"]["mac"]["SHA256"]["fail"] >= 1 and
          d["counts"]["mac"]["SHA256"]["ok"] == 0, d["counts"]["mac"])


def test_curl():
    cmd = "curl -sk --max-time 10 --tlsv1.2 --tls-max 1.2 -o /dev/null https://{host}:{port}/"
    p, data = sweep(["--http", "--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
                     "--ciphers", "AES-128-GCM,AES-256-GCM,CHACHA20-POLY1305", "--macs", "AEAD"])
    check("curl: exit 0", p.returncode == 0, p.stderr[-500:])
    if not data:
        return
    ok = by_status(data, "ok")
    check("curl: every offered AEAD suite works", len(ok) == 3 and not by_status(data, "fail"), ok)
    check("curl: rule", data["decides"]["rule"] == "no combination failed", data["decides"])
    check("curl: data went both ways", all(r["verdict"]["outcome"] == "ok" for r in data["results"]
                                          if r["status"] == "ok"))


def test_intolerant(prop, expect_rule, extra=()):
    cmd = "python3 %s {host} {port} --reject %s" % (tp.INTOLERANT, prop)
    p, data = sweep(["--echo", "--client", cmd, "--protocols", "TLS1.2", "-j", "2"] + LIMITS + list(extra))
    check("intolerant %s: exit 0" % prop, p.returncode == 0, p.stderr[-500:])
    if not data:
        return
    d = data["decides"]
    check("intolerant %s: rule" % prop, d["exact"] and d["rule"] == expect_rule, d["rule"])
    fails = [r for r in data["results"] if r["status"] == "fail"]
    check("intolerant %s: failures carry the client's exit and output" % prop,
          fails and all(r["client"]["exit"] == 1 and "intolerant" in r["client"]["output"]
                        for r in fails), fails[:1])


def test_repeat_flaky():
    # a client that succeeds on every other run: --repeat 2 marks it flaky
    state = os.path.join(TMP, "flip")
    cmd = ("if [ -e %s ]; then rm %s; exit 1; else touch %s; "
           "openssl s_client -connect {host}:{port} </dev/null >/dev/null 2>&1; fi" % (state, state, state))
    p, data = sweep(["--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
                     "--ciphers", "AES-128-GCM", "--macs", "AEAD", "--repeat", "2"])
    if not data:
        check("repeat: json", False, p.stderr)
        return
    st = [(r["status"], r["attempts"]) for r in data["results"] if r["status"] != "skipped"]
    check("repeat: inconsistent tries are flaky", st == [("flaky", 2)], st)


def test_device_mode(window):
    """Device mode: a person reconnects the client; with a window, a burst
    of connections from one address is one attempt."""
    out = os.path.join(TMP, "dev%s.json" % window)
    args = [TLSPROBE, "sweep", "--port", "0", "--listen", "127.0.0.1", "--protocols", "TLS1.2",
            "--kx", "RSA", "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--json", out]
    if window:
        args += ["--per-attempt-window", str(window)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    lines = []
    while port is None:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
    name = "device%s" % (" window" if window else "")
    if port is None:
        proc.kill()
        check(name + ": listening", False, "".join(lines))
        return
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_2",
           "-cipher", "AES128-SHA:AES128-GCM-SHA256"]
    for _ in range(3):  # the probe + the 2 offered combinations
        for _ in range(2 if window else 1):
            subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        if window:
            time.sleep(window + 0.3)
    try:
        rest, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    text = "".join(lines) + rest
    check(name + ": finishes by itself", proc.returncode == 0, text[-600:])
    check(name + ": says what to connect",
          "connect the client now \u2014 1 of 2, TLS1.2 RSA AES-128-CBC SHA1" in text, text[-600:])
    if not os.path.exists(out):
        check(name + ": json", False)
        return
    with open(out) as f:
        d = json.load(f)
    ok = sorted(label(r, d["axes"]) for r in d["results"] if r["status"] == "ok")
    check(name + ": results", ok == ["TLS1.2 RSA AES-128-CBC SHA1", "TLS1.2 RSA AES-128-GCM AEAD"], ok)
    conns = [(r["attempts"], r.get("connections")) for r in d["results"] if r["status"] == "ok"]
    want = 2 if window else 1
    check(name + ": %d connection(s) per attempt" % want, conns == [(1, want), (1, want)], conns)


test_device_mode(0)
test_device_mode(1.0)
test_openssl_limited()
test_gnutls_excludes_mac()
test_curl()
test_intolerant("cbc", "fails exactly when cipher is a CBC cipher")
test_intolerant("sha384", "fails exactly when mac = SHA384")
test_repeat_flaky()
shutil.rmtree(TMP, ignore_errors=True)
T.finish()
