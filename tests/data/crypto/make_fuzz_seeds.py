#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/fuzz_keylog.c and fuzz/fuzz_record_open.c
(fuzz/corpus/keylog/, fuzz/corpus/record_open/).  Deterministic (fixed
random seed); the conn-mode seeds of record_open take real keys and
records from the libssl sessions in this folder (session-NN.txt).

Run: python3 tests/data/crypto/make_fuzz_seeds.py
"""
import glob
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
KL = os.path.join(ROOT, "fuzz", "corpus", "keylog")
RO = os.path.join(ROOT, "fuzz", "corpus", "record_open")
rnd = random.Random(8448)
NUM_CASES = 18  # entries of cases[] in fuzz_record_open.c


def h(n):
    return bytes(rnd.getrandbits(8) for _ in range(n)).hex()


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def sessions():
    for path in sorted(glob.glob(os.path.join(HERE, "session-*.txt"))):
        s = {"keylog": [], "recs": []}
        for line in open(path):
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "name":
                s["name"] = parts[1]
            elif parts[0] == "keylog":
                s["keylog"].append(" ".join(parts[1:]))
            elif parts[0] in ("c2s", "s2c"):
                s["recs"].append((parts[0], bytes.fromhex(parts[1])))
        yield s


def keylog_seeds():
    labels = ["CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
              "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0", "EARLY_EXPORTER_SECRET", "EXPORTER_SECRET"]
    n = 0
    write(KL, "%02d-client-random" % n, "CLIENT_RANDOM %s %s\n" % (h(32), h(48))); n += 1
    write(KL, "%02d-crlf-upper" % n, "# SSL/TLS secrets log file\r\nCLIENT_RANDOM %s %s\r\n"
          % (h(32).upper(), h(48).upper())); n += 1
    for l in labels:
        write(KL, "%02d-%s" % (n, l.lower()), "%s %s %s\n" % (l, h(32), h(32 if n % 2 else 48))); n += 1
    cr = h(32)
    write(KL, "%02d-tls13-set" % n, "".join("%s %s %s\n" % (l, cr, h(48)) for l in labels)); n += 1
    write(KL, "%02d-junk" % n, "garbage\n\nCLIENT_RANDOM zz %s\nRSA 0011223344556677 %s\n"
          % (h(48), h(48))); n += 1
    write(KL, "%02d-tabs-no-newline" % n, "CLIENT_RANDOM\t%s\t\t%s" % (h(32), h(48))); n += 1
    write(KL, "%02d-truncated" % n, "CLIENT_RANDOM %s %s" % (h(32), h(48)[:-3])); n += 1
    write(KL, "%02d-extra-field" % n, "CLIENT_RANDOM %s %s extra\n" % (h(32), h(48))); n += 1
    write(KL, "%02d-duplicate" % n, "CLIENT_RANDOM %s %s\n" % (cr, h(48)) * 2); n += 1
    write(KL, "%02d-overlong" % n, "CLIENT_RANDOM " + "a" * 3000 + "\n"); n += 1
    write(KL, "%02d-binary" % n, bytes(range(256))); n += 1
    write(KL, "%02d-crs-only" % n, "\r\r\n\r\n#\n \t \n"); n += 1
    for s in list(sessions())[:8]:
        write(KL, "%02d-session-%s" % (n, s["name"]), "\n".join(s["keylog"]) + "\n"); n += 1


def record_seeds():
    n = 0
    # mode 0: random fragments of assorted lengths for every case
    for ci in range(NUM_CASES):
        for length in ((0, 16, 37, 64)[ci % 4],):
            data = bytes([0, ci, 23]) + bytes.fromhex(h(96)) + bytes.fromhex(h(length))
            write(RO, "%02d-open-case%02d-%d" % (n, ci, length), data); n += 1
    # mode 1: seal then open
    for ci in range(NUM_CASES):
        for type_byte, length in (((23, 0), (22, 40), (7, 300))[ci % 3],):
            data = bytes([1, ci, type_byte]) + bytes.fromhex(h(96)) + bytes.fromhex(h(length))
            write(RO, "%02d-roundtrip-case%02d-%d" % (n, ci, length), data); n += 1
    # mode 2: real TLS <= 1.2 sessions, the client's first protected record
    for s in sessions():
        master = None
        for line in s["keylog"]:
            if line.startswith("CLIENT_RANDOM "):
                master = bytes.fromhex(line.split()[2])
        if not master:
            continue
        ch = next(r for d, r in s["recs"] if d == "c2s" and r[0] == 22)
        sh = next(r for d, r in s["recs"] if d == "s2c" and r[0] == 22)
        cr, sr = ch[5 + 6:5 + 38], sh[5 + 6:5 + 38]
        version = sh[5 + 4:5 + 6]
        sid_len = sh[5 + 38]
        suite = sh[5 + 39 + sid_len:5 + 41 + sid_len]
        etm = 1 if b"\x00\x16\x00\x00" in sh else 0
        recs = [r for d, r in s["recs"] if d == "c2s"]
        ccs = next(i for i, r in enumerate(recs) if r[0] == 20)
        fin = recs[ccs + 1]
        data = bytes([2]) + suite + version + bytes([etm]) + cr + sr + master + fin[:3] + fin[5:]
        write(RO, "%02d-conn-%s" % (n, s["name"]), data); n += 1
        if n % 3 == 0:
            bad = bytearray(data)
            bad[-1] ^= 1
            write(RO, "%02d-conn-%s-bad" % (n, s["name"]), bytes(bad)); n += 1


def main():
    for folder in (KL, RO):
        if os.path.isdir(folder):
            for f in os.listdir(folder):
                os.unlink(os.path.join(folder, f))
    keylog_seeds()
    record_seeds()
    print("keylog seeds:", len(os.listdir(KL)), "record_open seeds:", len(os.listdir(RO)))


if __name__ == "__main__":
    main()
