/* What a verdict depends on, gathered from the handshake messages the
 * session already parses: the name the client asked for (SNI) against the
 * names in the server's certificate, ALPN offered against selected, a
 * client certificate requested against sent, renegotiation.  Plus the few
 * facts of the transport and application layers the server knows (mode,
 * refusal at capacity, the client's first application bytes, when its last
 * byte came).  Pure: fed by session.c, read by the verdict rules and the
 * sinks.  No I/O. */
#ifndef TP_ANALYSIS_RELATIONS_H
#define TP_ANALYSIS_RELATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/handshake.h"
#include "upstream.h"

#define TP_REL_NAMES_MAX 8
#define TP_REL_NAME_LEN 64
#define TP_REL_ALPN_MAX 8
#define TP_REL_ALPN_LEN 32
#define TP_APP_FIRST_MAX 64
#define TP_REL_DETAIL_LEN 160

typedef struct {
    /* SNI against the certificate (the first one of the server's chain) */
    bool sni_offered;
    char sni[TP_REL_NAME_LEN];
    bool cert_seen;
    unsigned num_cert_names; /* SAN DNS names and IP addresses; the CN when there are none */
    char cert_names[TP_REL_NAMES_MAX][TP_REL_NAME_LEN];
    int sni_match; /* -1 not known (no SNI or no certificate), 0 no, 1 yes */
    /* ALPN */
    unsigned num_alpn_offered;
    char alpn_offered[TP_REL_ALPN_MAX][TP_REL_ALPN_LEN];
    bool alpn_answer_seen; /* ServerHello (<= 1.2) or EncryptedExtensions (1.3) seen */
    char alpn_selected[TP_REL_ALPN_LEN]; /* "" when the server selected none */
    /* client certificate */
    const char *client_cert_mode; /* "none", "request", "require"; NULL offline */
    bool cert_requested;          /* the server sent CertificateRequest */
    int client_certs_sent;        /* certificates in the client's Certificate; -1: none sent */
    /* renegotiation */
    unsigned reneg_client_hellos; /* ClientHellos after a completed handshake */
    bool hello_request;           /* the server asked (HelloRequest) */
    bool reneg_secure;            /* the first ClientHello offered RFC 5746 */
    int reneg_allowed;            /* the server's policy: 1 yes, 0 declines, -1 not known */
    /* certificates and OCSP (the server fills what it configured: live only) */
    struct {
        const char *variant; /* --cert-variant / --chain: "expired", "none", ...; NULL: none */
        char detail[TP_REL_DETAIL_LEN]; /* "notAfter 2026-10-31 10:00 UTC" */
        const char *ocsp;    /* --ocsp: "good", "revoked", "unknown", "file"; NULL: none */
        bool ocsp_offered;   /* the client sent status_request (RFC 6066 8) */
        bool ocsp_stapled;   /* the server sent a response (CertificateStatus, or TLS 1.3) */
        const char *client_ca;     /* --client-ca FILE */
        const char *client_verify; /* "ok", "unknown-ca", "bad-signature", "expired", ... */
    } certs;
} tp_relations;

/* How the application data fit the server's mode. */
typedef struct {
    unsigned long long c2s_bytes, s2c_bytes; /* opened application data */
    const char *fit;                         /* see tp_facts_app_fit; NULL: nothing to say */
    char note[160]; /* as long as tp_layers' app.note */
} tp_app_layer;

/* Why the server refused a connection before TLS, or 0. */
typedef enum {
    TP_REFUSED_NONE = 0,
    TP_REFUSED_AT_CAPACITY,  /* --max-conns reached */
    TP_REFUSED_NO_FDS,       /* accept() failed: out of descriptors */
    TP_REFUSED_INTERACTIVE,  /* interactive mode already has its client */
} tp_refusal;

typedef struct {
    tp_relations rel;
    const char *mode; /* "http", "echo", "interactive"; NULL offline */
    /* transport */
    tp_refusal refused;
    unsigned max_conns, open_conns; /* at capacity */
    bool max_conns_default;         /* max_conns is the default (no --max-conns given) */
    int accept_errno;               /* no fds: EMFILE / ENFILE */
    unsigned long fd_limit;         /* no fds: RLIMIT_NOFILE soft limit (0 unknown) */
    /* timing of the client's bytes (seconds since accept) */
    unsigned c2s_feeds;
    double c2s_first_t, c2s_last_t;
    /* application data */
    unsigned long long app_bytes[2];
    uint8_t app_first[TP_APP_FIRST_MAX]; /* the client's first opened bytes */
    size_t app_first_len;
    /* progress, to tell a renegotiation from the first handshake */
    unsigned client_hellos;
    bool finished[2];
    /* proxy (serve --upstream): its upstream leg (upstream.h) */
    tp_upstream_facts up;
} tp_facts;

void tp_facts_init(tp_facts *f);
/* One parsed handshake message (dir 0: client to server, 1: back). */
void tp_facts_on_handshake(tp_facts *f, int dir, const wire_handshake *m);
/* Opened application data. */
void tp_facts_on_appdata(tp_facts *f, int dir, const uint8_t *p, size_t len);
/* Raw bytes on the wire at time t. */
void tp_facts_on_bytes(tp_facts *f, int dir, double t, size_t len);

/* The application layer: fit "h2-preface" (the HTTP/2 connection preface),
 * "not-http" (--http got bytes that are no HTTP/1.x request), "http",
 * "echo", "no-data" (nothing after the handshake), or NULL. */
void tp_facts_app_fit(const tp_facts *f, tp_app_layer *out);

/* The client's first application bytes as a short quoted string
 * ("hello", up to the first line end), or as hex when they are not text. */
void tp_facts_first_bytes(const tp_facts *f, char *out, size_t out_len);

/* "wrong.example" against the names: RFC 6125 6.4 (case-insensitive, a
 * wildcard only as the whole left-most label). */
bool tp_rel_name_matches(const char *host, const char *pattern);
/* "localhost, 127.0.0.1" (truncated to fit). */
void tp_rel_cert_names(const tp_relations *r, char *out, size_t out_len);
/* "h2, http/1.1" (truncated to fit). */
void tp_rel_alpn_offered(const tp_relations *r, char *out, size_t out_len);
/* The client offered ALPN and none of its protocols is http/1.1. */
bool tp_rel_alpn_without_http11(const tp_relations *r);

#endif
