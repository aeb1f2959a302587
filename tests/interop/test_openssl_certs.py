#!/usr/bin/env python3
"""The certificate side of the openssl engine against the gnutls engine's:
the negotiated signature algorithm in the trace (the verdict's `sigalg`)
is the same on both engines for each key type and version; --sigalgs in
GnuTLS's and OpenSSL's spellings reaches the wire (openssl s_client's
"Peer signature type" / "Peer signing digest"); a sigalg libssl cannot sign
with is a usage error naming the engine; the sweep over engine x cert
variant (openssl s_client verifying against --save-ca) and engine x ocsp
(gnutls-cli --ocsp) and engine x sni-mode (curl asking for a name no
certificate covers) find the same verdict per value on both engines; the --ocsp usage errors are the same on both."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-osslcerts-")


def served(engine, args, client):
    """One s_client handshake on a server of the engine: (s_client output, verdict)."""
    with tp.Server(["--echo", "--engine", engine] + args) as srv:
        rc, out, err = tp.run(tp.s_client(srv.port, *client), input=b"", timeout=20)
        vs = srv.wait_verdicts(1).of("verdict")
        return out, (vs[0] if vs else {})


def test_sigalg_same_on_both(r):
    cases = [("rsa:2048", "-tls1_2"), ("rsa:2048", "-tls1_3"), ("ecdsa:p256", "-tls1_2"),
             ("ecdsa:p256", "-tls1_3"), ("ecdsa:p384", "-tls1_3"), ("ed25519", "-tls1_2"),
             ("ed25519", "-tls1_3")]
    for kt, ver in cases:
        got = {}
        for engine in ("gnutls", "openssl"):
            out, v = served(engine, ["--key-type", kt], [ver])
            got[engine] = (v.get("protocol"), v.get("kx"), v.get("sigalg"))
        r.check(got["openssl"][2], "%s %s: the openssl engine names the sigalg" % (kt, ver), got)
        r.eq(got["openssl"], got["gnutls"], "%s %s: protocol, kx and sigalg the same on both "
             "engines" % (kt, ver))
    out, v = served("openssl", [], ["-tls1_2", "-cipher", "AES128-SHA"])
    r.eq((v.get("kx"), v.get("sigalg")), ("RSA", None),
         "TLS 1.2 RSA key exchange: nothing signed, no sigalg (as on gnutls)", v.get("summary"))


def test_sigalgs_option(r):
    cases = [("RSA-SHA256", "-tls1_2", "RSA-SHA256", "Peer signature type: RSA\n", "SHA256"),
             ("rsa_pss_rsae_sha384", "-tls1_3", "RSA-PSS-RSAE-SHA384", "RSA-PSS", "SHA384"),
             ("RSA+SHA512", "-tls1_2", "RSA-SHA512", "Peer signature type: RSA\n", "SHA512")]
    for value, ver, name, sigtype, digest in cases:
        out, v = served("openssl", ["--sigalgs", value], [ver])
        r.eq(v.get("sigalg"), name, "--sigalgs %s: the verdict's sigalg %s" % (value, name),
             v.get("summary"))
        r.contains(out, "Peer signing digest: " + digest, "--sigalgs %s: s_client sees %s" %
                   (value, digest))
        r.contains(out, sigtype, "--sigalgs %s: s_client sees %s" % (value, sigtype.strip()))
        r.eq(v.get("outcome"), "ok", "--sigalgs %s: verdict ok" % value)
    out, v = served("openssl", ["--sigalgs", "ECDSA-SECP384R1-SHA384", "--key-type",
                                "ecdsa:p384"], ["-tls1_3"])
    r.eq(v.get("sigalg"), "ECDSA-SECP384R1-SHA384", "--sigalgs ECDSA-SECP384R1-SHA384 (GnuTLS "
         "name) on openssl", v.get("summary"))
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--port", "0", "--engine", "openssl",
                           "--sigalgs", "RSA-SHA256,RSA-SHA257"], timeout=20)
    r.eq(rc, 2, "--sigalgs RSA-SHA257 on openssl: exit 2", err[-300:])
    for w in ("tlsprobe serve: --sigalgs RSA-SHA256,RSA-SHA257: unknown sigalg 'RSA-SHA257'",
              "the openssl engine (OpenSSL 3", "RSA-PSS-RSAE-SHA256, ", "EdDSA-Ed25519",
              "rsa_pss_rsae_sha256"):
        r.contains(err, w, "--sigalgs RSA-SHA257: says %r" % w)


def sweep_json(r, label, args, client):
    out = os.path.join(TMP, label + ".json")
    rc, so, se = tp.run([tp.TLSPROBE, "sweep", "--json", out, "-j", "2", "-q"] + args +
                        ["--client", client], timeout=540)
    if not r.eq(rc, 0, "%s: the sweep ran" % label, se[-800:]):
        return None
    with open(out) as f:
        return json.load(f)


def by_engine(j, axis):
    """{engine: {axis value: verdict}} of a sweep over engine x axis."""
    out = {"gnutls": {}, "openssl": {}}
    for x in j["results"]:
        out[x["config"]["engine"]][x["config"][axis]] = dict(x["verdict"], status=x["status"])
    return out


def same_verdicts(r, j, axis, label):
    be = by_engine(j, axis)
    r.check(be["gnutls"] and set(be["gnutls"]) == set(be["openssl"]),
            "%s: every %s value on both engines" % (label, axis), sorted(be["openssl"]))
    for value in sorted(be["gnutls"]):
        g, o = be["gnutls"][value], be["openssl"].get(value, {})
        keys = ("status", "outcome", "phase", "actor", "cause")
        r.eq(tuple(o.get(k) for k in keys), tuple(g.get(k) for k in keys),
             "%s %s: the same verdict on both engines" % (label, value),
             "gnutls: %s / openssl: %s" % (g.get("summary"), o.get("summary")))
    rule = j.get("decides", {}).get("rule", "")
    r.check("engine" not in rule, "%s: the engine does not decide (%s)" % (label, rule))
    return be


def test_sweep_cert_variants(r):
    ca = os.path.join(TMP, "sweep-ca.pem")
    j = sweep_json(r, "cert", ["--axes", "engine,cert", "--save-ca", ca],
                   "openssl s_client -connect {host}:{port} -CAfile %s -verify_return_error "
                   "</dev/null" % ca)
    if not j:
        return
    be = same_verdicts(r, j, "cert", "engine x cert")
    r.eq(len(be["openssl"]), 17, "every variant but rsa8192 (which takes minutes) tried",
         sorted(be["openssl"]))
    o = be["openssl"]
    r.eq(o.get("none", {}).get("status"), "ok", "openssl engine: the valid chain verifies")
    for bad in ("expired", "missing-intermediate", "self-signed"):
        r.eq((o.get(bad, {}).get("status"), o.get(bad, {}).get("actor")), ("fail", "client"),
             "openssl engine: s_client rejects %s" % bad, o.get(bad, {}).get("summary"))
    r.contains(o.get("expired", {}).get("summary"), "(variant expired: notAfter",
               "openssl engine: the verdict names the variant")


def test_sweep_ocsp(r):
    ca = os.path.join(TMP, "ocsp-ca.pem")
    j = sweep_json(r, "ocsp", ["--axes", "engine,ocsp", "--save-ca", ca],
                   "gnutls-cli --ocsp --x509cafile %s -p {port} 127.0.0.1 </dev/null" % ca)
    if not j:
        return
    be = same_verdicts(r, j, "ocsp", "engine x ocsp")
    r.eq({k: v["status"] for k, v in be["openssl"].items()},
         {"none": "fail", "good": "ok", "revoked": "fail", "unknown": "ok"},
         "openssl engine: gnutls-cli --ocsp rejects the revoked staple and no staple")
    r.eq(j.get("decides", {}).get("rule"), "fails exactly when ocsp in {none, revoked}",
         "the rule names the staples, not the engine")
    r.contains(be["openssl"]["revoked"].get("summary"),
               "(stapled OCSP response: revoked): fatal bad_certificate",
               "openssl engine: the revoked verdict names the staple")


def test_sweep_sni_mode(r):
    j = sweep_json(r, "sni", ["--axes", "engine,sni-mode", "--protocols", "TLS1.2"],
                   "curl -sk -o /dev/null --resolve other.example:{port}:127.0.0.1 "
                   "https://other.example:{port}/")
    if not j:
        return
    be = same_verdicts(r, j, "sni-mode", "engine x sni-mode")
    r.eq(j.get("decides", {}).get("rule"), "fails exactly when sni-mode = strict",
         "an unknown name fails exactly in strict, on both engines")
    r.contains(be["openssl"].get("strict", {}).get("summary"),
               "the server sent fatal unrecognized_name: the client asked for other.example",
               "openssl engine: strict answers fatal unrecognized_name")


def test_ocsp_usage_same(r):
    junk = os.path.join(TMP, "junk.der")
    with open(junk, "wb") as f:
        f.write(b"\x30\x03\x02\x01\x00 not an OCSP response")
    cert, key = tp.make_cert(TMP, "own")
    for args in (["--chain", "--ocsp", junk], ["--cert", cert, "--key", key, "--ocsp", "good"],
                 ["--cert", cert, "--key", key, "--ocsp", junk]):
        errs = {}
        for engine in ("gnutls", "openssl"):
            rc, out, err = tp.run([tp.TLSPROBE, "serve", "--port", "0", "--engine", engine] + args,
                                  timeout=20)
            errs[engine] = (rc, [ln for ln in err.splitlines() if ln.startswith("tlsprobe serve:")])
        label = " ".join(a if a not in (junk, cert, key) else os.path.basename(a) for a in args)
        r.eq(errs["openssl"][0], 2, "%s on openssl: exit 2" % label, errs["openssl"])
        r.check(errs["gnutls"][1] and errs["openssl"][1] == errs["gnutls"][1],
                "%s: the same message on both engines" % label, errs)


def main():
    r = tp.Results("openssl_certs")
    for t in (test_sigalg_same_on_both, test_sigalgs_option, test_ocsp_usage_same,
              test_sweep_ocsp, test_sweep_sni_mode, test_sweep_cert_variants):
        r.run(t)
    r.finish()


if __name__ == "__main__":
    main()
