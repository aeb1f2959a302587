"""Mail on an implicit-TLS port (serve --smtp/--imap/--pop3) with real
clients: sessions that finish ok, and a STARTTLS client on that port."""
import mailtp


def _fetchmail_imaps(port, tmp):
    rc, out = mailtp.fetchmail(port, "imap", False)
    assert rc == 0, out[-500:]


def _msmtp_smtps(port, tmp):
    rc, out = mailtp.msmtp(port, "smtp", False)
    assert rc == 0, out[-500:]


def _curl_pop3_plain(port, tmp):
    # curl pop3:// without TLS waits for the greeting of a plaintext server
    mailtp.run(["curl", "-sS", "--max-time", "6", "pop3://127.0.0.1:%d/" % port])


def _plain_ehlo(port, tmp):
    # a client that speaks plaintext SMTP at once (as for port 25)
    return mailtp.raw(port, [b"EHLO client.example\r\n"], read_first=False)[0]


def _smtp_ssl_long_line(port, tmp):
    import smtplib
    s = smtplib.SMTP_SSL("127.0.0.1", port, timeout=10, context=mailtp.tp.python_ctx())
    local = s.sock.getsockname()[1]
    code, _ = s.docmd("NOOP", "z" * 700)
    assert code == 500, code
    s.quit()
    return local


SCENARIOS = [
    {"name": "mail-fetchmail-imaps-ok", "serve": ["--imap"], "drive": _fetchmail_imaps,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "mail-session-ok",
                "words": ["the IMAP dialogue worked", "LOGIN", "SELECT",
                          "credentials offered (user bob)"],
                "absent": ["without LOGOUT"]}},
    {"name": "mail-msmtp-smtps-ok", "serve": ["--smtp"], "drive": _msmtp_smtps,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "mail-session-ok",
                "words": ["the SMTP dialogue worked", "1 message accepted and discarded"]}},
    {"name": "mail-curl-pop3-plain-on-implicit-port", "serve": ["--pop3", "--timeout", "3"],
     "drive": _curl_pop3_plain,
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "client",
                "cause": "mail-client-waits-for-greeting",
                "words": ["the client sent nothing in", "implicit-TLS POP3 port",
                          "waits for a plaintext greeting", "port 110 style"]}},
    {"name": "mail-plaintext-ehlo-on-implicit-port", "serve": ["--smtp"], "drive": _plain_ehlo,
     "expect": {"outcome": "fail", "phase": "not-tls", "actor": "client",
                "cause": "mail-plaintext-on-implicit-port",
                "words": ["speaks plaintext (\"EHLO client.example\") on an implicit-TLS SMTP port",
                          "expects STARTTLS or plain SMTP"]}},
    {"name": "mail-smtplib-over-long-line-inside-tls", "serve": ["--smtp"],
     "drive": _smtp_ssl_long_line,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "mail-line-too-long",
                "words": ["the TLS session worked", "a SMTP line of 707 bytes, over the limit of 512",
                          "protocol error"]}},
]
