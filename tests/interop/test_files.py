#!/usr/bin/env python3
"""Files that hold secrets or client data (docs/design.md, "Files and
secrets"): the key log, the trace and the pcapng of `serve`, and the
journal, --json and --report of `sweep`.

- a symbolic link is refused, with a message naming the file, and its
  target is left alone;
- files are 0600, also when they existed with wider permissions (and the
  server says so);
- a write error (file size limit: EFBIG; /dev/full: ENOSPC) is named on
  stderr with the file and the error, and the exit status is non-zero;
- kill -9 in the middle of a run leaves no torn trace line;
- key material in a sweep client's output is masked in the journal,
  --json and --report;
- `--listen 1.2.3` names --listen; messages start with `tlsprobe <command>:`.
"""
import json
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-files-")


def path(name):
    return os.path.join(TMP, name)


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def connect_n(srv, n):
    for _ in range(n):
        try:
            tp.python_echo(srv.port, timeout=5)
        except OSError:
            pass


def serve_exit(args, timeout=20):
    """Runs a serve that must refuse to start; returns (rc, stderr)."""
    p = subprocess.run([tp.TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0"] +
                       tp.engine_args(args) + args,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stderr


# ---------------------------------------------------------------- symlinks

def test_symlinks_refused(r):
    target = path("target.txt")
    with open(target, "w") as f:
        f.write("do not touch\n")
    os.chmod(target, 0o644)
    for opt in ("--keylog", "--trace", "--pcap"):
        link = path("link%s" % opt.strip("-"))
        os.symlink(target, link)
        rc, err = serve_exit(["--echo", opt, link])
        r.check(rc != 0, "serve %s through a symlink: refused (rc %s)" % (opt, rc), err)
        r.check(("tlsprobe serve: %s %s" % (opt, link)) in err and "symbolic link" in err,
                "serve %s symlink: the message names the option, the file and why" % opt, err)
    with open(target) as f:
        r.eq(f.read(), "do not touch\n", "the symlinks' target is untouched")
    r.eq(mode(target), 0o644, "the symlinks' target keeps its mode")
    # SSLKEYLOGFILE is opened the same way
    link = path("link-env")
    os.symlink(target, link)
    p = subprocess.run([tp.TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0", "--echo"] +
                       tp.engine_args([]), capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, SSLKEYLOGFILE=link))
    r.check(p.returncode != 0 and "tlsprobe serve: SSLKEYLOGFILE %s" % link in p.stderr,
            "SSLKEYLOGFILE through a symlink: refused and named", p.stderr)
    for opt in ("--journal", "--json", "--report", "--trace", "--keylog"):
        link = path("sweep-link%s" % opt.strip("-"))
        os.symlink(target, link)
        p = subprocess.run([tp.TLSPROBE, "sweep", "--client", "true {port}", opt, link,
                            "--protocols", "TLS1.2", "--kx", "ECDHE-RSA", "--ciphers",
                            "AES-128-GCM", "--macs", "AEAD", "-q"],
                           capture_output=True, text=True, timeout=120)
        r.check(p.returncode != 0, "sweep %s through a symlink: non-zero exit" % opt, p.stderr)
        r.check(("tlsprobe sweep: %s %s" % (opt, link)) in p.stderr and "symbolic link" in p.stderr,
                "sweep %s symlink: the message names the option, the file and why" % opt, p.stderr)
    with open(target) as f:
        r.eq(f.read(), "do not touch\n", "the target is untouched by sweep either")


# ---------------------------------------------------------------- modes

def test_modes(r):
    keylog = path("browser-keys.log")
    with open(keylog, "w") as f:
        f.write("# made by a browser\n")
    os.chmod(keylog, 0o644)
    pcap = path("modes.pcapng")
    srv = tp.Server(["--echo", "--keylog", keylog, "--pcap", pcap])
    srv.start()
    try:
        connect_n(srv, 1)
        srv.wait_verdicts(1)
    finally:
        srv.stop()
    r.eq(srv.rc, 0, "serve with an existing 0644 key log: exit 0", srv.stderr_text[-800:])
    r.eq(mode(keylog), 0o600, "the existing key log is now 0600")
    r.check(re.search(r"tlsprobe serve: --keylog %s: the file had mode 0644.*now 0600"
                      % re.escape(keylog), srv.stderr_text) is not None,
            "serve says the key log had mode 0644", srv.stderr_text[-800:])
    with open(keylog) as f:
        text = f.read()
    r.check(text.startswith("# made by a browser\n") and "TRAFFIC_SECRET_0 " in text,
            "the key log was appended to, not truncated", text[:300])
    r.eq(mode(srv.trace_path), 0o600, "a new trace is 0600")
    r.eq(mode(pcap), 0o600, "a new pcapng is 0600")
    r.eq(srv.stderr_text.count("had mode"), 1, "no permission note for files created by us",
         srv.stderr_text[-800:])

    d = path("sweep-modes")
    os.mkdir(d)
    for name in ("j.jsonl", "r.json", "r.html"):
        with open(os.path.join(d, name), "w") as f:
            f.write("old\n")
        os.chmod(os.path.join(d, name), 0o644)
    p = subprocess.run([tp.TLSPROBE, "sweep", "--client",
                        "openssl s_client -connect {host}:{port} -tls1_2 </dev/null",
                        "--journal", os.path.join(d, "j.jsonl"), "--json", os.path.join(d, "r.json"),
                        "--report", os.path.join(d, "r.html"), "--protocols", "TLS1.2", "--kx",
                        "ECDHE-RSA", "--ciphers", "AES-128-GCM", "--macs", "AEAD", "-q"],
                       capture_output=True, text=True, timeout=120)
    r.eq(p.returncode, 0, "sweep over existing 0644 outputs: exit 0", p.stderr[-800:])
    for name, opt in (("j.jsonl", "--journal"), ("r.json", "--json"), ("r.html", "--report")):
        r.eq(mode(os.path.join(d, name)), 0o600, "sweep %s is 0600" % opt)
        r.contains(p.stderr, "tlsprobe sweep: %s %s: the file had mode 0644"
                   % (opt, os.path.join(d, name)), "sweep says %s had mode 0644" % opt)


# ---------------------------------------------------------------- write errors

def fsize_limit(n):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, resource.RLIM_INFINITY))
    return limit


