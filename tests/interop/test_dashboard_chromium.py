#!/usr/bin/env python3
"""sweep --dashboard: headless Chromium loads the live page during a real
sweep (curl, limited to TLS 1.2, as the client).  The client command waits
for a token file before it connects, so the test decides how far the sweep
has got when it looks: after 2 combinations, after 4 (more cells filled,
a screenshot), and after the end, when the page's grid, rule and counts
are the --report page's."""
import html.parser
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

CLIENT = r'''
import os, subprocess, sys, time
d = sys.argv[1]
taken = False
while not taken:
    for n in sorted(os.listdir(d)):
        if n.startswith("tok"):
            try:
                os.rename(os.path.join(d, n), os.path.join(d, "used-" + n))
                taken = True
                break
            except OSError:
                pass
    if not taken:
        time.sleep(0.1)
sys.exit(subprocess.call(["curl", "-sk", "--tls-max", "1.2", "-o", "/dev/null",
                          "https://%s:%s/" % (sys.argv[2], sys.argv[3])]))
'''


class Cells(html.parser.HTMLParser):
    """The grid cells (class, title), the rule's text, the counts table."""

    def __init__(self, text):
        super().__init__()
        self.cells, self.rule, self.counts, self._in = [], "", [], None
        self.live = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "title" in a:
            self.cells.append((a.get("class", ""), a["title"]))
        if a.get("id") == "rule":
            self._in = "rule"
        if a.get("id") == "live":
            self.live = a
        if tag == "td" and "title" not in a:
            self._in = "count"

    def handle_endtag(self, tag):
        if tag in ("div", "td"):
            self._in = None

    def handle_data(self, data):
        if self._in == "rule":
            self.rule += data
        elif self._in == "count":
            self.counts.append(data)

    def filled(self):
        return [c for c in self.cells if c[0] != "pending"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def browse(exe, url, extra):
    profile = tempfile.mkdtemp(prefix="tp-chromium-")
    try:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--user-data-dir=" + profile] + extra + [url]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180,
                           cwd=profile)
        return p.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def state(url):
    with urllib.request.urlopen(url + "state.json", timeout=30) as f:
        return json.loads(f.read().decode())


