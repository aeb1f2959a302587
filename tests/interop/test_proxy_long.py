#!/usr/bin/env python3
"""Long-running outputs of the proxy (and of serve): --keep failing and
--rotate SIZE[,N].

- --keep failing: ok connections leave only their verdict line in the
  JSON trace and in the text output, and nothing in the pcapng; failing ones
  keep every event, and tshark reads the pcapng: only the failing
  connection's packets (its ClientHello);
- --rotate 16k,2: the trace moves to FILE.1 and FILE.2 (never more) as it
  grows, each file made of whole JSON lines, mode 0600, every verdict in one
  of them;
- bad values name the option and the valid ones.
The upstream is a small loopback line server (upstream_fake.py)."""
import glob
import json
import os
import socket
import stat
import subprocess

import tp
import upstream_fake


def ok_session(port):
    s = tp.python_ctx().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                    server_hostname="localhost")
    s.recv(100)
    s.sendall(b"EHLO client.example\r\n")
    s.recv(100)
    s.sendall(b"QUIT\r\n")
    s.recv(100)
    s.close()


def failing_session(port):
    """A TLS 1.3-only client against a TLS 1.2-only proxy: no shared version."""
    ctx = tp.python_ctx()
    ctx.minimum_version = ctx.maximum_version = __import__("ssl").TLSVersion.TLSv1_3
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                            server_hostname="localhost")
        s.close()
    except OSError:
        pass


def test_keep_failing(r, up):
    pcap = os.path.join(tp.tempfile.mkdtemp(prefix="tp-keep-"), "keep.pcapng")
    with tp.Server(["--upstream", "127.0.0.1:%d" % up.port, "--keep", "failing",
                    "--pcap", pcap, "--protocols", "TLS1.2"]) as srv:
        for _ in range(3):
            ok_session(srv.port)
        failing_session(srv.port)
        evs = srv.wait_verdicts(4, timeout=20)
    vs = evs.of("verdict")
    r.eq([v["outcome"] for v in vs], ["ok", "ok", "ok", "fail"], "keep: three ok, one failing",
         [v.get("summary") for v in vs])
    for v in vs[:3]:
        kinds = {e["event"] for e in evs.conn_events(v["conn"])}
        r.eq(kinds, {"verdict"}, "keep: ok connection %d keeps only its verdict" % v["conn"])
    bad = vs[3]["conn"]
    kinds = {e["event"] for e in evs.conn_events(bad)}
    r.check({"accept", "handshake", "record", "verdict"} <= kinds,
            "keep: the failing connection keeps its detail", kinds)
    text = srv.stdout_text
    r.check("connection from" in text and text.count("connection from") == 1,
            "keep: the text output has the accept line of the failing connection only",
            text[-1500:])
    r.eq(text.count(" OK ("), 3, "keep: the text output keeps each ok verdict line")
    rc, out, err = tp.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "tcp.srcport",
                           "-e", "tls.handshake.type"], timeout=60)
    ports = {line.split("\t")[0] for line in out.splitlines() if line.strip()}
    r.eq(len(ports), 2, "keep: the pcapng holds one connection (its two ports)", out[-800:])
    r.check("1" in out.split(), "tshark: the failing connection's ClientHello", out[-800:])


def test_rotate(r, up):
    d = tp.tempfile.mkdtemp(prefix="tp-rotate-")
    trace = os.path.join(d, "t.jsonl")
    pcap = os.path.join(d, "p.pcapng")
    with tp.Server(["--upstream", "127.0.0.1:%d" % up.port, "--rotate", "16k,2", "--trace",
                    trace, "--pcap", pcap], trace=False) as srv:
        for _ in range(30):
            ok_session(srv.port)
        srv.wait_for(lambda e: True, 1)
    files = sorted(glob.glob(trace + "*"))
    r.eq([os.path.basename(f) for f in files], ["t.jsonl", "t.jsonl.1", "t.jsonl.2"],
         "rotate: FILE, FILE.1, FILE.2 and no more", files)
    verdicts = 0
    for f in files:
        r.eq(stat.S_IMODE(os.stat(f).st_mode), 0o600, "rotate: %s is 0600" % os.path.basename(f))
        lines = open(f).read().splitlines()
        try:
            evs = [json.loads(x) for x in lines]
        except ValueError as e:
            r.check(False, "rotate: %s is whole JSON lines" % f, repr(e))
            continue
        verdicts += sum(1 for e in evs if e.get("event") == "verdict")
        if f != trace:
            r.check(16 * 1024 <= os.path.getsize(f) < 16 * 1024 + 64 * 1024,
                    "rotate: %s was rotated past 16 KiB" % os.path.basename(f),
                    os.path.getsize(f))
    r.check(0 < verdicts <= 30, "rotate: the kept files hold verdicts (%d)" % verdicts)
    pcaps = sorted(glob.glob(pcap + "*"))
    r.eq([os.path.basename(f) for f in pcaps], ["p.pcapng", "p.pcapng.1", "p.pcapng.2"],
         "rotate: the pcapng rotates too", pcaps)
    for f in pcaps:
        rc, out, err = tp.run(["tshark", "-n", "-r", f, "-T", "fields", "-e", "frame.number"],
                              timeout=60)
        # the current file may be fresh (its header only) right after a rotation
        r.check(rc == 0 and (f == pcap or len(out.split()) > 0), "rotate: tshark reads %s (a "
                "pcapng of its own)" % os.path.basename(f), err[-400:])


