#!/usr/bin/env python3
"""The capabilities through the proxy after TLS (`--starttls pop3` before a
plaintext upstream that advertises STLS itself, as a dovecot with ssl = yes
does): RFC 2595 4 allows STLS only in the AUTHORIZATION state, so after the
client's STLS the proxy takes it out of the upstream's CAPA answer, and
only there: a message line "STLS" of a RETR answer comes through as it is.
The upstream is a small POP3 server of this script; the client is Python's
poplib (capa, stls, user/pass, retr)."""
import poplib
import socket
import ssl
import threading

import tp

CAPA = b"+OK Capability list follows\r\nUSER\r\nSTLS\r\nSASL PLAIN\r\nPIPELINING\r\n.\r\n"
MESSAGE = [b"Subject: caps-test", b"", b"STLS", b"..dot line", b"the end"]


class Pop3Upstream:
    """A plaintext POP3 server advertising STLS (it never gets one: the
    proxy answers it); .commands: the lines it received."""

    def __init__(self):
        self.commands = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _answer(self, line):
        word = line.split(b" ", 1)[0].upper()
        if word == b"CAPA":
            return CAPA
        if word == b"RETR":
            return b"+OK message follows\r\n" + b"".join(x + b"\r\n" for x in MESSAGE) + b".\r\n"
        if word == b"STLS":
            return b"-ERR not from the proxy\r\n"
        return b"+OK\r\n"

    def _serve(self, c):
        try:
            c.sendall(b"+OK fake POP3 ready\r\n")
            buf = b""
            while True:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    line = line.rstrip(b"\r")
                    self.commands.append(line)
                    c.sendall(self._answer(line))
                    if line.upper() == b"QUIT":
                        c.close()
                        return
        except OSError:
            pass
        c.close()


def client_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def test_stls_not_after_tls(r, up):
    with tp.Server(["--upstream", "127.0.0.1:%d" % up.port, "--starttls", "pop3"]) as srv:
        p = poplib.POP3("127.0.0.1", srv.port, timeout=20)
        before = p.capa()
        r.check("STLS" in before, "before TLS: the upstream's STLS reaches the client", before)
        p.stls(client_ctx())
        after = p.capa()
        r.check("STLS" not in after, "after TLS: no STLS in CAPA (RFC 2595 4)", after)
        r.eq(sorted(after), ["PIPELINING", "SASL", "USER"],
             "after TLS: the other capabilities come through", after)
        p.user("tester")
        p.pass_("secret")
        resp, lines, _ = p.retr(1)
        r.eq(lines, [b"Subject: caps-test", b"", b"STLS", b".dot line", b"the end"],
             "RETR inside TLS: the message's STLS line is not taken out")
        p.quit()
        ev = srv.wait_verdicts(1)
    r.check(b"STLS" not in up.commands, "the client's STLS did not reach the upstream",
            up.commands)
    # poplib asks CAPA once more before its STLS
    r.eq(up.commands.count(b"CAPA"), 3, "every CAPA went to the upstream", up.commands)
    vs = ev.of("verdict")
    v = vs[-1] if vs else {}
    r.eq((v.get("outcome"), v.get("actor"), v.get("cause")), ("ok", "none", "mail-session-ok"),
         "the verdict: ok", v.get("summary"))
    r.contains(v.get("summary"), "the POP3 dialogue worked after STLS: the client sent CAPA",
               "the summary names the STLS session")


def main():
    r = tp.Results("proxy_caps")
    up = Pop3Upstream()
    r.run(test_stls_not_after_tls, up)
    r.finish()


if __name__ == "__main__":
    main()
