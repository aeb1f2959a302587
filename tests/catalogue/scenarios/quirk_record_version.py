"""record-version-scope=all (out of spec): every server record carries the
relabelled header version.  Clients that check every header reject it; the
verdict names the client's alert and that our check found the record valid
and shaped by the quirk."""
import subprocess

import tp

RV_ALL = ["--echo", "--quirk", "record-version=0x0301", "--quirk", "record-version-scope=all"]


def _s_client(*extra):
    def drive(port, tmp):
        p = subprocess.run(tp.s_client(port, "-quiet", *extra), input=b"hello\n",
                           capture_output=True, timeout=20)
        err = p.stderr.decode("utf-8", "replace")
        assert p.returncode != 0 and "wrong version number" in err, err[-400:]
    return drive


def _gnutls_cli(port, tmp):
    p = subprocess.run(["gnutls-cli", "--insecure", "--port", str(port), "127.0.0.1"],
                       input=b"hello\n", capture_output=True, timeout=20)
    assert p.returncode != 0, p.stdout[-300:] + p.stderr[-300:]


def _all_relabelled(evs, conn):
    recs = [e for e in evs.records(conn, "s2c")]
    bad = ["record %s: version %s, quirk %s" % (i, e.get("version"), e.get("quirk"))
           for i, e in enumerate(recs, 1)
           if e.get("version") != "TLS1.0" or "record-version=0x0301" not in (e.get("quirk") or "")]
    bad += ["record %d: integrity %s" % (i, e.get("integrity"))
            for i, e in enumerate(recs, 1) if e.get("protected") and e.get("integrity") != "ok"]
    return bad if recs else ["no server records"]


SCENARIOS = [
    {"name": "tls12-openssl-rejects-relabelled-records",
     "serve": RV_ALL + ["--protocols", "TLS1.2"], "drive": _s_client("-tls1_2"),
     "check": _all_relabelled,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "words": ["protocol_version", "after the server's ServerHelloDone"]}},
    {"name": "tls13-openssl-rejects-relabelled-protected-record",
     "serve": RV_ALL + ["--protocols", "TLS1.3"], "drive": _s_client("-tls1_3"),
     "check": _all_relabelled,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "words": ["decode_error", "shaped by --quirk record-version=0x0301",
                          "integrity ok → the server's record is valid"]}},
    {"name": "tls13-gnutls-rejects-relabelled-protected-record",
     "serve": RV_ALL + ["--protocols", "TLS1.3"], "drive": _gnutls_cli,
     "check": _all_relabelled,
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "words": ["protocol_version", "after the server's Finished"]}},
]
