#!/usr/bin/env python3
"""The sweep's HTML report rendered in headless Chromium: the screenshot is
not blank (more than one colour, PNG decoded here with zlib) and the DOM has
the grid cells with the expected classes."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TLSPROBE = os.environ.get("TLSPROBE", "build/tlsprobe")
TMP = tempfile.mkdtemp(prefix="tp_sweepr_")
R = tp.Results()


def png_colours(path, limit=16):
    """Distinct pixel colours (up to limit) of an 8-bit RGB/RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    if depth != 8 or ctype not in (2, 6):
        raise ValueError("unsupported PNG type %d/%d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    i = 0
    for _ in range(h):
        ft = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):  # PNG filters (RFC 2083 6)
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 7):
            colours.add(bytes(line[x:x + 3]))
        prev = line
        if len(colours) >= limit:
            break
    return colours


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def chrome_args(extra):
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + tempfile.mkdtemp(dir=TMP)] + extra


report = os.path.join(TMP, "report.html")
# TLS1.1 is tried (the hello does not say its minimum) and refused: fail
# cells; ECDHE AES-256-CBC is not offered: not-offered cells; GCM x SHA1:
# skipped cells; the two suites: ok cells
cmd = ("openssl s_client -connect {host}:{port} -tls1_2 "
       "-cipher AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:AES256-SHA </dev/null")
p = tp.run_tp([TLSPROBE, "sweep", "--client", cmd, "--protocols", "TLS1.1,TLS1.2",
                    "--kx", "ECDHE-RSA,RSA", "--ciphers", "AES-128-CBC,AES-256-CBC,AES-256-GCM",
                    "--macs", "SHA1,SHA384,AEAD", "-j", "2", "--report", report],
                   capture_output=True, text=True, timeout=300)
R.check(p.returncode == 0 and os.path.exists(report), "sweep with --report", p.stderr[-400:])

html = open(report).read() if os.path.exists(report) else ""
R.check(not re.search(r'(src|href)=["\']?(https?:)?//', html) and "<link" not in html and "<script" not in html,
      "self-contained (no external assets)")
R.check(html.find('id="rule"') < html.find('class="grid"') and
      "fails exactly when protocol = TLS1.1" in html, "rule at the top")

if not chromium():
    R.check(False, "chromium installed")
else:
    shot = os.path.join(TMP, "shot.png")
    r = subprocess.run(chrome_args(["--screenshot=" + shot, "--window-size=1200,900",
                                    "file://" + report]), capture_output=True, text=True, timeout=120)
    R.check(os.path.exists(shot), "screenshot taken", r.stderr[-400:])
    if os.path.exists(shot):
        try:
            cols = png_colours(shot)
            R.check(len(cols) >= 4, "screenshot is not blank", cols)
            # the green of ok cells and the red of fail cells are on screen
            has_green = any(c[1] > 150 and c[0] < 140 and c[2] < 140 for c in png_colours(shot, 4096))
            R.check(has_green, "ok cells visible (green)")
        except (ValueError, zlib.error) as e:
            R.check(False, "screenshot decodes", e)
    r = subprocess.run(chrome_args(["--dump-dom", "file://" + report]), capture_output=True,
                       text=True, timeout=120)
    dom = r.stdout
    cells = re.findall(r'<td class="([^"]+)" title="([^"]*)"', dom)
    classes = {c for c, _ in cells}
    for want in ("ok", "fail", "skipped", "not-offered"):
        R.check(want in classes, "DOM has %s cells" % want, classes)
    ok_titles = sorted(t.split(":")[0] for c, t in cells if c == "ok")
    R.check(ok_titles == [
        "TLS1.2 ECDHE-RSA AES-256-GCM AEAD", "TLS1.2 RSA AES-128-CBC SHA1",
        "TLS1.2 RSA AES-256-CBC SHA1"], "ok cells are exactly the client's suites", ok_titles)
    fail_titles = [t for c, t in cells if c == "fail"]
    R.check(fail_titles and all("protocol_version" in t for t in fail_titles),
          "fail cells carry the verdict in the tooltip", fail_titles[:2])
    R.check("TLS1.2 · RSA" in dom or "TLS1.2 &middot; RSA" in dom or
          "TLS1.2 \u00b7 RSA" in dom, "grid headers per protocol x kx", dom[:300])

shutil.rmtree(TMP, ignore_errors=True)
R.finish()
