#!/usr/bin/env python3
"""meson install --destdir: the tree holds the binary, the man page, the
bash and zsh completions (the same as the installed binary prints: they
cannot drift), the docs, the proxy's unit (ExecStart at the installed
binary) and its default config; the installed binary prints its versions and
`man -w` finds the page."""

import os
import re
import shutil
import subprocess
import tempfile

import tp

BUILD = os.environ.get("TP_BUILD", "build")


def find(root, suffix):
    hits = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
            if os.path.join(d, f).endswith(suffix)]
    return hits[0] if len(hits) == 1 else None


def main():
    r = tp.Results("pkg_install")
    dest = tempfile.mkdtemp(prefix="tp-destdir-")
    try:
        p = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        r.eq(p.returncode, 0, "meson install --destdir", p.stdout.decode()[-2000:])
        paths = {}
        for key, suffix in (("exe", "/bin/tlsprobe"), ("man", "/share/man/man1/tlsprobe.1"),
                            ("bash", "/share/bash-completion/completions/tlsprobe"),
                            ("zsh", "/share/zsh/vendor-completions/_tlsprobe"),
                            ("readme", "/share/doc/tlsprobe/README.md"),
                            ("trace", "/share/doc/tlsprobe/trace-format.md"),
                            ("unit", "/systemd/system/tlsprobe-proxy.service"),
                            ("default", "/default/tlsprobe-proxy")):
            paths[key] = find(dest, suffix)
            r.check(paths[key], "installed: one *%s" % suffix)
        if not paths["exe"]:
            r.finish()
        exe = paths["exe"]
        rc, out, err = tp.run([exe, "--version"])
        r.check(rc == 0 and re.search(r"^tlsprobe \d+\.\d+\.\d+\n.*GnuTLS", out, re.S),
                "the installed tlsprobe --version", out + err)
        ver = out.split("\n")[0].split()[-1] if out else "?"
        first = open(os.path.join(tp.TP_SRC, "debian", "changelog")).readline()
        r.contains(first, "tlsprobe (%s" % ver, "debian/changelog's version is tlsprobe's")
        for shell in ("bash", "zsh"):
            rc, out, err = tp.run([exe, "complete", shell])
            if paths[shell]:
                r.eq(open(paths[shell]).read(), out,
                     "the installed %s completion is what the installed binary prints" % shell)
        if paths["unit"]:
            unit = open(paths["unit"]).read()
            want = exe[len(dest):]
            r.contains(unit, "ExecStart=%s proxy" % want, "the unit runs the installed binary")
            r.contains(unit, "EnvironmentFile=%s" % paths["default"][len(dest):],
                       "the unit reads the installed default config")
        if paths["man"]:
            mandir = os.path.dirname(os.path.dirname(paths["man"]))
            rc, out, err = tp.run(["man", "-w", "tlsprobe"], env={"MANPATH": mandir})
            r.eq(out.strip(), paths["man"], "man -w tlsprobe finds the installed page", err)
            r.eq(open(paths["man"]).read(), open(os.path.join(tp.TP_SRC, "docs/tlsprobe.1")).read(),
                 "the installed page is docs/tlsprobe.1")
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
