#!/usr/bin/env python3
"""Certificates: the generated chain (--chain, --save-ca) as real clients
see it (s_client -showcerts), the variants' shapes in the trace, OCSP
stapling (s_client -status, TLS 1.2 and 1.3), the sweep's cert, ocsp and
client-cert axes driven by curl and gnutls-cli (which variants curl
rejects), and the usage errors of bad certificate input."""
import json
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-certs-")


def s_client(port, *extra):
    return tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + list(extra),
                  timeout=20, input=b"")


def test_save_ca_and_chain(r):
    ca = os.path.join(TMP, "ca.pem")
    with tp.Server(["--echo", "--chain", "--save-ca", ca]) as srv:
        r.contains(srv.stderr_text, "certificate SHA-256", "the server names the leaf's fingerprint")
        r.check(os.path.exists(ca), "--save-ca wrote the CA")
        mode = stat.S_IMODE(os.stat(ca).st_mode)
        r.eq(mode, 0o644, "the CA file is 0644 (a certificate is public)")
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-verify_return_error", "-showcerts")
        r.contains(out, "Verify return code: 0 (ok)", "s_client verifies the chain against the CA")
        r.eq(out.count("BEGIN CERTIFICATE"), 2, "the server sends the leaf and the intermediate")
        r.contains(out, "CN = tlsprobe test intermediate CA", "the intermediate is in the chain")
        v = srv.wait_verdicts(1).of("verdict")[0]
        rel = v.get("relations", {})
        r.eq(rel.get("certificate", {}).get("variant"), "none",
             "trace: relations.certificate.variant is none for the valid chain", rel)
        r.eq(v.get("outcome"), "ok", "the valid chain: verdict ok", v.get("summary"))
    link = os.path.join(TMP, "link.pem")
    os.symlink(os.path.join(TMP, "elsewhere.pem"), link)
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--port", "0", "--chain", "--save-ca", link])
    r.check(rc != 0 and "symbolic link" in err and link in err,
            "--save-ca refuses a symbolic link, naming it", (rc, err[-300:]))
    r.check(not os.path.exists(os.path.join(TMP, "elsewhere.pem")), "nothing written through it")


def _sent(out):
    return out.count("BEGIN CERTIFICATE")


def test_variant_shapes(r):
    ca = os.path.join(TMP, "shapes-ca.pem")
    want = {"missing-intermediate": 1, "wrong-order": 3, "long-chain": 21, "self-signed": 1}
    for variant, n in want.items():
        with tp.Server(["--echo", "--cert-variant", variant, "--save-ca", ca]) as srv:
            rc, out, err = s_client(srv.port, "-showcerts")
            r.eq(_sent(out), n, "%s: the server sends %d certificate(s)" % (variant, n))
            if variant == "wrong-order":
                subjects = [l.split("s:", 1)[1] for l in out.splitlines() if l.startswith(" ") and
                            l[1:2].isdigit() and " s:" in l]
                r.eq(subjects, ["CN = tlsprobe test", "CN = tlsprobe test CA",
                                "CN = tlsprobe test intermediate CA"],
                     "wrong-order: on the wire as leaf, root, intermediate (not sorted)")
            v = srv.wait_verdicts(1).of("verdict")[0]
            r.eq(v.get("relations", {}).get("certificate", {}).get("variant"), variant,
                 "%s: named in the trace's relations" % variant)
    with tp.Server(["--echo", "--cert-variant", "huge", "--save-ca", ca]) as srv:
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-verify_return_error", "-tls1_2")
        r.contains(out, "Verify return code: 0 (ok)", "huge: s_client takes a 17 KB certificate")
        evs = srv.wait_verdicts(1)
        cert = evs.handshake(evs.conns()[0], "Certificate", "s2c")
        r.check(cert and cert[0].get("length", 0) > 16384,
                "huge: the trace's Certificate message is over 16384 bytes",
                cert and {k: cert[0].get(k) for k in ("length", "num_certs")})
        detail = evs.of("verdict")[0].get("relations", {}).get("certificate", {}).get("detail", "")
        r.contains(detail, "the Certificate message is over 16384 bytes", "huge: the detail says so")
    with tp.Server(["--echo", "--cert-variant", "ecdsa-p384", "--save-ca", ca]) as srv:
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-verify_return_error")
        r.contains(out, "Verify return code: 0 (ok)", "ecdsa-p384: a valid chain for s_client")
        r.contains(out, "384", "ecdsa-p384: s_client sees a 384-bit key")


