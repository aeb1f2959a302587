"""A TCP relay that writes what it forwards as a pcap (tests/pcapgen.py), so
a server tlsprobe does not run (openssl s_server) can be captured without
tcpdump: clients connect to the relay, the relay to the server; each chunk
read is one segment of the connection, with its real ports."""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcapgen  # noqa: E402


class Relay:
    def __init__(self, target_port, path):
        self.target = target_port
        self.f = open(path, "wb")
        self.w = pcapgen.PcapWriter(self.f, link="ether")
        self.lock = threading.Lock()
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.threads = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, addr = self.ls.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                conn = self.w.conn(("127.0.0.1", addr[1]), ("127.0.0.1", self.target), time.time())
                conn.open()
            done = threading.Event()
            for d, (a, b) in enumerate(((c, s), (s, c))):
                t = threading.Thread(target=self._pump, args=(conn, d, a, b, done), daemon=True)
                t.start()
                self.threads.append(t)

    def _pump(self, conn, d, src, dst, done):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            with self.lock:
                conn.ts = time.time()
                if data:
                    conn.send(d, data)
                else:
                    conn.segment(d, pcapgen.FIN | pcapgen.ACK)
                    conn.seq[d] += 1
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                if done.is_set():
                    src.close()
                    dst.close()
                done.set()
                return
            try:
                dst.sendall(data)
            except OSError:
                pass

    def close(self):
        self.ls.close()
        for t in self.threads:
            t.join(10)
        with self.lock:
            self.f.close()
