#!/usr/bin/env python3
"""tlsprobe serve modes against real clients over loopback.

echo (Python ssl), http (curl: HTML and text/plain, escaping, 431, a request
that never ends), interactive (stdin to the client, the client to stdout,
second clients refused), --workers 2, and SIGTERM/SIGINT: summary line and a
trace where every accept has exactly one verdict.  Every wait is bounded.
"""
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TLSPROBE = os.environ.get("TLSPROBE", "tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp-modes-")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

R = tp.Results()


SERVERS = []  # the servers of the running test (run() checks their stderr)


def Server(*args, stdin=False, env=None):
    """A started tp.Server with the given serve arguments."""
    srv = tp.Server(list(args), stdin=stdin, env=env)
    SERVERS.append(srv)
    return srv.start()


def client_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tls_connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return client_ctx().wrap_socket(s, server_hostname="localhost")


def recv_until(sock, needle, limit=1 << 20, timeout=10):
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data and len(data) < limit and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data


def recv_all(sock, timeout=10):
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data


def every_accept_one_verdict(events):
    accepts = {}
    verdicts = {}
    for e in events:
        if e["event"] == "accept":
            accepts[e["conn"]] = accepts.get(e["conn"], 0) + 1
        elif e["event"] == "verdict":
            verdicts[e["conn"]] = verdicts.get(e["conn"], 0) + 1
    ok = bool(accepts) and all(n == 1 for n in accepts.values()) and \
        all(verdicts.get(c) == 1 for c in accepts) and set(verdicts) == set(accepts)
    # per connection: accept first, verdict last (close may follow), t never goes back
    by = {}
    for e in events:
        by.setdefault(e["conn"], []).append(e)
    for c, evs in by.items():
        kinds = [e["event"] for e in evs if e["event"] != "close"]
        ts = [e["t"] for e in evs]
        if kinds[0] != "accept" or kinds[-1] != "verdict" or \
                any(b < a - 1e-6 for a, b in zip(ts, ts[1:])):
            ok = False
            verdicts.setdefault("order", []).append(c)
    return ok, accepts, verdicts


def run(name, fn):
    t0 = time.monotonic()
    del SERVERS[:]
    try:
        fn()
    except Exception as e:  # a crash in one test must not hide the others
        R.failed += 1
        print("FAIL %s: exception %r" % (name, e))
    for srv in SERVERS:
        srv.kill()
        bad = [l for l in srv.err_lines
               if "Sanitizer" in l or "runtime error:" in l or "LeakSanitizer" in l]
        R.check(not bad, "%s: no sanitizer report" % name, bad[:3])
    print("     (%s: %.1f s)" % (name, time.monotonic() - t0))


def curl(port, *extra, timeout=20):
    cmd = ["curl", "-sk", "--max-time", "10", "-D", "-", "https://127.0.0.1:%d/" % port] + list(extra)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    raw = p.stdout.decode("utf-8", "replace")
    head, _, body = raw.partition("\r\n\r\n")
    return p.returncode, head, body


# ---------------------------------------------------------------------------

def test_echo():
    srv = Server("--echo")
    try:
        with tls_connect(srv.port) as t:
            t.sendall(b"hello tlsprobe\n")
            got = recv_until(t, b"\n")
            R.check(got == b"hello tlsprobe\n", "echo: line comes back", repr(got))
            big = os.urandom(300000)
            # One SSL object must not be used from two threads: lockstep.
            back = b""
            for off in range(0, len(big), 60000):
                piece = big[off:off + 60000]
                t.sendall(piece)
                want = off + len(piece)
                deadline = time.monotonic() + 10
                while len(back) < want and time.monotonic() < deadline:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    back += chunk
            R.check(back == big, "echo: 300 kB come back intact", "%d bytes" % len(back))
    finally:
        rc = srv.stop()
    R.check(rc == 0, "echo: clean exit on SIGTERM", "rc=%r" % rc)
    R.check(srv.wait_err(r"^tlsprobe: 1 connection, 1 ok, 0 failed, 0 unused$", 5) is not None,
          "echo: summary line", srv.err_lines[-3:])
    v = srv.verdicts()
    R.check(len(v) == 1 and v[0]["outcome"] == "ok", "echo: verdict ok in trace", v)


