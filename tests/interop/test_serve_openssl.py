#!/usr/bin/env python3
"""openssl s_client against `tlsprobe serve --echo` at TLS 1.0 to 1.3 with
several suites; asserts on the JSON trace of each connection."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

LEGACY = "DEFAULT:@SECLEVEL=0"

# (label, s_client args, IANA name, code, protocol, kx, cipher, mac)
CASES_ALL_VERSIONS = [
    ("TLS1.0 ECDHE-RSA-AES128-SHA", ["-tls1", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"],
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013, "TLS1.0", "ECDHE-RSA", "AES-128-CBC", "SHA1"),
    ("TLS1.1 ECDHE-RSA-AES256-SHA", ["-tls1_1", "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0"],
     "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014, "TLS1.1", "ECDHE-RSA", "AES-256-CBC", "SHA1"),
    ("TLS1.1 DEFAULT@SECLEVEL=0", ["-tls1_1", "-cipher", LEGACY],
     None, None, "TLS1.1", None, None, None),
    ("TLS1.2 ECDHE-RSA-AES128-GCM-SHA256", ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, "TLS1.2", "ECDHE-RSA", "AES-128-GCM", "AEAD"),
    ("TLS1.2 ECDHE-RSA-AES256-GCM-SHA384", ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"],
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030, "TLS1.2", "ECDHE-RSA", "AES-256-GCM", "AEAD"),
    ("TLS1.2 ECDHE-RSA-CHACHA20-POLY1305", ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"],
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8, "TLS1.2", "ECDHE-RSA",
     "CHACHA20-POLY1305", "AEAD"),
    ("TLS1.3 TLS_AES_128_GCM_SHA256", ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"],
     "TLS_AES_128_GCM_SHA256", 0x1301, "TLS1.3", None, "AES-128-GCM", "AEAD"),
    ("TLS1.3 TLS_CHACHA20_POLY1305_SHA256", ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"],
     "TLS_CHACHA20_POLY1305_SHA256", 0x1303, "TLS1.3", None, "CHACHA20-POLY1305", "AEAD"),
    ("TLS1.3 TLS_AES_256_GCM_SHA384", ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
     "TLS_AES_256_GCM_SHA384", 0x1302, "TLS1.3", None, "AES-256-GCM", "AEAD"),
]

# Server started with RSA key exchange and the SHA-2 CBC MACs enabled.
CASES_RSA_KX = [
    ("TLS1.2 AES128-SHA (RSA kx)", ["-tls1_2", "-cipher", "AES128-SHA"],
     "TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, "TLS1.2", "RSA", "AES-128-CBC", "SHA1"),
    ("TLS1.2 AES256-SHA256 (RSA kx)", ["-tls1_2", "-cipher", "AES256-SHA256"],
     "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D, "TLS1.2", "RSA", "AES-256-CBC", "SHA256"),
    ("TLS1.2 ECDHE-RSA-AES256-SHA384", ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"],
     "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028, "TLS1.2", "ECDHE-RSA", "AES-256-CBC", "SHA384"),
    ("TLS1.0 AES128-SHA (RSA kx)", ["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
     "TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, "TLS1.0", "RSA", "AES-128-CBC", "SHA1"),
]

OSSL_PROTO = {"TLS1.0": "TLSv1", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2", "TLS1.3": "TLSv1.3"}


def run_case(r, srv, case, conn_expected):
    label, args, iana, code, proto, kx, cipher, mac = case
    line = "line-%d-%s" % (conn_expected, re.sub(r"[^A-Za-z0-9]", "", label))
    echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, *args), line)
    r.check(echoed, "%s: s_client got the line echoed back" % label, out[-1500:])
    m = re.search(r"Protocol\s*:\s*(\S+)", out) or re.search(r"New, (TLSv[\d.]+),", out)
    r.eq(m.group(1) if m else None, OSSL_PROTO[proto], "%s: s_client reports %s" % (label, proto))

    evs = srv.wait_conn_verdict(conn_expected, timeout=10)
    v = evs.verdict(conn_expected)
    r.check(v is not None, "%s: conn %d has a verdict" % (label, conn_expected))
    v = v or {}
    r.eq(v.get("outcome"), "ok", "%s: verdict outcome ok" % label)
    r.eq(v.get("protocol"), proto, "%s: verdict protocol" % label)
    if cipher:
        r.eq(v.get("cipher"), cipher, "%s: verdict cipher" % label)
    if mac:
        r.eq(v.get("mac"), mac, "%s: verdict mac" % label)
    if kx:
        r.eq(v.get("kx"), kx, "%s: verdict kx" % label)
    elif proto != "TLS1.3":
        r.check(isinstance(v.get("kx"), str) and v.get("kx"), "%s: verdict kx named" % label, v)
    r.check("alert" not in v or v.get("alert") in (None, {}) or
            (v["alert"].get("description") == "close_notify"),
            "%s: verdict carries no error alert" % label, v.get("alert"))

    ch = evs.client_hello(conn_expected)
    r.check(ch is not None, "%s: ClientHello event" % label)
    if iana:
        r.check(tp.suite_listed(ch, iana, code), "%s: ClientHello lists %s" % (label, iana),
                (ch or {}).get("ciphers"))
    # s_client -tls1_3 -ciphersuites X also sends the TLS 1.2 suites; -tls1_2 -cipher X only X
    if proto in ("TLS1.2",) and iana:
        non_scsv = [c for c in tp.ch_suites(ch)
                    if not tp.entry_is(c, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x00FF)]
        r.check(len(non_scsv) == 1, "%s: ClientHello offered exactly that one suite (+SCSV)" % label,
                (ch or {}).get("ciphers"))
    md5 = tp.ja3_md5(ch)
    r.check(md5 is not None and re.fullmatch(r"[0-9a-f]{32}", md5 or ""), "%s: JA3 present" % label, ch)
    j = tp.ja3_string(ch)
    if j:
        vers = {"TLS1.0": "769", "TLS1.1": "770", "TLS1.2": "771", "TLS1.3": "771"}[proto]
        r.check(j.split(",")[0] == vers, "%s: JA3 string starts with the ClientHello version %s" %
                (label, vers), j)
        if code is not None:
            r.check(str(code) in j.split(",")[1].split("-"), "%s: JA3 suite list has %d" % (label, code), j)
    sh = evs.handshake(conn_expected, "ServerHello", "s2c")
    r.check(len(sh) == 1, "%s: one ServerHello event" % label)
    if proto != "TLS1.3":
        for msg in ("Certificate", "ServerHelloDone", "ClientKeyExchange"):
            r.check(evs.handshake(conn_expected, msg), "%s: %s event (plaintext in %s)" % (label, msg, proto))
        if kx and kx.startswith("ECDHE"):
            r.check(evs.handshake(conn_expected, "ServerKeyExchange", "s2c"),
                    "%s: ServerKeyExchange event" % label)
        if kx == "RSA":
            r.check(not evs.handshake(conn_expected, "ServerKeyExchange"),
                    "%s: no ServerKeyExchange with RSA kx" % label)
        ccs = [e for e in evs.records(conn_expected) if e.get("type") == "change_cipher_spec"]
        r.check({e.get("dir") for e in ccs} == {"c2s", "s2c"},
                "%s: change_cipher_spec records both ways" % label, [e.get("dir") for e in ccs])
    fins = [e for e in evs.handshake(conn_expected, "Finished") if "verified" in e]
    r.check(all(e.get("verified") is True for e in fins),
            "%s: every Finished the independent check looked at is verified" % label,
            [(e.get("dir"), e.get("verified"), e.get("verify_data"), e.get("expected")) for e in fins])
    bad = [e for e in evs.records(conn_expected) if e.get("integrity") == "bad"]
    r.check(not bad, "%s: no protected record checked bad" % label, bad[:2])
    c2s = evs.records(conn_expected, "c2s")
    s2c = evs.records(conn_expected, "s2c")
    r.check(c2s and s2c, "%s: record events in both directions" % label)
    app = [e for e in c2s + s2c if e.get("protected") is True]
    r.check({e.get("dir") for e in app} == {"c2s", "s2c"},
            "%s: protected records both ways" % label,
            [(e.get("dir"), e.get("type"), e.get("protected")) for e in c2s + s2c])
    if proto != "TLS1.3":
        vstr = proto
        r.check(any(e.get("version") == vstr for e in s2c),
                "%s: server records carry version %s" % (label, vstr),
                [e.get("version") for e in s2c])
        appdata = [e for e in c2s + s2c if e.get("type") == "application_data"]
        r.check({e.get("dir") for e in appdata} == {"c2s", "s2c"},
                "%s: application_data records both ways" % label)


def run_server(r, label, args, cases):
    srv = tp.Server(args)
    try:
        try:
            srv.start()
        except tp.ServerError as e:
            r.check(False, "%s: server starts" % label, e)
            return
        r.check(True, "%s: server starts" % label)
        for i, case in enumerate(cases, start=1):
            run_case(r, srv, case, i)
        srv.stop()
        r.eq(srv.rc, 0, "%s: server exits 0 on SIGTERM" % label)
        evs = srv.events()
        tp.check_trace_wellformed(r, evs, label)
        r.eq(len(evs.conns()), len(cases), "%s: one accept per client" % label)
        r.eq(srv.summary, (len(cases), len(cases), 0), "%s: summary line" % label)
    finally:
        srv.cleanup()


def test_all_versions(r):
    run_server(r, "all versions", ["--echo", "--protocols", "TLS1.0,TLS1.1,TLS1.2,TLS1.3"],
               CASES_ALL_VERSIONS)


def test_rsa_kx(r):
    run_server(r, "rsa kx", ["--echo", "--protocols", "TLS1.0,TLS1.1,TLS1.2,TLS1.3",
                             "--kx", "RSA,ECDHE-RSA", "--macs", "SHA1,SHA256,SHA384"],
               CASES_RSA_KX)


def test_version_mismatch(r):
    """Server only TLS 1.3, client only TLS 1.2: verdict fail in the handshake,
    naming the alert and the versions."""
    srv = tp.Server(["--echo", "--timeout", "5", "--protocols", "TLS1.3"])
    try:
        srv.start()
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_2"), "no-echo-expected-7731", timeout=5)
        evs = srv.wait_verdicts(1, 10)
        v = evs.verdict(1) or {}
        r.check(not echoed, "version mismatch: TLS 1.2-only client gets no echo", out[-800:])
        r.eq(v.get("outcome"), "fail", "version mismatch: verdict fail")
        r.eq(v.get("phase"), "handshake", "version mismatch: phase handshake")
        r.check(isinstance(v.get("alert"), dict) and v["alert"].get("from") == "server",
                "version mismatch: verdict names the server's alert", v)
        s = v.get("summary", "")
        r.check("TLS1.2" in s or "version" in s.lower(),
                "version mismatch: summary talks about the version", s)
        r.check(evs.client_hello(1) is not None, "version mismatch: ClientHello still decoded")
        srv.stop()
        r.eq(srv.summary, (1, 0, 1), "version mismatch: summary 1 connection 0 ok 1 failed")
    finally:
        srv.cleanup()


if __name__ == "__main__":
    r = tp.Results()
    r.run(test_all_versions)
    r.run(test_rsa_kx)
    r.run(test_version_mismatch)
    r.finish()
