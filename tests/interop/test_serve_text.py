#!/usr/bin/env python3
"""The human trace on stdout: a few lines per connection by default, one per
record and message with -v, hex with -vv, verdicts only with -q; colours
only on a terminal, and never with NO_COLOR."""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def one_connection(args):
    with tp.Server(["--echo"] + args) as srv:
        echoed, rc, out = tp.echo_exchange(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                                            "-quiet", "-no_ign_eof", "-tls1_2"], "text-trace")
        srv.wait_verdicts(1, timeout=10)
        srv.stop()
        return echoed, srv.stdout_text


def test_levels(r):
    echoed, out = one_connection([])
    r.check(echoed, "default: line echoed")
    lines = [l for l in out.splitlines() if l.startswith("[1]")]
    r.check(any("connection from 127.0.0.1:" in l for l in lines), "default: accept line", out)
    r.check(any("client offers TLS1.2 max" in l for l in lines), "default: what the client offered, one line", out)
    r.check(any(l.startswith("[1] negotiated TLS1.2 ") for l in lines), "default: negotiated parameters", out)
    r.check(any(l.startswith("[1] OK (after-handshake") for l in lines), "default: the verdict", out)
    r.check(len(lines) <= 6, "default: a few lines per connection (%d)" % len(lines), out)
    r.check("record #" not in out, "default: no per-record lines", out)

    echoed, out = one_connection(["-v"])
    r.check(re.search(r"^\[1\] client → server record #1 handshake TLS1\.\d, \d+ bytes", out, re.M) is not None,
            "-v: one line per record", out[:1500])
    r.check(re.search(r"^\[1\]   s> ServerHello", out, re.M) is not None, "-v: one line per handshake message", out[:1500])
    r.check(re.search(r"integrity ok", out) is not None, "-v: protected records show the independent check", out[-1500:])
    r.check(re.search(r"Finished.*verify_data checked: right", out) is not None, "-v: Finished checked", out[-2000:])
    r.check(not re.search(r"^      0000[0-9a-f]{2}  ", out, re.M), "-v: no hex", out[:500])
    r.check("record #" not in one_connection(["-q"])[1], "-q: no record lines")

    echoed, out = one_connection(["-vv"])
    r.check(re.search(r"^      000000  16 03 0[0-3] ", out, re.M) is not None, "-vv: hex dump of the bytes", out[:1500])

    echoed, out = one_connection(["-q"])
    lines = [l for l in out.splitlines() if l.strip()]
    r.eq(len(lines), 1, "-q: the verdict only", out)
    r.check(bool(lines) and lines[0].startswith("[1] OK"), "-q: and it is the verdict", out)

    echoed, out = one_connection(["--records"])
    r.check("ciphertext (" in out and "plaintext (" in out, "--records: ciphertext/plaintext dumps", out[-1500:])


def run_on_pty(extra_env):
    """Runs serve with stdout on a terminal; returns what the terminal saw."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(extra_env)
    p = subprocess.Popen([tp.TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0", "--echo"] +
                         tp.engine_args([]),
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    port = None
    deadline = time.monotonic() + 30
    while port is None and time.monotonic() < deadline:
        line = p.stderr.readline().decode()
        m = tp.LISTEN_RE.search(line)
        if m:
            port = int(m.group(1))
        if not line:
            break
    seen = b""
    if port:
        tp.echo_exchange(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-quiet", "-no_ign_eof"], "tty")
        end = time.monotonic() + 5
        while time.monotonic() < end and b"OK" not in seen and b"FAIL" not in seen:
            rd, _, _ = select.select([master], [], [], 0.2)
            if rd:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
    os.close(master)
    return seen.decode("utf-8", "replace")


def test_colour(r):
    tty = run_on_pty({})
    r.check("\x1b[32mOK" in tty, "terminal: the verdict is coloured", tty[-400:])
    plain = run_on_pty({"NO_COLOR": "1"})
    r.check("OK" in plain and "\x1b[" not in plain, "NO_COLOR: no escape codes on a terminal", plain[-400:])
    echoed, piped = one_connection([])
    r.check("\x1b[" not in piped, "a pipe: no escape codes")


def main():
    r = tp.Results()
    r.run(test_levels)
    r.run(test_colour)
    r.finish()


if __name__ == "__main__":
    main()
