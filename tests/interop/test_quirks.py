#!/usr/bin/env python3
"""`tlsprobe serve --quirk X` against real peers: for each in-spec quirk,
openssl s_client, gnutls-cli, Python ssl and curl (its request echoed back as
an HTTP/0.9 body) complete an echo round trip through `serve --echo --quirk
X`, and curl gets the status page through `serve --http --quirk X`.  The pcapng of the s_client connection is
decrypted by tshark with no settings, and tshark's server records are the
trace's (same lengths, same order).  Our verifier marks every record
valid, reports the shaped property (padding length, fragment sizes, split
records, header version) and names the quirk on the records it shaped.
Covers TLS 1.0 (chained IV), TLS 1.1/1.2 (explicit IV) with encrypt-then-MAC
on and off, AEAD suites and TLS 1.3; a quirk that cannot apply is one note."""
import os
import re
import ssl
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")
TSHARK_ENV = {"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF}

CBC10 = ["--protocols", "TLS1.0", "--ciphers", "AES-128-CBC", "--macs", "SHA1"]
CBC11 = ["--protocols", "TLS1.1", "--ciphers", "AES-256-CBC", "--macs", "SHA1"]
CBC12 = ["--protocols", "TLS1.2", "--ciphers", "AES-128-CBC", "--macs", "SHA256"]
GCM12 = ["--protocols", "TLS1.2", "--ciphers", "AES-128-GCM"]
TLS13 = ["--protocols", "TLS1.3"]
CHACHA12 = ["--protocols", "TLS1.2", "--ciphers", "CHACHA20-POLY1305"]
CHACHA13 = ["--protocols", "TLS1.3", "--ciphers", "CHACHA20-POLY1305"]

# client-side settings for old protocols (OpenSSL's default level refuses them)
LEGACY_SC = ["-cipher", "ALL:@SECLEVEL=0"]
# gnutls-cli: encrypt-then-MAC off (%NO_ETM) for the "EtM off" cases
GNUTLS_ALL = "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+SHA256:+AES-128-CBC:+AES-256-CBC"


def s2c_records(evs):
    return [e for e in evs if e.get("event") == "record" and e.get("dir") == "s2c"]


def content_len(rec):
    return rec.get("plaintext_length", rec.get("length")) if rec.get("protected") else rec["length"]


# ---- the shaped property, per quirk (rs: the s2c records of one connection)

def prop_padding_max(rs):
    pads = [x["padding"] for x in rs if "padding" in x]
    return bool(pads) and all(p["valid"] and not p["minimal"] and p["length"] >= 200 for p in pads)


def prop_padding_first(rs):
    pads = [x["padding"] for x in rs if "padding" in x]
    return len(pads) >= 2 and not pads[0]["minimal"] and all(p["minimal"] for p in pads[1:])


def prop_padding_n(n):
    return lambda rs: any(x.get("padding", {}).get("length") == n for x in rs)


def prop_hs_fragment(n):
    def f(rs):
        hs = [x for x in rs if x.get("inner_type", x["type"]) == "handshake"]
        return bool(hs) and all(content_len(x) <= n for x in hs) and any(content_len(x) == n for x in hs)
    return f


def prop_max_record(n):
    return lambda rs: all(content_len(x) <= n for x in rs) and any(content_len(x) == n for x in rs)


def appdata(rs):
    return [x for x in rs if x.get("inner_type") == "application_data"]


def prop_split(rs):
    return any(content_len(x) == 1 for x in appdata(rs))


def prop_empty(rs):
    return any(content_len(x) == 0 for x in appdata(rs))


def prop_version(name):
    return lambda rs: bool(rs) and rs[0]["version"] == name


def prop_tls13_pad(rs):
    prot = [x for x in rs if x.get("protected")]
    return bool(prot) and all(x["length"] >= x["plaintext_length"] + 1 + 200 + 16 and
                              x.get("tls13_padding") == 200 for x in prot)


def prop_ccs(count):
    return lambda rs: len([x for x in rs if x["type"] == "change_cipher_spec"]) == count


def prop_alert_first(rs):
    return bool(rs) and rs[0]["type"] == "alert" and not rs[0]["protected"]


def hs_messages(evs, conn):
    return [e for e in evs if e.get("event") == "handshake" and e.get("dir") == "s2c" and e["conn"] == conn]


def prop_coalesced(n):
    """At least n handshake messages fewer records than messages: the flight shares records."""
    def f(rs, hs):
        recs = [x for x in rs if x.get("inner_type", x["type"]) == "handshake"]
        return len(hs) - len(recs) >= n - 1 and all(x.get("quirk") for x in recs)
    f.wants_hs = True
    return f


def prop_separate(rs, hs):
    """No server record holds two handshake messages: at least as many records as messages."""
    recs = [x for x in rs if x.get("inner_type", x["type"]) == "handshake"]
    return bool(hs) and len(recs) >= len(hs)


prop_separate.wants_hs = True


def prop_key_update(rs, hs):
    # the KeyUpdate right after the first application data, and the records after it
    # (sealed with the next secret) still open
    ku = [i for i, x in enumerate(rs) if x.get("quirk") == "key-update"]
    names = [m.get("msg") for m in hs]
    return ("KeyUpdate" in names and len(ku) == 1 and ku[0] + 1 < len(rs) and
            rs[ku[0] - 1].get("inner_type") == "application_data" and
            all(x["integrity"] == "ok" for x in rs[ku[0]:] if x.get("protected")))


prop_key_update.wants_hs = True


def prop_big(rs):
    prot = [x for x in rs if x.get("protected")]
    return bool(prot) and all(x["length"] == 16384 + 1 + 16 for x in prot)


# (label, quirks, server options, s_client extra, gnutls priority, shaped-property check)
CASES = [
    ("cbc-padding=max TLS1.0", ["cbc-padding=max"], CBC10, LEGACY_SC + ["-tls1"],
     GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.0", prop_padding_max),
    ("cbc-padding=max TLS1.1 EtM off", ["cbc-padding=max"], CBC11, LEGACY_SC + ["-tls1_1", "-no_etm"],
     GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.1:%NO_ETM", prop_padding_max),
    ("cbc-padding=max TLS1.2 EtM on", ["cbc-padding=max"], CBC12, ["-tls1_2"],
     GNUTLS_ALL, prop_padding_max),
    ("cbc-padding=max TLS1.1 EtM on", ["cbc-padding=max"], CBC11, LEGACY_SC + ["-tls1_1"],
     GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.1", prop_padding_max),
    ("max-record=256 TLS1.2 ChaCha20", ["max-record=256"], CHACHA12, ["-tls1_2"], None,
     prop_max_record(256)),
    ("tls13-padding=200 ChaCha20", ["tls13-padding=200"], CHACHA13, [], None, prop_tls13_pad),
    ("cbc-padding=random TLS1.2 EtM off", ["cbc-padding=random"], CBC12, ["-tls1_2", "-no_etm"],
     GNUTLS_ALL + ":%NO_ETM", lambda rs: all(x["padding"]["valid"] for x in rs if "padding" in x)),
    ("cbc-padding=100 first TLS1.0", ["cbc-padding=100", "cbc-padding-scope=first"], CBC10,
     LEGACY_SC + ["-tls1"], GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.0", prop_padding_first),
    ("cbc-padding=minimal TLS1.2", ["cbc-padding=minimal"], CBC12, ["-tls1_2"], GNUTLS_ALL,
     lambda rs: all(x["padding"]["minimal"] for x in rs if "padding" in x)),
    ("hs-fragment=64 TLS1.2", ["hs-fragment=64"], CBC12, ["-tls1_2"], GNUTLS_ALL, prop_hs_fragment(64)),
    ("hs-fragment=100 TLS1.3", ["hs-fragment=100"], TLS13, [], None, prop_hs_fragment(100)),
    ("max-record=512 TLS1.2 GCM", ["max-record=512"], GCM12, ["-tls1_2"], None, prop_max_record(512)),
    ("appdata-split=1/n-1 TLS1.0", ["appdata-split=1/n-1"], CBC10, LEGACY_SC + ["-tls1"],
     GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.0", prop_split),
    ("appdata-split=1/n-1 TLS1.3", ["appdata-split=1/n-1"], TLS13, [], None, prop_split),
    ("empty-records TLS1.0", ["empty-records"], CBC10, LEGACY_SC + ["-tls1"],
     GNUTLS_ALL + ":-VERS-ALL:+VERS-TLS1.0", prop_empty),
    ("empty-records TLS1.2 GCM", ["empty-records"], GCM12, ["-tls1_2"], None, prop_empty),
    ("record-version=0x0301 TLS1.2", ["record-version=0x0301"], GCM12, ["-tls1_2"], None,
     prop_version("TLS1.0")),
    ("record-version=0x0301 TLS1.3", ["record-version=0x0301"], TLS13, [], None, prop_version("TLS1.0")),
    ("tls13-padding=200", ["tls13-padding=200"], TLS13, [], None, prop_tls13_pad),
    ("ccs-compat=off", ["ccs-compat=off"], TLS13, [], None, prop_ccs(0)),
    ("ccs-compat=on", ["ccs-compat=on"], TLS13, [], None, prop_ccs(1)),
    ("alert-unrecognized-name TLS1.2", ["alert-unrecognized-name"], GCM12, ["-tls1_2"], None,
     prop_alert_first),
    ("key-update TLS1.3", ["key-update"], TLS13, [], None, prop_key_update),
    ("hs-coalesce TLS1.2", ["hs-coalesce"], CBC12, ["-tls1_2"], GNUTLS_ALL, prop_coalesced(4)),
    ("hs-coalesce TLS1.3", ["hs-coalesce"], TLS13, [], None, prop_coalesced(4)),
    ("big-records TLS1.3", ["big-records"], TLS13, [], None, prop_big),
    ("hs-separate TLS1.2", ["hs-separate"], CBC12, ["-tls1_2"], GNUTLS_ALL, prop_separate),
    ("hs-separate TLS1.3", ["hs-separate"], TLS13, [], None, prop_separate),
    ("hs-fragment=50 + cbc-padding=max TLS1.2", ["hs-fragment=50", "cbc-padding=max"], CBC12,
     ["-tls1_2"], GNUTLS_ALL, lambda rs: prop_hs_fragment(50)(rs) and prop_padding_max(rs)),
]


def tshark(args):
    return tp.run(["tshark", "-n"] + args, timeout=60, env=TSHARK_ENV)


def quirk_args(quirks):
    out = []
    for q in quirks:
        out += ["--quirk", q]
    return out


def tshark_server_records(path, server_port):
    """Record lengths tshark sees from the server, in order."""
    rc, out, err = tshark(["-r", path, "-Y", "tcp.stream == 0 && tcp.srcport == %d && tls" % server_port, "-T", "fields",
                           "-e", "tls.record.length"])
    lens = []
    for line in out.split():
        lens += [int(x) for x in line.split(",") if x]
    return lens, err


def check_conn(r, label, evs, conn, prop, quirks):
    rs = [x for x in s2c_records(evs) if x["conn"] == conn]
    prot = [x for x in rs if x.get("protected")]
    r.check(prot and all(x["integrity"] == "ok" for x in prot),
            "%s: our verifier marks every protected server record valid" % label,
            [x for x in prot if x["integrity"] != "ok"][:3])
    ok = prop(rs, hs_messages(evs, conn)) if getattr(prop, "wants_hs", False) else prop(rs)
    r.check(ok, "%s: the trace shows the shaped property" % label, rs[:12])
    names = {x.get("quirk") for x in rs if x.get("quirk")}
    if quirks == ["ccs-compat=off"]:
        names = {"ccs-compat=off"}  # it only removes records: none is left to name it
    if quirks == ["hs-separate"] and not names:
        # GnuTLS writes one record per message already: nothing to cut
        # (test_quirk.c cuts a joined record); the property above still holds
        names = {"hs-separate"}
    r.check(names and all(any(q in n for q in quirks) for n in names),
            "%s: shaped records name their quirk" % label, names)
    v = evs.verdict(conn)
    r.check(v is not None and v.get("outcome") == "ok", "%s: verdict ok" % label, v)
    return rs


def check_pcap(r, label, path, port, rs):
    lens, err = tshark_server_records(path, port)
    r.eq(lens, [x["length"] for x in rs], "%s: tshark shows the same server records" % label, err[-300:])
    rc, out, err = tshark(["-r", path, "-Y", "tls and _ws.expert.severity >= 6291456", "-T", "fields",
                           "-e", "_ws.expert.message"])
    r.check(out.strip() == "", "%s: tshark decrypts with no TLS warning" % label, out[:600])
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 20", "-T", "fields", "-e", "tcp.srcport"])
    r.check(str(port) in out.split(), "%s: tshark decrypts the server's Finished" % label, out + err[-300:])


def run_echo_clients(r, label, srv, sc_extra, gnutls_prio, min_v):
    echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, *sc_extra), "quirk-echo")
    r.check(echoed, "%s: openssl s_client echo round trip" % label, out[-500:])
    srv.wait_verdicts(1, timeout=15)
    cmd = ["gnutls-cli", "--insecure", "-p", str(srv.port), "127.0.0.1"]
    if gnutls_prio:
        cmd += ["--priority", gnutls_prio]
    echoed, rc, out = tp.echo_exchange(cmd, "quirk-echo", wait_before_send="Handshake was completed")
    r.check(echoed, "%s: gnutls-cli echo round trip" % label, out[-500:])
    ctx = tp.python_ctx(min_v=min_v, ciphers="ALL:@SECLEVEL=0")
    try:
        res = tp.python_echo(srv.port, b"quirk from python\n", ctx=ctx)
    except (ssl.SSLError, OSError) as e:
        res = {"echoed": repr(e)}
    r.eq(res["echoed"], b"quirk from python\n", "%s: Python ssl echo round trip" % label)
    # curl: its request comes back as an HTTP/0.9 body; the server's idle
    # timeout (--timeout 3) ends the connection
    curl_opts = ["--ciphers", "ALL:@SECLEVEL=0"] if min_v else []
    rc, out, err = tp.run(["curl", "-sk", "--http0.9", "--max-time", "30"] + curl_opts +
                          ["https://127.0.0.1:%d/quirk-echo" % srv.port], timeout=40)
    r.check(rc == 0 and out.startswith("GET /quirk-echo HTTP/1.1"), "%s: curl echo round trip" % label,
            "rc %r %r %s" % (rc, out[:200], err[-300:]))


def check_case(r, label, quirks, opts, sc_extra, gnutls_prio, prop, cert):
    srv = tp.Server(["--echo", "--timeout", "3", "--cert", cert[0], "--key", cert[1]] + opts +
                    quirk_args(quirks))
    path = os.path.join(srv.tmp, "q.pcapng")
    srv.args += ["--pcap", path]
    min_v = ssl.TLSVersion.TLSv1 if "TLS1.0" in opts or "TLS1.1" in opts else None
    with srv:
        run_echo_clients(r, label, srv, sc_extra, gnutls_prio, min_v)
        evs = srv.wait_verdicts(4, timeout=15)
        srv.stop()
    r.check("record quirks: " + ",".join(quirks) in srv.stderr_text,
            "%s: serve names the quirks at start" % label, srv.stderr_text[:600])
    # s_client, gnutls-cli, Python (curl's ends in the idle timeout)
    conns = sorted({e["conn"] for e in evs.of("verdict")})[:3]
    rs = None
    for conn in conns:
        rs0 = check_conn(r, "%s conn %d" % (label, conn), evs, conn, prop, quirks)
        rs = rs0 if rs is None else rs
    if rs is not None:
        check_pcap(r, label, path, srv.port, rs)
    srv.cleanup()
    http = tp.Server(["--http", "--cert", cert[0], "--key", cert[1]] + opts + quirk_args(quirks))
    with http:
        curl_opts = ["--ciphers", "ALL:@SECLEVEL=0"] if min_v else []
        rc, out, err = tp.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}"] + curl_opts +
                              ["https://127.0.0.1:%d/" % http.port], timeout=30)
        r.check(rc == 0 and out.strip() == "200", "%s: curl gets the status page" % label,
                "rc %r %s %s" % (rc, out, err))
        http.wait_verdicts(1, timeout=15)
    http.cleanup()


def check_inapplicable(r, cert):
    """cbc-padding on an AEAD suite: one note, records unchanged."""
    srv = tp.Server(["--echo", "--cert", cert[0], "--key", cert[1], "--quirk", "cbc-padding=max"] + GCM12)
    with srv:
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_2"), "quirk-na")
        r.check(echoed, "inapplicable: s_client echo round trip", out[-400:])
        evs = srv.wait_verdicts(1, timeout=15)
    notes = [e["text"] for e in evs.of("note") if "cbc-padding=max" in e.get("text", "")]
    r.eq(len(notes), 1, "inapplicable: one note for the connection", notes)
    r.check(notes and "not a CBC suite" in notes[0], "inapplicable: the note says why", notes)
    r.check(not any(x.get("quirk") for x in s2c_records(evs)), "inapplicable: no record claims the quirk")
    srv.cleanup()


def check_usage(r):
    for arg, words in (("cbc-paddin=max", ["unknown quirk 'cbc-paddin'", "cbc-padding=", "hs-fragment="]),
                       ("cbc-padding=huge", ["bad value 'huge'", "minimal|max|random"]),
                       ("hs-fragment=0", ["bad value '0'", "1..16384"]),
                       ("empty-records=3", ["bad value '3'", "takes no value"])):
        rc, out, err = tp.run([tp.TLSPROBE, "serve", "--quirk", arg, "--port", "0"], timeout=10)
        r.eq(rc, 2, "usage: --quirk %s exits 2" % arg)
        r.check(err.startswith("tlsprobe serve: ") and all(w in err for w in words),
                "usage: --quirk %s names the bad value and the valid ones" % arg, err)
    rc, out, err = tp.run([tp.TLSPROBE, "list"], timeout=10)
    lines = [ln for ln in out.splitlines() if ln.startswith("  cbc-padding=") or ln.startswith("  hs-fragment=")]
    r.eq(len(lines), 2, "list: one line per quirk", out[-1500:])


def main():
    r = tp.Results()
    for prog in ("tshark", "curl", "openssl", "gnutls-cli"):
        if not tp.have(prog):
            print("%s not installed" % prog)
            print("0 passed, 1 failed")
            sys.exit(1)
    d = tempfile.mkdtemp(prefix="tp-quirk-cert-")
    cert = tp.make_cert(d, "quirk")
    only = os.environ.get("TP_QUIRK_ONLY")
    for case in CASES:
        if only and only not in case[0]:
            continue
        r.run(check_case, *case, cert)
    r.run(check_inapplicable, cert)
    r.run(check_usage)
    r.finish()


if __name__ == "__main__":
    main()
