#!/usr/bin/env python3
"""tlsprobe fleet on captures of a mix of real clients: tlsprobe serve
--pcap (one file per server run) records openssl s_client, gnutls-cli, curl
and Python ssl that work, and clients that fail on purpose (no shared suite,
a rejected certificate, a drop after the server's flight).  The groups, their
counts, outcomes and typical verdicts must be exactly those the clients make;
the same from the JSON trace, from serve --fleet-summary, and with and
without the keys."""
import json
import os
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

# meson runs these with -j 1 and with -j 2 (TP_FLEET_JOBS); unset: the default
JOBS = ["-j", os.environ["TP_FLEET_JOBS"]] if os.environ.get("TP_FLEET_JOBS") else []
import fleet_relay  # noqa: E402

# the echo server takes only ECDHE key exchange: a client offering RSA kx
# suites alone finds no shared suite
ECHO_ARGS = ["--echo", "--kx", "ECDHE-RSA,ECDHE-ECDSA"]


def python_ok(port):
    res = tp.python_echo(port, ctx=tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2))
    assert res["echoed"], res


def python_verify(port):
    ctx = ssl.create_default_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            ctx.wrap_socket(raw, server_hostname="localhost")
            raise AssertionError("python accepted the self-signed certificate")
        except ssl.SSLCertVerificationError:
            pass


