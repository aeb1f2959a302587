/* Names shared by wire_text.c and wire_json.c; see wire_names.h. */
#include "wire_names.h"

const char *report_handshake_name(const wire_handshake *m)
{
    if (m->type == WIRE_HS_SERVER_HELLO && m->status == TP_OK &&
        m->u.server_hello.hello_retry_request)
        return "HelloRetryRequest";
    return wire_hs_type_name(m->type);
}

const char *report_kx_family_name(wire_kx_family family)
{
    switch (family) {
    case WIRE_KX_RSA:
        return "RSA";
    case WIRE_KX_DHE:
        return "DHE";
    case WIRE_KX_ECDHE:
        return "ECDHE";
    case WIRE_KX_PSK:
        return "PSK";
    case WIRE_KX_DHE_PSK:
        return "DHE-PSK";
    case WIRE_KX_ECDHE_PSK:
        return "ECDHE-PSK";
    case WIRE_KX_RSA_PSK:
        return "RSA-PSK";
    case WIRE_KX_SRP:
        return "SRP";
    case WIRE_KX_TLS13:
        return "TLS1.3";
    default:
        return NULL;
    }
}