def bulk(port, n=4 * 1024 * 1024):
    """n random bytes through an echo, at most 128 KiB in flight; True when
    every byte came back in order."""
    s = tp.python_ctx().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
                                    server_hostname="localhost")
    data, got, sent = os.urandom(n), bytearray(), 0
    while sent < n:
        s.sendall(data[sent:sent + 65536])
        sent += 65536
        while len(got) < sent - 64 * 1024:
            got += s.recv(65536)
    while len(got) < n:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    return bytes(got) == data


def test_bulk(r):
    """4 MiB each way through the proxy, plain and --upstream-tls: the
    backpressure both ways loses nothing and stalls nothing."""
    d = tp.tempfile.mkdtemp(prefix="tp-bulk-")
    for label, up, extra in [
            ("plain", upstream_fake.Upstream("echo"), []),
            ("tls", upstream_fake.Upstream("echo", tls=tp.make_cert(d, "up")), ["--upstream-tls"])]:
        with tp.Server(["--upstream", "127.0.0.1:%d" % up.port] + extra) as srv:
            r.check(bulk(srv.port), "bulk %s: 4 MiB came back whole" % label)
            v = srv.wait_verdicts(1, timeout=20).of("verdict")[-1]
        u = v.get("layers", {}).get("app", {}).get("upstream") or {}
        r.eq(v.get("outcome"), "ok", "bulk %s: ok" % label, v.get("summary"))
        r.eq((u.get("c2u_bytes"), u.get("u2c_bytes")), (4 << 20, 4 << 20),
             "bulk %s: every byte through the upstream, each way" % label, u)


def test_bad_values(r):
    for args, words in [(["--keep", "some"], ["--keep some", "failing, all"]),
                        (["--rotate", "lots"], ["--rotate lots", "SIZE[,N]"]),
                        (["--rotate", "10M,x"], ["--rotate 10M,x"]),
                        (["--upstream", "nohost"], ["--upstream nohost", "HOST:PORT"]),
                        (["--upstream-tls"], ["--upstream HOST:PORT"]),
                        (["--upstream", "127.0.0.1:25", "--echo"], ["--upstream and --echo"]),
                        (["--upstream", "127.0.0.1:25", "--upstream-starttls", "ftp"],
                         ["--upstream-starttls ftp", "smtp, imap, pop3"])]:
        p = subprocess.run([tp.TLSPROBE, "serve"] + tp.engine_args(args) + args,
                           capture_output=True, timeout=20)
        err = p.stderr.decode()
        r.eq(p.returncode, 2, "%s: usage error" % " ".join(args), err)
        r.check(err.startswith("tlsprobe serve: "), "%s: names the command" % " ".join(args), err)
        for w in words:
            r.contains(err, w, "%s: says %r" % (" ".join(args), w))


def test_proxy_command(r, up):
    """`tlsprobe proxy` is `serve --upstream`; without --upstream a usage error."""
    p = subprocess.run([tp.TLSPROBE, "proxy", "--port", "0"] + tp.engine_args([]),
                       capture_output=True, timeout=20)
    r.eq(p.returncode, 2, "proxy without --upstream: usage error")
    r.contains(p.stderr.decode(), "tlsprobe proxy: --upstream HOST:PORT is required",
               "proxy without --upstream: says so")
    for args, words in [(["--keep", "some"], ["--keep some", "failing, all"]),
                        (["--bogus"], ["'--bogus'", "tlsprobe proxy --help"])]:
        p = subprocess.run([tp.TLSPROBE, "proxy", "--upstream", "127.0.0.1:25"] +
                           tp.engine_args(args) + args,
                           capture_output=True, timeout=20)
        err = p.stderr.decode()
        r.eq(p.returncode, 2, "proxy %s: usage error" % " ".join(args), err)
        r.check(err.startswith("tlsprobe proxy: "), "proxy %s: names the proxy command" %
                " ".join(args), err)
        for w in words:
            r.contains(err, w, "proxy %s: says %r" % (" ".join(args), w))
    d = tp.tempfile.mkdtemp(prefix="tp-proxycmd-")
    trace = os.path.join(d, "t.jsonl")
    proc = subprocess.Popen([tp.TLSPROBE, "proxy"] + tp.engine_args([]) +
                            ["--upstream", "127.0.0.1:%d" % up.port,
                             "--listen", "127.0.0.1", "--port", "0", "--trace", trace],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port = None
        for _ in range(50):
            line = proc.stderr.readline().decode()
            if line.startswith("listening on 127.0.0.1:"):
                port = int(line.rsplit(":", 1)[1])
                break
        if not r.check(port, "tlsprobe proxy: listening"):
            return
        ok_session(port)
        evs = tp.Trace([])
        for _ in range(100):
            evs = tp.read_trace(trace)
            if evs.of("verdict"):
                break
            tp.time.sleep(0.1)
        vs = evs.of("verdict")
        r.check(vs and vs[-1]["outcome"] == "ok" and
                vs[-1]["layers"]["app"]["upstream"]["state"] == "connected",
                "tlsprobe proxy: an ok verdict through the upstream", vs[-1:])
    finally:
        proc.terminate()
        proc.wait(20)


def main():
    r = tp.Results("proxy_long")
    up = upstream_fake.Upstream("greet")
    r.run(test_keep_failing, up)
    r.run(test_rotate, up)
    r.run(test_bulk)
    r.run(test_proxy_command, up)
    r.run(test_bad_values)
    r.finish()


if __name__ == "__main__":
    main()
