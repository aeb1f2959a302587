#!/usr/bin/env python3
"""Other real peers against `tlsprobe serve`: gnutls-cli and Python ssl
(echo mode), curl (http mode, HTML and text/plain).  The JA3 of every
ClientHello in the trace must equal tshark's tls.handshake.ja3 computed on a
loopback capture of the same connections."""

import os
import re
import signal
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


class Capture:
    """tshark on lo for the given ports, started before the clients."""

    def __init__(self, ports, path):
        self.path = path
        self.ports = ports
        filt = " or ".join("tcp port %d" % p for p in ports)
        self.proc = subprocess.Popen(["tshark", "-i", "lo", "-f", filt, "-w", path],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.started = False
        self.err = b""
        deadline = time.monotonic() + 20
        os.set_blocking(self.proc.stderr.fileno(), False)
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                b = self.proc.stderr.read()
            except (BlockingIOError, TypeError):
                b = None
            if b:
                self.err += b
            if b"Capturing on" in self.err:
                self.started = True
                break
            time.sleep(0.05)
        time.sleep(0.3)

    def stop(self):
        time.sleep(0.5)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client_hellos(self):
        """[(srcport, dstport, ja3_md5, ja3_full)] from the capture."""
        cmd = ["tshark", "-r", self.path]
        for p in self.ports:
            cmd += ["-d", "tcp.port==%d,tls" % p]
        cmd += ["-Y", "tls.handshake.type == 1", "-T", "fields", "-E", "separator=|",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tls.handshake.ja3",
                "-e", "tls.handshake.ja3_full"]
        rc, out, err = tp.run(cmd, timeout=60)
        rows = []
        for line in out.splitlines():
            f = line.split("|")
            if len(f) >= 4 and f[0].isdigit():
                rows.append((int(f[0]), int(f[1]), f[2], f[3]))
        return rows, err


def test_peers(r):
    echo = tp.Server(["--echo"])
    http = tp.Server(["--http"])
    cap = None
    try:
        echo.start()
        http.start()
        cap = Capture([echo.port, http.port], os.path.join(echo.tmp, "lo.pcapng"))
        r.check(cap.started, "tshark capturing on lo", cap.err.decode("utf-8", "replace")[-500:])

        # -- gnutls-cli, echo mode, twice: default and TLS 1.2 only
        echo_conn = 0
        gcases = [("gnutls-cli default", [], "TLS1.3"),
                  ("gnutls-cli TLS1.2", ["--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2"], "TLS1.2")]
        for label, extra, proto in gcases:
            echo_conn += 1
            line = "gnutls-line-%d" % echo_conn
            echoed, rc, out = tp.echo_exchange(
                ["gnutls-cli", "--insecure", "-p", str(echo.port), "127.0.0.1"] + extra, line,
                wait_before_send="Handshake was completed")
            r.check(echoed, "%s: line echoed back" % label, out[-1500:])
            evs = echo.wait_conn_verdict(echo_conn)
            v = evs.verdict(echo_conn) or {}
            r.eq(v.get("outcome"), "ok", "%s: verdict ok" % label)
            r.eq(v.get("protocol"), proto, "%s: verdict protocol" % label)
            m = re.search(r"\(TLS1\.[0-3][^)]*\)-\(([^)]+)\)-\(([^)]+)\)-\(([^)]+)\)", out)
            if m and proto == "TLS1.2":
                # gnutls-cli: "- Description: (TLS1.2)-(ECDHE-SECP256R1)-(RSA-SHA256)-(AES-256-GCM)"
                r.eq(v.get("cipher"), m.group(3), "%s: verdict cipher equals gnutls-cli's" % label)
            ch = evs.client_hello(echo_conn)
            r.check(ch and tp.suite_listed(ch, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F),
                    "%s: ClientHello lists TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" % label)
            r.check(evs.records(echo_conn, "c2s") and evs.records(echo_conn, "s2c"),
                    "%s: records both ways" % label)

        # -- Python ssl, echo mode: TLS 1.3 and TLS 1.2
        pcases = [("python TLS1.3", tp.python_ctx(min_v=ssl.TLSVersion.TLSv1_3), "TLS1.3"),
                  ("python TLS1.2", tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2,
                                                  ciphers="ECDHE-RSA-AES128-GCM-SHA256"), "TLS1.2")]
        for label, ctx, proto in pcases:
            echo_conn += 1
            res = tp.python_echo(echo.port, b"py %d\n" % echo_conn, ctx)
            r.eq(res["echoed"], b"py %d\n" % echo_conn, "%s: line echoed back" % label)
            evs = echo.wait_conn_verdict(echo_conn)
            r.eq(evs.conn_for_port(res["local_port"]), echo_conn, "%s: accept names our port" % label)
            v = evs.verdict(echo_conn) or {}
            r.eq(v.get("outcome"), "ok", "%s: verdict ok" % label)
            r.eq(v.get("protocol"), proto, "%s: verdict protocol" % label)
            if proto == "TLS1.2":
                r.eq((v.get("kx"), v.get("cipher"), v.get("mac")), ("ECDHE-RSA", "AES-128-GCM", "AEAD"),
                     "%s: verdict kx/cipher/mac" % label)

        # -- curl, http mode: HTML, then text/plain
        http_conn = 0
        for label, hdrs, ctype in [("curl html", [], "text/html"),
                                   ("curl text/plain", ["-H", "Accept: text/plain"], "text/plain")]:
            http_conn += 1
            rc, out, err = tp.run(["curl", "-sk", "--max-time", "15", "-D", "-"] + hdrs +
                                  ["https://127.0.0.1:%d/" % http.port], timeout=30)
            r.eq(rc, 0, "%s: curl exits 0" % label)
            head, _, body = out.partition("\r\n\r\n")
            r.check(re.search(r"^HTTP/\S+ 200", head), "%s: status 200" % label, head[:300])
            m = re.search(r"(?im)^content-type:\s*([^;\r\n]+)", head)
            r.eq(m.group(1).strip().lower() if m else None, ctype, "%s: Content-Type" % label)
            evs = http.wait_conn_verdict(http_conn)
            v = evs.verdict(http_conn) or {}
            r.eq(v.get("outcome"), "ok", "%s: verdict ok" % label)
            ch = evs.client_hello(http_conn)
            md5 = tp.ja3_md5(ch)
            r.check(md5 and md5 in body, "%s: page shows this connection's JA3 (%s)" % (label, md5),
                    body[:800])
            ja4 = (ch or {}).get("ja4")
            r.check(ja4 and ja4 in body, "%s: page shows this connection's JA4" % label)
            r.contains(body, "TLS1.3", "%s: page shows the negotiated protocol" % label)
            r.contains(body, "TLS_AES_128_GCM_SHA256", "%s: page lists an offered suite" % label)
            r.check("supported_versions" in body and "key_share" in body, "%s: page shows the extensions" % label)
            if ctype == "text/plain":
                r.check("<html" not in body.lower(), "%s: no HTML in the text page" % label)
            else:
                r.check("<html" in body.lower(), "%s: HTML page" % label)

        cap.stop()
        echo.stop()
        http.stop()
        eevs, hevs = echo.events(), http.events()
        tp.check_trace_wellformed(r, eevs, "echo")
        tp.check_trace_wellformed(r, hevs, "http")
        r.eq(echo.summary, (echo_conn, echo_conn, 0), "echo server summary")
        r.eq(http.summary, (http_conn, http_conn, 0), "http server summary")

        # -- JA3 against tshark, per connection
        rows, err = cap.client_hellos()
        r.eq(len(rows), echo_conn + http_conn, "tshark saw one ClientHello per connection", err[-500:])
        for src, dst, ja3, ja3_full in rows:
            evs = eevs if dst == echo.port else hevs
            conn = evs.conn_for_port(src)
            ch = evs.client_hello(conn) if conn else None
            r.eq(tp.ja3_md5(ch), ja3, "JA3 of conn %s (port %d->%d) equals tshark's" % (conn, src, dst))
            ours = tp.ja3_string(ch)
            if ours is not None:
                r.eq(ours, ja3_full, "JA3 string of conn %s equals tshark's ja3_full" % conn)
    finally:
        if cap:
            cap.stop()
        echo.cleanup()
        http.cleanup()


if __name__ == "__main__":
    r = tp.Results()
    r.run(test_peers)
    r.finish()
