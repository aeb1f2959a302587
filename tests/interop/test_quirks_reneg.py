#!/usr/bin/env python3
"""The quirks that start a new handshake message exchange after the first one:

hello-request (TLS 1.2): the server sends a HelloRequest after its first
application data and the engine takes the client's renegotiation.
openssl s_client, gnutls-cli (%SAFE_RENEGOTIATION) and Python ssl
renegotiate and finish a second echo round trip; the rewriter follows the
new keys (every server record valid in our verifier, both handshakes'
Finished verified), tshark decrypts the pcapng with no settings (the
server's records of both handshakes), the
verdict is ok and names the renegotiation.  A Python client with
OP_NO_RENEGOTIATION declines with no_renegotiation, and the verdict says so.

empty-ticket (TLS 1.3, out of spec): an empty NewSessionTicket before the
first application data; OpenSSL-based clients (s_client, Python) answer
decode_error and the verdict says the client rejected the server's empty
NewSessionTicket.  In TLS 1.2 the quirk is one note (no tickets there)."""
import os
import ssl
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")
TSHARK_ENV = {"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF}
TLS12 = ["--protocols", "TLS1.2"]
TLS13 = ["--protocols", "TLS1.3"]


def line_client(cmd, lines, wait_before_send=None, timeout=15.0):
    """Line-mode peer: each line sent after the previous one came back."""
    c = tp.Client(cmd)
    if wait_before_send:
        c.wait_output(wait_before_send, timeout)
    ok = True
    for i, ln in enumerate(lines):
        tok = "%s-%d" % (ln, i)
        c.send(tok + "\n")
        ok = ok and bool(c.wait_output(tok, timeout))
    c.finish()
    return ok, c.out


def python_two(port, no_reneg=False):
    ctx = tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2)
    if no_reneg:
        ctx.options |= ssl.OP_NO_RENEGOTIATION
    got = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            for m in (b"first\n", b"second\n", b"third\n"):
                try:
                    s.sendall(m)
                    got.append(s.recv(100))
                except (ssl.SSLError, OSError) as e:  # what came before it is kept
                    return got + [repr(e)]
    return got


def s2c(evs, conn):
    return [e for e in evs.conn_events(conn) if e.get("event") == "record" and e.get("dir") == "s2c"]


def check_reneg_conn(r, label, evs, conn):
    rs = s2c(evs, conn)
    prot = [x for x in rs if x.get("protected")]
    r.check(prot and all(x["integrity"] == "ok" for x in prot),
            "%s: every protected server record valid" % label,
            [x for x in prot if x["integrity"] != "ok"][:3])
    r.eq([x.get("quirk") for x in rs if x.get("quirk")], ["hello-request"],
         "%s: the HelloRequest's record names the quirk" % label)
    fin = [e for e in evs.conn_events(conn) if e.get("event") == "handshake" and e.get("msg") == "Finished"]
    # OpenSSL resumes the session in the renegotiation (no second
    # Certificate; the server's Finished first, RFC 5246 7.3); GnuTLS runs
    # a full handshake
    certs = [e for e in evs.conn_events(conn) if e.get("event") == "handshake" and
             e.get("msg") == "Certificate" and e.get("dir") == "s2c"]
    abbreviated = tp.TP_ENGINE == "openssl" and len(certs) == 1
    second = [("s2c", True), ("c2s", True)] if abbreviated else [("c2s", True), ("s2c", True)]
    r.eq([(e["dir"], e.get("verified")) for e in fin], [("c2s", True), ("s2c", True)] + second,
         "%s: both handshakes' Finished verified" % label)
    hellos = [e for e in evs.conn_events(conn) if e.get("event") == "handshake" and e.get("msg") == "ServerHello"]
    r.eq(len(hellos), 2, "%s: two ServerHellos" % label)
    v = evs.verdict(conn)
    r.check(v and v["outcome"] == "ok" and v.get("actor") in ("none", None) or v and v["outcome"] == "ok",
            "%s: verdict ok" % label, v)
    r.contains(v.get("summary", "") if v else "", "after a server-requested renegotiation (%s)" %
               ("the session resumed: an abbreviated handshake" if abbreviated else "a second full handshake"),
               "%s: the verdict names the renegotiation and its kind" % label)
    rel = (v or {}).get("relations", {}).get("renegotiation", {})
    r.check(rel.get("hello_request") is True and rel.get("allowed") is True and rel.get("client_hellos") == 1,
            "%s: relations: the server asked and allowed it" % label, rel)


def tshark(args):
    return tp.run(["tshark", "-n"] + args, timeout=60, env=TSHARK_ENV)


