#!/usr/bin/env python3
"""The independent verifier, live: for each record family, openssl s_client
talks to `tlsprobe serve --echo --records`; every protected record both
ways must open with integrity ok, CBC padding must be reported, both
Finished messages must verify, and the decrypted application data must be
the line the client sent."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

LEGACY = "DEFAULT:@SECLEVEL=0"

# (label, server options, openssl options, expect CBC padding)
CASES = [
    ("TLS1.0 RSA AES-128-CBC SHA1", ["--protocols", "TLS1.0", "--kx", "RSA", "--ciphers", "AES-128-CBC",
                                     "--macs", "SHA1"], ["-tls1", "-cipher", LEGACY], True),
    ("TLS1.1 ECDHE-RSA AES-256-CBC SHA1", ["--protocols", "TLS1.1", "--kx", "ECDHE-RSA", "--ciphers",
                                           "AES-256-CBC", "--macs", "SHA1"], ["-tls1_1", "-cipher", LEGACY], True),
    ("TLS1.2 ECDHE-RSA AES-128-CBC SHA256 (encrypt-then-MAC)",
     ["--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers", "AES-128-CBC", "--macs", "SHA256"],
     ["-tls1_2"], True),
    ("TLS1.2 RSA AES-128-CBC SHA1 without encrypt-then-MAC",
     ["--protocols", "TLS1.2", "--kx", "RSA", "--ciphers", "AES-128-CBC", "--macs", "SHA1"],
     ["-tls1_2", "-no_etm", "-cipher", LEGACY], True),
    # Debian's OpenSSL has no 3DES suite left: gnutls-cli is the peer here
    ("TLS1.2 RSA 3DES-CBC SHA1", ["--protocols", "TLS1.2", "--kx", "RSA", "--ciphers", "3DES-CBC",
                                  "--macs", "SHA1"], ["gnutls-cli", "NORMAL:+3DES-CBC:+RSA"], True),
    ("TLS1.2 ECDHE-RSA AES-128-GCM", ["--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers",
                                      "AES-128-GCM"], ["-tls1_2"], False),
    ("TLS1.2 ECDHE-RSA CHACHA20-POLY1305", ["--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers",
                                            "CHACHA20-POLY1305"], ["-tls1_2"], False),
    ("TLS1.2 RSA AES-128-CCM", ["--protocols", "TLS1.2", "--kx", "RSA", "--ciphers", "AES-128-CCM"],
     ["-tls1_2", "-cipher", "AES128-CCM:" + LEGACY], False),
    ("TLS1.3 AES-128-GCM", ["--protocols", "TLS1.3", "--ciphers", "AES-128-GCM"],
     ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"], False),
    ("TLS1.3 AES-256-GCM (SHA384)", ["--protocols", "TLS1.3", "--ciphers", "AES-256-GCM"],
     ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"], False),
    ("TLS1.3 CHACHA20-POLY1305", ["--protocols", "TLS1.3", "--ciphers", "CHACHA20-POLY1305"],
     ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"], False),
]


def check_no_3des(r, label, server_opts):
    """The openssl engine on Debian has no 3DES suite: serve refuses, naming the engine."""
    srv = tp.Server(["--echo"] + server_opts)
    try:
        srv.start()
        r.check(False, "%s: the openssl engine refuses 3DES-CBC" % label, "it started")
    except tp.ServerError as e:
        r.contains(str(e), "the openssl engine", "%s: the error names the engine" % label)
        r.contains(str(e), "3DES-CBC", "%s: the error names the cipher" % label)
    finally:
        srv.cleanup()


def check_case(r, label, server_opts, client_opts, cbc):
    if tp.TP_ENGINE == "openssl" and "3DES-CBC" in server_opts:
        return check_no_3des(r, label, server_opts)
    with tp.Server(["--echo", "--records"] + server_opts) as srv:
        line = "verifier-line"
        if client_opts[0] == "gnutls-cli":
            cmd = ["gnutls-cli", "--insecure", "--priority", client_opts[1], "-p", str(srv.port),
                   "127.0.0.1"]
        else:
            cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port, "-quiet",
                   "-no_ign_eof"] + client_opts
        echoed, rc, out = tp.echo_exchange(cmd, line)
        r.check(echoed, "%s: line echoed" % label, out[-800:])
        evs = srv.wait_verdicts(1, timeout=15)
        conn = evs.conns()[0] if evs.conns() else None
        if not r.check(conn is not None, "%s: a connection in the trace" % label):
            return
        prot = [e for e in evs.records(conn) if e.get("protected")]
        r.check(len([e for e in prot if e["dir"] == "c2s"]) >= 2 and
                len([e for e in prot if e["dir"] == "s2c"]) >= 2,
                "%s: protected records both ways" % label, prot)
        bad = [e for e in prot if e.get("integrity") != "ok"]
        r.check(not bad, "%s: every protected record opens with integrity ok" % label, bad[:3])
        if cbc:
            pads = [e.get("padding") for e in prot]
            r.check(all(p and p.get("valid") is True for p in pads),
                    "%s: CBC padding reported valid on every record" % label, pads[:4])
            r.check(all(p.get("minimal") is True for p in pads if p),
                    "%s: GnuTLS and OpenSSL pad minimally" % label, pads[:4])
        else:
            r.check(all("padding" not in e for e in prot), "%s: no padding field for AEAD" % label)
        fins = evs.handshake(conn, "Finished")
        r.eq(sorted((f["dir"], f.get("verified")) for f in fins), [("c2s", True), ("s2c", True)],
             "%s: both Finished verified" % label)
        sent = [e for e in evs.of("appdata", conn) if e.get("dir") == "c2s" and e.get("length")]
        data = bytes.fromhex("".join(e.get("data", "") for e in sent))
        r.contains(data.decode("latin-1"), line, "%s: decrypted client data is the line sent" % label)
        # --records: ciphertext and plaintext pairs on protected records
        r.check(all("ciphertext" in e and "plaintext" in e for e in prot),
                "%s: --records puts ciphertext/plaintext pairs in the trace" % label)
        v = evs.verdict(conn)
        r.eq(v and v.get("outcome"), "ok", "%s: verdict ok" % label, v)


def check_client_gives_up(r):
    """A client that hangs up right after the server's Finished: the verdict
    says the server's record was checked and valid."""
    import socket
    import ssl
    with tp.Server(["--echo", "--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers", "AES-128-CBC",
                    "--macs", "SHA1"]) as srv:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-SHA")
        ctx.options |= getattr(ssl, "OP_NO_TICKET", 0)
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inc, outg, server_hostname="localhost")
        done = False
        while not done:
            try:
                obj.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                pass
            if outg.pending:
                s.sendall(outg.read())
            if not done:
                data = s.recv(65536)
                if not data:
                    break
                inc.write(data)
        s.close()  # no alert, no data
        evs = srv.wait_verdicts(1, timeout=10)
        v = evs.verdict(evs.conns()[0]) if evs.conns() else None
        r.check(done, "python client completed its side of the handshake")
        r.eq(v and v.get("outcome"), "fail", "client that hangs up: verdict fail", v)
        r.contains(v and v.get("summary"), "our check of that record: MAC ok, padding",
                   "verdict quotes our check of the server's last record")
        r.contains(v and v.get("summary"), "the server's record is valid", "verdict clears the server")


