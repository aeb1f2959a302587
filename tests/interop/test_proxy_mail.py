#!/usr/bin/env python3
"""The terminating proxy in front of real mail servers: exim4 (SMTP) and
dovecot (IMAP, POP3), each started by the test on loopback with a
configuration written into a temporary directory (tests/interop/mailservers.py).
The clients speak implicit TLS to `tlsprobe serve --upstream` (smtps, imaps,
pop3s); tlsprobe ends their TLS and talks plaintext (or, with
--upstream-tls, TLS of its own) to the real server.

Every client gets an ok verdict, and the mail really went through: a
message sent through the proxy lies in exim's maildir (with its unique
marker), a message in dovecot's maildir is listed and fetched through it.
Clients: swaks, msmtp (GnuTLS), curl (smtps, imaps, pop3s), Python smtplib,
imaplib, poplib, openssl s_client and gnutls-cli driven line by line,
fetchmail (OpenSSL)."""
import imaplib
import os
import poplib
import smtplib
import ssl
import subprocess
import tempfile
import time
import uuid

import mailservers
import tp

TMP = tempfile.mkdtemp(prefix="tp-proxy-mail-")


def run(cmd, **kw):
    rc, out, err = tp.run(cmd, **kw)
    return rc, out + err


def ctx():
    return tp.python_ctx()


def new_verdicts(srv, before, timeout=20):
    evs = srv.wait_for(lambda e: len(e.of("verdict")) > before, timeout)
    return evs.of("verdict")[before:]


def check_ok(r, srv, before, what):
    vs = new_verdicts(srv, before)
    if not r.check(len(vs) >= 1, "%s: a verdict" % what):
        return None
    v = vs[-1]
    r.eq(v.get("outcome"), "ok", "%s: outcome ok" % what, v.get("summary"))
    r.eq(v.get("actor"), "none", "%s: actor none" % what, v.get("summary"))
    up = v.get("layers", {}).get("app", {}).get("upstream") or {}
    r.eq(up.get("state"), "connected", "%s: upstream connected" % what, up)
    r.check(up.get("c2u_bytes", 0) > 0 and up.get("u2c_bytes", 0) > 0,
            "%s: bytes went both ways through the upstream" % what, up)
    return v


def delivered_with(exim, marker, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(marker in m for m in exim.delivered()):
            return True
        time.sleep(0.1)
    return False


def message(marker):
    return ("From: sender@tlsprobe.test\r\nTo: rcpt@tlsprobe.test\r\nSubject: %s\r\n\r\n"
            "sent through the tlsprobe proxy\r\n" % marker)


def write_secret(name, text):
    path = os.path.join(TMP, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


# ---- SMTP clients (implicit TLS to the proxy) ----

def smtp_swaks(port, marker):
    return run(["swaks", "--server", "127.0.0.1:%d" % port, "--tls-on-connect",
                   "--from", "sender@tlsprobe.test", "--to", "rcpt@tlsprobe.test",
                   "--header", "Subject: %s" % marker], timeout=30)


def smtp_msmtp(port, marker):
    rc = write_secret("msmtprc", "account default\nhost 127.0.0.1\nport %d\n"
                      "from sender@tlsprobe.test\ntls on\ntls_starttls off\n"
                      "tls_certcheck off\nauth off\n" % port)
    return run(["msmtp", "-C", rc, "rcpt@tlsprobe.test"], timeout=30,
                  input=message(marker).encode())


def smtp_curl(port, marker):
    return run(["curl", "-sS", "-k", "smtps://127.0.0.1:%d" % port,
                   "--mail-from", "sender@tlsprobe.test", "--mail-rcpt", "rcpt@tlsprobe.test",
                   "-T", "-"], timeout=30, input=message(marker).encode())


def smtp_python(port, marker):
    with smtplib.SMTP_SSL("127.0.0.1", port, context=ctx(), timeout=20) as s:
        s.ehlo("client.tlsprobe.test")
        s.sendmail("sender@tlsprobe.test", ["rcpt@tlsprobe.test"], message(marker))
    return (0, "")


def dialogue(cmd, steps, timeout=15, crlf=True):
    """A line-mode client (openssl s_client, gnutls-cli): for each (wait for,
    then send) pair waits for the text and sends the line; returns (ok, out)."""
    c = tp.Client(cmd)
    ok = True
    for want, send in steps:
        if want and not c.wait_output(want, timeout):
            ok = False
            break
        if send is not None:
            # s_client -crlf adds the CR; gnutls-cli's --crlf only does so for
            # the last line of a read, so it gets CRLF from here
            c.send(send.replace("\r\n", "\n") if crlf else send)
    c.finish(timeout=10)
    return ok, c.out


def smtp_steps(marker):
    return [("220 ", "EHLO client.tlsprobe.test\r\n"),
            ("250 ", "MAIL FROM:<sender@tlsprobe.test>\r\n"),
            ("250 OK", "RCPT TO:<rcpt@tlsprobe.test>\r\n"),
            ("250 Accepted", "DATA\r\n"),
            ("354", message(marker) + ".\r\n"),
            ("250 OK id=", "QUIT\r\n"),
            ("221", None)]


def smtp_s_client(port, marker):
    ok, out = dialogue(["openssl", "s_client", "-quiet", "-crlf", "-connect",
                        "127.0.0.1:%d" % port], smtp_steps(marker))
    return (0 if ok else 1, out)


def smtp_gnutls_cli(port, marker):
    ok, out = dialogue(["gnutls-cli", "--insecure", "-p", str(port), "127.0.0.1"],
                       smtp_steps(marker), crlf=False)
    return (0 if ok else 1, out)


def test_smtp(r, exim):
    clients = [("swaks", smtp_swaks), ("msmtp", smtp_msmtp), ("curl smtps", smtp_curl),
               ("python smtplib", smtp_python), ("openssl s_client", smtp_s_client),
               ("gnutls-cli", smtp_gnutls_cli)]
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port]) as srv:
        for name, fn in clients:
            marker = "tlsprobe-proxy-%s" % uuid.uuid4().hex
            before = len(srv.events().of("verdict"))
            rc, out = fn(srv.port, marker)
            r.eq(rc, 0, "smtp %s: the client succeeded" % name, tp._short(out, 1500))
            r.check(delivered_with(exim, marker), "smtp %s: exim delivered the message into "
                    "its maildir" % name, exim.log())
            check_ok(r, srv, before, "smtp %s" % name)


