"""Shared helpers for the tlsprobe interop tests (standard library only).

A test starts `tlsprobe serve` on 127.0.0.1 with a kernel-chosen port,
drives real peers at it, reads the JSON lines trace (--trace) and asserts on
it.  Every test script ends with Results.finish(), which prints exactly
`N passed, N failed` and exits non-zero on any failure.

Environment (set by tests/interop/meson.build): TLSPROBE (the binary),
TP_SRC (source root), TP_BUILD (build root), TP_ENGINE (optional: the
engine every serve, proxy and sweep runs on; Server, run, run_tp and popen
add --engine to a command that does not choose one, with_engine()).
"""

import collections
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TLSPROBE = os.environ.get("TLSPROBE") or os.path.join(
    os.environ.get("TP_BUILD", "build"), "tlsprobe")
TP_SRC = os.environ.get("TP_SRC", os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))

LISTEN_RE = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
SUMMARY_RE = re.compile(r"tlsprobe: (\d+) connections?, (\d+) ok, (\d+) failed")
SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                          r"AddressSanitizer:DEADLYSIGNAL|SUMMARY: UndefinedBehaviorSanitizer")
ALL_SERVERS = []


# ---------------------------------------------------------------- results

class Results:
    """Counts checks; finish() prints `N passed, N failed` and exits."""

    def __init__(self, name=None):
        self.name = name or os.path.basename(sys.argv[0])
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   - %s" % what, flush=True)
        else:
            self.failed += 1
            self.failures.append(what)
            msg = "FAIL - %s" % what
            if detail:
                msg += "\n       " + str(detail).replace("\n", "\n       ")[:3000]
            print(msg, flush=True)
        return bool(cond)

    def eq(self, got, want, what, detail=""):
        return self.check(got == want, what, "expected %r, got %r%s" % (
            want, got, ("; " + str(detail)) if detail else ""))

    def contains(self, haystack, needle, what):
        ok = haystack is not None and needle in haystack
        return self.check(ok, what, "%r not found in %r" % (needle, _short(haystack)))

    def run(self, fn, *args, **kw):
        """Runs one test function; an exception counts as one failure."""
        try:
            fn(self, *args, **kw)
        except Exception as e:  # a crash in one test must not hide the others
            import traceback
            self.check(False, "%s raised %s: %s" % (fn.__name__, type(e).__name__, e),
                       traceback.format_exc())

    def finish(self):
        # every server this script ran: no sanitizer report, no crash signal
        for srv in ALL_SERVERS:
            text = srv.stderr_text
            m = SANITIZER_RE.search(text)
            self.check(m is None, "no sanitizer report from `%s`" % " ".join(srv.cmd[1:6]),
                       text[m.start():m.start() + 2500] if m else "")
            rc = srv.rc if srv.rc is not None else (srv.proc.poll() if srv.proc else None)
            if isinstance(rc, int) and rc < 0 and rc != -9:
                self.check(False, "server died of signal %d: %s" % (-rc, " ".join(srv.cmd[1:])), srv.stderr_text[-1500:])
        if self.failures:
            print("failed checks:", flush=True)
            for f in self.failures:
                print("  - " + f)
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def _short(x, n=600):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


# A sweep client that drops the connection when the server picks a given
# property (tests/sweep_clients/intolerant.py --help).
INTOLERANT = os.path.join(TP_SRC, "tests", "sweep_clients", "intolerant.py")


# ---------------------------------------------------------------- server

# TP_ENGINE=openssl runs a test's servers on that engine (tests/interop/meson.build
# registers a chosen set a second time so); a test that names --engine keeps it.
TP_ENGINE = os.environ.get("TP_ENGINE", "")


def engine_args(args):
    """["--engine", TP_ENGINE] unless TP_ENGINE is unset or args choose."""
    return ["--engine", TP_ENGINE] if TP_ENGINE and "--engine" not in args else []


ENGINE_COMMANDS = ("serve", "proxy", "sweep")


def _sweeps_engine(args):
    """True when args (a sweep's) put engine on the --axes."""
    for i, a in enumerate(args):
        val = a[len("--axes="):] if a.startswith("--axes=") else \
            (args[i + 1] if a == "--axes" and i + 1 < len(args) else None)
        if val is not None and "engine" in val.split(","):
            return True
    return False


