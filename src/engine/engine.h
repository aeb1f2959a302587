/* The TLS engine interface: one file per library behind it (gnutls.c,
 * openssl.c), chosen per configuration by engine.c.  The engine never touches sockets and never writes
 * output: the server gives it a transport (push/pull callbacks) and takes
 * key log lines and negotiated parameters back through callbacks. */
#ifndef TP_ENGINE_ENGINE_H
#define TP_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "names.h"
#include "alpn_sni.h"

typedef struct tp_engine tp_engine;           /* per server configuration */
typedef struct tp_engine_conn tp_engine_conn; /* per connection */

typedef enum { TP_CLIENT_CERT_NONE, TP_CLIENT_CERT_REQUEST, TP_CLIENT_CERT_REQUIRE } tp_client_cert;

/* Resumption the server offers (--resumption): bits. */
enum {
    TP_RESUME_ID = 1,     /* session-ID cache (TLS <= 1.2) */
    TP_RESUME_TICKET = 2, /* session tickets (TLS 1.2, RFC 5077) */
    TP_RESUME_PSK = 4,    /* TLS 1.3 tickets: resumption PSK (RFC 8446 4.6.1) */
    TP_RESUME_ALL = 7,
};
#define TP_TICKETS_DEFAULT 2 /* TLS 1.3 tickets after a handshake (GnuTLS sends 2) */

typedef struct {
    const char *priority;  /* engine priority string (already built) */
    const char *cert_file; /* PEM; NULL: generate */
    const char *key_file;
    const char *key_type;       /* "rsa:2048" etc, for generation */
    const char *const *san_dns; /* extra DNS names for the generated cert */
    const char *const *san_ip;  /* IP addresses for the generated cert */
    tp_client_cert client_cert;
    unsigned dh_bits;   /* DHE parameters size (0: engine default) */
    bool renegotiation; /* --renegotiation allow: take client-initiated ones */
    /* --psk ID:HEX and --srp USER:PASSWORD values (engine/psk.h checks
     * them); with any, the PSK / SRP key exchanges become negotiable */
    const char *const *psk;
    unsigned num_psk;
    const char *const *srp;
    unsigned num_srp;
    tp_engine_names names; /* --alpn, --alpn-mode, --sni-cert, --sni-mode (alpn_sni.h) */
    /* certificates (certgen.c, ocsp.c) */
    bool chain;               /* --chain: a generated CA -> intermediate -> leaf */
    const char *cert_variant; /* --cert-variant NAME (implies the chain); NULL: none */
    const char *ocsp;         /* --ocsp good|revoked|unknown|FILE; NULL: no staple */
    const char *client_ca;    /* --client-ca FILE: verify client certificates; NULL: not */
    /* which engine (engine.c): "gnutls" (NULL) or "openssl" */
    const char *engine;
    /* the openssl engine: the lists as typed (either spelling), or the
     * OpenSSL strings --cipher-string / --ciphersuites (NULL: built from
     * the lists); the gnutls engine takes priority above */
    engine_lists lists;
    const char *cipher_string, *ciphersuites;
    /* resumption: TP_RESUME_* bits switched OFF (0: all on), TLS 1.3 tickets
     * sent after each handshake (tickets_set: else TP_TICKETS_DEFAULT), and
     * whether 0-RTT data is taken (--early-data; once per ticket) */
    unsigned resumption_off; /* TP_RESUME_TICKET is off with renegotiation (resume.c) */
    unsigned tickets;
    bool tickets_set;
    bool early_data;
} tp_engine_config;

typedef struct {
    /* Returns bytes accepted (may be fewer), or -1 with errno (EAGAIN). */
    ssize_t (*push)(void *ctx, const uint8_t *data, size_t len);
    /* Returns bytes read, 0 on EOF, or -1 with errno (EAGAIN). */
    ssize_t (*pull)(void *ctx, uint8_t *buf, size_t len);
    /* NSS key log line (no newline) for this connection. */
    void (*keylog)(void *ctx, const char *line);
    void *ctx;
    /* Optional (NULL: none): writes an alert record (RFC 5246 7.2) in the
     * connection's write state after what was pushed, for an engine that
     * cannot send an alert of one's choice (tp_engine_sends_alerts); false
     * when it could not. */
    bool (*alert)(void *ctx, uint8_t level, uint8_t desc);
} tp_transport;

typedef enum {
    TP_ENGINE_OK = 0, /* done */
    TP_ENGINE_AGAIN,  /* would block on read */
    TP_ENGINE_EOF,    /* peer closed cleanly (close_notify or EOF) */
    TP_ENGINE_ERROR,  /* fatal; see tp_engine_conn_error */
} tp_engine_rc;

typedef struct {
    char protocol[16], kx[24], cipher[32], mac[16], group[32], sigalg[40];
    char client_cert[256]; /* one-line summary or "" */
    /* resumption (engine/resume.c) */
    bool resumed;
    bool early_accepted; /* 0-RTT data taken */
    bool early_replay;   /* 0-RTT refused: that ticket's early data was taken before */
    bool cache_miss;     /* the client's session id was not in the cache */
} tp_engine_info;

/* On-demand actions after the handshake (--interactive; actions.c). */
typedef enum {
    TP_ACT_RENEGOTIATE,         /* HelloRequest (TLS <= 1.2, RFC 5246 7.4.1.1) */
    TP_ACT_KEY_UPDATE,          /* KeyUpdate update_not_requested (TLS 1.3, RFC 8446 4.6.3) */
    TP_ACT_KEY_UPDATE_REQUESTED, /* KeyUpdate update_requested */
    TP_ACT_REQUEST_CERT, /* post-handshake CertificateRequest (TLS 1.3, RFC 8446 4.6.2) */
    TP_ACT_ALERT,        /* an alert of the given level and description */
} tp_engine_action;

#include "engine_fns.h"

/* Suites/groups/versions the priority allows (IANA ids), for the verdict:
 * engine.c's, one for both engines (each engine file fills its lists,
 * internal.h), so not in engine_fns.h's per-engine set. */
unsigned tp_engine_allowed_suites(const tp_engine *e, const uint16_t **out);
unsigned tp_engine_allowed_groups(const tp_engine *e, const uint16_t **out);
unsigned tp_engine_allowed_versions(const tp_engine *e, const uint16_t **out);

/* Whether the engine's library sends an alert of one's choice (GnuTLS:
 * gnutls_alert_send); libssl has no call for it, so the openssl engine's
 * TP_ACT_ALERT needs the transport's alert (the server's record rewriter). */
bool tp_engine_sends_alerts(const tp_engine *e);

/* Whether an engine of that kind (a tp_engine_kinds name; NULL: gnutls)
 * can negotiate the name of flag at all, asked before an engine is made
 * (the sweep's cells and probe).  The openssl engine: what its build has
 * (tlsprobe list --engine openssl); the gnutls engine: every name, its
 * combinations are formable.c's to judge. */
bool tp_engine_kind_negotiable(const char *kind, engine_flag flag, const char *name);

/* The engines --engine takes ("gnutls", "openssl"), NULL-terminated, and
 * the OpenSSL library's runtime version ("3.0.19"). */
extern const char *const tp_engine_kinds[];
const char *tp_engine_openssl_version(void);

#endif
