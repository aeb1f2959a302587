"""What a verdict depends on: a client certificate required and not sent,
and the name the client asked for (SNI) against the certificate's names."""
import os
import socket
import ssl
import tempfile

import tp

# The throwaway certificate of the SNI scenarios, written by the server
# (--save-cert) and trusted by the clients, so only the name can fail.
CERTS = tempfile.mkdtemp(prefix="tp-cat-sni-")


def _s_client_no_cert(version):
    def drive(port, tmp):
        # -ign_eof: stay until the server's alert and close, whatever the version
        rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                               "-servername", "localhost", "-ign_eof", version], timeout=20,
                              input=b"")
        assert "SSL alert number" in out + err, (out + err)[-800:]
    return drive


def _s_client_wrong_name(pem, version="-tls1_2"):
    def drive(port, tmp):
        rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                               version, "-servername", "wrong.example",
                               "-verify_hostname", "wrong.example", "-verify_return_error",
                               "-CAfile", pem], timeout=20, input=b"")
        assert rc != 0 and "hostname mismatch" in out + err, (out + err)[-800:]
    return drive


def _python_wrong_name(pem, version=ssl.TLSVersion.TLSv1_2):
    def drive(port, tmp):
        ctx = ssl.create_default_context(cafile=pem)
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            local = raw.getsockname()[1]
            try:
                ctx.wrap_socket(raw, server_hostname="wrong.example")
                raise AssertionError("the handshake should have failed")
            except ssl.SSLCertVerificationError as e:
                assert "wrong.example" in str(e), e
        return local
    return drive


def _python_tls12_no_cert(port, tmp):
    ctx = tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        try:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.recv(1)
            raise AssertionError("the handshake should have failed")
        except (ssl.SSLError, OSError) as e:
            assert "DECODE_ERROR" in str(e).upper() or "alert" in str(e).lower(), e
    return local


_CERT_WORDS = ["the server requires a client certificate (--client-cert require)",
               "the client sent none (Certificate with 0 certificates)", "the server then sent fatal"]
_NAME_WORDS = ["the client rejected the server's certificate", "bad_certificate",
               "the client asked for wrong.example; the certificate is for localhost",
               "127.0.0.1"]
_S_PEM = os.path.join(CERTS, "s_client.pem")
_PY_PEM = os.path.join(CERTS, "python.pem")
_S13_PEM = os.path.join(CERTS, "s_client13.pem")
_PY13_PEM = os.path.join(CERTS, "python13.pem")

SCENARIOS = [
    {"name": "openssl-tls12-no-client-cert-required", "serve": ["--echo", "--client-cert", "require"],
     "drive": _s_client_no_cert("-tls1_2"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-cert-missing", "words": _CERT_WORDS,
                # the engine's own alert to the empty Certificate: GnuTLS's
                # decode_error, libssl's handshake_failure (RFC 5246 7.4.6)
                "engine_words": {"gnutls": ["decode_error"], "openssl": ["handshake_failure"]}}},
    {"name": "python-tls12-no-client-cert-required", "serve": ["--echo", "--client-cert", "require"],
     "drive": _python_tls12_no_cert,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-cert-missing", "words": _CERT_WORDS}},
    {"name": "openssl-tls13-no-client-cert-required", "serve": ["--echo", "--client-cert", "require"],
     "drive": _s_client_no_cert("-tls1_3"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-cert-missing", "words": _CERT_WORDS + ["certificate_required"]}},
    {"name": "openssl-tls12-sni-wrong-name", "serve": ["--echo", "--save-cert", _S_PEM],
     "drive": _s_client_wrong_name(_S_PEM),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch", "words": _NAME_WORDS}},
    {"name": "python-tls12-sni-wrong-name", "serve": ["--echo", "--save-cert", _PY_PEM],
     "drive": _python_wrong_name(_PY_PEM),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch", "words": _NAME_WORDS}},
    # TLS 1.3: the client's alert goes out in the clear after the server's
    # encrypted flight
    {"name": "openssl-tls13-sni-wrong-name", "serve": ["--echo", "--save-cert", _S13_PEM],
     "drive": _s_client_wrong_name(_S13_PEM, "-tls1_3"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch", "words": _NAME_WORDS + ["unencrypted"]}},
    {"name": "python-tls13-sni-wrong-name", "serve": ["--echo", "--save-cert", _PY13_PEM],
     "drive": _python_wrong_name(_PY13_PEM, ssl.TLSVersion.TLSv1_3),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch", "words": _NAME_WORDS + ["unencrypted"]}},
]
