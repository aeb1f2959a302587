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
R = tp.Results()


def sweep(args, timeout=300):
    out = os.path.join(TMP, "out%d.json" % (R.passed + R.failed))
    if os.path.exists(out):
        os.unlink(out)
    p = tp.run_tp([TLSPROBE, "sweep", "--json", out] + args, capture_output=True, text=True,
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
    R.check(p.returncode == 0, "openssl: exit 0", p.stderr[-500:])
    if not data:
        R.check(False, "openssl: json written")
        return
    R.check(data["axes"] == ["protocol", "kx", "cipher", "mac"], "openssl: axes", data["axes"])
    ok = by_status(data, "ok")
    R.check(ok == ["TLS1.2 ECDHE-RSA AES-256-GCM AEAD", "TLS1.2 RSA AES-128-CBC SHA1"],
          "openssl: exactly the client's suites are ok", ok)
    # the hello does not say its minimum version: TLS1.1 was tried and refused
    fail = by_status(data, "fail")
    R.check(fail == ["TLS1.1 RSA AES-128-CBC SHA1"], "openssl: TLS1.1 tries fail", fail)
    d = data["decides"]
    R.check(d["exact"] and d["rule"] == "fails exactly when protocol = TLS1.1", "openssl: rule", d)
    R.check(d["terms"] == [{"axis": "protocol", "op": "=", "values": ["TLS1.1"]}], "openssl: terms",
          d["terms"])
    R.check(d["exceptions"] == [], "openssl: exceptions empty")
    # every tried result carries the verdict and the client's exit status
    tried = [r for r in data["results"] if r["status"] in ("ok", "fail")]
    R.check(all("verdict" in r and r["verdict"]["event"] == "verdict" and "exit" in r["client"]
              for r in tried),
          "openssl: verdict and client in results", tried[:1])
    R.check(all(r.get("reason") for r in data["results"] if r["status"] == "skipped"),
          "openssl: skipped carry a reason")
    okr = [r for r in tried if r["status"] == "ok"]
    R.check(all(r["verdict"].get("cipher") == r["config"]["cipher"] for r in okr),
          "openssl: ok verdicts name the negotiated cipher", okr[:1])
    R.check("decides: fails exactly when protocol = TLS1.1" in p.stdout, "openssl: text summary",
          p.stdout[-800:])
    typical = d.get("typical_failure", [])
    R.check(typical and typical[0]["count"] == 1 and typical[0]["of"] == 1 and
          "protocol_version" in typical[0]["summary"],
          "openssl: typical failure quoted with counts", typical)


def test_gnutls_excludes_mac():
    if not shutil.which("gnutls-cli"):
        R.check(False, "gnutls-cli present")
        return
    cmd = "gnutls-cli --insecure --priority NORMAL:-SHA256 -p {port} {host} </dev/null"
    args = ["--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
            "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--macs", "SHA1,SHA256,AEAD",
            "-j", "2"]
    p, data = sweep(args)
    R.check(p.returncode == 0, "gnutls: exit 0", p.stderr[-500:])
    if not data:
        return
    # not offered: not tried by default
    cfgs = [label(r, data["axes"]) for r in data["results"] if r["status"] != "skipped"]
    R.check(not any(c.endswith("SHA256") for c in cfgs), "gnutls: SHA256 not tried when not offered", cfgs)
    R.check(data["summary"]["not_offered"] >= 1, "gnutls: not-offered counted", data["summary"])
    p, data = sweep(args + ["--include-unoffered"])
    if not data:
        R.check(False, "gnutls unoffered: json", p.stderr)
        return
    d = data["decides"]
    R.check(d["exact"] and d["rule"] == "fails exactly when mac = SHA256",
          "gnutls: rule names the excluded MAC", d["rule"])
    R.check(by_status(data, "ok") == [
        "TLS1.2 ECDHE-RSA AES-128-CBC SHA1", "TLS1.2 ECDHE-RSA AES-128-GCM AEAD",
        "TLS1.2 ECDHE-RSA AES-256-CBC SHA1"], "gnutls: ok rows", by_status(data, "ok"))
    R.check(d["counts"]["mac"]["SHA256"]["fail"] >= 1 and
          d["counts"]["mac"]["SHA256"]["ok"] == 0, "gnutls: counts per value", d["counts"]["mac"])


def test_curl():
    cmd = "curl -sk --max-time 10 --tlsv1.2 --tls-max 1.2 -o /dev/null https://{host}:{port}/"
    p, data = sweep(["--http", "--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
                     "--ciphers", "AES-128-GCM,AES-256-GCM,CHACHA20-POLY1305", "--macs", "AEAD"])
    R.check(p.returncode == 0, "curl: exit 0", p.stderr[-500:])
    if not data:
        return
    ok = by_status(data, "ok")
    R.check(len(ok) == 3 and not by_status(data, "fail"), "curl: every offered AEAD suite works", ok)
    R.check(data["decides"]["rule"] == "no combination failed", "curl: rule", data["decides"])
    R.check(all(r["verdict"]["outcome"] == "ok" for r in data["results"]
                                          if r["status"] == "ok"), "curl: data went both ways")


def test_intolerant(prop, expect_rule, extra=()):
    cmd = "python3 %s {host} {port} --reject %s" % (tp.INTOLERANT, prop)
    p, data = sweep(["--echo", "--client", cmd, "--protocols", "TLS1.2", "-j", "2"] + LIMITS + list(extra))
    R.check(p.returncode == 0, "intolerant %s: exit 0" % prop, p.stderr[-500:])
    if not data:
        return
    d = data["decides"]
    R.check(d["exact"] and d["rule"] == expect_rule, "intolerant %s: rule" % prop, d["rule"])
    fails = [r for r in data["results"] if r["status"] == "fail"]
    R.check(fails and all(r["client"]["exit"] == 1 and "intolerant" in r["client"]["output"]
                        for r in fails),
          "intolerant %s: failures carry the client's exit and output" % prop, fails[:1])


def test_repeat_flaky():
    # a client that succeeds on every other run: --repeat 2 marks it flaky
    state = os.path.join(TMP, "flip")
    cmd = ("if [ -e %s ]; then rm %s; exit 1; else touch %s; "
           "openssl s_client -connect {host}:{port} </dev/null >/dev/null 2>&1; fi" % (state, state, state))
    p, data = sweep(["--client", cmd, "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
                     "--ciphers", "AES-128-GCM", "--macs", "AEAD", "--repeat", "2"])
    if not data:
        R.check(False, "repeat: json", p.stderr)
        return
    st = [(r["status"], r["attempts"]) for r in data["results"] if r["status"] != "skipped"]
    R.check(st == [("flaky", 2)], "repeat: inconsistent tries are flaky", st)


def ports_used(port_args, jobs):
    """A driven sweep whose client notes the {port} it was given."""
    notes = os.path.join(TMP, "ports-%d.txt" % (R.passed + R.failed))
    cmd = "echo {port} >> %s; curl -sk -o /dev/null https://{host}:{port}/" % notes
    p, data = sweep(["--client", cmd, "-j", str(jobs), "--protocols", "TLS1.2", "--kx", "ECDHE-RSA",
                     "--ciphers", "AES-128-GCM,AES-256-GCM,AES-128-CBC", "--macs", "AEAD,SHA1"]
                    + port_args)
    ports = []
    if os.path.exists(notes):
        with open(notes) as f:
            ports = sorted(set(int(x) for x in f.read().split()))
    return p, data, ports


def test_ports():
    # the test's port range (24000-24999): a firewall that opens only these
    p, data, ports = ports_used(["--port", "24100-24109"], 2)
    R.check(p.returncode == 0 and data is not None, "--port range: sweep exit 0", p.stderr[-400:])
    R.check(bool(ports) and all(24100 <= x <= 24109 for x in ports),
            "--port 24100-24109: every server listened inside the range", ports)
    R.check(data is not None and any(r["status"] == "ok" for r in data["results"]),
            "--port range: the combinations were tried", data and data["results"][:1])
    p, data, ports = ports_used(["--port", "24200"], 2)
    R.check(p.returncode == 0, "--port N: sweep exit 0", p.stderr[-400:])
    R.eq(ports, [24200, 24201], "--port 24200 -j 2: slots on 24200 and 24201")
    # a range too narrow for the slots: named, not a random port
    p, data, ports = ports_used(["--port", "24300-24300"], 2)
    R.check(p.returncode != 0 and "tlsprobe sweep: --port 24300-24300: no free port" in p.stderr,
            "--port range smaller than -j: refused with a message naming --port", p.stderr[-400:])
    # without --port: kernel-chosen ports (outside any fixed range is all we can say)
    p, data, ports = ports_used([], 1)
    R.check(p.returncode == 0 and len(ports) == 1, "no --port: one kernel-chosen port", ports)
    p = tp.run_tp([TLSPROBE, "sweep", "--port", "24500-24400"], capture_output=True,
                       text=True, timeout=30)
    R.check(p.returncode == 2 and "tlsprobe sweep: --port wants a port number or a range" in p.stderr,
            "--port 24500-24400: usage error naming --port", p.stderr)


def test_device_mode(window):
    """Device mode: a person reconnects the client; with a window, a burst
    of connections from one address is one attempt."""
    out = os.path.join(TMP, "dev%s.json" % window)
    args = [TLSPROBE, "sweep", "--port", "0", "--listen", "127.0.0.1", "--protocols", "TLS1.2",
            "--kx", "RSA", "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--json", out,
            "--strategy", "full"]  # device mode defaults to adaptive (test_sweep_adaptive.py)
    if window:
        args += ["--per-attempt-window", str(window)]
    proc = tp.popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        R.check(False, name + ": listening", "".join(lines))
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
    R.check(proc.returncode == 0, name + ": finishes by itself", text[-600:])
    R.check("connect the client now \u2014 1 of 2, TLS1.2 RSA AES-128-CBC SHA1" in text,
          name + ": says what to connect", text[-600:])
    if not os.path.exists(out):
        R.check(False, name + ": json")
        return
    with open(out) as f:
        d = json.load(f)
    ok = sorted(label(r, d["axes"]) for r in d["results"] if r["status"] == "ok")
    R.check(ok == ["TLS1.2 RSA AES-128-CBC SHA1", "TLS1.2 RSA AES-128-GCM AEAD"], name + ": results", ok)
    conns = [(r["attempts"], r.get("connections")) for r in d["results"] if r["status"] == "ok"]
    want = 2 if window else 1
    R.check(conns == [(1, want), (1, want)], name + ": %d connection(s) per attempt" % want, conns)


test_device_mode(0)
test_device_mode(1.0)
test_openssl_limited()
test_gnutls_excludes_mac()
test_curl()
test_intolerant("cbc", "fails exactly when cipher is a CBC cipher")
test_intolerant("sha384", "fails exactly when mac = SHA384")
test_repeat_flaky()
test_ports()
shutil.rmtree(TMP, ignore_errors=True)
R.finish()
