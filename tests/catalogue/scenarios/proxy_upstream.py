"""The terminating proxy (serve --upstream): the upstream's trouble is
named and the client is not blamed; an orderly proxied session is ok; a
client that speaks plaintext to the proxy's TLS port is named.  The
upstreams are small Python servers on loopback (tests/interop/upstream_fake.py)."""
import socket
import ssl

import tp
import upstream_fake

_greet = upstream_fake.Upstream("greet")
_close = upstream_fake.Upstream("close")
_silent = upstream_fake.Upstream("silent")


def _up(u):
    return "127.0.0.1:%d" % (u if isinstance(u, int) else u.port)


def _session(lines, wait_close=True):
    """Python ssl: sends each line, reads what comes, then waits for the
    server's close (or closes with close_notify)."""
    def drive(port, tmp):
        ctx = tp.python_ctx()
        with socket.create_connection(("127.0.0.1", port), timeout=15) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                try:
                    s.recv(4096)  # greeting (or the proxy's close)
                    for line in lines:
                        s.sendall(line)
                        s.recv(4096)
                    if wait_close:
                        while s.recv(4096):
                            pass
                except (ssl.SSLError, OSError):
                    pass
        return local
    return drive


def _plain_smtp(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        s.sendall(b"EHLO client.example\r\n")
        try:
            s.recv(4096)
        except OSError:
            pass
    return local


SCENARIOS = [
    {"name": "proxy-upstream-refused",
     "serve": ["--upstream", _up(upstream_fake.dead_port())],
     "drive": _session([]),
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "upstream-refused",
                "words": ["upstream refused", "Connection refused", "the client is not at fault",
                          "handshake completed"]}},
    {"name": "proxy-upstream-closed-first",
     "serve": ["--upstream", _up(_close)],
     "drive": _session([]),
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "upstream-closed-first",
                "words": ["upstream closed first", "without sending a byte",
                          "the client is not at fault"]}},
    {"name": "proxy-upstream-silent",
     "serve": ["--upstream", _up(_silent), "--timeout", "2"],
     "drive": _session([]),
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "server",
                "cause": "upstream-slow",
                "words": ["slow upstream", "no greeting", "the client is not at fault"]}},
    {"name": "proxy-upstream-tls-to-plaintext-server",
     "serve": ["--upstream", _up(_greet), "--upstream-tls"],
     "drive": _session([]),
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "upstream-tls-failed",
                "words": ["upstream TLS failed", _up(_greet)]}},
    {"name": "proxy-session-ok",
     "serve": ["--upstream", _up(_greet)],
     "drive": _session([b"EHLO client.example\r\n", b"QUIT\r\n"]),
     "expect": {"outcome": "ok", "actor": "none",
                "absent": ["upstream"]}},
    {"name": "proxy-client-speaks-plaintext",
     "serve": ["--upstream", _up(_greet)],
     "drive": _plain_smtp,
     "expect": {"outcome": "fail", "phase": "not-tls", "actor": "client",
                "words": ["EHLO client.example"]}},
]