def check_write_error(r, what, srv, file, err_text):
    r.check(srv.rc not in (0, None, "timeout"), "%s: write error makes the exit status non-zero (rc %s)"
            % (what, srv.rc), srv.stderr_text[-800:])
    r.check(re.search(r"^tlsprobe serve: --\w+ %s: write failed: %s" % (re.escape(file), err_text),
                      srv.stderr_text, re.M) is not None,
            "%s: stderr names the file and the error (%s)" % (what, err_text), srv.stderr_text[-800:])


def test_efbig(r):
    # the limit applies to every file the process writes: one file per run
    for opt in ("--trace", "--keylog", "--pcap"):
        out = path("efbig%s" % opt.strip("-"))
        args = ["--echo", opt, out]
        srv = tp.Server(args, trace=False, preexec_fn=fsize_limit(3000))
        srv.start()
        try:
            connect_n(srv, 12)
        finally:
            srv.stop()
        check_write_error(r, "EFBIG on " + opt, srv, out, "File too large")
        size = os.path.getsize(out)
        r.check(0 < size <= 3000, "%s: the file stopped at the limit (%d bytes)" % (opt, size))
        if opt != "--pcap":
            with open(out, "rb") as f:
                data = f.read()
            r.check(data.endswith(b"\n"), "%s: no partial last line after EFBIG" % opt, data[-120:])
    # the summary still counts every connection: the server kept working
    r.check(srv.summary is not None and srv.summary[0] == 12,
            "the server served all 12 connections despite the write error", srv.summary)


def test_enospc(r):
    srv = tp.Server(["--echo", "--keylog", "/dev/full"], trace=False)
    srv.start()
    try:
        connect_n(srv, 2)
    finally:
        srv.stop()
    check_write_error(r, "ENOSPC on --keylog /dev/full", srv, "/dev/full", "No space left on device")
    r.eq(srv.stderr_text.count("write failed"), 1, "the error is reported once, when it happens")
    r.eq(mode("/dev/full"), 0o666, "/dev/full keeps its mode")


# ---------------------------------------------------------------- kill -9

