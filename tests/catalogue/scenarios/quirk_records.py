"""Record quirks (--quirk): valid records shaped the way old servers wrote
them, against clients that break on them (tests/sweep_clients/
record_intolerant.py) and against one that does not."""
import os
import subprocess

import tp

CLIENT = os.path.join(tp.TP_SRC, "tests", "sweep_clients", "record_intolerant.py")
CBC12 = ["--protocols", "TLS1.2", "--ciphers", "AES-128-CBC", "--macs", "SHA1"]


def _intolerant(prop, *extra):
    def drive(port, tmp):
        p = subprocess.run(["python3", CLIENT, "127.0.0.1", str(port), "--reject", prop] + list(extra),
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 1 and "dropping the connection" in p.stdout, p.stdout + p.stderr
    return drive


def _tls10_echo(port, tmp):
    echoed, rc, out = tp.echo_exchange(tp.s_client(port, "-tls1", "-cipher", "ALL:@SECLEVEL=0"),
                                       "quirk-catalogue")
    assert echoed, out[-500:]


SCENARIOS = [
    # the phone story: the client drops the connection after the server's
    # Finished because its CBC padding is not minimal; our check clears it
    {"name": "phone-rejects-non-minimal-cbc-padding",
     "serve": ["--echo", "--quirk", "cbc-padding=max"] + CBC12, "drive": _intolerant("padding"),
     "expect": {"outcome": "fail", "actor": "client",
                "words": ["Finished", "shaped by --quirk cbc-padding=max",
                          "padding 255 bytes well-formed (not minimal)",
                          "the server's record is valid", "the client rejected a valid record"]}},
    # the founding story as the README tells it: TLS 1.0, a phone that answers
    # the server's non-minimal padding with bad_record_mac
    {"name": "phone-bad-record-mac-on-padded-finished-tls10",
     "serve": ["--echo", "--quirk", "cbc-padding=max", "--protocols", "TLS1.0",
               "--ciphers", "AES-128-CBC", "--macs", "SHA1"],
     "drive": _intolerant("padding", "--alert"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-record",
                "words": ["encrypted fatal bad_record_mac",
                          "right after the server's first protected record (Finished)",
                          "not minimal", "the client rejected a valid record"]}},
    {"name": "no-reassembly-client-drops-fragmented-flight",
     "serve": ["--echo", "--quirk", "hs-fragment=64"], "drive": _intolerant("fragment"),
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "words": ["without an alert", "the server's record is valid"]}},
    # a client that expects whole messages in one record rejects the 1/n-1
    # split with its library's alert for a bad record
    {"name": "tiny-record-client-rejects-1-n-1-split",
     "serve": ["--echo", "--quirk", "appdata-split=1/n-1"], "drive": _intolerant("tiny"),
     "expect": {"outcome": "fail", "actor": "client", "cause": "client-rejected-record",
                "words": ["bad_record_mac", "the server's record is valid"]}},
    {"name": "tls10-max-cbc-padding-accepted",
     "serve": ["--echo", "--quirk", "cbc-padding=max", "--protocols", "TLS1.0",
               "--ciphers", "AES-128-CBC", "--macs", "SHA1"], "drive": _tls10_echo,
     "expect": {"outcome": "ok", "actor": "none", "cause": "session-ok", "words": ["both ways"]}},
]
