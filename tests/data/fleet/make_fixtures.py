#!/usr/bin/env python3
"""Writes the fleet's bad-input fixtures (tests/data/fleet/*.pcap) with
tests/pcapgen.py.  The TLS bytes are real: Python's ssl (OpenSSL) client
and server run a TLS 1.2 handshake against each other in memory (a
throwaway self-signed certificate from `openssl req`); their key log is
fleet.keys.  Run from anywhere: python3 tests/data/fleet/make_fixtures.py"""
import os
import ssl
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import pcapgen  # noqa: E402

T0 = 1764590400.0  # 2025-12-01 12:00:00 UTC


def contexts(tmp, keys):
    cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
    if not os.path.exists(cert):  # one server certificate per directory
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    s.load_cert_chain(cert, key)
    s.maximum_version = ssl.TLSVersion.TLSv1_2
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    c.keylog_filename = keys
    return c, s


def step(obj, fn):
    try:
        fn()
        return True
    except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
        return False


def session(cctx, sctx, full=True):
    """[(dir, bytes)] of one connection: the handshake, a line each way and
    close_notify both ways (full), or only the ClientHello and the server's
    first flight."""
    bios = [ssl.MemoryBIO() for _ in range(4)]
    c = cctx.wrap_bio(bios[0], bios[1], server_hostname="localhost")
    s = sctx.wrap_bio(bios[2], bios[3], server_side=True)
    flights = []

    def pump():
        for d, out, inc in ((0, bios[1], bios[2]), (1, bios[3], bios[0])):
            data = out.read()
            if data:
                flights.append((d, data))
                inc.write(data)
    done = [False, False]
    for _ in range(10):
        done[0] = done[0] or step(c, c.do_handshake)
        pump()
        if not full and len(flights) >= 2:
            return flights[:2]
        done[1] = done[1] or step(s, s.do_handshake)
        pump()
        if all(done):
            break
    c.write(b"hello fleet\n")
    pump()
    s.write(s.read(100))
    pump()
    c.read(100)
    step(c, c.unwrap)
    pump()
    step(s, s.unwrap)
    pump()
    return flights


def write(name, link, conns, v6=False, tweak=None, cut=None):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        w = pcapgen.PcapWriter(f, link=link)
        for i, flights in enumerate(conns):
            ca, sa = ("2001:db8::1", "2001:db8::2") if v6 else ("192.0.2.1", "192.0.2.2")
            c = w.conn((ca, 40000 + i), (sa, 443), ts=T0 + i)
            c.open()
            for d, data in flights:
                if tweak:
                    tweak(c, d, data)
                else:
                    c.send(d, data)
            c.close()
    if cut:
        data = open(path, "rb").read()
        open(path, "wb").write(data[:len(data) - cut])


def ooo_and_retransmit(c, d, data):
    """The server's flight in reverse order of its segments, the client's
    bytes sent twice (a retransmission) with an overlap."""
    if d == 1 and len(data) > 600:
        parts = [data[i:i + 300] for i in range(0, len(data), 300)]
        base = c.seq[1]
        offs = [sum(len(p) for p in parts[:k]) for k in range(len(parts))]
        for k in reversed(range(len(parts))):
            c.segment(1, pcapgen.PSH | pcapgen.ACK, parts[k], seq=base + offs[k])
        c.seq[1] += len(data)
        return
    c.send(d, data)
    if d == 0:
        c.segment(0, pcapgen.PSH | pcapgen.ACK, data, seq=c.seq[0] - len(data))


def main():
    tmp = tempfile.mkdtemp()
    keys = os.path.join(HERE, "fleet.keys")
    if os.path.exists(keys):
        os.unlink(keys)
    cctx, sctx = contexts(tmp, keys)
    ok1, ok2, drop = session(cctx, sctx), session(cctx, sctx), session(cctx, sctx, full=False)
    conns = [ok1, ok2, drop]
    write("ether-v4.pcap", "ether", conns)
    write("vlan.pcap", "vlan", conns)
    write("sll.pcap", "sll", conns)
    write("ipv6.pcap", "ether", conns, v6=True)
    write("ooo-retrans.pcap", "ether", conns, tweak=ooo_and_retransmit)
    write("truncated.pcap", "ether", conns, cut=700)
    http = [(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), (1, b"HTTP/1.1 400 Bad Request\r\n\r\n")]
    write("not-tls.pcap", "ether", [ok1, http, drop])
    os.chmod(keys, 0o600)


if __name__ == "__main__":
    main()
