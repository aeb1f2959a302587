#!/usr/bin/env python3
"""Every option the parser accepts is in the bash and zsh completions and
in the man page, and nothing else is.  The list comes from `tlsprobe
complete options` (the tables the parsers use); the parser is probed with
each option (never "unknown option") and with one it does not know; the
generated scripts are parsed, and the bash one is run; the man page's
sections (one per command) are read tag by tag."""

import collections
import os
import re
import shutil
import subprocess
import tempfile

import tp

BUILD = os.environ.get("TP_BUILD", "build")
BASH = os.path.join(BUILD, "pkg", "tlsprobe")
ZSH = os.path.join(BUILD, "pkg", "_tlsprobe")
MAN = os.path.join(tp.TP_SRC, "docs", "tlsprobe.1")
TMP = tempfile.mkdtemp(prefix="tp-options-")  # the probes' working directory


def dump():
    rc, out, err = tp.run([tp.TLSPROBE, "complete", "options"])
    opts = collections.defaultdict(dict)
    commands = []
    for line in out.splitlines():
        f = line.split()
        if f[0] == "commands":
            commands = f[1:]
        else:
            opts[f[0]][f[1]] = f[2] == "arg"
    return rc, opts, commands


def check_parser(r, opts):
    for cmd, table in opts.items():
        pre = [] if cmd == "tlsprobe" else [cmd]
        bad = []
        for o, arg in table.items():
            args = [o] if cmd == "tlsprobe" else [o] + (["x"] if arg else []) + ["--help"]
            p = subprocess.run([os.path.abspath(tp.TLSPROBE)] + pre + args, cwd=TMP, timeout=20,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
            if "unknown option" in err or "unrecognized option" in err or rc == "timeout":
                bad.append((o, rc, err[:200]))
        r.eq(bad, [], "%s: the parser takes each of its %d listed options" % (cmd, len(table)))
        need = ["--upstream", "127.0.0.1:1"] if cmd == "proxy" else []
        rc, out, err = tp.run([tp.TLSPROBE] + pre + need + ["--no-such-option"])
        r.check(rc == 2 and re.search("unknown option|unrecognized option", err),
                "%s: an option not listed is refused" % cmd,
                (rc, err))


def bash_sets(text):
    sets = {}
    for m in re.finditer(r'^    ("?[\w"]*"?)\)\n        opts="([^"]*)"', text, re.M):
        sets[m.group(1).strip('"') or "tlsprobe"] = set(m.group(2).split())
    return sets


def zsh_sets(text):
    sets = {"tlsprobe": set(re.findall(r"'\(- \*\)(-[\w-]+)'", text))}
    for m in re.finditer(r"^        (\w+)\) _arguments -S((?: \\\n            '[^']*')*)", text, re.M):
        sets[m.group(1)] = set(re.findall(r"'\*(-[\w-]+?)(?:[=+]:[^']*)?'", m.group(2))) - {"*"}
    return sets


def check_scripts(r, opts, commands):
    for path, parse in ((BASH, bash_sets), (ZSH, zsh_sets)):
        text = open(path).read()
        got = parse(text)
        for cmd in opts:
            r.eq(got.get(cmd), set(opts[cmd]), "%s: the options of %s exactly" %
                 (os.path.basename(path), cmd))
    r.eq(subprocess.run(["bash", "-n", BASH]).returncode, 0, "bash -n: the bash script parses")
    r.eq(subprocess.run(["zsh", "-n", ZSH]).returncode, 0, "zsh -n: the zsh script parses")
    for words, want, absent in ((["tlsprobe", ""], commands, []),
                                (["tlsprobe", "serve", "--up"], ["--upstream", "--upstream-tls"],
                                 ["--port"]),
                                (["tlsprobe", "decode", "--"], list(opts["decode"]), ["--port"]),
                                (["tlsprobe", "help", "s"], ["serve", "sweep"], ["list"]),
                (["tlsprobe", "serve", "--trace", "-"], [], ["--port", "--trace"]),
                (["tlsprobe", "sweep", "-j", "-"], [], ["--port", "-j"])):
        script = 'source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _tlsprobe; echo "${COMPREPLY[*]}"' % (
            BASH, " ".join("'%s'" % w for w in words), len(words) - 1)
        out = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE).stdout.decode().split()
        r.check(all(w in out for w in want if w.startswith(words[-1])) and
                not [w for w in absent if w in out],
                "bash completes %r" % " ".join(words), out)


