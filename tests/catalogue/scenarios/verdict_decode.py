"""Verdict rows decided from real captures (tests/data/catalogue/, made by
tests/data/catalogue/make_captures.sh with openssl s_client / s_server and
python3 sockets on 127.0.0.1)."""

NO_ANSWER = {"outcome": "ok", "phase": "after-handshake", "actor": "none",
             "cause": "app-no-answer",
             "words": ["the TLS session worked", "the client sent 15 bytes of application data",
                       "the server answered nothing", "close_notify"],
             "absent": ["without sending data"]}

SCENARIOS = [
    # s_client sends a line to s_server, which answers nothing: TLS worked
    {"name": "decode-line-no-answer-tls12", "decode": "catalogue/line-no-answer-tls12.pcapng",
     "keylog": "catalogue/line-no-answer-tls12.keys", "expect": NO_ANSWER},
    {"name": "decode-line-no-answer-tls13", "decode": "catalogue/line-no-answer-tls13.pcapng",
     "keylog": "catalogue/line-no-answer-tls13.keys", "expect": NO_ANSWER},
    # the older capture of the same exchange, its keys inside the pcapng (DSB)
    {"name": "decode-line-no-answer-dsb", "decode": "capture/tls13-dsb.pcapng",
     "expect": NO_ANSWER},
    # s_server (its stdin at EOF) closes first after the handshake; the client answers
    {"name": "decode-server-close-notify-first", "decode": "capture/tls12-lo.pcapng",
     "keylog": "capture/tls12-lo.keys",
     "expect": {"outcome": "ok", "phase": "after-handshake", "actor": "none",
                "cause": "handshake-only",
                "words": ["the server sent close_notify before any application data",
                          "the client answered close_notify"]}},
    # a fatal alert before any hello: no "after the server's nothing"
    {"name": "decode-alert-before-hello", "decode": "catalogue/alert-before-hello.pcapng",
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-alert",
                "words": ["client sent fatal handshake_failure before any handshake message"],
                "absent": ["nothing"]}},
    # s_client -verify_return_error rejects the self-signed certificate (TLS 1.2)
    {"name": "decode-unknown-ca-tls12", "decode": "catalogue/unknown-ca-tls12.pcapng",
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "client",
                "cause": "client-rejected-certificate",
                "words": ["the client rejected the server's certificate: fatal unknown_ca",
                          "after the server's ServerHelloDone"],
                "absent": ["our check", "rejected a valid record"]}},
    # the same sessions without their keys: nobody is blamed for what cannot be read
    {"name": "decode-tls13-without-keys", "decode": "capture/tls13-any.pcap",
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "none",
                "cause": "unreadable-without-keys",
                "words": ["went on encrypted after the server's ServerHello",
                          "no keys", "pass --keylog FILE"],
                "absent": ["without an alert", "rejected"]}},
    {"name": "decode-tls12-without-keys", "decode": "catalogue/line-no-answer-tls12.pcapng",
     "expect": {"outcome": "fail", "phase": "handshake", "actor": "none",
                "cause": "unreadable-without-keys",
                "words": ["no keys", "encrypted alerts"],
                "absent": ["client sent"]}},
    # a client connects and closes without a byte (s_server answers the close)
    {"name": "decode-preconnect", "decode": "catalogue/preconnect.pcapng",
     "expect": {"outcome": "unused", "phase": "transport", "actor": "client",
                "cause": "unused-connection",
                "words": ["without sending a byte", "not a TLS failure"]}},
]
