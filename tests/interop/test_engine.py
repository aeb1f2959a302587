#!/usr/bin/env python3
"""The engine choice: --engine openssl with OpenSSL's names and strings,
what it refuses (naming the engine), client certificates and
renegotiation on it, tlsprobe list --engine openssl, and a sweep whose
rule names the engine: a client that cannot take the zero-length record
OpenSSL sends before each TLS 1.0 CBC record (zero_record_client.py)."""
import json
import os
import subprocess
import tempfile

import tp

R = tp.Results()
HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="tp-engine-")


def served(args, client_args, line="engine-line"):
    """Serves args on the openssl engine; s_client with client_args echoes a
    line; returns (echoed, s_client output, verdict, events)."""
    with tp.Server(["--engine", "openssl", "--echo"] + args) as srv:
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, *client_args), line)
        evs = srv.wait_verdicts(1, 15)
        return echoed, out, evs.verdict(1) or {}, evs, srv


def test_openssl_names(r):
    """OpenSSL suite names in --ciphers, TLSv1 in --protocols."""
    echoed, out, v, _, _ = served(["--protocols", "TLSv1", "--ciphers", "ECDHE-RSA-AES128-SHA"],
                                  ["-tls1", "-cipher", "ALL:@SECLEVEL=0"])
    r.check(echoed, "TLSv1 + ECDHE-RSA-AES128-SHA: echoed", out[-600:])
    r.eq((v.get("outcome"), v.get("protocol"), v.get("kx"), v.get("cipher"), v.get("mac")),
         ("ok", "TLS1.0", "ECDHE-RSA", "AES-128-CBC", "SHA1"), "OpenSSL names: the verdict's parameters")


def test_cipher_string(r):
    """--cipher-string and --ciphersuites as OpenSSL takes them."""
    echoed, out, v, _, _ = served(["--cipher-string", "AES256-SHA256:@SECLEVEL=0",
                                   "--protocols", "TLS1.2"], ["-tls1_2"])
    r.eq((echoed, v.get("kx"), v.get("cipher"), v.get("mac")), (True, "RSA", "AES-256-CBC", "SHA256"),
         "--cipher-string AES256-SHA256: RSA AES-256-CBC SHA256")
    echoed, out, v, _, _ = served(["--ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"], ["-tls1_3"])
    r.eq((echoed, v.get("protocol"), v.get("cipher")), (True, "TLS1.3", "CHACHA20-POLY1305"),
         "--ciphersuites TLS_CHACHA20_POLY1305_SHA256")


def refused(r, args, words, what):
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--port", "0", "--listen", "127.0.0.1"] + args)
    r.eq(rc, 2, "%s: usage error (exit 2)" % what, err)
    r.check(err.startswith("tlsprobe serve: "), "%s: 'tlsprobe serve:' message" % what, err)
    for w in words:
        r.contains(err, w, "%s: message says %r" % (what, w))


def test_refusals(r):
    ossl = ["--engine", "openssl"]
    refused(r, ossl + ["--ciphers", "3DES-CBC"], ["openssl engine", "3DES-CBC"], "3DES on openssl")
    refused(r, ossl + ["--protocols", "SSL3.0"], ["openssl engine", "SSL 3.0", "no-ssl3"], "SSL3 on openssl")
    refused(r, ossl + ["--ciphers", "AES-129-CBC"], ["AES-129-CBC", "openssl engine"], "unknown cipher")
    refused(r, ossl + ["--priority", "NORMAL"], ["--priority", "--cipher-string"], "--priority on openssl")
    # --ocsp, --sigalgs, --sni-cert work on openssl (test_certs, test_alpn_sni -openssl,
    # test_openssl_certs); a sigalg libssl 3 cannot sign with is refused, naming the valid ones
    refused(r, ossl + ["--sigalgs", "RSA-SHA256,RSA-MD5"],
            ["--sigalgs", "openssl engine", "cannot sign with sigalg 'RSA-MD5'", "RSA-PSS-RSAE-SHA256"],
            "--sigalgs RSA-MD5 on openssl")
    refused(r, ["--cipher-string", "HIGH"], ["--cipher-string", "--engine openssl"], "--cipher-string on gnutls")
    refused(r, ["--engine", "wolfssl"], ["wolfssl", "gnutls, openssl"], "unknown engine")


