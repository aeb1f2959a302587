"""ALPN and SNI: a fatal no_application_protocol (--alpn-mode strict), a
fatal unrecognized_name (--sni-mode strict), a client that gives up after
the warning unrecognized_name (--sni-mode warn), a certificate chosen for
the client's name that does not name it, and h2 selected for --http."""
import os
import socket
import ssl
import subprocess
import tempfile

import tp

CERTS = tempfile.mkdtemp(prefix="tp-cat-alpnsni-")
_DEFAULT_PEM = os.path.join(CERTS, "default.pem")


def _name_cert(name):
    cert, key = os.path.join(CERTS, "api.crt"), os.path.join(CERTS, "api.key")
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "2", "-newkey", "rsa:2048",
                    "-subj", "/CN=" + name, "-keyout", key, "-out", cert,
                    "-addext", "subjectAltName=DNS:" + name],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return cert, key


_API_CERT, _API_KEY = _name_cert("api.example")


def _s_client_alpn(port, tmp):
    rc, out, err = tp.run(tp.s_client(port, "-alpn", "spdy/3"), timeout=20, input=b"")
    assert rc != 0 and "no application protocol" in out + err, (out + err)[-600:]


def _gnutls_sni(port, tmp):
    rc, out, err = tp.run(["gnutls-cli", "--insecure", "-p", str(port), "--sni-hostname",
                           "other.example", "127.0.0.1"], timeout=20, input=b"")
    assert rc != 0, (out + err)[-600:]


def _python_wrong_name(port, tmp):
    # trusts the --sni-cert certificate: only its name can fail
    ctx = ssl.create_default_context(cafile=_API_CERT)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        local = raw.getsockname()[1]
        try:
            ctx.wrap_socket(raw, server_hostname="other.example")
            raise AssertionError("the handshake should have failed")
        except ssl.SSLCertVerificationError as e:
            assert "other.example" in str(e), e
    return local


def _s_client_default_wrong_name(port, tmp):
    rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_2",
                           "-servername", "other.example", "-verify_hostname", "other.example",
                           "-verify_return_error", "-CAfile", _DEFAULT_PEM], timeout=20, input=b"")
    assert rc != 0 and "hostname mismatch" in out + err, (out + err)[-600:]


def _curl_h2(port, tmp):
    rc, out, err = tp.run(["curl", "-sSk", "-v", "--http2", "-o", os.devnull,
                           "https://127.0.0.1:%d/" % port], timeout=20)
    assert rc != 0 and ("HTTP_1_1_REQUIRED" in err or "error=13" in err), err[-600:]


def _warning_intolerant(port, tmp):
    """A client that treats the warning unrecognized_name as fatal and
    closes, as Java 7's JSSE did (JDK-7127374): Python's own ClientHello
    (SNI other.example, TLS 1.2), then a close on the first alert record."""
    ctx = tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2)
    hello, _, _, _ = tp.client_hello_bytes(ctx, server_hostname="other.example")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        s.sendall(hello)
        got = b""
        while True:
            b = tp.recv_some(s, 5)
            if not b:
                break
            got += b
            alerts = [body for typ, _, body in tp.split_records(got) if typ == 21]
            if alerts:
                assert alerts[0] == bytes([1, 112]), alerts  # warning unrecognized_name
                break
        assert got, "no answer from the server"
    return local


SCENARIOS = [
    {"name": "openssl-alpn-strict-no-common-protocol",
     "serve": ["--echo", "--alpn", "h2,http/1.1", "--alpn-mode", "strict"],
     "drive": _s_client_alpn,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "no-application-protocol",
                "words": ["the server sent fatal no_application_protocol",
                          "the client offered ALPN spdy/3 only", "the server has h2, http/1.1",
                          "(--alpn h2,http/1.1 --alpn-mode strict)"]}},
    {"name": "gnutls-cli-sni-strict-unknown-name",
     "serve": ["--echo", "--sni-cert", "www.example", "--sni-mode", "strict"],
     "drive": _gnutls_sni,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "sni-unrecognized-name",
                "words": ["the server sent fatal unrecognized_name",
                          "the client asked for other.example",
                          "neither an --sni-cert (www.example) nor the default certificate",
                          "--sni-mode strict"]}},
    {"name": "python-sni-cert-wrong-name",
     "serve": ["--echo", "--sni-cert", "*.example=%s,%s" % (_API_CERT, _API_KEY)],
     "drive": _python_wrong_name,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch",
                "words": ["the client rejected the server's certificate",
                          "the client asked for other.example; the certificate is for api.example",
                          "the server sent the certificate of --sni-cert *.example"]}},
    {"name": "openssl-sni-default-cert-wrong-name",
     "serve": ["--echo", "--sni-cert", "www.example", "--save-cert", _DEFAULT_PEM],
     "drive": _s_client_default_wrong_name,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "certificate-name-mismatch",
                "words": ["the client asked for other.example; the certificate is for localhost",
                          "the server sent its default certificate (no --sni-cert covers "
                          "other.example)"]}},
    {"name": "curl-http2-h2-selected-for-http",
     "serve": ["--http", "--alpn", "h2,http/1.1"],
     "drive": _curl_h2,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "server",
                "cause": "alpn-h2-in-http",
                "words": ["the server selected ALPN h2 (--alpn h2,http/1.1)",
                          "tlsprobe's --http speaks HTTP/1.1 only",
                          "the client spoke HTTP/2 (connection preface)",
                          "GOAWAY HTTP_1_1_REQUIRED"]}},
    {"name": "java7-like-client-rejects-sni-warning",
     "serve": ["--echo", "--sni-mode", "warn", "--protocols", "TLS1.2"],
     "drive": _warning_intolerant,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-sni-warning",
                "words": ["the client gave up after the server's warning unrecognized_name",
                          "it asked for other.example, which no certificate covers "
                          "(--sni-mode warn)", "RFC 6066 3"]}},
]
