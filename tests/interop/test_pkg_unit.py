#!/usr/bin/env python3
"""The proxy's systemd unit and its default configuration (pkg/): the unit
passes `systemd-analyze verify` (the one check skipped, saying so, without
systemd-analyze) and `systemd-analyze security` rates it OK; every sandbox
setting in it is documented in the README's Install section; the default
TLSPROBE_PROXY_ARGS run the built tlsprobe as a proxy (paths moved to a
temporary state directory): an echo round-trip through it, the trace 0600
with only the verdict line of the ok connection (--keep failing)."""

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile

import tp
from upstream_fake import Upstream

UNIT = os.environ.get("TP_UNIT", os.path.join(os.environ.get("TP_BUILD", "build"), "pkg",
                                              "tlsprobe-proxy.service"))
DEFAULT = os.environ.get("TP_DEFAULT", os.path.join(os.path.dirname(UNIT), "tlsprobe-proxy"))
SANDBOX = ("DynamicUser", "StateDirectory", "StateDirectoryMode", "UMask", "ProtectSystem",
           "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
           "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
           "ProtectHostname", "ProtectProc", "ProcSubset", "AmbientCapabilities",
           "CapabilityBoundingSet", "NoNewPrivileges", "RestrictAddressFamilies",
           "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality",
           "MemoryDenyWriteExecute", "SystemCallArchitectures", "SystemCallFilter")


def unit_settings(text):
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.M))


def local_unit(tmp, text):
    """The unit with the built binary and config, and its man page on MANPATH."""
    exe = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
    env = re.search(r"^EnvironmentFile=(\S+)", text, re.M).group(1)
    text = text.replace(exe, os.path.abspath(tp.TLSPROBE)).replace(env, os.path.abspath(DEFAULT))
    path = os.path.join(tmp, "tlsprobe-proxy.service")
    open(path, "w").write(text)
    os.makedirs(os.path.join(tmp, "man", "man1"))
    shutil.copy(os.path.join(tp.TP_SRC, "docs", "tlsprobe.1"), os.path.join(tmp, "man", "man1"))
    return path


def check_systemd(r, tmp, text):
    if not tp.have("systemd-analyze"):
        print("SKIP systemd-analyze verify: systemd-analyze is not installed "
              "(scripts/install-deps.sh installs the systemd package)")
        return
    path = local_unit(tmp, text)
    env = {"MANPATH": os.path.join(tmp, "man"), "SYSTEMD_LOG_COLOR": "0"}
    rc, out, err = tp.run(["systemd-analyze", "verify", path], env=env, timeout=120)
    r.check(rc == 0 and not err.strip(), "systemd-analyze verify: no error, no warning", (rc, err))
    rc, out, err = tp.run(["systemd-analyze", "security", "--offline=yes", path], env=env,
                          timeout=120)
    m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", out)
    r.check(m and float(m.group(1)) <= 2.0, "systemd-analyze security: exposure 2.0 or less",
            out[-600:] + err)


def check_settings(r, text):
    s = unit_settings(text)
    r.eq(s.get("DynamicUser"), "yes", "DynamicUser=yes")
    r.eq(s.get("ProtectSystem"), "strict", "ProtectSystem=strict")
    r.eq((s.get("StateDirectory"), s.get("StateDirectoryMode")), ("tlsprobe", "0700"),
         "StateDirectory=tlsprobe, mode 0700")
    r.contains(s.get("ExecStart", ""), "tlsprobe proxy $TLSPROBE_PROXY_ARGS",
               "ExecStart runs tlsprobe proxy with the config's arguments")
    readme = open(os.path.join(tp.TP_SRC, "README.md")).read()
    m = re.search(r"^## Install\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    install = m.group(1) if m else ""
    missing = [k for k in SANDBOX if k not in s or k not in install]
    r.eq(missing, [], "every sandbox setting is in the unit and in the README's Install section")


class ProxyServer(tp.Server):
    """`tlsprobe proxy ...`, as the unit runs it."""
    @property
    def cmd(self):
        c = super().cmd
        return c[:1] + ["proxy"] + c[2:]


def check_default_args(r, tmp):
    text = open(DEFAULT).read()
    m = re.search(r'^TLSPROBE_PROXY_ARGS="(.*)"$', text, re.M)
    r.check(m, "the default config sets TLSPROBE_PROXY_ARGS")
    args = shlex.split(m.group(1))
    r.check("--keep" in args and "--rotate" in args and "--upstream" in args,
            "the default runs the proxy with --upstream, --keep and --rotate", args)
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    up = Upstream("echo")
    args = [a.replace("/var/lib/tlsprobe", state) for a in args]
    args[args.index("--upstream") + 1] = "127.0.0.1:%d" % up.port
    i = args.index("--port")
    del args[i:i + 2]  # the Server's own --port 0 and --listen 127.0.0.1
    trace = [a for a in args if a.startswith(state) and a.endswith(".jsonl")]
    r.eq(len(trace), 1, "the default trace is in the state directory")
    srv = ProxyServer(args, trace=False).start()
    echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-quiet"), "unit-echo")
    r.check(echoed, "the default arguments: an echo round-trip through the proxy", out[-800:])
    srv.stop()
    up.close()
    lines = [json.loads(x) for x in open(trace[0])]
    r.eq([e["event"] for e in lines], ["verdict"], "--keep failing: the ok connection keeps its "
         "verdict line only")
    r.eq(stat.S_IMODE(os.stat(trace[0]).st_mode), 0o600, "the trace is 0600")


def main():
    r = tp.Results("pkg_unit")
    text = open(UNIT).read()
    tmp = tempfile.mkdtemp(prefix="tp-unit-")
    try:
        r.run(check_settings, text)
        r.run(check_systemd, tmp, text)
        r.run(check_default_args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