def test_client_cert(r):
    """--client-cert require without a certificate: the handshake fails, the client's fault."""
    echoed, out, v, _, _ = served(["--client-cert", "require", "--protocols", "TLS1.2"], ["-tls1_2"])
    r.check(not echoed, "client-cert require, none sent: no echo", out[-400:])
    r.eq((v.get("outcome"), v.get("phase")), ("fail", "handshake"), "client-cert require: handshake fail")
    cert, key = tp.make_cert(TMP, "client")
    echoed, out, v, _, _ = served(["--client-cert", "require", "--protocols", "TLS1.2"],
                                  ["-tls1_2", "-cert", cert, "-key", key])
    r.eq((echoed, v.get("outcome")), (True, "ok"), "client-cert require, one sent: ok", out[-400:])


def test_renegotiation(r):
    """A client's renegotiation: refused by default (no_renegotiation), taken with allow."""
    for policy, want in (("refuse", "no_renegotiation"), ("allow", None)):
        with tp.Server(["--engine", "openssl", "--echo", "--protocols", "TLS1.2",
                        "--renegotiation", policy]) as srv:
            p = subprocess.run(["sh", "-c", "(echo R; sleep 1; echo reneg-line; sleep 1) | "
                                "openssl s_client -connect 127.0.0.1:%d -tls1_2" % srv.port],
                               capture_output=True, text=True, timeout=30)
            evs = srv.wait_verdicts(1, 15)
            alerts = [e for e in evs.of("alert", 1) if e.get("dir") == "s2c"]
            names = [a.get("description") for a in alerts]
            hellos = evs.handshake(1, "ClientHello")
            if want:
                r.check(want in names, "renegotiation %s: the server sent %s" % (policy, want), names)
            else:
                r.check(len(hellos) == 2 and "no_renegotiation" not in names,
                        "renegotiation allow: a second handshake, no refusal", (len(hellos), names))


def test_list(r):
    rc, out, err = tp.run([tp.TLSPROBE, "list", "--engine", "openssl"])
    r.eq(rc, 0, "list --engine openssl: exit 0", err)
    r.contains(out, "engine: openssl (OpenSSL 3.", "list: names the engine and version")
    r.contains(out, "  * ECDHE-RSA-AES128-GCM-SHA256", "list: OpenSSL suite names")
    r.check("3DES-CBC" in out and "no-weak-ssl-ciphers" in out, "list: 3DES not negotiable, says why", out[:2000])
    r.check("SSL3.0" in out and "no-ssl3" in out, "list: SSL3.0 not negotiable, says why")
    cam = [l for l in out.splitlines() if l.strip().startswith("CAMELLIA-128-GCM")]
    r.check(len(cam) == 1 and "OpenSSL has no TLS suite with it" in cam[0],
            "list: Camellia-GCM is OpenSSL's gap, not Debian's build", cam)


def test_sweep_engine(r):
    """The engine axis: the rule names engine = openssl (its empty fragment in TLS 1.0 CBC)."""
    out = os.path.join(TMP, "sweep.json")
    client = "python3 %s {host} {port}" % os.path.join(HERE, "zero_record_client.py")
    p = subprocess.run([tp.TLSPROBE, "sweep", "--axes", "engine,protocol,cipher", "--protocols",
                        "TLS1.0,TLS1.2", "--ciphers", "AES-128-CBC,AES-128-GCM", "--kx", "ECDHE-RSA",
                        "--client", client, "-j", "2", "--json", out],
                       capture_output=True, text=True, timeout=600)
    r.eq(p.returncode, 0, "sweep engine axis: exit 0", p.stderr[-600:])
    if not os.path.exists(out):
        r.check(False, "sweep engine axis: JSON written", p.stderr[-600:])
        return
    with open(out) as f:
        data = json.load(f)
    d = data["decides"]
    r.eq(d["rule"], "fails exactly when engine = openssl and protocol = TLS1.0", "sweep: the rule names the engine")
    r.check(d["exact"], "sweep: the rule is exact", d)
    fails = [x for x in data["results"] if x["status"] == "fail"]
    r.check(len(fails) == 1 and fails[0]["verdict"].get("actor") == "client" and
            "rejected with decode_error" in fails[0]["client"]["output"],
            "sweep: the one failure is the client's, after the empty record", fails[:1])


def main():
    for t in (test_openssl_names, test_cipher_string, test_refusals, test_client_cert,
              test_renegotiation, test_list, test_sweep_engine):
        R.run(t)
    R.finish()


if __name__ == "__main__":
    main()
