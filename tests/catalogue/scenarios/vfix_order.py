"""Verdicts that depend on the order on the wire (QA of issue 7): a client
idle after a completed handshake, a half-close right after the ClientHello,
who closed first live and in decode, a server that closed before the
ClientHello, and TLS 1.2 decoded without keys.  Real clients (Python ssl,
openssl s_client / s_server) against `tlsprobe serve` or captured on lo."""
import importlib.util
import os
import socket
import ssl
import subprocess
import threading
import time

import tp

_spec = importlib.util.spec_from_file_location(
    "vfix_rows", os.path.join(os.path.dirname(os.path.abspath(__file__)), "session_rows.py"))
_rows = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_rows)


def _ctx(max_v=None):
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if max_v:
        c.maximum_version = max_v
    return c


def _idle_then_close(max_v, idle):
    """Python ssl: completes the handshake, idles, closes without close_notify."""
    def drive(port, tmp):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        local = raw.getsockname()[1]
        s = _ctx(max_v).wrap_socket(raw)
        time.sleep(idle)
        s.close()
        return local
    return drive


def _hello_bytes(ctx):
    """The ClientHello Python's ssl would send, and its in-memory session."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def _half_close_after_hello(port, tmp):
    """Sends a ClientHello, shuts its sending side at once (the FIN in the
    same segment, TCP_CORK, so it is there before the server answers),
    reads the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        s.sendall(_hello_bytes(_ctx()))
        s.shutdown(socket.SHUT_WR)
        closed, got = tp.wait_closed(s, 5)
        assert closed and len(got) > 500, "the server's flight did not come (%d bytes)" % len(got)
    return local


def _alert_with_fin(port, tmp):
    """A TLS 1.3 ClientHello; after the server's flight, a plaintext fatal
    unknown_ca and the FIN in one segment (TCP_CORK), as s_client
    -verify_return_error sends them back to back."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.sendall(_hello_bytes(_ctx()))
        got = b""
        s.settimeout(2)
        while len(got) < 1000:
            d = s.recv(65536)
            if not d:
                break
            got += d
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        s.send(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30]))
        s.shutdown(socket.SHUT_WR)
        tp.wait_closed(s, 5)
    return local


def _closed_by(want):
    def check(evs, conn):
        v = evs.verdict(conn) or {}
        got = v.get("layers", {}).get("transport", {}).get("closed_by")
        return [] if got == want else ["layers.transport.closed_by is %r, not %r" % (got, want)]
    return check


class _TlsServerClosesFirst(threading.Thread):
    """A Python ssl server on `port`: reads the client's line, answers
    nothing, sends close_notify and its FIN before the client's answer (as
    s_server does at stdin EOF)."""

    def __init__(self, port, cert, key):
        super().__init__(daemon=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(1)
        self.ls.settimeout(15)

    def run(self):
        try:
            raw, _ = self.ls.accept()
            conn = self.ctx.wrap_socket(raw, server_side=True)
            conn.settimeout(10)
            got = b""
            while not got.endswith(b"\n"):
                d = conn.recv(4096)
                if not d:
                    break
                got += d
            conn.setblocking(False)
            try:
                conn.unwrap()  # sends close_notify; the answer is not waited for
            except (OSError, ssl.SSLError):
                pass
            raw.shutdown(socket.SHUT_WR)  # then the FIN, as s_server does
            raw.settimeout(10)
            tp.wait_closed(raw, 10)
            raw.close()
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.ls.close()


def _server_closes_first_with_close_notify(tmp):
    """s_client sends a line; the server answers nothing and closes first
    (close_notify + FIN); captured on lo, s_client writes the key log."""
    cert, key = tp.make_cert(tmp, "order", cn="localhost")
    keylog = os.path.join(tmp, "keys.log")

    def drive(port):
        srv = _TlsServerClosesFirst(port, cert, key)
        srv.start()
        cli = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                                "-quiet", "-keylogfile", keylog], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli.stdin.write(b"hello line\n")
        cli.stdin.flush()
        srv.join(15)
        try:
            cli.wait(10)
        finally:
            cli.stdin.close()
            if cli.poll() is None:
                cli.kill()
                cli.wait(5)
    return _rows._capture_lo(tmp, _rows._free_port(), drive), keylog


def _close_at_once(sock):
    sock.close()


def _hello_after_fin(port):
    """Connects, waits for the server's FIN, then sends a ClientHello (Python
    ssl's, over the raw socket): the server resets it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        assert s.recv(100) == b"", "the server sent bytes instead of closing"
        s.sendall(_hello_bytes(_ctx()))
        try:
            s.recv(100)
        except OSError:
            pass  # ECONNRESET: the server's RST


