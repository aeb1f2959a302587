#!/usr/bin/env python3
"""ALPN and SNI with real clients: --alpn (the server's preference order),
--alpn-mode strict|ignore, --http's http/1.1 default, --sni-cert (files and
generated) chosen by the client's server_name, --sni-mode strict|warn|ignore.

openssl s_client (-alpn, -servername), gnutls-cli (--alpn, --sni-hostname),
curl (--http2, --http1.1), Python ssl (set_alpn_protocols, server_hostname)
and headless Chromium (h2 selected for --http).  Each asserts the trace
(relations: offered, selected, the server's list, the certificate chosen)
and the verdict (outcome, phase, actor, cause, words).  tshark decrypts the
pcapng of an ALPN + SNI session (the TLS 1.3 EncryptedExtensions and
Certificate).  Bad input: usage errors that name the value and the valid
ones."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tp-alpnsni-")
TSHARK_CONF = tempfile.mkdtemp(prefix="tp-tshark-conf-")
TSHARK_ENV = {"WIRESHARK_CONFIG_DIR": TSHARK_CONF, "HOME": TSHARK_CONF}


def name_cert(name, key="rsa:2048"):
    """A self-signed certificate for DNS name `name` only (openssl req)."""
    base = os.path.join(TMP, name.replace("*", "star"))
    cert, keyp = base + ".crt", base + ".key"
    if not os.path.exists(cert):
        newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key == "ec" else \
            ["-newkey", key]
        rc, out, err = tp.run(["openssl", "req", "-x509", "-nodes", "-days", "2"] + newkey +
                              ["-subj", "/CN=%s" % name, "-keyout", keyp, "-out", cert,
                               "-addext", "subjectAltName=DNS:%s" % name])
        if rc != 0:
            raise RuntimeError("openssl req: " + err)
    return cert, keyp


def rel(v, key):
    return (v or {}).get("relations", {}).get(key) or {}


def verdict_for(srv, local_port, timeout=15):
    evs = srv.wait_for(lambda e: e.conn_for_port(local_port) is not None and
                       e.verdict(e.conn_for_port(local_port)) is not None, timeout)
    return evs.verdict(evs.conn_for_port(local_port))


def last_verdict(srv, n=1):
    evs = srv.wait_verdicts(n, timeout=15)
    vs = evs.of("verdict")
    return vs[-1] if vs else None


def check_verdict(r, v, label, outcome, phase, actor, cause, words=()):
    v = v or {}
    r.eq(v.get("outcome"), outcome, label + ": outcome", v.get("summary"))
    r.eq(v.get("phase"), phase, label + ": phase")
    r.eq(v.get("actor"), actor, label + ": actor")
    r.eq(v.get("cause"), cause, label + ": cause", v.get("summary"))
    for w in words:
        r.contains(v.get("summary", ""), w, label + ": summary says %r" % w)


# ---------------------------------------------------------------- ALPN

def test_openssl_alpn_server_order(r):
    with tp.Server(["--echo", "--alpn", "h2,http/1.1"]) as srv:
        rc, out, err = tp.run(tp.s_client(srv.port, "-alpn", "http/1.1,h2"), input=b"", timeout=20)
        r.contains(out, "ALPN protocol: h2", "s_client: the server's first choice h2 selected")
        v = last_verdict(srv)
        a = rel(v, "alpn")
        r.eq(a.get("offered"), ["http/1.1", "h2"], "trace: ALPN offered in the client's order")
        r.eq(a.get("selected"), "h2", "trace: ALPN selected h2 (server precedence)")
        r.eq(a.get("server"), ["h2", "http/1.1"], "trace: the server's ALPN list")
        r.eq(a.get("mode"), "ignore", "trace: --alpn-mode default ignore")
        check_verdict(r, v, "s_client -alpn", "ok", "after-handshake", "none", "handshake-only")


def test_gnutls_alpn_strict(r):
    with tp.Server(["--echo", "--alpn", "h2,http/1.1", "--alpn-mode", "strict"]) as srv:
        rc, out, err = tp.run(["gnutls-cli", "--insecure", "--alpn", "spdy/3", "-p", str(srv.port),
                               "127.0.0.1"], input=b"", timeout=20)
        r.check(rc != 0 and "no_application_protocol" in (out + err).lower().replace(" ", "_")
                or "application protocol" in (out + err).lower(),
                "gnutls-cli: the handshake fails with no_application_protocol", (out + err)[-600:])
        v = last_verdict(srv)
        check_verdict(r, v, "strict", "fail", "handshake", "server", "no-application-protocol",
                      ["the server sent fatal no_application_protocol",
                       "the client offered ALPN spdy/3 only", "the server has h2, http/1.1",
                       "(--alpn h2,http/1.1 --alpn-mode strict)"])
        a = rel(v, "alpn")
        r.eq(a.get("selected"), None, "trace: nothing selected")
        r.eq(a.get("mode"), "strict", "trace: alpn mode strict")


def test_gnutls_alpn_ignore(r):
    with tp.Server(["--echo", "--alpn", "h2"]) as srv:
        rc, out, err = tp.run(["gnutls-cli", "--insecure", "--alpn", "spdy/3", "-p", str(srv.port),
                               "127.0.0.1"], input=b"", timeout=20)
        r.eq(rc, 0, "gnutls-cli: --alpn-mode ignore goes on without ALPN", (out + err)[-400:])
        v = last_verdict(srv)
        check_verdict(r, v, "ignore", "ok", "after-handshake", "client", "alpn-not-selected",
                      ["the client offered ALPN spdy/3 only; the server selected none (the "
                       "server has h2)"])
        r.eq(rel(v, "alpn").get("offered"), ["spdy/3"], "trace: offered spdy/3")
        r.eq(rel(v, "alpn").get("selected"), None, "trace: none selected")


def curl(port, *extra):
    return tp.run(["curl", "-sSk", "-o", os.devnull, "-w", "%{http_version} %{local_port}"] +
                  list(extra) + ["https://127.0.0.1:%d/" % port], timeout=20)


def test_curl_http_default(r):
    with tp.Server(["--http"]) as srv:
        for flag, want in (("--http1.1", ["http/1.1"]), ("--http2", ["h2", "http/1.1"])):
            rc, out, err = curl(srv.port, flag)
            r.check(rc == 0 and out.startswith("1.1 "), "curl %s: HTTP/1.1 over http/1.1" % flag,
                    out + err[-400:])
            v = verdict_for(srv, int(out.split()[1])) if rc == 0 else None
            a = rel(v, "alpn")
            r.eq(a.get("offered"), want, "trace: curl %s offers %s" % (flag, want))
            r.eq(a.get("selected"), "http/1.1", "trace: --http selects http/1.1 (curl %s)" % flag)
            check_verdict(r, v, "curl " + flag, "ok", "after-handshake", "none", "session-ok")


def test_curl_h2_selected_in_http(r):
    with tp.Server(["--http", "--alpn", "h2,http/1.1"]) as srv:
        r.contains(srv.stderr_text, "--http speaks HTTP/1.1", "serve: a note that --http does "
                   "not speak the h2 it may select")
        rc, out, err = tp.run(["curl", "-sSk", "-v", "--http2", "-o", os.devnull,
                               "https://127.0.0.1:%d/" % srv.port], timeout=20)
        r.check(rc != 0 and ("HTTP_1_1_REQUIRED" in err or "error=13" in err),
                "curl --http2: h2 selected, then GOAWAY HTTP_1_1_REQUIRED", err[-600:])
        v = last_verdict(srv)
        check_verdict(r, v, "h2 in --http", "ok", "after-handshake", "server", "alpn-h2-in-http",
                      ["the server selected ALPN h2 (--alpn h2,http/1.1)",
                       "--http speaks HTTP/1.1 only", "GOAWAY HTTP_1_1_REQUIRED"])
        r.eq(rel(v, "alpn").get("selected"), "h2", "trace: h2 selected")


def test_python_alpn(r):
    with tp.Server(["--http"]) as srv:
        ctx = tp.python_ctx()
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                got = s.selected_alpn_protocol()
                s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n")
                closed, body = tp.wait_closed(s, 10)
        r.eq(got, "http/1.1", "python: --http selected http/1.1")
        r.check(body.startswith(b"HTTP/1.1 200"), "python: the status page over http/1.1", body[:100])
        v = verdict_for(srv, local)
        r.eq(rel(v, "alpn").get("selected"), "http/1.1", "trace: python got http/1.1")
        r.eq((v or {}).get("outcome"), "ok", "python: verdict ok", v)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_chromium_h2_then_http11(r):
    exe = chromium()
    if not r.check(exe is not None, "chromium is installed (scripts/install-deps.sh)"):
        return
    with tp.Server(["--http", "--alpn", "h2,http/1.1"]) as srv:
        profile = tempfile.mkdtemp(prefix="tp-chromium-")
        try:
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--ignore-certificate-errors", "--user-data-dir=" + profile,
                   "--virtual-time-budget=5000", "--dump-dom", "https://127.0.0.1:%d/" % srv.port]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
            dom = p.stdout.decode("utf-8", "replace")
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        r.check("<html" in dom.lower(), "chromium rendered the page (after retrying with HTTP/1.1)",
                dom[:300])
        evs = srv.wait_for(lambda e: any(v.get("cause") == "alpn-h2-in-http" for v in e.of("verdict"))
                           and any(rel(v, "alpn").get("selected") == "http/1.1"
                                   for v in e.of("verdict")), 20)
        h2 = [v for v in evs.of("verdict") if v.get("cause") == "alpn-h2-in-http"]
        r.check(len(h2) >= 1, "trace: chromium's h2 connection has verdict alpn-h2-in-http",
                [v.get("summary") for v in evs.of("verdict")])
        if h2:
            check_verdict(r, h2[0], "chromium h2", "ok", "after-handshake", "server",
                          "alpn-h2-in-http", ["the client spoke HTTP/2 (connection preface)",
                                              "GOAWAY HTTP_1_1_REQUIRED"])
            r.eq(rel(h2[0], "alpn").get("offered"), ["h2", "http/1.1"], "trace: chromium offered h2, http/1.1")
        retry = [v for v in evs.of("verdict") if rel(v, "alpn").get("offered") == ["http/1.1"]]
        r.check(any(rel(v, "alpn").get("selected") == "http/1.1" and v.get("outcome") == "ok"
                    for v in retry), "trace: chromium's retry offers http/1.1 only and works",
                [v.get("summary") for v in evs.of("verdict")])


# ---------------------------------------------------------------- SNI

def sni_server(extra=()):
    api_cert, api_key = name_cert("api.example")
    return tp.Server(["--echo", "--sni-cert", "www.example",
                      "--sni-cert", "api.example=%s,%s" % (api_cert, api_key)] + list(extra))


def test_openssl_sni_choice(r):
    with sni_server() as srv:
        for name, want_names in (("api.example", ["api.example"]), ("www.example", None),
                                 ("other.example", None)):
            rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                                   "-servername", name], input=b"", timeout=20)
            v = last_verdict(srv, {"api.example": 1, "www.example": 2, "other.example": 3}[name])
            s = rel(v, "sni")
            r.eq(s.get("offered"), name, "trace: SNI %s offered" % name)
            chosen = name if name != "other.example" else "default"
            r.eq(s.get("certificate"), chosen, "trace: certificate chosen for %s: %s" % (name, chosen))
            r.eq(s.get("server_names"), ["www.example", "api.example"], "trace: the --sni-cert names")
            r.eq(s.get("mode"), "ignore", "trace: --sni-mode default ignore")
            names = s.get("certificate_names") or []
            if want_names:
                r.eq(names, want_names, "trace: the certificate sent for api.example names it only")
                r.contains(out, "CN = api.example", "s_client got the api.example certificate")
            elif name == "www.example":
                r.check("www.example" in names, "trace: the generated certificate names www.example",
                        names)
            else:
                r.check("www.example" not in names and "localhost" in names,
                        "trace: other.example got the default certificate", names)
            r.eq((v or {}).get("outcome"), "ok", "SNI %s: verdict ok" % name, v)


def test_sni_ecdsa_cert(r):
    # an ECDSA --sni-cert beside the RSA default: the kx names the key actually used
    ec_cert, ec_key = name_cert("ec.example", key="ec")
    with tp.Server(["--echo", "--sni-cert", "ec.example=%s,%s" % (ec_cert, ec_key)]) as srv:
        for i, (name, kx) in enumerate((("ec.example", "ECDHE-ECDSA"), ("localhost", "ECDHE-RSA"))):
            rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                                   "-servername", name], input=b"", timeout=20)
            v = last_verdict(srv, i + 1)
            r.eq((v or {}).get("kx"), kx, "TLS 1.3 with SNI %s: kx %s" % (name, kx), v)


def test_sni_with_chain(r):
    # --chain: a generated --sni-cert is a leaf of the generated CA, so a
    # client that trusts --save-ca verifies it (and its name)
    ca = os.path.join(TMP, "ca.pem")
    with tp.Server(["--http", "--chain", "--save-ca", ca, "--sni-cert", "www.example"]) as srv:
        rc, out, err = tp.run(["curl", "-sS", "--cacert", ca, "-o", os.devnull, "-w", "%{local_port}",
                               "--resolve", "www.example:%d:127.0.0.1" % srv.port,
                               "https://www.example:%d/" % srv.port], timeout=20)
        r.eq(rc, 0, "curl --cacert (the generated CA) verifies the www.example certificate", err[-400:])
        v = verdict_for(srv, int(out)) if rc == 0 else last_verdict(srv)
        r.eq(rel(v, "sni").get("certificate"), "www.example", "trace: the www.example leaf chosen")
        r.eq(rel(v, "sni").get("match"), True, "trace: its names match the SNI")
        check_verdict(r, v, "chain + sni", "ok", "after-handshake", "none", "session-ok")


def test_sni_strict(r):
    with sni_server(["--sni-mode", "strict"]) as srv:
        rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                               "-servername", "other.example"], input=b"", timeout=20)
        r.contains(out + err, "unrecognized name", "s_client: fatal unrecognized_name")
        v = last_verdict(srv)
        check_verdict(r, v, "strict", "fail", "handshake", "server", "sni-unrecognized-name",
                      ["the server sent fatal unrecognized_name",
                       "the client asked for other.example",
                       "neither an --sni-cert (www.example, api.example) nor the default",
                       "--sni-mode strict refuses it"])
        r.eq(rel(v, "sni").get("certificate"), "none", "trace: no certificate chosen")
        # the default certificate's names are recognized
        rc, out, err = tp.run(tp.s_client(srv.port), input=b"", timeout=20)
        v = last_verdict(srv, 2)
        r.eq((v or {}).get("outcome"), "ok", "strict: localhost (the default certificate) ok", v)
        r.eq(rel(v, "sni").get("certificate"), "default", "trace: localhost gets the default")


def test_sni_warn(r):
    with sni_server(["--sni-mode", "warn"]) as srv:
        rc, out, err = tp.run(["gnutls-cli", "--insecure", "-p", str(srv.port), "--sni-hostname",
                               "other.example", "--priority", "NORMAL:-VERS-TLS1.3", "127.0.0.1"],
                              input=b"", timeout=20)
        r.contains(out + err, "Received alert [112]", "gnutls-cli TLS 1.2: the warning unrecognized_name")
        v = last_verdict(srv)
        r.eq((v or {}).get("outcome"), "ok", "warn: the session goes on (ok)", v)
        r.eq(rel(v, "sni").get("certificate"), "default", "trace: warn: the default certificate")
        evs = srv.events()
        alerts = [e for e in evs.of("alert", v.get("conn")) if e.get("dir") == "s2c"]
        r.check(any(a.get("level") == "warning" and a.get("description") == "unrecognized_name"
                    for a in alerts), "trace: the server's warning unrecognized_name", alerts)
        # TLS 1.3 has no warning alerts: none sent
        rc, out, err = tp.run(["gnutls-cli", "--insecure", "-p", str(srv.port), "--sni-hostname",
                               "other.example", "127.0.0.1"], input=b"", timeout=20)
        v = last_verdict(srv, 2)
        evs = srv.events()
        r.check(not [e for e in evs.of("alert", v.get("conn")) if e.get("dir") == "s2c" and
                     e.get("description") == "unrecognized_name"],
                "trace: TLS 1.3: no warning alert (RFC 8446 6.2)")
        r.eq((v or {}).get("outcome"), "ok", "warn TLS 1.3: ok", v)


def test_python_sni(r):
    with sni_server() as srv:
        ctx = tp.python_ctx()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            local = raw.getsockname()[1]
            with ctx.wrap_socket(raw, server_hostname="www.example") as s:
                s.sendall(b"hi\n")
                s.recv(10)
        v = verdict_for(srv, local)
        r.eq(rel(v, "sni").get("certificate"), "www.example", "trace: python www.example: its certificate")
        r.eq(rel(v, "sni").get("match"), True, "trace: SNI matches the certificate sent")


# ---------------------------------------------------------------- tshark

def test_tshark_decrypts(r):
    if not r.check(tp.have("tshark"), "tshark is installed"):
        return
    pcap = os.path.join(TMP, "alpnsni.pcapng")
    api_cert, api_key = name_cert("api.example")
    with tp.Server(["--echo", "--alpn", "h2,http/1.1", "--pcap", pcap, "--sni-cert",
                    "api.example=%s,%s" % (api_cert, api_key)]) as srv:
        rc, out, err = tp.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                               "-servername", "api.example", "-alpn", "h2"], input=b"ping\n",
                              timeout=20)
        srv.wait_verdicts(1)
        srv.stop()
    rc, out, err = tp.run(["tshark", "-n", "-r", pcap, "-Y", "tls.handshake.type == 8", "-T", "fields",
                           "-e", "tls.handshake.extensions_alpn_str"], timeout=60, env=TSHARK_ENV)
    r.eq(out.strip(), "h2", "tshark decrypts the EncryptedExtensions: ALPN h2", err[-300:])
    rc, out, err = tp.run(["tshark", "-n", "-r", pcap, "-Y", "tls.handshake.type == 11", "-T", "fields",
                           "-e", "x509ce.dNSName"], timeout=60, env=TSHARK_ENV)
    r.eq(out.strip(), "api.example", "tshark decrypts the Certificate: the api.example one", err[-300:])


# ---------------------------------------------------------------- bad input

def usage(args, cmd="serve"):
    return tp.run([tp.TLSPROBE, cmd] + args + (["--client", "true {port}"] if cmd == "sweep" else []),
                  timeout=30)


def test_bad_input(r):
    other_cert, other_key = name_cert("other.example")
    api_cert, api_key = name_cert("api.example")
    garbage = os.path.join(TMP, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n")
    long_name = "a" * 256
    cases = [
        (["--alpn", "h2,,http/1.1"], ["--alpn 'h2,,http/1.1'", "protocol 2 is empty",
                                       "1 to 255 bytes"]),
        (["--alpn", ""], ["protocol 1 is empty"]),
        (["--alpn", "h2," + long_name], ["protocol 2 is longer than 255 bytes", "e.g. h2,http/1.1"]),
        (["--alpn-mode", "always"], ["--alpn-mode always", "valid: strict, ignore"]),
        (["--sni-mode", "loud"], ["--sni-mode loud", "valid: strict, warn, ignore"]),
        (["--sni-cert", "www.example=%s,%s" % (garbage, api_key)],
         ["certificate file '%s' does not parse" % garbage, "expected a PEM certificate"]),
        (["--sni-cert", "api.example=%s,%s" % (api_cert, garbage)],
         ["key file '%s' does not parse" % garbage]),
        (["--sni-cert", "api.example=%s,%s" % (api_cert, other_key)],
         ["the key '%s' does not match the certificate '%s'" % (other_key, api_cert)]),
        (["--sni-cert", "www.example="], ["--sni-cert 'www.example=': malformed",
                                          "NAME=CERT,KEY"]),
        (["--sni-cert", "=%s,%s" % (api_cert, api_key)], ["'' is not a host name", "NAME=CERT,KEY"]),
        (["--sni-cert", "www.example=a,b,c"], ["malformed", "NAME (a certificate generated for NAME)"]),
        (["--sni-cert", "bad name=%s" % api_cert], ["'bad name' is not a host name"]),
    ]
    cases.append((["--sni-cert", "www.example", "--sni-cert", "WWW.example=%s,%s" % (api_cert, api_key)],
                  ["the name WWW.example is given twice (also in --sni-cert www.example)"]))
    for cmd in ("serve", "sweep"):
        for args, words in cases:
            rc, out, err = usage(args, cmd)
            label = "%s %s" % (cmd, " ".join(a[:40] for a in args))
            r.eq(rc, 2, label + ": usage error (exit 2)", err[-400:])
            r.check(any(ln.startswith("tlsprobe %s: --" % cmd) for ln in err.splitlines()),
                    label + ": a line 'tlsprobe %s: --...'" % cmd, err[:300])
            for w in words:
                r.contains(err, w, label + ": names %r" % w)
    rc, out, err = usage(["--axes", "alpn", "--alpns", "h2,spdy"], "sweep")
    r.eq(rc, 2, "sweep --alpns spdy: exit 2", err[-300:])
    r.contains(err, "unknown alpn axis value 'spdy'; valid: none, http/1.1, h2, h2+http/1.1",
               "sweep --alpns: names the value and the valid ones")
    rc, out, err = usage(["--axes", "sni-mode", "--sni-modes", "quiet"], "sweep")
    r.eq(rc, 2, "sweep --sni-modes quiet: exit 2", err[-300:])
    r.contains(err, "unknown sni-mode axis value 'quiet'; valid: strict, warn, ignore",
               "sweep --sni-modes: names the value and the valid ones")


def test_help_and_list(r):
    for cmd in ("serve", "sweep"):
        rc, out, err = tp.run([tp.TLSPROBE, cmd, "--help"])
        for opt in ("--alpn L", "--alpn-mode M", "--sni-cert SPEC", "--sni-mode M"):
            r.contains(out, opt, "%s --help lists %s" % (cmd, opt))
    rc, out, err = tp.run([tp.TLSPROBE, "sweep", "--help"])
    r.contains(out, "--alpns L", "sweep --help lists --alpns")
    r.contains(out, "--sni-modes L", "sweep --help lists --sni-modes")
    rc, out, err = tp.run([tp.TLSPROBE, "list"])
    r.contains(out, "--sni-mode\n  * ignore  (default)\n  * warn\n  * strict", "list: the SNI modes")
    r.contains(out, "  * h2+http/1.1\n", "list: the alpn axis values")


# ---------------------------------------------------------------- sweep

def sweep(args, tmpname):
    out_json = os.path.join(TMP, tmpname)
    rc, out, err = tp.run([tp.TLSPROBE, "sweep", "--json", out_json, "-q"] + args, timeout=240)
    import json
    try:
        with open(out_json) as f:
            return rc, json.load(f), out + err
    except (OSError, ValueError):
        return rc, None, out + err


def test_sweep_alpn(r):
    rc, d, text = sweep(["--axes", "alpn", "--alpn-mode", "strict", "--protocols", "TLS1.3",
                         "--client", "curl -sk --http1.1 -o /dev/null https://{host}:{port}/"],
                        "alpn.json")
    r.eq(rc, 0, "sweep --axes alpn: exit 0", text[-500:])
    d = d or {}
    r.eq(d.get("decides", {}).get("rule"), "fails exactly when alpn = h2",
         "sweep alpn: curl --http1.1 fails exactly when the server has only h2", text[-800:])
    fails = [x for x in d.get("results", []) if x.get("status") == "fail"]
    r.check(len(fails) == 1 and fails[0]["verdict"].get("cause") == "no-application-protocol",
            "sweep alpn: the failure is no-application-protocol", fails)
    r.eq(len(d.get("results", [])), 5, "sweep alpn: five values tried")


def test_sweep_sni_mode(r):
    rc, d, text = sweep(["--axes", "sni-mode", "--protocols", "TLS1.2", "--client",
                         "curl -sk -o /dev/null --resolve other.example:{port}:127.0.0.1 "
                         "https://other.example:{port}/"], "sni.json")
    r.eq(rc, 0, "sweep --axes sni-mode: exit 0", text[-500:])
    d = d or {}
    r.eq(d.get("decides", {}).get("rule"), "fails exactly when sni-mode = strict",
         "sweep sni-mode: a client asking for an unknown name fails exactly in strict", text[-800:])
    fails = [x for x in d.get("results", []) if x.get("status") == "fail"]
    r.check(len(fails) == 1 and fails[0]["verdict"].get("cause") == "sni-unrecognized-name",
            "sweep sni-mode: the failure is sni-unrecognized-name", fails)
    warn = [x for x in d.get("results", []) if x.get("config", {}).get("sni-mode") == "warn"]
    r.check(warn and warn[0]["status"] == "ok", "sweep sni-mode: curl goes on after the warning", warn)


def main():
    r = tp.Results("alpn_sni")
    for t in (test_openssl_alpn_server_order, test_gnutls_alpn_strict, test_gnutls_alpn_ignore,
              test_curl_http_default, test_curl_h2_selected_in_http, test_python_alpn,
              test_openssl_sni_choice, test_sni_ecdsa_cert, test_sni_with_chain, test_sni_strict, test_sni_warn, test_python_sni,
              test_tshark_decrypts, test_bad_input, test_help_and_list, test_sweep_alpn, test_sweep_sni_mode,
              test_chromium_h2_then_http11):
        r.run(t)
    shutil.rmtree(TMP, ignore_errors=True)
    shutil.rmtree(TSHARK_CONF, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
