#!/usr/bin/env python3
"""A sweep across TLS 1.3 groups and key exchanges that need a
HelloRetryRequest (openssl s_client sends an X25519 key share only): every
combination ok, and every protected record of each checked both ways."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp_session_sweep_")


def sweep(name, args):
    out = os.path.join(TMP, name + ".json")
    p = tp.run_tp([tp.TLSPROBE, "sweep", "--listen", "127.0.0.1", "--protocols", "TLS1.3",
                        "--json", out] + args, capture_output=True, text=True, timeout=300)
    with open(out) as f:
        return p, json.load(f)


def check_results(r, name, data, values, hrr_for):
    results = {tuple(x["config"].values())[0]: x for x in data.get("results", [])}
    for value in values:
        res = results.get(value)
        if not r.check(res is not None, "%s: %s was tried" % (name, value), sorted(results)):
            continue
        v = res.get("verdict") or {}
        r.eq(res.get("status"), "ok", "%s %s: status ok" % (name, value), v.get("summary"))
        r.eq(v.get("outcome"), "ok", "%s %s: verdict ok" % (name, value), v.get("summary"))
        layers = v.get("layers") or {}
        r.eq((layers.get("handshake") or {}).get("hello_retry"), value in hrr_for,
             "%s %s: HelloRetryRequest %s" % (name, value, "seen" if value in hrr_for else "not needed"))
        for d in ("c2s", "s2c"):
            rec = (layers.get("records") or {}).get(d) or {}
            r.check(rec.get("protected", 0) >= 2 and rec.get("ok") == rec.get("protected") and
                    rec.get("bad") == 0 and rec.get("unchecked") == 0,
                    "%s %s: every protected %s record checked ok" % (name, value, d), rec)


def main():
    r = tp.Results("session_sweep")
    client = "openssl s_client -connect {host}:{port} -tls1_3 -groups X25519:secp384r1 </dev/null"
    p, data = sweep("groups", ["--axes", "group", "--groups", "X25519,SECP384R1",
                               "--client", client])
    r.eq(p.returncode, 0, "sweep of groups exits 0", p.stderr[-800:])
    check_results(r, "groups", data, ["X25519", "SECP384R1"], {"SECP384R1"})
    client = "openssl s_client -connect {host}:{port} -tls1_3 </dev/null"
    p, data = sweep("kx", ["--axes", "kx", "--kx", "ECDHE-RSA,DHE-RSA", "--client", client])
    r.eq(p.returncode, 0, "sweep of key exchanges exits 0", p.stderr[-800:])
    check_results(r, "kx", data, ["ECDHE-RSA", "DHE-RSA"], {"DHE-RSA"})
    r.finish()


if __name__ == "__main__":
    main()
