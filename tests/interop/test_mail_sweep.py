#!/usr/bin/env python3
"""tlsprobe sweep --starttls smtp with real mail clients as the driven
client: every server of the sweep speaks the SMTP preamble before TLS.
swaks (STARTTLS) works for each protocol; `openssl s_client -starttls smtp
-tls1_3` fails exactly when the protocol is TLS1.2, and the sweep names
that rule."""
import json
import os
import tempfile

import tp


def sweep(r, client, extra, label):
    tmp = tempfile.mkdtemp(prefix="tp-mail-sweep-")
    js = os.path.join(tmp, "sw.json")
    args = ["--starttls", "smtp", "--axes", "protocol", "--protocols", "TLS1.2,TLS1.3",
            "--client", client, "--json", js] + extra
    rc, out, err = tp.run([tp.TLSPROBE, "sweep"] + tp.engine_args(args) + args, timeout=240)
    r.eq(rc, 0, "%s: the sweep ran" % label, (out + err)[-1500:])
    with open(js) as f:
        return json.load(f), out + err


def test_swaks(r):
    d, text = sweep(r, "swaks --server {host}:{port} --tls --to rcpt@example.org "
                    "--from sender@example.org --auth PLAIN --auth-user bob "
                    "--auth-password pw", [], "swaks")
    res = d["results"]
    r.eq(sorted(x["config"]["protocol"] for x in res), ["TLS1.2", "TLS1.3"],
         "swaks: both protocols tried")
    for x in res:
        v = x.get("verdict") or {}
        r.eq((x["status"], v.get("cause")), ("ok", "mail-session-ok"),
             "swaks %s: ok, the SMTP dialogue after STARTTLS" % x["config"]["protocol"],
             v.get("summary"))
        r.contains(v.get("summary"), "the SMTP dialogue worked after STARTTLS",
                   "swaks %s: the summary names it" % x["config"]["protocol"])


def test_openssl_tls13_only(r):
    d, text = sweep(r, "echo QUIT | openssl s_client -starttls smtp -tls1_3 -crlf -quiet "
                    "-connect {host}:{port}", ["--include-unoffered"], "openssl -tls1_3")
    r.contains(text, "decides: fails exactly when protocol = TLS1.2",
               "the sweep names the rule")
    byp = {x["config"]["protocol"]: x for x in d["results"]}
    bad = (byp.get("TLS1.2") or {}).get("verdict") or {}
    r.eq((byp.get("TLS1.2", {}).get("status"), bad.get("phase"), bad.get("cause")),
         ("fail", "handshake", "no-shared-version"),
         "TLS1.2: the handshake after STARTTLS fails on the version", bad.get("summary"))
    good = (byp.get("TLS1.3") or {}).get("verdict") or {}
    r.eq((byp.get("TLS1.3", {}).get("status"), good.get("cause")), ("ok", "mail-session-ok"),
         "TLS1.3: ok after STARTTLS", good.get("summary"))


def main():
    r = tp.Results("mail_sweep")
    r.run(test_swaks)
    r.run(test_openssl_tls13_only)
    r.finish()


if __name__ == "__main__":
    main()
