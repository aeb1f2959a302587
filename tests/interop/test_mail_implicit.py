#!/usr/bin/env python3
"""serve --smtp|--imap|--pop3 (implicit TLS, ports 465/993/995 style) with
real mail clients: each finishes its session (greeting after the handshake,
AUTH/LOGIN with any credentials, mail accepted and discarded, an empty
mailbox, QUIT/LOGOUT) and the connection counts ok.  A client that expects
STARTTLS on that port (it waits for a plaintext greeting, or speaks
plaintext) gets a verdict that says so."""
import mailtp
import tp


def test_clients(r, proto):
    srv = tp.Server(["--" + proto, "--timeout", "10"])
    srv.start()
    try:
        n = 0
        for name, drive in mailtp.CLIENTS[proto]:
            rc, out = drive(srv.port, proto, False)
            n += 1
            label = "%s --%s" % (name, proto)
            r.eq(rc, 0, "%s: the client finished (exit 0)" % label, out[-800:])
            v = mailtp.check_session(r, srv, label, n,
                                     ["the %s dialogue worked" % proto.upper()])
            if v and name not in ("openssl", "gnutls-cli"):
                r.contains(v.get("summary"), "credentials offered (user %s)" % mailtp.USER,
                           "%s: names the user of the credentials" % label)
            if v and proto == "smtp" and name != "openssl" and name != "gnutls-cli":
                r.contains(v.get("summary"), "1 message accepted and discarded",
                           "%s: the message is accepted" % label)
        evs = srv.events()
        r.check(all(e.get("tls") for e in evs.of("mail")), "%s: every mail line is inside TLS" % proto)
        greet = [e for e in evs.of("mail") if e.get("dir") == "s2c"]
        r.check(bool(greet) and greet[0].get("line", "").startswith(
            {"smtp": "220 ", "imap": "* OK", "pop3": "+OK"}[proto]),
            "%s: the server greets first inside TLS" % proto, greet[:1])
        with open(srv.trace_path, "rb") as f:
            r.check(mailtp.PASSWORD.encode() not in f.read(),
                    "%s: the password is not in the trace" % proto)
    finally:
        srv.stop()
    r.eq(srv.summary and srv.summary[1], len(mailtp.CLIENTS[proto]),
         "%s: the server counts every session ok" % proto, srv.stderr_text[-300:])


def test_records_shows_password(r):
    srv = tp.Server(["--smtp", "--records"])
    srv.start()
    try:
        rc, out = mailtp.swaks(srv.port, "smtp", False)
        srv.wait_verdicts(1)
        lines = [e.get("line") for e in srv.events().of("mail")]
        r.check(any(l.startswith("AUTH PLAIN ") and "****" not in l for l in lines),
                "--records: the AUTH line is traced as sent", lines)
    finally:
        srv.stop()


def test_starttls_client_on_implicit_port(r):
    srv = tp.Server(["--smtp", "--timeout", "3"])
    srv.start()
    try:
        # swaks --tls (STARTTLS) waits for a plaintext greeting that never comes
        rc, out = mailtp.swaks(srv.port, "smtp", True, ["--timeout", "8"])
        r.check(rc != 0, "swaks --tls on an implicit-TLS port fails", out[-300:])
        mailtp.check_session(r, srv, "swaks --tls on --smtp", 1,
                             ["sent nothing in", "implicit-TLS SMTP port",
                              "waits for a plaintext greeting", "port 587 or 25 style"],
                             cause="mail-client-waits-for-greeting", outcome="fail")
        v = srv.verdicts()[0]
        r.eq((v.get("phase"), v.get("actor")), ("timeout", "client"), "waits: phase, actor")
        # a client that speaks plaintext SMTP at once
        local, got = mailtp.raw(srv.port, [b"EHLO client.example\r\n"], read_first=False)
        evs = srv.wait_for(lambda e: e.conn_for_port(local) and e.verdict(e.conn_for_port(local)))
        v = evs.verdict(evs.conn_for_port(local))
        r.eq(v and (v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")),
             ("fail", "not-tls", "client", "mail-plaintext-on-implicit-port"),
             "plaintext EHLO on an implicit port", v)
        r.contains(v and v.get("summary"), "speaks plaintext (\"EHLO client.example\")",
                   "plaintext EHLO: the summary quotes it")
    finally:
        srv.stop()


def main():
    r = tp.Results("mail_implicit")
    for proto in ("smtp", "imap", "pop3"):
        r.run(test_clients, proto)
    r.run(test_records_shows_password)
    r.run(test_starttls_client_on_implicit_port)
    r.finish()


if __name__ == "__main__":
    main()
