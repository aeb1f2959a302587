#!/usr/bin/env python3
"""Pre-shared keys and SRP (--psk ID:HEX, --srp USER:PASSWORD) with real
clients: openssl s_client -psk/-psk_identity (TLS 1.3 external PSK and TLS
1.2 PSK suites) and gnutls-cli --pskusername/--pskkey and
--srpusername/--srppasswd.  Each session's kx is a PSK (or SRP) one, the
trace shows the identity the client offered (never the key), every
protected record both ways is checked by the independent verifier (none
unchecked, none bad), and the verdicts name an unknown identity ("the
client offered PSK identity 'x'; the server has 'y'") and a wrong key
(TLS 1.3: the binder the server refused; TLS 1.2: the client's Finished
that fails our check), actor client.  Usage errors name the bad value;
the PSK key exchanges are values of the sweep's kx axis; tshark decrypts
the pcapng of PSK sessions."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

KEY = "00112233445566778899aabbccddeeff"
WRONG = "00112233445566778899aabbccddee00"
PSK_ARGS = ["--echo", "--psk", "dev:" + KEY, "--psk", "lab:0a0b0c0d"]
GNUTLS_PSK13 = "NORMAL:+ECDHE-PSK:+DHE-PSK:+PSK"
GNUTLS_PSK12 = "NORMAL:-VERS-TLS1.3:-KX-ALL:+PSK"


def s_client_psk(port, identity, key, *extra):
    return ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-psk", key,
            "-psk_identity", identity] + list(extra)


def gnutls_psk(port, identity, key, priority):
    return ["gnutls-cli", "--port", str(port), "127.0.0.1", "--pskusername", identity,
            "--pskkey", key, "--priority", priority, "--insecure"]


def all_checked(r, v, label):
    rec = (v.get("layers") or {}).get("records") or {}
    for d in ("c2s", "s2c"):
        x = rec.get(d) or {}
        r.check(x.get("protected", 0) >= 1 and x.get("ok") == x.get("protected") and
                x.get("bad") == 0 and x.get("unchecked") == 0,
                "%s: every protected %s record checked ok by the verifier" % (label, d), rec)


def client_ext(evs, conn, name):
    ch = evs.client_hello(conn) or {}
    return next((e for e in ch.get("extensions", []) if e.get("name") == name), None)


def handshake_msg(evs, conn, msg):
    return next((e for e in evs.conn_events(conn) if e.get("event") == "handshake" and
                 e.get("msg") == msg), None)


def expect_ok(r, srv, conn, label, kx):
    v = srv.wait_conn_verdict(conn, timeout=15).verdict(conn) or {}
    r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("ok", "after-handshake", "none"),
         "%s: ok verdict" % label, v.get("summary"))
    kinds = kx if isinstance(kx, tuple) else (kx,)
    r.check(v.get("kx") in kinds, "%s: kx %s" % (label, " or ".join(kinds)), v)
    all_checked(r, v, label)
    return v


def expect_fail(r, srv, conn, label, cause, words):
    v = srv.wait_conn_verdict(conn, timeout=15).verdict(conn) or {}
    r.eq((v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")),
         ("fail", "handshake", "client", cause), "%s: verdict" % label, v.get("summary"))
    for w in words:
        r.check(w in (v.get("summary") or ""), "%s: summary says %r" % (label, w), v.get("summary"))


def test_openssl(r):
    with tp.Server(PSK_ARGS) as srv:
        ok, rc, out = tp.echo_exchange(s_client_psk(srv.port, "dev", KEY, "-tls1_3", "-quiet"),
                                       "psk13")
        r.check(ok, "s_client TLS 1.3 PSK: echoed", out[-400:])
        v = expect_ok(r, srv, 1, "s_client TLS 1.3 PSK", "ECDHE-PSK")
        evs = srv.events()
        ext = client_ext(evs, 1, "pre_shared_key") or {}
        r.eq((ext.get("identity"), ext.get("identities"), ext.get("binders")), ("dev", 1, 1),
             "s_client TLS 1.3: the trace shows the offered identity", ext)
        # our binder check (RFC 8446 4.2.11.2) agrees with OpenSSL's binder
        r.eq((v.get("relations") or {}).get("psk"),
             {"offered": "dev", "server": "'dev', 'lab'", "known": True, "binder": True,
              "selected": True}, "s_client TLS 1.3: relations.psk (binder checked)", v)
        ok, rc, out = tp.echo_exchange(
            s_client_psk(srv.port, "lab", "0a0b0c0d", "-tls1_2", "-cipher", "PSK", "-quiet"),
            "psk12")
        r.check(ok, "s_client TLS 1.2 PSK: echoed", out[-400:])
        # s_client's order decides (client precedence): one of the PSK suites
        v = expect_ok(r, srv, 2, "s_client TLS 1.2 PSK", ("ECDHE-PSK", "DHE-PSK", "PSK"))
        cke = handshake_msg(srv.events(), 2, "ClientKeyExchange") or {}
        r.eq(cke.get("psk_identity"), "lab", "s_client TLS 1.2: ClientKeyExchange identity", cke)
        # unknown identity, wrong key: TLS 1.3 then TLS 1.2
        tp.echo_exchange(s_client_psk(srv.port, "bob", KEY, "-tls1_3", "-quiet"), "x", timeout=3)
        expect_fail(r, srv, 3, "TLS 1.3 unknown identity", "psk-unknown-identity",
                    ["the client offered PSK identity 'bob'; the server has 'dev', 'lab'",
                     "fatal unknown_psk_identity"])
        tp.echo_exchange(s_client_psk(srv.port, "dev", WRONG, "-tls1_3", "-quiet"), "x", timeout=3)
        expect_fail(r, srv, 4, "TLS 1.3 wrong key", "psk-key-mismatch",
                    ["the client's key for PSK identity 'dev' differs from the server's",
                     "binder", "our check: the binder does not match the server's key",
                     "the server sent fatal"])
        tp.echo_exchange(s_client_psk(srv.port, "bob", KEY, "-tls1_2", "-cipher", "PSK",
                                      "-quiet"), "x", timeout=3)
        expect_fail(r, srv, 5, "TLS 1.2 unknown identity", "psk-unknown-identity",
                    ["identity 'bob'", "unknown_psk_identity"])
        tp.echo_exchange(s_client_psk(srv.port, "dev", WRONG, "-tls1_2", "-cipher", "PSK",
                                      "-quiet"), "x", timeout=3)
        expect_fail(r, srv, 6, "TLS 1.2 wrong key", "psk-key-mismatch",
                    ["differs from the server's", "its Finished (record #",
                     "fails our check with the server's keys", "the server noticed",
                     "bad_record_mac"])
        srv.stop()
        with open(srv.trace_path) as f:
            text = f.read()
        r.check(KEY not in text and "0a0b0c0d" not in text, "the trace holds no PSK key")


def test_gnutls(r):
    with tp.Server(PSK_ARGS + ["--kx", "ECDHE-PSK,DHE-PSK,PSK"]) as srv:
        ok, rc, out = tp.echo_exchange(gnutls_psk(srv.port, "dev", KEY, GNUTLS_PSK13), "g13",
                                       wait_before_send="Handshake was completed")
        r.check(ok, "gnutls-cli TLS 1.3 PSK: echoed", out[-400:])
        v = expect_ok(r, srv, 1, "gnutls-cli TLS 1.3 PSK", "ECDHE-PSK")
        r.eq(((v.get("relations") or {}).get("psk") or {}).get("binder"), True,
             "gnutls-cli TLS 1.3: our binder check agrees with GnuTLS's binder", v)
        ok, rc, out = tp.echo_exchange(gnutls_psk(srv.port, "dev", KEY, GNUTLS_PSK12), "g12",
                                       wait_before_send="Handshake was completed")
        r.check(ok, "gnutls-cli TLS 1.2 plain PSK: echoed", out[-400:])
        v = expect_ok(r, srv, 2, "gnutls-cli TLS 1.2 plain PSK", "PSK")
        r.eq(v.get("protocol"), "TLS1.2", "gnutls-cli TLS 1.2 plain PSK: protocol")
        tp.echo_exchange(gnutls_psk(srv.port, "eve", KEY, GNUTLS_PSK12), "x", timeout=3)
        expect_fail(r, srv, 3, "gnutls-cli unknown identity", "psk-unknown-identity",
                    ["the client offered PSK identity 'eve'; the server has 'dev', 'lab'"])
    # TLS 1.3 psk_ke (RFC 8446 4.2.9): a PSK without a key share
    with tp.Server(PSK_ARGS) as srv:
        ok, rc, out = tp.echo_exchange(gnutls_psk(srv.port, "lab", "0a0b0c0d",
                                                  "NORMAL:-KX-ALL:+PSK"), "ke",
                                       wait_before_send="Handshake was completed")
        r.check(ok, "gnutls-cli TLS 1.3 psk_ke: echoed", out[-400:])
        v = expect_ok(r, srv, 1, "gnutls-cli TLS 1.3 psk_ke", "PSK")
        r.eq((v.get("protocol"), v.get("group")), ("TLS1.3", None),
             "gnutls-cli TLS 1.3 psk_ke: no group", v)
        modes = client_ext(srv.events(), 1, "psk_key_exchange_modes") or {}
        r.eq(modes.get("modes"), ["psk_ke"], "gnutls-cli TLS 1.3 psk_ke: the offered mode", modes)


def test_srp(r):
    with tp.Server(["--echo", "--srp", "bob:secret"]) as srv:
        cmd = ["gnutls-cli", "--port", str(srv.port), "127.0.0.1", "--srpusername", "bob",
               "--srppasswd", "secret", "--priority", "NORMAL:-KX-ALL:+SRP", "--insecure"]
        ok, rc, out = tp.echo_exchange(cmd, "srp", wait_before_send="Handshake was completed")
        r.check(ok, "gnutls-cli SRP: echoed", out[-400:])
        expect_ok(r, srv, 1, "gnutls-cli SRP", "SRP")
        bad = list(cmd)
        bad[bad.index("secret")] = "wrong"
        tp.echo_exchange(bad, "x", timeout=3)
        v = srv.wait_conn_verdict(2, timeout=15).verdict(2) or {}
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("fail", "handshake", "client"),
             "SRP wrong password: the client's records fail", v.get("summary"))
        r.check("invalid protected record" in (v.get("summary") or ""),
                "SRP wrong password: the summary names the client's bad record", v.get("summary"))


def test_list_and_usage(r):
    # the engine's own list (tlsprobe list --engine openssl under TP_ENGINE=openssl)
    out = subprocess.run([tp.TLSPROBE, "list"] + tp.engine_args([]), capture_output=True,
                         text=True).stdout
    for kx, opt in (("PSK", "--psk"), ("ECDHE-PSK", "--psk"), ("DHE-PSK", "--psk"),
                    ("SRP", "--srp")):
        r.check(any(l.split()[:2] == ["*", kx] and ("(with %s)" % opt) in l
                    for l in out.splitlines()), "list: %s negotiable with %s" % (kx, opt), out[-900:])
    for args, words in ((["--psk", "dev:12x4"], ["--psk 'dev:12x4'", "the key '12x4' is not hex"]),
                        (["--psk", "nokey"], ["--psk 'nokey'", "ID:HEX"]),
                        (["--psk", "dev:abc"], ["the key 'abc' is not hex", "even number"]),
                        (["--srp", "bob"], ["--srp 'bob'", "USER:PASSWORD"]),
                        (["--kx", "PSK"], ["--kx PSK: PSK needs --psk"]),
                        (["--kx", "SRP"], ["SRP needs --srp"])):
        p = subprocess.run([tp.TLSPROBE, "serve", "--port", "0"] + tp.engine_args(args) + args,
                           capture_output=True,
                           text=True, timeout=20)
        r.eq(p.returncode, 2, "usage error %s: exit status 2" % " ".join(args), p.stderr)
        for w in words:
            r.check(w in p.stderr and p.stderr.startswith("tlsprobe serve: "),
                    "usage error %s: names %r" % (" ".join(args), w), p.stderr)


TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")


def tshark(args):
    return tp.run(["tshark", "-n"] + args, timeout=60,
                  env={"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF})


def test_tshark(r):
    """tshark decrypts the pcapng of PSK sessions (TLS 1.3, TLS 1.2) with
    the keys the server embedded, no settings: both Finished of each and the
    echoed line."""
    pcap = os.path.join(tempfile.mkdtemp(prefix="tp-psk-pcap-"), "psk.pcapng")
    with tp.Server(PSK_ARGS + ["--pcap", pcap]) as srv:
        for i, extra in enumerate((["-tls1_3"], ["-tls1_2", "-cipher", "PSK"])):
            ok, rc, out = tp.echo_exchange(s_client_psk(srv.port, "dev", KEY, "-quiet", *extra),
                                           "tshark-psk-%d" % i)
            r.check(ok, "pcap %s: echoed" % extra[0], out[-300:])
            srv.wait_conn_verdict(i + 1, timeout=15)
        srv.stop()
    rc, out, err = tshark(["-r", pcap, "-Y", "tls.handshake.type == 20", "-T", "fields",
                           "-e", "tcp.stream"])
    r.eq(sorted(x for x in out.split() if x), ["0", "0", "1", "1"],
         "tshark decrypts both Finished of both PSK sessions", err[-300:])
    for stream in (0, 1):
        rc, out, err = tshark(["-r", pcap, "-q", "-z", "follow,tls,ascii,%d" % stream])
        r.check(out.count("tshark-psk-%d" % stream) >= 2,
                "tshark decrypts the echoed line of PSK session %d both ways" % stream, out[-600:])


def test_sweep(r):
    """The PSK key exchanges as values of the sweep's kx axis."""
    out = os.path.join(tempfile.mkdtemp(prefix="tp-psk-sweep-"), "sweep.json")
    client = ("openssl s_client -connect {host}:{port} -psk %s -psk_identity dev -cipher PSK "
              "-tls1_2" % KEY)
    # the sweep's servers on the engine under test (--engine $TP_ENGINE)
    p = subprocess.run([tp.TLSPROBE, "sweep"] + tp.engine_args([]) +
                       ["--psk", "dev:" + KEY, "--axes", "kx", "--kx",
                        "PSK,ECDHE-PSK,DHE-PSK,RSA-PSK", "--protocols", "TLS1.2", "--client",
                        client, "--json", out], capture_output=True, text=True, timeout=300)
    r.eq(p.returncode, 0, "sweep over the PSK kx: exit status", p.stderr[-800:])
    with open(out) as f:
        res = json.load(f).get("results", [])
    got = {x["config"]["kx"]: (x["status"], x["verdict"].get("kx")) for x in res}
    for kx in ("PSK", "ECDHE-PSK", "DHE-PSK", "RSA-PSK"):
        r.eq(got.get(kx), ("ok", kx), "sweep kx=%s: ok and negotiated" % kx, got)
    with open(out) as f:
        r.check(KEY not in f.read(), "the sweep's results hold no PSK key")
    p = subprocess.run([tp.TLSPROBE, "sweep"] + tp.engine_args([]) +
                       ["--axes", "kx", "--kx", "ECDHE-PSK", "--client", "true"],
                       capture_output=True, text=True, timeout=30)
    r.check(p.returncode == 2 and "ECDHE-PSK needs --psk" in p.stderr,
            "sweep --kx ECDHE-PSK without --psk: usage error", p.stderr)


def main():
    r = tp.Results()
    for t in (test_openssl, test_gnutls, test_srp, test_list_and_usage, test_tshark, test_sweep):
        r.run(t)
    r.finish()


if __name__ == "__main__":
    main()
