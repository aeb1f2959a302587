"""A client that declines the server's renegotiation request (--quirk
hello-request; Python ssl with OP_NO_RENEGOTIATION answers the HelloRequest
with a warning no_renegotiation, RFC 5246 7.4.1.1).  On the openssl engine
libssl ends the connection with fatal handshake_failure: the verdict blames
the server (the decline is allowed, the server insisted) and leads
with the client's decline (server-required-renegotiation); on the gnutls
engine the session goes on and counts ok, naming the decline."""
import socket
import ssl

import tp

_SERVE = ["--echo", "--quirk", "hello-request", "--protocols", "TLS1.2", "--timeout", "5"]
_DECLINED = "the client declined the server's renegotiation request (HelloRequest) with a warning " \
            "no_renegotiation"


def _python_declines(expect_failure):
    def drive(port, tmp):
        ctx = tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2)
        ctx.options |= ssl.OP_NO_RENEGOTIATION
        got = []
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                try:
                    for m in (b"first\n", b"second\n", b"third\n"):
                        s.sendall(m)
                        got.append(s.recv(100))
                except ssl.SSLError as e:
                    got.append(str(e))
        if expect_failure:
            assert got[0] == b"first\n" and "HANDSHAKE_FAILURE" in str(got[-1]).upper(), got
        else:
            assert got == [b"first\n", b"second\n", b"third\n"], got
        return local
    return drive


SCENARIOS = [
    {"name": "python-declines-hello-request-openssl-engine",
     "serve": _SERVE + ["--engine", "openssl"],
     "drive": _python_declines(True),
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "server-required-renegotiation",
                "words": [_DECLINED, "requires the renegotiation",
                          "encrypted fatal handshake_failure", "engine: no renegotiation"]}},
    {"name": "python-declines-hello-request-gnutls-engine",
     "serve": _SERVE + ["--engine", "gnutls"],
     "drive": _python_declines(False),
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": [_DECLINED]}},
]
