#!/bin/sh
# Regenerates the verdict catalogue's captures (tests/catalogue/scenarios/
# verdict_*.py) with real peers on 127.0.0.1: dumpcap on lo (run as root, or
# with dumpcap allowed to capture), openssl s_server / s_client (OpenSSL 3.0)
# and python3 sockets.  The client's NSS key log is saved next to a capture
# when there is a session to open.
#   line-no-answer-tls12.pcapng/.keys  s_client -tls1_2 sends a line; s_server answers nothing
#   line-no-answer-tls13.pcapng/.keys  the same in TLS 1.3
#   alert-before-hello.pcapng          a client sends a fatal handshake_failure alert before any hello
#   unknown-ca-tls12.pcapng            s_client -tls1_2 -verify_return_error rejects the self-signed cert
#   preconnect.pcapng                  a client connects and closes without a byte
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" \
    -days 2 -subj /CN=localhost >/dev/null 2>&1

start() { # name port: capture, then a silent s_server (stdin held open: it never answers)
    dumpcap -q -i lo -f "tcp port $2" -w "$W/$1.cap" 2>/dev/null &
    DC=$!
    sleep 1.5
    sleep 6 | openssl s_server -accept "127.0.0.1:$2" -cert "$W/c.pem" -key "$W/k.pem" \
        -naccept 1 -quiet >/dev/null 2>&1 &
    sleep 0.5
}
stop() { # name
    sleep 1
    kill -INT $DC
    wait $DC || true
    cp "$W/$1.cap" "$HERE/$1.pcapng"
}

start line-no-answer-tls12 21801
(echo hello tlsprobe; sleep 1) | openssl s_client -connect 127.0.0.1:21801 -tls1_2 -quiet \
    -keylogfile "$HERE/line-no-answer-tls12.keys" >/dev/null 2>&1 || true
stop line-no-answer-tls12

start line-no-answer-tls13 21802
(echo hello tlsprobe; sleep 1) | openssl s_client -connect 127.0.0.1:21802 -tls1_3 -quiet \
    -keylogfile "$HERE/line-no-answer-tls13.keys" >/dev/null 2>&1 || true
stop line-no-answer-tls13

start alert-before-hello 21803
python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 21803))
s.sendall(bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]))  # fatal handshake_failure
time.sleep(0.5)
s.close()'
stop alert-before-hello

start unknown-ca-tls12 21804
openssl s_client -connect 127.0.0.1:21804 -tls1_2 -verify_return_error </dev/null \
    >/dev/null 2>&1 || true
stop unknown-ca-tls12

start preconnect 21805
python3 -c '
import socket, time
s = socket.create_connection(("127.0.0.1", 21805))
time.sleep(0.3)
s.close()'
stop preconnect
chmod 0600 "$HERE"/*.keys
ls -l "$HERE"
