"""The transport layer: a client too slow for the handshake timeout, and a
server at capacity (--max-conns)."""
import socket
import ssl
import time

import tp


def _trickle(port, tmp):
    # a real ClientHello (Python's ssl), sent one byte a second
    hello = tp.client_hello_bytes()[0]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        for b in hello[:20]:
            try:
                s.sendall(bytes([b]))
            except OSError:
                break  # the server gave up: the handshake timeout
            time.sleep(1.0)
    return local


def _third_client(port, tmp):
    ctx = tp.python_ctx()
    held = []
    try:
        for _ in range(2):  # two clients that stay connected
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            held.append(ctx.wrap_socket(raw, server_hostname="localhost"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            local = raw.getsockname()[1]
            try:
                ctx.wrap_socket(raw, server_hostname="localhost")
                raise AssertionError("the third connection should have been refused")
            except (ssl.SSLError, OSError):
                pass
        return local
    finally:
        for s in held:
            s.close()


SCENARIOS = [
    {"name": "python-trickles-one-byte-a-second", "serve": ["--echo", "--timeout", "4"],
     "drive": _trickle,
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "client",
                "cause": "client-still-sending",
                "words": ["the client was still sending", "bytes over", "s (about ",
                          "before the 4 s handshake timeout"]}},
    {"name": "python-third-client-at-max-conns-2", "serve": ["--echo", "--max-conns", "2"],
     "drive": _third_client,
     "expect": {"outcome": "fail", "phase": "transport", "actor": "server",
                "cause": "at-capacity",
                "words": ["the server was at capacity (--max-conns 2): connection refused"]}},
]