def test_upstream_tls(r, exim):
    """--upstream-tls: tlsprobe's own TLS to exim's implicit-TLS port."""
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.tls_port, "--upstream-tls"]) as srv:
        marker = "tlsprobe-proxy-tls-%s" % uuid.uuid4().hex
        rc, out = smtp_swaks(srv.port, marker)
        r.eq(rc, 0, "upstream-tls: swaks succeeded", tp._short(out, 1500))
        r.check(delivered_with(exim, marker), "upstream-tls: exim delivered the message",
                exim.log())
        v = check_ok(r, srv, 0, "upstream-tls swaks")
        up = (v or {}).get("layers", {}).get("app", {}).get("upstream") or {}
        r.eq(up.get("leg"), "tls", "upstream-tls: the leg is tls", up)
        r.contains(up.get("tls") or "", "TLS1.", "upstream-tls: the upstream's TLS is named")


# ---- IMAP and POP3 ----

def imap_curl(port):
    return run(["curl", "-sS", "-k", "--user", "tester:secret",
                   "imaps://127.0.0.1:%d/INBOX;UID=1" % port], timeout=30)


def imap_python(port):
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx(), timeout=20)
    m.login("tester", "secret")
    m.select("INBOX")
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    m.logout()
    return (0 if typ == "OK" else 1, repr(data))


IMAP_STEPS = [("* OK", "a LOGIN tester secret\r\n"), ("a OK", "b SELECT INBOX\r\n"),
              ("b OK", "c FETCH 1 BODY.PEEK[HEADER]\r\n"), ("c OK", "d LOGOUT\r\n"),
              ("d OK", None)]


def imap_s_client(port):
    ok, out = dialogue(["openssl", "s_client", "-quiet", "-crlf", "-connect",
                        "127.0.0.1:%d" % port], IMAP_STEPS)
    return (0 if ok else 1, out)


def imap_gnutls_cli(port):
    ok, out = dialogue(["gnutls-cli", "--insecure", "-p", str(port), "127.0.0.1"],
                       IMAP_STEPS, crlf=False)
    return (0 if ok else 1, out)


def pop3_curl(port):
    return run(["curl", "-sS", "-k", "--user", "tester:secret",
                   "pop3s://127.0.0.1:%d/1" % port], timeout=30)


def pop3_python(port):
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx(), timeout=20)
    p.user("tester")
    p.pass_("secret")
    n, _ = p.stat()
    lines = p.retr(1)[1]
    p.quit()
    return (0 if n == 1 else 1, "\n".join(x.decode("utf-8", "replace") for x in lines))


def pop3_fetchmail(port):
    out = os.path.join(TMP, "fetched-%s" % uuid.uuid4().hex)
    rc = write_secret("fetchmailrc", 'poll 127.0.0.1 with proto POP3 port %d\n'
                      '  user "tester" there with password "secret" is "root" here\n'
                      '  ssl no sslcertck keep\n'
                      '  mda "/bin/sh -c \'cat >> %s\'"\n' % (port, out))
    rc_, text = run(["fetchmail", "-f", rc, "-d0", "--nosyslog", "-v"], timeout=60,
                       env={"HOME": TMP})
    got = open(out).read() if os.path.exists(out) else ""
    return (rc_, text + got)


def test_mailbox(r, port, proto, clients):
    with tp.Server(["--upstream", "127.0.0.1:%d" % port]) as srv:
        for name, fn in clients:
            before = len(srv.events().of("verdict"))
            try:
                rc, out = fn(srv.port)
            except (OSError, ssl.SSLError, imaplib.IMAP4.error, poplib.error_proto) as e:
                rc, out = 1, repr(e)
            r.eq(rc, 0, "%s %s: the client succeeded" % (proto, name), tp._short(out, 1500))
            if name != "openssl s_client" and name != "gnutls-cli":
                r.contains(out, mailservers.Dovecot.SUBJECT,
                           "%s %s: the message in dovecot's maildir came through" % (proto, name))
            check_ok(r, srv, before, "%s %s" % (proto, name))


def main():
    r = tp.Results("proxy_mail")
    exim = dove = None
    try:
        exim = mailservers.Exim(TMP)
        dove = mailservers.Dovecot(TMP)
        r.run(test_smtp, exim)
        r.run(test_upstream_tls, exim)
        r.run(test_mailbox, dove.imap_port, "imap",
              [("curl imaps", imap_curl), ("python imaplib", imap_python),
               ("openssl s_client", imap_s_client), ("gnutls-cli", imap_gnutls_cli)])
        r.run(test_mailbox, dove.pop3_port, "pop3",
              [("curl pop3s", pop3_curl), ("python poplib", pop3_python),
               ("fetchmail", pop3_fetchmail)])
    finally:
        for s in (exim, dove):
            if s:
                s.stop()
    r.finish()


if __name__ == "__main__":
    main()
