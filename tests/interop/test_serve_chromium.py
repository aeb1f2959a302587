#!/usr/bin/env python3
"""Headless Chromium against `tlsprobe serve --http`: the browser renders the
status page (negotiated parameters and its own ClientHello, decoded), and the
trace holds the browser's connections with one verdict each, GREASE marked in
its ClientHello."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def test_page(r):
    exe = chromium()
    if not r.check(exe is not None, "chromium is installed (scripts/install-deps.sh)"):
        return
    with tp.Server(["--http"]) as srv:
        profile = tempfile.mkdtemp(prefix="tp-chromium-")
        try:
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--ignore-certificate-errors", "--user-data-dir=" + profile, "--virtual-time-budget=5000",
                   "--dump-dom", "https://127.0.0.1:%d/" % srv.port]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
            dom = p.stdout.decode("utf-8", "replace")
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        r.check("<html" in dom.lower(), "chromium rendered a page", dom[:300] + p.stderr.decode()[-500:])
        r.contains(dom, "TLS1.3", "the page names the negotiated protocol")
        r.contains(dom, "AES-128-GCM", "the page names the negotiated cipher (Chromium prefers AES-128-GCM)")
        r.contains(dom, "TLS_AES_128_GCM_SHA256", "the page lists the suites the browser offered")
        r.contains(dom, "GREASE", "the page marks the browser's GREASE values")
        evs = srv.wait_verdicts(1, timeout=15)
        conns = evs.conns()
        r.check(len(conns) >= 1, "the browser's connection is in the trace")
        ok = [c for c in conns if (evs.verdict(c) or {}).get("outcome") == "ok"]
        r.check(len(ok) >= 1, "at least one browser connection has verdict ok",
                [evs.verdict(c) for c in conns])
        ch = evs.client_hello(ok[0]) if ok else None
        r.check(ch is not None and "GREASE" in ch.get("ciphers", []),
                "trace: the browser's ClientHello has a GREASE suite, marked", ch and ch.get("ciphers"))
        r.check(ch is not None and str(ch.get("ja4", "")).startswith("t13i"),
                "trace: JA4 of a TLS 1.3 browser without SNI (an IP address: 'i')",
                ch and ch.get("ja4"))
        srv.stop()
        tp.check_trace_wellformed(r, srv.events(), "chromium")


def main():
    r = tp.Results()
    r.run(test_page)
    r.finish()


if __name__ == "__main__":
    main()
