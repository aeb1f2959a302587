#!/usr/bin/env python3
"""A client that fails at random, for adaptive sweep tests.

Usage: flaky.py HOST PORT --rate P --seed S --state FILE -- CMD...

Each run counts itself in FILE (the sweep runs the client once per try) and
draws from random.Random(S * 1000003 + n): with probability P it fails the
way an unreliable client or network does, opening a TCP connection, sending
the first bytes of a ClientHello and closing (exit 1); otherwise it runs
CMD and exits with its status.  The same seed gives the same runs.  The
first run (the sweep's probe, whose ClientHello lays out the matrix) is
never dropped.
"""
import argparse
import os
import random
import socket
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--state", required=True)
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    n = 0
    if os.path.exists(a.state):
        with open(a.state) as f:
            n = int(f.read().strip() or 0)
    with open(a.state, "w") as f:
        f.write(str(n + 1))
    if n > 0 and random.Random(a.seed * 1000003 + n).random() < a.rate:
        s = socket.create_connection((a.host, a.port), timeout=10)
        # a handshake record header and the start of a ClientHello, then gone
        s.sendall(bytes([0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x7c, 0x03, 0x03]))
        s.close()
        print("flaky: run %d dropped the connection" % n)
        return 1
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
