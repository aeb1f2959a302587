#!/usr/bin/env python3
"""STARTTLS through the proxy, in front of a test-started exim4 and dovecot
(tests/interop/mailservers.py): the plaintext preamble comes from the real
server and tlsprobe takes over at the client's STARTTLS.

- `--starttls P` before a plaintext upstream: tlsprobe answers STARTTLS
  itself; dovecot (ssl = no) advertises no STARTTLS, so tlsprobe adds it to
  the capabilities (IMAP CAPABILITY, POP3 CAPA) and the clients go on;
- `--starttls smtp --upstream-starttls smtp`: the client's STARTTLS goes to
  exim, TLS on both legs (layers.app.upstream.leg "starttls-smtp");
- an implicit-TLS client with `--upstream-starttls smtp`: tlsprobe speaks
  exim's preamble itself.
Clients: swaks, msmtp, curl --ssl-reqd, openssl s_client -starttls,
gnutls-cli --starttls-proto, Python smtplib/imaplib/poplib starttls,
fetchmail; every one an ok verdict, mail delivered into exim's maildir or
dovecot's message fetched.  tshark reads the pcapng of a proxied STARTTLS
session: the plaintext EHLO and, decrypted with the keys in the file, the
MAIL command inside TLS."""
import imaplib
import os
import poplib
import smtplib
import uuid

import mailservers
import test_proxy_mail as pm
import tp


def smtp_swaks(port, marker):
    return pm.run(["swaks", "--server", "127.0.0.1:%d" % port, "-tls", "--from",
                   "sender@tlsprobe.test", "--to", "rcpt@tlsprobe.test",
                   "--header", "Subject: %s" % marker], timeout=30)


def smtp_msmtp(port, marker):
    rc = pm.write_secret("msmtprc-starttls", "account default\nhost 127.0.0.1\nport %d\n"
                         "from sender@tlsprobe.test\ntls on\ntls_starttls on\n"
                         "tls_certcheck off\nauth off\n" % port)
    return pm.run(["msmtp", "-C", rc, "rcpt@tlsprobe.test"], timeout=30,
                  input=pm.message(marker).encode())


def smtp_curl(port, marker):
    return pm.run(["curl", "-sS", "-k", "--ssl-reqd", "smtp://127.0.0.1:%d" % port,
                   "--mail-from", "sender@tlsprobe.test", "--mail-rcpt", "rcpt@tlsprobe.test",
                   "-T", "-"], timeout=30, input=pm.message(marker).encode())


def smtp_python(port, marker):
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo("client.tlsprobe.test")
        s.starttls(context=pm.ctx())
        s.ehlo("client.tlsprobe.test")
        s.sendmail("sender@tlsprobe.test", ["rcpt@tlsprobe.test"], pm.message(marker))
    return (0, "")


def after_tls(steps):
    """The dialogue from EHLO on: the client already did the preamble."""
    return [("", "EHLO client.tlsprobe.test\r\n")] + steps[1:]


def smtp_s_client(port, marker):
    ok, out = pm.dialogue(["openssl", "s_client", "-quiet", "-crlf", "-starttls", "smtp",
                           "-connect", "127.0.0.1:%d" % port], after_tls(pm.smtp_steps(marker)))
    return (0 if ok else 1, out)


def smtp_gnutls_cli(port, marker):
    steps = [("Simple Client Mode", "EHLO client.tlsprobe.test\r\n")] + pm.smtp_steps(marker)[1:]
    ok, out = pm.dialogue(["gnutls-cli", "--insecure", "--starttls-proto", "smtp", "-p",
                           str(port), "127.0.0.1"], steps, crlf=False)
    return (0 if ok else 1, out)


SMTP_CLIENTS = [("swaks", smtp_swaks), ("msmtp", smtp_msmtp), ("curl --ssl-reqd", smtp_curl),
                ("python smtplib", smtp_python), ("openssl s_client", smtp_s_client),
                ("gnutls-cli", smtp_gnutls_cli)]


def smtp_through(r, exim, args, clients, label, leg):
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port] + args) as srv:
        for name, fn in clients:
            marker = "tlsprobe-starttls-%s" % uuid.uuid4().hex
            before = len(srv.events().of("verdict"))
            rc, out = fn(srv.port, marker)
            what = "%s %s" % (label, name)
            r.eq(rc, 0, "%s: the client succeeded" % what, tp._short(out, 1500))
            r.check(pm.delivered_with(exim, marker), "%s: exim delivered the message" % what,
                    exim.log())
            v = pm.check_ok(r, srv, before, what)
            up = (v or {}).get("layers", {}).get("app", {}).get("upstream") or {}
            r.eq(up.get("leg"), leg, "%s: the upstream leg" % what, up)


def test_pcapng(r, exim):
    pcap = os.path.join(pm.TMP, "starttls.pcapng")
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port, "--starttls", "smtp",
                    "--pcap", pcap]) as srv:
        marker = "tlsprobe-pcap-%s" % uuid.uuid4().hex
        smtp_swaks(srv.port, marker)
        pm.check_ok(r, srv, 0, "pcapng swaks")
        port = srv.port
    rc, out, err = tp.run(["tshark", "-n", "-r", pcap, "-d", "tcp.port==%d,smtp" % port,
                           "-Y", "smtp", "-T", "fields",
                           "-e", "smtp.req.command"], timeout=60)
    cmds = out.split()
    # tshark shows a command's first four letters ("STAR")
    r.check("EHLO" in cmds and any(c.startswith("STAR") for c in cmds), "tshark: the plaintext preamble (EHLO, "
            "STARTTLS)", cmds)
    r.check("MAIL" in cmds and "DATA" in cmds, "tshark: MAIL and DATA decrypted from inside "
            "TLS with the keys in the pcapng", (cmds, err[-500:]))


