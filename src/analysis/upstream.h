/* What a terminating proxy (`serve --upstream`, `tlsprobe proxy`) saw of
 * its upstream, the real server behind it: filled by the proxy mode
 * (server/proxy.c) through the session's facts, read by the upstream
 * verdict rules (verdict_upstream.c) and rendered as layers.app.upstream
 * (docs/trace-format.md).  Plain data, no I/O. */
#ifndef TP_ANALYSIS_UPSTREAM_H
#define TP_ANALYSIS_UPSTREAM_H

#include <stdbool.h>

typedef enum {
    TP_UP_NONE = 0,           /* no upstream (not a proxy) */
    TP_UP_CONNECTING,         /* connect() in progress */
    TP_UP_CONNECTED,          /* TCP (and with --upstream-tls TLS) up */
    TP_UP_REFUSED,            /* connect refused (RST to the SYN) */
    TP_UP_UNREACHABLE,        /* no route, network down, other connect errors */
    TP_UP_CONNECT_TIMEOUT,    /* no answer to the connection attempt in time */
    TP_UP_TLS_FAILED,         /* --upstream-tls: the handshake with the upstream failed */
} tp_upstream_state;

/* "none", "connecting", "connected", "refused", "unreachable",
 * "connect-timeout", "tls-failed" */
const char *tp_upstream_state_name(tp_upstream_state s);

typedef struct {
    tp_upstream_state state;
    char addr[96];       /* "127.0.0.1:25" */
    const char *leg;     /* "plain", "tls" (--upstream-tls), "starttls-smtp", ... */
    char error[128];     /* the connect error or the TLS error; "" */
    char tls[48];        /* --upstream-tls: "TLS1.3 AES-256-GCM" once up */
    double connect_t;    /* when the connection was up, or failed (s since accept) */
    unsigned long long c2u_bytes, u2c_bytes; /* plaintext forwarded each way */
    double last_c2u_t, last_u2c_t;           /* when the last bytes went each way */
    bool closed;         /* the upstream closed its side while the client was still on */
    bool reset;          /* ... with a reset (or a read error) */
    double closed_t;
} tp_upstream_facts;

#endif
