#!/usr/bin/env python3
"""The verdict as `tlsprobe serve` prints it (trace format version 2): the
text line `[N] WORD (phase, actor, seconds): summary`, the layers line at -v,
the JSON layers, and the end-of-run summary counting unused connections
apart from ok and failed ones."""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

LINE_RE = re.compile(r"^\[(\d+)\] (OK|FAIL|UNUSED) \(([a-z-]+)(?:, (client|server|network))?, "
                     r"(\d+\.\d{3}) s\): (.+)$")


def test_lines_and_summary(r):
    with tp.Server(["--echo", "-v"]) as srv:
        # 1: a socket opened and closed without a byte
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5):
            time.sleep(0.1)
        srv.wait_conn_verdict(1, timeout=10)
        # 2: a session that works
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-quiet"), "serve-verdict")
        r.check(echoed, "s_client: echoed", out[-300:])
        srv.wait_conn_verdict(2, timeout=10)
        # 3: plain HTTP to the TLS port
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            tp.wait_closed(s, 5)
        srv.wait_conn_verdict(3, timeout=10)
        srv.stop()
    lines = {}
    for line in srv.out_lines:
        m = LINE_RE.match(line)
        if m:
            lines[int(m.group(1))] = m.groups()
    r.eq(lines.get(1, ())[1:4], ("UNUSED", "transport", "client"), "unused: word, phase, actor",
         srv.stdout_text[-1500:])
    r.eq(lines.get(2, ())[1:4], ("OK", "after-handshake", None),
         "ok: word and phase, no actor when nobody failed", srv.stdout_text[-1500:])
    r.eq(lines.get(3, ())[1:4], ("FAIL", "not-tls", "client"), "not TLS: word, phase, actor")
    layers = [l for l in srv.out_lines if re.match(r"^\[2\]   layers: transport opened by client", l)]
    r.check(layers and "handshake done" in layers[0] and "records c2s" in layers[0] and
            "app " in layers[0] and "exchanged" in layers[0], "-v: the layers line", layers)
    r.check(srv.wait_err(r"^tlsprobe: 3 connections, 1 ok, 1 failed, 1 unused$", 5) is not None,
            "summary line counts the unused connection apart", srv.err_lines[-3:])
    r.eq(srv.summary, (3, 1, 1), "summary still reads connections, ok, failed")
    evs = srv.events()
    v1, v2 = evs.verdict(1) or {}, evs.verdict(2) or {}
    r.eq((v1.get("outcome"), v1.get("cause")), ("unused", "unused-connection"), "trace: unused")
    lay = v2.get("layers") or {}
    r.eq(lay.get("transport", {}).get("opened_by"), "client", "trace: transport opened by client")
    r.check(lay.get("handshake", {}).get("done") is True, "trace: handshake done")
    rec = lay.get("records", {})
    r.check(rec.get("c2s", {}).get("protected", 0) >= 1 and rec.get("c2s", {}).get("bad") == 0 and
            rec.get("s2c", {}).get("ok") == rec.get("s2c", {}).get("protected"),
            "trace: every protected record checked ok both ways", rec)
    app = lay.get("app", {})
    r.check(app.get("fit") == "exchanged" and app.get("c2s_bytes", 0) > 0 and
            app.get("c2s_bytes") == app.get("s2c_bytes"), "trace: app bytes echoed", app)


def main():
    r = tp.Results()
    r.run(test_lines_and_summary)
    r.finish()


if __name__ == "__main__":
    main()