def imap_curl(port):
    return pm.run(["curl", "-sS", "-k", "--ssl-reqd", "--user", "tester:secret",
                   "imap://127.0.0.1:%d/INBOX;UID=1" % port], timeout=30)


def imap_python(port):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    m.starttls(ssl_context=pm.ctx())
    m.login("tester", "secret")
    m.select("INBOX")
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    m.logout()
    return (0 if typ == "OK" else 1, repr(data))


def imap_s_client(port):
    ok, out = pm.dialogue(["openssl", "s_client", "-quiet", "-crlf", "-starttls", "imap",
                           "-connect", "127.0.0.1:%d" % port],
                          [("", "a LOGIN tester secret\r\n")] + pm.IMAP_STEPS[1:] +
                          [("", None)])
    return (0 if ok else 1, out)


def imap_gnutls_cli(port):
    ok, out = pm.dialogue(["gnutls-cli", "--insecure", "--starttls-proto", "imap", "-p",
                           str(port), "127.0.0.1"],
                          [("Simple Client Mode", "a LOGIN tester secret\r\n")] +
                          pm.IMAP_STEPS[1:], crlf=False)
    return (0 if ok else 1, out)


def pop3_curl(port):
    return pm.run(["curl", "-sS", "-k", "--ssl-reqd", "--user", "tester:secret",
                   "pop3://127.0.0.1:%d/1" % port], timeout=30)


def pop3_python(port):
    p = poplib.POP3("127.0.0.1", port, timeout=20)
    p.stls(context=pm.ctx())
    p.user("tester")
    p.pass_("secret")
    lines = p.retr(1)[1]
    p.quit()
    return (0, "\n".join(x.decode("utf-8", "replace") for x in lines))


def pop3_s_client(port):
    ok, out = pm.dialogue(["openssl", "s_client", "-quiet", "-crlf", "-starttls", "pop3",
                           "-connect", "127.0.0.1:%d" % port],
                          [("", "USER tester\r\n"), ("+OK", "PASS secret\r\n"),
                           ("Logged in", "RETR 1\r\n"), (mailservers.Dovecot.SUBJECT, "QUIT\r\n"),
                           ("Logging out", None)])
    return (0 if ok else 1, out)


def pop3_fetchmail(port):
    out = os.path.join(pm.TMP, "fetched-stls-%s" % uuid.uuid4().hex)
    rc = pm.write_secret("fetchmailrc-stls", 'poll 127.0.0.1 with proto POP3 port %d\n'
                         '  user "tester" there with password "secret" is "root" here\n'
                         '  sslproto tls1.2+ no sslcertck keep\n'
                         '  mda "/bin/sh -c \'cat >> %s\'"\n' % (port, out))
    rc_, text = pm.run(["fetchmail", "-f", rc, "-d0", "--nosyslog", "-v"], timeout=60,
                       env={"HOME": pm.TMP})
    got = open(out).read() if os.path.exists(out) else ""
    return (rc_, text + got)


def mailbox(r, port, proto, clients):
    with tp.Server(["--upstream", "127.0.0.1:%d" % port, "--starttls", proto]) as srv:
        for name, fn in clients:
            before = len(srv.events().of("verdict"))
            try:
                rc, out = fn(srv.port)
            except (OSError, imaplib.IMAP4.error, poplib.error_proto) as e:
                rc, out = 1, repr(e)
            what = "%s starttls %s" % (proto, name)
            r.eq(rc, 0, "%s: the client succeeded" % what, tp._short(out, 1500))
            if "s_client" not in name and "gnutls" not in name:
                r.contains(out, mailservers.Dovecot.SUBJECT, "%s: dovecot's message came "
                           "through" % what)
            pm.check_ok(r, srv, before, what)


def main():
    r = tp.Results("proxy_starttls")
    exim = dove = None
    try:
        exim = mailservers.Exim(pm.TMP)
        dove = mailservers.Dovecot(pm.TMP)
        r.run(smtp_through, exim, ["--starttls", "smtp"], SMTP_CLIENTS, "starttls", "plain")
        r.run(smtp_through, exim, ["--starttls", "smtp", "--upstream-starttls", "smtp"],
              [("swaks", smtp_swaks), ("curl --ssl-reqd", smtp_curl)], "both legs",
              "starttls-smtp")
        r.run(smtp_through, exim, ["--upstream-starttls", "smtp"],
              [("swaks", pm.smtp_swaks), ("python smtplib", pm.smtp_python)],
              "implicit client", "starttls-smtp")
        r.run(test_pcapng, exim)
        r.run(mailbox, dove.imap_port, "imap",
              [("curl --ssl-reqd", imap_curl), ("python imaplib", imap_python),
               ("openssl s_client", imap_s_client), ("gnutls-cli", imap_gnutls_cli)])
        r.run(mailbox, dove.pop3_port, "pop3",
              [("curl --ssl-reqd", pop3_curl), ("python poplib", pop3_python),
               ("openssl s_client", pop3_s_client), ("fetchmail", pop3_fetchmail)])
    finally:
        for s in (exim, dove):
            if s:
                s.stop()
    r.finish()


if __name__ == "__main__":
    main()
