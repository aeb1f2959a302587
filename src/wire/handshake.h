/* Handshake message parsing (RFC 5246 7.4, RFC 8446 4).  Parsers take one
 * complete message (4-byte header + body, reassembled by the caller) and fill
 * a caller-owned struct of views into that buffer.  No I/O, no allocation. */
#ifndef TP_WIRE_HANDSHAKE_H
#define TP_WIRE_HANDSHAKE_H

#include "cursor.h"
#include "status.h"

enum {
    WIRE_HS_HELLO_REQUEST = 0,
    WIRE_HS_CLIENT_HELLO = 1,
    WIRE_HS_SERVER_HELLO = 2,
    WIRE_HS_NEW_SESSION_TICKET = 4,
    WIRE_HS_END_OF_EARLY_DATA = 5,
    WIRE_HS_ENCRYPTED_EXTENSIONS = 8,
    WIRE_HS_CERTIFICATE = 11,
    WIRE_HS_SERVER_KEY_EXCHANGE = 12,
    WIRE_HS_CERTIFICATE_REQUEST = 13,
    WIRE_HS_SERVER_HELLO_DONE = 14,
    WIRE_HS_CERTIFICATE_VERIFY = 15,
    WIRE_HS_CLIENT_KEY_EXCHANGE = 16,
    WIRE_HS_FINISHED = 20,
    WIRE_HS_CERTIFICATE_STATUS = 22,
    WIRE_HS_KEY_UPDATE = 24,
    WIRE_HS_MESSAGE_HASH = 254,
};

#define WIRE_HS_HEADER_LEN 4
/* Largest handshake message tlsprobe reassembles (certificate chains) */
#define WIRE_HS_MAX_LEN (256 * 1024)

/* What the parser needs to know about the connection so far. */
typedef struct {
    uint16_t version;      /* negotiated version (0 until ServerHello) */
    uint16_t cipher_suite; /* negotiated suite (0 until ServerHello) */
} wire_hs_ctx;

/* Key exchange families, as used to interpret SKE/CKE */
typedef enum {
    WIRE_KX_UNKNOWN = 0,
    WIRE_KX_RSA,
    WIRE_KX_DHE,   /* DHE-RSA, DHE-DSS, DH-anon */
    WIRE_KX_ECDHE, /* ECDHE-RSA, ECDHE-ECDSA, ECDH-anon */
    WIRE_KX_PSK,
    WIRE_KX_DHE_PSK,
    WIRE_KX_ECDHE_PSK,
    WIRE_KX_RSA_PSK,
    WIRE_KX_SRP,
    WIRE_KX_TLS13, /* TLS 1.3: kx decided by key_share */
} wire_kx_family;

typedef struct {
    uint16_t legacy_version;
    cur_t random; /* 32 bytes */
    cur_t session_id;
    cur_t cipher_suites; /* raw list of u16 */
    cur_t compression;   /* raw list of u8 */
    bool has_extensions;
    cur_t extensions; /* raw extension block (without its u16 length) */
    bool sslv2;       /* came in SSLv2 framing: suites are 3-byte specs */
    cur_t challenge;  /* SSLv2 only */
} wire_client_hello;

typedef struct {
    uint16_t legacy_version;
    cur_t random;
    cur_t session_id;
    uint16_t cipher_suite;
    uint8_t compression;
    bool has_extensions;
    cur_t extensions;
    bool hello_retry_request;  /* random is the RFC 8446 4.1.3 constant */
    uint16_t selected_version; /* from supported_versions, else legacy_version */
} wire_server_hello;

/* Summary of one certificate of a chain */
typedef struct {
    cur_t der;
    char subject[256]; /* one-line RFC 2253 style, truncated */
    char issuer[256];
    char key_type[16]; /* "RSA", "EC", "Ed25519", "Ed448", "DSA", "unknown" */
    unsigned key_bits;
    char sig_alg[48]; /* e.g. "sha256WithRSAEncryption" */
    bool parsed;      /* false when the DER did not parse */
} wire_cert_summary;

#define WIRE_CERT_SUMMARY_MAX 4

typedef struct {
    cur_t request_context;  /* TLS 1.3 only */
    unsigned num_certs;     /* how many are in the message */
    unsigned num_summaries; /* how many of them are summarised below */
    wire_cert_summary certs[WIRE_CERT_SUMMARY_MAX];
    bool status_stapled; /* TLS 1.3: an OCSP response in the first entry (RFC 8446 4.4.2.1) */
} wire_certificate;

typedef struct {
    wire_kx_family family;
    uint16_t named_group; /* ECDHE */
    unsigned dh_p_bits;   /* DHE: size of p in bits */
    cur_t public_value;
    bool has_sigalg; /* TLS 1.2 */
    uint16_t sigalg;
    cur_t signature;
    bool has_signature; /* false for anonymous and plain PSK kx */
    cur_t psk_hint;     /* PSK families: psk_identity_hint */
} wire_server_key_exchange;