def with_engine(cmd):
    """cmd with --engine TP_ENGINE right after the subcommand when cmd runs
    the tlsprobe binary's serve, proxy or sweep and does not choose the
    engine itself (--engine, or a sweep's --axes with engine)."""
    cmd = list(cmd)
    if (not TP_ENGINE or len(cmd) < 2 or not str(cmd[0]).endswith("tlsprobe")
            or cmd[1] not in ENGINE_COMMANDS or "--engine" in cmd
            or any(str(a).startswith("--engine=") for a in cmd)
            or (cmd[1] == "sweep" and _sweeps_engine(cmd))):
        return cmd
    return cmd[:2] + ["--engine", TP_ENGINE] + cmd[2:]


def popen(cmd, **kw):
    """subprocess.Popen of with_engine(cmd)."""
    return subprocess.Popen(with_engine(cmd), **kw)


def run_tp(cmd, **kw):
    """subprocess.run of with_engine(cmd) (a test that wants run's own
    options: capture_output, text, cwd, ...)."""
    return subprocess.run(with_engine(cmd), **kw)


class ServerError(Exception):
    pass


class Server:
    """One `tlsprobe serve` process on 127.0.0.1, kernel-chosen port.

    srv = Server(["--echo"]); srv.start(); ... srv.port ...; srv.stop()
    After stop(): srv.summary = (conns, ok, failed) or None, srv.rc,
    srv.stderr_text, srv.stdout_text.  srv.events() reads the trace.
    """

    def __init__(self, args=(), trace=True, env=None, port=0, cwd=None, start_timeout=60,
                 preexec_fn=None, stdin=False):
        self.tmp = tempfile.mkdtemp(prefix="tp-interop-")
        self.trace_path = os.path.join(self.tmp, "trace.jsonl") if trace else None
        self.args = list(args)
        self.env = dict(os.environ)
        self.env.setdefault("NO_COLOR", "1")
        if env:
            self.env.update(env)
        self.port_arg = port
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.preexec_fn = preexec_fn  # e.g. a file size limit (test_files.py)
        self.stdin = stdin            # True: srv.proc.stdin is a pipe (--interactive)
        self.proc = None
        self.port = None
        self.rc = None
        self.summary = None
        self._stderr = []
        self._stdout = []
        self._lock = threading.Lock()
        self._listening = threading.Event()

    @property
    def cmd(self):
        c = [TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", str(self.port_arg)]
        if self.trace_path:
            c += ["--trace", self.trace_path]
        return c + engine_args(self.args) + self.args

    def _pump(self, stream, sink, watch):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            with self._lock:
                sink.append(line)
            if watch and not self._listening.is_set():
                m = LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(1))
                    self._listening.set()
        stream.close()

    def start(self):
        ALL_SERVERS.append(self)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE if self.stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, cwd=self.cwd,
                                     preexec_fn=self.preexec_fn)
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, self._stderr, True), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._stdout, True), daemon=True),
        ]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._listening.wait(0.05):
                return self
            if self.proc.poll() is not None:
                for t in self._threads:
                    t.join(2)
                raise ServerError("tlsprobe serve exited with %s before listening: %s %s\ncmd: %s" %
                                  (self.proc.returncode, self.stderr_text.strip(),
                                   self.stdout_text.strip()[:500], " ".join(self.cmd)))
        self.kill()
        raise ServerError("no 'listening on 127.0.0.1:PORT' line within %ss; stderr: %s" %
                          (self.start_timeout, self.stderr_text[-2000:]))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.stop()
        return False

    @property
    def stderr_text(self):
        with self._lock:
            return "".join(self._stderr)

    @property
    def stdout_text(self):
        with self._lock:
            return "".join(self._stdout)

    @property
    def output(self):
        return self.stderr_text + self.stdout_text

    @property
    def err_lines(self):
        return self.stderr_text.splitlines()

    @property
    def out_lines(self):
        return self.stdout_text.splitlines()

    def _wait_line(self, lines, pattern, timeout):
        """The first match of pattern in a line of the stream, waiting up to
        timeout seconds for it (or until the stream ends); None if none."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            ended = self.proc is None or (self.proc.poll() is not None and
                                          not any(t.is_alive() for t in self._threads))
            for line in lines():
                m = rx.search(line)
                if m:
                    return m
            if ended or time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def wait_err(self, pattern, timeout=10):
        return self._wait_line(lambda: self.err_lines, pattern, timeout)

    def wait_out(self, pattern, timeout=10):
        return self._wait_line(lambda: self.out_lines, pattern, timeout)

    def wait_exit(self, timeout=15):
        """Waits for the server to exit on its own; its rc, or None (then killed)."""
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        for t in self._threads:
            t.join(5)
        return self.rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signals the server, waits, parses the summary line.  Returns rc."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                self.rc = "timeout"
        for t in self._threads:
            t.join(5)
        if self.rc is None:
            self.rc = self.proc.returncode
        m = None
        for line in self.stderr_text.splitlines():
            mm = SUMMARY_RE.search(line)
            if mm:
                m = mm
        self.summary = tuple(int(x) for x in m.groups()) if m else None
        return self.rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- trace

    def events(self):
        return read_trace(self.trace_path)

    def wait_for(self, pred, timeout=10.0, step=0.05):
        """Polls the trace until pred(events) is true; returns the events
        (or the last read on timeout, with .timed_out set on the list)."""
        deadline = time.monotonic() + timeout
        evs = Trace([])
        while True:
            try:
                evs = self.events()
            except (OSError, ValueError):
                pass
            if pred(evs):
                return evs
            if time.monotonic() >= deadline:
                evs.timed_out = True
                return evs
            time.sleep(step)

    def verdicts(self):
        return self.events().of("verdict")

    def wait_verdicts(self, n, timeout=10.0):
        return self.wait_for(lambda e: len(e.of("verdict")) >= n, timeout)

    def wait_conn_verdict(self, conn, timeout=10.0):
        return self.wait_for(lambda e: e.verdict(conn) is not None, timeout)


# ---------------------------------------------------------------- trace

class Trace(list):
    """The trace's events, in file order, with lookups."""

    timed_out = False
    bad_lines = ()

    def of(self, kind, conn=None, **match):
        out = []
        for e in self:
            if e.get("event") != kind:
                continue
            if conn is not None and e.get("conn") != conn:
                continue
            if any(e.get(k) != v for k, v in match.items()):
                continue
            out.append(e)
        return out

    def conn_events(self, conn):
        return [e for e in self if e.get("conn") == conn]

    def conns(self):
        return sorted({e.get("conn") for e in self.of("accept")})

    def verdict(self, conn):
        v = self.of("verdict", conn)
        return v[-1] if v else None

    def accept_for_port(self, port):
        """The accept event whose peer is 127.0.0.1:<port> (our client): the
        latest one, since the kernel reuses a client port after its
        connection closed (hundreds of connections in one test do)."""
        found = None
        for e in self.of("accept"):
            if str(e.get("peer", "")).endswith(":%d" % port):
                found = e
        return found

    def conn_for_port(self, port):
        a = self.accept_for_port(port)
        return a.get("conn") if a else None

    def handshake(self, conn, msg, dir=None):
        return [e for e in self.of("handshake", conn, msg=msg) if dir is None or e.get("dir") == dir]

    def client_hello(self, conn):
        h = self.handshake(conn, "ClientHello", "c2s")
        return h[0] if h else None

    def records(self, conn, dir=None):
        return [e for e in self.of("record", conn) if dir is None or e.get("dir") == dir]


