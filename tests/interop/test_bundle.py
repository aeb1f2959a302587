#!/usr/bin/env python3
"""--bundle FILE.tar.gz and `tlsprobe bundle`: the bug-report bundle.

A real client (Python ssl) talks to `serve --echo --bundle`; the test unpacks
the bundle, checks that every file its README lists is inside, that tshark
decrypts the pcapng with the keys it carries, that the archive is
reproducible (sorted, fixed mtime and owner, gzip without a timestamp) and
0600; with a user certificate (--cert/--key) no byte of the key appears
anywhere in the bundle unless --bundle-include-secrets; a key log named to
`tlsprobe bundle` is left out with the reason; a symlink is never written
through."""
import base64
import gzip
import io
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tp  # noqa: E402

MESSAGE = b"hello from the bundle test\n"


def talk(port):
    """Python ssl: sends MESSAGE, reads the echo, closes with close_notify."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(MESSAGE)
            while len(got) < len(MESSAGE):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            s.unwrap()
    return got


def serve_bundle(tmp, extra, name="b.tar.gz"):
    """serve --echo --bundle PATH with extra args; one s_client session."""
    out = os.path.join(tmp, name)
    srv = tp.Server(["--echo", "--bundle", out] + extra, trace=False)
    with srv:
        echoed = talk(srv.port)
        srv.wait_out(r"\] (OK|FAIL)", timeout=20)
        srv.stop()
    return out, srv, echoed


def members(path):
    with tarfile.open(path, "r:gz") as t:
        return {m.name: (m, t.extractfile(m).read()) for m in t.getmembers()}


def readme_files(readme):
    return re.findall(r"^- `([^`]+)`:", readme, re.M)


def test_throwaway(r, tmp, keep):
    path, srv, echoed = serve_bundle(tmp, [])
    r.eq(echoed, MESSAGE, "the client got its bytes echoed")
    r.contains(srv.stderr_text, "bundle: " + path, "serve says where the bundle went")
    r.eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "the bundle is mode 0600")
    m = members(path)
    readme = m.get("tlsprobe-bundle/README.md", (None, b""))[1].decode()
    listed = readme_files(readme)
    for want in ("trace.txt", "trace.jsonl", "capture.pcapng", "cert.pem", "versions.txt",
                 "command.txt", "fleet.txt"):
        r.check(want in listed, "README lists " + want, listed)
    for f in listed:
        r.check("tlsprobe-bundle/" + f in m, "listed file %s is in the bundle" % f, sorted(m))
    r.contains(readme, "Wireshark", "README says to open the pcapng in Wireshark")
    r.check(re.search(r"\[1\] OK \(", readme) is not None, "README quotes the verdict", readme)
    names = [n for n in m]
    r.eq(names, sorted(names), "entries are sorted")
    r.check(all(mm.mtime == m[names[0]][0].mtime and mm.uid == 0 and mm.gid == 0 and
                mm.mode == 0o600 for mm, _ in m.values()),
            "fixed mtime, owner 0:0, mode 0600 on every entry")
    with open(path, "rb") as f:
        head = f.read(10)
    r.eq(head[4:8], b"\0\0\0\0", "gzip header without a timestamp")
    text = m["tlsprobe-bundle/trace.txt"][1].decode()
    r.contains(text, "[1] OK (", "trace.txt is the text trace with the verdict")
    r.contains(m["tlsprobe-bundle/versions.txt"][1].decode(), "GnuTLS", "versions name GnuTLS")
    r.contains(m["tlsprobe-bundle/command.txt"][1].decode(), "--bundle", "the command line")
    fleet = m["tlsprobe-bundle/fleet.txt"][1].decode()
    r.check(re.match(r"tlsprobe fleet: 1 connection in 1 group, 0 failing\n", fleet) is not None,
            "fleet.txt: the one connection in one group, none failing", fleet[:200])
    r.check(re.search(r"^OK +1 connection from 1 peer: session-ok", fleet, re.M) is not None,
            "fleet.txt: the group is ok, with its cause", fleet[:400])
    pcap = os.path.join(tmp, "capture.pcapng")
    with open(pcap, "wb") as f:
        f.write(m["tlsprobe-bundle/capture.pcapng"][1])
    p = subprocess.run(["tshark", "-r", pcap, "-Y", "tls.app_data", "-T", "fields", "-e",
                        "data.data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    r.contains(p.stdout.decode(), MESSAGE.hex(), "tshark decrypts the pcapng with its own keys")
    keep["m"] = m


def test_reproducible(r, tmp, m):
    files = []
    for name in ("trace.txt", "trace.jsonl", "capture.pcapng", "cert.pem"):
        p = os.path.join(tmp, "in-" + name)
        with open(p, "wb") as f:
            f.write(m["tlsprobe-bundle/" + name][1])
        files.append(p)
    outs = []
    o = os.path.join(tmp, "again.tar.gz")
    for i in range(2):  # the same command line twice (command.txt is inside)
        p = subprocess.run([tp.TLSPROBE, "bundle", "-o", o] + files, stderr=subprocess.PIPE,
                           timeout=60)
        r.eq(p.returncode, 0, "tlsprobe bundle exits 0", p.stderr.decode())
        with open(o, "rb") as f:
            outs.append(f.read())
        os.rename(o, o + str(i))
    r.check(outs[0] == outs[1] and len(outs[0]) > 0, "the same inputs give the same bytes")
    again = members(o + "0")
    r.eq(again["tlsprobe-bundle/capture.pcapng"][1], m["tlsprobe-bundle/capture.pcapng"][1],
         "tlsprobe bundle recognises the pcapng by its contents")
    kl = os.path.join(tmp, "keys.log")
    with open(kl, "w") as f:
        f.write("CLIENT_RANDOM " + "00" * 32 + " " + "ab" * 48 + "\n")
    o = os.path.join(tmp, "kl.tar.gz")
    p = subprocess.run([tp.TLSPROBE, "bundle", "-o", o, kl, files[0]], stderr=subprocess.PIPE,
                       timeout=60)
    err = p.stderr.decode()
    r.contains(err, "left out " + kl, "a key log is left out, named")
    r.contains(err, "decrypts every session", "and says why")
    r.check(all(b"ab" * 48 not in d for _, d in members(o).values()), "no key log line inside")
    link = os.path.join(tmp, "link.tar.gz")
    target = os.path.join(tmp, "target")
    with open(target, "w") as f:
        f.write("keep\n")
    os.symlink(target, link)
    p = subprocess.run([tp.TLSPROBE, "bundle", "-o", link, files[0]], stderr=subprocess.PIPE,
                       timeout=60)
    r.check(p.returncode != 0, "a symlink as the bundle is refused", p.stderr.decode())
    with open(target) as f:
        r.eq(f.read(), "keep\n", "the symlink's target is untouched")


def test_sweep(r, tmp):
    out = os.path.join(tmp, "sweep.tar.gz")
    p = tp.run_tp([tp.TLSPROBE, "sweep", "--client",
                        "curl -sk --tls-max 1.2 https://{host}:{port}/ -o /dev/null",
                        "--axes", "protocol", "--protocols", "TLS1.2,TLS1.3",
                        "--include-unoffered", "--bundle", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    r.eq(p.returncode, 0, "sweep --bundle exits 0", p.stderr.decode()[-2000:])
    r.check(not tp.SANITIZER_RE.search(p.stderr.decode()), "no sanitizer report from the sweep")
    m = members(out)
    readme = m.get("tlsprobe-bundle/README.md", (None, b""))[1].decode()
    for want in ("sweep.json", "report.html", "trace.jsonl", "trace.txt"):
        r.check(want in readme_files(readme) and "tlsprobe-bundle/" + want in m,
                "the sweep's bundle has " + want, readme)
    r.contains(readme, "decides: fails exactly when protocol = TLS1.3",
               "the README quotes the sweep's rule")
    r.check(re.search(r"\[\d/2\] TLS1.3: fail", readme) is not None,
            "the README quotes the failing result", readme)


def make_cert(tmp):
    key, cert = os.path.join(tmp, "user.key"), os.path.join(tmp, "user.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=bundle.test"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    with open(key) as f:
        pem = f.read()
    body = "".join(l for l in pem.splitlines() if not l.startswith("-----"))
    return key, cert, body, base64.b64decode(body)


def leaks(path, body, der):
    """Where a piece of the key shows up: the compressed file, or any entry."""
    with open(path, "rb") as f:
        raw = gzip.decompress(f.read())
    chunks = [body[i:i + 40].encode() for i in range(0, len(body) - 40, 200)]
    chunks += [der[i:i + 32] for i in range(0, len(der) - 32, 160)]
    return [c for c in chunks if c in raw]


def test_user_cert(r, tmp):
    key, cert, body, der = make_cert(tmp)
    path, srv, echoed = serve_bundle(tmp, ["--cert", cert, "--key", key], "user.tar.gz")
    r.eq(echoed, MESSAGE, "the client talks to the server with the user's certificate")
    r.eq(leaks(path, body, der), [], "no piece of the --key key anywhere in the bundle")
    r.contains(srv.stderr_text, "left out " + key, "the key is left out, named on stderr")
    r.contains(srv.stderr_text, "impersonate", "and why")
    m = members(path)
    readme = m["tlsprobe-bundle/README.md"][1].decode()
    r.contains(readme, "## Left out", "the README says what was left out")
    pcap = os.path.join(tmp, "user.pcapng")
    with open(pcap, "wb") as f:
        f.write(m["tlsprobe-bundle/capture.pcapng"][1])
    p = subprocess.run(["tshark", "-r", pcap, "-Y", "tls.app_data", "-T", "fields", "-e",
                        "data.data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    r.check(MESSAGE.hex() not in p.stdout.decode(),
            "the pcapng of a server with the user's certificate carries no keys")
    path2, srv2, _ = serve_bundle(tmp, ["--cert", cert, "--key", key, "--bundle-include-secrets"],
                                  "secrets.tar.gz")
    r.check(len(leaks(path2, body, der)) > 0, "with --bundle-include-secrets the key is inside")


def main():
    r = tp.Results()
    tmp = tempfile.mkdtemp(prefix="tp-bundle-")
    try:
        keep = {}
        r.run(test_throwaway, tmp, keep)
        if r.check("m" in keep, "the bundle of serve was read"):
            r.run(test_reproducible, tmp, keep["m"])
        r.run(test_user_cert, tmp)
        r.run(test_sweep, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
