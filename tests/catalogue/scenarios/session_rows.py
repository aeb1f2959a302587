"""Session scenarios: certificate rejection in the clear, KeyUpdate,
HelloRetryRequest, client renegotiation, who ended the TCP connection, and
binary bytes that start printable.  Every client is real (openssl s_client,
curl, a Python socket); every capture is made here, by `serve --pcap` or by
capturing on lo."""
import os
import struct
import socket
import subprocess
import threading
import time

import tp


# ---------------------------------------------------------------- helpers

def _scripted_s_client(port, steps, *extra):
    """Runs s_client; steps are (line, text to wait for in its output[, how
    many times it must be there by then])."""
    c = tp.Client(tp.s_client(port, *extra))
    try:
        for step in steps:
            line, wait, count = (step + (1,))[:3]
            c.send(line + "\n")
            assert c.wait_output(wait, 10, count), "no %r from s_client: %s" % (wait, c.out[-800:])
    finally:
        c.finish()


def _echo_steps(*lines):
    """Lines echoed back (tokens unique enough not to match s_client's own chatter)."""
    return [(ln, ln) for ln in lines]


def _reject(port, *extra):
    rc, out, err = tp.run(tp.s_client(port, "-verify_return_error", *extra), timeout=15,
                          input=b"")
    assert rc != 0, "s_client accepted the self-signed certificate: %s" % out[-500:]


def _curl_reject(port, tmp):
    rc, out, err = tp.run(["curl", "-s", "https://127.0.0.1:%d/" % port], timeout=15)
    assert rc == 60, "curl exit %s (60: certificate not trusted): %s" % (rc, err)


def _serve_pcap(tmp, drive, *serve_args):
    """Runs `tlsprobe serve --echo --pcap`, drives a client, returns the pcapng."""
    path = os.path.join(tmp, "serve.pcapng")
    srv = tp.Server(["--echo", "--pcap", path] + list(serve_args))
    srv.start()
    try:
        drive(srv.port)
        srv.wait_for(lambda e: e.conns() and e.verdict(e.conns()[-1]) is not None, 10)
    finally:
        srv.stop()
    return path


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _capture_lo(tmp, port, drive):
    """Captures the TCP segments to or from `port` on lo while drive(port)
    runs, with an AF_PACKET socket (bound before the client starts, so no
    packet is missed), into a classic pcap file (Ethernet link type)."""
    path = os.path.join(tmp, "lo.pcap")
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind(("lo", 0))
    sock.settimeout(0.2)
    frames, stop = [], threading.Event()

    def pump():
        while not stop.is_set():
            try:
                data, addr = sock.recvfrom(65535)
            except socket.timeout:
                continue
            # each loopback packet shows up twice: keep the incoming copy
            if addr[2] != socket.PACKET_OUTGOING and _tcp_port_matches(data, port):
                frames.append((time.time(), data))
    th = threading.Thread(target=pump, daemon=True)
    th.start()
    try:
        drive(port)
        time.sleep(0.3)  # the last segments (FIN/ACK) after the client returned
    finally:
        stop.set()
        th.join(5)
        sock.close()
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for ts, data in frames:
            f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(data), len(data)))
            f.write(data)
    return path


def _tcp_port_matches(frame, port):
    """An Ethernet + IPv4 + TCP frame with `port` as source or destination."""
    if len(frame) < 14 + 20 + 4 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return False
    ihl = (frame[14] & 0x0f) * 4
    sport, dport = struct.unpack("!HH", frame[14 + ihl:14 + ihl + 4])
    return port in (sport, dport)