def python_drop(port):
    """The ClientHello, the server's flight read, then a silent close."""
    hello, _obj, _inc, _out = tp.client_hello_bytes(tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(hello)
        got = b""
        while b"\x0e\x00\x00\x00" not in got:  # ServerHelloDone
            b = tp.recv_some(s, 5)
            if not b:
                break
            got += b
        assert got, "no server flight"


def s_client_ok(port):
    echoed, rc, out = tp.echo_exchange(tp.s_client(port, "-quiet", "-tls1_2"), "fleet")
    assert echoed, out[-300:]


def s_client_rsa_only(port):
    rc, out, err = tp.run(tp.s_client(port, "-tls1_2", "-cipher", "AES128-SHA"), input=b"")
    assert rc != 0, "s_client found a shared suite"


def gnutls_ok(port):
    echoed, rc, out = tp.echo_exchange(["gnutls-cli", "--insecure", "-p", str(port),
                                        "--priority", "NORMAL:-VERS-TLS1.3", "127.0.0.1"],
                                       "fleet", wait_before_send="- Handshake was completed")
    assert echoed, out[-300:]


def curl_ok(port):
    rc, out, err = tp.run(["curl", "-sk", "--tls-max", "1.2", "-o", "/dev/null",
                           "https://127.0.0.1:%d/" % port])
    assert rc == 0, "curl exit %r" % rc


# (drive, times) per server run
ECHO_CLIENTS = [(python_ok, 3), (python_verify, 2), (python_drop, 1), (s_client_ok, 2),
                (s_client_rsa_only, 2), (gnutls_ok, 1)]
HTTP_CLIENTS = [(curl_ok, 2)]


def serve_and_capture(r, args, clients, tmp, name):
    pcap = os.path.join(tmp, name + ".pcapng")
    srv = tp.Server(args + ["--pcap", pcap, "--fleet-summary", "-q"])
    n = 0
    with srv:
        for drive, times in clients:
            for _ in range(times):
                drive(srv.port)
                n += 1
                srv.wait_verdicts(n, timeout=15)
        srv.stop()
    return pcap, srv


def fleet(*args):
    p = subprocess.run([tp.TLSPROBE, "fleet", "--no-progress"] + JOBS + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def groups_by_cause(doc):
    out = {}
    for g in doc.get("groups", []):
        out.setdefault(g["cause"], []).append(g)
    return out



def expect_groups(r, doc, want, label):
    """want: [(cause, count, outcome)] in report order."""
    got = [(g["cause"], g["count"], g["outcome"]) for g in doc.get("groups", [])]
    r.eq(got, want, label + ": the groups (cause, count, outcome), failing first", doc.get("groups"))
    for g in doc.get("groups", []):
        r.eq(g["outcomes"][g["outcome"]], g["count"], label + ": %s: every one %s" %
             (g["cause"], g["outcome"]))
        r.eq(g["peers"], 1, label + ": %s: one peer (127.0.0.1)" % g["cause"])


ECHO_WANT = [("client-rejected-certificate", 2, "fail"), ("server-alert", 2, "fail"),
             ("closed-after-server-flight", 1, "fail"), ("session-ok", 3, "ok"),
             ("session-ok", 2, "ok"), ("session-ok", 2, "ok"), ("session-ok", 1, "ok")]


def test_tlsprobe_captures(r, tmp):
    a, sa = serve_and_capture(r, ECHO_ARGS, ECHO_CLIENTS, tmp, "echo")
    b, sb = serve_and_capture(r, ["--http"], HTTP_CLIENTS, tmp, "http")
    html = os.path.join(tmp, "fleet.html")
    rc, out, err = fleet(a, b, "--json", "--html", html)
    r.eq(rc, 0, "fleet: exit 0", err)
    doc = json.loads(out or "{}")
    r.eq((doc.get("connections"), doc.get("without_hello"), doc.get("keys")), (13, 0, True),
         "fleet: 13 connections, each with a ClientHello; the pcapng carries the keys")
    expect_groups(r, doc, ECHO_WANT, "pcapng")
    g = doc.get("groups", [{}] * 7)
    words = [("unknown_ca", "unencrypted"), ("handshake_failure", "ClientHello"),
             ("closed the connection without an alert", "ServerHelloDone")]
    for i, ws in enumerate(words):
        t = (g[i].get("typical") or {}).get("summary", "")
        r.check(all(w in t for w in ws), "typical verdict of %s names %s" % (g[i].get("cause"), ws), t)
        r.eq((g[i].get("typical") or {}).get("count"), g[i].get("count"),
             "%s: one typical verdict for the whole group" % g[i].get("cause"))
    r.eq([x.get("actor") for x in g[:3]], ["client", "server", "client"], "who acted, per failing group")
    # the Python clients (ok, rejecting, dropping) share one fingerprint, the others differ
    r.check(g[0].get("ja4") == g[2].get("ja4") == g[3].get("ja4"),
            "python ssl: one JA4 across its three verdicts", [x.get("ja4") for x in g])
    r.eq(len({x.get("ja4") for x in g}), 5, "five client fingerprints (python, openssl twice, "
         "gnutls-cli, curl)")
    r.eq((g[1].get("offered") or {}).get("ECDHE suite"), "not offered",
         "the RSA-only openssl offers no ECDHE suite")
    r.check("no TLS1.2 SHA-256 suite" in (g[1].get("offer") or ""), "offer summary says so",
            g[1].get("offer"))
    d = doc.get("distinguishes") or {}
    r.check(d.get("rule") and d.get("exact") is False,
            "no exact rule: python fails and works with the same offer", d)
    # JA4 against the trace's own ClientHello fingerprints
    evs = sa.events()
    ja4s = {}
    for c in evs.conns():
        ch = evs.client_hello(c)
        if ch:
            ja4s[ch.get("ja4")] = ja4s.get(ch.get("ja4"), 0) + 1
    mine = {}
    for x in g:
        if "http.pcapng" not in x["example"]["source"]:
            mine[x["ja4"]] = mine.get(x["ja4"], 0) + x["count"]
    r.eq(mine, ja4s, "connections per JA4 equal the trace's ClientHellos")
    # the same from the JSON trace: the live session knew the server's suites
    rc, out, err = fleet(sa.trace_path, sb.trace_path, "--json")
    want = [("no-shared-suite", 2, "fail") if c == "server-alert" else (c, n, o)
            for c, n, o in ECHO_WANT]
    expect_groups(r, json.loads(out or "{}"), want, "trace")
    # the live summary at the end of the serve run
    r.check("tlsprobe fleet: 11 connections in 6 groups, 3 failing" in sa.stdout_text,
            "serve --fleet-summary: the head line", sa.stdout_text[-1500:])
    r.check("no-shared-suite" in sa.stdout_text and "what distinguishes the failing groups" in
            sa.stdout_text, "serve --fleet-summary: the groups and the rule")
    st = os.stat(html)
    r.eq(st.st_mode & 0o777, 0o600, "--html: mode 0600")
    page = open(html, encoding="utf-8").read()
    r.check('<section id="fleet">' in page and page.count('<tr class="fail">') == 3 and
            page.count('<tr class="ok">') == 4, "--html: the section, 3 failing and 4 ok rows")
    rc, out, err = fleet(a, b)
    lines = out.splitlines()
    r.check(lines and lines[0] == "tlsprobe fleet: 13 connections in 7 groups, 3 failing" and
            lines[1].startswith("FAIL   2 connections from 1 peer: client-rejected-certificate "
                                "(handshake, client)"), "text: head and first group", out[:400])


def test_s_server(r, tmp):
    """openssl s_server, captured by a relay that writes a pcap; without keys
    the verdicts come from the plaintext alone, with --keylog all is checked."""
    cert, key = tp.make_cert(tmp, "s_server")
    keys = os.path.join(tmp, "clients.keys")
    srv = subprocess.Popen(["openssl", "s_server", "-accept", "0", "-cert", cert, "-key", key,
                            "-rev", "-naccept", "4"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    port = None
    for line in srv.stdout:
        if line.startswith("ACCEPT"):
            port = int(line.strip().rsplit(":", 1)[1])
            break
    pcap = os.path.join(tmp, "s_server.pcap")
    relay = fleet_relay.Relay(port, pcap)
    ctx = tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2, keylog=keys)
    for _ in range(2):
        res = tp.python_echo(relay.port, line=b"fleet\n", ctx=ctx)
        r.eq(res["echoed"], b"teelf\n", "s_server -rev answers python")
    rc, out, err = tp.run(tp.s_client(relay.port, "-tls1_2", "-keylogfile", keys), input=b"")
    r.eq(rc, 0, "s_client against s_server", err[-300:])
    python_verify(relay.port)
    srv.wait(20)
    relay.close()
    rc, out, err = fleet(pcap, "--json")
    r.eq(rc, 0, "fleet s_server.pcap: exit 0", err)
    doc = json.loads(out or "{}")
    got = [(g["cause"], g["count"], g["decided"]) for g in doc.get("groups", [])]
    r.eq(got[0], ("client-rejected-certificate", 1, True),
         "without keys: the certificate rejection is plain text, decided", got)
    # python's close_notify exchange after its data reads as a session that worked;
    # s_client's handshake-only connection cannot be told without the keys
    r.eq(got[1:], [("session-ok", 2, True), ("unreadable-without-keys", 1, False)],
         "without keys: python decided from the plaintext part, s_client not", got)
    r.check(all(g["unchecked"] == g["count"] for g in doc["groups"][1:]),
            "without keys: each says what it could not check")
    rc, out, err = fleet(pcap, "--json", "--keylog", keys)
    doc = json.loads(out or "{}")
    got = [(g["cause"], g["count"], g["outcome"], g["unchecked"]) for g in doc.get("groups", [])]
    r.eq(got[0], ("client-rejected-certificate", 1, "fail", 0), "with keys: the rejection", got)
    r.eq(sorted(x[1:] for x in got[1:]), [(1, "ok", 0), (2, "ok", 0)],
         "with keys: python (2) and s_client (1) work, every record checked", got)


def main():
    import shutil
    import tempfile
    tmp = tempfile.mkdtemp(prefix="tp-fleet-")
    r = tp.Results("fleet")
    r.run(test_tlsprobe_captures, tmp)
    r.run(test_s_server, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
