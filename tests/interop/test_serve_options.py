#!/usr/bin/env python3
"""Command-line options of `tlsprobe serve` and `tlsprobe list`: bad names,
key types, --save-cert, --keylog / SSLKEYLOGFILE, --trace file mode,
--client-cert, the printed priority string."""

import os
import re
import ssl
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402


def serve_args(*a):
    return [tp.TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0"] + tp.engine_args(a) + list(a)


# Debian's OpenSSL has no 3DES suite (no-weak-ssl-ciphers): there the name is
# a usage error naming the engine (test_no_3des), not a cipher to allow.
LEGACY = "" if tp.TP_ENGINE == "openssl" else "3DES-CBC,"


def test_no_3des(r):
    if tp.TP_ENGINE != "openssl":
        return
    rc, out, err = tp.run(serve_args("--ciphers", "3DES-CBC,AES-128-CBC"), timeout=15)
    r.eq(rc, 2, "openssl engine: --ciphers 3DES-CBC: exit code 2")
    r.check("3DES-CBC" in err and "openssl engine" in err and "AES-128-CBC" in err,
            "openssl engine: --ciphers 3DES-CBC: names the value, the engine and the valid ones", err)


def test_bad_names(r):
    cases = [
        (["--ciphers", "AES-129-GCM"], "AES-129-GCM", ["AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"]),
        (["--protocols", "TLS9"], "TLS9", ["TLS1.2", "TLS1.3"]),
        (["--protocols", "TLS1.2,TLS9"], "TLS9", ["TLS1.2", "TLS1.3"]),
        (["--macs", "SHA999"], "SHA999", ["SHA1", "SHA256"]),
        (["--kx", "ECDHE-FOO"], "ECDHE-FOO", ["ECDHE-RSA", "RSA"]),
        (["--groups", "X99999"], "X99999", ["X25519", "SECP256R1"]),
        (["--sigalgs", "RSA-MD9"], "RSA-MD9", ["RSA-SHA256"]),
        (["--key-type", "rsa:999"], "rsa:999", ["rsa:2048", "ecdsa:p256", "ed25519"]),
        (["--client-cert", "maybe"], "maybe", ["none", "request", "require"]),
        (["--port", "70000"], "70000", []),
        (["--timeout", "-3"], "-3", []),
        (["--no-such-flag"], "--no-such-flag", []),
    ]
    for args, bad, valid in cases:
        label = " ".join(args)
        rc, out, err = tp.run(serve_args(*args), timeout=15)
        r.eq(rc, 2, "%s: exit code 2" % label)
        r.contains(err, bad, "%s: stderr names %s" % (label, bad))
        for name in valid:
            r.contains(err, name, "%s: stderr lists valid %s" % (label, name))
    rc, out, err = tp.run(serve_args("--comp", "DEFLATE"), timeout=15)
    r.eq(rc, 2, "--comp DEFLATE: exit code 2")
    r.check(re.search(r"no compression", err, re.I),
            "--comp DEFLATE: message says this engine has no compression", err)
    for args, label in ((["--comp", "NULL"], "--comp NULL accepted"),
                        (["--protocols", "TLS1.0,TLS1.1,TLS1.2,TLS1.3"], "all four protocol names accepted"),
                        (["--kx", "RSA,DHE-RSA,ECDHE-RSA", "--ciphers", LEGACY + "AES-128-CBC,AES-128-GCM",
                          "--macs", "SHA1,MD5,SHA256,AEAD"], "legacy kx/cipher/mac names accepted")):
        srv = tp.Server(args, trace=False)
        try:
            srv.start()
            r.check(True, label)
            srv.stop()
        except tp.ServerError as e:
            r.check(False, label, e)
        finally:
            srv.cleanup()


def test_list(r):
    rc, out, err = tp.run([tp.TLSPROBE, "list"], timeout=15)
    r.eq(rc, 0, "list: exit 0")
    for flag in ("protocols", "ciphers", "macs", "kx", "groups", "sigalgs", "comp", "key-type",
                 "client-cert"):
        r.check(re.search(r"(--)?\b%s\b" % re.escape(flag), out), "list: has a section for --%s" % flag)
    for name in ("TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "AES-128-GCM", "AES-256-GCM",
                 "CHACHA20-POLY1305", "AES-128-CBC", "3DES-CBC", "ARCFOUR-128", "SHA1", "SHA256",
                 "SHA384", "MD5", "ECDHE-RSA", "ECDHE-ECDSA", "DHE-RSA", "RSA", "X25519", "SECP256R1",
                 "SECP384R1", "FFDHE2048", "RSA-SHA256", "RSA-PSS-RSAE-SHA256", "EdDSA-Ed25519", "NULL",
                 "DEFLATE", "rsa:2048", "ecdsa:p256", "ed25519", "none", "request", "require"):
        r.check(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(name), out),
                "list: names %s%s" % (name, " (the trace's spelling of the Ed25519 sigalg)"
                                      if name == "EdDSA-Ed25519" else ""))
    lines = out.splitlines()
    deflate = [l for l in lines if re.search(r"(?<![\w-])DEFLATE(?![\w-])", l)]
    null = [l for l in lines if re.search(r"(?<![\w-])NULL(?![\w-])", l)]
    if deflate and null and deflate[0] != null[0]:
        mark = lambda l: re.sub(r"(?<![\w-])(DEFLATE|NULL)(?![\w-])", "X", l).strip()
        r.check(mark(deflate[0]) != mark(null[0]),
                "list: DEFLATE (not negotiable) is marked differently from NULL", (deflate[0], null[0]))


