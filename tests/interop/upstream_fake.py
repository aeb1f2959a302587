"""Small upstream servers for the proxy's tests (serve --upstream): each
listens on a kernel-chosen loopback port in a daemon thread.

  dead_port()         a port nobody listens on (connect: refused)
  Upstream(kind)      .port; kind:
     "greet"   an SMTP-like line server: "220 fake ready", "250 <line>" per
               line, "221 bye" and close on QUIT
     "close"   accepts and closes at once, without a byte
     "silent"  accepts and never sends (a hung server)
     "echo"    sends back what it gets
  Upstream(kind, tls=(cert, key))  the same over TLS (an --upstream-tls upstream)
  .conns      how many connections it accepted
"""
import socket
import ssl
import threading


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Upstream:
    def __init__(self, kind, tls=None):
        self.kind = kind
        self.ctx = None
        if tls:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(*tls)
        self.conns = 0
        self.lines = []
        self._held = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            if self.ctx:
                c = self.ctx.wrap_socket(c, server_side=True)
            if self.kind == "close":
                c.close()
            elif self.kind == "silent":
                self._held.append(c)  # kept open, never answered
            elif self.kind == "echo":
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    c.sendall(d)
                c.close()
            else:
                self._greet(c)
        except OSError:
            pass

    def _greet(self, c):
        c.sendall(b"220 fake ready\r\n")
        buf = b""
        while True:
            d = c.recv(4096)
            if not d:
                break
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r")
                self.lines.append(line)
                if line.upper() == b"QUIT":
                    c.sendall(b"221 bye\r\n")
                    c.close()
                    return
                c.sendall(b"250 " + line + b"\r\n")
        c.close()

    def close(self):
        self.sock.close()
        for c in self._held:
            c.close()
