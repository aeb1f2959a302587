#!/usr/bin/env python3
"""Bad input through the proxy in front of a test-started exim4
(tests/interop/mailservers.py), each with a clear verdict, and the proxy
keeps serving (a good session after each, its mail delivered):

- the upstream down (exim stopped): upstream-refused, the server side, the
  client not blamed; exim started again on its port: the next session is ok;
- a client speaking another protocol (HTTP to the implicit-TLS port, HTTP to
  the --starttls smtp port), an over-long command line in the preamble, a
  client that never finishes the preamble, an implicit-TLS client on the
  STARTTLS port: each named, the client acting;
- record quirks through the proxy (--quirk hs-fragment=64, appdata-split):
  swaks still delivers, the trace names the quirk on the server's records;
- a sweep through the proxy with swaks as the driven client: every
  configuration ok and every probe's message delivered by exim."""
import json
import os
import socket
import time
import uuid

import mailservers
import test_proxy_mail as pm
import tp


def good_session(r, srv, exim, what):
    marker = "tlsprobe-bad-%s" % uuid.uuid4().hex
    before = len(srv.events().of("verdict"))
    rc, out = pm.smtp_swaks(srv.port, marker) if not srv_starttls(srv) else pm.run(
        ["swaks", "--server", "127.0.0.1:%d" % srv.port, "-tls", "--to", "rcpt@tlsprobe.test",
         "--from", "sender@tlsprobe.test", "--header", "Subject: %s" % marker], timeout=30)
    r.eq(rc, 0, "%s: then a good session works" % what, tp._short(out, 800))
    r.check(pm.delivered_with(exim, marker), "%s: ... and its mail is delivered" % what)
    pm.check_ok(r, srv, before, "%s: the good session" % what)


def srv_starttls(srv):
    return "--starttls" in srv.args


def expect(r, srv, before, what, outcome, actor, cause=None, phase=None, words=()):
    vs = pm.new_verdicts(srv, before, timeout=30)
    if not r.check(vs, "%s: a verdict" % what):
        return
    v = vs[-1]
    r.eq(v.get("outcome"), outcome, "%s: outcome" % what, v.get("summary"))
    r.eq(v.get("actor"), actor, "%s: actor" % what, v.get("summary"))
    if cause:
        r.eq(v.get("cause"), cause, "%s: cause" % what, v.get("summary"))
    if phase:
        r.eq(v.get("phase"), phase, "%s: phase" % what, v.get("summary"))
    for w in words:
        r.contains(v.get("summary"), w, "%s: says %r" % (what, w))


def test_upstream_down(r, tmp):
    exim = mailservers.Exim(tmp, name="exim-down")
    ports = (exim.port, exim.tls_port)
    try:
        with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port]) as srv:
            exim.stop()
            before = len(srv.events().of("verdict"))
            pm.smtp_swaks(srv.port, "never-delivered")
            expect(r, srv, before, "upstream down", "fail", "server", "upstream-refused",
                   words=["upstream refused", "127.0.0.1:%d" % ports[0], "Connection refused",
                          "the client is not at fault"])
            exim = mailservers.Exim(tmp, ports=ports, name="exim-down")
            good_session(r, srv, exim, "upstream back")
    finally:
        exim.stop()


def send_plain(port, data, wait=1.0, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        try:
            s.recv(4096)
        except OSError:
            pass
        s.sendall(data)
        time.sleep(wait)
        try:
            s.recv(4096)
        except OSError:
            pass


def test_implicit_port(r, exim):
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port]) as srv:
        before = len(srv.events().of("verdict"))
        send_plain(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", wait=0.5, timeout=3)
        expect(r, srv, before, "HTTP to the implicit-TLS port", "fail", "client", "not-tls",
               "not-tls", ["GET / HTTP/1.1"])
        good_session(r, srv, exim, "after HTTP")


def test_starttls_port(r, exim):
    with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port, "--starttls", "smtp",
                    "--timeout", "3"]) as srv:
        cases = [
            ("HTTP to the STARTTLS port", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1.0, None),
            ("an over-long line", b"EHLO " + b"x" * 100000 + b"\r\n", 1.0, "mail-line-too-long"),
            ("a client that never finishes the preamble", b"EHLO client.tlsprobe.test\r\n", 4.5,
             "mail-preamble-timeout"),
            ("an implicit-TLS client on the STARTTLS port", tp.client_hello_bytes()[0], 1.0,
             "mail-tls-without-starttls"),
        ]
        for what, data, wait, cause in cases:
            before = len(srv.events().of("verdict"))
            send_plain(srv.port, data, wait=wait)
            expect(r, srv, before, what, "fail", "client", cause)
            good_session(r, srv, exim, "after " + what)


def test_quirks(r, exim):
    for q in ("hs-fragment=64", "appdata-split=1/n-1"):
        with tp.Server(["--upstream", "127.0.0.1:%d" % exim.port, "--quirk", q,
                        "--protocols", "TLS1.2"]) as srv:
            good_session(r, srv, exim, "--quirk " + q)
            recs = [e for e in srv.events().of("record") if e.get("dir") == "s2c"]
            r.check(any(q.split("=")[0] in (e.get("quirk") or "") for e in recs),
                    "--quirk %s: the trace names the quirk on the server's records" % q,
                    [e.get("quirk") for e in recs][:10])


def test_sweep(r, exim, tmp):
    out = os.path.join(tmp, "sweep.json")
    before = len(exim.delivered())
    client = ("swaks --tls-on-connect --server {host}:{port} --from sender@tlsprobe.test "
              "--to rcpt@tlsprobe.test --header 'Subject: tlsprobe-sweep'")
    args = ["--upstream", "127.0.0.1:%d" % exim.port, "--client", client, "--axes", "protocol",
            "--protocols", "TLS1.2,TLS1.3", "--json", out]
    rc, text, err = tp.run([tp.TLSPROBE, "sweep"] + tp.engine_args(args) + args, timeout=300)
    r.eq(rc, 0, "sweep through the proxy: exit status", (text + err)[-1500:])
    try:
        res = json.load(open(out))["results"]
    except (OSError, ValueError, KeyError) as e:
        r.check(False, "sweep: the JSON results", repr(e))
        return
    r.eq(sorted(x["config"]["protocol"] for x in res), ["TLS1.2", "TLS1.3"],
         "sweep: both protocols tried", res)
    for x in res:
        r.eq(x["status"], "ok", "sweep %s: ok" % x["config"]["protocol"], x.get("verdict"))
        up = x.get("verdict", {}).get("layers", {}).get("app", {}).get("upstream") or {}
        r.eq(up.get("state"), "connected", "sweep %s: through the upstream" %
             x["config"]["protocol"], up)
    got = len(exim.delivered()) - before
    r.check(got >= len(res), "sweep: exim delivered a message per configuration (%d)" % got)


def main():
    r = tp.Results("proxy_badinput")
    exim = None
    try:
        exim = mailservers.Exim(pm.TMP)
        r.run(test_upstream_down, pm.TMP)
        r.run(test_implicit_port, exim)
        r.run(test_starttls_port, exim)
        r.run(test_quirks, exim)
        r.run(test_sweep, exim, pm.TMP)
    finally:
        if exim:
            exim.stop()
    r.finish()


if __name__ == "__main__":
    main()