def openssl_conn(r, srv, conn, label, args, line="hi"):
    echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, *args), line)
    r.check(echoed, "%s: echo" % label, out[-1000:])
    evs = srv.wait_conn_verdict(conn)
    return evs, evs.verdict(conn) or {}, out


def test_key_types(r):
    for kt, ossl_args, kx, want in [
            ("ecdsa:p256", ["-tls1_2"], "ECDHE-ECDSA", [r"ECDSA|EC\b", r"256|P-?256|SECP256R1"]),
            ("ecdsa:p384", ["-tls1_2"], "ECDHE-ECDSA", [r"ECDSA|EC\b", r"384|P-?384|SECP384R1"]),
            ("ed25519", ["-tls1_2"], "ECDHE-ECDSA", [r"(?i)ed25519"]),
            ("rsa:1024", ["-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"], "ECDHE-RSA", [r"RSA", r"1024"]),
            ("rsa:4096", ["-tls1_2"], "ECDHE-RSA", [r"RSA", r"4096"])]:
        label = "--key-type " + kt
        srv = tp.Server(["--echo", "--key-type", kt])
        try:
            srv.start()
            evs, v, out = openssl_conn(r, srv, 1, label, ossl_args)
            r.eq(v.get("outcome"), "ok", "%s: verdict ok" % label)
            r.eq(v.get("kx"), kx, "%s: verdict kx" % label)
            certs = evs.handshake(1, "Certificate", "s2c")
            r.check(certs, "%s: Certificate event" % label)
            text = str(certs[0]) if certs else ""
            for pat in want:
                r.check(re.search(pat, text), "%s: Certificate event shows /%s/" % (label, pat), text[:600])
            m = re.search(r"Server public key is (\d+) bit", out)
            bits = {"ecdsa:p256": "256", "ecdsa:p384": "384", "ed25519": "253|256", "rsa:1024": "1024",
                    "rsa:4096": "4096"}[kt]
            r.check(m and m.group(1) in bits.split("|"), "%s: s_client sees a %s-bit key" % (label, bits),
                    m.group(0) if m else out[-500:])
            srv.stop()
        except tp.ServerError as e:
            r.check(False, "%s: server starts" % label, e)
        finally:
            srv.cleanup()


def test_save_cert(r):
    srv = tp.Server(["--echo"])
    path = os.path.join(srv.tmp, "saved.pem")
    srv.args += ["--save-cert", path]
    try:
        srv.start()
        r.check(os.path.exists(path), "--save-cert wrote the file by the time the server listens")
        r.eq(oct(os.stat(path).st_mode & 0o777), oct(0o644),
             "--save-cert: the certificate file is 0644 (public, no key inside)")
        rc, out, err = tp.run(["openssl", "x509", "-in", path, "-noout", "-fingerprint", "-sha256"])
        r.eq(rc, 0, "--save-cert: openssl reads the PEM")
        fp = tp.norm_fp(out.split("=", 1)[1]) if "=" in out else ""
        printed = re.sub(r"[:\s]", "", srv.output.lower())
        r.check(len(fp) == 64 and fp in printed, "--save-cert: the printed SHA-256 fingerprint matches",
                "file %s; output: %s" % (fp, srv.output[:1500]))
        rc, out, err = tp.run(["openssl", "x509", "-in", path, "-noout", "-text"])
        r.contains(out, "DNS:localhost", "generated cert: SAN has localhost")
        r.contains(out, "IP Address:127.0.0.1", "generated cert: SAN has 127.0.0.1")
        r.check(re.search(r"Public-Key: \(2048 bit\)", out), "generated cert: RSA-2048 by default")
        # the certificate served is the one saved
        rc, out, err = tp.run(tp.s_client(srv.port, "-showcerts"), input=b"", timeout=15)
        pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
        served = ""
        if pem:
            rc2, o2, e2 = tp.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                                 input=pem.group(0).encode())
            served = tp.norm_fp(o2.split("=", 1)[1]) if "=" in o2 else ""
        r.eq(served, fp, "--save-cert: the served certificate is the saved one")
        srv.stop()
    finally:
        srv.cleanup()
    # a file that cannot be written is named, and the server does not start
    bad = os.path.join(srv.tmp, "no-such-dir", "saved.pem")
    rc, out, err = tp.run([tp.TLSPROBE, "serve", "--listen", "127.0.0.1", "--port", "0",
                           "--save-cert", bad], timeout=60)
    r.eq(rc, 2, "--save-cert into a missing folder: exit status 2")
    r.contains(err, "tlsprobe serve: --save-cert: cannot write '%s'" % bad,
               "--save-cert into a missing folder: the message names the file")


