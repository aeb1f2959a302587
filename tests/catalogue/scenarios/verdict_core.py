"""The core verdict rules, each with a real client: what the client offers
against what the server allows, timeouts, bytes that are not TLS or stop
being TLS, and sessions that work."""
import socket
import ssl
import time

import tp


def _s_client(*extra, expect_ok=False):
    def drive(port, tmp):
        rc, out, err = tp.run(tp.s_client(port, *extra), input=b"")
        assert (rc == 0) == expect_ok, "s_client exit %r: %s" % (rc, err[-300:])
    return drive


def _silent(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        tp.wait_closed(s, 8)  # the server's 1 s timeout closes it
    return local


def _stalled(port, tmp):
    hello, _, _, _ = tp.client_hello_bytes()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        s.sendall(hello[:40])  # part of the ClientHello, then nothing
        tp.wait_closed(s, 8)
    return local


def _idle_after_handshake(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        with tp.python_ctx().wrap_socket(raw, server_hostname="localhost") as s:
            s.settimeout(8)
            try:
                s.recv(100)  # nothing to say: the server's idle timeout ends it
            except (ssl.SSLError, OSError):
                pass
    return local


def _smtp(port, tmp):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.sendall(b"EHLO client.example\r\n")
        tp.wait_closed(s, 5)
    return local


def _oversized(port, tmp):
    hello, _, _, _ = tp.client_hello_bytes()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        local = s.getsockname()[1]
        s.sendall(hello)
        time.sleep(0.3)
        # a record header that declares 2^14+2048+1 bytes
        s.sendall(bytes([0x16, 0x03, 0x03, 0x48, 0x01]) + b"\0" * 64)
        tp.wait_closed(s, 5)
    return local


def _python_echo(port, tmp):
    res = tp.python_echo(port)
    assert res["echoed"] == b"hello from python\n", res
    return res["local_port"]


def _gnutls_echo(port, tmp):
    echoed, rc, out = tp.echo_exchange(["gnutls-cli", "--insecure", "-p", str(port),
                                        "127.0.0.1"], "catalogue", wait_before_send="- Simple Client Mode")
    assert echoed, out[-500:]


def _curl_http(port, tmp):
    rc, out, err = tp.run(["curl", "-sk", "https://127.0.0.1:%d/" % port])
    assert rc == 0 and "TLS" in out, err


def _curl_tls13(port, tmp):
    rc, out, err = tp.run(["curl", "-sk", "--tlsv1.3", "https://127.0.0.1:%d/" % port])
    assert rc != 0, "curl got through: %s" % out[:200]


def _gnutls_chacha(port, tmp):
    rc, out, err = tp.run(["gnutls-cli", "--insecure", "-p", str(port), "--priority",
                           "NORMAL:-VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305", "127.0.0.1"],
                          input=b"")
    assert rc != 0, "gnutls-cli got through"


SCENARIOS = [
    {"name": "curl-tls13-only-against-tls12", "serve": ["--http", "--protocols", "TLS1.2"],
     "drive": _curl_tls13,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-version",
                "words": ["no common protocol version", "the client offers TLS1.3",
                          "the server allows TLS1.2"]}},
    {"name": "gnutls-chacha-only-against-aes-gcm",
     "serve": ["--echo", "--protocols", "TLS1.2", "--ciphers", "AES-128-GCM,AES-256-GCM"],
     "drive": _gnutls_chacha,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-suite",
                "words": ["the client offered no suite the server allows", "CHACHA20"]}},
    {"name": "openssl-tls11-against-tls12-only", "serve": ["--echo", "--protocols", "TLS1.2,TLS1.3"],
     "drive": _s_client("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-version",
                "words": ["no common protocol version", "the server allows TLS1.2,TLS1.3"]}},
    {"name": "openssl-cbc-only-against-gcm-only",
     "serve": ["--echo", "--protocols", "TLS1.2", "--ciphers", "AES-128-GCM"],
     "drive": _s_client("-tls1_2", "-cipher", "AES128-SHA"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-suite",
                "words": ["the client offered no suite the server allows",
                          "TLS_RSA_WITH_AES_128_CBC_SHA"]}},
    {"name": "openssl-x25519-against-secp384r1",
     "serve": ["--echo", "--protocols", "TLS1.2", "--groups", "SECP384R1", "--kx", "ECDHE-RSA"],
     "drive": _s_client("-tls1_2", "-groups", "X25519"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-group",
                "words": ["no common group", "client offered X25519", "server allows SECP384R1"]}},
    {"name": "silent-client-timeout", "serve": ["--echo", "--timeout", "1"], "drive": _silent,
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "client",
                "cause": "client-silent-timeout", "words": ["connected and sent nothing"]}},
    {"name": "client-stalls-in-clienthello", "serve": ["--echo", "--timeout", "1"],
     "drive": _stalled,
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "client",
                "cause": "client-stalled", "words": ["stalled after 40 bytes"]}},
    {"name": "python-idle-after-handshake", "serve": ["--echo", "--timeout", "1"],
     "drive": _idle_after_handshake,
     "expect": {"outcome": "unused", "phase": "timeout", "actor": "client",
                "cause": "idle-after-handshake",
                "words": ["the client completed the handshake", "sent no application data before "
                          "the server's 1 s idle timeout closed the connection", "not a TLS failure"]}},
    {"name": "smtp-ehlo-to-tls-port", "serve": ["--echo"], "drive": _smtp,
     "expect": {"outcome": "fail", "phase": "not-tls", "actor": "client", "cause": "not-tls",
                "words": ["plain text", "EHLO client.example", "SMTP-like"]}},
    {"name": "oversized-record-after-hello", "serve": ["--echo"], "drive": _oversized,
     "expect": {"outcome": "fail", "actor": "client", "cause": "broken-stream",
                "words": ["stopped being valid TLS", "over the 2^14+2048 limit"]}},
    {"name": "python-echo-works", "serve": ["--echo"], "drive": _python_echo,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["application data went both ways"]}},
    {"name": "gnutls-cli-echo-works", "serve": ["--echo"], "drive": _gnutls_echo,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["handshake completed (TLS1.3"]}},
    {"name": "curl-http-works", "serve": ["--http"], "drive": _curl_http,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["application data went both ways"]}},
]
