#!/usr/bin/env python3
"""What decides a sweep, with a real client: openssl s_client -tls1_2
-cipher ECDHE-RSA-AES128-GCM-SHA256 succeeds exactly when the protocol is
TLS1.2 and the cipher AES-128-GCM.  Its failures are a disjunction (either
value differs), which the rule finder says as "succeeds exactly when A and
B"; the HTML grid names only the axes it has."""
import json
import os
import tempfile

import tp


def test_succeeds_exactly_when(r):
    tmp = tempfile.mkdtemp(prefix="tp-decides-")
    js, html = os.path.join(tmp, "sw.json"), os.path.join(tmp, "rep.html")
    rc, out, err = tp.run([tp.TLSPROBE, "sweep", "--axes", "protocol,cipher", "--protocols",
                           "TLS1.2,TLS1.3", "--ciphers", "AES-128-GCM,CHACHA20-POLY1305",
                           "--include-unoffered", "--client",
                           "echo | openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 "
                           "-connect {host}:{port}", "--json", js, "--report", html], timeout=180)
    text = out + err
    r.contains(text, "decides: succeeds exactly when protocol = TLS1.2 and cipher = AES-128-GCM",
               "the text names the succeeding pair")
    r.check("no rule over one or two axis values" not in text, "no 'no rule' claim", text[-800:])
    with open(js) as f:
        d = json.load(f)["decides"]
    r.eq((d.get("exact"), d.get("succeeds")), (True, True), "JSON: an exact rule over the ok side")
    r.eq(sorted((t["axis"], t["values"][0]) for t in d.get("terms", [])),
         [("cipher", "AES-128-GCM"), ("protocol", "TLS1.2")], "JSON: its terms")
    with open(html) as f:
        page = f.read()
    r.check("cipher \\ mac" not in page, "the grid header names no mac axis the sweep lacks")
    r.contains(page, '<th class="row">cipher</th>', "the grid header names the cipher axis")


def main():
    r = tp.Results("sweep_decides")
    r.run(test_succeeds_exactly_when)
    r.finish()


if __name__ == "__main__":
    main()