def _server_closes_before_hello(tmp):
    port = _rows._free_port()

    def drive(p):
        th = _rows._listener(p, _close_at_once)
        _hello_after_fin(p)
        th.join(5)
    return _rows._capture_lo(tmp, port, drive)


def _tls12_echo_on_lo(tmp):
    """s_client -tls1_2 sends a line to `tlsprobe serve --echo` and gets it
    back, captured on lo (no keys in the capture)."""
    def drive(port):
        _rows._scripted_s_client(port, _rows._echo_steps("vfix-no-keys-1"), "-tls1_2")
    return _rows._capture_lo(tmp, _rows._free_port(),
                             lambda port: _rows._against_tlsprobe(port, drive))


def _no_key_log_note(evs, conn):
    details = [r.get("detail") for r in evs.records(conn)]
    details = [d for d in details if d]
    p = []
    if not any("no key log given" in d for d in details):
        p.append("no record says 'no key log given': %r" % details[:3])
    if any("in the key log" in d for d in details):
        p.append("a record blames a key log that was never given: %r" % details[:3])
    return p


_UNUSED_WORDS = ["without sending application data", "as a browser's speculative connection does",
                 "not a TLS failure"]
_UNUSED_ABSENT = ["rejected", "preconnect", "right after"]

SCENARIOS = [
    # defect 1: TLS 1.2 done, the client idles 1.2 s and closes without close_notify
    {"name": "vfix-tls12-idle-then-close", "serve": ["--echo", "--protocols", "TLS1.2"],
     "drive": _idle_then_close(ssl.TLSVersion.TLSv1_2, 1.2),
     "expect": {"outcome": "unused", "phase": "after-handshake", "actor": "client",
                "cause": "unused-after-handshake",
                "words": ["the client completed the handshake (TLS1.2"] + _UNUSED_WORDS,
                "absent": _UNUSED_ABSENT}},
    # defect 7: the same in TLS 1.3, the same rule and words
    {"name": "vfix-tls13-idle-then-close", "serve": ["--echo"],
     "drive": _idle_then_close(None, 1.2),
     "expect": {"outcome": "unused", "phase": "after-handshake", "actor": "client",
                "cause": "unused-after-handshake",
                "words": ["the client completed the handshake (TLS1.3"] + _UNUSED_WORDS,
                "absent": _UNUSED_ABSENT}},
    # defect 2: FIN right after the ClientHello; the client reads the whole flight
    {"name": "vfix-half-close-after-client-hello", "serve": ["--echo", "--timeout", "5"],
     "drive": _half_close_after_hello, "check": _closed_by("client"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-half-closed",
                "words": ["the client half-closed the connection (FIN) right after its "
                          "ClientHello, before the server's flight",
                          "the server still answered", "the client read it"],
                "absent": ["rejected", "right after the server's flight", "our check"]}},
    # defect 5: the client's alert and FIN came first; the server's close answered them
    {"name": "vfix-live-closed-by-client", "serve": ["--echo"], "drive": _alert_with_fin,
     "check": _closed_by("client"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["the client rejected the server's certificate: fatal unknown_ca"]}},
    # defect 3: s_server sends close_notify + FIN first, the client answers
    {"name": "vfix-decode-server-closes-first-with-close-notify",
     "decode": _server_closes_first_with_close_notify, "check": _closed_by("server"),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "app-no-answer",
                "words": ["the client sent 11 bytes of application data",
                          "the server then closed with close_notify and the client answered "
                          "close_notify"],
                "absent": ["the client then closed"]}},
    # defect 4: the server's FIN came before the ClientHello, its RST after it
    {"name": "vfix-decode-server-closes-before-client-hello",
     "decode": _server_closes_before_hello, "check": _closed_by("server"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "server-closed-before-client-hello",
                "words": ["the server closed the connection before the client's ClientHello",
                          "reset it when the ClientHello arrived"],
                "absent": ["after the client's ClientHello"]}},
    # defect 6: TLS 1.2 without keys: application data both ways proves the handshake
    {"name": "vfix-decode-tls12-no-keys-works", "decode": _tls12_echo_on_lo,
     "check": _no_key_log_note,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok",
                "words": ["handshake completed (TLS1.2", "application data went both ways",
                          "its records were not checked (no keys"],
                "absent": ["not known", "client sent"]}},
]
