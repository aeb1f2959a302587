#!/usr/bin/env python3
"""The adaptive sweep (--strategy adaptive) against real intolerant clients
over loopback: it names the same rule as --strategy full in fewer
connections (both counts printed), with a client that drops CBC suites, one
that drops HMAC-SHA256 suites, and one that breaks on non-minimal CBC
padding (the quirk axis: a two-term rule).  A client that also fails 10% of
its runs at random (seeded) still gets its rule, and the repeats are
reported.  A resumed sweep replays the journal into the rule set and needs
no new connection; device mode (adaptive by default) says what each next
connection tests; the HTML grid marks the inferred cells."""
import json
import os
import re
import subprocess
import tempfile
import threading

import tp

TMP = tempfile.mkdtemp(prefix="tp-adaptive-")
CLIENTS = os.path.join(tp.TP_SRC, "tests", "sweep_clients")
RUNS = [0]


def sweep(args, timeout=400):
    RUNS[0] += 1
    js = os.path.join(TMP, "s%d.json" % RUNS[0])
    rc, out, err = tp.run([tp.TLSPROBE, "sweep", "--echo", "--json", js] + args, timeout=timeout)
    data = None
    if os.path.exists(js):
        with open(js) as f:
            data = json.load(f)
    return rc, out + err, data


def intolerant(prop):
    return "python3 %s {host} {port} --reject %s" % (os.path.join(CLIENTS, "intolerant.py"), prop)


def named_in(text):
    m = re.search(r"strategy: adaptive: named in (\d+) connections \((\d+) combinations, "
                  r"(\d+) repeats?\); the full matrix is (\d+)", text)
    return tuple(int(x) for x in m.groups()) if m else None


def compare(r, name, args, rule):
    """--strategy full and --strategy adaptive on the same client: same rule."""
    rc_f, text_f, full = sweep(["--strategy", "full", "-j", "2"] + args)
    rc_a, text_a, ad = sweep(["--strategy", "adaptive"] + args)
    r.eq((rc_f, rc_a), (0, 0), name + ": both sweeps exit 0", text_a[-800:])
    if not r.check(full and ad, name + ": both JSON reports written"):
        return None
    r.eq(full["decides"]["rule"], rule, name + ": full names the rule")
    r.eq(ad["decides"]["rule"], full["decides"]["rule"], name + ": adaptive names the same rule")
    r.eq((full["decides"]["exact"], ad["decides"]["exact"]), (True, True), name + ": both exact")
    r.contains(text_a, "decides: " + rule, name + ": the text names it")
    counts = named_in(text_a)
    if not r.check(counts is not None, name + ": says how many connections it used", text_a[-800:]):
        return None
    conns, tried, _, matrix = counts
    full_tried = sum(1 for x in full["results"] if x["status"] != "skipped")
    s = ad["strategy"]
    r.eq((s["name"], s["named"], s["connections"], s["full_matrix"]),
         ("adaptive", True, conns, full_tried), name + ": JSON strategy block")
    r.check(conns < full_tried, name + ": fewer connections than the full matrix",
            "%d vs %d" % (conns, full_tried))
    r.eq(ad["summary"]["not_tried"], matrix - tried, name + ": the rest is not tried")
    print("  %s: adaptive named \"%s\" in %d connections; --strategy full used %d"
          % (name, rule, conns, full_tried), flush=True)
    return ad


def test_cbc(r):
    compare(r, "CBC-intolerant", ["--client", intolerant("cbc")],
            "fails exactly when cipher is a CBC cipher")


def test_sha256(r):
    compare(r, "SHA256-intolerant", ["--client", intolerant("sha256")],
            "fails exactly when mac = SHA256")


def test_padding_quirk(r):
    client = "python3 %s {host} {port} --reject padding" % os.path.join(
        CLIENTS, "record_intolerant.py")
    ad = compare(r, "CBC padding (quirk)",
                 ["--client", client, "--axes", "cipher,quirk", "--protocols", "TLS1.2",
                  "--kx", "ECDHE-RSA", "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM",
                  "--macs", "SHA1,AEAD", "--quirks", "none,cbc-padding=max,hs-fragment=64"],
                 "fails exactly when cipher is a CBC cipher and quirk = cbc-padding=max")
    if ad:
        r.check(len(ad["decides"]["terms"]) == 2, "CBC padding: a two-term rule", ad["decides"])


