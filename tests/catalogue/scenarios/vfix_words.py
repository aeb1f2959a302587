"""Wording the QA of issue 7 found untrue or missing, with real clients:
curl's HTTP request echoed back by --echo (named in the app layer), a
HelloRetryRequest named in the ok summary, "1 byte", a suite count without
the renegotiation SCSV, and close_notify told apart from a bare FIN."""
import os
import socket
import ssl

import tp


def _curl_to_echo(port, tmp):
    rc, out, err = tp.run(["curl", "-sk", "--max-time", "3", "-o", os.devnull, "-w",
                           "%{local_port}", "https://127.0.0.1:%d/" % port], timeout=20)
    return int(out.strip())


def _app(fit, *words):
    def check(evs, conn):
        app = ((evs.verdict(conn) or {}).get("layers") or {}).get("app") or {}
        p = [] if app.get("fit") == fit else ["app.fit is %r, not %r" % (app.get("fit"), fit)]
        p += ["app.note lacks %r: %r" % (w, app.get("note")) for w in words
              if w not in (app.get("note") or "")]
        return p
    return check


def _s_client_line(*extra):
    def drive(port, tmp):
        c = tp.Client(tp.s_client(port, *extra))
        try:
            c.send("vfix-words-1\n")
            assert c.wait_output("vfix-words-1", 10), c.out[-500:]  # echoed back
        finally:
            c.finish()
    return drive


def _one_byte_http(port, tmp):
    """Python ssl, ALPN h2 only (as `s_client -alpn h2` with an empty line):
    one byte, a newline, to --http."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5)) as s:
        local = s.getsockname()[1]
        s.sendall(b"\n")
        tp.wait_closed(s, 5)
    return local


def _no_shared_suite(port, tmp):
    rc, out, err = tp.run(tp.s_client(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"),
                          timeout=15, input=b"")
    assert rc != 0, "s_client connected without a shared suite"


def _echo_then(close_notify):
    """Python ssl: a line echoed back, then close_notify (unwrap) or a bare
    FIN (the TCP sending side shut, no close_notify)."""
    def drive(port, tmp):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        local = raw.getsockname()[1]
        s = ctx.wrap_socket(raw)
        s.sendall(b"ping\n")
        assert s.recv(100) == b"ping\n"
        if close_notify:
            s.unwrap().close()
        else:
            socket.socket.shutdown(s, socket.SHUT_WR)  # the TCP side, under TLS
            s.settimeout(5)
            try:
                while socket.socket.recv(s, 4096):
                    pass
            except OSError:
                pass
            s.close()
        return local
    return drive


SCENARIOS = [
    {"name": "vfix-data-then-close-notify", "serve": ["--echo"], "drive": _echo_then(True),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok",
                "words": ["application data went both ways; the client then closed with "
                          "close_notify"],
                "absent": ["without close_notify"]}},
    {"name": "vfix-data-then-bare-fin", "serve": ["--echo"], "drive": _echo_then(False),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok",
                "words": ["application data went both ways; the client then closed the "
                          "connection without close_notify"]}},
    {"name": "vfix-curl-http-request-to-echo", "serve": ["--echo"], "drive": _curl_to_echo,
     "check": _app("http-to-echo", "the client sent an HTTP request", "try --http"),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["application data went both ways"]}},
    {"name": "vfix-hrr-named-in-ok-summary", "serve": ["--echo", "--groups", "SECP384R1"],
     "drive": _s_client_line("-tls1_3", "-groups", "X25519:secp384r1"),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok",
                "words": ["handshake completed (TLS1.3, ECDHE-RSA, AES-256-GCM) after a "
                          "HelloRetryRequest for SECP384R1 and application data went both ways"]}},
    {"name": "vfix-one-byte-not-http", "serve": ["--http"], "drive": _one_byte_http,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "client",
                "cause": "app-not-http",
                "words": ["the client sent 1 byte that is not an HTTP request"],
                "absent": ["1 bytes"]}},
    {"name": "vfix-suite-count-without-scsv",
     "serve": ["--echo", "--protocols", "TLS1.2", "--ciphers", "CHACHA20-POLY1305"],
     "drive": _no_shared_suite,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-shared-suite",
                "words": ["client offered 1 (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"],
                "absent": ["SCSV"]}},
]
