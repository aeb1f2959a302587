#!/usr/bin/env python3
"""Capacity is named: --max-conns, and accept() failing for want of file
descriptors.  Each refused connection gets a verdict (transport, server,
at-capacity) and the server says so on stderr."""
import re
import socket
import ssl
import time

import tp


class LimitedServer(tp.Server):
    """tlsprobe serve under an open-file limit (prlimit execs it in place)."""

    def __init__(self, args, nofile):
        super().__init__(args)
        self.nofile = nofile

    @property
    def cmd(self):
        return ["prlimit", "--nofile=%d:%d" % (self.nofile, self.nofile)] + super().cmd


def refused_verdicts(evs):
    return [v for v in evs.of("verdict") if v.get("cause") == "at-capacity"]


def test_max_conns(r):
    srv = tp.Server(["--echo", "--max-conns", "2"]).start()
    try:
        r.contains(srv.stderr_text, "at most 2 connections at once", "the limit is printed")
        ctx = tp.python_ctx()
        held = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", srv.port), timeout=10),
                                server_hostname="localhost") for _ in range(2)]
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            local = raw.getsockname()[1]
            try:
                ctx.wrap_socket(raw, server_hostname="localhost")
                r.check(False, "the third handshake fails")
            except (ssl.SSLError, OSError):
                r.check(True, "the third handshake fails")
        evs = srv.wait_for(lambda e: e.conn_for_port(local) and e.verdict(e.conn_for_port(local)))
        v = evs.verdict(evs.conn_for_port(local)) or {}
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor"), v.get("cause")),
             ("fail", "transport", "server", "at-capacity"), "the third connection's verdict")
        r.contains(v.get("summary"), "the server was at capacity (--max-conns 2): it accepted the "
                   "connection and closed it at once", "the verdict names the limit")
        r.check("refused" not in v.get("summary", ""), "no 'refused': the client saw accept "
                "and a FIN, not a RST", v.get("summary"))
        for s in held:
            s.close()
        # once one is gone there is room again
        time.sleep(0.2)
        srv.wait_for(lambda e: len(e.of("verdict")) >= 3)
        res = tp.python_echo(srv.port)
        r.eq(res["echoed"], b"hello from python\n", "a connection after the others left is served")
    finally:
        srv.stop()
    r.check("connection 3 from 127.0.0.1:%d accepted and closed at once: at capacity "
            "(--max-conns 2, 2 open)" % local
            in srv.stderr_text, "stderr says the third connection was refused at capacity",
            srv.stderr_text[-1500:])


def test_out_of_fds(r):
    srv = LimitedServer(["--echo", "--max-conns", "500"], nofile=40).start()
    socks = []
    try:
        r.contains(srv.stderr_text, "--max-conns 500 is above the open-file limit (40",
                   "a --max-conns above the open-file limit is warned about")
        for _ in range(60):
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        evs = srv.wait_for(lambda e: refused_verdicts(e), 10)
        refused = refused_verdicts(evs)
        r.check(refused, "connections beyond the descriptors get a verdict", evs.of("verdict")[-3:])
        v = refused[0] if refused else {}
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("fail", "transport", "server"),
             "the refused connection's verdict")
        r.contains(v.get("summary"), "ran out of file descriptors (accept() failed with EMFILE; "
                   "open-file limit 40): it accepted the connection on a reserve descriptor and "
                   "closed it at once", "the verdict names EMFILE and the limit")
        # the server still serves once descriptors are free again
        for s in socks:
            s.close()
        socks = []
        srv.wait_for(lambda e: len(e.of("verdict")) >= 60, 15)
        res = tp.python_echo(srv.port)
        r.eq(res["echoed"], b"hello from python\n", "served again after the descriptors came back")
    finally:
        for s in socks:
            s.close()
        srv.stop()
    r.contains(srv.stderr_text, "tlsprobe: accept() failed: EMFILE (Too many open files; "
               "open-file limit 40", "stderr names EMFILE and the limit")
    r.contains(srv.stderr_text, "raise the limit (ulimit -n) or set --max-conns lower",
               "stderr says what to do")
    r.check(srv.summary is not None and srv.summary[0] >= 61, "every connection was counted",
            srv.summary)
    refused = len(refused_verdicts(srv.events()))
    logged = srv.stderr_text.count("tlsprobe: accept() failed: EMFILE")
    more = sum(int(m) for m in re.findall(r"(\d+) more (?:connections? )?refused since the last message",
                                          srv.stderr_text))
    r.eq(logged + more, refused, "stderr accounts for every refused connection (lines + counts)")


def test_default_limit(r):
    """No --max-conns under ulimit -n 40: a default that leaves room for what
    the server itself holds (measured: about a dozen descriptors), and a
    verdict that does not cite an option the user never gave."""
    srv = LimitedServer(["--echo"], nofile=40).start()
    socks = []
    try:
        m = re.search(r"at most (\d+) connections at once", srv.stderr_text)
        limit = int(m.group(1)) if m else 0
        r.check(20 <= limit < 40, "the default limit under 40 descriptors is 20 or more (%d)" % limit,
                srv.stderr_text[-500:])
        for _ in range(limit + 2):
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        evs = srv.wait_for(lambda e: refused_verdicts(e), 10)
        refused = refused_verdicts(evs)
        r.check(refused, "connections beyond the default limit get a verdict", evs.of("verdict")[-3:])
        v = refused[0] if refused else {}
        r.eq((v.get("outcome"), v.get("phase"), v.get("actor")), ("fail", "transport", "server"),
             "the verdict at the default limit")
        r.contains(v.get("summary"), "the server was at capacity (%d connections, the default limit "
                   "from the open-file limit 40): it accepted the connection and closed it at once"
                   % limit, "the verdict says where the default came from")
        r.check("--max-conns" not in v.get("summary", ""), "no --max-conns the user did not give",
                v.get("summary"))
        emfile = [x for x in evs.of("verdict") if "EMFILE" in x.get("summary", "")]
        r.eq(len(emfile), 0, "no accept() failed with EMFILE below the default limit")
    finally:
        for s in socks:
            s.close()
        srv.stop()
    r.contains(srv.stderr_text, "the default limit from the open-file limit 40",
               "stderr names the default limit")


def test_bad_value(r):
    for bad in ("0", "-1", "many"):
        rc, out, err = tp.run([tp.TLSPROBE, "serve", "--max-conns", bad] + tp.engine_args([]))
        r.eq(rc, 2, "--max-conns %s is a usage error" % bad)
        r.contains(err, "tlsprobe serve: --max-conns %s: not a connection count (1-1000000)" % bad,
                   "--max-conns %s: the message names the value and the valid ones" % bad)
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--help"])
    r.contains(out, "--max-conns N", "--help lists --max-conns")


def main():
    r = tp.Results("serve_capacity")
    r.run(test_max_conns)
    r.run(test_out_of_fds)
    r.run(test_default_limit)
    r.run(test_bad_value)
    r.finish()


if __name__ == "__main__":
    main()
