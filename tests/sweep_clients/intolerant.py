#!/usr/bin/env python3
"""A deliberately intolerant TLS client for sweep tests.

Usage: intolerant.py HOST PORT --reject PROPERTY

Does the handshake with Python's ssl over memory BIOs (so every byte goes
through this script's own socket), offering everything OpenSSL has.  When
the server picked the property named by --reject it drops the connection
at once, without close_notify, and exits 1, like a broken embedded client.
Otherwise it sends a line, reads the echo, closes cleanly and exits 0.

Properties: cbc (a CBC cipher), sha384 (HMAC-SHA384), sha256 (HMAC-SHA256),
sha1 (HMAC-SHA1), aead (an AEAD cipher), tls1.2, tls1.3, rsa-kx (RSA key
transport), none (never drops).
"""
import argparse
import socket
import ssl
import sys


def picked(prop, name, version):
    tls13 = version == "TLSv1.3"
    aead = tls13 or "GCM" in name or "CHACHA" in name or "CCM" in name
    if prop == "none":
        return False
    if prop == "cbc":
        return not aead and "RC4" not in name and "NULL" not in name
    if prop == "aead":
        return aead
    if prop in ("sha384", "sha256", "sha1"):
        # the HMAC is the suite name's last part, for non-AEAD suites only
        suffix = {"sha384": "SHA384", "sha256": "SHA256", "sha1": "SHA"}[prop]
        return not aead and name.split("-")[-1] == suffix
    if prop == "tls1.2":
        return version == "TLSv1.2"
    if prop == "tls1.3":
        return tls13
    if prop == "rsa-kx":
        return not tls13 and not name.startswith(("ECDHE", "DHE", "EDH"))
    raise SystemExit("unknown property %r" % prop)


def pump_out(sock, outgoing):
    data = outgoing.read()
    if data:
        sock.sendall(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--reject", default="none")
    ap.add_argument("--timeout", type=float, default=10)
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    except (ValueError, AttributeError):
        pass
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=a.host)
    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)

    def feed():
        data = sock.recv(65536)
        if not data:
            incoming.write_eof()
        else:
            incoming.write(data)

    try:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump_out(sock, outgoing)
                feed()
        pump_out(sock, outgoing)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed: %s" % e)
        return 1

    name, version, _ = tls.cipher()
    print("negotiated %s %s" % (version, name))
    if picked(a.reject, name, version):
        print("intolerant: the server picked %s (%s), dropping the connection" % (a.reject, name))
        # RST, no alert: what a client that chokes on a record does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        return 1

    tls.write(b"hello from intolerant.py\n")
    pump_out(sock, outgoing)
    got = b""
    try:
        while b"\n" not in got:
            try:
                got += tls.read(4096)
            except ssl.SSLWantReadError:
                feed()
            except ssl.SSLZeroReturnError:
                break
        try:
            tls.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass
        pump_out(sock, outgoing)
    except OSError as e:
        print("after handshake: %s" % e)
        return 1
    sock.close()
    print("echo: %r" % got)
    return 0 if got else 1


if __name__ == "__main__":
    sys.exit(main())