def test_flaky(r):
    # the seed decides which runs drop, not which combinations: seed 15
    # drops runs 2 and 11, and the second connection is a combination that
    # works, so its repeat reads flaky
    state = os.path.join(TMP, "flaky.state")
    client = "python3 %s {host} {port} --rate 0.1 --seed 15 --state %s -- %s" % (
        os.path.join(CLIENTS, "flaky.py"), state, intolerant("cbc"))
    rc, text, data = sweep(["--strategy", "adaptive", "--client", client])
    r.eq(rc, 0, "flaky: exit 0", text[-800:])
    r.contains(text, "decides: fails exactly when cipher is a CBC cipher", "flaky: rule still found")
    counts = named_in(text)
    r.check(counts is not None and counts[2] > 0, "flaky: repeats reported in the text", counts)
    if data:
        r.check(data["strategy"]["repeats"] > 0, "flaky: repeats in the JSON", data["strategy"])
        r.check(any("flaky: run" in (x.get("client") or {}).get("output", "")
                    for x in data["results"]), "flaky: the client did drop a run at random")
        r.check(any(x["status"] == "flaky" for x in data["results"]),
                "flaky: the repeated combination reads flaky", [x["status"] for x in data["results"]])
        print("  flaky: named in %d connections with %d repeats"
              % (data["strategy"]["connections"], data["strategy"]["repeats"]), flush=True)


def test_resume(r):
    journal = os.path.join(TMP, "j.jsonl")
    html = os.path.join(TMP, "r.html")
    args = ["--strategy", "adaptive", "--client", intolerant("sha384"), "--journal", journal]
    rc, text, first = sweep(args)
    r.eq(rc, 0, "resume: first sweep exit 0", text[-600:])
    rc, text2, again = sweep(args + ["--resume", "--report", html])
    r.eq(rc, 0, "resume: second sweep exit 0", text2[-600:])
    r.contains(text2, "decides: fails exactly when mac = SHA384", "resume: the rule from the journal")
    r.check(not re.search(r"^\[\d+/\d+\] ", text2, re.M), "resume: no new connection was needed",
            text2[-800:])
    if first and again:
        r.eq(again["strategy"]["connections"], first["strategy"]["connections"],
             "resume: the journal's connections count")
    if os.path.exists(html):
        with open(html) as f:
            page = f.read()
        r.check('class="ok inferred"' in page and 'class="fail"' in page,
                "resume: the grid shows tried and inferred cells apart")
        r.contains(page, "adaptive: named in", "resume: the page says how many connections")


def test_device_prompts(r):
    """Device mode is adaptive by default: each prompt says what the next
    connection changes."""
    js = os.path.join(TMP, "dev.json")
    proc = tp.popen([tp.TLSPROBE, "sweep", "--port", "0", "--listen", "127.0.0.1",
                             "--echo", "--protocols", "TLS1.2", "--kx", "ECDHE-RSA,RSA",
                             "--ciphers", "AES-128-CBC,AES-256-CBC,AES-128-GCM", "--json", js],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, cond = [], threading.Condition()

    def reader():
        for line in proc.stdout:
            with cond:
                lines.append(line)
                cond.notify_all()
        with cond:
            lines.append(None)
            cond.notify_all()

    threading.Thread(target=reader, daemon=True).start()

    def wait(pattern, count):
        with cond:
            ok = cond.wait_for(lambda: None in lines or sum(
                1 for x in lines if x and re.search(pattern, x)) >= count, timeout=60)
            return ok and sum(1 for x in lines if x and re.search(pattern, x)) >= count

    port = None
    if wait(r"listening on 127\.0\.0\.1:\d+", 1):
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", "".join(
            x for x in lines if x)).group(1))
    if not r.check(port is not None, "device: listening"):
        proc.kill()
        return
    n = 0
    while n < 20 and wait("connect the client now", n + 1):
        with cond:
            if None in lines:
                break
        subprocess.run(["python3", os.path.join(CLIENTS, "intolerant.py"), "127.0.0.1", str(port),
                        "--reject", "cbc"], capture_output=True, timeout=60)
        n += 1
        with cond:
            cond.wait_for(lambda: None in lines or sum(
                1 for x in lines if x and "connect the client now" in x) > n, timeout=30)
            if None in lines:
                break
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    text = "".join(x for x in lines if x)
    r.eq(proc.returncode, 0, "device: finishes by itself", text[-800:])
    r.contains(text, "next: same as before but", "device: the prompt says what changes")
    r.check(re.search(r"rules left say it fails", text), "device: and how it splits the rules",
            text[-800:])
    r.contains(text, "decides: fails exactly when cipher is a CBC cipher", "device: the rule")
    r.contains(text, "strategy: adaptive: named in", "device: the connection count")


def main():
    r = tp.Results("sweep_adaptive")
    for t in (test_cbc, test_sha256, test_padding_quirk, test_flaky, test_resume,
              test_device_prompts):
        r.run(t)
    r.finish()


if __name__ == "__main__":
    main()
