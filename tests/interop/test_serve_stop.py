#!/usr/bin/env python3
"""The server stopped with SIGTERM: each open connection's verdict says what
had come from the client.  A client that sent 4 bytes of a ClientHello
(no complete record), and a TCP connection that sent nothing (no handshake
began)."""
import socket
import time

import tp


def test_sigterm_verdicts(r):
    srv = tp.Server(["--echo", "--timeout", "30"]).start()
    part = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    try:
        part_port, idle_port = part.getsockname()[1], idle.getsockname()[1]
        part.sendall(bytes([0x16, 0x03, 0x01, 0x02]))  # a record header, cut short
        srv.wait_for(lambda e: e.conn_for_port(part_port) and e.conn_for_port(idle_port), 10)
        time.sleep(0.3)  # let the 4 bytes be read (no verdict is due before the stop)
        srv.stop()
    finally:
        part.close()
        idle.close()
    evs = srv.events()
    vp = evs.verdict(evs.conn_for_port(part_port)) or {}
    vi = evs.verdict(evs.conn_for_port(idle_port)) or {}
    r.eq((vp.get("outcome"), vp.get("phase"), vp.get("actor"), vp.get("cause")),
         ("fail", "handshake", "server", "server-stopped"), "4 bytes, then SIGTERM")
    r.contains(vp.get("summary"), "the server stopped during the handshake (last from the "
               "client: 4 bytes, no complete record)", "says what had arrived")
    r.check("nothing" not in vp.get("summary", ""), "not 'nothing'", vp.get("summary"))
    r.eq((vi.get("outcome"), vi.get("phase"), vi.get("actor"), vi.get("cause")),
         ("fail", "transport", "server", "server-stopped"), "an idle TCP connection, then SIGTERM")
    r.contains(vi.get("summary"), "the server stopped before the client sent anything",
               "no handshake had begun")
    r.check("during the handshake" not in vi.get("summary", ""), "not 'during the handshake'",
            vi.get("summary"))


def main():
    r = tp.Results("serve_stop")
    r.run(test_sigterm_verdicts)
    r.finish()


if __name__ == "__main__":
    main()