def check_client_rejects_valid_record(r):
    """The phone story, reproduced with a real TLS stack: a client (OpenSSL
    through Python's ssl) receives the server's Finished with one byte
    changed on the way (as a client with a broken record layer would see
    it), answers with a fatal bad_record_mac, and tlsprobe's own check of
    the record the server really sent says it was valid."""
    import socket
    import ssl
    import warnings
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.0 is the point here
    with tp.Server(["--echo", "--protocols", "TLS1.0", "--kx", "RSA", "--ciphers", "AES-128-CBC",
                    "--macs", "SHA1"]) as srv:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("AES128-SHA:@SECLEVEL=0")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inc, outg, server_hostname="localhost")
        pending = b""
        seen_ccs = tampered = False
        error = None
        while error is None:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                error = e
                break
            if outg.pending:
                s.sendall(outg.read())
            data = s.recv(65536)
            if not data:
                break
            pending += data
            # pass whole records on, flipping a byte of the first protected one
            while len(pending) >= 5 and len(pending) >= 5 + int.from_bytes(pending[3:5], "big"):
                n = 5 + int.from_bytes(pending[3:5], "big")
                rec, pending = bytearray(pending[:n]), pending[n:]
                if rec[0] == 20:
                    seen_ccs = True
                elif seen_ccs and not tampered:
                    rec[-1] ^= 0x01
                    tampered = True
                inc.write(bytes(rec))
        if outg.pending:
            s.sendall(outg.read())  # the client's alert
        time.sleep(0.2)
        s.close()
        r.check(tampered and error is not None, "the client rejected the changed record", error)
        evs = srv.wait_verdicts(1, timeout=10)
        conn = evs.conns()[0] if evs.conns() else None
        v = evs.verdict(conn) if conn else None
        r.eq(v and v.get("outcome"), "fail", "verdict fail", v)
        r.eq(v and v.get("phase"), "handshake", "phase handshake: the client never finished its side", v)
        alert = (v or {}).get("alert") or {}
        r.eq((alert.get("from"), alert.get("level"), alert.get("description")),
             ("client", "fatal", "bad_record_mac"), "verdict alert: client fatal bad_record_mac", v)
        summary = (v or {}).get("summary", "")
        r.contains(summary, "bad_record_mac right after the server's first protected record (Finished)",
                   "summary: right after the server's first protected record")
        r.contains(summary, "our check of that record: MAC ok, padding", "summary: our own check of it")
        r.contains(summary, "the client rejected a valid record", "summary: the client is at fault")
        fins = [f for f in evs.handshake(conn, "Finished", "s2c")] if conn else []
        r.check(len(fins) == 1 and fins[0].get("verified") is True,
                "the server's Finished, as sent, verifies", fins)
        al = evs.of("alert", conn, dir="c2s") if conn else []
        r.check(any(a.get("description") == "bad_record_mac" and a.get("protected") for a in al),
                "trace: the client's alert, decrypted", al)


def main():
    r = tp.Results()
    for case in CASES:
        r.run(lambda rr, c=case: check_case(rr, *c))
    r.run(check_client_gives_up)
    r.run(check_client_rejects_valid_record)
    r.finish()


if __name__ == "__main__":
    main()
