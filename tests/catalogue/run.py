#!/usr/bin/env python3
"""The verdict catalogue: real clients (or real captures) and the verdict
tlsprobe must give for each.

Every file tests/catalogue/scenarios/*.py defines SCENARIOS, a list of dicts:

  name     unique name of the scenario
  serve    arguments for `tlsprobe serve` (live scenario), with
  drive    callable(port, tmpdir) that runs the real client against
           127.0.0.1:port; it may return the client's local TCP port so the
           runner picks that connection (else the last connection is used)
  decode   a capture under tests/data/ (offline scenario), or a callable(tmpdir)
           that makes the capture with a real client and returns its path (or
           (path, key log path)), with optional
  keylog   its key log, also under tests/data/, and optional
  conn     the connection number to judge (default: the last one)
  expect   {"outcome": ..., "phase": ..., "actor": ..., "cause": ...,
            "words": [substrings of the summary],
            "absent": [substrings the summary must not have]}; every key given is asserted
  engine_words / engine_absent
           {"gnutls": [...], "openssl": [...]}: summary words of the engine's
           own reaction where the two libraries differ (an alert name); the
           list of the engine under test (TP_ENGINE, default gnutls) is
           asserted, and a scenario without a list for that engine fails
  timeout  seconds to wait for the verdict (default 20)
  check    optional callable(events, conn) -> list of problems (strings) found
           in the connection's trace beyond the verdict (e.g. records not checked)

Prints one check per asserted key and ends with `N passed, N failed`.
A scenario whose server the engine under test refuses to start for an option
in NOT_YET (the engine says "... yet") is PENDING: printed with the option
and the server's message, counted and listed before the last line, and run
as soon as the engine takes the option; any other refusal is a failure.
Scenarios run TP_CATALOGUE_JOBS (default 2) at a time; their lines are
printed in catalogue order.
Run all: tests/catalogue/run.py; a subset: run.py NAME-SUBSTRING...
"""
import concurrent.futures
import glob
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "interop"))
import tp  # noqa: E402

DATA = os.path.join(tp.TP_SRC, "tests", "data")
ENGINE = tp.TP_ENGINE or "gnutls"
JOBS = max(1, int(os.environ.get("TP_CATALOGUE_JOBS", "2")))
# Options an engine refuses at start until it implements them (issue 12):
# a scenario that needs one is PENDING on that engine, never silently skipped.
# Only what the engine still refuses: an option taken once is off this list,
# so a refusal of it again is a failure.
NOT_YET = {}  # every option works on both engines today
REFUSED_RE = re.compile(r"tlsprobe serve: (--[\w-]+)[^\n]*the %s engine[^\n]* yet" % ENGINE)


def load_scenarios():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "scenarios", "*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location("scenario_" + name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for sc in getattr(mod, "SCENARIOS", []):
            sc = dict(sc)
            sc.setdefault("file", os.path.basename(path))
            out.append(sc)
    return out


def live_verdict(sc):
    """Runs the scenario's client against a fresh server; returns
    (verdict event or None, server) ."""
    srv = tp.Server(sc.get("serve", []))
    srv.start()
    tmp = tempfile.mkdtemp(prefix="tp-cat-")
    try:
        local = sc["drive"](srv.port, tmp)
        timeout = sc.get("timeout", 20)
        if local:
            evs = srv.wait_for(lambda e: e.conn_for_port(local) is not None and
                               e.verdict(e.conn_for_port(local)) is not None, timeout)
            conn = evs.conn_for_port(local)
        else:
            evs = srv.wait_for(lambda e: e.conns() and e.verdict(e.conns()[-1]) is not None,
                               timeout)
            conn = evs.conns()[-1] if evs.conns() else None
        return (evs.verdict(conn) if conn else None), (evs, conn)
    finally:
        srv.stop()