def man_sections():
    """{SECTION: (tags, also)}: the option tokens of each .TP tag line and
    the sections named by a `.\\" tlsprobe-options: ...` comment."""
    secs, cur = {}, None
    lines = open(MAN).read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            cur = line[4:].strip().strip('"')
            secs[cur] = (set(), set())
        elif cur and line.startswith('.\\" tlsprobe-options:'):
            secs[cur][1].update(line.split(":", 1)[1].split())
        elif cur and line == ".TP" and i + 1 < len(lines):
            tag = re.sub(r"\\f[BIRP]", "", lines[i + 1]).replace("\\-", "-")
            scope = re.search(r"\(([a-z, ]+)\)\s*\"?$", tag)  # "(serve, sweep)": those commands
            dst = secs[cur][0] if not scope else secs.setdefault(
                "@" + scope.group(1), (set(), set()))[0]
            for t in re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z]+)\b", tag):
                dst.update([t] if t.startswith("--") else ["-" + c for c in t[1:]])
    return secs


def check_man(r, opts, commands):
    secs = man_sections()
    names = {"tlsprobe": "OPTIONS"}
    for cmd in commands:
        names[cmd] = cmd.upper()
        r.check(cmd.upper() in secs, "the man page has a section %s" % cmd.upper(), list(secs))
    for cmd, sec in names.items():
        tags, also = secs.get(sec, (set(), set()))
        doc = set(tags)
        for a in also:
            doc |= secs.get(a, (set(), set()))[0]
        for k, (t, _) in secs.items():  # tags naming the commands they are for
            if k.startswith("@") and cmd in [c.strip() for c in k[1:].split(",")]:
                doc |= t
        want = set(opts.get(cmd, {}))
        r.eq(sorted(want - doc), [], "man %s: every option of %s is documented" % (sec, cmd))
        r.eq(sorted(doc - want), [], "man %s: nothing documented that %s does not take" %
             (sec, cmd))
    th = open(MAN).read().split("\n", 1)[0]
    rc, out, _ = tp.run([tp.TLSPROBE, "--version"])
    r.contains(th, out.split("\n")[0], "the man page's .TH names `tlsprobe --version`'s version")


def main():
    r = tp.Results("pkg_options")
    rc, opts, commands = dump()
    r.eq(rc, 0, "tlsprobe complete options exits 0")
    r.check(len(opts.get("serve", {})) > 40 and "--upstream" in opts["serve"] and
            "-j" in opts.get("sweep", {}), "the list holds the shared and own rows", opts.keys())
    r.eq(opts.get("proxy"), opts.get("serve"), "proxy takes serve's options")
    r.run(check_parser, opts)
    r.run(check_scripts, opts, commands)
    r.run(check_man, opts, commands)
    for cmd in commands:
        if cmd not in ("help", "complete"):
            a = tp.run([tp.TLSPROBE, "help", cmd])
            b = tp.run([tp.TLSPROBE, cmd, "--help"])
            r.check(a[0] == 0 and a[1] == b[1] and a[1], "tlsprobe help %s is %s --help" % (cmd, cmd))
    rc, out, err = tp.run([tp.TLSPROBE, "help", "nope"])
    r.check(rc == 2 and "serve" in err and "nope" in err, "help with an unknown topic names the valid")
    shutil.rmtree(TMP, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
