#!/usr/bin/env python3
"""Sweep status = verdict: a real client whose command exits non-zero
although its TLS session worked (curl against the echo mode reads the echo
of its request as a broken HTTP reply) is `ok` with the exit reported beside
it; a client that fails every combination the same way but with other
values is summarised with a real example, never a template with
placeholders."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp_sweepv_")
N = [0]


def sweep(args, timeout=300):
    N[0] += 1
    out = os.path.join(TMP, "out%d.json" % N[0])
    html = os.path.join(TMP, "out%d.html" % N[0])
    p = tp.run_tp([tp.TLSPROBE, "sweep", "--json", out, "--report", html] + args,
                       capture_output=True, text=True, timeout=timeout)
    data = page = None
    if os.path.exists(out):
        with open(out) as f:
            data = json.load(f)
    if os.path.exists(html):
        with open(html) as f:
            page = f.read()
    return p, data, page


def test_exit_beside_verdict(r):
    cmd = "curl -sk --max-time 10 -o /dev/null https://{host}:{port}/"
    p, data, page = sweep(["--echo", "--client", cmd, "--protocols", "TLS1.2,TLS1.3",
                           "--kx", "ECDHE-RSA", "--ciphers", "AES-128-GCM,AES-256-GCM",
                           "--macs", "AEAD"])
    r.eq(p.returncode, 0, "curl in echo mode: sweep exits 0", p.stderr[-500:])
    if not r.check(data is not None, "curl in echo mode: json written"):
        return
    res = data["results"]
    r.check(len(res) == 4 and all(x["status"] == "ok" for x in res),
            "the status comes from the verdict: every combination ok", [x["status"] for x in res])
    r.check(all(x["verdict"]["outcome"] == "ok" and x["verdict"]["cause"] == "session-ok"
                for x in res), "every verdict ok (session-ok)", [x["verdict"] for x in res[:1]])
    codes = sorted({x["client"]["exit"] for x in res})
    r.check(codes and all(c != 0 for c in codes), "curl exited non-zero (it read the echo as HTTP)",
            codes)
    want = "client exited %d although the TLS session worked" % codes[0]
    r.check(all(x.get("note") == "client exited %d although the TLS session worked"
                % x["client"]["exit"] for x in res), "each result notes the exit beside the verdict",
            [x.get("note") for x in res])
    r.contains(p.stdout, want, "the progress line says it")
    r.check(page is not None and want in page, "the HTML cell's title says it")
    r.check(not any(x["status"] == "ok" and x.get("verdict", {}).get("outcome") == "fail"
                    for x in res), "never status ok beside outcome fail")
    r.eq(data["summary"]["ok"], 4, "summary: 4 ok")


PY_CLOSE = ("python3 -c \"import socket,ssl;c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);"
            "c.check_hostname=False;c.verify_mode=ssl.CERT_NONE;"
            "c.maximum_version=ssl.TLSVersion.TLSv1_2;"
            "s=c.wrap_socket(socket.create_connection(('{host}',{port})));"
            "s.detach().close()\"")


def test_typical_without_placeholders(r):
    # the handshake completes, the client closes the TCP connection without
    # close_notify or data: the same failure with each cipher
    p, data, page = sweep(["--echo", "--client", PY_CLOSE, "--protocols", "TLS1.2",
                           "--kx", "ECDHE-RSA", "--ciphers", "AES-128-GCM,AES-256-GCM",
                           "--macs", "AEAD"])
    r.eq(p.returncode, 0, "python close: sweep exits 0", p.stderr[-500:])
    if not r.check(data is not None, "python close: json written"):
        return
    res = data["results"]
    r.check(len(res) == 2 and all(x["status"] == "fail" for x in res),
            "python close: both combinations fail", [x["status"] for x in res])
    r.check(all(x["verdict"]["cause"] == "closed-after-handshake" and
                x["verdict"]["actor"] == "client" for x in res),
            "python close: the client closed after the handshake",
            [x["verdict"].get("summary") for x in res])
    typ = data["decides"].get("typical_failure", [])
    r.check(typ and typ[0]["count"] == 2, "one typical failure for both", typ)
    s = typ[0]["summary"] if typ else ""
    r.check("{" not in s and "handshake completed (TLS1.2, AES-" in s and
            s.endswith("(one example of 2; they differ in cipher)"),
            "typical failure: a real example, what differs named, no placeholder", s)
    line = [l for l in p.stdout.splitlines() if l.startswith("typical failure:")]
    r.check(line and "{" not in line[0] and "handshake completed (TLS1.2, AES-" in line[0],
            "text: typical failure filled", line)
    r.check(page is not None and "{cipher}" not in page and "{protocol}" not in page,
            "HTML: no placeholder")


def test_device_preconnect_not_an_attempt(r):
    """Device mode: before each real connection a socket is opened and
    closed without a byte (a browser's TCP preconnect); it is no attempt."""
    out = os.path.join(TMP, "dev.json")
    proc = tp.popen([tp.TLSPROBE, "sweep", "--port", "0", "--listen", "127.0.0.1",
                             "--protocols", "TLS1.2", "--kx", "RSA",
                             "--ciphers", "AES-128-CBC,AES-256-CBC", "--json", out],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port, lines = None, []
    while port is None:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        port = int(m.group(1)) if m else None
    if not r.check(port is not None, "device: listening", "".join(lines)):
        proc.kill()
        return
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_2",
           "-cipher", "AES128-SHA"]
    for _ in range(2):  # the probe + the one offered combination
        with socket.create_connection(("127.0.0.1", port)):
            pass
        # its verdict (FIN, no byte) comes before the real client connects
        subprocess.run(["sleep", "0.5"])
        subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    try:
        rest, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    text = "".join(lines) + rest
    r.eq(proc.returncode, 0, "device: finishes by itself", text[-600:])
    if not r.check(os.path.exists(out), "device: json written"):
        return
    with open(out) as f:
        d = json.load(f)
    tried = [x for x in d["results"] if x["status"] != "skipped"]
    r.check(len(tried) == 1 and tried[0]["status"] == "ok" and
            tried[0]["config"]["cipher"] == "AES-128-CBC",
            "device: the offered combination ok despite the preconnects", tried)
    r.check(tried and tried[0]["attempts"] == 1 and tried[0].get("connections") == 1 and
            tried[0]["verdict"]["cause"] == "handshake-only",
            "device: one attempt of one connection, its verdict the real one", tried)
    r.check("probe: no ClientHello" not in text, "device: the probe saw the real ClientHello",
            text[-600:])


def main():
    r = tp.Results()
    r.run(test_exit_beside_verdict)
    r.run(test_typical_without_placeholders)
    r.run(test_device_preconnect_not_an_attempt)
    r.finish()


if __name__ == "__main__":
    main()
