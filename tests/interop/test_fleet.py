#!/usr/bin/env python3
"""tlsprobe fleet on captures of a mix of real clients: tlsprobe serve
--pcap (one file per server run) records openssl s_client, gnutls-cli, curl
and Python ssl that work, and clients that fail on purpose (no shared suite,
a rejected certificate, a drop after the server's flight).  The groups, their
counts, outcomes and typical verdicts must be exactly those the clients make;
the same from the JSON trace, from serve --fleet-summary, and with and
without the keys."""
import json
import os
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

# the echo server takes only ECDHE key exchange: a client offering RSA kx
# suites alone finds no shared suite
ECHO_ARGS = ["--echo", "--kx", "ECDHE-RSA,ECDHE-ECDSA"]


def python_ok(port):
    res = tp.python_echo(port, ctx=tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2))
    assert res["echoed"], res


def python_verify(port):
    ctx = ssl.create_default_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            ctx.wrap_socket(raw, server_hostname="localhost")
            raise AssertionError("python accepted the self-signed certificate")
        except ssl.SSLCertVerificationError:
            pass


def python_drop(port):
    """The ClientHello, the server's flight read, then a silent close."""
    hello, _obj, _inc, _out = tp.client_hello_bytes(tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(hello)
        got = b""
        while b"\x0e\x00\x00\x00" not in got:  # ServerHelloDone
            b = tp.recv_some(s, 5)
            if not b:
                break
            got += b
        assert got, "no server flight"


def s_client_ok(port):
    echoed, rc, out = tp.echo_exchange(tp.s_client(port, "-quiet", "-tls1_2"), "fleet")
    assert echoed, out[-300:]


def s_client_rsa_only(port):
    rc, out, err = tp.run(tp.s_client(port, "-tls1_2", "-cipher", "AES128-SHA"), input=b"")
    assert rc != 0, "s_client found a shared suite"


def gnutls_ok(port):
    echoed, rc, out = tp.echo_exchange(["gnutls-cli", "--insecure", "-p", str(port),
                                        "--priority", "NORMAL:-VERS-TLS1.3", "127.0.0.1"],
                                       "fleet", wait_before_send="- Handshake was completed")
    assert echoed, out[-300:]


def curl_ok(port):
    rc, out, err = tp.run(["curl", "-sk", "--tls-max", "1.2", "-o", "/dev/null",
                           "https://127.0.0.1:%d/" % port])
    assert rc == 0, "curl exit %r" % rc


# (drive, times) per server run
ECHO_CLIENTS = [(python_ok, 3), (python_verify, 2), (python_drop, 1), (s_client_ok, 2),
                (s_client_rsa_only, 2), (gnutls_ok, 1)]
HTTP_CLIENTS = [(curl_ok, 2)]


def serve_and_capture(r, args, clients, tmp, name):
    pcap = os.path.join(tmp, name + ".pcapng")
    srv = tp.Server(args + ["--pcap", pcap, "--fleet-summary", "-q"])
    n = 0
    with srv:
        for drive, times in clients:
            for _ in range(times):
                drive(srv.port)
                n += 1
                srv.wait_verdicts(n, timeout=15)
        srv.stop()
    return pcap, srv


def fleet(*args):
    p = subprocess.run([tp.TLSPROBE, "fleet", "--no-progress"] + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def groups_by_cause(doc):
    out = {}
    for g in doc.get("groups", []):
        out.setdefault(g["cause"], []).append(g)
    return out


def probe():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="tp-fleet-")
    r = tp.Results("fleet")
    a, sa = serve_and_capture(r, ECHO_ARGS, ECHO_CLIENTS, tmp, "echo")
    b, sb = serve_and_capture(r, ["--http"], HTTP_CLIENTS, tmp, "http")
    print(sa.stdout_text[-3000:])
    rc, out, err = fleet(a, b, "--json")
    print(rc, err)
    print(json.dumps(json.loads(out), indent=1)[:6000])
    rc, out, err = fleet(a, b)
    print(out)
    print(tmp)

probe()