def read_trace(path):
    """Parses a JSON lines file.  Lines that are not JSON objects with
    "event" first are kept in .bad_lines (a test asserts there are none)."""
    evs = Trace([])
    bad = []
    if not path or not os.path.exists(path):
        return evs
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        data = f.read()
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        lines.pop()   # a partial last line, being written
    for line in lines:
        if not line.strip():
            continue
        try:
            pairs = json.loads(line, object_pairs_hook=lambda p: p)
            obj = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if not isinstance(obj, dict) or not pairs or pairs[0][0] != "event":
            bad.append(line)
            continue
        evs.append(obj)
    evs.bad_lines = bad
    return evs


def suite_listed(ch, iana, code):
    """Does the ClientHello event list this suite (by IANA name or number)?
    Accepts entries as strings ("TLS_AES_128_GCM_SHA256", "0x1301") or
    objects ({"name":..., "id":...})."""
    if not ch:
        return False
    return any(entry_is(e, iana, code) for e in ch_suites(ch))


def ch_suites(ch):
    return (ch or {}).get("ciphers") or (ch or {}).get("suites") or (ch or {}).get("cipher_suites") or []


def entry_is(entry, iana, code):
    """Is one entry of a list (string, number or object) this IANA item?"""
    forms = {iana.lower(), "0x%04x" % code, "%04x" % code, str(code)}
    vals = entry.values() if isinstance(entry, dict) else [entry]
    for v in vals:
        if isinstance(v, int) and not isinstance(v, bool) and v == code:
            return True
        if isinstance(v, str) and v.lower() in forms:
            return True
    return False


