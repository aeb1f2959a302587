"""Real mail clients for the mail tests (test_mail_*.py and the catalogue's
mail_*.py scenarios): each driver runs one client session against
127.0.0.1:port and returns (exit code or None, output text).

starttls=True: the client starts with plaintext and STARTTLS (ports
587/143/110 style); False: implicit TLS (465/993/995 style)."""
import imaplib
import os
import poplib
import smtplib
import socket
import subprocess
import tempfile

import tp

USER = "bob"
PASSWORD = "Sekr1tPw9"  # must never appear in a trace (only with --records)
MSG = b"Subject: tlsprobe test\r\n\r\nhello\r\n"


def run(cmd, input=None, timeout=30, env=None):
    e = dict(os.environ)
    e.update(env or {})
    try:
        p = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=e, shell=isinstance(cmd, str))
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as ex:
        return None, (ex.stdout or b"").decode("utf-8", "replace")


# ---- per-client drivers: (port, proto, starttls) -> (rc, output)

def swaks(port, proto, starttls, extra=()):
    assert proto == "smtp"
    return run(["swaks", "--server", "127.0.0.1:%d" % port, "--tls" if starttls else "--tlsc",
                "--to", "rcpt@example.org", "--from", "sender@example.org", "--auth", "PLAIN",
                "--auth-user", USER, "--auth-password", PASSWORD] + list(extra))


def msmtp(port, proto, starttls):
    assert proto == "smtp"
    return run(["msmtp", "--host=127.0.0.1", "--port=%d" % port, "--tls=on",
                "--tls-starttls=%s" % ("on" if starttls else "off"), "--tls-certcheck=off",
                "--auth=login", "--user=" + USER, "--passwordeval=echo " + PASSWORD,
                "--from=sender@example.org", "rcpt@example.org"], input=MSG)


def fetchmail(port, proto, starttls):
    fd, rc = tempfile.mkstemp(prefix="tp-fetchmailrc-")
    os.write(fd, ('poll 127.0.0.1 service %d protocol %s user "%s" password "%s" '
                  'sslproto "TLS1.2+" no sslcertck%s\n' %
                  (port, proto.upper(), USER, PASSWORD, "" if starttls else " ssl")).encode())
    os.close(fd)
    os.chmod(rc, 0o600)
    try:
        home = tempfile.mkdtemp(prefix="tp-fetchmail-home-")
        code, out = run(["fetchmail", "-f", rc, "-v", "--nosyslog", "-k", "127.0.0.1"],
                        env={"HOME": home, "FETCHMAILHOME": home})
        # fetchmail's exit status 1 is "no mail": a finished session
        return (0 if code == 1 and "No mail for" in out else code), out
    finally:
        os.unlink(rc)


def curl(port, proto, starttls, extra=()):
    scheme = proto if starttls else {"smtp": "smtps", "imap": "imaps", "pop3": "pop3s"}[proto]
    cmd = ["curl", "-sS", "-k", "--max-time", "20", "-u", "%s:%s" % (USER, PASSWORD)]
    if starttls:
        cmd.append("--ssl-reqd")
    url = "%s://127.0.0.1:%d/" % (scheme, port)
    if proto == "smtp":
        fd, path = tempfile.mkstemp(prefix="tp-mail-")
        os.write(fd, MSG)
        os.close(fd)
        cmd += ["--mail-from", "sender@example.org", "--mail-rcpt", "rcpt@example.org", "-T", path]
    elif proto == "imap":
        url += "INBOX"
    return run(cmd + list(extra) + [url])


# What a person types after the TLS handshake with s_client / gnutls-cli.
TYPED = {"smtp": "EHLO client.example\r\nQUIT\r\n", "imap": "a1 CAPABILITY\r\na2 LOGOUT\r\n",
         "pop3": "CAPA\r\nQUIT\r\n"}


def openssl(port, proto, starttls, extra=()):
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-quiet"] + list(extra)
    if starttls:
        cmd += ["-starttls", proto]
    return run(cmd, input=TYPED[proto].encode(), timeout=20)


def gnutls_cli(port, proto, starttls, extra=()):
    cmd = ["gnutls-cli", "--insecure", "--port", str(port)] + list(extra)
    if starttls:
        cmd.append("--starttls-proto=" + proto)
    # gnutls-cli reads stdin from the start: wait until its TLS session is up
    script = "sleep 1; printf '%s'; sleep 1" % TYPED[proto].replace("\r\n", "\\r\\n")
    return run("(%s) | %s 127.0.0.1" % (script, " ".join(cmd)), timeout=25)


def python(port, proto, starttls):
    ctx = tp.python_ctx()
    try:
        if proto == "smtp":
            s = smtplib.SMTP("127.0.0.1", port, timeout=10) if starttls else \
                smtplib.SMTP_SSL("127.0.0.1", port, timeout=10, context=ctx)
            if starttls:
                s.starttls(context=ctx)
            s.login(USER, PASSWORD)
            s.sendmail("sender@example.org", ["rcpt@example.org"], MSG)
            s.quit()
        elif proto == "imap":
            m = imaplib.IMAP4("127.0.0.1", port, timeout=10) if starttls else \
                imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
            if starttls:
                m.starttls(ssl_context=ctx)
            m.login(USER, PASSWORD)
            typ, data = m.select("INBOX")
            m.logout()
            return 0, "select: %s %s" % (typ, data)
        else:
            p = poplib.POP3("127.0.0.1", port, timeout=10) if starttls else \
                poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=10)
            if starttls:
                p.stls(context=ctx)
            p.user(USER)
            p.pass_(PASSWORD)
            stat = p.stat()
            p.quit()
            return 0, "stat: %r" % (stat,)
        return 0, ""
    except Exception as e:  # the verdict says what happened; the test checks it
        return 1, "%s: %s" % (type(e).__name__, e)


CLIENTS = {
    "smtp": [("swaks", swaks), ("msmtp", msmtp), ("curl", curl), ("openssl", openssl),
             ("gnutls-cli", gnutls_cli), ("python-smtplib", python)],
    "imap": [("fetchmail", fetchmail), ("curl", curl), ("openssl", openssl),
             ("gnutls-cli", gnutls_cli), ("python-imaplib", python)],
    "pop3": [("fetchmail", fetchmail), ("curl", curl), ("openssl", openssl),
             ("gnutls-cli", gnutls_cli), ("python-poplib", python)],
}


def raw(port, chunks, read_first=True, wait=3.0):
    """A plain TCP client: reads the greeting (read_first), sends each chunk,
    returns (local port, what the server sent)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        local = s.getsockname()[1]
        got = b""
        try:
            if read_first:
                got += s.recv(4096)
            for c in chunks:
                s.sendall(c)
                got += s.recv(4096)
        except OSError:
            pass
        return local, got.decode("latin-1")


def check_session(r, srv, label, n, words, cause="mail-session-ok", outcome="ok"):
    """Waits for the n-th verdict and checks it."""
    evs = srv.wait_verdicts(n, timeout=30)
    vs = evs.of("verdict")
    if not r.check(len(vs) >= n, "%s: a verdict" % label, srv.stderr_text[-1500:]):
        return None
    v = vs[n - 1]
    r.eq(v.get("outcome"), outcome, "%s: outcome" % label, v.get("summary"))
    if cause:
        r.eq(v.get("cause"), cause, "%s: cause" % label, v.get("summary"))
    if outcome == "ok":
        r.eq((v.get("phase"), v.get("actor")), ("after-handshake", "none"),
             "%s: phase, actor" % label, v.get("summary"))
    for w in words:
        r.contains(v.get("summary"), w, "%s: says %r" % (label, w))
    return v
