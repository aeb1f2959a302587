"""Certificates: the generated chain's variants rejected by real clients
(the verdict names the variant), a revoked OCSP staple, and client
certificates checked against --client-ca (unknown CA, bad signature,
expired, none sent).  Each server writes its CA (--save-ca) before the
client runs; the client certificates are made here with certtool."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile

import tp

DIR = tempfile.mkdtemp(prefix="tp-cat-certs-")


def _ca(name):
    return os.path.join(DIR, name + "-ca.pem")


def _certtool(*args):
    subprocess.run(["certtool"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def _template(name, text):
    path = os.path.join(DIR, name + ".tmpl")
    with open(path, "w") as f:
        f.write(text)
    return path


def _client_certs():
    """A client CA, a client key, and certificates of it: issued by the CA,
    by another CA of the same name, expired, and one with a broken signature."""
    p = lambda n: os.path.join(DIR, n)  # noqa: E731
    ca_t = _template("ca", 'cn = "tlsprobe test client CA"\nca\ncert_signing_key\n'
                           'expiration_days = 30\n')
    cl_t = _template("cl", 'cn = "test client"\ntls_www_client\nsigning_key\n'
                           'expiration_days = 30\n')
    exp_t = _template("exp", 'cn = "expired client"\ntls_www_client\nsigning_key\n'
                             'activation_date = "2020-01-01 00:00:00"\n'
                             'expiration_date = "2020-02-01 00:00:00"\n')
    for key in ("cca", "other", "cl"):
        _certtool("--generate-privkey", "--key-type", "ecdsa", "--outfile", p(key + ".key"))
    for ca in ("cca", "other"):
        _certtool("--generate-self-signed", "--load-privkey", p(ca + ".key"), "--template", ca_t,
                  "--outfile", p(ca + ".pem"))
    for out, ca, tmpl in (("cl", "cca", cl_t), ("other-cl", "other", cl_t), ("exp-cl", "cca", exp_t)):
        _certtool("--generate-certificate", "--load-privkey", p("cl.key"), "--load-ca-certificate",
                  p(ca + ".pem"), "--load-ca-privkey", p(ca + ".key"), "--template", tmpl,
                  "--outfile", p(out + ".pem"))
    with open(p("cl.pem")) as f:
        der = bytearray(ssl.PEM_cert_to_DER_cert(f.read()))
    der[-5] ^= 0x55  # inside the signature: the issuer's key no longer verifies it
    with open(p("bad-cl.pem"), "w") as f:
        f.write(ssl.DER_cert_to_PEM_cert(bytes(der)))


_client_certs()
CLIENT_CA = os.path.join(DIR, "cca.pem")
CLIENT_KEY = os.path.join(DIR, "cl.key")


def _cl(name):
    return os.path.join(DIR, name + ".pem")


def _s_client(ca, extra=()):
    def drive(port, tmp):
        rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                               "-verify_return_error", "-CAfile", ca] + list(extra),
                              timeout=20, input=b"")
        assert rc != 0, (out + err)[-800:]
    return drive


def _gnutls_cli(ca, extra=()):
    def drive(port, tmp):
        rc, out, err = tp.run(["gnutls-cli", "--x509cafile", ca, "-p", str(port)] + list(extra) +
                              ["127.0.0.1"], timeout=20, input=b"")
        assert rc != 0, (out + err)[-800:]
    return drive


def _python(ca, cert=None, expect_fail=True):
    def drive(port, tmp):
        ctx = ssl.create_default_context(cafile=ca)
        if cert:
            ctx.load_cert_chain(cert, CLIENT_KEY)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            local = raw.getsockname()[1]
            try:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"hello\n")
                    s.recv(100)  # TLS 1.3: the server's alert comes after the handshake
                failed = False
            except (ssl.SSLError, OSError):
                failed = True
            assert failed == expect_fail, "the handshake should have %s" % (
                "failed" if expect_fail else "worked")
        return local
    return drive


def _curl(ca, extra=(), want_rc=None):
    def drive(port, tmp):
        rc, out, err = tp.run(["curl", "-s", "-o", "/dev/null", "--cacert", ca] + list(extra) +
                              ["https://127.0.0.1:%d/" % port], timeout=20)
        assert rc == want_rc, (rc, err[-500:])
    return drive


def _chromium(ca):
    """Headless Chromium that trusts the CA (an NSS database in its HOME)."""
    def drive(port, tmp):
        home = os.path.join(tmp, "home")
        db = "sql:" + os.path.join(home, ".pki", "nssdb")
        os.makedirs(os.path.join(home, ".pki", "nssdb"))
        subprocess.run(["certutil", "-d", db, "-N", "--empty-password"], check=True)
        subprocess.run(["certutil", "-d", db, "-A", "-t", "C,,", "-n", "tlsprobe", "-i", ca],
                       check=True)
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            "--user-data-dir=" + os.path.join(tmp, "profile"),
                            "--virtual-time-budget=3000", "--dump-dom",
                            "https://127.0.0.1:%d/" % port],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90,
                           env=dict(os.environ, HOME=home))
        assert b"ERR_CERT_DATE_INVALID" in p.stderr, p.stderr[-600:]
    return drive


def _fail(cause, actor, words, phase="handshake"):
    return {"outcome": "fail", "phase": phase, "actor": actor, "cause": cause, "words": words}


_REJECTED = "the client rejected the server's certificate (variant "

SCENARIOS = [
    {"name": "openssl-rejects-expired-variant",
     "serve": ["--echo", "--cert-variant", "expired", "--save-ca", _ca("expired")],
     "drive": _s_client(_ca("expired")),
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "expired: notAfter ", "): fatal certificate_expired"])},
    {"name": "gnutls-cli-rejects-missing-intermediate",
     "serve": ["--echo", "--cert-variant", "missing-intermediate", "--save-ca", _ca("mi")],
     "drive": _gnutls_cli(_ca("mi")),
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "missing-intermediate: the intermediate CA is not sent)",
                      "fatal bad_certificate"])},
    {"name": "gnutls-cli-rejects-long-chain",
     "serve": ["--echo", "--cert-variant", "long-chain", "--save-ca", _ca("long")],
     "drive": _gnutls_cli(_ca("long")),
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "long-chain: 20 intermediate CAs (21 certificates sent))"])},
    {"name": "python-rejects-self-signed-variant",
     "serve": ["--echo", "--cert-variant", "self-signed", "--save-ca", _ca("self")],
     "drive": _python(_ca("self")),
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "self-signed: a self-signed leaf, sent alone)", "unknown_ca"])},
    {"name": "openssl-rejects-sha1-variant",
     "serve": ["--echo", "--cert-variant", "sha1", "--save-ca", _ca("sha1")],
     "drive": _s_client(_ca("sha1"), ["-tls1_2"]),
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "sha1: the leaf signed with SHA-1)", "fatal bad_certificate"])},
    {"name": "curl-leaves-wrong-name-variant",
     "serve": ["--http", "--cert-variant", "wrong-name", "--save-ca", _ca("name")],
     "drive": _curl(_ca("name"), want_rc=60),
     "expect": _fail("client-left-flawed-certificate", "client",
                     ["without sending data or a fatal alert",
                      "did not take the server's certificate (variant wrong-name: the leaf names "
                      "wrong.example only)"], phase="after-handshake")},
    {"name": "curl-takes-valid-chain-with-client-cert",
     "serve": ["--http", "--chain", "--client-ca", CLIENT_CA, "--save-ca", _ca("ok")],
     "drive": _curl(_ca("ok"), ["--cert", _cl("cl"), "--key", CLIENT_KEY], want_rc=0),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["handshake completed"]}},
    {"name": "chromium-rejects-expired-variant",
     "serve": ["--http", "--cert-variant", "expired", "--save-ca", _ca("chromium")],
     "drive": _chromium(_ca("chromium")), "timeout": 40,
     "expect": _fail("client-rejected-certificate", "client",
                     [_REJECTED + "expired: notAfter ", "fatal certificate_unknown"])},
    {"name": "gnutls-cli-rejects-revoked-staple",
     "serve": ["--echo", "--chain", "--ocsp", "revoked", "--save-ca", _ca("revoked")],
     "drive": _gnutls_cli(_ca("revoked"), ["--ocsp"]),
     "expect": _fail("client-rejected-certificate", "client",
                     ["the client rejected the server's certificate (stapled OCSP response: "
                      "revoked): fatal bad_certificate"])},
    {"name": "openssl-client-cert-unknown-ca",
     "serve": ["--echo", "--chain", "--client-ca", CLIENT_CA, "--save-ca", _ca("ucca")],
     "drive": _s_client(_ca("ucca"), ["-cert", _cl("other-cl"), "-key", CLIENT_KEY, "-tls1_2"]),
     # the engine's own alert: GnuTLS sends bad_certificate, libssl unknown_ca
     "expect": dict(_fail("client-cert-rejected", "server",
                          ["the server rejected the client's certificate: unknown CA (no CA of "
                           "--client-ca %s issued it)" % CLIENT_CA]),
                    engine_words={"gnutls": ["fatal bad_certificate"],
                                  "openssl": ["fatal unknown_ca"]})},
    {"name": "gnutls-cli-client-cert-expired",
     "serve": ["--echo", "--chain", "--client-ca", CLIENT_CA, "--save-ca", _ca("expcl")],
     "drive": _gnutls_cli(_ca("expcl"), ["--x509certfile", _cl("exp-cl"), "--x509keyfile",
                                         CLIENT_KEY]),
     "expect": _fail("client-cert-rejected", "server",
                     ["the server rejected the client's certificate: expired (checked against "
                      "--client-ca %s)" % CLIENT_CA])},
    {"name": "python-client-cert-bad-signature",
     "serve": ["--echo", "--chain", "--client-ca", CLIENT_CA, "--save-ca", _ca("badsig")],
     "drive": _python(_ca("badsig"), cert=_cl("bad-cl")),
     "expect": _fail("client-cert-rejected", "server",
                     ["the server rejected the client's certificate: bad signature (it does not "
                      "verify with its issuer's key"])},
    {"name": "python-no-client-cert-for-client-ca",
     "serve": ["--echo", "--chain", "--client-ca", CLIENT_CA, "--save-ca", _ca("nocl")],
     "drive": _python(_ca("nocl")),
     "expect": _fail("client-cert-missing", "client",
                     ["the server requires a client certificate (--client-cert require) and the "
                      "client sent none"])},
]
