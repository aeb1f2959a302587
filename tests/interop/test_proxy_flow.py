#!/usr/bin/env python3
"""Backpressure through the proxy: an upstream that does not read holds the
client back instead of ending its session.  The client (Python ssl) sends
32 MiB through `serve --upstream`; the upstream reads nothing until the
trace says the proxy held the client's input (a note: "the client's input
is held"), then reads everything and answers with the length and SHA-256
of what it got.  Without backpressure the proxy would queue 4 MiB and close
("the upstream does not read the client's data"); with it every byte
arrives in order and the verdict is ok."""
import hashlib
import os
import socket
import ssl
import threading
import time

import tp

TOTAL = 32 * 1024 * 1024
HELD = "the client's input is held"


class SlowUpstream:
    """Reads nothing until .go is set; then all of it, and answers
    "<length> <sha256>\\n" once TOTAL bytes arrived."""

    def __init__(self):
        self.go = threading.Event()
        self.got = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        c, _ = self.sock.accept()
        c.sendall(b"220 slow upstream ready\r\n")
        self.go.wait(120)
        h = hashlib.sha256()
        while self.got < TOTAL:
            d = c.recv(1 << 20)
            if not d:
                break
            h.update(d)
            self.got += len(d)
        try:
            c.sendall(b"%d %s\n" % (self.got, h.hexdigest().encode()))
            c.recv(1)  # until the proxy closes
        except OSError:
            pass
        c.close()


def client(port, data, out):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as raw:
            with ctx.wrap_socket(raw) as s:
                got = b""
                while not got.endswith(b"\r\n"):
                    got += s.recv(4096)
                s.sendall(data)
                while not got.endswith(b"\n") or got.count(b"\n") < 2:
                    d = s.recv(4096)
                    if not d:
                        break
                    got += d
                out["answer"] = got.decode(errors="replace")
    except OSError as e:
        out["error"] = repr(e)


def test_slow_upstream(r):
    up = SlowUpstream()
    data = os.urandom(TOTAL)
    out = {}
    with tp.Server(["--upstream", "127.0.0.1:%d" % up.port, "--timeout", "120"]) as srv:
        t = threading.Thread(target=client, args=(srv.port, data, out), daemon=True)
        t.start()
        evs = srv.wait_for(lambda e: any(HELD in (n.get("text") or "") for n in e.of("note")) or
                           e.of("verdict"), timeout=120)
        r.check(any(HELD in (n.get("text") or "") for n in evs.of("note")),
                "the trace notes that the proxy held the client's input",
                [n.get("text") for n in evs.of("note")])
        up.go.set()
        t.join(180)
        ev = srv.wait_verdicts(1, timeout=30)
    r.check("error" not in out, "the client sent everything and read the answer", out)
    want = "%d %s\n" % (TOTAL, hashlib.sha256(data).hexdigest())
    r.eq(out.get("answer", "").split("\r\n")[-1], want,
         "every byte reached the upstream, in order (length and SHA-256)")
    vs = ev.of("verdict")
    v = vs[-1] if vs else {}
    r.eq((v.get("outcome"), v.get("actor")), ("ok", "none"), "the verdict: ok", v.get("summary"))
    upl = (v.get("layers") or {}).get("app", {}).get("upstream") or {}
    r.eq(upl.get("c2u_bytes"), TOTAL, "layers.app.upstream.c2u_bytes: all of it", upl)
    r.check("4 MiB queued" not in (v.get("summary") or ""), "no queue overflow named",
            v.get("summary"))


def main():
    r = tp.Results("proxy_flow")
    r.run(test_slow_upstream)
    r.finish()


if __name__ == "__main__":
    main()