def fragmented_echo(port, frag_len, msg=b"fragmented\n", timeout=10):
    """Full handshake whose ClientHello goes out in records of frag_len
    bytes, all in one write; then one echo.  Returns the echoed bytes."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    o = client_ctx().wrap_bio(inc, out, server_hostname="localhost")
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            o.do_handshake()
        except ssl.SSLWantReadError:
            pass
        body = out.read()[5:]
        recs = b""
        for i in range(0, len(body), frag_len):
            piece = body[i:i + frag_len]
            recs += bytes([22, 3, 1, len(piece) >> 8, len(piece) & 255]) + piece
        s.sendall(recs)
        while True:
            try:
                o.do_handshake()
                break
            except ssl.SSLWantReadError:
                pending = out.read()
                if pending:
                    s.sendall(pending)
                data = s.recv(65536)
                if not data:
                    return b""
                inc.write(data)
        o.write(msg)
        s.sendall(out.read())
        got = b""
        while not got.endswith(b"\n"):
            try:
                got += o.read(4096)
            except ssl.SSLWantReadError:
                pending = out.read()
                if pending:
                    s.sendall(pending)
                data = s.recv(65536)
                if not data:
                    break
                inc.write(data)
        return got
    finally:
        s.close()


def test_fragmented_hello():
    srv = Server("--echo", "--timeout", "5")
    try:
        for n in (1, 7, 100):
            got = fragmented_echo(srv.port, n)
            R.check(got == b"fragmented\n",
                  "fragmented ClientHello (%d-byte records in one write): handshake and echo" % n, repr(got))
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    R.check(len(v) == 3 and all(x["outcome"] == "ok" for x in v), "fragmented ClientHello: three ok verdicts",
          [x.get("summary") for x in v])


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_backpressure():
    """A client that sends but never reads: the server stops reading from
    it instead of buffering, and keeps serving others."""
    # AddressSanitizer keeps freed memory in quarantine, which would hide
    # (or fake) growth: without quarantine its RSS measures live memory too,
    # so the same bound holds in the plain and the sanitizer build.
    asan = os.environ.get("ASAN_OPTIONS", "")
    asan = (asan + ":" if asan else "") + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    srv = Server("--echo", "--timeout", "30", env={"ASAN_OPTIONS": asan})
    try:
        hog = tls_connect(srv.port, timeout=3)
        hog.sendall(b"warm up\n")
        recv_until(hog, b"\n")
        before = rss_kib(srv.proc.pid)
        sent = 0
        block = os.urandom(16384)
        try:
            while sent < 64 * 1024 * 1024:
                hog.sendall(block)
                sent += len(block)
        except (socket.timeout, ssl.SSLError, OSError):
            pass
        after = rss_kib(srv.proc.pid)
        R.check(sent < 16 * 1024 * 1024, "backpressure: the sender gets blocked", "%d bytes" % sent)
        R.check(after - before < 8 * 1024, "backpressure: server memory bounded",
              "%d -> %d KiB after %d bytes" % (before, after, sent))
        print("     backpressure: sender blocked after %d KiB; server RSS %d -> %d KiB"
              % (sent // 1024, before, after))
        with tls_connect(srv.port) as t:
            t.sendall(b"still here\n")
            R.check(recv_until(t, b"\n") == b"still here\n", "backpressure: others still served")
        hog.close()
        time.sleep(0.3)
    finally:
        srv.stop()
    ok, a, v = every_accept_one_verdict(srv.events())
    R.check(ok and len(a) == 2, "backpressure: one verdict per accept", (a, v))


def test_http_html():
    srv = Server("--http")
    try:
        rc, head, body = curl(srv.port)
        R.check(rc == 0, "http: curl succeeds", "rc=%d" % rc)
        R.check(head.startswith("HTTP/1.1 200") and
              re.search(r"(?i)content-type: text/html", head) is not None, "http: 200 text/html", head)
        R.check("<!DOCTYPE html>" in body and "</html>" in body, "http: HTML page")
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    R.check(len(v) == 1 and v[0]["outcome"] == "ok", "http: one ok verdict", v)
    if v:
        R.check(v[0].get("cipher", "?") in body and v[0].get("protocol", "?") in body,
              "http: page names the negotiated cipher and protocol",
              (v[0].get("cipher"), v[0].get("protocol")))
    hello = [e for e in srv.events() if e["event"] == "handshake" and e.get("msg") == "ClientHello"]
    offered = hello[0].get("ciphers", []) if hello else []
    names = [c if isinstance(c, str) else c.get("name", "") for c in offered]
    R.check(bool(names) and all(n in body for n in names if n),
          "http: page lists every offered suite", [n for n in names if n not in body][:5])
    R.check("JA3" in body and "JA4" in body, "http: page shows JA3 and JA4")


def test_http_plain():
    srv = Server("--http")
    try:
        rc, head, body = curl(srv.port, "-H", "Accept: text/plain")
        R.check(head.startswith("HTTP/1.1 200") and
              re.search(r"(?i)content-type: text/plain", head) is not None, "http plain: 200 text/plain", head)
        R.check("<html" not in body and "<table" not in body, "http plain: no HTML")
        R.check("Negotiated" in body and "cipher" in body, "http plain: negotiated section")
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    R.check(bool(v) and v[0].get("cipher", "?") in body, "http plain: cipher in page")
    # a browser-like Accept still gets HTML; text/plain with a lower q too
    srv = Server("--http")
    try:
        _, head1, _ = curl(srv.port, "-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8")
        _, head2, _ = curl(srv.port, "-H", "Accept: text/html, text/plain;q=0.5")
        _, head3, _ = curl(srv.port, "-H", "Accept: text/*;q=0.3, text/plain")
    finally:
        srv.stop()
    R.check(re.search(r"(?i)content-type: text/html", head1) is not None, "http accept: browser gets HTML")
    R.check(re.search(r"(?i)content-type: text/html", head2) is not None, "http accept: q decides")
    R.check(re.search(r"(?i)content-type: text/plain", head3) is not None, "http accept: exact beats wildcard")


def test_http_escape_and_limits():
    srv = Server("--http", "--timeout", "2")
    try:
        with tls_connect(srv.port) as t:
            t.sendall(b"GET /<b>x HTTP/1.1\r\nHost: x\r\nX-Test: <script>alert('x')</script>&\r\n\r\n")
            page = recv_all(t).decode("utf-8", "replace")
        R.check("&lt;script&gt;" in page and "<script>" not in page, "http escape: script escaped")
        R.check("/&lt;b&gt;x" in page, "http escape: path escaped")
        # an oversized head: 431 and close
        with tls_connect(srv.port) as t:
            t.sendall(b"GET / HTTP/1.1\r\n")
            resp = b""
            try:
                for _ in range(40):
                    t.sendall(b"X-Pad: " + b"a" * 1000 + b"\r\n")
            except (ssl.SSLError, OSError):
                pass
            resp = recv_all(t, timeout=5)
        R.check(resp.startswith(b"HTTP/1.1 431"), "http: request head over 16 KiB gets 431", resp[:60])
        # a request that never ends: closed after the timeout
        # (that the server's timeout closed it, not the client, is asserted
        # on its verdict's transport layer below)
        with tls_connect(srv.port) as t:
            t.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n")
            rest = recv_all(t, timeout=10)
        R.check(rest == b"", "http: unfinished request closed without an answer", repr(rest[:40]))
        # garbage that is not TLS: verdict, server keeps serving
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            recv_all(s, timeout=5)
        rc, head, _ = curl(srv.port)
        R.check(rc == 0 and head.startswith("HTTP/1.1 200"), "http: still serving after plain HTTP")
        time.sleep(0.3)
    finally:
        srv.stop()
    ev = srv.events()
    ok, a, v = every_accept_one_verdict(ev)
    R.check(ok and len(a) == 5, "http limits: one verdict per accept", (a, v))
    vs = srv.verdicts()
    # the TLS session worked; the application layer did not (verdict model v2)
    v3 = vs[2] if len(vs) > 2 else {}
    R.check(v3.get("outcome") == "ok" and v3.get("cause") == "app-incomplete" and
            v3.get("layers", {}).get("transport", {}).get("how") == "timeout" and
            "no complete HTTP request" in v3.get("summary", ""),
            "http limits: the unfinished request: TLS ok, no complete request, closed by the timeout", v3 or vs)
    R.check(any(x.get("phase") == "not-tls" for x in vs), "http limits: not-tls verdict",
          [x.get("phase") for x in vs])


def test_interactive():
    srv = Server("--interactive", stdin=True)
    try:
        t = tls_connect(srv.port)
        R.check(srv.wait_err(r"client .* connected", 10) is not None,
              "interactive: client connected notice", srv.err_lines[-3:])
        # a second client while the first is there: refused
        s2 = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s2w = client_ctx().wrap_socket(s2, server_hostname="localhost")
            refused = False
            s2w.close()
        except (ssl.SSLError, OSError):
            refused = True
        R.check(refused, "interactive: second client refused")
        srv.proc.stdin.write(b"hello from the server\n")
        srv.proc.stdin.flush()
        got = recv_until(t, b"\n")
        R.check(got == b"hello from the server\n", "interactive: stdin line reaches the client", repr(got))
        t.sendall(b"hello from the client\n")
        R.check(srv.wait_out(r"^< hello from the client$", 10) is not None,
              "interactive: client line printed with prefix", srv.out_lines[-5:])
        srv.proc.stdin.close()  # end of input: graceful close
        rest = recv_all(t, timeout=10)
        R.check(rest == b"", "interactive: stdin EOF closes the connection", repr(rest))
        t.close()
        rc = srv.wait_exit(15)
        R.check(rc == 0, "interactive: server returns after its client left", "rc=%r" % rc)
    finally:
        srv.kill()
    R.check(srv.wait_err(r"^tlsprobe: 2 connections, 1 ok, 1 failed, 0 unused$", 5) is not None, "interactive: summary",
          srv.err_lines[-3:])
    ok, a, v = every_accept_one_verdict(srv.events())
    R.check(ok and len(a) == 2, "interactive: one verdict per accept", (a, v))
    busy = [x for x in srv.verdicts() if x.get("cause") == "interactive-busy"]
    R.check(len(busy) == 1 and busy[0].get("phase") == "transport" and
            busy[0].get("actor") == "server" and
            "already has one; connection refused" in busy[0].get("summary", ""),
            "interactive: the second client's verdict says the server was busy", srv.verdicts())
    R.check(srv.wait_err(r"refused: --interactive already has its client", 5) is not None,
            "interactive: stderr says the second client was refused", srv.err_lines[-4:])


def test_workers():
    srv = Server("--echo", "--workers", "2")
    results = []

    def one(i):
        try:
            with tls_connect(srv.port) as t:
                msg = b"worker test %d\n" % i
                t.sendall(msg)
                results.append(recv_until(t, b"\n") == msg)
        except Exception:
            results.append(False)

    try:
        ths = [threading.Thread(target=one, args=(i,)) for i in range(12)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(timeout=30)
        time.sleep(0.3)
    finally:
        rc = srv.stop()
    R.check(len(results) == 12 and all(results), "workers 2: every client echoed", results)
    R.check(srv.wait_err(r"^tlsprobe: 12 connections, 12 ok, 0 failed, 0 unused$", 5) is not None, "workers 2: summary",
          srv.err_lines[-2:])
    conns = sorted(e["conn"] for e in srv.events() if e["event"] == "accept")
    R.check(conns == list(range(1, 13)), "workers 2: connection numbers global from 1", conns)
    R.check(rc == 0, "workers 2: clean exit")


def test_shutdown():
    srv = Server("--echo", "--timeout", "60")
    held = []
    try:
        for _ in range(2):
            t = tls_connect(srv.port)
            t.sendall(b"x\n")
            recv_until(t, b"\n")
            held.append(t)
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=5)  # sends nothing
        held.append(raw)
        half = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        half.sendall(b"\x16\x03\x01\x00\x50\x01")  # a truncated ClientHello
        held.append(half)
        time.sleep(0.5)
        rc = srv.stop(signal.SIGTERM, timeout=10)  # rc "timeout" when it does not exit
    finally:
        for h in held:
            h.close()
        srv.kill()
    R.check(rc == 0, "sigterm: exits 0 with connections still open", "rc=%r" % rc)
    R.check(srv.wait_err(r"^tlsprobe: 4 connections, 2 ok, 2 failed, 0 unused$", 5) is not None, "sigterm: summary line",
          srv.err_lines[-2:])
    ev = srv.events()
    ok, a, v = every_accept_one_verdict(ev)
    R.check(ok and len(a) == 4, "sigterm: every accept has exactly one verdict", (a, v))
    R.check(open(srv.trace_path, "rb").read().endswith(b"\n"),
          "sigterm: trace complete (last line parses, ends with newline)")
    # SIGINT does the same
    srv = Server("--echo")
    try:
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        time.sleep(0.3)
        rc = srv.stop(signal.SIGINT)
        raw.close()
    finally:
        srv.kill()
    R.check(rc == 0 and len(srv.verdicts()) == 1 and
          srv.wait_err(r"^tlsprobe: 1 connection, 0 ok, 1 failed, 0 unused$", 5) is not None, "sigint: summary and verdict", srv.err_lines[-2:])


def test_usage_errors():
    cases = [
        (["--port", "70000"], r"--port 70000: not a port \(0-65535\)"),
        (["--client-cert", "maybe"], r"--client-cert maybe: valid: none, request, require"),
        (["--key-type", "rsa:999"], r"--key-type rsa:999: unknown; valid: .*rsa:2048"),
        (["--timeout", "soon"], r"--timeout soon"),
        (["--echo", "--http"], r"--echo and --http"),
        (["--ciphers", "AES-129-GCM"], r"AES-129-GCM"),
    ]
    for args, rx in cases:
        p = subprocess.run([TLSPROBE, "serve"] + tp.engine_args(args) + args, capture_output=True,
                           timeout=30)
        err = p.stderr.decode("utf-8", "replace")
        R.check(p.returncode == 2 and re.search(rx, err) is not None, "usage: %s" % " ".join(args),
              "rc=%d %r" % (p.returncode, err[:200]))
    p = subprocess.run([TLSPROBE, "serve", "--help"], capture_output=True, timeout=30)
    text = p.stdout.decode()
    missing = [o for o in ["--port", "--listen", "--echo", "--http", "--interactive", "--priority",
                           "--protocols", "--ciphers", "--macs", "--kx", "--groups", "--sigalgs",
                           "--comp", "--cert", "--key", "--key-type", "--save-cert",
                           "--client-cert", "--timeout", "--workers", "--trace", "--keylog",
                           "--pcap", "--records", "-v", "-q"] if o not in text]
    R.check(p.returncode == 0 and not missing, "usage: --help lists every option", missing)


def main():
    tests = [test_echo, test_fragmented_hello, test_backpressure, test_http_html, test_http_plain, test_http_escape_and_limits,
             test_interactive, test_workers, test_shutdown, test_usage_errors]
    only = sys.argv[1:]
    for t in tests:
        if only and t.__name__ not in only:
            continue
        run(t.__name__, t)
    R.finish()


if __name__ == "__main__":
    main()
