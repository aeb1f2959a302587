/* Alerts (RFC 8446 6, RFC 5246 7.2): their names and the two-byte alert
 * itself (declared in handshake.h).  No I/O. */
#include <string.h>

#include "handshake.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *wire_alert_level_name(uint8_t level)
{
    switch (level) {
    case 1:
        return "warning";
    case 2:
        return "fatal";
    default:
        return NULL;
    }
}

const char *wire_alert_description_name(uint8_t desc)
{
    static const struct {
        uint8_t code;
        const char *name;
    } rows[] = {
        {0, "close_notify"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {21, "decryption_failed"},
        {22, "record_overflow"},
        {30, "decompression_failure"},
        {40, "handshake_failure"},
        {41, "no_certificate"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {60, "export_restriction"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {111, "certificate_unobtainable"},
        {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"},
        {114, "bad_certificate_hash_value"},
        {115, "unknown_psk_identity"},
        {116, "certificate_required"},
        {120, "no_application_protocol"},
        {121, "ech_required"},
    };
    for (size_t i = 0; i < N_ELEMS(rows); i++)
        if (rows[i].code == desc)
            return rows[i].name;
    return NULL;
}

tp_status wire_alert_parse(cur_t *in, wire_alert *out)
{
    cur_t c = *in;
    memset(out, 0, sizeof *out);
    if (!cur_get_u8(&c, &out->level) || !cur_get_u8(&c, &out->description))
        return TP_ERR_TRUNCATED;
    out->level_name = wire_alert_level_name(out->level);
    out->description_name = wire_alert_description_name(out->description);
    out->fatal = out->level == WIRE_ALERT_FATAL;
    *in = c;
    return TP_OK;
}