def ja3_md5(ev):
    """The JA3 hash of a ClientHello event: "ja3_md5"/"ja3_hash" when given,
    "ja3" when it is already 32 hex digits, else md5 of the "ja3" string."""
    if not ev:
        return None
    for k in ("ja3_md5", "ja3_hash"):
        if isinstance(ev.get(k), str) and re.fullmatch(r"[0-9a-f]{32}", ev[k]):
            return ev[k]
    j = ev.get("ja3")
    if isinstance(j, dict):
        return j.get("md5") or j.get("hash")
    if not isinstance(j, str) or not j:
        return None
    if re.fullmatch(r"[0-9a-f]{32}", j):
        return j
    return hashlib.md5(j.encode()).hexdigest()


def ja3_string(ev):
    if not ev:
        return None
    j = ev.get("ja3")
    if isinstance(j, dict):
        return j.get("string") or j.get("full")
    if isinstance(j, str) and "," in j:
        return j
    s = ev.get("ja3_string") or ev.get("ja3_full")
    return s if isinstance(s, str) else None


def check_trace_wellformed(r, evs, label=""):
    """The generic contract: JSON lines, "event" first, conn and t on every
    event, one accept and exactly one verdict per connection, the verdict
    the connection's last event, accept its first."""
    p = (label + ": ") if label else ""
    r.check(not evs.bad_lines, p + "every trace line is a JSON object with \"event\" first",
            "bad lines: %s" % _short(list(evs.bad_lines)[:3]))
    missing = [e for e in evs if not isinstance(e.get("conn"), int) or
               not isinstance(e.get("t"), (int, float))]
    r.check(not missing, p + "every event has an integer conn and a numeric t",
            _short(missing[:3]))
    by = collections.defaultdict(list)
    for e in evs:
        by[e.get("conn")].append(e)
    problems = []
    for c, lst in sorted(by.items(), key=lambda kv: str(kv[0])):
        kinds = [e.get("event") for e in lst]
        if kinds.count("accept") != 1 or kinds[0] != "accept":
            problems.append("conn %s: accept count %d, first %s" % (c, kinds.count("accept"), kinds[0]))
        nv = kinds.count("verdict")
        if nv != 1:
            problems.append("conn %s: %d verdicts" % (c, nv))
        elif kinds[-1] not in ("verdict", "close") or \
                (kinds[-1] == "close" and kinds[-2] != "verdict"):
            problems.append("conn %s: verdict is not last (%s)" % (c, kinds[-3:]))
        # A record held back until its key arrives keeps its wire time, so a
        # "secret" event may carry a later t than the record after it; every
        # other event must not go back in time.
        ts = [(e.get("event"), e.get("t")) for e in lst
              if isinstance(e.get("t"), (int, float)) and e.get("event") != "secret"]
        back = [(a, b) for a, b in zip(ts, ts[1:]) if b[1] < a[1] - 1e-6]
        if back:
            problems.append("conn %s: t goes backwards: %s" % (c, back[:2]))
    r.check(not problems, p + "each connection: one accept first, exactly one verdict last, t never goes back",
            "; ".join(problems[:10]))
    return by


# ---------------------------------------------------------------- peers

class Client:
    """A peer subprocess with stdin piped and stdout+stderr collected."""

    def __init__(self, cmd, env=None, stderr_separate=False):
        self.cmd = cmd
        e = dict(os.environ)
        if env:
            e.update(env)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if stderr_separate else subprocess.STDOUT,
                                     env=e)
        self._buf = []
        self._err = []
        self._lock = threading.Lock()
        self._t = threading.Thread(target=self._pump, args=(self.proc.stdout, self._buf), daemon=True)
        self._t.start()
        self._t2 = None
        if stderr_separate:
            self._t2 = threading.Thread(target=self._pump, args=(self.proc.stderr, self._err), daemon=True)
            self._t2.start()

    def _pump(self, stream, sink):
        while True:
            b = stream.read1(65536) if hasattr(stream, "read1") else stream.read(4096)
            if not b:
                break
            with self._lock:
                sink.append(b)

    @property
    def out(self):
        with self._lock:
            return b"".join(self._buf).decode("utf-8", "replace")

    @property
    def err(self):
        with self._lock:
            return b"".join(self._err).decode("utf-8", "replace")

    def send(self, data):
        try:
            self.proc.stdin.write(data if isinstance(data, bytes) else data.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def wait_output(self, needle, timeout=10.0, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.out.count(needle) >= count:
                return True
            if self.proc.poll() is not None:
                self._t.join(1)
                return self.out.count(needle) >= count
            time.sleep(0.02)
        return False

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def finish(self, timeout=10.0):
        self.close_stdin()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)
        self._t.join(2)
        if self._t2:
            self._t2.join(2)
        return self.proc.returncode


def echo_exchange(cmd, line, timeout=15.0, env=None, wait_before_send=None):
    """Runs a line-mode peer (openssl s_client, gnutls-cli): sends `line`,
    waits until the server echoes it back, closes stdin.  Returns
    (echoed, rc, output)."""
    # a unique token, so a short line cannot match the peer's own chatter
    line = "%s-%d" % (line, random.randrange(10 ** 8, 10 ** 9))
    c = Client(cmd, env=env)
    if wait_before_send:
        c.wait_output(wait_before_send, timeout)
    c.send(line + "\n")
    echoed = c.wait_output(line, timeout)
    rc = c.finish()
    return echoed, rc, c.out


def s_client(port, *extra):
    return ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
            "-servername", "localhost"] + list(extra)


