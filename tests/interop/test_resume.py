#!/usr/bin/env python3
"""Resumption with real clients (serve --resumption, --tickets, --early-data).

openssl s_client -sess_out / -sess_in (TLS 1.2 by ticket and by session id,
TLS 1.3 by PSK), -reconnect, -early_data (taken once per ticket: the second
use of the same ticket is refused and named a replay), gnutls-cli --resume
(TLS 1.2 and 1.3) and Python ssl session reuse.  Each resumed connection:
"resumed" and how in the verdict's handshake layer and relation, every
protected record checked by the verifier (none unchecked, none bad), the
verdict ok / after-handshake / none with "resumed" in its summary.  With
--resumption none the client's offer meets a full handshake and the
relation says why.  tshark decrypts the pcapng of a resumed TLS 1.2 session
(tlsprobe writes the master secret GnuTLS does not log).  The sweep's
resumption axis with s_client -reconnect names its rule."""
import json
import os
import socket
import ssl
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-resume-")
TSHARK_ENV = {"WIRESHARK_CONFIG_DIR": TMP, "HOME": TMP}


def s_client(port, extra, data=b"hello\n"):
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + extra
    # stdin closed a second after the line: s_client has read the echo (and the
    # TLS 1.3 tickets), then sends close_notify and quits (with -ign_eof it would
    # wait for the server's idle timeout, 10 s a connection)
    return tp.run(["sh", "-c", "(cat; sleep 1) | timeout 10 " + " ".join(cmd)], input=data,
                  timeout=30)


def last_verdict(srv, n):
    evs = srv.wait_verdicts(n, timeout=15)
    vs = [e for e in evs if e.get("event") == "verdict"]
    return vs[-1] if len(vs) >= n else {}


def check_resumed(r, v, how, label, early=None):
    hs = v.get("layers", {}).get("handshake", {})
    rel = v.get("relations", {}).get("resumption", {})
    r.eq(hs.get("resumed"), True, "%s: handshake layer says resumed" % label, json.dumps(hs))
    r.eq(hs.get("resumption"), how, "%s: resumed by %s" % (label, how))
    r.eq(rel.get("how"), how, "%s: relation names how" % label, json.dumps(rel))
    recs = v.get("layers", {}).get("records", {})
    for d in ("c2s", "s2c"):
        t = recs.get(d, {})
        r.check(t.get("protected", 0) > 0 and t.get("unchecked") == 0 and t.get("bad") == 0
                and t.get("ok") == t.get("protected"),
                "%s: every protected %s record checked ok" % (label, d), json.dumps(t))
    r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("ok", "after-handshake", "none"),
         "%s: verdict ok, after-handshake, no actor" % label, v.get("summary", ""))
    r.contains(v.get("summary", ""), "resumed", "%s: summary says resumed" % label)
    if early:
        r.eq(hs.get("early_data"), early, "%s: early data %s" % (label, early))


