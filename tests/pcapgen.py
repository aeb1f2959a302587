#!/usr/bin/env python3
"""A small pcap writer for tests and benchmarks: TCP connections (SYN,
SYN-ACK, data segments, FIN) as classic pcap packets, on Ethernet (optionally
802.1Q VLAN-tagged), Linux cooked (SLL) or raw IP links, IPv4 or IPv6.

    w = PcapWriter(f, link="ether")        # "ether", "vlan", "sll", "raw"
    c = w.conn(("10.0.0.1", 40000), ("10.0.0.2", 443), ts=1.0)
    c.open(); c.send(0, b"client bytes"); c.send(1, b"server bytes"); c.close()

Checksums are left zero (readers of captures do not check them; offloaded
captures have them wrong too).  Stdlib only."""
import ipaddress
import struct

LINKTYPES = {"ether": 1, "vlan": 1, "raw": 101, "sll": 113}
SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


class PcapWriter:
    def __init__(self, f, link="ether", snaplen=262144):
        self.f = f
        self.link = link
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, LINKTYPES[link]))

    def packet(self, ts, frame, caplen=None):
        cap = frame if caplen is None else frame[:caplen]
        sec = int(ts)
        self.f.write(struct.pack("<IIII", sec, int(round((ts - sec) * 1e6)), len(cap), len(frame)))
        self.f.write(cap)

    def frame(self, ip_packet, v6):
        et = 0x86DD if v6 else 0x0800
        if self.link == "raw":
            return ip_packet
        if self.link == "sll":
            # packet type 0 (to us), ARPHRD_ETHER, 6-byte address, protocol
            return struct.pack(">HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01", et) + ip_packet
        head = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
        if self.link == "vlan":
            return head + struct.pack(">HHH", 0x8100, 42, et) + ip_packet
        return head + struct.pack(">H", et) + ip_packet

    def conn(self, client, server, ts=0.0):
        return TcpConn(self, client, server, ts)


def ip_header(src, dst, payload_len, v6):
    if v6:
        return struct.pack(">IHBB", 6 << 28, payload_len, 6, 64) + src.packed + dst.packed
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0, 0x4000, 64, 6, 0,
                       src.packed, dst.packed)


class TcpConn:
    def __init__(self, w, client, server, ts):
        self.w = w
        self.addr = [ipaddress.ip_address(client[0]), ipaddress.ip_address(server[0])]
        self.port = [client[1], server[1]]
        self.v6 = self.addr[0].version == 6
        self.seq = [1000, 5000]
        self.ts = ts
        self.step = 0.0001

    def segment(self, d, flags, payload=b"", seq=None, caplen=None):
        """One segment from side d (0 client, 1 server); returns the frame."""
        s = self.seq[d] if seq is None else seq
        tcp = struct.pack(">HHIIBBHHH", self.port[d], self.port[1 - d], s & 0xFFFFFFFF,
                          self.seq[1 - d] & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + payload
        pkt = ip_header(self.addr[d], self.addr[1 - d], len(tcp), self.v6) + tcp
        frame = self.w.frame(pkt, self.v6)
        self.w.packet(self.ts, frame, caplen)
        self.ts += self.step
        return frame

    def open(self):
        self.segment(0, SYN)
        self.seq[0] += 1
        self.segment(1, SYN | ACK)
        self.seq[1] += 1
        self.segment(0, ACK)

    def send(self, d, data, mss=1400):
        for i in range(0, len(data), mss):
            self.segment(d, PSH | ACK, data[i:i + mss])
            self.seq[d] += len(data[i:i + mss])

    def close(self, first=0):
        for d in (first, 1 - first):
            self.segment(d, FIN | ACK)
            self.seq[d] += 1
        self.segment(first, ACK)
