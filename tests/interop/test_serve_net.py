#!/usr/bin/env python3
"""Listening on IPv4 and IPv6, and the no-common-group verdict."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def test_default_listeners(r):
    """Without --listen: 0.0.0.0 and :: on one port; a client over ::1 and
    one over 127.0.0.1 are both served."""
    import tempfile
    trace = os.path.join(tempfile.mkdtemp(prefix="tp-net-"), "t.jsonl")
    p = subprocess.Popen([tp.TLSPROBE, "serve", "--port", "0", "--echo", "--trace", trace] +
                         tp.engine_args([]),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len([l for l in lines if "listening on" in l]) < 2:
        line = p.stderr.readline().decode()
        if not line:
            break
        lines.append(line)
    listen = [l.strip() for l in lines if "listening on" in l]
    r.check(any(re.search(r"listening on 0\.0\.0\.0:\d+", l) for l in listen), "listens on 0.0.0.0", listen)
    r.check(any(re.search(r"listening on \[::\]:\d+", l) for l in listen), "listens on [::]", listen)
    ports = {re.search(r":(\d+)$", l).group(1) for l in listen if re.search(r":(\d+)$", l)}
    r.eq(len(ports), 1, "one port for both families", listen)
    if ports:
        port = ports.pop()
        for host, label in (("[::1]", "IPv6"), ("127.0.0.1", "IPv4")):
            echoed, rc, out = tp.echo_exchange(["openssl", "s_client", "-connect", "%s:%s" % (host, port),
                                                "-quiet", "-no_ign_eof"], "net-" + label)
            r.check(echoed, "%s client served" % label, out[-500:])
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
    evs = tp.read_trace(trace)
    peers = [e.get("peer", "") for e in evs.of("accept")]
    r.check(any(x.startswith("[::1]:") for x in peers), "trace names the IPv6 peer as [::1]:port", peers)
    r.check(any(x.startswith("127.0.0.1:") for x in peers), "trace names the IPv4 peer", peers)
    r.eq(sum(1 for e in evs.of("verdict") if e.get("outcome") == "ok"), 2, "two ok verdicts")


def test_listen_v6_only(r):
    """--listen ::1 serves IPv6 only."""
    p = subprocess.Popen([tp.TLSPROBE, "serve", "--listen", "::1", "--port", "0", "--echo"] +
                         tp.engine_args([]),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()
    while line and "listening on" not in line:
        line = p.stderr.readline().decode()
    m = re.search(r"listening on \[::1\]:(\d+)", line)
    r.check(m is not None, "--listen ::1 prints [::1]:port", line)
    if m:
        echoed, rc, out = tp.echo_exchange(["openssl", "s_client", "-connect", "[::1]:%s" % m.group(1), "-quiet", "-no_ign_eof"],
                                           "v6only")
        r.check(echoed, "IPv6-only listener serves ::1", out[-400:])
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()


def test_no_common_group(r):
    with tp.Server(["--echo", "--protocols", "TLS1.3", "--groups", "SECP384R1"]) as srv:
        echoed, rc, out = tp.echo_exchange(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                                            "-quiet", "-groups", "X25519"], "group")
        r.check(not echoed, "client with only X25519 is refused")
        evs = srv.wait_verdicts(1, timeout=10)
        v = evs.verdict(evs.conns()[0]) if evs.conns() else None
        r.eq(v and v.get("outcome"), "fail", "verdict fail", v)
        r.contains(v and v.get("summary"), "no common group", "summary names the missing group")
        r.contains(v and v.get("summary"), "X25519", "summary names what the client offered")
        r.contains(v and v.get("summary"), "SECP384R1", "summary names what the server allows")


def main():
    r = tp.Results()
    r.run(test_default_listeners)
    r.run(test_listen_v6_only)
    r.run(test_no_common_group)
    r.finish()


if __name__ == "__main__":
    main()
