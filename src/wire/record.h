/* TLS record layer framing (RFC 5246 6.2, RFC 8446 5.1) and the SSLv2
 * ClientHello framing (RFC 6101 E.2 / RFC 5246 E.2).  No I/O, no allocation. */
#ifndef TP_WIRE_RECORD_H
#define TP_WIRE_RECORD_H

#include "cursor.h"
#include "status.h"

enum {
    WIRE_CT_CHANGE_CIPHER_SPEC = 20,
    WIRE_CT_ALERT = 21,
    WIRE_CT_HANDSHAKE = 22,
    WIRE_CT_APPLICATION_DATA = 23,
    WIRE_CT_HEARTBEAT = 24,
    /* pseudo type for an SSLv2-framed ClientHello */
    WIRE_CT_SSLV2_CLIENT_HELLO = 0x100,
};

#define WIRE_RECORD_HEADER_LEN 5
#define WIRE_MAX_PLAINTEXT 16384
/* RFC 5246 6.2.3: ciphertext may be up to 2^14 + 2048 */
#define WIRE_MAX_CIPHERTEXT (16384 + 2048)

typedef struct {
    unsigned type;    /* WIRE_CT_* (content type byte, or the SSLv2 pseudo type) */
    uint16_t version; /* record-layer version (0x0002 for SSLv2 framing) */
    uint16_t length;  /* fragment length */
    cur_t header;     /* the header bytes (5, or 2/3 for SSLv2) */
    cur_t fragment;   /* the fragment (for SSLv2: the whole SSLv2 message body) */
} wire_record;

/* Parses one record from the front of *in and advances past it.
 * TP_OK: *out filled.
 * TP_ERR_TRUNCATED: more bytes are needed; *out_need (if not NULL) is the
 *   total number of bytes the record needs from the current position
 *   (5 when the header itself is incomplete).  *in is unchanged.
 * TP_ERR_NOT_TLS: the bytes cannot start a TLS record (unknown content type,
 *   major version not 3, not an SSLv2 ClientHello).  *in is unchanged.
 * TP_ERR_OVERSIZED: length over WIRE_MAX_CIPHERTEXT.  *in is unchanged. */
TP_MUST_CHECK tp_status wire_record_parse(cur_t *in, wire_record *out, size_t *out_need);

/* "handshake", "alert", "change_cipher_spec", "application_data",
 * "heartbeat", "sslv2_client_hello", or NULL when unknown. */
const char *wire_content_type_name(unsigned type);

/* "SSL2.0", "SSL3.0", "TLS1.0" .. "TLS1.3" (GnuTLS spelling), "DTLS1.0",
 * "DTLS1.2"; NULL for other values (callers print them as 0x%04x). */
const char *wire_version_name(uint16_t version);

#endif