def test_ocsp(r):
    ca = os.path.join(TMP, "ocsp-ca.pem")
    with tp.Server(["--echo", "--chain", "--ocsp", "revoked", "--save-ca", ca]) as srv:
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-status", "-tls1_2")
        r.contains(out, "Cert Status: revoked", "s_client -status: the stapled response says revoked")
        r.contains(out, "OCSP Response Status: successful", "a successful OCSP response")
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-status", "-tls1_3")
        r.contains(out, "OCSP Response Status: successful", "TLS 1.3: the response is stapled too")
        rc, out, err = s_client(srv.port, "-CAfile", ca, "-tls1_2")
        evs = srv.wait_verdicts(3)
        c1, c2, c3 = evs.conns()[:3]
        r.check(evs.handshake(c1, "CertificateStatus", "s2c"),
                "trace: TLS 1.2 CertificateStatus from the server")
        ocsp = [(evs.verdict(c) or {}).get("relations", {}).get("ocsp") for c in (c1, c2, c3)]
        r.eq(ocsp[0], {"config": "revoked", "offered": True, "stapled": True},
             "trace: TLS 1.2 status_request offered, a response stapled")
        r.eq(ocsp[1], {"config": "revoked", "offered": True, "stapled": True},
             "trace: TLS 1.3 status_request offered, stapled in the CertificateEntry")
        r.eq(ocsp[2], {"config": "revoked", "offered": False, "stapled": False},
             "trace: a client that does not ask gets no staple")
        r.check(not evs.handshake(c3, "CertificateStatus", "s2c"), "trace: no CertificateStatus then")
        r.contains((evs.verdict(c1) or {}).get("summary"), "handshake completed",
                   "s_client -status does not reject a revoked staple: verdict ok")


def _own_ca_leaf_and_response():
    """A CA and a leaf of it (certtool), and a good OCSP response for the
    leaf that `openssl ocsp` signs as the CA's responder."""
    d = os.path.join(TMP, "own")
    os.mkdir(d)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    with open(p("ca.tmpl"), "w") as f:
        f.write('cn = "own CA"\nca\ncert_signing_key\nexpiration_days = 30\n')
    with open(p("leaf.tmpl"), "w") as f:
        f.write('cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\n'
                'tls_www_server\nsigning_key\nexpiration_days = 30\n')
    q = lambda *a: subprocess.run(list(a), check=True, stdout=subprocess.PIPE,  # noqa: E731
                                  stderr=subprocess.PIPE).stdout.decode()
    for k in ("ca", "leaf"):
        q("certtool", "--generate-privkey", "--key-type", "ecdsa", "--outfile", p(k + ".key"))
    q("certtool", "--generate-self-signed", "--load-privkey", p("ca.key"), "--template",
      p("ca.tmpl"), "--outfile", p("ca.pem"))
    q("certtool", "--generate-certificate", "--load-privkey", p("leaf.key"), "--load-ca-certificate",
      p("ca.pem"), "--load-ca-privkey", p("ca.key"), "--template", p("leaf.tmpl"), "--outfile",
      p("leaf.pem"))
    q("openssl", "ocsp", "-issuer", p("ca.pem"), "-cert", p("leaf.pem"), "-reqout", p("req.der"),
      "-no_nonce")
    serial = q("openssl", "x509", "-in", p("leaf.pem"), "-noout", "-serial").strip().split("=")[1]
    with open(p("index.txt"), "w") as f:  # the responder's database: one valid certificate
        f.write("V\t301231000000Z\t\t%s\tunknown\t/CN=localhost\n" % serial)
    q("openssl", "ocsp", "-index", p("index.txt"), "-rsigner", p("ca.pem"), "-rkey", p("ca.key"),
      "-CA", p("ca.pem"), "-reqin", p("req.der"), "-respout", p("resp.der"), "-ndays", "1")
    return p("leaf.pem"), p("leaf.key"), p("resp.der")


def test_ocsp_file(r):
    cert, key, resp = _own_ca_leaf_and_response()
    with tp.Server(["--echo", "--cert", cert, "--key", key, "--ocsp", resp]) as srv:
        rc, out, err = s_client(srv.port, "-status", "-tls1_2")
        r.contains(out, "Cert Status: good", "--cert with --ocsp FILE: s_client sees the staple")
        v = srv.wait_verdicts(1).of("verdict")[0]
        r.eq(v.get("relations", {}).get("ocsp"), {"config": "file", "offered": True, "stapled": True},
             "trace: the file's response stapled")
    usage(r, ["serve", "--port", "0", "--chain", "--ocsp", resp],
          ["--ocsp file '%s' is not for the server's certificate" % resp],
          "an OCSP response for another certificate")


def sweep_json(r, label, args, client):
    out = os.path.join(TMP, label + ".json")
    rc, so, se = tp.run([tp.TLSPROBE, "sweep", "--json", out, "-j", "2"] + args +
                        ["--client", client], timeout=240)
    if not r.eq(rc, 0, "%s: the sweep ran" % label, se[-800:]):
        return None
    with open(out) as f:
        return json.load(f)


