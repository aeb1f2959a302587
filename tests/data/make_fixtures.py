#!/usr/bin/env python3
"""Regenerates the captured fixtures in this folder (see README.md).

Every fixture is real bytes sent by a real peer over loopback:
  clienthello-<client>.bin   first record(s) a client sends: the ClientHello
  flight-<name>-s2c.bin      what openssl s_server sent (ServerHello..ServerHelloDone)
  flight-<name>-c2s.bin      what openssl s_client sent in the same session
Run from anywhere: python3 tests/data/make_fixtures.py
"""
import os, select, shutil, socket, ssl, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def records_complete(buf, want_types):
    """True once buf holds a complete handshake message of a type in want_types
    (plaintext records only), or once a non-handshake record appears."""
    hs = b""
    off = 0
    while off + 5 <= len(buf):
        ln = int.from_bytes(buf[off + 3:off + 5], "big")
        if off + 5 + ln > len(buf):
            return False
        ct = buf[off]
        frag = buf[off + 5:off + 5 + ln]
        off += 5 + ln
        if ct != 22:
            return True
        hs += frag
        while len(hs) >= 4:
            ml = int.from_bytes(hs[1:4], "big")
            if len(hs) < 4 + ml:
                break
            if hs[0] in want_types:
                return True
            hs = hs[4 + ml:]
    return False


def grab_client_hello(name, argv_fn, stdin=b""):
    """Listens, runs the client, keeps what it sends until one ClientHello is complete."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    argv = argv_fn(port)
    if callable(argv):
        t = threading.Thread(target=argv, daemon=True)
        t.start()
        proc = None
    else:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    ls.settimeout(10)
    c, _ = ls.accept()
    c.settimeout(5)
    buf = b""
    while not records_complete(buf, {1}):
        d = c.recv(65536)
        if not d:
            break
        buf += d
    c.close()
    ls.close()
    if proc:
        try:
            proc.communicate(stdin, timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
    out = os.path.join(HERE, "clienthello-%s.bin" % name)
    with open(out, "wb") as f:
        f.write(buf)
    print("%s: %d bytes" % (out, len(buf)))


def python_client(port):
    def run():
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            ctx.wrap_socket(s, server_hostname="localhost")
        except Exception:
            pass
    return run


def proxy_flight(name, server_args, client_args, until_types, tmp):
    """Runs openssl s_server, puts a recording proxy in front of it and records
    both directions until the server sent a message type in until_types."""
    sport = free_port()
    srv = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % sport,
                            "-cert", os.path.join(tmp, "cert.pem"),
                            "-key", os.path.join(tmp, "key.pem"), "-naccept", "1", "-quiet"]
                           + server_args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(0.7)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    pport = ls.getsockname()[1]
    cli = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % pport,
                            "-servername", "localhost"] + client_args,
                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    ls.settimeout(10)
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", sport))
    c2s = b""
    s2c = b""
    deadline = time.time() + 5
    done_at = None
    while time.time() < deadline:
        r, _, _ = select.select([c, s], [], [], 0.2)
        if c in r:
            d = c.recv(65536)
            if not d:
                break
            c2s += d
            s.sendall(d)
        if s in r:
            d = s.recv(65536)
            if not d:
                break
            s2c += d
            c.sendall(d)
        if done_at is None and records_complete(s2c, until_types):
            done_at = time.time()
        # give the client a moment to answer the flight (ClientKeyExchange)
        if done_at is not None and time.time() - done_at > 0.5:
            break
    for x in (c, s, ls):
        x.close()
    for p in (cli, srv):
        try:
            p.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
    for suffix, data in (("s2c", s2c), ("c2s", c2s)):
        out = os.path.join(HERE, "flight-%s-%s.bin" % (name, suffix))
        with open(out, "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (out, len(data)))


def write_sslv2_hello():
    """The one hand-made fixture: an SSLv2-framed CLIENT-HELLO (RFC 5246 E.2)."""
    specs = bytes.fromhex("010080" "0700c0" "000035" "00002f" "00000a" "0000ff")
    chal = bytes(range(0x10, 0x20))
    body = (bytes([1]) + (0x0301).to_bytes(2, "big") + len(specs).to_bytes(2, "big")
            + (0).to_bytes(2, "big") + len(chal).to_bytes(2, "big") + specs + chal)
    with open(os.path.join(HERE, "clienthello-sslv2-handmade.bin"), "wb") as f:
        f.write(bytes([0x80 | (len(body) >> 8), len(body) & 0xff]) + body)


def main():
    write_sslv2_hello()
    tmp = tempfile.mkdtemp()
    try:
        subprocess.check_call(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                               "-keyout", os.path.join(tmp, "key.pem"),
                               "-out", os.path.join(tmp, "cert.pem"), "-days", "3650",
                               "-subj", "/CN=localhost/O=tlsprobe test", "-sha256"],
                              stderr=subprocess.DEVNULL)
        s_client = lambda extra: (lambda p: ["openssl", "s_client", "-connect",
                                             "127.0.0.1:%d" % p, "-servername", "localhost"] + extra)
        grab_client_hello("openssl-tls12", s_client(["-tls1_2"]))
        grab_client_hello("openssl-tls13", s_client(["-tls1_3", "-alpn", "h2,http/1.1"]))
        grab_client_hello("openssl-tls10", s_client(["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]))
        grab_client_hello("gnutls-cli", lambda p: ["gnutls-cli", "--insecure", "-p", str(p),
                                                   "--sni-hostname", "localhost", "127.0.0.1"])
        grab_client_hello("curl", lambda p: ["curl", "-sk", "https://127.0.0.1:%d/" % p])
        grab_client_hello("python", python_client)
        proxy_flight("tls12-ecdhe-rsa", ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
                     ["-tls1_2"], {14}, tmp)
        proxy_flight("tls12-dhe-rsa", ["-tls1_2", "-cipher", "DHE-RSA-AES256-SHA256"],
                     ["-tls1_2", "-cipher", "DHE-RSA-AES256-SHA256"], {14}, tmp)
        proxy_flight("tls13", ["-tls1_3"], ["-tls1_3"], {2}, tmp)
        proxy_flight("tls13-hrr", ["-tls1_3", "-groups", "P-256"],
                     ["-tls1_3", "-groups", "X25519:P-256"], {2}, tmp)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
