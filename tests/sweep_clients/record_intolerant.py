#!/usr/bin/env python3
"""A TLS client that is intolerant of how the server shapes its records,
for sweeps over the quirk axis.

Usage: record_intolerant.py HOST PORT --reject PROPERTY

Runs Python's ssl over memory BIOs and reads every record the server sends
before handing it to ssl, one record at a time.  When a record has the
property named by --reject, it drops the connection at once (no
close_notify, exit 1), as the broken clients did.  Otherwise it sends a
line, reads the echo, closes cleanly and exits 0.

Properties:
  padding   the server's first protected record (its Finished, TLS <= 1.2)
            carries more CBC padding than needed: the 2006 phones.  The
            padding length follows from the record length, which is exact for
            the Finished (12-byte verify_data, 16-byte message).  With
            --alert the client answers it the way the phones did, with an
            encrypted fatal bad_record_mac, instead of closing silently.
  fragment  a handshake message split across records (seen in the clear
            records: the whole first flight in TLS <= 1.2, the ServerHello in
            TLS 1.3): stacks without handshake reassembly.
  tiny      an application data record with fewer than 8 bytes of data
            while the message is longer (1/n-1 split): clients that expect
            the whole message, or its header, in one record.  This one does
            not close silently (after data both ways that reads as an
            ordinary end): it fails on the next record the way its TLS
            library fails, with an encrypted fatal bad_record_mac alert.
  none      never drops.
"""
import argparse
import warnings
import socket
import ssl
import sys

# CBC suites: id -> (block size, MAC length)
CBC_SUITES = {
    0x000A: (8, 20), 0x0016: (8, 20), 0xC012: (8, 20),
    0x002F: (16, 20), 0x0035: (16, 20), 0x0033: (16, 20), 0x0039: (16, 20),
    0xC009: (16, 20), 0xC00A: (16, 20), 0xC013: (16, 20), 0xC014: (16, 20),
    0x003C: (16, 32), 0x003D: (16, 32), 0x0067: (16, 32), 0x006B: (16, 32),
    0xC023: (16, 32), 0xC027: (16, 32), 0xC024: (16, 48), 0xC028: (16, 48),
    0x0041: (16, 20), 0x0084: (16, 20), 0x0045: (16, 20), 0x0088: (16, 20),
}
LINE = b"a line long enough to need more than one tiny record\n"


class Drop(Exception):
    pass


class Watch:
    """Looks at each server record (header + fragment) before ssl does."""

    def __init__(self, reject):
        self.reject = reject
        self.version = None
        self.suite = None
        self.etm = False
        self.ccs = False
        self.protected_seen = 0
        self.hs = b""          # clear handshake bytes not yet a whole message
        self.done = False      # handshake over (set by the caller)

    def server_hello(self, msg):
        body = msg[4:]
        self.version = int.from_bytes(body[0:2], "big")
        sid_len = body[34]
        p = 35 + sid_len
        self.suite = int.from_bytes(body[p:p + 2], "big")
        p += 3
        if p + 2 <= len(body):
            end = p + 2 + int.from_bytes(body[p:p + 2], "big")
            p += 2
            while p + 4 <= end:
                t, ln = int.from_bytes(body[p:p + 2], "big"), int.from_bytes(body[p + 2:p + 4], "big")
                if t == 22:
                    self.etm = True
                if t == 43 and ln == 2:
                    self.version = int.from_bytes(body[p + 4:p + 6], "big")
                p += 4 + ln

    def clear_handshake(self, frag):
        self.hs += frag
        while len(self.hs) >= 4:
            n = 4 + int.from_bytes(self.hs[1:4], "big")
            if len(self.hs) < n:
                break
            if self.hs[0] == 2 and self.version is None:
                self.server_hello(self.hs[:n])
            self.hs = self.hs[n:]
        if self.reject == "fragment" and self.hs:
            raise Drop("handshake message split across records")

    def padding_ok(self, length):
        if self.suite not in CBC_SUITES or self.version is None or self.version >= 0x0304:
            return True
        bs, ml = CBC_SUITES[self.suite]
        ivl = bs if self.version >= 0x0302 else 0
        body = 16 + 1 + (0 if self.etm else ml)
        minimal = ivl + (body + bs - 1) // bs * bs + (ml if self.etm else 0)
        return length == minimal

    def record(self, rec):
        typ, frag = rec[0], rec[5:]
        protected = self.ccs or (self.version == 0x0304 and typ == 23)
        if typ == 20:
            self.ccs = self.version != 0x0304
        elif not protected and typ == 22:
            self.clear_handshake(frag)
        elif protected:
            self.protected_seen += 1
            if self.reject == "padding" and self.protected_seen == 1 and not self.padding_ok(len(frag)):
                raise Drop("non-minimal CBC padding in the server's Finished")


def records(buf):
    """Splits whole records off buf; returns (records, rest)."""
    out = []
    while len(buf) >= 5:
        n = 5 + int.from_bytes(buf[3:5], "big")
        if len(buf) < n:
            break
        out.append(buf[:n])
        buf = buf[n:]
    return out, buf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--reject", default="none", choices=["padding", "fragment", "tiny", "none"])
    ap.add_argument("--alert", action="store_true",
                    help="padding: reject the Finished with the library's bad_record_mac alert "
                         "(the phones' reaction) instead of a silent close")
    ap.add_argument("--timeout", type=float, default=10)
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=a.host)
    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)
    w = Watch(a.reject)
    pending = b""
    queue = []

    def pump_out():
        data = outgoing.read()
        if data:
            sock.sendall(data)

    corrupt = [False]

    def next_record():
        """Feeds one more server record to ssl; False at EOF."""
        nonlocal pending
        while not queue:
            data = sock.recv(65536)
            if not data:
                incoming.write_eof()
                return False
            got, pending = records(pending + data)
            queue.extend(got)
        rec = queue.pop(0)
        try:
            w.record(rec)
        except Drop:
            if not (a.alert and a.reject == "padding"):
                raise
            corrupt[0] = True
            incoming.write(rec[:-1] + bytes([rec[-1] ^ 1]))
            try:
                tls.do_handshake()
            except ssl.SSLError:
                pump_out()  # the encrypted fatal alert the library queued
            raise
        if corrupt[0]:  # the rejection: the library's own alert for a bad record
            rec = rec[:-1] + bytes([rec[-1] ^ 1])
        incoming.write(rec)
        return True

    try:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump_out()
                if not next_record():
                    raise SystemExit("server closed during the handshake")
        pump_out()
        tls.write(LINE)
        pump_out()
        got = b""
        while not got.endswith(b"\n"):
            try:
                chunk = tls.read(65536)
            except ssl.SSLWantReadError:
                if not next_record():
                    break
                continue
            if a.reject == "tiny" and 0 < len(chunk) < 8 and len(got) + len(chunk) < len(LINE):
                corrupt[0] = True
                try:
                    while next_record():
                        tls.read(65536)
                except ssl.SSLError:
                    pump_out()  # the fatal alert the library queued
                raise Drop("application data record of %d bytes" % len(chunk))
            got += chunk
        try:
            tls.unwrap()
        except (ssl.SSLError, OSError):
            pass
        pump_out()
        sock.close()
        if got != LINE:
            print("echo mismatch: %r" % got)
            return 1
        print("ok: %s %s" % (tls.version(), tls.cipher()[0]))
        return 0
    except Drop as e:
        print("dropping the connection: %s" % e)
        sock.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