def keylog_lines(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def test_keylog_and_trace_mode(r):
    srv = tp.Server(["--echo"])
    kl = os.path.join(srv.tmp, "keys.log")
    srv.args += ["--keylog", kl]
    pylog13 = os.path.join(srv.tmp, "py13.log")
    pylog12 = os.path.join(srv.tmp, "py12.log")
    try:
        os.umask(0o022)
        srv.start()
        res = tp.python_echo(srv.port, b"k13\n", tp.python_ctx(min_v=ssl.TLSVersion.TLSv1_3,
                                                               keylog=pylog13))
        res12 = tp.python_echo(srv.port, b"k12\n", tp.python_ctx(max_v=ssl.TLSVersion.TLSv1_2,
                                                                 keylog=pylog12))
        srv.wait_verdicts(2)
        r.check(os.path.exists(kl), "--keylog file exists")
        if os.path.exists(kl):
            r.eq(stat.S_IMODE(os.stat(kl).st_mode), 0o600, "--keylog file mode 0600")
            lines = keylog_lines(kl)
            labels = {l.split()[0] for l in lines}
            for lab in ("CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                        "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"):
                r.check(lab in labels, "--keylog has %s lines" % lab, labels)
            for name, p in (("TLS1.3", pylog13), ("TLS1.2", pylog12)):
                theirs = keylog_lines(p) if os.path.exists(p) else []
                missing = [l for l in theirs if l not in lines]
                r.check(theirs and not missing,
                        "--keylog: every %s secret Python logged is in the server's key log" % name,
                        missing[:3])
        srv.stop()
        tr = srv.trace_path
        r.check(os.path.exists(tr), "--trace file exists")
        if os.path.exists(tr):
            r.eq(stat.S_IMODE(os.stat(tr).st_mode), 0o600, "--trace file mode 0600")
        evs = srv.events()
        c = evs.conn_for_port(res12["local_port"])
        ch = evs.client_hello(c) if c else None
        rnd = (ch or {}).get("random")
        if rnd and os.path.exists(kl):
            r.check(any(l.startswith("CLIENT_RANDOM %s " % rnd.lower()) for l in keylog_lines(kl)),
                    "--keylog CLIENT_RANDOM matches the ClientHello random in the trace", rnd)
        sec = evs.of("secret")
        r.check(True, "trace secret events: %d (informational)" % len(sec))
    finally:
        srv.cleanup()


def test_sslkeylogfile_env(r):
    srv = tp.Server(["--echo"])
    kl = os.path.join(srv.tmp, "env-keys.log")
    srv.env["SSLKEYLOGFILE"] = kl
    try:
        srv.start()
        tp.python_echo(srv.port, b"env\n", tp.python_ctx(min_v=ssl.TLSVersion.TLSv1_3))
        srv.wait_verdicts(1)
        srv.stop()
        r.check(os.path.exists(kl), "SSLKEYLOGFILE: file written")
        if os.path.exists(kl):
            r.eq(stat.S_IMODE(os.stat(kl).st_mode), 0o600, "SSLKEYLOGFILE: file mode 0600")
            labels = {l.split()[0] for l in keylog_lines(kl)}
            r.check("CLIENT_TRAFFIC_SECRET_0" in labels, "SSLKEYLOGFILE: TLS 1.3 secrets logged", labels)
    finally:
        srv.cleanup()


def test_client_cert(r):
    srv = tp.Server(["--echo", "--client-cert", "require", "--timeout", "5"])
    try:
        cert, key = tp.make_cert(srv.tmp, "tpclient", cn="tp-test-client")
        srv.start()
        # TLS 1.2 so the client's Certificate is plaintext on the wire
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_2"), "nocert", timeout=5)
        r.check(not echoed, "--client-cert require: no echo without a client certificate")
        evs = srv.wait_verdicts(1)
        v = evs.verdict(1) or {}
        r.eq(v.get("outcome"), "fail", "--client-cert require, no cert: verdict fail")
        r.eq(v.get("phase"), "handshake", "--client-cert require, no cert: phase handshake")
        r.check(re.search(r"certificate", v.get("summary", ""), re.I),
                "--client-cert require, no cert: summary mentions the certificate", v.get("summary"))
        r.check(evs.handshake(1, "CertificateRequest", "s2c"),
                "--client-cert require: CertificateRequest event")

        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_2", "-cert", cert, "-key", key),
                                           "withcert")
        r.check(echoed, "--client-cert require, with cert: echo", out[-800:])
        evs = srv.wait_verdicts(2)
        v = evs.verdict(2) or {}
        r.eq(v.get("outcome"), "ok", "--client-cert require, with cert: verdict ok")
        cc = evs.handshake(2, "Certificate", "c2s")
        r.check(cc and "tp-test-client" in str(cc[0]),
                "client Certificate event summarises the certificate (CN)", cc[:1])

        # TLS 1.3 with a certificate
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_3", "-cert", cert, "-key", key),
                                           "withcert13")
        r.check(echoed, "--client-cert require, TLS 1.3 with cert: echo", out[-800:])
        evs = srv.wait_verdicts(3)
        r.eq((evs.verdict(3) or {}).get("outcome"), "ok", "--client-cert require, TLS 1.3 with cert: ok")
        srv.stop()
        r.eq(srv.summary, (3, 2, 1), "--client-cert require: summary 3 connections, 2 ok, 1 failed")
    finally:
        srv.cleanup()
    srv = tp.Server(["--echo", "--client-cert", "request"])
    try:
        srv.start()
        echoed, rc, out = tp.echo_exchange(tp.s_client(srv.port, "-tls1_2"), "req")
        r.check(echoed, "--client-cert request: client without a certificate is served")
        evs = srv.wait_verdicts(1)
        r.eq((evs.verdict(1) or {}).get("outcome"), "ok", "--client-cert request, no cert: ok")
        r.check(evs.handshake(1, "CertificateRequest", "s2c"), "--client-cert request: CertificateRequest")
        srv.stop()
    finally:
        srv.cleanup()


