#!/usr/bin/env python3
"""A TLS client that, like some old stacks, cannot take a zero-length
application data record (RFC 5246 6.2.1 allows them): it answers one with a
fatal decode_error alert and closes.  Usage: zero_record_client.py HOST PORT.

It runs Python's ssl over a MemoryBIO and feeds the server's records one at
a time, so it sees each application_data record that opens to no bytes (the
empty fragment OpenSSL sends before each TLS 1.0 CBC record against BEAST).
Exit 0 when the server's answer arrives first, 1 on an empty record, 2 on
any other failure."""
import socket
import ssl
import sys


def read_record(sock, buf):
    """One whole TLS record (header + body) from buf/sock, or None at EOF."""
    while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)
    n = 5 + int.from_bytes(buf[3:5], "big")
    rec = bytes(buf[:n])
    del buf[:n]
    return rec


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname=host)
    sock = socket.create_connection((host, port), timeout=10)
    buf = bytearray()
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            sock.sendall(out.read())
            rec = read_record(sock, buf)
            if rec is None:
                print("server closed during the handshake")
                return 2
            inc.write(rec)
    tls.write(b"GET / HTTP/1.0\r\n\r\n")
    sock.sendall(out.read())
    while True:
        rec = read_record(sock, buf)
        if rec is None:
            print("server closed before answering")
            return 2
        inc.write(rec)
        try:
            data = tls.read(65536)
        except ssl.SSLWantReadError:
            data = None
        if rec[0] == 23 and not data:
            # what such a stack did: a fatal decode_error (unencrypted, as
            # it had torn its TLS state down), then the close
            sock.sendall(bytes([21, rec[1], rec[2], 0, 2, 2, 50]))
            sock.close()
            print("zero-length application data record: rejected with decode_error")
            return 1
        if data:
            print("answer: %d bytes (%s)" % (len(data), tls.version()))
            return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ssl.SSLError) as e:
        print("error: %s" % e)
        sys.exit(2)
