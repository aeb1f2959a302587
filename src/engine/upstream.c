/* See upstream.h: a GnuTLS client on a non-blocking socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "upstream.h"

struct tp_upstream_tls {
    gnutls_session_t s;
    gnutls_certificate_credentials_t cred;
    int last_rc; /* the last GnuTLS return value */
    char err[160];
};

static void up_fail(tp_upstream_tls *u, int rc)
{
    u->last_rc = rc;
    snprintf(u->err, sizeof u->err, "%s (%s)", gnutls_strerror(rc),
             gnutls_strerror_name(rc) ? gnutls_strerror_name(rc) : "?");
}

tp_upstream_tls *tp_upstream_tls_new(int fd, const char *sni)
{
    tp_upstream_tls *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    if (gnutls_certificate_allocate_credentials(&u->cred) < 0) {
        free(u);
        return NULL;
    }
    if (gnutls_init(&u->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0) {
        gnutls_certificate_free_credentials(u->cred);
        free(u);
        return NULL;
    }
    if (gnutls_set_default_priority(u->s) < 0 ||
        gnutls_credentials_set(u->s, GNUTLS_CRD_CERTIFICATE, u->cred) < 0 ||
        (sni && *sni && gnutls_server_name_set(u->s, GNUTLS_NAME_DNS, sni, strlen(sni)) < 0)) {
        tp_upstream_tls_free(u);
        return NULL;
    }
    gnutls_transport_set_int(u->s, fd);
    return u;
}

void tp_upstream_tls_free(tp_upstream_tls *u)
{
    if (!u)
        return;
    gnutls_deinit(u->s);
    gnutls_certificate_free_credentials(u->cred);
    free(u);
}

static tp_engine_rc up_rc(tp_upstream_tls *u, int rc)
{
    u->last_rc = rc;
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
        return TP_ENGINE_AGAIN;
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return TP_ENGINE_EOF;
    if (rc < 0 && gnutls_error_is_fatal(rc)) {
        up_fail(u, rc);
        return TP_ENGINE_ERROR;
    }
    return rc < 0 ? TP_ENGINE_AGAIN : TP_ENGINE_OK;
}

tp_engine_rc tp_upstream_tls_handshake(tp_upstream_tls *u)
{
    return up_rc(u, gnutls_handshake(u->s));
}

bool tp_upstream_tls_wants_write(const tp_upstream_tls *u)
{
    return gnutls_record_get_direction(u->s) == 1;
}

tp_engine_rc tp_upstream_tls_read(tp_upstream_tls *u, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    ssize_t n = gnutls_record_recv(u->s, buf, len);
    if (n == 0)
        return TP_ENGINE_EOF;
    if (n > 0) {
        *out_n = (size_t)n;
        return TP_ENGINE_OK;
    }
    /* a TLS 1.3 post-handshake message (NewSessionTicket) is not data */
    if (n == GNUTLS_E_REHANDSHAKE || n == GNUTLS_E_WARNING_ALERT_RECEIVED)
        return TP_ENGINE_AGAIN;
    return up_rc(u, (int)n);
}

tp_engine_rc tp_upstream_tls_write(tp_upstream_tls *u, const uint8_t *buf, size_t len,
                                   size_t *out_n)
{
    *out_n = 0;
    ssize_t n = gnutls_record_send(u->s, buf, len);
    if (n > 0) {
        *out_n = (size_t)n;
        return TP_ENGINE_OK;
    }
    return up_rc(u, (int)n);
}

void tp_upstream_tls_bye(tp_upstream_tls *u)
{
    (void)gnutls_bye(u->s, GNUTLS_SHUT_WR);
}

void tp_upstream_tls_describe(const tp_upstream_tls *u, char *out, size_t out_len)
{
    const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(u->s));
    const char *c = gnutls_cipher_get_name(gnutls_cipher_get(u->s));
    snprintf(out, out_len, "%s %s", v ? v : "?", c ? c : "?");
}

const char *tp_upstream_tls_error(const tp_upstream_tls *u)
{
    return u->err;
}
