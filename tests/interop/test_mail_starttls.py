#!/usr/bin/env python3
"""serve --starttls smtp|imap|pop3 with real mail clients: each completes a
session (plaintext greeting, capabilities, STARTTLS, TLS, the dialogue again
inside TLS) with an ok verdict that names it; the trace holds the preamble
lines as mail events and never the password; tshark reads the pcapng's
preamble and decrypts the TLS part after STARTTLS.  Misconfigured clients
(an implicit-TLS client, no STARTTLS, a TLS version the server refuses) get
a true verdict."""
import json
import os
import subprocess

import mailtp
import tp

STLS = {"smtp": "STARTTLS", "imap": "STARTTLS", "pop3": "STLS"}
HELLO = {"smtp": "EHLO", "imap": "CAPABILITY", "pop3": "CAPA"}


def test_clients(r, proto):
    srv = tp.Server(["--starttls", proto, "--timeout", "10"])
    srv.start()
    try:
        n = 0
        for name, drive in mailtp.CLIENTS[proto]:
            rc, out = drive(srv.port, proto, True)
            n += 1
            label = "%s --starttls %s" % (name, proto)
            r.eq(rc, 0, "%s: the client finished (exit 0)" % label, out[-800:])
            words = ["the %s dialogue worked after %s" % (proto.upper(), STLS[proto])]
            if name != "python-poplib":  # poplib does not ask CAPA again after STLS
                words.append("the client sent %s again after TLS: ok" % HELLO[proto])
            mailtp.check_session(r, srv, label, n, words)
        evs = srv.events()
        plain = [e for e in evs.of("mail") if not e.get("tls")]
        inner = [e for e in evs.of("mail") if e.get("tls")]
        r.check(any(e.get("command") == STLS[proto] and e.get("dir") == "c2s" for e in plain),
                "%s: the STARTTLS command is a plaintext mail event" % proto)
        r.check(len(inner) > 0, "%s: the dialogue inside TLS is traced too" % proto)
        users = [e.get("user") for e in evs.of("mail") if e.get("user")]
        r.check(mailtp.USER in users, "%s: credentials offered are named (user)" % proto, users)
        with open(srv.trace_path, "rb") as f:
            raw = f.read()
        r.check(mailtp.PASSWORD.encode() not in raw, "%s: the password is not in the trace" % proto)
    finally:
        srv.stop()
    r.eq(srv.summary and srv.summary[1], len(mailtp.CLIENTS[proto]),
         "%s: the server counts every session ok" % proto, srv.stderr_text[-300:])


def test_pcapng_tshark(r):
    tmp = tp.tempfile.mkdtemp(prefix="tp-mail-pcap-")
    pcap = os.path.join(tmp, "mail.pcapng")
    srv = tp.Server(["--starttls", "smtp", "--pcap", pcap])
    srv.start()
    try:
        rc, out = mailtp.swaks(srv.port, "smtp", True)
        r.eq(rc, 0, "swaks finished", out[-500:])
        srv.wait_verdicts(1)
    finally:
        srv.stop()
    r.eq(os.stat(pcap).st_mode & 0o777, 0o600, "the pcapng is mode 0600")
    p = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==%d,smtp" % srv.port, "-Y", "smtp",
                        "-T", "fields", "-e", "tls.record.content_type", "-e",
                        "smtp.req.command"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    rows = [l.split("\t") for l in p.stdout.decode().splitlines()]
    clear = [c for t, c in rows if c and not t]
    inside = [c for t, c in rows if c and t]
    # (tshark's smtp.req.command shows four characters: "STAR")
    r.check("EHLO" in clear and any(c.startswith("STAR") for c in clear),
            "tshark reads the plaintext preamble (EHLO, STARTTLS)", rows)
    r.check("AUTH" in inside and "MAIL" in inside and "EHLO" in inside,
            "tshark decrypts the TLS part after STARTTLS (EHLO, AUTH, MAIL inside TLS)", rows)
    # decode reads the same capture the same way (the preamble recognised
    # from the greeting, or named with --starttls)
    live = srv.verdicts()[0]
    for extra in ([], ["--starttls", "smtp"]):
        rc, out, err = tp.run([tp.TLSPROBE, "decode", pcap, "--json"] + extra, timeout=60)
        evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        vs = [e for e in evs if e.get("event") == "verdict"]
        r.eq(vs and (vs[0].get("outcome"), vs[0].get("cause")), (live.get("outcome"), live.get("cause")),
             "decode %s: the live verdict" % " ".join(extra), (vs and vs[0].get("summary"), err))
        mails = [e.get("line") for e in evs if e.get("event") == "mail"]
        live_mails = [e.get("line") for e in srv.events().of("mail")]
        r.eq(mails, live_mails, "decode %s: the same mail lines as live" % " ".join(extra))
    rc, out, err = tp.run([tp.TLSPROBE, "decode", pcap, "--starttls", "ftp"])
    r.eq(rc, 2, "decode --starttls ftp: a usage error")
    r.contains(err, "tlsprobe decode: --starttls ftp: valid: smtp, imap, pop3",
               "decode --starttls ftp: names the bad value and the valid ones")


def test_misconfigured(r):
    # an implicit-TLS client (curl imaps://) on the STARTTLS port
    srv = tp.Server(["--starttls", "imap", "--timeout", "5"])
    srv.start()
    try:
        rc, out = mailtp.curl(srv.port, "imap", False)
        r.check(rc not in (0, None), "curl imaps:// on a STARTTLS port fails", out[-300:])
        mailtp.check_session(r, srv, "curl imaps:// on --starttls imap", 1,
                             ["started TLS at once", "STARTTLS IMAP port", "port 993 style"],
                             cause="mail-tls-without-starttls", outcome="fail")
        v = srv.verdicts()[0]
        r.eq((v.get("phase"), v.get("actor")), ("preamble", "client"), "implicit client: phase, actor")
        # curl imap:// without --ssl-reqd: sees STARTTLS advertised, never uses it
        rc, out = mailtp.run(["curl", "-sS", "--max-time", "10", "-u", "bob:x",
                              "imap://127.0.0.1:%d/" % srv.port])
        v = mailtp.check_session(r, srv, "curl imap:// without --ssl-reqd", 2, [],
                                 cause=None, outcome="fail")
        r.check(v and v.get("cause") in ("mail-no-starttls", "mail-auth-before-starttls"),
                "no STARTTLS: the verdict says so", v)
        r.eq(v and (v.get("phase"), v.get("actor")), ("preamble", "client"),
             "no STARTTLS: phase, actor")
    finally:
        srv.stop()
    # a TLS version the server refuses, after a good preamble
    srv = tp.Server(["--starttls", "smtp", "--protocols", "TLS1.2"])
    srv.start()
    try:
        rc, out = mailtp.openssl(srv.port, "smtp", True, ["-tls1_3"])
        evs = srv.wait_verdicts(1)
        v = evs.of("verdict")[0]
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")),
             ("fail", "handshake", "server", "no-shared-version"),
             "openssl -tls1_3 after STARTTLS against TLS1.2 only", v.get("summary"))
        r.check(any(e.get("command") == "STARTTLS" for e in evs.of("mail")),
                "the preamble before the refused handshake is traced")
    finally:
        srv.stop()


def main():
    r = tp.Results("mail_starttls")
    for proto in ("smtp", "imap", "pop3"):
        r.run(test_clients, proto)
    r.run(test_pcapng_tshark)
    r.run(test_misconfigured)
    r.finish()


if __name__ == "__main__":
    main()