def check_pcap(r, path, port):
    # the server's records (the rewriter's): both Finished decrypt, in the
    # first handshake's keys and in the renegotiated ones.  (tshark leaves
    # the client's renegotiated Finished undecoded; the client path is the
    # client's own bytes, which our verifier checked above.)
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 20 && tcp.srcport == %d" % port,
                           "-T", "fields", "-e", "tcp.stream"])
    streams = out.split()
    r.check(len(streams) >= 2 and streams.count(streams[0]) == 2,
            "pcap: tshark decrypts the server's Finished of both handshakes", out + err[-300:])
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 2 && tcp.stream == 0", "-T", "fields",
                           "-e", "frame.number"])
    r.eq(len(out.split()), 2, "pcap: tshark shows both ServerHellos (the second one decrypted)", err[-300:])
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 0", "-T", "fields", "-e", "tcp.stream"])
    r.check(out.split() and out.split()[0] == streams[0], "pcap: tshark decrypts the HelloRequest", out)
    rc, out, err = tshark(["-r", path, "-Y", "tls and _ws.expert.severity >= 6291456", "-T", "fields",
                           "-e", "_ws.expert.message"])
    r.check(out.strip() == "", "pcap: tshark decrypts with no TLS warning", out[:600])


def check_hello_request(r, cert):
    srv = tp.Server(["--echo", "--timeout", "5", "--cert", cert[0], "--key", cert[1],
                     "--quirk", "hello-request"] + TLS12)
    path = os.path.join(srv.tmp, "q.pcapng")
    srv.args += ["--pcap", path]
    with srv:
        ok, out = line_client(tp.s_client(srv.port, "-tls1_2"), ["reneg-a", "reneg-b", "reneg-c"])
        r.check(ok, "hello-request: openssl s_client echoes before and after the renegotiation", out[-600:])
        srv.wait_verdicts(1, timeout=15)
        ok, out = line_client(["gnutls-cli", "--insecure", "--priority", "NORMAL:%SAFE_RENEGOTIATION",
                               "-p", str(srv.port), "127.0.0.1"], ["reneg-a", "reneg-b", "reneg-c"],
                              wait_before_send="Handshake was completed")
        r.check(ok, "hello-request: gnutls-cli echoes before and after the renegotiation", out[-600:])
        srv.wait_verdicts(2, timeout=15)
        try:
            got = python_two(srv.port)
        except (ssl.SSLError, OSError) as e:
            got = [repr(e)]
        r.eq(got, [b"first\n", b"second\n", b"third\n"], "hello-request: Python ssl echoes across it")
        evs = srv.wait_verdicts(3, timeout=15)
        srv.stop()
    for conn, who in zip(sorted({e["conn"] for e in evs.of("verdict")}), ("s_client", "gnutls-cli", "python")):
        check_reneg_conn(r, "hello-request " + who, evs, conn)
    check_pcap(r, path, srv.port)
    srv.cleanup()


def check_refused(r, cert):
    srv = tp.Server(["--echo", "--timeout", "5", "--cert", cert[0], "--key", cert[1],
                     "--quirk", "hello-request"] + TLS12)
    with srv:
        try:
            got = python_two(srv.port, no_reneg=True)
        except (ssl.SSLError, OSError) as e:
            got = [repr(e)]
        evs = srv.wait_verdicts(1, timeout=15)
    conn = evs.of("verdict")[0]["conn"]
    alerts = [e for e in evs.conn_events(conn) if e.get("event") == "alert" and e.get("dir") == "c2s"]
    r.check(any(a.get("description") == "no_renegotiation" and a.get("level") == "warning" for a in alerts),
            "refusing client: it sent a warning no_renegotiation", alerts)
    v = evs.verdict(conn) or {}
    if tp.TP_ENGINE == "openssl":
        declined_on_openssl(r, "refusing client", evs, conn, v)
        r.check(got[:1] == [b"first\n"] and "HANDSHAKE_FAILURE" in str(got[1:]),
                "refusing client (openssl): its data before the decline echoes, then handshake_failure", got)
    else:
        r.eq(got, [b"first\n", b"second\n", b"third\n"], "refusing client: its data still echoes")
        r.eq(v.get("outcome"), "ok", "refusing client: the session still counts ok", v)
    r.contains(v.get("summary", ""), "the client declined the server's renegotiation request",
               "refusing client: the verdict names its reaction")
    r.contains(v.get("summary", ""), "no_renegotiation", "refusing client: ... and its alert")
    srv.cleanup()


