#!/usr/bin/env python3
"""tlsprobe serve modes against real clients over loopback.

echo (Python ssl), http (curl: HTML and text/plain, escaping, 431, a request
that never ends), interactive (stdin to the client, the client to stdout,
second clients refused), --workers 2, and SIGTERM/SIGINT: summary line and a
trace where every accept has exactly one verdict.  Every wait is bounded.
"""
import json
import os
import queue
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

T = tp.Tally()
check = T.check


def _sanitized(path):
    try:
        with open(path, "rb") as f:
            return b"AddressSanitizer" in f.read()
    except OSError:
        return False


SANITIZED = _sanitized(TLSPROBE)


class Server:
    """One `tlsprobe serve` subprocess; stderr/stdout collected by threads."""

    all = []

    def __init__(self, *args, stdin=False):
        Server.all.append(self)
        self.trace = os.path.join(TMP, "trace-%d-%d.jsonl" % (os.getpid(), time.monotonic_ns()))
        cmd = [TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0",
               "--trace", self.trace] + list(args)
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err_lines = []
        self.out_lines = []
        self.err_q = queue.Queue()
        self.out_q = queue.Queue()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err_lines, self.err_q),
                             daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.out_lines, self.out_q),
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        m = self.wait_err(r"listening on 127\.0\.0\.1:(\d+)", 60)
        if not m:
            self.kill()
            raise RuntimeError("server did not start: %r" % self.err_lines)
        self.port = int(m.group(1))

    @staticmethod
    def _pump(pipe, lines, q):
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            q.put(line)
        q.put(None)

    @staticmethod
    def _wait(lines, q, pattern, timeout):
        rx = re.compile(pattern)
        for line in list(lines):
            m = rx.search(line)
            if m:
                return m
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = q.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                # the stream ended; the line may have been seen earlier
                for l in list(lines):
                    m = rx.search(l)
                    if m:
                        return m
                return None
            m = rx.search(line)
            if m:
                return m

    def wait_err(self, pattern, timeout=10):
        return self._wait(self.err_lines, self.err_q, pattern, timeout)

    def wait_out(self, pattern, timeout=10):
        return self._wait(self.out_lines, self.out_q, pattern, timeout)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout=15):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        for t in self._threads:
            t.join(timeout=5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def events(self):
        out = []
        with open(self.trace) as f:
            for line in f:
                out.append(json.loads(line))
        return out

    def verdicts(self):
        return [e for e in self.events() if e["event"] == "verdict"]


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
    Server.all = []
    try:
        fn()
    except Exception as e:  # a crash in one test must not hide the others
        T.failed += 1
        print("FAIL %s: exception %r" % (name, e))
    for srv in Server.all:
        srv.kill()
        bad = [l for l in srv.err_lines
               if "Sanitizer" in l or "runtime error:" in l or "LeakSanitizer" in l]
        check("%s: no sanitizer report" % name, not bad, bad[:3])
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
            check("echo: line comes back", got == b"hello tlsprobe\n", repr(got))
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
            check("echo: 300 kB come back intact", back == big, "%d bytes" % len(back))
    finally:
        rc = srv.stop()
    check("echo: clean exit on SIGTERM", rc == 0, "rc=%r" % rc)
    check("echo: summary line",
          srv.wait_err(r"^tlsprobe: 1 connection, 1 ok, 0 failed(, \d+ unused)?$", 5) is not None, srv.err_lines[-3:])
    v = srv.verdicts()
    check("echo: verdict ok in trace", len(v) == 1 and v[0]["outcome"] == "ok", v)


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
            check("fragmented ClientHello (%d-byte records in one write): handshake and echo" % n,
                  got == b"fragmented\n", repr(got))
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    check("fragmented ClientHello: three ok verdicts", len(v) == 3 and all(x["outcome"] == "ok" for x in v),
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
    srv = Server("--echo", "--timeout", "30")
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
        check("backpressure: the sender gets blocked", sent < 16 * 1024 * 1024, "%d bytes" % sent)
        # (AddressSanitizer keeps freed memory in quarantine: RSS says nothing there)
        check("backpressure: server memory bounded", SANITIZED or after - before < 8 * 1024,
              "%d -> %d KiB after %d bytes" % (before, after, sent))
        print("     backpressure: sender blocked after %d KiB; server RSS %d -> %d KiB"
              % (sent // 1024, before, after))
        with tls_connect(srv.port) as t:
            t.sendall(b"still here\n")
            check("backpressure: others still served", recv_until(t, b"\n") == b"still here\n")
        hog.close()
        time.sleep(0.3)
    finally:
        srv.stop()
    ok, a, v = every_accept_one_verdict(srv.events())
    check("backpressure: one verdict per accept", ok and len(a) == 2, (a, v))


def test_http_html():
    srv = Server("--http")
    try:
        rc, head, body = curl(srv.port)
        check("http: curl succeeds", rc == 0, "rc=%d" % rc)
        check("http: 200 text/html", head.startswith("HTTP/1.1 200") and
              re.search(r"(?i)content-type: text/html", head) is not None, head)
        check("http: HTML page", "<!DOCTYPE html>" in body and "</html>" in body)
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    check("http: one ok verdict", len(v) == 1 and v[0]["outcome"] == "ok", v)
    if v:
        check("http: page names the negotiated cipher and protocol",
              v[0].get("cipher", "?") in body and v[0].get("protocol", "?") in body,
              (v[0].get("cipher"), v[0].get("protocol")))
    hello = [e for e in srv.events() if e["event"] == "handshake" and e.get("msg") == "ClientHello"]
    offered = hello[0].get("ciphers", []) if hello else []
    names = [c if isinstance(c, str) else c.get("name", "") for c in offered]
    check("http: page lists every offered suite",
          bool(names) and all(n in body for n in names if n), [n for n in names if n not in body][:5])
    check("http: page shows JA3 and JA4", "JA3" in body and "JA4" in body)


def test_http_plain():
    srv = Server("--http")
    try:
        rc, head, body = curl(srv.port, "-H", "Accept: text/plain")
        check("http plain: 200 text/plain", head.startswith("HTTP/1.1 200") and
              re.search(r"(?i)content-type: text/plain", head) is not None, head)
        check("http plain: no HTML", "<html" not in body and "<table" not in body)
        check("http plain: negotiated section", "Negotiated" in body and "cipher" in body)
        time.sleep(0.3)
    finally:
        srv.stop()
    v = srv.verdicts()
    check("http plain: cipher in page", bool(v) and v[0].get("cipher", "?") in body)
    # a browser-like Accept still gets HTML; text/plain with a lower q too
    srv = Server("--http")
    try:
        _, head1, _ = curl(srv.port, "-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8")
        _, head2, _ = curl(srv.port, "-H", "Accept: text/html, text/plain;q=0.5")
        _, head3, _ = curl(srv.port, "-H", "Accept: text/*;q=0.3, text/plain")
    finally:
        srv.stop()
    check("http accept: browser gets HTML", re.search(r"(?i)content-type: text/html", head1) is not None)
    check("http accept: q decides", re.search(r"(?i)content-type: text/html", head2) is not None)
    check("http accept: exact beats wildcard", re.search(r"(?i)content-type: text/plain", head3) is not None)


def test_http_escape_and_limits():
    srv = Server("--http", "--timeout", "2")
    try:
        with tls_connect(srv.port) as t:
            t.sendall(b"GET /<b>x HTTP/1.1\r\nHost: x\r\nX-Test: <script>alert('x')</script>&\r\n\r\n")
            page = recv_all(t).decode("utf-8", "replace")
        check("http escape: script escaped", "&lt;script&gt;" in page and "<script>" not in page)
        check("http escape: path escaped", "/&lt;b&gt;x" in page)
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
        check("http: request head over 16 KiB gets 431", resp.startswith(b"HTTP/1.1 431"), resp[:60])
        # a request that never ends: closed after the timeout
        t0 = time.monotonic()
        with tls_connect(srv.port) as t:
            t.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n")
            rest = recv_all(t, timeout=10)
        took = time.monotonic() - t0
        check("http: unfinished request closed by the timeout", rest == b"" and 1.5 < took < 8,
              "%.1f s %r" % (took, rest[:40]))
        # garbage that is not TLS: verdict, server keeps serving
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            recv_all(s, timeout=5)
        rc, head, _ = curl(srv.port)
        check("http: still serving after plain HTTP", rc == 0 and head.startswith("HTTP/1.1 200"))
        time.sleep(0.3)
    finally:
        srv.stop()
    ev = srv.events()
    ok, a, v = every_accept_one_verdict(ev)
    check("http limits: one verdict per accept", ok and len(a) == 5, (a, v))
    vs = srv.verdicts()
    # TLS worked; the application layer names what was missing
    check("http limits: timeout verdict for the unfinished request",
          len(vs) >= 3 and vs[2]["outcome"] == "ok" and vs[2].get("cause") == "app-incomplete" and
          "no complete HTTP request" in vs[2].get("summary", ""), vs[2] if len(vs) > 2 else vs)
    check("http limits: not-tls verdict", any(x.get("phase") == "not-tls" for x in vs),
          [x.get("phase") for x in vs])


def test_interactive():
    srv = Server("--interactive", stdin=True)
    try:
        t = tls_connect(srv.port)
        check("interactive: client connected notice",
              srv.wait_err(r"client .* connected", 10) is not None, srv.err_lines[-3:])
        # a second client while the first is there: refused
        s2 = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s2w = client_ctx().wrap_socket(s2, server_hostname="localhost")
            refused = False
            s2w.close()
        except (ssl.SSLError, OSError):
            refused = True
        check("interactive: second client refused", refused)
        srv.proc.stdin.write(b"hello from the server\n")
        srv.proc.stdin.flush()
        got = recv_until(t, b"\n")
        check("interactive: stdin line reaches the client", got == b"hello from the server\n", repr(got))
        t.sendall(b"hello from the client\n")
        check("interactive: client line printed with prefix",
              srv.wait_out(r"^< hello from the client$", 10) is not None, srv.out_lines[-5:])
        srv.proc.stdin.close()  # end of input: graceful close
        rest = recv_all(t, timeout=10)
        check("interactive: stdin EOF closes the connection", rest == b"", repr(rest))
        t.close()
        rc = srv.wait_exit(15)
        check("interactive: server returns after its client left", rc == 0, "rc=%r" % rc)
    finally:
        srv.kill()
    check("interactive: summary", srv.wait_err(r"^tlsprobe: 2 connections, 1 ok, 1 failed(, \d+ unused)?$", 5) is not None,
          srv.err_lines[-3:])
    ok, a, v = every_accept_one_verdict(srv.events())
    check("interactive: one verdict per accept", ok and len(a) == 2, (a, v))


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
    check("workers 2: every client echoed", len(results) == 12 and all(results), results)
    check("workers 2: summary", srv.wait_err(r"^tlsprobe: 12 connections, 12 ok, 0 failed(, \d+ unused)?$", 5) is not None,
          srv.err_lines[-2:])
    conns = sorted(e["conn"] for e in srv.events() if e["event"] == "accept")
    check("workers 2: connection numbers global from 1", conns == list(range(1, 13)), conns)
    check("workers 2: clean exit", rc == 0)


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
        t0 = time.monotonic()
        rc = srv.stop(signal.SIGTERM)
        took = time.monotonic() - t0
    finally:
        for h in held:
            h.close()
        srv.kill()
    check("sigterm: exits 0 promptly", rc == 0 and took < 5, "rc=%r %.1f s" % (rc, took))
    check("sigterm: summary line", srv.wait_err(r"^tlsprobe: 4 connections, 2 ok, 2 failed(, \d+ unused)?$", 5) is not None,
          srv.err_lines[-2:])
    ev = srv.events()
    ok, a, v = every_accept_one_verdict(ev)
    check("sigterm: every accept has exactly one verdict", ok and len(a) == 4, (a, v))
    check("sigterm: trace complete (last line parses, ends with newline)",
          open(srv.trace, "rb").read().endswith(b"\n"))
    # SIGINT does the same
    srv = Server("--echo")
    try:
        raw = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        time.sleep(0.3)
        rc = srv.stop(signal.SIGINT)
        raw.close()
    finally:
        srv.kill()
    check("sigint: summary and verdict", rc == 0 and len(srv.verdicts()) == 1 and
          srv.wait_err(r"^tlsprobe: 1 connection, 0 ok, 1 failed(, \d+ unused)?$", 5) is not None, srv.err_lines[-2:])


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
        p = subprocess.run([TLSPROBE, "serve"] + args, capture_output=True, timeout=30)
        err = p.stderr.decode("utf-8", "replace")
        check("usage: %s" % " ".join(args), p.returncode == 2 and re.search(rx, err) is not None,
              "rc=%d %r" % (p.returncode, err[:200]))
    p = subprocess.run([TLSPROBE, "serve", "--help"], capture_output=True, timeout=30)
    text = p.stdout.decode()
    missing = [o for o in ["--port", "--listen", "--echo", "--http", "--interactive", "--priority",
                           "--protocols", "--ciphers", "--macs", "--kx", "--groups", "--sigalgs",
                           "--comp", "--cert", "--key", "--key-type", "--save-cert",
                           "--client-cert", "--timeout", "--workers", "--trace", "--keylog",
                           "--pcap", "--records", "-v", "-q"] if o not in text]
    check("usage: --help lists every option", p.returncode == 0 and not missing, missing)


def main():
    tests = [test_echo, test_fragmented_hello, test_backpressure, test_http_html, test_http_plain, test_http_escape_and_limits,
             test_interactive, test_workers, test_shutdown, test_usage_errors]
    only = sys.argv[1:]
    for t in tests:
        if only and t.__name__ not in only:
            continue
        run(t.__name__, t)
    T.finish()


if __name__ == "__main__":
    main()
