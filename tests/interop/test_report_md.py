#!/usr/bin/env python3
"""`tlsprobe report FILE.json`: a saved sweep rendered again is the sweep's
own --report page byte for byte; `--markdown` is a summary whose tables
render with a Markdown parser from Debian (python3-markdown, the tables
extension: GitHub/GitLab table syntax); a JSON lines trace gives a table
of its verdicts.  The sweep is real: curl limited to TLS 1.2 against
TLS1.2 and TLS1.3 servers."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import markdown
except ImportError:  # a python3 other than Debian's (pyenv): the Debian package's directory
    sys.path.append("/usr/lib/python3/dist-packages")
    import markdown

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def run(args, **kw):
    return tp.run_tp([tp.TLSPROBE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=kw.pop("timeout", 300), **kw)


def sweep(tmp):
    paths = {k: os.path.join(tmp, k) for k in ("s.json", "s.html", "t.jsonl")}
    p = run(["sweep", "--client", "curl -sk --tls-max 1.2 https://{host}:{port}/ -o /dev/null",
             "--axes", "protocol,cipher", "--protocols", "TLS1.2,TLS1.3",
             "--ciphers", "AES-128-GCM,AES-256-GCM", "--include-unoffered", "--json", paths["s.json"],
             "--report", paths["s.html"], "--trace", paths["t.jsonl"]])
    return p, paths


def tables(html):
    return re.findall(r"<table>(.*?)</table>", html, re.S)


def test_sweep(r, tmp):
    p, paths = sweep(tmp)
    if not r.eq(p.returncode, 0, "the sweep ran", p.stderr.decode()[-2000:]):
        return
    h = run(["report", paths["s.json"]])
    with open(paths["s.html"], "rb") as f:
        r.check(h.stdout == f.read() and h.stdout, "report s.json is the sweep's --report page")
    md = run(["report", "--markdown", paths["s.json"]]).stdout.decode()
    r.contains(md, "**Decides:** fails exactly when protocol = TLS1.3",
               "the Markdown names the rule")
    html = markdown.markdown(md, extensions=["tables"])
    t = tables(html)
    r.eq(len(t), 3, "three tables render (totals, combinations, per value)", html[:2000])
    if len(t) == 3:
        rows = re.findall(r"<tr>(.*?)</tr>", t[1], re.S)
        r.eq(len(rows), 5, "the combinations table: a header and 4 rows")
        cells = [re.findall(r"<td>(.*?)</td>", x, re.S) for x in rows[1:]]
        r.check(all(len(c) == 4 for c in cells), "each row has protocol, cipher, status, verdict")
        got = sorted((c[0], c[1], c[2]) for c in cells if len(c) == 4)
        want = sorted((pr, ci, "fail" if pr == "TLS1.3" else "ok")
                      for pr in ("TLS1.2", "TLS1.3") for ci in ("AES-128-GCM", "AES-256-GCM"))
        r.eq(got, want, "the rows say which combination failed")
        r.contains(t[0], "<td>4</td>", "the totals table counts 4 combinations")
        r.contains(t[2], "<td>TLS1.3</td>", "the per-value table lists TLS1.3")
        r.contains(html, "<strong>Decides:</strong> fails exactly when protocol = TLS1.3",
                   "the rule renders in bold")
    r.check(not re.search(r"^\|", re.sub(r"<table>.*?</table>", "", html, flags=re.S), re.M),
            "no table line is left unrendered")
    test_trace(r, paths["t.jsonl"])


def test_trace(r, path):
    md = run(["report", "--markdown", path]).stdout.decode()
    verdicts = [e for e in tp.read_trace(path) if e.get("event") == "verdict"]
    html = markdown.markdown(md, extensions=["tables"])
    t = tables(html)
    r.eq(len(t), 1, "a trace gives one table")
    rows = re.findall(r"<tr>(.*?)</tr>", t[0], re.S) if t else []
    r.eq(len(rows), len(verdicts) + 1, "one row per verdict of the trace")
    fails = sum(1 for v in verdicts if v.get("outcome") == "fail")
    r.check(fails > 0 and html.count("<td>fail</td>") == fails,
            "the table's fail rows are the trace's failed verdicts", (fails, md[:1500]))
    page = run(["report", path]).stdout.decode()
    r.eq(page.count('<tr class="fail">'), fails, "the HTML of a trace marks the failed rows")


def test_errors(r, tmp):
    p = run(["report", os.path.join(tmp, "missing.json")])
    r.eq(p.returncode, 2, "a missing file is a usage error")
    r.contains(p.stderr.decode(), "tlsprobe report: " + os.path.join(tmp, "missing.json"),
               "the message names the file")
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"event":"verdict"}\nnot json\n')
    p = run(["report", bad])
    r.eq(p.returncode, 1, "a file that is no JSON fails")
    r.contains(p.stderr.decode(), "line 2: not JSON", "the message names the line")
    link, target = os.path.join(tmp, "l.html"), os.path.join(tmp, "target")
    with open(target, "w") as f:
        f.write("keep\n")
    os.symlink(target, link)
    good = os.path.join(tmp, "good.jsonl")
    with open(good, "w") as f:
        f.write('{"event":"verdict","conn":1,"outcome":"ok","summary":"a | b"}\n')
    p = run(["report", "-o", link, good])
    r.check(p.returncode != 0, "-o through a symlink is refused")
    with open(target) as f:
        r.eq(f.read(), "keep\n", "the symlink's target is untouched")
    md = run(["report", "--markdown", good]).stdout.decode()
    html = markdown.markdown(md, extensions=["tables"])
    r.contains(html, "<td>a | b</td>", "a '|' inside a summary stays inside its cell")


def main():
    r = tp.Results()
    tmp = tempfile.mkdtemp(prefix="tp-report-")
    try:
        r.run(test_sweep, tmp)
        r.run(test_errors, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