def offline_verdict(sc):
    src, keylog = sc["decode"], None
    if callable(src):  # made here: the capture's path, or (path, key log path)
        made = src(tempfile.mkdtemp(prefix="tp-cat-"))
        path, keylog = made if isinstance(made, tuple) else (made, None)
    else:
        path = os.path.join(DATA, src)
    if sc.get("keylog"):
        keylog = os.path.join(DATA, sc["keylog"])
    cmd = [tp.TLSPROBE, "decode", path, "--json"]
    if keylog:
        cmd += ["--keylog", keylog]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    evs = tp.Trace([])
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            import json
            evs.append(json.loads(line))
        except ValueError:
            pass
    vs = evs.of("verdict")
    if "conn" in sc:
        return evs.verdict(sc["conn"]), (evs, sc["conn"])
    return (vs[-1] if vs else None), (evs, vs[-1].get("conn") if vs else None)


def judge(r, sc, v, trace=None):
    name = sc["name"]
    if not r.check(v is not None, "%s: a verdict" % name):
        return
    if sc.get("check") and trace:
        problems = sc["check"](*trace)
        r.check(not problems, "%s: trace checks" % name, "; ".join(problems)[:2000])
    exp = sc["expect"]
    for key in ("outcome", "phase", "actor", "cause"):
        if key in exp:
            r.eq(v.get(key), exp[key], "%s: %s" % (name, key), v.get("summary"))
    words, absent = list(exp.get("words", [])), list(exp.get("absent", []))
    for key, out in (("engine_words", words), ("engine_absent", absent)):
        if key in exp:
            r.check(ENGINE in exp[key], "%s: %s for the %s engine" % (name, key, ENGINE))
            out += exp[key].get(ENGINE, [])
    for w in words:
        r.contains(v.get("summary"), w, "%s: summary says %r" % (name, w))
    for w in absent:
        r.check(w not in (v.get("summary") or ""), "%s: summary does not say %r" % (name, w),
                v.get("summary"))


class Collected(tp.Results):
    """One scenario's checks, kept to be printed in catalogue order."""

    def __init__(self):
        super().__init__("scenario")
        self.lines, self.pending = [], None

    def check(self, cond, what, detail=""):
        self.lines.append((bool(cond), what, detail))
        return bool(cond)


def pending_option(err):
    """The NOT_YET option a tp.ServerError says the engine refused, or None."""
    m = REFUSED_RE.search(str(err))
    opt = m.group(1) if m else None
    return opt if opt and any(opt.startswith(o) for o in NOT_YET.get(ENGINE, ())) else None


def run_one(sc):
    c = Collected()
    try:
        v, trace = offline_verdict(sc) if "decode" in sc else live_verdict(sc)
        judge(c, sc, v, trace)
    except tp.ServerError as e:
        opt = pending_option(e)
        if opt:
            c.pending = (opt, str(e).split("\n")[0])
        else:
            c.check(False, "%s: the server started" % sc["name"], e)
    except Exception as e:  # a crash in one scenario must not hide the others
        import traceback
        c.check(False, "%s raised %s: %s" % (sc["name"], type(e).__name__, e),
                traceback.format_exc())
    return c


def main():
    r = tp.Results("catalogue")
    want = sys.argv[1:]
    scs = load_scenarios()
    names = [sc["name"] for sc in scs]
    r.eq(len(names), len(set(names)), "scenario names are unique")
    chosen = [sc for sc in scs if not want or any(w in sc["name"] for w in want)]
    pending = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        for sc, c in zip(chosen, pool.map(run_one, chosen)):
            for cond, what, detail in c.lines:
                r.check(cond, what, detail)
            if c.pending:
                pending.append((sc["name"], c.pending[0]))
                print("PENDING - %s: needs %s, which the %s engine does not take yet: %s" %
                      ((sc["name"], c.pending[0], ENGINE, c.pending[1])), flush=True)
    if not want:
        r.check(len(scs) >= 30, "the catalogue has at least 30 scenarios (%d)" % len(scs))
    if pending:
        print("%d scenarios PENDING on the %s engine (an option it does not take yet):" %
              (len(pending), ENGINE))
        for name, opt in pending:
            print("  - %s (%s)" % (name, opt))
    r.finish()


if __name__ == "__main__":
    main()
