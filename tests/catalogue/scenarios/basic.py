"""Baseline scenarios: a session that works, and bytes that are not TLS."""
import socket
import time

import tp


def _openssl_echo(port, tmp):
    echoed, rc, out = tp.echo_exchange(tp.s_client(port, "-quiet"), "catalogue")
    assert echoed, out[-500:]


def _plain_http(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        tp.wait_closed(s, 5)
    return local


SCENARIOS = [
    {"name": "openssl-echo-works", "serve": ["--echo"], "drive": _openssl_echo,
     "expect": {"outcome": "ok", "phase": "after-handshake",
                "words": ["handshake completed", "both ways"]}},
    {"name": "plain-http-to-tls-port", "serve": ["--http"], "drive": _plain_http,
     "expect": {"outcome": "fail", "phase": "not-tls", "words": ["plain HTTP", "GET /"]}},
]
