/* The GnuTLS engine, what it tells the server: the configured engine's
 * accessors, a connection's negotiated parameters, its errors, and the
 * internals the engine's other files reach (internal.h).  Setup, handshake
 * and records are gnutls.c's. */
#include "gnutls_int.h"
#include "internal.h"
#include "names.h"

#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tp_engine_renegotiation_allowed(const tp_engine *e)
{
    return e->renegotiation;
}

unsigned tp_engine_resumption(const tp_engine *e)
{
    return engine_resume_modes(e->resume);
}

tp_client_cert tp_engine_client_cert(const tp_engine *e)
{
    return e->client_cert;
}

void tp_engine_names_info_get(const tp_engine *e, tp_engine_names_info *out)
{
    engine_an_info(e->names, out);
}

const char *tp_engine_conn_sni_cert(const tp_engine_conn *c)
{
    return c->sni_cert ? c->sni_cert : "";
}

const char *tp_engine_cert_fingerprint(const tp_engine *e)
{
    return e->fingerprint;
}

const char *tp_engine_cert_variant(const tp_engine *e, const char **out_detail)
{
    if (out_detail)
        *out_detail = e->chain ? e->chain->detail : NULL;
    return e->chain ? e->chain->variant : NULL;
}

const char *tp_engine_ca_pem(const tp_engine *e, size_t *out_len)
{
    const gnutls_datum_t *p = e->chain ? engine_ca_root_pem() : NULL;
    if (p && out_len)
        *out_len = p->size;
    return p ? (const char *)p->data : NULL;
}

const char *tp_engine_ocsp(const tp_engine *e)
{
    return e->ocsp;
}

const char *tp_engine_client_ca(const tp_engine *e)
{
    return e->client_ca;
}

const char *tp_engine_conn_client_verify(tp_engine_conn *c)
{
    return c->client_checked ? engine_verify_status_name(c->client_status) : NULL;
}

const char *tp_engine_cert_pem(const tp_engine *e, size_t *out_len)
{
    if (e->chain) {
        if (out_len)
            *out_len = e->chain->chain_pem.size;
        return (const char *)e->chain->chain_pem.data;
    }
    if (!e->generated)
        return NULL;
    if (out_len)
        *out_len = e->generated->cert_pem.size;
    return (const char *)e->generated->cert_pem.data;
}

const engine_allowed *tp_gnutls_allowed_lists(const tp_engine *e)
{
    return &e->allowed;
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

static void client_cert_summary(tp_engine_conn *c, char *out, size_t out_len)
{
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(c->s, &n);
    out[0] = '\0';
    if (!certs || n == 0)
        return;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
        gnutls_datum_t dn = {NULL, 0}, idn = {NULL, 0};
        unsigned bits = 0;
        int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
        char fp[3 * 32];
        engine_fingerprint_der(fp, sizeof(fp), &certs[0]);
        (void)gnutls_x509_crt_get_dn3(crt, &dn, 0);
        (void)gnutls_x509_crt_get_issuer_dn3(crt, &idn, 0);
        snprintf(out, out_len, "subject '%s'; issuer '%s'; %s %u bits; %u in chain; sha256 %s",
                 dn.data ? (const char *)dn.data : "?", idn.data ? (const char *)idn.data : "?",
                 str_or_empty(gnutls_pk_get_name((gnutls_pk_algorithm_t)pk)), bits, n, fp);
        gnutls_free(dn.data);
        gnutls_free(idn.data);
    } else {
        snprintf(out, out_len, "unparsable certificate (%u in chain)", n);
    }
    gnutls_x509_crt_deinit(crt);
}

void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out)
{
    memset(out, 0, sizeof(*out));
    gnutls_protocol_t ver = gnutls_protocol_get_version(c->s);
    snprintf(out->protocol, sizeof(out->protocol), "%s",
             str_or_empty(gnutls_protocol_get_name(ver)));
    snprintf(out->cipher, sizeof(out->cipher), "%s",
             str_or_empty(gnutls_cipher_get_name(gnutls_cipher_get(c->s))));
    snprintf(out->mac, sizeof(out->mac), "%s",
             str_or_empty(gnutls_mac_get_name(gnutls_mac_get(c->s))));
    gnutls_group_t g = gnutls_group_get(c->s);
    if (g)
        snprintf(out->group, sizeof(out->group), "%s", str_or_empty(gnutls_group_get_name(g)));
    gnutls_kx_algorithm_t kx = gnutls_kx_get(c->s);
    if (ver == GNUTLS_TLS1_3 || kx == GNUTLS_KX_UNKNOWN) {
        /* TLS 1.3 suites name no key exchange (RFC 8446 B.4); say what ran:
         * the group's kind and the certificate's key */
        bool ff = out->group[0] && strncmp(out->group, "FFDHE", 5) == 0;
        const char *auth = c->cert_pk == GNUTLS_PK_RSA ? "RSA" : "ECDSA";
        if (engine_conn_external_psk(c->s))
            auth = "PSK"; /* psk_dhe_ke, or psk_ke: no group (RFC 8446 4.2.9) */
        if (out->group[0])
            snprintf(out->kx, sizeof(out->kx), "%s-%s", ff ? "DHE" : "ECDHE", auth);
        else if (auth[0] == 'P')
            snprintf(out->kx, sizeof(out->kx), "PSK");
    } else {
        snprintf(out->kx, sizeof(out->kx), "%s", str_or_empty(gnutls_kx_get_name(kx)));
    }
    if (!out->group[0] && (kx == GNUTLS_KX_DHE_RSA || kx == GNUTLS_KX_DHE_DSS)) {
        int bits = gnutls_dh_get_prime_bits(c->s);
        if (bits > 0) /* server DH parameters outside RFC 7919 */
            snprintf(out->group, sizeof(out->group), "DH%d", bits);
    }
    /* Before TLS 1.2 no signature algorithm is negotiated (RSA signs an
     * MD5+SHA1 pair, RFC 4346 7.4.3): leave it empty like the sweep axis. */
    gnutls_sign_algorithm_t sig = gnutls_sign_algorithm_get(c->s);
    if (sig != GNUTLS_SIGN_UNKNOWN && ver != GNUTLS_TLS1_0 && ver != GNUTLS_TLS1_1 &&
        ver != GNUTLS_SSL3)
        snprintf(out->sigalg, sizeof(out->sigalg), "%s", str_or_empty(gnutls_sign_get_name(sig)));
    client_cert_summary(c, out->client_cert, sizeof(out->client_cert));
    engine_resume_info(&c->rc, c->s, out);
}

const char *tp_engine_conn_error_name(const tp_engine_conn *c)
{
    return c->err_name;
}

const char *tp_engine_conn_error_text(const tp_engine_conn *c)
{
    return c->err_text;
}

bool tp_engine_conn_has_pending(const tp_engine_conn *c)
{
    return c->want_write || c->w_pending;
}

/* ---- for the engine's other files (internal.h) ------------------------ */

gnutls_session_t engine_conn_session(tp_engine_conn *c)
{
    return c->s;
}

bool *engine_conn_reauthing(tp_engine_conn *c)
{
    return &c->reauthing;
}


const char *tp_engine_psk_identities(const tp_engine *e)
{
    return engine_psk_identities(e->psk);
}

bool tp_engine_psk_key(const void *engine, const char *identity, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    return engine_psk_key(((const tp_engine *)engine)->psk, identity, out, cap, out_len);
}
