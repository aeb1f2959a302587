#!/usr/bin/env python3
"""`tlsprobe serve --pcap FILE` against tshark: the pcapng written for
http-mode and echo-mode connections (TLS 1.2 GCM, TLS 1.2 CBC, TLS 1.3)
must be mode 0600, carry its keys in Decryption Secrets Blocks, and be
decrypted by `tshark -r FILE` with no key settings at all: tshark finds the
decrypted HTTP request and response, both Finished messages, the echoed line
in both directions, and no TCP problem in the synthetic flow."""
import os
import re
import shutil
import stat
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

# tshark with an empty configuration directory: no preferences file, so no
# tls.keylog_file can sneak in; the only keys it can use are the DSB's.
TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")
TSHARK_ENV = {"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF}

# (label, server options, curl options, s_client options)
CASES = [
    ("TLS1.2 AES-128-GCM", ["--protocols", "TLS1.2", "--ciphers", "AES-128-GCM"],
     ["--tlsv1.2", "--tls-max", "1.2"], ["-tls1_2"]),
    ("TLS1.2 AES-128-CBC SHA1", ["--protocols", "TLS1.2", "--ciphers", "AES-128-CBC", "--macs", "SHA1"],
     ["--tlsv1.2", "--tls-max", "1.2"], ["-tls1_2"]),
    ("TLS1.2 AES-256-CBC SHA256", ["--protocols", "TLS1.2", "--ciphers", "AES-256-CBC", "--macs", "SHA256"],
     ["--tlsv1.2", "--tls-max", "1.2"], ["-tls1_2"]),
    ("TLS1.3", ["--protocols", "TLS1.3"], ["--tlsv1.3"], ["-tls1_3"]),
]


def tshark(args, timeout=60):
    return tp.run(["tshark", "-n"] + args, timeout=timeout, env=TSHARK_ENV)


def pcapng_blocks(path):
    """[(block type, body bytes)] of a little- or big-endian pcapng file."""
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 12 or d[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    bo = "<" if d[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    out, i = [], 0
    while i + 12 <= len(d):
        typ, ln = struct.unpack_from(bo + "II", d, i)
        if ln < 12 or ln % 4 or i + ln > len(d):
            return None
        out.append((typ, d[i + 8:i + ln - 4], bo))
        i += ln
    return out if i == len(d) else None


def dsb_key_lines(blocks):
    lines = []
    for typ, body, bo in blocks:
        if typ == 0x0000000A:
            stype, slen = struct.unpack_from(bo + "II", body, 0)
            if stype == 0x544C534B:  # 'TLSK'
                lines += body[8:8 + slen].decode("ascii", "replace").splitlines()
    return lines


def follow_tls(path, stream=0):
    """tshark's decrypted TLS stream as {"first": bytes, "second": bytes,
    "first_port": int} (first: the node that sent the first decrypted data)."""
    rc, out, err = tshark(["-r", path, "-q", "-z", "follow,tls,raw,%d" % stream])
    res = {"first": b"", "second": b"", "first_port": None, "rc": rc, "err": err}
    m = re.search(r"^Node 0: .*:(\d+)$", out, re.M)
    if m:
        res["first_port"] = int(m.group(1))
    body = out.split("Node 1:", 1)[-1].split("\n", 1)[-1] if "Node 1:" in out else ""
    for line in body.splitlines():
        if line.startswith("====="):
            break
        if line.startswith("\t"):
            res["second"] += bytes.fromhex(line.strip())
        elif line.strip():
            res["first"] += bytes.fromhex(line.strip())
    return res


def common_checks(r, label, srv, path, num_conns):
    r.check(srv.rc == 0, "%s: server exits 0 on SIGTERM" % label, "rc %r: %s" % (srv.rc, srv.stderr_text[-600:]))
    if not r.check(os.path.exists(path), "%s: pcapng file written" % label):
        return None
    mode = stat.S_IMODE(os.stat(path).st_mode)
    r.eq(oct(mode), oct(0o600), "%s: pcapng file is mode 0600 (it holds secrets)" % label)
    blocks = pcapng_blocks(path)
    if not r.check(blocks is not None, "%s: the file is a well-formed pcapng (block lengths chain to EOF)" % label):
        return None
    r.eq(blocks[0][0], 0x0A0D0D0A, "%s: starts with a Section Header Block" % label)
    keys = dsb_key_lines(blocks)
    r.check(len(keys) >= 1, "%s: a Decryption Secrets Block with TLS key log lines" % label, keys)
    # the key log lines are for the ClientHello tshark sees
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 1", "-T", "fields",
                           "-e", "tls.handshake.random"])
    randoms = [x.strip().replace(":", "") for x in out.split() if x.strip()]
    r.eq(len(randoms), num_conns, "%s: tshark sees %d ClientHello(s)" % (label, num_conns), err[-300:])
    key_randoms = {ln.split()[1].lower() for ln in keys if len(ln.split()) == 3}
    r.check(randoms and all(x.lower() in key_randoms for x in randoms),
            "%s: DSB lines carry each ClientHello's random" % label, "randoms %s, keys %s" % (randoms, keys[:4]))
    # the synthetic flow is valid TCP for tshark
    rc, out, err = tshark(["-r", path, "-Y", "tcp.analysis.flags"])
    r.check(rc == 0 and out.strip() == "", "%s: tshark reports no TCP analysis problem" % label,
            "rc %r: %s %s" % (rc, out[:1500], err[-300:]))
    rc, out, err = tshark(["-r", path, "-T", "fields", "-e", "tcp.stream"])
    r.eq(len({x for x in out.split() if x}), num_conns, "%s: %d TCP stream(s)" % (label, num_conns))
    # both Finished messages are encrypted: seeing them means both directions' keys worked
    rc, out, err = tshark(["-r", path, "-Y", "tls.handshake.type == 20", "-T", "fields",
                           "-e", "tcp.srcport"])
    fin_ports = [x for x in out.split() if x]
    r.eq(len(fin_ports), 2 * num_conns, "%s: tshark decrypts both Finished messages of each connection" % label,
         err[-300:])
    # nothing tshark could not decrypt or parse
    rc, out, err = tshark(["-r", path, "-Y", "tls and _ws.expert.severity >= 6291456", "-T", "fields",
                           "-e", "frame.number", "-e", "_ws.expert.message"])
    r.check(out.strip() == "", "%s: no TLS warning/error from tshark" % label, out[:1000])
    return keys


def check_http(r, label, server_opts, curl_opts, _sc):
    label = "http " + label
    srv = tp.Server(["--http"] + server_opts + [])
    path = os.path.join(srv.tmp, "http.pcapng")
    srv.args += ["--pcap", path]
    with srv:
        rc, out, err = tp.run(["curl", "-sk", "-o", "-", "-w", "\n%{http_code}"] + curl_opts +
                              ["https://127.0.0.1:%d/hello-pcap?x=1" % srv.port], timeout=30)
        r.check(rc == 0 and out.rstrip().endswith("200"), "%s: curl gets 200" % label, "rc %r %s" % (rc, err))
        srv.wait_verdicts(1, timeout=15)
        srv.stop()
    if common_checks(r, label, srv, path, 1) is None:
        return
    rc, out, err = tshark(["-r", path, "-Y", "http.request", "-T", "fields", "-e", "http.request.method",
                           "-e", "http.request.uri"])
    r.eq(out.strip().split("\n"), ["GET\t/hello-pcap?x=1"],
         "%s: tshark decrypts the HTTP request with no key settings" % label, err[-500:])
    rc, out, err = tshark(["-r", path, "-Y", "http.response", "-T", "fields", "-e", "http.response.code"])
    r.eq(out.split(), ["200"], "%s: tshark decrypts the HTTP response" % label)
    srv.cleanup()


def check_echo(r, label, server_opts, _curl, sc_opts):
    label = "echo " + label
    srv = tp.Server(["--echo"] + server_opts)
    path = os.path.join(srv.tmp, "echo.pcapng")
    srv.args += ["--pcap", path]
    line = None
    with srv:
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, *sc_opts), "pcap-echo-line")
        r.check(echoed, "%s: s_client gets its line back" % label, out[-600:])
        m = re.search(r"(pcap-echo-line-\d+)", out)
        line = m.group(1).encode() + b"\n" if m else None
        evs = srv.wait_verdicts(1, timeout=15)
        acc = evs.of("accept")
        client_port = int(acc[0]["peer"].rsplit(":", 1)[1]) if acc else None
        srv.stop()
    if common_checks(r, label, srv, path, 1) is None or line is None:
        return
    f = follow_tls(path, 0)
    c2s, s2c = (f["first"], f["second"]) if f["first_port"] == client_port else (f["second"], f["first"])
    r.eq(c2s, line, "%s: tshark's decrypted client->server stream is the line sent" % label,
         "follow: %r" % f)
    r.eq(s2c, line, "%s: tshark's decrypted server->client stream is the echo" % label)
    # the same bytes as decrypted data fields, per packet
    rc, out, err = tshark(["-r", path, "-Y", "data", "-T", "fields", "-e", "tcp.srcport", "-e", "data.data"])
    per = {}
    for row in out.splitlines():
        parts = row.split("\t")
        if len(parts) == 2 and parts[1]:
            per.setdefault(int(parts[0]), b"")
            per[int(parts[0])] += bytes.fromhex(parts[1].replace(":", ""))
    r.eq(per.get(client_port), line, "%s: decrypted data.data from the client's port is the line" % label)
    srv.cleanup()


def check_two_conns(r):
    """Two TLS 1.3 connections in one file: each gets its own keys."""
    label = "echo TLS1.3 two connections"
    srv = tp.Server(["--echo", "--protocols", "TLS1.3"])
    path = os.path.join(srv.tmp, "two.pcapng")
    srv.args += ["--pcap", path]
    with srv:
        for _ in range(2):
            echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_3"), "two-conn")
            r.check(echoed, "%s: echoed" % label, out[-400:])
        srv.wait_verdicts(2, timeout=15)
        srv.stop()
    if common_checks(r, label, srv, path, 2) is None:
        return
    for stream in (0, 1):
        f = follow_tls(path, stream)
        r.check(b"two-conn-" in f["first"] and b"two-conn-" in f["second"],
                "%s: stream %d decrypted both ways" % (label, stream), f)
    srv.cleanup()


def main():
    r = tp.Results()
    for prog in ("tshark", "curl", "openssl"):
        if not tp.have(prog):
            print("%s not installed: skipped" % prog)
            print("0 passed, 0 failed")
            sys.exit(77)
    for case in CASES:
        r.run(check_http, *case)
        r.run(check_echo, *case)
    r.run(check_two_conns)
    shutil.rmtree(TSHARK_CONF, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
