#!/usr/bin/env python3
"""Smoke test: start `tlsprobe serve --echo`, one Python TLS 1.3 echo,
trace order and shape, SIGTERM summary."""

import os
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def test_smoke(r):
    srv = tp.Server(["--echo"])
    try:
        srv.start()
        r.check(srv.port and 0 < srv.port < 65536, "server printed 'listening on 127.0.0.1:PORT'",
                srv.stderr_text)
        res = tp.python_echo(srv.port, b"smoke line\n",
                             tp.python_ctx(min_v=ssl.TLSVersion.TLSv1_3))
        r.eq(res["version"], "TLSv1.3", "python negotiated TLS 1.3")
        r.eq(res["echoed"], b"smoke line\n", "echo mode sent the line back")

        # The trace is written as the connection goes, not only at exit.
        evs = srv.wait_verdicts(1, timeout=10)
        r.check(not evs.timed_out, "verdict reached the trace file while the server runs",
                "events so far: %s" % [e.get("event") for e in evs])

        rc = srv.stop()
        r.eq(rc, 0, "SIGTERM: server exits 0")
        r.eq(srv.summary, (1, 1, 0), "SIGTERM summary line: 1 connection, 1 ok, 0 failed")

        evs = srv.events()
        tp.check_trace_wellformed(r, evs)
        r.check(len(evs) > 0 and all(list(e.keys())[0] == "event" for e in evs),
                "first key of every event is \"event\"")
        conn = evs.conn_for_port(res["local_port"])
        r.eq(conn, 1, "accept event names our client's port and conn 1")
        acc = evs.accept_for_port(res["local_port"]) or {}
        r.check(str(acc.get("local", "")).endswith(":%d" % srv.port),
                "accept event's local is the listening address", acc)
        r.eq(acc.get("t"), 0, "accept t is 0")

        kinds = [e["event"] for e in evs.conn_events(conn)]
        try:
            order_ok = (kinds[0] == "accept" and kinds.index("record") < kinds.index("handshake")
                        < kinds.index("verdict") and kinds[-1] == "verdict")
        except ValueError:
            order_ok = False
        r.check(order_ok, "trace order: accept, record, handshake ..., verdict last", kinds)

        recs = evs.records(conn)
        r.check(evs.records(conn, "c2s") and evs.records(conn, "s2c"),
                "record events in both directions", [(e.get("dir"), e.get("type")) for e in recs])
        first = recs[0] if recs else {}
        r.eq((first.get("dir"), first.get("type"), first.get("protected")),
             ("c2s", "handshake", False), "first record: c2s plaintext handshake")
        r.check(isinstance(first.get("length"), int) and first.get("length", 0) > 40,
                "first record carries its length", first)
        prot = [e for e in recs if e.get("protected") is True]
        r.check(any(e.get("dir") == "c2s" for e in prot) and any(e.get("dir") == "s2c" for e in prot),
                "TLS 1.3: protected records in both directions", [(e.get("dir"), e.get("type"))
                                                                   for e in recs])
        ch = evs.client_hello(conn)
        r.check(ch is not None, "ClientHello handshake event (c2s)")
        r.check(tp.suite_listed(ch, "TLS_AES_256_GCM_SHA384", 0x1302),
                "ClientHello lists TLS_AES_256_GCM_SHA384", (ch or {}).get("ciphers"))
        r.check(tp.ja3_md5(ch) is not None, "ClientHello carries a JA3", ch)
        r.check(isinstance((ch or {}).get("ja4"), str) and (ch or {}).get("ja4", "").startswith("t13"),
                "ClientHello carries a JA4 starting t13", (ch or {}).get("ja4"))
        sh = evs.handshake(conn, "ServerHello", "s2c")
        r.check(len(sh) == 1, "one ServerHello event (s2c)")

        v = evs.verdict(conn) or {}
        r.eq(v.get("outcome"), "ok", "verdict outcome ok")
        r.eq(v.get("protocol"), "TLS1.3", "verdict protocol TLS1.3")
        r.check(v.get("cipher") in ("AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"),
                "verdict names the cipher", v)
        r.check(isinstance(v.get("summary"), str) and len(v.get("summary", "")) > 5,
                "verdict has a summary sentence", v)
    finally:
        srv.cleanup()


def test_help(r):
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--help"], timeout=10)
    r.eq(rc, 0, "serve --help exits 0")
    r.contains(out + err, "--trace", "serve --help mentions --trace")


def test_sigterm_right_away(r):
    """SIGTERM sent as soon as the listening line appears: a clean stop with
    the summary line, not death by the signal's default action."""
    for i in range(3):
        srv = tp.Server(["--echo"])
        try:
            srv.start()
            rc = srv.stop()
            r.eq(rc, 0, "SIGTERM right after 'listening on' (try %d): exit 0" % (i + 1),
                 srv.stderr_text[-300:])
            r.eq(srv.summary, (0, 0, 0), "SIGTERM right after 'listening on' (try %d): summary line" % (i + 1))
        finally:
            srv.cleanup()


if __name__ == "__main__":
    r = tp.Results()
    r.run(test_help)
    r.run(test_smoke)
    r.run(test_sigterm_right_away)
    r.finish()
