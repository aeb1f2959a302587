"""Verdict rows with real clients against `tlsprobe serve`: unused sockets
(a python socket, Chromium's preconnect), a fatal alert before any hello,
certificate rejections whose verdict must not carry the record-check tail,
and a handshake-only client."""
import os
import shutil
import socket
import subprocess
import threading
import time

import tp


def _connect_close(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        time.sleep(0.2)
    return local


def _alert_first(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.sendall(bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]))  # fatal handshake_failure
        tp.wait_closed(s, 5)
    return local


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise AssertionError("chromium is not installed (scripts/install-deps.sh)")


class _SlowImage(threading.Thread):
    """A plain HTTP server on 127.0.0.1 that answers one request after 3 s:
    the page's load event waits for it, so the browser stays up while its
    preconnect to the TLS server completes."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(60)
        self.port = self.sock.getsockname()[1]

    def run(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.recv(4096)
                time.sleep(3)
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
        except OSError:
            pass
        finally:
            self.sock.close()


def _chromium_preconnect(port, tmp):
    # a page that asks the browser to connect ahead to the server, and never uses it
    slow = _SlowImage()
    slow.start()
    page = os.path.join(tmp, "preconnect.html")
    with open(page, "w") as f:
        f.write('<html><head><link rel="preconnect" href="https://127.0.0.1:%d/"></head>'
                '<body><img src="http://127.0.0.1:%d/slow.png"></body></html>' % (port, slow.port))
    profile = os.path.join(tmp, "profile")
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--ignore-certificate-errors", "--user-data-dir=" + profile,
           "--dump-dom", "file://" + page]
    subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    slow.join(10)


def _s_client_verify(port, tmp):
    rc, out, err = tp.run(tp.s_client(port, "-tls1_2", "-verify_return_error"), input=b"")
    assert rc != 0, "s_client accepted the self-signed certificate"


def _curl_verify(port, tmp):
    rc, out, err = tp.run(["curl", "-s", "--tls-max", "1.2", "-o", "/dev/null",
                           "https://127.0.0.1:%d/" % port])
    assert rc == 60, "curl exit %r (60: certificate problem)" % rc


def _gnutls_verify(port, tmp):
    rc, out, err = tp.run(["gnutls-cli", "-p", str(port), "--priority", "NORMAL:-VERS-TLS1.3",
                           "127.0.0.1"], input=b"")
    assert rc != 0, "gnutls-cli accepted the self-signed certificate"


def _python_verify(port, tmp):
    import ssl
    ctx = ssl.create_default_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        local = raw.getsockname()[1]
        try:
            ctx.wrap_socket(raw, server_hostname="localhost")
            raise AssertionError("python accepted the self-signed certificate")
        except ssl.SSLCertVerificationError:
            pass
    return local


def _s_client_handshake_only(port, tmp):
    rc, out, err = tp.run(tp.s_client(port), input=b"")
    assert rc == 0, err[-300:]


CERT_TAIL = ["our check", "rejected a valid record"]

SCENARIOS = [
    {"name": "python-socket-connects-and-closes", "serve": ["--http"], "drive": _connect_close,
     "expect": {"outcome": "unused", "phase": "transport", "actor": "client",
                "cause": "unused-connection",
                "words": ["opened a TCP connection", "without sending a byte"]}},
    {"name": "chromium-preconnect-never-used", "serve": ["--http"],
     "drive": _chromium_preconnect, "timeout": 30,
     "expect": {"outcome": "unused", "phase": "after-handshake", "actor": "client",
                "cause": "unused-after-handshake",
                "words": ["handshake completed (TLS1.3", "without using it", "preconnect"]}},
    # TLS 1.2: the server's Finished is the last message; the browser idles, then leaves
    {"name": "chromium-preconnect-never-used-tls12", "serve": ["--http", "--protocols", "TLS1.2"],
     "drive": _chromium_preconnect, "timeout": 30,
     "expect": {"outcome": "unused", "phase": "after-handshake", "actor": "client",
                "cause": "unused-after-handshake",
                "words": ["handshake completed (TLS1.2", "without using it", "preconnect"],
                "absent": ["rejected"]}},
    {"name": "fatal-alert-before-any-hello", "serve": ["--echo"], "drive": _alert_first,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-alert",
                "words": ["client sent fatal handshake_failure before any handshake message"],
                "absent": ["nothing"]}},
    {"name": "openssl-tls12-rejects-self-signed", "serve": ["--echo"],
     "drive": _s_client_verify,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["the client rejected the server's certificate: fatal unknown_ca"],
                "absent": CERT_TAIL}},
    {"name": "curl-tls12-rejects-self-signed", "serve": ["--http"], "drive": _curl_verify,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["rejected the server's certificate", "unknown_ca"],
                "absent": CERT_TAIL}},
    {"name": "gnutls-tls12-rejects-self-signed", "serve": ["--echo"], "drive": _gnutls_verify,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["rejected the server's certificate: fatal bad_certificate"],
                "absent": CERT_TAIL}},
    {"name": "python-tls12-rejects-self-signed", "serve": ["--echo"], "drive": _python_verify,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["rejected the server's certificate: fatal unknown_ca",
                          "after the server's ServerHelloDone"],
                "absent": CERT_TAIL}},
    {"name": "openssl-handshake-only", "serve": ["--echo"], "drive": _s_client_handshake_only,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "handshake-only",
                "words": ["the TLS session worked", "close_notify without sending data"]}},
]
