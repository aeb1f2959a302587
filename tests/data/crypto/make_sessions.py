#!/usr/bin/env python3
"""Records TLS sessions between two OpenSSL (libssl, via Python's ssl module)
endpoints wired together in memory -- no sockets -- and writes each as
tests/data/crypto/session-NN.txt:

    name <label>
    keylog <NSS key log line>          (one per line the client logged)
    app c2s <text>  /  app s2c <text>  (the application data sent)
    c2s <hex of one TLS record>        (every record, in the order sent)
    s2c <hex ...>

test_crypto.c replays them through crypto_conn and must open every
protected record and verify both Finished messages: an independent
implementation (libssl) against tlsprobe's own record layer.

Run from anywhere: python3 tests/data/crypto/make_sessions.py
Needs the openssl command (throwaway RSA certificate, made in a temp dir).
"""
import os
import ssl
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NO_ETM = 1 << 19  # SSL_OP_NO_ENCRYPT_THEN_MAC

# name, version, TLS<=1.2 cipher string, TLS 1.3 suite, options, server groups
SESSIONS = [
    ("tls1.0-ecdhe-rsa-aes128-sha-etm", ssl.TLSVersion.TLSv1, "ECDHE-RSA-AES128-SHA", None, 0, None),
    ("tls1.0-ecdhe-rsa-aes128-sha-mte", ssl.TLSVersion.TLSv1, "ECDHE-RSA-AES128-SHA", None, NO_ETM, None),
    ("tls1.1-ecdhe-rsa-aes256-sha-mte", ssl.TLSVersion.TLSv1_1, "ECDHE-RSA-AES256-SHA", None, NO_ETM, None),
    ("tls1.1-rsa-3des-sha-etm", ssl.TLSVersion.TLSv1_1, "DES-CBC3-SHA", None, 0, None),
    ("tls1.2-ecdhe-rsa-aes128-sha256-mte", ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-SHA256", None, NO_ETM, None),
    ("tls1.2-ecdhe-rsa-aes256-sha384-etm", ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES256-SHA384", None, 0, None),
    ("tls1.2-rsa-camellia128-sha-mte", ssl.TLSVersion.TLSv1_2, "CAMELLIA128-SHA", None, NO_ETM, None),
    ("tls1.2-rsa-camellia256-sha256-etm", ssl.TLSVersion.TLSv1_2, "CAMELLIA256-SHA256", None, 0, None),
    ("tls1.2-ecdhe-rsa-aes128-gcm", ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256", None, 0, None),
    ("tls1.2-ecdhe-rsa-aes256-gcm-sha384", ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES256-GCM-SHA384", None, 0, None),
    ("tls1.2-ecdhe-rsa-chacha20", ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-CHACHA20-POLY1305", None, 0, None),
    ("tls1.2-rsa-aes128-ccm", ssl.TLSVersion.TLSv1_2, "AES128-CCM", None, 0, None),
    ("tls1.2-rsa-aes256-ccm8", ssl.TLSVersion.TLSv1_2, "AES256-CCM8", None, 0, None),
    ("tls1.2-rsa-null-sha256", ssl.TLSVersion.TLSv1_2, "NULL-SHA256", None, 0, None),
    ("tls1.3-aes128-gcm", ssl.TLSVersion.TLSv1_3, None, "TLS_AES_128_GCM_SHA256", 0, None),
    ("tls1.3-aes256-gcm-sha384", ssl.TLSVersion.TLSv1_3, None, "TLS_AES_256_GCM_SHA384", 0, None),
    ("tls1.3-chacha20", ssl.TLSVersion.TLSv1_3, None, "TLS_CHACHA20_POLY1305_SHA256", 0, None),
    ("tls1.3-aes128-ccm", ssl.TLSVersion.TLSv1_3, None, "TLS_AES_128_CCM_SHA256", 0, None),
    ("tls1.3-aes128-ccm8", ssl.TLSVersion.TLSv1_3, None, "TLS_AES_128_CCM_8_SHA256", 0, None),
    ("tls1.3-hrr-secp384r1", ssl.TLSVersion.TLSv1_3, None, "TLS_AES_128_GCM_SHA256", 0, "secp384r1"),
]

APP_C2S = b"ping from the client"
APP_S2C = b"pong from the server"


def make_cert(tmp):
    key, crt = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-subj", "/CN=localhost", "-days", "2"],
                   check=True, capture_output=True)
    return crt, key


def records(log):
    """Splits each direction's byte stream into records, keeping send order."""
    out, pending = [], {"c2s": b"", "s2c": b""}
    for d, chunk in log:
        pending[d] += chunk
        buf = pending[d]
        while len(buf) >= 5 and len(buf) >= 5 + int.from_bytes(buf[3:5], "big"):
            n = 5 + int.from_bytes(buf[3:5], "big")
            out.append((d, buf[:n]))
            buf = buf[n:]
        pending[d] = buf
    assert not pending["c2s"] and not pending["s2c"]
    return out


def run(spec, crt, key, tmp):
    name, version, ciphers, suite13, options, groups = spec
    keylog = os.path.join(tmp, name + ".keys")
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    sctx.load_cert_chain(crt, key)
    for ctx in (cctx, sctx):
        ctx.minimum_version = version
        ctx.maximum_version = version
        ctx.options |= options
        if ciphers:
            ctx.set_ciphers(ciphers + ":@SECLEVEL=0")
        else:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if groups:
        sctx.set_ecdh_curve(groups)
    cctx.keylog_filename = keylog
    if suite13:
        # Python has no API for TLS 1.3 suites: the env var is read by
        # OpenSSL's config only, so use the openssl.cnf-free route of
        # SSL_CTX_set_ciphersuites through ctypes.
        import ctypes
        import ctypes.util
        lib = ctypes.CDLL(ctypes.util.find_library("ssl"))
        lib.SSL_CTX_set_ciphersuites.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        for ctx in (cctx, sctx):
            ptr = ctx_pointer(ctx)
            assert lib.SSL_CTX_set_ciphersuites(ptr, suite13.encode()) == 1

    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = cctx.wrap_bio(c_in, c_out, server_side=False, server_hostname="localhost")
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    log = []

    def pump():
        moved = False
        data = c_out.read()
        if data:
            log.append(("c2s", data))
            s_in.write(data)
            moved = True
        data = s_out.read()
        if data:
            log.append(("s2c", data))
            c_in.write(data)
            moved = True
        return moved

    c_done = s_done = False
    for _ in range(50):
        for side in ("c", "s"):
            try:
                if side == "c" and not c_done:
                    client.do_handshake()
                    c_done = True
                elif side == "s" and not s_done:
                    server.do_handshake()
                    s_done = True
            except ssl.SSLWantReadError:
                pass
            pump()
        if c_done and s_done:
            break
    assert c_done and s_done, name
    client.write(APP_C2S)
    pump()
    assert server.read(100) == APP_C2S
    server.write(APP_S2C)
    pump()
    assert client.read(100) == APP_S2C
    pump()
    got = client.version(), client.cipher()[0]
    with open(keylog) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return got, lines, records(log)


def ctx_pointer(ctx):
    """Address of the SSL_CTX inside a Python SSLContext (PySSLContext->ctx,
    the first field after the object header)."""
    import ctypes
    return ctypes.c_void_p.from_address(id(ctx) + 2 * ctypes.sizeof(ctypes.c_void_p)).value


def main():
    with tempfile.TemporaryDirectory() as tmp:
        crt, key = make_cert(tmp)
        n = 0
        for spec in SESSIONS:
            try:
                got, lines, recs = run(spec, crt, key, tmp)
            except (ssl.SSLError, AssertionError, OSError) as e:
                print("skip %s: %s" % (spec[0], e), file=sys.stderr)
                continue
            path = os.path.join(HERE, "session-%02d.txt" % n)
            with open(path, "w") as f:
                f.write("name %s\n" % spec[0])
                f.write("# negotiated %s %s by %s\n" % (got[0], got[1], ssl.OPENSSL_VERSION))
                for l in lines:
                    f.write("keylog %s\n" % l)
                f.write("app c2s %s\n" % APP_C2S.decode())
                f.write("app s2c %s\n" % APP_S2C.decode())
                for d, r in recs:
                    f.write("%s %s\n" % (d, r.hex()))
            print("%s: %s %s, %d records" % (path, got[0], got[1], len(recs)))
            n += 1


if __name__ == "__main__":
    main()
