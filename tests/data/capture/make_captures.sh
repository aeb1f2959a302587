#!/bin/sh
# Regenerates the real loopback captures in this folder (run as root, or
# with dumpcap allowed to capture on lo).  Each capture holds one complete
# TLS session between `openssl s_client` and `openssl s_server` on
# 127.0.0.1; the matching NSS key log is saved next to it.
#   tls12-lo.pcapng      TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, dumpcap on lo (Ethernet)
#   tls12-lo.keys
#   tls13-any.pcap       TLS 1.3, dumpcap -P on "any" (Linux cooked), classic pcap
#   tls13-any.keys
#   tls13-dsb.pcapng     tls13-any with its keys injected as a DSB (editcap --inject-secrets)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" \
    -days 2 -subj /CN=localhost >/dev/null 2>&1

one() { # name port iface format client-args...
    name=$1 port=$2 iface=$3 fmt=$4
    shift 4
    dumpcap -q -i "$iface" $fmt -f "tcp port $port" -w "$W/$name.cap" 2>/dev/null &
    dc=$!
    sleep 1.5
    openssl s_server -accept "127.0.0.1:$port" -cert "$W/c.pem" -key "$W/k.pem" -naccept 1 \
        -quiet >/dev/null 2>&1 &
    sleep 0.5
    echo hello tlsprobe | openssl s_client -connect "127.0.0.1:$port" -keylogfile "$W/$name.keys" \
        -quiet "$@" >/dev/null 2>&1 || true
    sleep 1
    kill -INT $dc
    wait $dc || true
}

one tls12-lo 45871 lo "" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
cp "$W/tls12-lo.cap" "$HERE/tls12-lo.pcapng"
cp "$W/tls12-lo.keys" "$HERE/tls12-lo.keys"
one tls13-any 45872 any -P -tls1_3
cp "$W/tls13-any.cap" "$HERE/tls13-any.pcap"
cp "$W/tls13-any.keys" "$HERE/tls13-any.keys"
editcap --inject-secrets "tls,$HERE/tls13-any.keys" "$HERE/tls13-any.pcap" "$HERE/tls13-dsb.pcapng"
ls -l "$HERE"
