/* On-demand actions after the handshake (engine.h tp_engine_conn_act):
 * renegotiation (HelloRequest), KeyUpdate with and without
 * update_requested, post-handshake client authentication, an alert of the
 * caller's choice.  What goes out is traced and checked by the session
 * like any other record; this file only asks GnuTLS. */
#include "gnutls_prefix.h" /* engine.h as tp_gnutls_* (engine.c dispatches) */
#include "internal.h"

#include <gnutls/gnutls.h>
#include <stdio.h>

static bool say(char *why, size_t why_len, const char *text, gnutls_session_t s)
{
    if (why && why_len)
        snprintf(why, why_len, "%s; this session is %s", text,
                 gnutls_protocol_get_name(gnutls_protocol_get_version(s)));
    return false;
}

static bool failed(char *why, size_t why_len, const char *what, int rc)
{
    if (why && why_len)
        snprintf(why, why_len, "%s: the engine refused: %s (%s)", what, gnutls_strerror(rc),
                 gnutls_strerror_name(rc));
    return false;
}

static bool key_update(gnutls_session_t s, bool requested, char *why, size_t why_len)
{
    if (gnutls_protocol_get_version(s) != GNUTLS_TLS1_3)
        return say(why, why_len, "KeyUpdate exists in TLS 1.3 only", s);
    int rc;
    int tries = 0;
    do /* AGAIN: the record is out, the call finishes the update (gnutls_session_key_update(3)) */
        rc = gnutls_session_key_update(s, requested ? GNUTLS_KU_PEER : 0);
    while ((rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) && ++tries < 4);
    return rc >= 0 || failed(why, why_len, "KeyUpdate", rc);
}

/* RFC 8446 4.6.2: only when the client offered post_handshake_auth; the
 * certificate is asked for, not required (none is a valid answer). */
static bool request_cert(tp_engine_conn *c, bool *running, char *why, size_t why_len)
{
    gnutls_session_t s = engine_conn_session(c);
    if (gnutls_protocol_get_version(s) != GNUTLS_TLS1_3)
        return say(why, why_len,
                   "post-handshake authentication exists in TLS 1.3 only (TLS 1.2: renegotiate)",
                   s);
    if (!(gnutls_session_get_flags(s) & GNUTLS_SFLAGS_POST_HANDSHAKE_AUTH)) {
        if (why && why_len)
            snprintf(why, why_len, "the client did not offer post_handshake_auth (RFC 8446 "
                                   "4.2.6), so the server may not ask (openssl s_client: "
                                   "-enable_pha)");
        return false;
    }
    gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
    int rc = gnutls_reauth(s, 0);
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
        *running = true; /* the client's answer comes in the read loop */
        return true;
    }
    return rc >= 0 || failed(why, why_len, "CertificateRequest", rc);
}

bool tp_engine_conn_act(tp_engine_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                        bool *out_end, char *why, size_t why_len)
{
    gnutls_session_t s = engine_conn_session(c);
    *out_end = false;
    switch (a) {
    case TP_ACT_RENEGOTIATE:
        if (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
            return say(why, why_len, "TLS 1.3 has no renegotiation (RFC 8446 4.1.2)", s);
        if (!tp_engine_conn_request_renegotiation(c))
            return failed(why, why_len, "HelloRequest", GNUTLS_E_INVALID_REQUEST);
        return true;
    case TP_ACT_KEY_UPDATE:
    case TP_ACT_KEY_UPDATE_REQUESTED:
        return key_update(s, a == TP_ACT_KEY_UPDATE_REQUESTED, why, why_len);
    case TP_ACT_REQUEST_CERT:
        return request_cert(c, engine_conn_reauthing(c), why, why_len);
    case TP_ACT_ALERT: {
        int rc = gnutls_alert_send(s, (gnutls_alert_level_t)level,
                                   (gnutls_alert_description_t)desc);
        if (rc < 0 && rc != GNUTLS_E_AGAIN)
            return failed(why, why_len, "alert", rc);
        /* RFC 8446 6.2 / RFC 5246 7.2.2: a fatal alert ends the connection */
        *out_end = level == GNUTLS_AL_FATAL;
        return true;
    }
    }
    return false;
}
