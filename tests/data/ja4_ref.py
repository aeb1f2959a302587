#!/usr/bin/env python3
"""An independent JA4 (TLS client fingerprint) of ClientHello fixtures.

Written from FoxIO's published definition (technical_details/JA4.md of
github.com/FoxIO-LLC/ja4), not from src/wire/ja.c, so that tests/unit/test_ja.c
can compare the C code's full JA4 strings with a second computation.  The
values it printed are stored in test_ja.c and in README.md (this folder).

  python3 tests/data/ja4_ref.py tests/data/clienthello-*.bin tests/data/vector-*.bin
  python3 tests/data/ja4_ref.py --check tests/data/README.md   (the meson test ja4_ref)

--check recomputes every JA4 in the README's tables (rows `| FILE.bin | ... |`
ending in a JA4 string) and fails when one differs, so the stored values and
this implementation cannot drift apart; test_ja.c compares src/wire/ja.c with
the same values.

Each file holds one TLS record with one ClientHello (the fixtures here).
Checked against FoxIO's own value for vector-tls12.bin
(t13d1715h2_5b57614c22b0_3d5424432f57).
"""
import hashlib
import sys

VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3",
            0x0002: "s2", 0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}


def is_grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def u16s(b):
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b) - 1, 2)]


class Reader:
    def __init__(self, b):
        self.b, self.off = b, 0

    def take(self, n):
        if self.off + n > len(self.b):
            raise ValueError("truncated ClientHello")
        v = self.b[self.off:self.off + n]
        self.off += n
        return v

    def num(self, n):
        return int.from_bytes(self.take(n), "big")

    def vec(self, n):
        return self.take(self.num(n))


def parse_hello(record):
    if record[0] != 22:
        raise ValueError("not a handshake record")
    body = record[5:5 + int.from_bytes(record[3:5], "big")]
    if body[0] != 1:
        raise ValueError("not a ClientHello")
    r = Reader(body[4:4 + int.from_bytes(body[1:4], "big")])
    legacy = r.num(2)
    r.take(32)
    r.vec(1)
    suites = u16s(r.vec(2))
    r.vec(1)
    exts = []
    if r.off < len(r.b):
        er = Reader(r.vec(2))
        while er.off < len(er.b):
            t = er.num(2)
            exts.append((t, er.vec(2)))
    return legacy, suites, exts


def alpn_chars(exts):
    for t, d in exts:
        if t == 0x0010 and len(d) > 3:
            first = d[3:3 + d[2]]
            if not first:
                return "00"
            a, z = chr(first[0]), chr(first[-1])
            if a.isascii() and a.isalnum() and z.isascii() and z.isalnum():
                return a + z
            return "%x%x" % (first[0] >> 4, first[-1] & 0x0f)
    return "00"


def version(legacy, exts):
    for t, d in exts:
        if t == 0x002b and len(d) >= 1:
            vs = [v for v in u16s(d[1:1 + d[0]]) if not is_grease(v)]
            if vs:
                return VERSIONS.get(max(vs), "00")
    return VERSIONS.get(legacy, "00")


def sha12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12] if s else "000000000000"


def ja4(record):
    legacy, suites, exts = parse_hello(record)
    suites = [s for s in suites if not is_grease(s)]
    types = [t for t, _ in exts if not is_grease(t)]
    sni = "d" if 0x0000 in types else "i"
    a = "t%s%s%02d%02d%s" % (version(legacy, exts), sni, min(len(suites), 99),
                             min(len(types), 99), alpn_chars(exts))
    b = sha12(",".join("%04x" % s for s in sorted(suites)))
    rest = ",".join("%04x" % t for t in sorted(types) if t not in (0x0000, 0x0010))
    sigs = []
    for t, d in exts:
        if t == 0x000d and len(d) >= 2:
            sigs = u16s(d[2:2 + int.from_bytes(d[0:2], "big")])
    if sigs:
        rest += "_" + ",".join("%04x" % s for s in sigs)
    c = sha12(rest) if types else "000000000000"
    return "%s_%s_%s" % (a, b, c)


def check(readme):
    import os
    import re
    here = os.path.dirname(os.path.abspath(readme))
    row = re.compile(r"^\| (\S+\.bin) \|.*?(t[0-9a-z]{9}_[0-9a-f]{12}_[0-9a-f]{12})")
    failed = checked = 0
    with open(readme) as f:
        for line in f:
            m = row.match(line)
            if not m:
                continue
            with open(os.path.join(here, m.group(1)), "rb") as b:
                got = ja4(b.read())
            checked += 1
            ok = got == m.group(2)
            failed += not ok
            print("%s %s: %s%s" % ("ok  " if ok else "FAIL", m.group(1), got,
                                   "" if ok else " (README: %s)" % m.group(2)))
    print("%d passed, %d failed" % (checked - failed, failed))
    return 1 if failed or checked < 9 else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(check(sys.argv[2]))
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            print("%s %s" % (path.rsplit("/", 1)[-1], ja4(f.read())))