def test_openssl(r):
    with tp.Server(["--echo", "--early-data", "--pcap", os.path.join(TMP, "r.pcapng")]) as srv:
        sess = os.path.join(TMP, "s12")
        s_client(srv.port, ["-tls1_2", "-sess_out", sess])
        rc, out, _ = s_client(srv.port, ["-tls1_2", "-sess_in", sess])
        r.contains(out, "Reused, TLSv1.2", "s_client TLS 1.2 -sess_in: reused")
        check_resumed(r, last_verdict(srv, 2), "ticket", "s_client TLS 1.2 ticket")
        r.contains(last_verdict(srv, 2).get("summary", ""), "by session ticket",
                   "TLS 1.2: the summary names the ticket")
        sid = os.path.join(TMP, "s12b")
        s_client(srv.port, ["-tls1_2", "-no_ticket", "-sess_out", sid])
        rc, out, _ = s_client(srv.port, ["-tls1_2", "-no_ticket", "-sess_in", sid])
        r.contains(out, "Reused, TLSv1.2", "s_client TLS 1.2 -no_ticket -sess_in: reused")
        check_resumed(r, last_verdict(srv, 4), "session-id", "s_client TLS 1.2 session id")
        s13 = os.path.join(TMP, "s13")
        s_client(srv.port, ["-tls1_3", "-sess_out", s13])
        rc, out, _ = s_client(srv.port, ["-tls1_3", "-sess_in", s13])
        r.contains(out, "Reused, TLSv1.3", "s_client TLS 1.3 -sess_in: reused")
        v = last_verdict(srv, 6)
        check_resumed(r, v, "psk", "s_client TLS 1.3 psk")
        r.eq(v.get("relations", {}).get("resumption", {}).get("psk_mode"), "psk_dhe_ke",
             "TLS 1.3: psk_dhe_ke")
        early = os.path.join(TMP, "early.txt")
        with open(early, "w") as f:
            f.write("early\n")
        s_client(srv.port, ["-tls1_3", "-sess_out", s13])
        rc, out, _ = s_client(srv.port, ["-tls1_3", "-sess_in", s13, "-early_data", early])
        r.contains(out, "Early data was accepted", "s_client -early_data: accepted")
        v = last_verdict(srv, 8)
        check_resumed(r, v, "psk", "0-RTT accepted", early="accepted")
        r.check(v.get("relations", {}).get("resumption", {}).get("early_records", 0) >= 1,
                "0-RTT: the early record counted (checked with CLIENT_EARLY_TRAFFIC_SECRET)")
        r.contains(v.get("summary", ""), "0-RTT early data accepted", "0-RTT: summary")
        rc, out, _ = s_client(srv.port, ["-tls1_3", "-sess_in", s13, "-early_data", early])
        r.contains(out, "Early data was rejected", "same ticket again: early data rejected")
        v = last_verdict(srv, 9)
        check_resumed(r, v, "psk", "0-RTT replay", early="rejected")
        r.eq(v.get("relations", {}).get("resumption", {}).get("early_replay"), True,
             "0-RTT replay named in the relation")
        r.contains(v.get("summary", ""), "a replay", "0-RTT replay: summary")
        rc, out, _ = tp.run(["sh", "-c", "timeout 20 openssl s_client -connect 127.0.0.1:%d "
                             "-tls1_2 -reconnect </dev/null" % srv.port], timeout=30)
        r.check(out.count("Reused, TLSv1.2") >= 5, "s_client -reconnect: 5 reused", out[-300:])
        live = [e for e in srv.events() if e.get("event") == "verdict"]
        srv.stop()
        check_tshark(r, os.path.join(TMP, "r.pcapng"))
        check_decode(r, os.path.join(TMP, "r.pcapng"), live)


def check_decode(r, path, live):
    """One pipeline: the capture decoded offline (keys from its Decryption
    Secrets Block, the master secret tlsprobe wrote included) reads as live."""
    rc, out, err = tp.run([tp.TLSPROBE, "decode", path, "--json"], timeout=120)
    vs = [json.loads(l) for l in out.splitlines() if l.startswith('{"event":"verdict"')]
    r.check(len(vs) >= 9, "decode: a verdict per connection", err[-300:])
    for lv, dv in zip(live[:9], vs[:9]):
        label = "decode conn %s" % dv.get("conn")
        r.eq(dv.get("layers", {}).get("handshake", {}).get("resumption"),
             lv.get("layers", {}).get("handshake", {}).get("resumption"),
             "%s: resumed the same way as live" % label)
        r.eq(dv.get("layers", {}).get("handshake", {}).get("early_data"),
             lv.get("layers", {}).get("handshake", {}).get("early_data"),
             "%s: early data as live" % label)
        for d in ("c2s", "s2c"):
            t = dv.get("layers", {}).get("records", {}).get(d, {})
            r.check(t.get("unchecked") == 0 and t.get("bad") == 0,
                    "%s: no %s record unchecked or bad offline" % (label, d), json.dumps(t))


def check_tshark(r, path):
    # streams 0 and 1: a TLS 1.2 session and its resumption by ticket
    rc, out, err = tp.run(["tshark", "-n", "-r", path, "-Y", "tcp.stream == 1 && tls.app_data",
                           "-T", "fields", "-e", "data.data", "-e", "tls.app_data"],
                          timeout=60, env=TSHARK_ENV)
    rc2, out2, err2 = tp.run(["tshark", "-n", "-r", path, "-Y",
                              "tcp.stream == 1 && tls.handshake.type == 20", "-T", "fields",
                              "-e", "tcp.srcport"], timeout=60, env=TSHARK_ENV)
    r.eq(len(out2.split()), 2, "tshark decrypts both Finished of the resumed TLS 1.2 session",
         out2 + err2[-300:])
    rc3, out3, _ = tp.run(["tshark", "-n", "-r", path, "-Y", "tcp.stream == 5 && "
                           "tls.handshake.type == 20", "-T", "fields", "-e", "tcp.srcport"],
                          timeout=60, env=TSHARK_ENV)
    r.eq(len(out3.split()), 2, "tshark decrypts both Finished of the resumed TLS 1.3 session",
         out3)


