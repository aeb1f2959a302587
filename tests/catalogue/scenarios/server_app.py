"""The application layer beside a TLS session that worked: bytes that do not
fit the server's mode (not HTTP, the HTTP/2 preface) and ALPN offered
against selected."""
import os
import socket
import ssl

import tp

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # an empty SETTINGS frame


def _python_hello_in_http(port, tmp):
    # a line client that expects an echo, pointed at --http
    res = tp.python_echo(port, b"hello\n")
    assert res["echoed"].startswith(b"HTTP/1.1 400 Bad Request"), res["echoed"][:200]
    return res["local_port"]


def _curl_h2_prior_knowledge(port, tmp):
    rc, out, err = tp.run(["curl", "-sSk", "-v", "--http2-prior-knowledge", "-o", os.devnull,
                           "-w", "%{local_port}", "https://127.0.0.1:%d/" % port], timeout=20)
    assert rc != 0, "curl should fail against an HTTP/1.1 server: rc %r" % rc
    # tlsprobe answered as an HTTP/2 server that needs HTTP/1.1 does
    assert "error=13" in err or "HTTP_1_1_REQUIRED" in err, err[-800:]
    return int(out.strip())


def _h2_frames(data):
    """[(type, payload)] of complete HTTP/2 frames."""
    frames, i = [], 0
    while i + 9 <= len(data):
        n = int.from_bytes(data[i:i + 3], "big")
        if i + 9 + n > len(data):
            break
        frames.append((data[i + 3], data[i + 9:i + 9 + n]))
        i += 9 + n
    return frames


def _python_h2_only(port, tmp):
    ctx = tp.python_ctx()
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.selected_alpn_protocol() is None
            s.sendall(H2_PREFACE + H2_SETTINGS)
            got = b""
            while True:
                try:
                    b = s.recv(4096)
                except (ssl.SSLError, OSError):
                    break
                if not b:
                    break
                got += b
    goaway = [p for t, p in _h2_frames(got) if t == 7]
    assert goaway and int.from_bytes(goaway[0][4:8], "big") == 0x0d, got[:100]
    return local


def _python_h2_only_leaves(port, tmp):
    # like a gRPC client: no h2 selected, so it leaves without a request
    ctx = tp.python_ctx()
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.selected_alpn_protocol() is None
            try:
                s.unwrap()
            except (ssl.SSLError, OSError):
                pass
    return local


def _python_unfinished_request(port, tmp):
    # a request head without its blank line: the server waits for the rest
    ctx = tp.python_ctx()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            closed, got = tp.wait_closed(s, 10)
            assert closed and got == b"", got[:200]
    return local


def _gnutls_alpn_h2(port, tmp):
    rc, out, err = tp.run(["gnutls-cli", "--insecure", "--alpn", "h2", "-p", str(port),
                           "--sni-hostname", "localhost", "127.0.0.1"], timeout=20, input=b"")
    assert rc == 0, (out + err)[-800:]


def _python_binary_in_http(port, tmp):
    # bytes no HTTP request starts with: answered at once, shown as hex
    ctx = tp.python_ctx()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(bytes([0x00, 0x01, 0x02, 0xff]))
            closed, got = tp.wait_closed(s, 10)
            assert got.startswith(b"HTTP/1.1 400 Bad Request"), got[:200]
    return local


SCENARIOS = [
    {"name": "python-line-client-in-http-mode", "serve": ["--http"],
     "drive": _python_hello_in_http,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-not-http",
                "words": ["handshake completed", "the client sent 6 bytes that are not an HTTP "
                          "request (\"hello\")", "--http answers HTTP requests only; try --echo",
                          "400 Bad Request"]}},
    # --alpn none: the server selects no ALPN (--http alone selects http/1.1)
    {"name": "curl-http2-prior-knowledge", "serve": ["--http", "--alpn", "none"],
     "drive": _curl_h2_prior_knowledge,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-h2-preface",
                "words": ["the client spoke HTTP/2 (connection preface) but tlsprobe's --http "
                          "speaks HTTP/1.1", "the client offered ALPN h2, http/1.1; the server "
                          "selected none", "GOAWAY HTTP_1_1_REQUIRED"]}},
    {"name": "python-alpn-h2-only-sends-preface", "serve": ["--http"],
     "drive": _python_h2_only,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-h2-preface",
                "words": ["HTTP/2 (connection preface)",
                          "the client offered ALPN h2 only; the server selected none"]}},
    {"name": "python-alpn-h2-only-leaves", "serve": ["--http"],
     "drive": _python_h2_only_leaves,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "alpn-not-selected",
                "words": ["the client offered ALPN h2 only; the server selected none",
                          "without sending data"]}},
    {"name": "python-unfinished-http-request", "serve": ["--http", "--timeout", "2"],
     "drive": _python_unfinished_request,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-incomplete",
                "words": ["handshake completed", "the client sent 33 bytes (\"GET / HTTP/1.1\")",
                          "but no complete HTTP request", "before the 2 s timeout"]}},
    {"name": "gnutls-cli-alpn-h2-only", "serve": ["--http"], "drive": _gnutls_alpn_h2,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "alpn-not-selected",
                "words": ["the client offered ALPN h2 only; the server selected none",
                          "the client then sent close_notify without sending data"]}},
    {"name": "python-binary-in-http-mode", "serve": ["--http"], "drive": _python_binary_in_http,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-not-http",
                "words": ["the client sent 4 bytes that are not an HTTP request (00 01 02 ff)",
                          "400 Bad Request"]}},
]