def test_kill9_no_torn_line(r):
    torn = 0
    for i in range(5):
        srv = tp.Server(["--echo", "--records"])
        srv.start()
        try:
            connect_n(srv, 3 + i)
            # kill while more connections are being traced
            import threading
            th = threading.Thread(target=connect_n, args=(srv, 30), daemon=True)
            th.start()
            time.sleep(0.05 * (i + 1))
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait(10)
            th.join(30)
        finally:
            srv.kill()
        with open(srv.trace_path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            torn += 1
        evs = srv.events()
        r.eq(evs.bad_lines, [], "run %d: every line of the killed server's trace parses" % (i + 1))
    r.eq(torn, 0, "kill -9: no torn last line in 5 runs")


# ---------------------------------------------------------------- masking

def mask_sweep(r, name, cmd_fmt):
    """A two-combination sweep whose client prints key material; returns
    (outputs, {file: text}, master secrets of the key log)."""
    d = path(name)
    os.mkdir(d)
    keys = os.path.join(d, "keys.log")
    p = subprocess.run([tp.TLSPROBE, "sweep", "--client", cmd_fmt % keys, "--keylog", keys,
                        "--journal", os.path.join(d, "j.jsonl"), "--json", os.path.join(d, "r.json"),
                        "--report", os.path.join(d, "r.html"), "--protocols", "TLS1.2", "--kx",
                        "ECDHE-RSA", "--ciphers", "AES-128-GCM,AES-256-GCM", "--macs", "AEAD", "-q"],
                       capture_output=True, text=True, timeout=120)
    r.eq(p.returncode, 0, "%s sweep: exit 0" % name, p.stderr[-800:])
    with open(keys) as f:
        secrets = [line.split()[2] for line in f if line.startswith("CLIENT_RANDOM ")]
    r.check(len(secrets) >= 2, "%s: the key log holds the sessions' master secrets" % name, secrets)
    texts = {}
    for fn in ("j.jsonl", "r.json", "r.html"):
        with open(os.path.join(d, fn)) as f:
            texts[fn] = f.read()
    data = json.loads(texts["r.json"])
    outputs = [res.get("client", {}).get("output", "") for res in data["results"]]
    for fn, text in texts.items():
        low = text.lower()
        leaked = [s for s in secrets if s.lower()[:16] in low]
        r.eq(leaked, [], "%s: %s holds no master secret of the key log" % (name, fn))
    return outputs


def test_masking(r):
    # s_client prints Master-Key and Session-ID in its session block
    outputs = mask_sweep(r, "mask-sclient",
                         "sh -c 'openssl s_client -connect {host}:{port} -tls1_2 </dev/null' %.0s")
    r.check(any("Master-Key: ****" in o for o in outputs), "s_client's Master-Key is masked",
            outputs[:1])
    r.check(all(re.search(r"(Master-Key|Session-ID): [0-9A-Fa-f]", o) is None for o in outputs),
            "no Master-Key or Session-ID hex left in the output", outputs[:1])
    r.check("verify return code" in " ".join(outputs).lower(), "the rest of the output is kept")
    # a client that prints key log lines (here: the key log's last line)
    outputs = mask_sweep(r, "mask-keylog",
                         "sh -c 'curl -sk --tls-max 1.2 -o /dev/null https://{host}:{port}/; "
                         "tail -n 1 %s'")
    r.check(any("CLIENT_RANDOM ****" in o for o in outputs),
            "a key log line in the client's output is masked", outputs[:1])


# ---------------------------------------------------------------- messages

def test_messages(r):
    rc, err = serve_exit(["--listen", "1.2.3"])
    r.eq(rc, 2, "serve --listen 1.2.3: usage error")
    r.check(err.startswith("tlsprobe serve: --listen 1.2.3:") and "IPv4 or IPv6" in err,
            "serve --listen 1.2.3 names --listen and the valid forms", err)
    p = subprocess.run([tp.TLSPROBE, "sweep", "--listen", "1.2.3"], capture_output=True, text=True,
                       timeout=20)
    r.eq(p.returncode, 2, "sweep --listen 1.2.3: usage error")
    r.check(p.stderr.startswith("tlsprobe sweep: --listen 1.2.3:"), "sweep names --listen", p.stderr)
    p = subprocess.run([tp.TLSPROBE, "decode", os.path.join(tp.TP_SRC, "tests", "data", "fingerprints",
                                                          "tls12.pcap"), "--json"],
                       stdout=open("/dev/full", "w"), stderr=subprocess.PIPE, text=True, timeout=60)
    r.check(p.returncode == 1 and
            "tlsprobe decode: standard output: write failed: No space left on device" in p.stderr,
            "decode > /dev/full: exit 1, the error named", (p.returncode, p.stderr))
    for cmd in ("serve", "sweep"):
        p = subprocess.run([tp.TLSPROBE, cmd, "--bogus"], capture_output=True, text=True, timeout=20)
        r.check(p.returncode == 2 and p.stderr.startswith("tlsprobe %s: unknown option '--bogus'" % cmd),
                "%s --bogus: 'tlsprobe %s:' and the option" % (cmd, cmd), p.stderr)
        p = subprocess.run([tp.TLSPROBE, cmd, "--trace"], capture_output=True, text=True, timeout=20)
        r.check(p.returncode == 2 and p.stderr.startswith("tlsprobe %s: --trace needs a value" % cmd),
                "%s --trace without a value: named" % cmd, p.stderr)
    rc, err = serve_exit(["--trace", "/nonexistent-dir/t.jsonl"])
    r.check(rc != 0 and err.strip().splitlines()[-1].startswith(
        "tlsprobe serve: --trace /nonexistent-dir/t.jsonl: cannot open:"),
        "an unopenable --trace is named with the command and option", err)


if __name__ == "__main__":
    r = tp.Results()
    for t in (test_symlinks_refused, test_modes, test_efbig, test_enospc, test_kill9_no_torn_line,
              test_masking, test_messages):
        r.run(t)
    r.finish()