def test_gnutls_cli(r):
    for prio, label in (("NORMAL:-VERS-ALL:+VERS-TLS1.2", "TLS 1.2"),
                        ("NORMAL:-VERS-ALL:+VERS-TLS1.3", "TLS 1.3")):
        with tp.Server(["--echo"]) as srv:
            rc, out, err = tp.run(["sh", "-c", "(echo hi; sleep 1) | timeout 15 gnutls-cli "
                                   "--insecure --resume --priority %s -p %d 127.0.0.1"
                                   % (prio, srv.port)], timeout=30)
            r.contains(out + err, "This is a resumed session", "gnutls-cli --resume %s" % label)
            v = last_verdict(srv, 2)
            check_resumed(r, v, "ticket" if "1.2" in label else "psk", "gnutls-cli " + label)


def test_python(r):
    with tp.Server(["--echo", "--protocols", "TLS1.2"]) as srv:
        ctx = tp.python_ctx()
        sess = None
        for i in range(2):
            with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                    s.sendall(b"py\n")
                    s.recv(100)
                    if i == 1:
                        r.eq(s.session_reused, True, "Python ssl: session reused")
                    sess = s.session
        check_resumed(r, last_verdict(srv, 2), "ticket", "Python ssl TLS 1.2")


def test_off(r):
    with tp.Server(["--echo", "--resumption", "none"]) as srv:
        sess = os.path.join(TMP, "off12")
        s_client(srv.port, ["-tls1_2", "-sess_out", sess])
        rc, out, _ = s_client(srv.port, ["-tls1_2", "-sess_in", sess])
        r.contains(out, "New, TLSv1.2", "--resumption none: a full handshake")
        v = last_verdict(srv, 2)
        rel = v.get("relations", {}).get("resumption", {})
        r.eq((rel.get("resumed"), rel.get("why")), (False, "resumption-off"),
             "--resumption none: not resumed, why resumption-off", json.dumps(rel))
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("ok", "after-handshake", "none"),
             "--resumption none: the session still works")
        r.contains(v.get("summary", ""), "the server did a full handshake",
                   "--resumption none: summary says full handshake")
    with tp.Server(["--echo", "--resumption", "id,psk"]) as srv:
        sess = os.path.join(TMP, "off12b")
        s_client(srv.port, ["-tls1_2", "-sess_out", sess])
        s_client(srv.port, ["-tls1_2", "-sess_in", sess])
        rel = last_verdict(srv, 2).get("relations", {}).get("resumption", {})
        # tickets off: openssl's session id alone resumes from the cache
        r.eq(rel.get("how"), "session-id", "--resumption id,psk: the cache resumes", json.dumps(rel))


def test_bad_options(r):
    for args, word in ((["--resumption", "sometimes"], "sometimes"), (["--tickets", "99"], "99")):
        rc, out, err = tp.run([tp.TLSPROBE, "serve"] + tp.engine_args(args) + args, timeout=20)
        r.eq(rc, 2, "serve %s: usage error" % " ".join(args))
        r.contains(err, "tlsprobe serve: --%s %s" % (args[0][2:], word), "message names the value")


def test_sweep(r):
    out_json = os.path.join(TMP, "sweep.json")
    rc, out, err = tp.run([tp.TLSPROBE, "sweep"] + tp.engine_args([]) +
                          ["--axes", "resumption", "--json", out_json,
                           "--client", "openssl s_client -connect {host}:{port} -reconnect "
                           "-tls1_2 </dev/null"], timeout=300)
    r.eq(rc, 0, "sweep --axes resumption ran", err[-400:])
    with open(out_json) as f:
        res = json.load(f)
    st = {x["config"]["resumption"]: x["status"] for x in res["results"]}
    r.eq(st, {"none": "ok", "id": "ok", "ticket": "ok", "psk": "fail"},
         "s_client -reconnect -tls1_2 resumes by id and ticket, not by a TLS 1.3 psk")
    r.eq(res["decides"]["rule"], "fails exactly when resumption = psk", "the sweep names its rule")


def main():
    r = tp.Results("resume")
    for t in (test_openssl, test_gnutls_cli, test_python, test_off, test_bad_options, test_sweep):
        r.run(t)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
