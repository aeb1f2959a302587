"""PSK and SRP (--psk ID:HEX, --srp USER:PASSWORD): sessions that work
(openssl s_client TLS 1.3 external PSK and TLS 1.2 PSK suites, gnutls-cli
SRP), an identity the server does not have and a key that differs (the
binder in TLS 1.3, the client's Finished in TLS 1.2), each with every
protected record checked; and a PSK capture decoded offline from the
pcapng the server wrote (its keys inside)."""
import os
import subprocess

import tp

KEY = "00112233445566778899aabbccddeeff"
WRONG = "ffeeddccbbaa99887766554433221100"
SERVE = ["--echo", "--psk", "dev:" + KEY]


def _s_client(port, identity, key, *extra):
    return ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-psk", key,
            "-psk_identity", identity, "-quiet"] + list(extra)


def _psk_ok(*extra):
    def drive(port, tmp):
        echoed, rc, out = tp.echo_exchange(_s_client(port, "dev", KEY, *extra), "catalogue-psk")
        assert echoed, out[-500:]
    return drive


def _psk_refused(identity, key, *extra):
    def drive(port, tmp):
        tp.echo_exchange(_s_client(port, identity, key, *extra), "refused", timeout=3)
    return drive


def _srp(port, tmp):
    cmd = ["gnutls-cli", "--port", str(port), "127.0.0.1", "--srpusername", "bob",
           "--srppasswd", "secret", "--priority", "NORMAL:-KX-ALL:+SRP", "--insecure"]
    echoed, rc, out = tp.echo_exchange(cmd, "catalogue-srp", wait_before_send="Handshake was")
    assert echoed, out[-500:]


def _all_checked(evs, conn):
    v = evs.verdict(conn) or {}
    rec = (v.get("layers") or {}).get("records") or {}
    problems = []
    for d in ("c2s", "s2c"):
        x = rec.get(d) or {}
        if not x.get("protected") or x.get("ok") != x.get("protected") or x.get("unchecked"):
            problems.append("%s records not all checked ok: %r" % (d, x))
    return problems


def _capture(tmp):
    """A TLS 1.3 PSK session served with --pcap: the pcapng holds the keys."""
    pcap = os.path.join(tmp, "psk.pcapng")
    with tp.Server(SERVE + ["--pcap", pcap]) as srv:
        echoed, rc, out = tp.echo_exchange(_s_client(srv.port, "dev", KEY, "-tls1_3"), "cap")
        assert echoed, out[-500:]
        srv.wait_conn_verdict(1, timeout=15)
        srv.stop()
    return pcap


SCENARIOS = [
    {"name": "psk-tls13-openssl-works", "serve": SERVE, "drive": _psk_ok("-tls1_3"),
     "check": _all_checked,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["TLS1.3, ECDHE-PSK", "both ways"]}},
    {"name": "psk-tls12-openssl-works", "serve": SERVE, "drive": _psk_ok("-tls1_2", "-cipher", "PSK"),
     "check": _all_checked,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "session-ok", "words": ["TLS1.2, ", "PSK, "]}},
    {"name": "psk-tls13-unknown-identity", "serve": SERVE,
     "drive": _psk_refused("guest", KEY, "-tls1_3"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "psk-unknown-identity",
                "words": ["the client offered PSK identity 'guest'; the server has 'dev'",
                          "unknown_psk_identity"]}},
    {"name": "psk-tls12-unknown-identity", "serve": SERVE,
     "drive": _psk_refused("guest", KEY, "-tls1_2", "-cipher", "PSK"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "psk-unknown-identity", "words": ["identity 'guest'", "'dev'"]}},
    {"name": "psk-tls13-wrong-key", "serve": SERVE, "drive": _psk_refused("dev", WRONG, "-tls1_3"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "psk-key-mismatch",
                "words": ["key for PSK identity 'dev' differs from the server's", "binder"]}},
    {"name": "psk-tls12-wrong-key", "serve": SERVE,
     "drive": _psk_refused("dev", WRONG, "-tls1_2", "-cipher", "PSK"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "psk-key-mismatch",
                "words": ["its Finished (record #", "fails our check", "the server noticed"],
                "absent": ["the client rejected a valid record"]}},
    {"name": "srp-gnutls-works", "serve": ["--echo", "--srp", "bob:secret"], "drive": _srp,
     "check": _all_checked,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["TLS1.2, SRP"]}},
    {"name": "psk-tls13-decoded-offline", "decode": _capture, "check": _all_checked,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["TLS1.3, ECDHE-PSK", "both ways"]}},
]
