#!/usr/bin/env python3
"""The on-demand actions of --interactive, typed on the server's stdin as
commands (a line starting with '/'), against real clients: /renegotiate
(TLS 1.2 HelloRequest: openssl s_client and gnutls-cli renegotiate,
s_client -no_renegotiation declines), /keyupdate and /keyupdate-request
(TLS 1.3, s_client and gnutls-cli), /auth (post-handshake client
authentication with s_client -enable_pha, with and without -cert; refused
without -enable_pha and in TLS 1.2), /close (close_notify) and /alert LEVEL
NAME.  After each action the server and the client exchange a line; each
test asserts the trace (the messages, the action's note), the verifier's
counts (every protected record both ways checked ok, more of them after the
action) and the verdict (outcome, phase, actor, words); tshark decrypts
the pcapng of the sessions after a KeyUpdate (both ways), a renegotiation
and a post-handshake authentication (the server's records; the client's
are checked by decoding the same pcapng offline)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-interactive-")


def client_cert():
    cert, key = os.path.join(TMP, "c.pem"), os.path.join(TMP, "k.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                        "-subj", "/CN=interactive client", "-days", "2"],
                       check=True, capture_output=True)
    return cert, key


def s_client(port, *extra):
    return ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + list(extra)


def gnutls_cli(port, *extra):
    return ["gnutls-cli", "--insecure", "--port", str(port), "127.0.0.1"] + list(extra)


class Run:
    """One interactive server and its one client."""

    def __init__(self, r, label, client, server_args=()):
        self.r, self.label = r, label
        self.srv = tp.Server(["--interactive"] + list(server_args), stdin=True)
        self.srv.start()
        self.cli = tp.Client(client(self.srv.port))
        r.check(self.srv.wait_err(r"client .* connected", 15) is not None,
                "%s: the client connected" % label, self.srv.err_lines[-3:])
        self.n = 0

    def type(self, line):
        self.srv.proc.stdin.write(line.encode() + b"\n")
        self.srv.proc.stdin.flush()

    def command(self, cmd, expect=None):
        """Types a command; waits for its line on stderr (expect: a regex)."""
        self.type(cmd)
        pat = expect or (r"^tlsprobe: interactive: %s" % cmd.split()[0])
        got = self.srv.wait_err(pat, 15)
        self.r.check(got is not None, "%s: %s acknowledged" % (self.label, cmd),
                     self.srv.err_lines[-3:])
        return got

    def exchange(self):
        """A line each way; both must arrive."""
        self.n += 1
        tok = "srv-line-%d" % self.n
        self.type(tok)
        self.r.check(self.cli.wait_output(tok, 15), "%s: server line %d reaches the client" %
                     (self.label, self.n), self.cli.out[-400:])
        tok = "cli-line-%d" % self.n
        self.cli.send(tok + "\n")
        self.r.check(self.srv.wait_out(r"^< %s$" % tok, 15) is not None,
                     "%s: client line %d reaches the server" % (self.label, self.n),
                     self.srv.out_lines[-3:])

    def finish(self):
        """End of input (close_notify); the server exits after its client."""
        self.srv.proc.stdin.close()
        self.srv.wait_exit(15)
        self.cli.finish(10)
        evs = self.srv.events()
        self.srv.kill()
        return evs, evs.verdict(1) or {}


def checked(r, label, v, min_c2s, min_s2c):
    rec = (v.get("layers") or {}).get("records") or {}
    for d, least in (("c2s", min_c2s), ("s2c", min_s2c)):
        x = rec.get(d) or {}
        r.check(x.get("protected", 0) >= least and x.get("ok") == x.get("protected") and
                x.get("bad") == 0 and x.get("unchecked") == 0,
                "%s: %s: at least %d protected records, all checked ok" % (label, d, least), rec)


def verdict_is(r, label, v, outcome, phase, actor, words, cause=None):
    r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), (outcome, phase, actor),
         "%s: outcome, phase, actor" % label, v.get("summary"))
    if cause:
        r.eq(v.get("cause"), cause, "%s: cause" % label)
    for w in words:
        r.check(w in (v.get("summary") or ""), "%s: summary says %r" % (label, w),
                v.get("summary"))


def msgs(evs, name, d):
    return [e for e in evs.conn_events(1) if e.get("event") == "handshake" and
            e.get("msg") == name and e.get("dir") == d]


def reneg_done(evs):
    return len(msgs(evs, "Finished", "s2c")) >= 2 and len(msgs(evs, "Finished", "c2s")) >= 2


def notes(evs, word):
    return [e for e in evs.conn_events(1) if e.get("event") == "note" and word in e.get("text", "")]


def test_renegotiate(r):
    for label, client in (("s_client TLS 1.2", lambda p: s_client(p, "-tls1_2")),
                          ("gnutls-cli TLS 1.2",
                           lambda p: gnutls_cli(p, "--priority", "NORMAL:-VERS-TLS1.3"))):
        run = Run(r, label + " /renegotiate", client)
        run.exchange()
        run.command("/renegotiate")
        # the next line only once the new handshake is done (both Finished: a
        # renegotiation that resumes, as OpenSSL's, ends with the client's):
        # application data in the middle of it makes OpenSSL abort
        run.srv.wait_for(reneg_done, 15)
        run.exchange()
        evs, v = run.finish()
        r.eq(len(msgs(evs, "HelloRequest", "s2c")), 1, label + ": one HelloRequest")
        r.eq(len(msgs(evs, "ClientHello", "c2s")), 2, label + ": the client's second ClientHello")
        fins = [e.get("verified") for e in evs.conn_events(1)
                if e.get("event") == "handshake" and e.get("msg") == "Finished"]
        r.eq(fins, [True] * 4, label + ": both handshakes' Finished verified")
        checked(r, label, v, 4, 6)
        verdict_is(r, label, v, "ok", "after-handshake", "none",
                   ["after a server-requested renegotiation"], "session-ok")
    run = Run(r, "s_client -no_renegotiation", lambda p: s_client(p, "-tls1_2", "-no_renegotiation"))
    run.exchange()
    run.command("/renegotiate")
    run.srv.wait_for(lambda e: any(a.get("description") == "no_renegotiation"
                                   for a in e.conn_events(1) if a.get("event") == "alert"), 15)
    declined = ["the client declined the server's renegotiation request (HelloRequest) with a "
                "warning no_renegotiation"]
    if tp.TP_ENGINE == "openssl":
        # libssl ends the connection with fatal handshake_failure (its own
        # reaction); the verdict leads with the client's act
        evs, v = run.finish()
        r.eq(len(msgs(evs, "ClientHello", "c2s")), 1, "declined: no second ClientHello")
        checked(r, "declined", v, 2, 3)
        verdict_is(r, "declined", v, "fail", "after-handshake", "server",
                   declined + ["then sent encrypted fatal handshake_failure"],
                   "server-required-renegotiation")
        return
    run.exchange()
    evs, v = run.finish()
    r.eq(len(msgs(evs, "ClientHello", "c2s")), 1, "declined: no second ClientHello")
    checked(r, "declined", v, 3, 3)
    verdict_is(r, "declined", v, "ok", "after-handshake", "none", declined)


def test_key_update(r):
    for label, client in (("s_client", lambda p: s_client(p, "-tls1_3")),
                          ("gnutls-cli", lambda p: gnutls_cli(p))):
        for cmd, words, c2s_ku in (
                ("/keyupdate", ["the server updated its keys 1 time (KeyUpdate, "
                                "update_not_requested)"], 0),
                ("/keyupdate-request", ["the server updated its keys 1 time (KeyUpdate, "
                                        "update_requested) and the client updated its own 1 time"],
                 1)):
            lab = "%s %s" % (label, cmd)
            run = Run(r, lab, client)
            run.exchange()
            run.command(cmd)
            run.exchange()
            evs, v = run.finish()
            r.eq(len(msgs(evs, "KeyUpdate", "s2c")), 1, lab + ": the server's KeyUpdate traced")
            r.eq(len(msgs(evs, "KeyUpdate", "c2s")), c2s_ku, lab + ": the client's KeyUpdates")
            r.check(notes(evs, "application traffic secret 1"),
                    lab + ": the verifier moved to the next secret (note)")
            # the server's line after the update was opened with the new key
            checked(r, lab, v, 3 + c2s_ku, 5)
            verdict_is(r, lab, v, "ok", "after-handshake", "none", words, "session-ok")
    run = Run(r, "TLS 1.2 /keyupdate", lambda p: s_client(p, "-tls1_2"))
    run.command("/keyupdate", r"interactive: /keyupdate refused: KeyUpdate exists in TLS 1.3 only")
    run.exchange()
    evs, v = run.finish()
    r.check(notes(evs, "refused: KeyUpdate exists in TLS 1.3 only"),
            "TLS 1.2 /keyupdate: the refusal is in the trace")
    verdict_is(r, "TLS 1.2 /keyupdate", v, "ok", "after-handshake", "none", [], "session-ok")


def test_post_handshake_auth(r):
    cert, key = client_cert()
    for label, extra, words, ncert in (
            ("-enable_pha -cert", ["-cert", cert, "-key", key],
             ["the server asked for a certificate after the handshake; the client sent one "
              "(1 in its chain)"], 1),
            ("-enable_pha, no certificate", [],
             ["the server asked for a certificate after the handshake; the client sent none"], 0)):
        run = Run(r, label, lambda p: s_client(p, "-tls1_3", "-enable_pha", *extra))
        run.exchange()
        run.command("/auth")
        run.exchange()
        evs, v = run.finish()
        req = msgs(evs, "CertificateRequest", "s2c")
        r.eq(len(req), 1, label + ": the server's post-handshake CertificateRequest")
        ans = msgs(evs, "Certificate", "c2s")
        r.eq(len(ans), 1, label + ": the client's Certificate", ans)
        fins = [e.get("verified") for e in msgs(evs, "Finished", "c2s")]
        r.eq(fins, [True, True], label + ": the client's Finished, handshake and post-handshake, "
                                         "verified")
        checked(r, label, v, 5 + 2 * ncert, 6)
        verdict_is(r, label, v, "ok", "after-handshake", "none", words, "session-ok")
        r.eq((v.get("relations") or {}).get("post_handshake_auth"),
             {"offered": True, "requests": 1, "certificates": ncert, "finished": True},
             label + ": relations.post_handshake_auth", v.get("relations"))
    run = Run(r, "no -enable_pha", lambda p: s_client(p, "-tls1_3"))
    run.command("/auth", r"interactive: /auth refused: the client did not offer "
                         r"post_handshake_auth")
    run.exchange()
    evs, v = run.finish()
    r.eq(len(msgs(evs, "CertificateRequest", "s2c")), 0, "no -enable_pha: no CertificateRequest")
    verdict_is(r, "no -enable_pha", v, "ok", "after-handshake", "none", [], "session-ok")


def test_pha_after_client_key_update(r):
    """GnuTLS 3.7 fails a post-handshake authentication whose answer comes
    after the client's KeyUpdate: when it does, the verdict blames the
    server's engine (our check of the client's answer is valid)."""
    cert, key = client_cert()
    run = Run(r, "pha after KeyUpdate", lambda p: s_client(p, "-tls1_3", "-enable_pha", "-cert",
                                                           cert, "-key", key))
    run.exchange()
    run.command("/keyupdate-request")
    run.command("/auth")
    run.cli.send("cli-after\n")
    evs, v = run.finish()
    if v.get("cause") == "post-handshake-auth-failed":
        verdict_is(r, "pha after KeyUpdate", v, "fail", "after-handshake", "server",
                   ["the client answered (1 certificate) and its Finished checks out",
                    "the server's engine then failed"])
    else:
        verdict_is(r, "pha after KeyUpdate", v, "ok", "after-handshake", "none",
                   ["the client sent one (1 in its chain)"])
    checked(r, "pha after KeyUpdate", v, 4, 4)


def test_close_and_alerts(r):
    run = Run(r, "/close", lambda p: s_client(p))
    run.exchange()
    run.command("/close")
    evs, v = run.finish()
    checked(r, "/close", v, 2, 4)
    verdict_is(r, "/close", v, "ok", "after-handshake", "none",
               ["the server then closed with close_notify"], "session-ok")
    run = Run(r, "/alert warning", lambda p: s_client(p))
    run.exchange()
    run.command("/alert warning user_canceled")
    run.exchange()
    evs, v = run.finish()
    al = [a for a in (v.get("layers") or {}).get("handshake", {}).get("alerts", [])
          if a.get("description") == "user_canceled"]
    r.check(len(al) == 1 and al[0].get("from") == "server" and al[0].get("level") == "warning",
            "/alert warning: the alert is in the layers", al)
    checked(r, "/alert warning", v, 3, 6)
    verdict_is(r, "/alert warning", v, "ok", "after-handshake", "none",
               ["the server sent warning user_canceled"], "session-ok")
    run = Run(r, "/alert fatal", lambda p: gnutls_cli(p))
    run.exchange()
    run.command("/alert fatal internal_error")
    evs, v = run.finish()
    checked(r, "/alert fatal", v, 2, 5)
    verdict_is(r, "/alert fatal", v, "fail", "after-handshake", "server",
               ["the server sent fatal internal_error"], "server-alert")
    run = Run(r, "/alert bad", lambda p: s_client(p))
    run.command("/alert loud bad_thing", r"interactive: /alert loud bad_thing refused: expected "
                                         r"LEVEL NAME")
    run.type("/nonsense")
    r.check(run.srv.wait_err(r"unknown command '/nonsense'", 10) is not None and
            run.srv.wait_err(r"^  /keyupdate-request ", 10) is not None,
            "an unknown command prints the list of commands", run.srv.err_lines[-12:])
    run.type("//slash")
    r.check(run.cli.wait_output("\n/slash", 10), "'//' sends one '/'", run.cli.out[-200:])
    run.finish()


TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")


def test_tshark(r):
    """tshark decrypts, from the pcapng the server wrote (its keys inside,
    no settings), the lines exchanged after a KeyUpdate with
    update_requested and after a renegotiation."""
    for label, client, cmd, tshark_both in (
            ("KeyUpdate", lambda p: s_client(p, "-tls1_3"), "/keyupdate-request", True),
            ("renegotiation", lambda p: s_client(p, "-tls1_2"), "/renegotiate", False),
            ("post-handshake auth", lambda p: s_client(p, "-tls1_3", "-enable_pha"), "/auth",
             False)):
        pcap = os.path.join(TMP, "%s.pcapng" % cmd.strip("/"))
        run = Run(r, "pcap " + label, client, ["--pcap", pcap])
        run.exchange()
        run.command(cmd)
        if cmd == "/renegotiate":
            run.srv.wait_for(reneg_done, 15)
        run.exchange()
        run.finish()
        p = tp.run(["tshark", "-n", "-r", pcap, "-q", "-z", "follow,tls,ascii,0"], timeout=60,
                   env={"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF})
        out = p[1]
        # tshark (Debian 12) opens the server's records after a renegotiation
        # or a post-handshake authentication, not the client's: those are
        # checked by decoding the same pcapng offline
        r.check("srv-line-2" in out and ("cli-line-2" in out or not tshark_both),
                "tshark decrypts the lines after the %s (%s)" %
                (label, "both ways" if tshark_both else "the server's"), out[-800:])
        p = tp.run([tp.TLSPROBE, "decode", pcap, "--json"], timeout=60)
        evs = tp.Trace([json.loads(x) for x in p[1].splitlines() if x.startswith("{")])
        v = evs.verdict(1) or {}
        checked(r, "decode of the %s pcapng" % label, v, 4, 5)
        r.eq(v.get("outcome"), "ok", "decode of the %s pcapng: ok" % label, v.get("summary"))


def main():
    r = tp.Results()
    for t in (test_renegotiate, test_key_update, test_post_handshake_auth,
              test_pha_after_client_key_update, test_close_and_alerts, test_tshark):
        r.run(t)
    r.finish()


if __name__ == "__main__":
    main()
