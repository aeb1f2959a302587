/* The TLS engine interface: one file per library behind it (gnutls.c now,
 * openssl.c later).  The engine never touches sockets and never writes
 * output: the server gives it a transport (push/pull callbacks) and takes
 * key log lines and negotiated parameters back through callbacks. */
#ifndef TP_ENGINE_ENGINE_H
#define TP_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Creates the engine (credentials, priority).  On failure returns NULL and
 * writes a user-facing message naming the bad value into err. */
tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len);
void tp_engine_free(tp_engine *e);
/* Whether a client may renegotiate (--renegotiation allow): the engine then
 * runs the handshake again on a ClientHello after the completed one (safe
 * renegotiation, RFC 5746, is the engine's default); otherwise it declines
 * with a no_renegotiation warning (RFC 5246 7.2.2). */
bool tp_engine_renegotiation_allowed(const tp_engine *e);
/* The TP_RESUME_* bits this server offers. */
unsigned tp_engine_resumption(const tp_engine *e);
/* What --client-cert asked for. */
tp_client_cert tp_engine_client_cert(const tp_engine *e);
/* ALPN and SNI as configured: the server's side for the trace and verdict. */
void tp_engine_names_info_get(const tp_engine *e, tp_engine_names_info *out);
/* The certificate the connection's ClientHello chose: "default", an
 * --sni-cert NAME, "none" (--sni-mode strict refused), "" (not yet). */
const char *tp_engine_conn_sni_cert(const tp_engine_conn *c);
/* SHA-256 fingerprint of the server certificate as "AA:BB:..". */
const char *tp_engine_cert_fingerprint(const tp_engine *e);
/* PEM of the generated certificate (*out_len bytes), for the command to
 * save; NULL when the certificate came from files.  The engine
 * writes no file. */
const char *tp_engine_cert_pem(const tp_engine *e, size_t *out_len);
/* Certificates (certgen.c): the variants of the generated chain, in the
 * order --help lists them, and a line about one (NULL when unknown);
 * whether the sweep's cert axis tries it unless named (rsa8192 takes
 * minutes to generate). */
unsigned tp_engine_cert_variants(const char *const **out);
const char *tp_engine_cert_variant_help(const char *name);
bool tp_engine_cert_variant_swept(const char *name);
/* The generated chain's variant ("none" for the valid chain) and what is
 * wrong with it ("notAfter 2026-10-31 10:00 UTC"); NULL without a chain. */
const char *tp_engine_cert_variant(const tp_engine *e, const char **out_detail);
/* PEM of the generated root CA (--save-ca); NULL without a chain. */
const char *tp_engine_ca_pem(const tp_engine *e, size_t *out_len);
/* What --ocsp staples: "good", "revoked", "unknown", "file", or NULL. */
const char *tp_engine_ocsp(const tp_engine *e);
/* A client certificate and its key (one PEM) issued by the generated root
 * CA, for --client-ca generated; malloc()ed (the caller wipes and frees
 * it), NULL with err set. */
char *tp_engine_client_cert_pem(size_t *out_len, char *err, size_t err_len);
/* The --client-ca file client certificates are verified against ("generated":
 * the generated root CA), or NULL. */
const char *tp_engine_client_ca(const tp_engine *e);
/* The check of the client's certificate against --client-ca: "ok",
 * "unknown-ca", "bad-signature", "expired", "not-yet-valid", "invalid";
 * NULL when not checked (no --client-ca, no certificate). */
const char *tp_engine_conn_client_verify(tp_engine_conn *c);

/* Suites/groups/versions the priority allows (IANA ids), for the verdict. */
unsigned tp_engine_allowed_suites(const tp_engine *e, const uint16_t **out);
unsigned tp_engine_allowed_groups(const tp_engine *e, const uint16_t **out);
unsigned tp_engine_allowed_versions(const tp_engine *e, const uint16_t **out);

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t);
void tp_engine_conn_free(tp_engine_conn *c);
tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c);
/* Reads application data: *out_n bytes on TP_ENGINE_OK. */
tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n);
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len);
/* Sends a HelloRequest (TLS <= 1.2; RFC 5246 7.4.1.1) and takes the
 * client's renegotiation on this connection whatever --renegotiation says.
 * false when the protocol has none (TLS 1.3) or the engine refused. */
bool tp_engine_conn_request_renegotiation(tp_engine_conn *c);
/* On-demand actions after the handshake (--interactive; actions.c). */
typedef enum {
    TP_ACT_RENEGOTIATE,         /* HelloRequest (TLS <= 1.2, RFC 5246 7.4.1.1) */
    TP_ACT_KEY_UPDATE,          /* KeyUpdate update_not_requested (TLS 1.3, RFC 8446 4.6.3) */
    TP_ACT_KEY_UPDATE_REQUESTED, /* KeyUpdate update_requested */
    TP_ACT_REQUEST_CERT, /* post-handshake CertificateRequest (TLS 1.3, RFC 8446 4.6.2) */
    TP_ACT_ALERT,        /* an alert of the given level and description */
} tp_engine_action;
/* Runs an action (level and desc: TP_ACT_ALERT only).  false, with why
 * saying why not ("KeyUpdate exists in TLS 1.3 only; this session is
 * TLS1.2"), when the session cannot take it.  *out_end: the session is
 * over (a fatal alert went out); the caller closes without close_notify. */
bool tp_engine_conn_act(tp_engine_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                        bool *out_end, char *why, size_t why_len);
/* Sends close_notify (best effort). */
void tp_engine_conn_close(tp_engine_conn *c);
void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out);
/* Last error: short name ("GNUTLS_E_NO_CIPHER_SUITES") and text. */
const char *tp_engine_conn_error_name(const tp_engine_conn *c);
const char *tp_engine_conn_error_text(const tp_engine_conn *c);
/* true when the engine wants to write but the transport pushed back */
bool tp_engine_conn_has_pending(const tp_engine_conn *c);

#endif