def _statuses(j):
    return {tuple(x["config"].values())[0]: x["status"] for x in j["results"]}


def test_sweep_cert_curl(r):
    ca = os.path.join(TMP, "sweep-ca.pem")
    variants = "none,expired,wrong-name,missing-intermediate,sha1,rsa1024,huge,ed25519"
    j = sweep_json(r, "cert", ["--axes", "cert", "--cert-variants", variants, "--save-ca", ca],
                   "curl -s -o /dev/null --cacert %s https://127.0.0.1:{port}/" % ca)
    if not j:
        return
    st = _statuses(j)
    fail = sorted(k for k, s in st.items() if s == "fail")
    r.eq(fail, sorted(["expired", "wrong-name", "missing-intermediate", "sha1", "rsa1024"]),
         "sweep: curl rejects exactly the flawed variants", st)
    rule = j.get("decides", {}).get("rule", "")
    r.check(rule.startswith("fails exactly when cert in {") and "expired" in rule and
            "wrong-name" in rule and "none" not in rule, "sweep: the rule names them", rule)
    byv = {x["config"]["cert"]: x["verdict"] for x in j["results"]}
    r.contains(byv["expired"].get("summary"), "(variant expired: notAfter",
               "sweep: the expired combination's verdict names the variant")
    r.eq(byv["wrong-name"].get("cause"), "client-left-flawed-certificate",
         "sweep: curl leaves the wrong-name leaf after the handshake, without an alert")
    r.eq(byv["huge"].get("outcome"), "ok", "sweep: curl takes the huge certificate")


def test_sweep_ocsp_and_client_cert(r):
    ca = os.path.join(TMP, "sweep-ocsp-ca.pem")
    j = sweep_json(r, "ocsp", ["--axes", "ocsp", "--save-ca", ca],
                   "gnutls-cli --ocsp --x509cafile %s -p {port} 127.0.0.1 </dev/null" % ca)
    if j:
        st = _statuses(j)
        # gnutls-cli --ocsp wants a status: with none stapled (and no responder
        # to ask) it fails too; an unknown status it takes
        r.eq(st, {"none": "fail", "good": "ok", "revoked": "fail", "unknown": "ok"},
             "sweep: gnutls-cli --ocsp rejects the revoked staple and no staple", st)
        r.eq(j.get("decides", {}).get("rule"), "fails exactly when ocsp in {none, revoked}",
             "sweep: the rule names them")
        byv = {x["config"]["ocsp"]: x["verdict"].get("summary", "") for x in j["results"]}
        r.contains(byv["revoked"], "(stapled OCSP response: revoked): fatal bad_certificate",
                   "sweep: the revoked combination's verdict names the staple")
        r.contains(byv["none"], "no OCSP response stapled to the client's status_request",
                   "sweep: the unstapled combination's verdict says none was stapled")
    j = sweep_json(r, "client-cert", ["--axes", "client-cert", "--save-ca", ca, "--chain"],
                   "curl -s -o /dev/null --cacert %s https://127.0.0.1:{port}/" % ca)
    if j:
        st = _statuses(j)
        r.eq(st, {"none": "ok", "request": "ok", "require": "fail"},
             "sweep: curl without a certificate fails only when one is required", st)
        v = [x["verdict"] for x in j["results"] if x["config"]["client-cert"] == "require"][0]
        r.eq((v.get("cause"), v.get("actor")), ("client-cert-missing", "client"),
             "sweep: the required combination's verdict: no certificate sent")


def test_generated_client_ca(r):
    ca = os.path.join(TMP, "gen-ca.pem")
    cl = os.path.join(TMP, "gen-client.pem")
    with tp.Server(["--http", "--client-ca", "generated", "--save-client-cert", cl,
                    "--save-ca", ca]) as srv:
        r.eq(stat.S_IMODE(os.stat(cl).st_mode), 0o600,
             "--save-client-cert: the file with the key is 0600")
        rc, out, err = tp.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca,
                               "--cert", cl, "--key", cl, "https://127.0.0.1:%d/" % srv.port])
        r.eq(out, "200", "curl with the generated client certificate gets the page", err[-300:])
        rc, out, err = tp.run(["curl", "-s", "-o", "/dev/null", "--cacert", ca,
                               "https://127.0.0.1:%d/" % srv.port])
        r.check(rc != 0, "curl without a client certificate fails")
        evs = srv.wait_verdicts(2)
        v1, v2 = [evs.verdict(c) for c in evs.conns()[:2]]
        r.eq(v1.get("relations", {}).get("client_cert", {}).get("verify"), "ok",
             "trace: the generated client certificate verified ok", v1.get("relations"))
        r.eq((v1.get("outcome"), v1.get("cause")), ("ok", "session-ok"), "its verdict: ok")
        r.eq((v2.get("outcome"), v2.get("phase"), v2.get("actor"), v2.get("cause")),
             ("fail", "handshake", "client", "client-cert-missing"),
             "without one: client-cert-missing", v2.get("summary"))
        r.contains(v2.get("summary"), "the client sent none", "the summary says none was sent")
    with tp.Server(["--http", "--client-ca", "generated", "--client-cert", "request",
                    "--save-ca", ca]) as srv:
        rc, out, err = tp.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca,
                               "https://127.0.0.1:%d/" % srv.port])
        r.eq(out, "200", "--client-cert request with --client-ca: no certificate is fine", err[-300:])
        v = srv.wait_verdicts(1).of("verdict")[0]
        r.eq((v.get("outcome"), v.get("relations", {}).get("client_cert", {}).get("verify")),
             ("ok", None), "its verdict ok, no check made", v.get("relations"))


