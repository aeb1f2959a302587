/* --sni-cert, --sni-mode and --ocsp on the OpenSSL engine (openssl_int.h),
 * the same as alpn_sni.c and ocsp.c do them on GnuTLS, with the same
 * certificates (a generated --sni-cert from alpn_sni.c's
 * engine_sni_generate, the staples ocsp.c made and keeps).
 *
 * SNI: each --sni-cert's certificate, chain and key are loaded into an
 * SSL_CTX of its own, used as a holder only; the servername callback (after
 * the ClientHello, before the certificate is chosen) puts the one whose
 * NAME covers the client's server_name on the connection
 * (SSL_certs_clear, then SSL_use_cert_and_key: an ECDSA one replaces an RSA
 * default, it is not chosen beside it).  A name none covers: ignore serves
 * the default, warn adds a warning unrecognized_name (libssl sends none in
 * TLS 1.3, RFC 8446 6.2), strict a fatal unrecognized_name (RFC 6066 3).
 *
 * OCSP: the status callback (RFC 6066 8; libssl calls it in TLS 1.2 and
 * 1.3, only when the client sent status_request) staples the response of
 * the certificate picked. */
#include "alpn_sni_int.h"
#include "internal.h"
#include "openssl_int.h"

#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[254];
    SSL_CTX *holder; /* its certificate, chain and key */
    const gnutls_datum_t *staple;
} sni_entry;

struct ossl_sni {
    tp_sni_mode mode;
    sni_entry sni[TP_SNI_CERTS_MAX];
    unsigned num;
    X509 *def_leaf; /* the default certificate (the main context's), to match names */
    const gnutls_datum_t *def_staple;
    char names[TP_SNI_CERTS_MAX * 256];
};

static int pick_idx = -1;
static void pick_idx_make(void)
{
    pick_idx = SSL_get_ex_new_index(0, "tlsprobe sni pick", NULL, NULL, NULL);
}

/* ---- callbacks ---- */

static int entry_use(SSL *ssl, const sni_entry *e)
{
    STACK_OF(X509) *chain = NULL;
    X509 *x = SSL_CTX_get0_certificate(e->holder);
    EVP_PKEY *k = SSL_CTX_get0_privatekey(e->holder);
    SSL_CTX_get0_chain_certs(e->holder, &chain);
    SSL_certs_clear(ssl);
    return SSL_use_cert_and_key(ssl, x, k, chain, 1) == 1 ? 0 : -1;
}

static int servername_cb(SSL *ssl, int *al, void *arg)
{
    const ossl_sni *s = arg;
    ossl_sni_pick *p = SSL_get_ex_data(ssl, pick_idx);
    const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!p || !host)
        return SSL_TLSEXT_ERR_OK; /* no SNI: the default certificate (RFC 6066 3) */
    for (unsigned i = 0; i < s->num; i++) {
        if (!engine_name_covers(s->sni[i].name, host))
            continue;
        if (entry_use(ssl, &s->sni[i]) < 0) {
            *al = SSL_AD_INTERNAL_ERROR;
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        }
        p->label = s->sni[i].name;
        p->staple = s->sni[i].staple;
        return SSL_TLSEXT_ERR_OK;
    }
    if (s->mode == TP_SNI_IGNORE || (s->def_leaf && X509_check_host(s->def_leaf, host, 0, 0,
                                                                     NULL) == 1))
        return SSL_TLSEXT_ERR_OK;
    *al = SSL_AD_UNRECOGNIZED_NAME;
    if (s->mode == TP_SNI_STRICT) {
        p->label = "none";
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_ALERT_WARNING; /* not sent in TLS 1.3 */
}

static int status_cb(SSL *ssl, void *arg)
{
    (void)arg;
    const ossl_sni_pick *p = SSL_get_ex_data(ssl, pick_idx);
    const gnutls_datum_t *d = p ? p->staple : NULL;
    unsigned char *copy = d ? OPENSSL_memdup(d->data, d->size) : NULL;
    if (!copy)
        return SSL_TLSEXT_ERR_NOACK;
    SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)d->size); /* libssl frees it */
    return SSL_TLSEXT_ERR_OK;
}

/* ---- setup ---- */

static int entry_files(sni_entry *e, const tp_sni_cert *c, char *err, size_t err_len)
{
    const char *kf = c->key_file[0] ? c->key_file : c->cert_file;
    if (SSL_CTX_use_certificate_chain_file(e->holder, c->cert_file) == 1 &&
        SSL_CTX_use_PrivateKey_file(e->holder, kf, SSL_FILETYPE_PEM) == 1 &&
        SSL_CTX_check_private_key(e->holder) == 1)
        return 0;
    engine_err_set(err, err_len, "--sni-cert %s: the openssl engine cannot use certificate '%s' "
                   "with key '%s'", c->spec, c->cert_file, kf);
    return -1;
}

static int entry_load(sni_entry *e, const tp_sni_cert *c, const tp_engine_config *cfg,
                      bool chain, char *err, size_t err_len)
{
    snprintf(e->name, sizeof e->name, "%s", c->name);
    if (!(e->holder = SSL_CTX_new(TLS_server_method()))) {
        engine_err_set(err, err_len, "--sni-cert %s: out of memory", c->spec);
        return -1;
    }
    SSL_CTX_set_security_level(e->holder, 0); /* as the engine's: any key it is given */
    if (c->cert_file[0])
        return entry_files(e, c, err, err_len);
    const engine_chain *ch;
    const engine_generated *g;
    if (engine_sni_generate(c, cfg, chain, NULL, &ch, &g, err, err_len) < 0 ||
        ossl_creds_load_generated(e->holder, ch, g, err, err_len) < 0)
        return -1;
    e->staple = ch ? ch->staple : NULL;
    return 0;
}

ossl_sni *ossl_sni_new(SSL_CTX *ctx, const tp_engine_config *cfg, const ossl_creds *creds,
                       char *err, size_t err_len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, pick_idx_make);
    ossl_sni *s = calloc(1, sizeof *s);
    if (!s || pick_idx < 0) {
        engine_err_set(err, err_len, "the openssl engine cannot start: out of memory");
        free(s);
        return NULL;
    }
    s->mode = cfg->names.sni_mode;
    s->def_leaf = SSL_CTX_get0_certificate(ctx);
    s->def_staple = creds->staple;
    for (unsigned i = 0; i < cfg->names.num_sni_certs && i < TP_SNI_CERTS_MAX; i++) {
        const tp_sni_cert *c = &cfg->names.sni_certs[i];
        if (entry_load(&s->sni[s->num++], c, cfg, creds->chain != NULL, err, err_len) < 0) {
            ossl_sni_free(s);
            return NULL;
        }
        size_t n = strlen(s->names);
        snprintf(s->names + n, sizeof s->names - n, "%s%s", n ? ", " : "", c->name);
    }
    if (s->num || s->mode != TP_SNI_IGNORE) {
        SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
        SSL_CTX_set_tlsext_servername_arg(ctx, s);
    }
    SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
    return s;
}

void ossl_sni_free(ossl_sni *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->num; i++)
        SSL_CTX_free(s->sni[i].holder);
    free(s);
}

void ossl_sni_conn(const ossl_sni *s, SSL *ssl, ossl_sni_pick *pick)
{
    pick->label = "default";
    pick->staple = s->def_staple;
    SSL_set_ex_data(ssl, pick_idx, pick);
}

void ossl_sni_info(const ossl_sni *s, tp_engine_names_info *out)
{
    out->sni_mode = tp_sni_mode_name(s->mode);
    out->sni_names = s->names;
}