def declined_on_openssl(r, label, evs, conn, v):
    """libssl answers a declined HelloRequest (warning no_renegotiation) with
    fatal handshake_failure and ends the connection (the library's own
    reaction: ssl3_read_bytes); the verdict leads with the client's act."""
    alerts = [(e.get("dir"), e.get("level"), e.get("description")) for e in evs.conn_events(conn)
              if e.get("event") == "alert"]
    r.eq(alerts[-2:], [("c2s", "warning", "no_renegotiation"), ("s2c", "fatal", "handshake_failure")],
         "%s (openssl): the client's decline, then the engine's fatal handshake_failure" % label)
    r.eq((v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")),
         ("fail", "after-handshake", "server", "server-required-renegotiation"),
         "%s (openssl): outcome, phase, actor, cause" % label, v.get("summary"))
    s = v.get("summary") or ""
    r.check(s.startswith("the client declined the server's renegotiation request (HelloRequest) with "
                         "a warning no_renegotiation") and "then sent encrypted fatal handshake_failure" in s,
            "%s (openssl): the summary leads with the client's act, the server's alert after it" % label, s)


def check_client_initiated(r, cert):
    """--renegotiation allow: s_client's 'R' renegotiates and data flows after it."""
    srv = tp.Server(["--echo", "--timeout", "5", "--cert", cert[0], "--key", cert[1],
                     "--renegotiation", "allow"] + TLS12)
    with srv:
        c = tp.Client(tp.s_client(srv.port, "-tls1_2"))
        c.send("before-r\n")
        ok = bool(c.wait_output("before-r", 15))
        c.send("R\n")
        ok = ok and bool(c.wait_output("RENEGOTIATING", 15))
        c.send("after-r\n")
        ok = ok and bool(c.wait_output("after-r", 15))
        c.finish()
        evs = srv.wait_verdicts(1, timeout=15)
    r.check(ok, "--renegotiation allow: s_client echoes after its renegotiation", c.out[-500:])
    v = evs.of("verdict")[0]
    r.eq(v["outcome"], "ok", "--renegotiation allow: verdict ok", v)
    r.contains(v.get("summary", ""), "after a client-initiated renegotiation", "--renegotiation allow: named")
    rel = v.get("relations", {}).get("renegotiation", {})
    r.check(rel.get("allowed") is True and rel.get("client_hellos") == 1, "--renegotiation allow: relations", rel)
    srv.cleanup()
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--renegotiation", "maybe", "--port", "0"], timeout=10)
    r.check(rc == 2 and "--renegotiation maybe" in err and "allow, refuse" in err,
            "--renegotiation maybe: usage error naming the valid values", err)


def check_empty_ticket(r, cert):
    srv = tp.Server(["--echo", "--timeout", "3", "--cert", cert[0], "--key", cert[1],
                     "--quirk", "empty-ticket"] + TLS13)
    with srv:
        ok, out = line_client(tp.s_client(srv.port, "-tls1_3"), ["ticket-a"], timeout=8)
        r.check(not ok, "empty-ticket: s_client gets no echo", out[-400:])
        srv.wait_verdicts(1, timeout=15)
        try:
            got = tp.python_echo(srv.port, b"ticket\n")["echoed"]
        except (ssl.SSLError, OSError) as e:
            got = repr(e)
        r.check("DECODE_ERROR" in str(got).upper() or "LENGTH" in str(got).upper(),
                "empty-ticket: Python ssl fails on the ticket", got)
        evs = srv.wait_verdicts(2, timeout=15)
    rs = s2c(evs, evs.of("verdict")[0]["conn"])
    r.eq([x.get("quirk") for x in rs if x.get("quirk")], ["empty-ticket"],
         "empty-ticket: the injected record names the quirk")
    for v in evs.of("verdict")[:2]:
        r.eq((v["outcome"], v.get("actor")), ("fail", "client"), "empty-ticket conn %d: fail, client" % v["conn"], v)
        r.contains(v.get("summary", ""), "the client rejected the server's empty NewSessionTicket",
                   "empty-ticket conn %d: the verdict names the ticket" % v["conn"])
        r.contains(v.get("summary", ""), "decode_error", "empty-ticket conn %d: ... and the alert" % v["conn"])
    srv.cleanup()
    srv = tp.Server(["--echo", "--cert", cert[0], "--key", cert[1], "--quirk", "empty-ticket"] + TLS12)
    with srv:
        ok, out = line_client(tp.s_client(srv.port, "-tls1_2"), ["ticket-12"])
        r.check(ok, "empty-ticket TLS1.2: s_client echo round trip", out[-400:])
        evs = srv.wait_verdicts(1, timeout=15)
    notes = [e["text"] for e in evs.of("note") if "empty-ticket" in e.get("text", "")]
    r.eq(len(notes), 1, "empty-ticket TLS1.2: one not-applicable note", notes)
    r.check(notes and "no session tickets" in notes[0], "empty-ticket TLS1.2: the note says why", notes)
    srv.cleanup()


def check_list(r):
    rc, out, err = tp.run([tp.TLSPROBE, "list"], timeout=10)
    et = [ln for ln in out.splitlines() if ln.startswith("  empty-ticket")]
    hr = [ln for ln in out.splitlines() if ln.startswith("  hello-request")]
    r.check(len(et) == 1 and "[out of spec]" in et[0] and "mbedtls" in et[0], "list: empty-ticket line", et)
    r.check(len(hr) == 1 and "[out of spec]" not in hr[0] and "bc-java#593" in hr[0], "list: hello-request", hr)


def main():
    r = tp.Results()
    for prog in ("tshark", "openssl", "gnutls-cli"):
        if not tp.have(prog):
            print("%s not installed" % prog)
            print("0 passed, 1 failed")
            sys.exit(1)
    cert = tp.make_cert(tempfile.mkdtemp(prefix="tp-reneg-cert-"), "reneg")
    r.run(check_hello_request, cert)
    r.run(check_refused, cert)
    r.run(check_client_initiated, cert)
    r.run(check_empty_ticket, cert)
    r.run(check_list)
    r.finish()


if __name__ == "__main__":
    main()
