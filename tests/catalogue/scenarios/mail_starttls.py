"""Mail on a STARTTLS port (serve --starttls P) with real clients: the
verdicts that speak the protocol (STARTTLS never sent, AUTH before it, the
greeting and nothing more, an implicit-TLS client, another protocol, a
stalled preamble, an over-long line) and the ok one that notes EHLO again
after TLS."""
import mailtp


def _swaks_ok(port, tmp):
    rc, out = mailtp.swaks(port, "smtp", True)
    assert rc == 0, out[-500:]


def _curl_imap_no_ssl(port, tmp):
    # curl without --ssl-reqd sees STARTTLS advertised and does not use it
    mailtp.run(["curl", "-sS", "--max-time", "10", "imap://127.0.0.1:%d/" % port])


def _smtplib_auth_first(port, tmp):
    import smtplib
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.ehlo()
    code, _ = s.docmd("AUTH", "PLAIN AGJvYgBwdw==")
    assert code == 530, code
    s.quit()


def _greeting_only(port, tmp):
    return mailtp.raw(port, [])[0]


def _curl_pop3s(port, tmp):
    mailtp.curl(port, "pop3", False)


def _curl_http(port, tmp):
    mailtp.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d/" % port])


def _stalls(port, tmp):
    # a plaintext client that says EHLO and then nothing until the timeout
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.recv(4096)
        s.sendall(b"EHLO stalled.example\r\n")
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass


def _long_line(port, tmp):
    return mailtp.raw(port, [b"EHLO " + b"y" * 600 + b"\r\n", b"QUIT\r\n"])[0]


SCENARIOS = [
    {"name": "mail-swaks-starttls-ok", "serve": ["--starttls", "smtp"], "drive": _swaks_ok,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "mail-session-ok",
                "words": ["the SMTP dialogue worked after STARTTLS",
                          "the client sent EHLO again after TLS: ok",
                          "credentials offered (user bob)", "1 message accepted and discarded"]}},
    {"name": "mail-curl-imap-never-sends-starttls", "serve": ["--starttls", "imap"],
     "drive": _curl_imap_no_ssl,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-no-starttls",
                "words": ["the client never sent STARTTLS (it saw it advertised in the "
                          "CAPABILITY answer)"]}},
    {"name": "mail-smtplib-auth-before-starttls", "serve": ["--starttls", "smtp"],
     "drive": _smtplib_auth_first,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-auth-before-starttls",
                "words": ["the client sent AUTH (credentials) before STARTTLS, in plaintext",
                          "530 5.7.0 Must issue a STARTTLS command first"]}},
    {"name": "mail-client-closes-after-greeting", "serve": ["--starttls", "pop3"],
     "drive": _greeting_only,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-closed-after-greeting",
                "words": ["the client closed after the greeting (\"+OK tlsprobe"]}},
    {"name": "mail-curl-pop3s-on-starttls-port", "serve": ["--starttls", "pop3"],
     "drive": _curl_pop3s,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-tls-without-starttls",
                "words": ["the client started TLS at once (a ClientHello", "STARTTLS POP3 port",
                          "implicit-TLS client (port 995 style)"]}},
    {"name": "mail-curl-http-on-smtp-port", "serve": ["--starttls", "smtp"],
     "drive": _curl_http,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-other-protocol",
                "words": ["another protocol than SMTP (HTTP)", "\"GET / HTTP/1.1\""]}},
    {"name": "mail-preamble-never-finished", "serve": ["--starttls", "smtp", "--timeout", "3"],
     "drive": _stalls,
     "expect": {"outcome": "fail", "phase": "timeout", "actor": "client",
                "cause": "mail-preamble-timeout",
                "words": ["never finished the plaintext SMTP preamble", "it sent EHLO"]}},
    {"name": "mail-over-long-ehlo", "serve": ["--starttls", "smtp"], "drive": _long_line,
     "expect": {"outcome": "fail", "phase": "preamble", "actor": "client",
                "cause": "mail-line-too-long",
                "words": ["a SMTP line of 607 bytes, over the limit of 512"]}},
]