def _listener(port, handle):
    """A plain TCP server for one connection, handled by handle(sock)."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)

    def run():
        c, _ = ls.accept()
        handle(c)
        ls.close()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def _close_after_hello(sock):
    sock.recv(4096)
    sock.close()


def _reset_after_hello(sock):
    sock.recv(4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def _curl_at(port):
    tp.run(["curl", "-s", "--max-time", "5", "https://127.0.0.1:%d/" % port], timeout=15)


def _against_listener(handle):
    def make(tmp):
        port = _free_port()

        def drive(p):
            th = _listener(p, handle)
            _curl_at(p)
            th.join(5)
        return _capture_lo(tmp, port, drive)
    return make


def _refused(tmp):
    port = _free_port()  # nothing listens there any more
    return _capture_lo(tmp, port, _curl_at)


def _raw_bytes(data):
    def drive(port, tmp):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            local = s.getsockname()[1]
            s.sendall(data)
            tp.wait_closed(s, 5)
        return local
    return drive


def _openssl_renegotiation(allow):
    """openssl s_server (TLS 1.2; client renegotiation allowed or, as OpenSSL
    3 does by default, refused) and s_client typing `R`, captured on lo;
    s_client writes the key log."""
    def make(tmp):
        cert, key = tp.make_cert(tmp, "reneg", cn="localhost")
        keylog = os.path.join(tmp, "keys.log")

        def drive(port):
            cmd = ["openssl", "s_server", "-accept", str(port), "-cert", cert, "-key", key,
                   "-tls1_2"] + (["-client_renegotiation"] if allow else [])
            srv = tp.Client(cmd)
            try:
                assert srv.wait_output("ACCEPT", 10), srv.out[-300:]
                c = tp.Client(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                               "-tls1_2", "-keylogfile", keylog])
                c.send("before-reneg\n")
                assert srv.wait_output("before-reneg", 10), srv.out[-300:]
                c.send("R\n")
                assert c.wait_output("RENEGOTIATING", 10), c.out[-300:]
                if allow:
                    c.send("after-reneg\n")
                    assert srv.wait_output("after-reneg", 10), srv.out[-300:]
                else:
                    assert c.wait_output("no renegotiation", 10), c.out[-500:]
                c.finish()
            finally:
                srv.proc.terminate()
                srv.finish(5)
        return _capture_lo(tmp, _free_port(), drive), keylog
    return make


# ---------------------------------------------------------------- trace checks

def _protected_records_ok(evs, conn, min_each=1):
    """Every protected record, both ways, was opened and found valid."""
    problems = []
    for d in ("c2s", "s2c"):
        recs = [r for r in evs.records(conn, d) if r.get("protected")]
        if len(recs) < min_each:
            problems.append("%s: only %d protected records" % (d, len(recs)))
        bad = [(r.get("integrity"), r.get("detail")) for r in recs if r.get("integrity") != "ok"]
        if bad:
            problems.append("%s: %d protected records not ok, first %r" % (d, len(bad), bad[0]))
    return problems


def _check_clear_alert(evs, conn):
    p = []
    summary = (evs.verdict(conn) or {}).get("summary", "")
    if "bad_record_mac" in summary and summary.find("unknown_ca") > summary.find("bad_record_mac"):
        p.append("the engine's reaction comes before the client's act: %s" % summary)
    alerts = [a for a in evs.of("alert", conn) if a.get("dir") == "c2s"]
    if not alerts or alerts[0].get("description") != "unknown_ca" or alerts[0].get("protected"):
        p.append("the client's alert is not a plaintext unknown_ca: %r" % alerts[:1])
    recs = [r for r in evs.records(conn, "c2s") if r.get("type") == "alert"]
    if not recs or recs[0].get("protected"):
        p.append("the client's alert record is marked protected: %r" % recs[:1])
    return p


def _check_key_update(evs, conn):
    p = _protected_records_ok(evs, conn, 4)
    kus = evs.handshake(conn, "KeyUpdate")
    if {k.get("dir") for k in kus} != {"c2s", "s2c"}:
        p.append("KeyUpdate not seen both ways: %r" % [k.get("dir") for k in kus])
    notes = [n for n in evs.of("note", conn) if "key update" in n.get("text", "")]
    if len(notes) < len(kus) or not kus:
        p.append("%d key update notes for %d KeyUpdates" % (len(notes), len(kus)))
    return p


def _check_hrr(evs, conn):
    p = _protected_records_ok(evs, conn, 2)
    if not evs.handshake(conn, "HelloRetryRequest", "s2c"):
        p.append("no HelloRetryRequest")
    if len(evs.handshake(conn, "ClientHello", "c2s")) != 2:
        p.append("not two ClientHellos")
    fins = evs.handshake(conn, "Finished")
    if len(fins) != 2 or not all(f.get("verified") is True for f in fins):
        p.append("Finished not verified both ways: %r" % [f.get("verified") for f in fins])
    return p


def _check_reneg(evs, conn):
    p = _protected_records_ok(evs, conn, 2)
    chs = evs.handshake(conn, "ClientHello", "c2s")
    if len(chs) != 2 or not chs[1].get("protected"):
        p.append("the renegotiation ClientHello was not decoded from a protected record")
    return p


def _check_reneg_done(evs, conn):
    p = _check_reneg(evs, conn)
    fins = evs.handshake(conn, "Finished")
    if len(fins) != 4 or not all(f.get("verified") is True for f in fins):
        p.append("not 4 verified Finished: %r" % [f.get("verified") for f in fins])
    if not all(h.get("protected") for h in evs.handshake(conn, "ServerHello")[1:]):
        p.append("the second ServerHello is not in a protected record")
    return p


# ---------------------------------------------------------------- scenarios

_REJECTED = ["the client rejected the server's certificate", "unknown_ca"]
_CLEAR13 = _REJECTED + ["sent unencrypted after the server's encrypted flight"]
_REJECT = {"outcome": "fail", "phase": "handshake", "actor": "client",
           "cause": "client-rejected-certificate"}
# The engine's own reaction to that plaintext alert: GnuTLS answers
# bad_record_mac; libssl takes a plaintext alert in a TLS 1.3 handshake and
# answers nothing, so no answer may be claimed.
_CLEAR13_ENGINE = {"engine_words": {"gnutls": ["answered fatal bad_record_mac"], "openssl": []},
                   "engine_absent": {"gnutls": [], "openssl": ["answered"]}}

SCENARIOS = [
    {"name": "session-tls13-openssl-rejects-self-signed", "serve": ["--echo"],
     "drive": lambda port, tmp: _reject(port, "-tls1_3"), "check": _check_clear_alert,
     "expect": dict(_REJECT, words=_CLEAR13, **_CLEAR13_ENGINE)},
    {"name": "session-curl-rejects-self-signed", "serve": ["--http"], "drive": _curl_reject,
     "check": _check_clear_alert, "expect": dict(_REJECT, words=_CLEAR13, **_CLEAR13_ENGINE)},
    {"name": "session-tls12-openssl-rejects-self-signed", "serve": ["--echo"],
     "drive": lambda port, tmp: _reject(port, "-tls1_2"), "check": _check_clear_alert,
     "expect": dict(_REJECT, words=_REJECTED + ["sent unencrypted",
                                               "after the server's ServerHelloDone"])},
    {"name": "session-decode-tls13-rejects-self-signed",
     "decode": lambda tmp: _serve_pcap(tmp, lambda port: _reject(port, "-tls1_3")),
     "check": _check_clear_alert, "expect": dict(_REJECT, words=_CLEAR13, **_CLEAR13_ENGINE)},
    {"name": "session-decode-lo-tls13-rejects-self-signed-no-keys",
     "decode": lambda tmp: _capture_lo(tmp, _free_port(), lambda port: _against_tlsprobe(
         port, lambda p: _reject(p, "-tls1_3"))),
     "check": _check_clear_alert,
     "expect": dict(_REJECT, words=_REJECTED + ["sent unencrypted after the server's "
                                               "ServerHello and its encrypted flight"],
                    absent=["(last: ServerHello)"])},
    {"name": "session-tls13-key-update-both-ways", "serve": ["--echo"],
     "drive": lambda port, tmp: _scripted_s_client(
         port, _echo_steps("before-ku-1") + [("k", "KEYUPDATE")] + _echo_steps("after-ku-2") +
         [("K", "KEYUPDATE", 2)] + _echo_steps("after-ku-3"), "-tls1_3"),
     "check": _check_key_update,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed", "TLS1.3"]}},
    {"name": "session-decode-tls13-key-update",
     "decode": lambda tmp: _serve_pcap(tmp, lambda port: _scripted_s_client(
         port, _echo_steps("dec-ku-1") + [("k", "KEYUPDATE")] + _echo_steps("dec-ku-2") +
         [("K", "KEYUPDATE", 2)] + _echo_steps("dec-ku-3"), "-tls1_3")),
     "check": _check_key_update,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed", "TLS1.3"]}},
    {"name": "session-decode-tls13-hrr-group",
     "decode": lambda tmp: _serve_pcap(tmp, lambda port: _scripted_s_client(
         port, _echo_steps("dec-hrr-1"), "-tls1_3", "-groups", "X25519:secp384r1"),
         "--groups", "SECP384R1"),
     "check": _check_hrr,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed", "TLS1.3"]}},
    {"name": "session-tls13-hrr-group", "serve": ["--echo", "--groups", "SECP384R1"],
     "drive": lambda port, tmp: _scripted_s_client(
         port, _echo_steps("hrr-group-1"), "-tls1_3", "-groups", "X25519:secp384r1"),
     "check": _check_hrr,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed", "TLS1.3"]}},
    {"name": "session-tls13-hrr-dhe", "serve": ["--echo", "--kx", "DHE-RSA"],
     "drive": lambda port, tmp: _scripted_s_client(port, _echo_steps("hrr-dhe-1"), "-tls1_3"),
     "check": _check_hrr,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed", "DHE-RSA"]}},
    {"name": "session-tls12-client-renegotiation-refused", "serve": ["--echo"],
     "drive": lambda port, tmp: _scripted_s_client(
         port, _echo_steps("reneg-1") + [("R", "RENEGOTIATING")], "-tls1_2"),
     "check": _check_reneg,
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "renegotiation-refused",
                "words": ["the client asked to renegotiate", "the server refused",
                          "renegotiation not allowed by the server",
                          "warning no_renegotiation", "the client then sent"]}},
    {"name": "session-decode-openssl-renegotiation-refused",
     "decode": _openssl_renegotiation(False), "check": _check_reneg,
     "expect": {"outcome": "fail", "phase": "after-handshake", "actor": "server",
                "cause": "renegotiation-refused",
                "words": ["the client asked to renegotiate", "warning no_renegotiation",
                          "the client then sent encrypted fatal handshake_failure"]}},
    {"name": "session-decode-openssl-renegotiation-accepted",
     "decode": _openssl_renegotiation(True), "check": _check_reneg_done,
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "words": ["handshake completed (TLS1.2", "the TLS session worked"]}},
    {"name": "session-decode-server-refused-syn", "decode": _refused,
     "expect": {"outcome": "fail", "phase": "transport", "actor": "server",
                "cause": "server-refused",
                "words": ["the server refused the connection", "RST to the client's SYN"]}},
    {"name": "session-decode-server-closed-first",
     "decode": _against_listener(_close_after_hello),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "closed-before-server-answered",
                "words": ["the server closed the connection", "after the client's ClientHello"]}},
    {"name": "session-decode-server-reset-first",
     "decode": _against_listener(_reset_after_hello),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "server",
                "cause": "closed-before-server-answered",
                "words": ["the server reset the connection", "after the client's ClientHello"]}},
    {"name": "session-binary-with-printable-start", "serve": ["--echo"],
     "drive": _raw_bytes(b"HELLO\x00\x01\x02\xfe\xff\x10\x11binary"),
     "expect": {"outcome": "fail", "phase": "not-tls", "actor": "client",
                "words": ["not TLS", "48 45 4c 4c 4f 00 01 02"]}},
    {"name": "session-text-line-then-binary", "serve": ["--http"],
     "drive": _raw_bytes(b"GET / HTTP/1.1\r\n\x00\x00\x01\x02\x03\x04"),
     "expect": {"outcome": "fail", "phase": "not-tls", "actor": "client",
                "words": ["not TLS", "47 45 54 20 2f 20 48 54"]}},
]


def _against_tlsprobe(port, drive):
    """`tlsprobe serve --echo` on a fixed port (the capture filter needs it)."""
    srv = tp.Server(["--echo"], port=port)
    srv.start()
    try:
        drive(port)
        srv.wait_for(lambda e: e.conns() and e.verdict(e.conns()[-1]) is not None, 10)
    finally:
        srv.stop()
