#!/usr/bin/env python3
"""Bad input on the port: garbage, plain HTTP, SMTP, truncated records,
oversized records, a ClientHello in 1-byte records, silent and stalled
clients, a client with no suite in common, 200 parallel garbage connections.
Each connection gets exactly one verdict and the server keeps serving."""

import os
import re
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TIMEOUT = 2  # server --timeout


def raw_send(port, data, close=True, wait_close=True):
    """Connects, sends bytes, optionally waits for the server to close.
    Returns (local_port, server_closed, bytes_from_server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    lp = s.getsockname()[1]
    if data:
        s.sendall(data)
    closed, got = (False, b"")
    if wait_close:
        closed, got = tp.wait_closed(s, TIMEOUT + 8)
    if close:
        s.close()
    return lp, closed, got, s


def good_client(r, srv, label):
    res = tp.python_echo(srv.port, b"still serving\n")
    r.eq(res["echoed"], b"still serving\n", "%s: a normal client still gets its echo" % label)
    return res["local_port"]


def verdict_for(srv, port, timeout=TIMEOUT + 8):
    evs = srv.wait_for(lambda e: e.conn_for_port(port) and e.verdict(e.conn_for_port(port)),
                       timeout)
    c = evs.conn_for_port(port)
    return evs, c, (evs.verdict(c) if c else None) or {}


def test_bad_input(r):
    srv = tp.Server(["--echo", "--timeout", str(TIMEOUT)])
    ports = []
    try:
        srv.start()

        # garbage
        lp, closed, got, _ = raw_send(srv.port, b"\xde\xad\xbe\xef" * 64)
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.check(closed, "garbage: server closes the connection")
        r.eq(v.get("outcome"), "fail", "garbage: verdict fail")
        r.eq(v.get("phase"), "not-tls", "garbage: phase not-tls")
        r.check(re.search(r"not tls|not a tls|garbage", v.get("summary", ""), re.I),
                "garbage: summary says it is not TLS", v.get("summary"))

        # plain HTTP
        lp, closed, got, _ = raw_send(srv.port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.check(closed, "plain HTTP: server closes the connection")
        r.eq(v.get("outcome"), "fail", "plain HTTP: verdict fail")
        r.eq(v.get("phase"), "not-tls", "plain HTTP: phase not-tls")
        r.check(re.search(r"plain HTTP", v.get("summary", ""), re.I),
                "plain HTTP: summary mentions plain HTTP", v.get("summary"))
        r.check("GET / HTTP/1.1" in v.get("summary", ""), "plain HTTP: summary quotes the request line",
                v.get("summary"))

        # SMTP-like
        lp, closed, got, _ = raw_send(srv.port, b"EHLO x\r\n")
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.eq(v.get("outcome"), "fail", "SMTP EHLO: verdict fail")
        r.eq(v.get("phase"), "not-tls", "SMTP EHLO: phase not-tls")
        r.check(re.search(r"SMTP|EHLO", v.get("summary", "")), "SMTP EHLO: summary names it",
                v.get("summary"))

        # truncated record, then close
        ch, _, _, _ = tp.client_hello_bytes()
        lp, closed, got, _ = raw_send(srv.port, ch[:60], wait_close=False)
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.eq(v.get("outcome"), "fail", "truncated record: verdict fail")
        r.eq(v.get("phase"), "handshake", "truncated record: phase handshake")
        r.check(re.search(r"clos|truncat|incomplete|partial", v.get("summary", ""), re.I),
                "truncated record: summary says the client closed mid-record", v.get("summary"))

        # record length over 2^14 + 2048
        big = 2 ** 14 + 2048 + 1
        lp, closed, got, _ = raw_send(srv.port, bytes([22, 3, 1]) + big.to_bytes(2, "big") + b"\x01" * 200)
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.check(closed, "oversized record: server closes without waiting for the body")
        r.eq(v.get("outcome"), "fail", "oversized record: verdict fail")
        r.check(re.search(r"overflow|too long|length|%d" % big, v.get("summary", ""), re.I),
                "oversized record: summary names the length problem", v.get("summary"))
        recs = evs.records(c, "c2s") if c else []
        r.check(any(e.get("length") == big for e in recs) or str(big) in v.get("summary", ""),
                "oversized record: trace shows length %d" % big,
                [(e.get("length"), e.get("type")) for e in recs])

        two_records_one_write(r, srv, ports)
        one_byte_records(r, srv, ports)

        # connects and sends nothing
        lp, closed, got, _ = raw_send(srv.port, b"")
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.check(closed, "silent client: the server closed it")
        r.eq(v.get("outcome"), "fail", "silent client: verdict fail")
        r.eq(v.get("phase"), "timeout", "silent client: phase timeout")
        # the trace's own clock: the server waited out its --timeout first
        r.check(isinstance(v.get("t"), (int, float)) and v["t"] >= TIMEOUT - 0.01,
                "silent client: verdict t is not before the timeout", v.get("t"))
        r.check(re.search(r"nothing|no bytes|0 bytes|silent", v.get("summary", ""), re.I),
                "silent client: summary says it sent nothing", v.get("summary"))

        # stops after the ClientHello
        lp, closed, got, _ = raw_send(srv.port, ch)
        ports.append(lp)
        evs, c, v = verdict_for(srv, lp)
        r.check(closed and len(got) > 0, "stalled client: server answered, then closed at timeout")
        r.eq(v.get("outcome"), "fail", "stalled client: verdict fail")
        r.eq(v.get("phase"), "timeout", "stalled client: phase timeout")
        s = v.get("summary", "")
        r.check("stall" in s.lower(), "stalled client: summary says stalled", s)
        nums = [int(x) for x in re.findall(r"\d+", s)]
        r.check(len(ch) in nums, "stalled client: summary says stalled after %d bytes" % len(ch), s)
        r.check(c and evs.client_hello(c) is not None, "stalled client: ClientHello decoded")
        r.check(c and evs.handshake(c, "ServerHello", "s2c"),
                "stalled client: server's ServerHello in the trace")

        ports.append(good_client(r, srv, "after bad input"))

        # 200 parallel garbage connections, then a good one
        socks = []
        for i in range(200):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            socks.append(s)
        for i, s in enumerate(socks):
            try:
                s.sendall(b"\x00garbage %d\r\n" % i * 8)
            except OSError:
                pass
        par_ports = [s.getsockname()[1] for s in socks]
        ports.append(good_client(r, srv, "during 200 garbage connections"))
        for s in socks:
            tp.wait_closed(s, 5)
            s.close()
        ports += par_ports
        evs = srv.wait_verdicts(len(ports), timeout=TIMEOUT + 10)
        got = [evs.verdict(evs.conn_for_port(p)) for p in par_ports]
        r.check(all(g and g.get("phase") == "not-tls" for g in got),
                "200 garbage connections: each has a not-tls verdict",
                "%d of 200; the others: %r" % (
                    sum(1 for g in got if g and g.get("phase") == "not-tls"),
                    [(p, g and (g.get("phase"), g.get("summary"))) for p, g in zip(par_ports, got)
                     if not g or g.get("phase") != "not-tls"][:5]))
        r.check(srv.alive(), "server still running")

        srv.stop()
        r.eq(srv.rc, 0, "server exits 0 on SIGTERM")
        evs = srv.events()
        tp.check_trace_wellformed(r, evs)
        r.eq(len(evs.conns()), len(ports), "one accept per connection we made")
        r.eq(len(evs.of("verdict")), len(ports), "one verdict per connection we made")
        ok = sum(1 for v in evs.of("verdict") if v.get("outcome") == "ok")
        r.eq(srv.summary, (len(ports), ok, len(ports) - ok), "summary line agrees with the trace")
    finally:
        srv.cleanup()


def one_byte_records(r, srv, ports):
    """A real ClientHello re-framed into 1-byte records, then the handshake
    goes on through the same SSLObject."""
    label = "1-byte records"
    data, obj, inc, out = tp.client_hello_bytes()
    recs = tp.split_records(data)
    r.check(len(recs) == 1 and recs[0][0] == 22, "%s: python produced one handshake record" % label)
    typ, ver, body = recs[0]
    framed = b"".join(bytes([22]) + ver.to_bytes(2, "big") + b"\x00\x01" + body[i:i + 1]
                      for i in range(len(body)))
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    ports.append(s.getsockname()[1])
    s.sendall(framed)
    done = False
    echoed = b""
    deadline = time.monotonic() + 10
    try:
        while not done and time.monotonic() < deadline:
            b = tp.recv_some(s, 5)
            if not b:
                break
            inc.write(b)
            try:
                obj.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                pass
            pending = out.read()
            if pending:
                s.sendall(pending)
        if done:
            obj.write(b"tiny records\n")
            s.sendall(out.read())
            while b"\n" not in echoed and time.monotonic() < deadline:
                b = tp.recv_some(s, 5)
                if not b:
                    break
                inc.write(b)
                try:
                    echoed += obj.read(4096)
                except ssl.SSLWantReadError:
                    pass
                pending = out.read()
                if pending:
                    s.sendall(pending)
    except ssl.SSLError as e:
        echoed = repr(e).encode()
    finally:
        s.close()
    evs, c, v = verdict_for(srv, ports[-1])
    recs = evs.records(c, "c2s") if c else []
    ones = [e for e in recs if e.get("length") == 1]
    r.check(len(ones) >= len(body), "%s: trace shows %d one-byte records (c2s)" % (label, len(body)),
            "%d of length 1" % len(ones))
    ch = evs.client_hello(c) if c else None
    r.check(ch is not None and tp.suite_listed(ch, "TLS_AES_128_GCM_SHA256", 0x1301),
            "%s: ClientHello reassembled and decoded" % label)
    r.check(ch and tp.ja3_md5(ch), "%s: JA3 of the reassembled ClientHello" % label)
    if done and echoed == b"tiny records\n":
        r.eq(v.get("outcome"), "ok", "%s: handshake completed, verdict ok" % label)
    else:
        r.check(re.search(r"1-byte|one-byte|fragment|split", v.get("summary", ""), re.I),
                "%s: handshake did not complete; verdict names the fragmentation" % label,
                "done=%s echoed=%r verdict=%s" % (done, echoed, v))


def two_records_one_write(r, srv, ports):
    """The smallest form of the split ClientHello: two records, one write."""
    data, obj, inc, out = tp.client_hello_bytes()
    typ, ver, body = tp.split_records(data)[0]
    half = len(body) // 2
    framed = b"".join(bytes([22]) + ver.to_bytes(2, "big") + len(p).to_bytes(2, "big") + p
                      for p in (body[:half], body[half:]))
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    ports.append(s.getsockname()[1])
    s.sendall(framed)
    b = tp.recv_some(s, TIMEOUT + 1)
    r.check(b and b[0] == 22, "ClientHello in 2 records sent in one write: server answers with a handshake",
            repr(b[:16]) if b else "no answer before the timeout")
    s.close()
    evs, c, v = verdict_for(srv, ports[-1])
    r.check(c and evs.client_hello(c) is not None, "ClientHello in 2 records: decoded in the trace")


def test_no_shared_suite(r):
    srv = tp.Server(["--echo", "--timeout", str(TIMEOUT), "--ciphers", "AES-256-GCM"])
    try:
        srv.start()
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-cipher", "AES128-SHA", "-tls1_2"),
                                           "nope", timeout=5)
        r.check(not echoed, "no shared suite: client gets no echo")
        evs = srv.wait_verdicts(1)
        v = evs.verdict(1) or {}
        r.eq(v.get("outcome"), "fail", "no shared suite: verdict fail")
        r.eq(v.get("phase"), "handshake", "no shared suite: phase handshake")
        s = v.get("summary", "")
        r.check(re.search(r"\bno\b.*(suite|cipher)", s, re.I),
                "no shared suite: summary says no suite in common", s)
        r.check("AES-128-CBC" in s or "TLS_RSA_WITH_AES_128_CBC_SHA" in s or "AES128-SHA" in s,
                "no shared suite: summary names what the client offered", s)
        r.check("AES-256-GCM" in s or "AES_256_GCM" in s,
                "no shared suite: summary names what the server allows", s)
        a = v.get("alert") or {}
        r.eq((a.get("from"), a.get("description")), ("server", "handshake_failure"),
             "no shared suite: server sent handshake_failure")
        al = evs.of("alert", 1, dir="s2c")
        r.check(al and al[0].get("description") == "handshake_failure",
                "no shared suite: alert event s2c handshake_failure", al)
        r.check(not evs.handshake(1, "ServerHello"), "no shared suite: no ServerHello")
        # the same server still serves a client that offers AES-256-GCM
        res = tp.python_echo(srv.port, b"ok\n")
        r.eq(res["echoed"], b"ok\n", "no shared suite: a compatible client still served")
        srv.stop()
        r.eq(srv.summary, (2, 1, 1), "no shared suite: summary 2 connections, 1 ok, 1 failed")
        tp.check_trace_wellformed(r, srv.events(), "no shared suite")
    finally:
        srv.cleanup()


if __name__ == "__main__":
    r = tp.Results()
    r.run(test_bad_input)
    r.run(test_no_shared_suite)
    r.finish()
