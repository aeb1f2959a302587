#!/usr/bin/env python3
"""Bad input to the mail dialogues: a client that speaks another protocol,
an over-long command line (before and inside TLS), binary bytes, a client
that never finishes the preamble.  Each gets a clear verdict (outcome,
phase, actor, words), the server answers with a protocol error where the
protocol has one, and it keeps serving: a good session afterwards is ok."""
import socket

import mailtp
import tp


def verdict_of(srv, local):
    evs = srv.wait_for(lambda e: e.conn_for_port(local) and e.verdict(e.conn_for_port(local)),
                       timeout=15)
    return evs.verdict(evs.conn_for_port(local)) if evs.conn_for_port(local) else None


def expect(r, v, label, want, words):
    r.eq(v and (v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")), want,
         "%s: outcome, phase, actor, cause" % label, v and v.get("summary"))
    for w in words:
        r.contains(v and v.get("summary"), w, "%s: says %r" % (label, w))


def test_starttls_port(r):
    srv = tp.Server(["--starttls", "smtp", "--timeout", "3"])
    srv.start()
    try:
        local, got = mailtp.raw(srv.port, [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"])
        r.contains(got, "500 5.5.2", "HTTP on the SMTP port: the server answers 500")
        expect(r, verdict_of(srv, local), "HTTP on --starttls smtp",
               ("fail", "preamble", "client", "mail-other-protocol"),
               ["another protocol than SMTP (HTTP)", "\"GET / HTTP/1.1\""])

        long_line = b"EHLO " + b"x" * 700 + b"\r\n"
        local, got = mailtp.raw(srv.port, [long_line, b"QUIT\r\n"])
        r.contains(got, "500 5.5.2 Line too long", "an over-long line gets 500 Line too long")
        r.contains(got, "221 2.0.0 Bye", "the dialogue goes on after it (QUIT answered)")
        expect(r, verdict_of(srv, local), "over-long EHLO",
               ("fail", "preamble", "client", "mail-line-too-long"),
               ["a SMTP line of 707 bytes, over the limit of 512"])

        local, got = mailtp.raw(srv.port, [b"\x00\x01\x02\x03\r\n"])
        r.contains(got, "554 5.5.1 Not SMTP", "binary bytes: the server says so and closes")
        expect(r, verdict_of(srv, local), "binary bytes",
               ("fail", "preamble", "client", "mail-other-protocol"), ["(binary)"])

        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            local = s.getsockname()[1]
            s.recv(4096)
            s.sendall(b"EHLO slow.example\r\n")
            try:
                while s.recv(4096):  # the server gives up after --timeout 3
                    pass
            except OSError:
                pass
        expect(r, verdict_of(srv, local), "a client that never finishes the preamble",
               ("fail", "timeout", "client", "mail-preamble-timeout"),
               ["never finished the plaintext SMTP preamble", "it sent EHLO, then nothing more",
                "no STARTTLS, which was advertised"])

        local, got = mailtp.raw(srv.port, [], read_first=True)
        expect(r, verdict_of(srv, local), "closed after the greeting",
               ("fail", "preamble", "client", "mail-closed-after-greeting"),
               ["the client closed after the greeting (\"220 tlsprobe"])

        local, got = mailtp.raw(srv.port, [b"EHLO x\r\n", b"AUTH PLAIN AGJvYgBwdw==\r\n",
                                           b"QUIT\r\n"])
        r.contains(got, "530 5.7.0 Must issue a STARTTLS command first",
                   "AUTH before STARTTLS is refused with 530")
        expect(r, verdict_of(srv, local), "AUTH before STARTTLS",
               ("fail", "preamble", "client", "mail-auth-before-starttls"),
               ["sent AUTH (credentials) before STARTTLS, in plaintext", "refused it: \"530"])

        rc, out = mailtp.python(srv.port, "smtp", True)
        r.eq(rc, 0, "after all that, a good smtplib session works", out)
        mailtp.check_session(r, srv, "the good session after the bad input", 7,
                             ["the SMTP dialogue worked after STARTTLS"])
        r.check(srv.alive(), "the server is still running")
    finally:
        srv.stop()
    r.eq(srv.summary, (7, 1, 6), "7 connections, 1 ok, 6 failed, each counted",
         srv.stderr_text[-300:])


def test_overlong_inside_tls(r):
    srv = tp.Server(["--imap"])
    srv.start()
    try:
        ctx = tp.python_ctx()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.recv(4096)
                s.sendall(b"a1 LOGIN bob " + b"p" * 9000 + b"\r\n")
                got = b""
                while b"BAD" not in got:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                s.sendall(b"a2 LOGOUT\r\n")
                while True:
                    chunk = s.recv(4096)
                    if not chunk or b"a2 OK" in chunk:
                        break
        r.contains(got.decode("latin-1"), "* BAD line too long", "IMAP: the server answers BAD")
        v = verdict_of(srv, local)
        expect(r, v, "over-long IMAP line inside TLS",
               ("ok", "after-handshake", "none", "mail-line-too-long"),
               ["the TLS session worked", "a IMAP line of 9015 bytes, over the limit of 8192"])
        r.eq(v and v["layers"]["app"].get("fit"), "mail-line-too-long", "named in the app layer")
    finally:
        srv.stop()


def test_usage_errors(r):
    cases = [(["serve", "--starttls", "ftp"], "tlsprobe serve: --starttls ftp: valid: smtp, imap, pop3"),
             (["serve", "--starttls", "smtp", "--imap"],
              "tlsprobe serve: --starttls and --imap: choose one mail mode"),
             (["serve", "--echo", "--smtp"], "tlsprobe serve: --echo and --smtp: choose one mode"),
             (["sweep", "--http", "--starttls", "smtp", "--client", "x {port}"],
              "tlsprobe sweep: --starttls: not with --http or --echo")]
    for args, msg in cases:
        rc, out, err = tp.run([tp.TLSPROBE] + args)
        r.eq(rc, 2, "%s: exit status 2" % " ".join(args), err)
        r.contains(err, msg, "%s: the message names the values" % " ".join(args))


def main():
    r = tp.Results("mail_badinput")
    r.run(test_usage_errors)
    r.run(test_starttls_port)
    r.run(test_overlong_inside_tls)
    r.finish()


if __name__ == "__main__":
    main()
