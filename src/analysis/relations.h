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
#include "resumption.h"

#define TP_REL_NAMES_MAX 8
#define TP_REL_NAME_LEN 64
#define TP_REL_ALPN_MAX 8
#define TP_REL_ALPN_LEN 32
#define TP_APP_FIRST_MAX 64
#define TP_REL_DETAIL_LEN 160

/* A PSK the client offered against the server's (RFC 4279, RFC 8446
 * 4.2.11), and the server's post-handshake CertificateRequests (RFC 8446
 * 4.6.2) with the client's answers. */
typedef struct {
    bool offered;   /* TLS 1.3 pre_shared_key, or a TLS <= 1.2 PSK ClientKeyExchange */
    bool printable; /* the identity is text (an external PSK's name; a ticket is not) */
    char identity[TP_REL_NAME_LEN]; /* the client's (first) identity, when printable */
    bool selected;  /* TLS 1.3: the server's pre_shared_key */
    const char *server_ids; /* "'y', 'z'": the server's --psk identities (set by the
                               server; NULL offline or without --psk) */
    /* the server's key of an identity (set by the server with server_ids):
     * true with *out_len bytes in out */
    bool (*key_of)(const void *ctx, const char *identity, uint8_t *out, size_t cap,
                   size_t *out_len);
    const void *key_ctx;
    int binder_ok; /* our check of the client's first binder with the server's key:
                      1 right, 0 wrong, -1 not checked (RFC 8446 4.2.11.2) */
    bool pha_offered;       /* post_handshake_auth in the ClientHello (RFC 8446 4.2.6) */
    unsigned pha_requests;  /* CertificateRequests after the TLS 1.3 handshake */
    bool pha_answered;      /* the client sent a Certificate after a request */
    unsigned pha_certs;     /* certificates in its last answer */
    bool pha_finished;      /* the client's Finished after its answer */
    unsigned key_updates[2];   /* TLS 1.3 KeyUpdates sent (0: client, 1: server) */
    unsigned ku_requested[2];  /* of them, with update_requested (RFC 8446 4.6.3) */
} tp_rel_psk;

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
    /* the server's side of ALPN and SNI: live only (server/names_facts.c) */
    char alpn_server[200];          /* "h2, http/1.1": the server's list; "" none or not known */
    const char *alpn_mode;          /* "strict", "ignore"; NULL offline */
    const char *sni_mode;           /* "strict", "warn", "ignore"; NULL offline */
    char sni_names[200];            /* the --sni-cert names, ", " between them; "" none */
    char sni_cert[TP_REL_NAME_LEN]; /* chosen: "default", an --sni-cert NAME, "none"; "" unknown */
    /* client certificate */
    const char *client_cert_mode; /* "none", "request", "require"; NULL offline */
    bool cert_requested;          /* the server sent CertificateRequest */
    int client_certs_sent;        /* certificates in the client's Certificate; -1: none sent */
    /* renegotiation */
    unsigned reneg_client_hellos; /* ClientHellos after a completed handshake */
    bool hello_request;           /* the server asked (HelloRequest) */
    bool reneg_secure;            /* the first ClientHello offered RFC 5746 */
    int reneg_allowed;            /* the server's policy: 1 yes, 0 declines, -1 not known */
    tp_rel_psk psk;               /* PSK and post-handshake auth (relations_psk.c) */
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
    /* resumption (resumption.h, analysis/session_resume.c) */
    tp_resumption resumption;
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

/* PSK and post-handshake auth facts of one handshake message (renego: both
 * Finished seen before it); relations_psk.c. */
void tp_facts_psk_on_handshake(tp_facts *f, int dir, const wire_handshake *m, bool renego);
/* Checks the first binder of the client's first ClientHello (msg: the
 * whole message, ch its parse) with the server's key (key_of): sets
 * binder_ok. */
void tp_facts_psk_binder(tp_facts *f, const uint8_t *msg, size_t len, const wire_client_hello *ch);
/* 1 when the client's identity is one of the server's, 0 when not, -1 not
 * known (offline, no printable identity). */
int tp_rel_psk_known(const tp_rel_psk *p);

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
