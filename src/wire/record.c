/* Record framing: TLS records (RFC 5246 6.2.1, RFC 8446 5.1) and the two
 * SSLv2 header forms a backward-compatible ClientHello may use
 * (RFC 6101 E.2 / RFC 5246 E.2).  O(1) per record: only the header is read. */
#include "record.h"

#ifdef TP_MUTANTS
#include "tp_mutant.h" /* tests/mutants/run: TP_MUTANT_RECLEN 1 negates, 2 moves the bound */
#endif

/* RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048 */
static bool record_oversized(size_t length)
{
#if defined(TP_MUTANT_RECLEN) && TP_MUTANT_RECLEN == 1
    return !(length > WIRE_MAX_CIPHERTEXT);
#elif defined(TP_MUTANT_RECLEN) && TP_MUTANT_RECLEN == 2
    return length >= WIRE_MAX_CIPHERTEXT;
#else
    return length > WIRE_MAX_CIPHERTEXT;
#endif
}

static bool record_type_known(uint8_t t)
{
    return t >= WIRE_CT_CHANGE_CIPHER_SPEC && t <= WIRE_CT_HEARTBEAT;
}

/* An SSLv2 CLIENT-HELLO body starts with msg_type 1 and a version whose major
 * byte is 0 (SSL 2.0, 0x0002) or 3 (SSL 3.0 and later offering v2 framing). */
static bool sslv2_body_plausible(uint8_t msg_type, uint8_t major, uint8_t minor)
{
    if (msg_type != 1)
        return false;
    return (major == 0 && minor == 2) || major == 3;
}

static tp_status record_parse_sslv2(cur_t *in, wire_record *out, size_t *out_need)
{
    const uint8_t *p = cur_data(in);
    size_t have = cur_len(in);
    size_t hdr_len, body_len, pad = 0;

    /* two-byte header when the high bit is set (15-bit length, no padding);
     * otherwise three bytes: 14-bit length and a padding length byte */
    hdr_len = (p[0] & 0x80) ? 2 : 3;
    if (have < hdr_len + 3) {
        if (out_need)
            *out_need = hdr_len + 3;
        return TP_ERR_TRUNCATED;
    }
    if (hdr_len == 2) {
        body_len = ((size_t)(p[0] & 0x7f) << 8) | p[1];
    } else {
        body_len = ((size_t)(p[0] & 0x3f) << 8) | p[1];
        pad = p[2];
    }
    if (!sslv2_body_plausible(p[hdr_len], p[hdr_len + 1], p[hdr_len + 2]))
        return TP_ERR_NOT_TLS;
    /* RFC 5246 E.2: a CLIENT-HELLO body is at least 9 bytes of fixed fields */
    if (body_len < 9 || pad > body_len)
        return TP_ERR_NOT_TLS;
    if (body_len > WIRE_MAX_CIPHERTEXT)
        return TP_ERR_OVERSIZED;
    if (have < hdr_len + body_len) {
        if (out_need)
            *out_need = hdr_len + body_len;
        return TP_ERR_TRUNCATED;
    }

    cur_t c = *in;
    cur_t frag;
    if (!cur_get_bytes(&c, &out->header, hdr_len) || !cur_get_bytes(&c, &frag, body_len))
        return TP_ERR_TRUNCATED; /* unreachable: lengths checked above */
    out->type = WIRE_CT_SSLV2_CLIENT_HELLO;
    out->version = 0x0002;
    /* padding (three-byte form only) trails the message and is not part of it */
    cur_init(&out->fragment, cur_data(&frag), body_len - pad);
    out->length = (uint16_t)(body_len - pad);
    *in = c;
    return TP_OK;
}

tp_status wire_record_parse(cur_t *in, wire_record *out, size_t *out_need)
{
    size_t have = cur_len(in);
    const uint8_t *p = cur_data(in);

    if (have == 0) {
        if (out_need)
            *out_need = WIRE_RECORD_HEADER_LEN;
        return TP_ERR_TRUNCATED;
    }
    /* Decide on the bytes present so far so that e.g. "GET / HTTP/1.1" is
     * rejected at once rather than after waiting for five bytes. */
    if (!record_type_known(p[0])) {
        /* SSLv2 two-byte header (high bit set), or the three-byte form whose
         * fourth byte is the CLIENT-HELLO msg_type; anything else is not TLS */
        if (!(p[0] & 0x80) && have >= 4 && p[3] != 1)
            return TP_ERR_NOT_TLS;
        return record_parse_sslv2(in, out, out_need);
    }
    /* RFC 5246 6.2.1 / RFC 8446 5.1: major version 3 for SSL 3.0 .. TLS 1.3 */
    if (have >= 2 && p[1] != 3)
        return TP_ERR_NOT_TLS;
    if (have < WIRE_RECORD_HEADER_LEN) {
        if (out_need)
            *out_need = WIRE_RECORD_HEADER_LEN;
        return TP_ERR_TRUNCATED;
    }

    cur_t c = *in;
    uint8_t type;
    uint16_t version, length;
    cur_t hdr;
    if (!cur_get_bytes(&c, &hdr, WIRE_RECORD_HEADER_LEN))
        return TP_ERR_TRUNCATED;
    cur_t h = hdr;
    if (!cur_get_u8(&h, &type) || !cur_get_u16(&h, &version) || !cur_get_u16(&h, &length))
        return TP_ERR_TRUNCATED;
    if (record_oversized(length))
        return TP_ERR_OVERSIZED;
    cur_t frag;
    if (!cur_get_bytes(&c, &frag, length)) {
        if (out_need)
            *out_need = WIRE_RECORD_HEADER_LEN + (size_t)length;
        return TP_ERR_TRUNCATED;
    }
    out->type = type;
    out->version = version;
    out->length = length;
    out->header = hdr;
    out->fragment = frag;
    *in = c;
    return TP_OK;
}

const char *wire_content_type_name(unsigned type)
{
    switch (type) {
    case WIRE_CT_CHANGE_CIPHER_SPEC:
        return "change_cipher_spec";
    case WIRE_CT_ALERT:
        return "alert";
    case WIRE_CT_HANDSHAKE:
        return "handshake";
    case WIRE_CT_APPLICATION_DATA:
        return "application_data";
    case WIRE_CT_HEARTBEAT:
        return "heartbeat";
    case WIRE_CT_SSLV2_CLIENT_HELLO:
        return "sslv2_client_hello";
    default:
        return NULL;
    }
}

const char *wire_version_name(uint16_t version)
{
    switch (version) {
    case 0x0002:
        return "SSL2.0";
    case 0x0300:
        return "SSL3.0";
    case 0x0301:
        return "TLS1.0";
    case 0x0302:
        return "TLS1.1";
    case 0x0303:
        return "TLS1.2";
    case 0x0304:
        return "TLS1.3";
    case 0xfeff:
        return "DTLS1.0";
    case 0xfefd:
        return "DTLS1.2";
    default:
        return NULL;
    }
}