def usage(r, args, words, what):
    rc, out, err = tp.run([tp.TLSPROBE] + args, timeout=20)
    r.eq(rc, 2, what + ": exit status 2", err[-400:])
    for w in words:
        r.contains(err, w, "%s: says %r" % (what, w))


def test_bad_input(r):
    junk = os.path.join(TMP, "junk.der")
    with open(junk, "wb") as f:
        f.write(b"\x30\x03\x02\x01\x00 not an OCSP response")
    cert, key = tp.make_cert(TMP, "own")
    other_cert, other_key = tp.make_cert(TMP, "other")
    usage(r, ["serve", "--port", "0", "--cert-variant", "bogus"],
          ["tlsprobe serve: --cert-variant bogus: unknown; valid: none, expired,", "unusual-extensions"],
          "unknown variant")
    usage(r, ["serve", "--port", "0", "--chain", "--ocsp", junk],
          ["tlsprobe serve: --ocsp file '%s' is not an OCSP response" % junk,
           "valid --ocsp values: good, revoked, unknown or a response file"], "OCSP file not a response")
    usage(r, ["serve", "--port", "0", "--ocsp", "gud"],
          ["--ocsp gud: neither good, revoked, unknown nor a response file"], "unknown --ocsp value")
    usage(r, ["serve", "--port", "0", "--cert", junk, "--key", key],
          ["cannot load certificate '%s'" % junk], "a certificate file that does not parse")
    usage(r, ["serve", "--port", "0", "--cert", cert, "--key", other_key],
          ["'%s' with key '%s'" % (cert, other_key), "do not match"], "a key that does not match")
    usage(r, ["serve", "--port", "0", "--client-ca", junk],
          ["--client-ca '%s' holds no certificate" % junk], "a client CA file without certificates")
    usage(r, ["serve", "--port", "0", "--cert", cert, "--key", key, "--cert-variant", "expired"],
          ["--cert-variant is a generated chain: not with --cert %s" % cert], "variant with --cert")
    usage(r, ["serve", "--port", "0", "--cert", cert, "--key", key, "--ocsp", "good"],
          ["--ocsp good: the generated CA signs responses for the generated chain only"],
          "a generated response with --cert")
    usage(r, ["sweep", "--axes", "cert", "--cert-variants", "none,bogus", "--client", "true {port}"],
          ["unknown certificate variant 'bogus'; valid: none, expired"], "sweep: unknown variant")
    rc, out, err = tp.run([tp.TLSPROBE, "list"])
    r.check("--cert-variant" in out and "missing-intermediate" in out and "rsa8192" in out,
            "tlsprobe list names the variants")
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--help"])
    for opt in ("--chain", "--cert-variant NAME", "--save-ca FILE", "--ocsp S", "--client-ca FILE",
                "--save-client-cert FILE"):
        r.contains(out, opt, "serve --help lists " + opt)
    rc, lst, err = tp.run([tp.TLSPROBE, "list"])
    names = [l.split()[1] for l in lst.split("--cert-variant")[1].split("\n\n")[0].splitlines()
             if l.startswith("  * ")]
    r.check(len(names) == 18 and all(n in out for n in names),
            "serve --help names every variant tlsprobe list names", names)
    usage(r, ["serve", "--port", "0", "--save-client-cert", os.path.join(TMP, "x.pem")],
          ["--save-client-cert", "use --client-ca generated"], "a client certificate without its CA")
    rc, out, err = tp.run([tp.TLSPROBE, "sweep", "--help"])
    r.contains(out, "--cert-variants L", "sweep --help lists --cert-variants")


def main():
    r = tp.Results("certs")
    for t in (test_save_ca_and_chain, test_variant_shapes, test_ocsp, test_sweep_cert_curl,
              test_sweep_ocsp_and_client_cert, test_generated_client_ca, test_ocsp_file,
              test_bad_input):
        r.run(t)
    r.finish()


if __name__ == "__main__":
    main()