typedef struct {
    cur_t cert_types;      /* TLS <= 1.2 */
    cur_t sigalgs;         /* raw list of u16 (TLS 1.2, or TLS 1.3 extension) */
    cur_t cas;             /* distinguished names block */
    cur_t request_context; /* TLS 1.3 */
    cur_t extensions;      /* TLS 1.3 */
} wire_certificate_request;

typedef struct {
    wire_kx_family family;
    cur_t exchange;     /* encrypted premaster or public value */
    cur_t psk_identity; /* PSK families */
} wire_client_key_exchange;

typedef struct {
    uint32_t lifetime;
    uint32_t age_add; /* TLS 1.3 */
    cur_t nonce;      /* TLS 1.3 */
    cur_t ticket;
    cur_t extensions; /* TLS 1.3 */
} wire_new_session_ticket;

typedef struct {
    uint16_t sigalg; /* TLS 1.2+ */
    cur_t signature;
} wire_certificate_verify;

typedef struct {
    uint8_t type;    /* WIRE_HS_* */
    uint32_t length; /* body length from the header */
    cur_t raw;       /* header + body: what goes into the transcript hash */
    cur_t body;
    tp_status status; /* TP_OK when the body parsed completely */
    union {
        wire_client_hello client_hello;
        wire_server_hello server_hello;
        wire_certificate certificate;
        wire_server_key_exchange server_key_exchange;
        wire_certificate_request certificate_request;
        wire_client_key_exchange client_key_exchange;
        wire_new_session_ticket new_session_ticket;
        wire_certificate_verify certificate_verify;
        cur_t finished; /* verify_data */
        cur_t encrypted_extensions;
    } u;
} wire_handshake;

/* Reads a handshake header from *in: type, 24-bit length.  TP_ERR_TRUNCATED
 * when fewer than 4 bytes; does not require the body to be present. */
TP_MUST_CHECK tp_status wire_hs_peek_header(const cur_t *in, uint8_t *out_type, uint32_t *out_len);

/* Parses one complete message (header + body; `len` must be exactly
 * 4 + body length).  Always fills out->type/length/raw/body; fills the
 * union for known types.  Returns out->status. */
TP_MUST_CHECK tp_status wire_hs_parse(const wire_hs_ctx *ctx, const uint8_t *msg, size_t len,
                                      wire_handshake *out);

/* An SSLv2-framed ClientHello (record fragment of a WIRE_CT_SSLV2_CLIENT_HELLO
 * record) into out->u.client_hello with out->type = WIRE_HS_CLIENT_HELLO. */
TP_MUST_CHECK tp_status wire_hs_parse_sslv2(const uint8_t *frag, size_t len, wire_handshake *out);

/* A parsed ClientHello is a view into the bytes it was parsed from.  After
 * those len bytes at from were copied to to, points the view at the copy
 * (so a hello parsed once can be kept beyond its input buffer). */
void wire_ch_rebase(wire_client_hello *ch, const uint8_t *from, size_t len, const uint8_t *to);

/* "ClientHello", "ServerHello", "HelloRetryRequest" is not a type (see
 * server_hello.hello_retry_request); NULL when unknown. */
const char *wire_hs_type_name(uint8_t type);

/* Iterates an extension block: returns true and fills type/body while
 * extensions remain; false at the end or on a malformed block (then
 * *out_err, if not NULL, is set to TP_ERR_DECODE). */
TP_MUST_CHECK bool wire_ext_next(cur_t *exts, uint16_t *out_type, cur_t *out_body,
                                 tp_status *out_err);

/* Finds an extension by type; false when absent. */
TP_MUST_CHECK bool wire_ext_find(cur_t exts, uint16_t type, cur_t *out_body);

/* Alerts (RFC 8446 6) */
const char *wire_alert_level_name(uint8_t level);      /* "warning","fatal" or NULL */
const char *wire_alert_description_name(uint8_t desc); /* "bad_record_mac", … or NULL */

enum { WIRE_ALERT_WARNING = 1, WIRE_ALERT_FATAL = 2 };
enum { WIRE_ALERT_CLOSE_NOTIFY = 0, WIRE_ALERT_NO_RENEGOTIATION = 100 };

typedef struct {
    uint8_t level, description;
    const char *level_name;       /* NULL when unknown */
    const char *description_name; /* NULL when unknown */
    bool fatal;                   /* level is fatal (2) */
} wire_alert;

/* One alert (level, description: 2 bytes) from the front of *in, advancing
 * past it; TP_ERR_TRUNCATED (and *in unchanged) when fewer bytes remain. */
TP_MUST_CHECK tp_status wire_alert_parse(cur_t *in, wire_alert *out);

#endif
