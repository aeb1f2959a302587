"""Resumption: the second connection of a real client resumes (session id,
TLS 1.2 ticket, TLS 1.3 PSK, 0-RTT and its replay) or, with --resumption
none, meets a full handshake; the verdict of that connection names it and
the verifier checked every one of its records."""
import os
import socket

import tp


def _s_client(port, tmp, extra, data=b"hello\n"):
    cmd = "(cat; sleep 1) | timeout 10 openssl s_client -connect 127.0.0.1:%d -ign_eof %s" % (
        port, " ".join(extra))
    rc, out, err = tp.run(["sh", "-c", cmd], input=data, timeout=30)
    return out + err


def _openssl_twice(version, first=(), second=(), expect="Reused"):
    def drive(port, tmp):
        sess = os.path.join(tmp, "sess")
        _s_client(port, tmp, [version, "-sess_out", sess] + list(first))
        out = _s_client(port, tmp, [version, "-sess_in", sess] + list(second))
        assert expect in out, out[-800:]
    return drive


def _openssl_early(replay):
    def drive(port, tmp):
        sess, early = os.path.join(tmp, "sess"), os.path.join(tmp, "early.txt")
        with open(early, "w") as f:
            f.write("early\n")
        _s_client(port, tmp, ["-tls1_3", "-sess_out", sess])
        for _ in range(2 if replay else 1):
            out = _s_client(port, tmp, ["-tls1_3", "-sess_in", sess, "-early_data", early])
        assert ("rejected" if replay else "accepted") in out, out[-800:]
    return drive


def _gnutls_cli13(port, tmp):
    cmd = ("(echo hi; sleep 1) | timeout 15 gnutls-cli --insecure --resume "
           "--priority NORMAL:-VERS-ALL:+VERS-TLS1.3 -p %d 127.0.0.1" % port)
    rc, out, err = tp.run(["sh", "-c", cmd], timeout=30)
    assert "This is a resumed session" in out + err, (out + err)[-800:]


def _python12(port, tmp):
    ctx, sess, local = tp.python_ctx(), None, None
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                s.sendall(b"py\n")
                s.recv(100)
                sess = s.session
    return local


def _all_checked(events, conn):
    """Every protected record of the resumed connection opened by the verifier."""
    problems = []
    for rec in events.records(conn):
        if rec.get("protected") and rec.get("integrity") != "ok":
            problems.append("record %s %s: %s" % (rec.get("dir"), rec.get("integrity"),
                                                  rec.get("detail")))
    return problems


_OK = {"outcome": "ok", "phase": "after-handshake", "actor": "none", "cause": "session-ok"}


def _ok(words):
    return dict(_OK, words=words)


SCENARIOS = [
    {"name": "openssl-tls12-resumed-by-ticket", "serve": ["--echo"],
     "drive": _openssl_twice("-tls1_2"), "check": _all_checked,
     "expect": _ok(["TLS1.2", "resumed by session ticket"])},
    {"name": "openssl-tls12-resumed-by-session-id", "serve": ["--echo"],
     "drive": _openssl_twice("-tls1_2", ["-no_ticket"], ["-no_ticket"]), "check": _all_checked,
     "expect": _ok(["TLS1.2", "resumed by session id"])},
    {"name": "openssl-tls13-resumed-by-psk", "serve": ["--echo"],
     "drive": _openssl_twice("-tls1_3"), "check": _all_checked,
     "expect": _ok(["TLS1.3", "ECDHE-PSK", "resumed with a TLS 1.3 PSK (psk_dhe_ke)"])},
    {"name": "openssl-tls13-early-data-accepted", "serve": ["--echo", "--early-data"],
     "drive": _openssl_early(False), "check": _all_checked,
     "expect": _ok(["resumed with a TLS 1.3 PSK", "0-RTT early data accepted (1 record)"])},
    {"name": "openssl-tls13-early-data-replay", "serve": ["--echo", "--early-data"],
     "drive": _openssl_early(True), "check": _all_checked,
     "expect": _ok(["0-RTT early data rejected", "a replay: this ticket's early data was taken"])},
    {"name": "gnutls-cli-tls13-resumed", "serve": ["--echo"],
     "drive": _gnutls_cli13, "check": _all_checked,
     "expect": _ok(["TLS1.3", "resumed with a TLS 1.3 PSK"])},
    {"name": "python-tls12-resumed", "serve": ["--echo", "--protocols", "TLS1.2"],
     "drive": _python12, "check": _all_checked,
     "expect": _ok(["TLS1.2", "resumed by session ticket"])},
    {"name": "openssl-tls12-resumption-off", "serve": ["--echo", "--resumption", "none"],
     "drive": _openssl_twice("-tls1_2", expect="New, TLSv1.2"),
     "expect": _ok(["the client offered resumption (a session id)",
                    "the server did a full handshake",
                    "the server does not take it (--resumption"])},
]