def test_priority_printed(r):
    srv = tp.Server(["--echo", "--protocols", "TLS1.2", "--ciphers", "AES-128-GCM"])
    try:
        srv.start()
        out = srv.output
        if tp.TP_ENGINE == "openssl":  # the lists go to libssl as typed: no priority string
            r.check("engine: openssl (OpenSSL" in out and "priority:" not in out,
                    "openssl engine: the engine line instead of a priority string", out[:1500])
        else:
            r.check(re.search(r"VERS-TLS1\.2", out) and re.search(r"AES-128-GCM", out),
                    "lists turned into a printed priority string", out[:1500])
            r.check(not re.search(r"\+VERS-TLS1\.3", out), "printed priority does not enable TLS1.3",
                    out[:1500])
        rc, o, e = tp.run(tp.s_client(srv.port, "-tls1_3"), input=b"", timeout=15)
        evs = srv.wait_verdicts(1)
        r.eq((evs.verdict(1) or {}).get("outcome"), "fail", "--protocols TLS1.2: a TLS 1.3-only client fails")
        srv.stop()
    finally:
        srv.cleanup()
    # --priority passes a GnuTLS string through; --cipher-string an OpenSSL one
    prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM"
    if tp.TP_ENGINE == "openssl":
        rc, out, err = tp.run(serve_args("--priority", prio), timeout=15)
        r.check(rc == 2 and "--cipher-string" in err, "openssl engine: --priority is a usage error "
                "naming --cipher-string", err)
        args = ["--echo", "--protocols", "TLS1.2", "--cipher-string", "ECDHE-RSA-AES256-GCM-SHA384"]
    else:
        args = ["--echo", "--priority", prio]
    srv = tp.Server(args)
    try:
        srv.start()
        if tp.TP_ENGINE != "openssl":
            r.contains(srv.output, prio, "--priority printed at start")
        res = tp.python_echo(srv.port, b"p\n")
        r.eq(res["version"], "TLSv1.2", "--priority: TLS1.2 negotiated")
        r.check(res["cipher"] and "AES256-GCM" in res["cipher"][0], "--priority: AES-256-GCM negotiated",
                res["cipher"])
        srv.stop()
    finally:
        srv.cleanup()


if __name__ == "__main__":
    r = tp.Results()
    for t in (test_bad_names, test_no_3des, test_list, test_key_types, test_save_cert, test_keylog_and_trace_mode,
              test_sslkeylogfile_env, test_client_cert, test_priority_printed):
        r.run(t)
    r.finish()