def python_ctx(min_v=None, max_v=None, ciphers=None, keylog=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if min_v:
        ctx.minimum_version = min_v
    if max_v:
        ctx.maximum_version = max_v
    if ciphers:
        ctx.set_ciphers(ciphers)
    if keylog:
        ctx.keylog_filename = keylog
    return ctx


def python_echo(port, line=b"hello from python\n", ctx=None, timeout=10.0):
    """Full TLS connection with Python's ssl, one echo round trip.
    Returns dict(local_port, version, cipher, echoed)."""
    ctx = ctx or python_ctx()
    res = {"local_port": None, "version": None, "cipher": None, "echoed": b""}
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        res["local_port"] = raw.getsockname()[1]
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            res["version"] = s.version()
            res["cipher"] = s.cipher()
            s.sendall(line)
            got = b""
            deadline = time.monotonic() + timeout
            while not got.endswith(b"\n") and time.monotonic() < deadline:
                b = s.recv(4096)
                if not b:
                    break
                got += b
            res["echoed"] = got
            try:
                s.unwrap()
            except (ssl.SSLError, OSError):
                pass
    return res


def client_hello_bytes(ctx=None, server_hostname="localhost"):
    """A real ClientHello from Python's ssl through memory BIOs.  Returns
    (records_bytes, sslobject, incoming_bio, outgoing_bio) so the caller
    can go on with the handshake."""
    ctx = ctx or python_ctx()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=server_hostname)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read(), obj, inc, out


def split_records(data):
    """[(type, version, body)] of complete TLS records in data."""
    recs = []
    i = 0
    while i + 5 <= len(data):
        typ, ver, ln = data[i], int.from_bytes(data[i + 1:i + 3], "big"), int.from_bytes(data[i + 3:i + 5], "big")
        if i + 5 + ln > len(data):
            break
        recs.append((typ, ver, data[i + 5:i + 5 + ln]))
        i += 5 + ln
    return recs


def recv_some(sock, timeout=5.0):
    sock.settimeout(timeout)
    try:
        return sock.recv(65536)
    except socket.timeout:
        return None
    except OSError:
        return b""


def wait_closed(sock, timeout=10.0):
    """Reads until the peer closes; returns (closed, bytes_read)."""
    sock.settimeout(0.2)
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return True, got
        if not b:
            return True, got
        got += b
    return False, got


def run(cmd, timeout=30, env=None, input=None):
    """(rc, stdout, stderr) of cmd; a tlsprobe serve/proxy/sweep gets
    --engine TP_ENGINE (with_engine)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    try:
        p = subprocess.run(with_engine(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=e, input=input)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as ex:
        return "timeout", (ex.stdout or b"").decode("utf-8", "replace"), (ex.stderr or b"").decode("utf-8", "replace")


def make_cert(dirpath, name, key="rsa:2048", cn=None):
    """Self-signed certificate and key with the openssl command; returns
    (cert_path, key_path)."""
    cert = os.path.join(dirpath, name + ".crt")
    keyp = os.path.join(dirpath, name + ".key")
    cmd = ["openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=%s" % (cn or name),
           "-keyout", keyp, "-out", cert, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    if key.startswith("rsa:"):
        cmd += ["-newkey", key]
    elif key == "ed25519":
        cmd += ["-newkey", "ed25519"]
    elif key.startswith("ec:"):
        cmd += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:" + key[3:]]
    rc, out, err = run(cmd)
    if rc != 0:
        raise RuntimeError("openssl req failed: " + err)
    return cert, keyp


def norm_fp(s):
    return re.sub(r"[^0-9a-f]", "", s.lower())


def have(prog):
    return shutil.which(prog) is not None