def wait_done(url, n, proc):
    """Until the sweep object says n combinations are done (or it ended)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        live = state(url).get("live", {})
        if live.get("done", 0) >= n:
            return live
        time.sleep(0.2)
    return {}


def give(tokens, n, start):
    for i in range(start, start + n):
        open(os.path.join(tokens, "tok%03d" % i), "w").close()
    return start + n


class Sweep:
    def __init__(self, tmp):
        self.tokens = os.path.join(tmp, "tokens")
        os.mkdir(self.tokens)
        client = os.path.join(tmp, "client.py")
        with open(client, "w") as f:
            f.write(CLIENT)
        self.report = os.path.join(tmp, "s.html")
        cmd = [tp.TLSPROBE, "sweep", "--client",
               "%s %s %s {host} {port}" % (sys.executable, client, self.tokens),
               "--axes", "protocol,cipher", "--protocols", "TLS1.2,TLS1.3",
               "--ciphers", "AES-128-GCM,AES-256-GCM,CHACHA20-POLY1305", "--include-unoffered",
               "--client-timeout", "600", "-j", "1", "--report", self.report,
               "--dashboard", "0"]
        self.proc = tp.popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.err, self.url, self.over = [], None, threading.Event()
        self.have_url = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.err.append(line)
            if line.startswith("dashboard: http://") and not self.url:
                self.url = line.split()[1]
                self.have_url.set()
            if "the sweep is over" in line:
                self.over.set()


def test_dashboard(r, tmp):
    exe = chromium()
    if not r.check(exe is not None, "chromium is installed (scripts/install-deps.sh)"):
        return
    sw = Sweep(tmp)
    try:
        if not r.check(sw.have_url.wait(60), "sweep prints the dashboard's URL", "".join(sw.err)):
            return
        r.check(sw.url.startswith("http://127.0.0.1:"), "the dashboard listens on 127.0.0.1")
        n = give(sw.tokens, 3, 0)  # the probe and 2 combinations
        wait_done(sw.url, 2, sw.proc)
        first = Cells(browse(exe, sw.url, ["--dump-dom"]))
        r.eq(len(first.filled()), 2, "first look: 2 cells filled", first.cells)
        r.eq(len(first.cells), 6, "first look: the whole grid, the rest pending")
        r.eq(first.live.get("data-done"), "2", "first look: progress says 2 done", first.live)
        n = give(sw.tokens, 2, n)
        wait_done(sw.url, 4, sw.proc)
        second = Cells(browse(exe, sw.url, ["--dump-dom"]))
        r.eq(len(second.filled()), 4, "second look: 4 cells filled (more than before)")
        r.check(set(first.filled()) <= set(second.filled()), "the first cells stay as they were")
        shot = os.path.join(tmp, "dashboard.png")
        browse(exe, sw.url, ["--screenshot=" + shot, "--window-size=1200,900"])
        with open(shot, "rb") if os.path.exists(shot) else open(os.devnull, "rb") as f:
            r.check(f.read(8) == b"\x89PNG\r\n\x1a\n", "chromium took a screenshot of the page")
        give(sw.tokens, 2, n)
        r.check(sw.over.wait(300), "the sweep ends and the page stays", "".join(sw.err)[-2000:])
        final = Cells(browse(exe, sw.url, ["--dump-dom"]))
        with open(sw.report, encoding="utf-8") as f:
            report = Cells(f.read())
        r.eq(final.live.get("data-phase"), "done", "the final page says the sweep is done")
        r.eq(sorted(final.cells), sorted(report.cells), "the final grid is the --report grid")
        r.eq(final.rule, report.rule, "the final rule is the report's")
        r.contains(final.rule, "protocol = TLS1.3", "the rule names TLS1.3")
        r.eq(final.counts, report.counts, "the per-value counts are the report's")
    finally:
        if sw.proc.poll() is None:
            sw.proc.send_signal(signal.SIGTERM)
        try:
            rc = sw.proc.wait(60)
        except subprocess.TimeoutExpired:
            sw.proc.kill()
            rc = sw.proc.wait(10)
    r.eq(rc, 0, "the sweep exits 0 after Ctrl-C on the held page", "".join(sw.err)[-2000:])
    r.check(not tp.SANITIZER_RE.search("".join(sw.err)), "no sanitizer report from the sweep")


def test_serve(r, tmp):
    """serve --dashboard: the last verdicts, one row each, as they come."""
    exe = chromium()
    if not r.check(exe is not None, "chromium is installed"):
        return
    with tp.Server(["--http", "--dashboard", "0"]) as srv:
        m = srv.wait_err(r"dashboard: (http://127\.0\.0\.1:\d+/)", timeout=30)
        if not r.check(m is not None, "serve prints the dashboard's URL", srv.stderr_text):
            return
        url = m.group(1)
        base = "https://127.0.0.1:%d/" % srv.port
        subprocess.run(["curl", "-sk", "-o", "/dev/null", base], timeout=60)
        subprocess.run(["curl", "-sk", "--tls-max", "1.0", "-o", "/dev/null", base], timeout=60)
        evs = srv.wait_verdicts(2, timeout=30)
        dom = browse(exe, url, ["--dump-dom"])
        rows = re.findall(r'<tr class="(ok|fail|unused)">', dom)
        r.eq(rows, ["ok", "fail"], "the page has the two verdicts, ok then fail", dom[:1500])
        want = [(evs.verdict(c) or {}).get("summary", "") for c in evs.conns()]
        r.check(all(w and html_escape(w) in dom for w in want),
                "each verdict's summary is on the page", want)
        r.contains(dom, "1 ok, 1 failed", "the counts so far")


def html_escape(s):
    import html as h
    return h.escape(s, quote=False)


def main():
    r = tp.Results()
    tmp = tempfile.mkdtemp(prefix="tp-dashboard-")
    try:
        r.run(test_dashboard, tmp)
        r.run(test_serve, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
