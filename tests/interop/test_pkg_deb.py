#!/usr/bin/env python3
"""The Debian package: dpkg-buildpackage -us -uc -b in a copy of the tree
(debian/rules: -Dtests=false; DEB_BUILD_OPTIONS=nocheck), lintian clean of
errors, runtime libraries only in Depends, then installed into a throwaway
root (dpkg --root, maintainer scripts with DPKG_ROOT), where the installed
tlsprobe prints its versions, `man -w tlsprobe` finds the page, an echo
round-trip with openssl s_client works, and dpkg --purge leaves no file."""

import glob
import os
import re
import shutil
import subprocess
import tempfile

import tp

SKIP_TOP = {"build", ".git", "debian/tlsprobe", "debian/.debhelper", "bench/out"}


def copy_tree(dst):
    def ignore(d, names):
        rel = os.path.relpath(d, tp.TP_SRC)
        out = set()
        for n in names:
            p = n if rel == "." else os.path.join(rel, n)
            if p in SKIP_TOP or (rel == "." and (n.startswith("build") or n.startswith("obj-"))) \
                    or n == "__pycache__":
                out.add(n)
        return out
    shutil.copytree(tp.TP_SRC, dst, ignore=ignore, symlinks=True)


def build_deb(r, tmp):
    src = os.path.join(tmp, "tlsprobe")
    copy_tree(src)
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2")
    p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=2000)
    out = p.stdout.decode("utf-8", "replace")
    r.eq(p.returncode, 0, "dpkg-buildpackage -us -uc -b builds the package", out[-3000:])
    debs = [d for d in glob.glob(os.path.join(tmp, "tlsprobe_*.deb"))]
    r.eq(len(debs), 1, "one tlsprobe_*.deb next to the tree", os.listdir(tmp))
    return debs[0] if debs else None


def check_meta(r, deb):
    rc, out, err = tp.run(["lintian", "--fail-on", "error", deb], timeout=600)
    r.eq(rc, 0, "lintian: no errors", out + err)
    r.check(not re.search(r"^E: ", out, re.M), "lintian prints no E: line", out)
    rc, deps, _ = tp.run(["dpkg-deb", "-f", deb, "Depends"])
    names = [d.strip().split()[0] for d in deps.split(",") if d.strip()]
    for lib in ("libgnutls30", "libssl3", "libev4", "libjson-c5", "zlib1g"):
        r.check(lib in names, "Depends has the runtime library %s" % lib, deps)
    r.check(not [n for n in names if n.endswith("-dev")], "no -dev package in Depends", deps)
    rc, files, _ = tp.run(["dpkg-deb", "-c", deb])
    for f in ("./usr/bin/tlsprobe", "./usr/share/man/man1/tlsprobe.1.gz",
              "./usr/share/bash-completion/completions/tlsprobe",
              "./usr/share/zsh/vendor-completions/_tlsprobe",
              "./lib/systemd/system/tlsprobe-proxy.service", "./etc/default/tlsprobe-proxy",
              "./usr/share/doc/tlsprobe/copyright"):
        r.contains(files, f, "the package holds " + f)
    rc, conf, _ = tp.run(["sh", "-c", "dpkg-deb --ctrl-tarfile '%s' | tar -xOf - ./conffiles" % deb])
    r.contains(conf, "/etc/default/tlsprobe-proxy", "the default config is a conffile")


def dpkg(root, *args):
    return tp.run(["dpkg", "--root=" + root, "--force-script-chrootless"] + list(args),
                  timeout=300)


def check_installed(r, root):
    exe = os.path.join(root, "usr/bin/tlsprobe")
    rc, out, err = tp.run([exe, "--version"])
    r.eq(rc, 0, "installed tlsprobe --version exits 0", err)
    for word in ("tlsprobe 0.", "GnuTLS 3.", "OpenSSL libcrypto 3.", "libev 4.", "json-c 0."):
        r.contains(out, word, "--version names " + word.split()[0])
    rc, out, err = tp.run(["man", "-w", "tlsprobe"],
                          env={"MANPATH": os.path.join(root, "usr/share/man")})
    r.eq(out.strip(), os.path.join(root, "usr/share/man/man1/tlsprobe.1.gz"),
         "man -w tlsprobe finds the installed page", err)
    tp.TLSPROBE = exe  # the servers below run the installed binary
    with tp.Server(["--echo"]) as srv:
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-quiet"), "deb-echo")
        r.check(echoed, "the installed tlsprobe echoes over s_client", out[-1500:])
        v = srv.wait_verdicts(1).of("verdict")
    r.check(v and v[0].get("outcome") == "ok", "its verdict is ok", v)


def main():
    r = tp.Results("pkg_deb")
    for prog in ("dpkg-buildpackage", "dh", "lintian", "man"):
        r.check(tp.have(prog), "%s is installed (scripts/install-deps.sh)" % prog)
    tmp = tempfile.mkdtemp(prefix="tp-deb-")
    try:
        deb = build_deb(r, tmp) if r.failed == 0 else None
        if deb:
            check_meta(r, deb)
            root = os.path.join(tmp, "root")
            for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
                os.makedirs(os.path.join(root, d))
            for f in ("status", "available"):
                open(os.path.join(root, "var/lib/dpkg", f), "w").close()
            rc, out, err = dpkg(root, "--force-depends", "-i", deb)
            r.eq(rc, 0, "dpkg --root -i installs it into the throwaway root", out + err)
            rc, st, _ = dpkg(root, "-s", "tlsprobe")
            r.contains(st, "Status: install ok installed", "dpkg -s: installed")
            check_installed(r, root)
            rc, out, err = dpkg(root, "--purge", "tlsprobe")
            r.eq(rc, 0, "dpkg --purge removes it", out + err)
            left = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                    if not os.path.relpath(d, root).startswith("var/lib/dpkg")]
            r.eq(left, [], "no file left outside the dpkg database after --purge")
            rc, st, _ = dpkg(root, "-s", "tlsprobe")
            r.check(rc != 0 or "not-installed" in st, "dpkg -s: no longer installed", st)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
