/* --psk ID:HEX and --srp USER:PASSWORD on the openssl engine: the values
 * are psk_table.c's (as the gnutls engine's); libssl asks for them through
 * callbacks.  TLS <= 1.2 PSK suites (RFC 4279, 5489): the server callback
 * gives the key of the identity in the ClientKeyExchange, none for an
 * unknown one (libssl then sends unknown_psk_identity).  TLS 1.3 external
 * PSKs (RFC 8446 4.2.11): the find-session callback makes a session of the
 * key with a SHA-256 suite (the hash OpenSSL's and GnuTLS's clients bind
 * external PSKs with).  SRP (RFC 5054): the deprecated but present SRP API
 * of OpenSSL 3, a verifier made from the password with a fresh salt in the
 * 2048-bit group; an unknown user gets a verifier of a random password, as
 * GnuTLS does, so the client's Finished fails rather than the name being
 * told. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SSL_set_srp_server_param_pw */
#include "openssl_sess.h"
#include "../wire/hex.h"
#include "internal.h"
#include "psk_table.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ossl_psk {
    psk_table t;
};

static int ctx_index = -1;
static void index_make(void)
{
    ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static const ossl_psk *psk_of(SSL *s)
{
    return ctx_index < 0 ? NULL : SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), ctx_index);
}

const engine_lists *ossl_psk_lists(const tp_engine_config *cfg, engine_lists *buf)
{
    const engine_lists *l = &cfg->lists;
    bool any = false;
    for (unsigned i = 0; i < ENGINE_FLAG_COUNT; i++)
        any = any || (l->csv[i] && *l->csv[i]);
    const char *kx = l->csv[ENGINE_FLAG_KX];
    if ((!cfg->num_psk && !cfg->num_srp) || !any || (kx && *kx) || cfg->cipher_string)
        return l;
    *buf = *l;
    /* the certificate key exchanges openssl_names.c takes without --kx, plus */
    static const char *const with[2][2] = {
        {"RSA,DHE-RSA,ECDHE-RSA,ECDHE-ECDSA", "RSA,DHE-RSA,ECDHE-RSA,ECDHE-ECDSA,SRP,SRP-RSA"},
        {"RSA,DHE-RSA,ECDHE-RSA,ECDHE-ECDSA,PSK,DHE-PSK,ECDHE-PSK",
         "RSA,DHE-RSA,ECDHE-RSA,ECDHE-ECDSA,PSK,DHE-PSK,ECDHE-PSK,SRP,SRP-RSA"},
    };
    buf->csv[ENGINE_FLAG_KX] = with[cfg->num_psk > 0][cfg->num_srp > 0];
    return buf;
}

/* TLS <= 1.2 (and a TLS 1.3 client libssl hands here): the identity's key
 * length, 0 for none. */
static unsigned psk_server_cb(SSL *s, const char *identity, unsigned char *psk, unsigned max)
{
    const ossl_psk *p = psk_of(s);
    const psk_entry *e = p && identity ? psk_table_find(&p->t, false, identity, strlen(identity))
                                       : NULL;
    if (!e || e->key_len > max)
        return 0;
    memcpy(psk, e->key, e->key_len);
    return (unsigned)e->key_len;
}

/* TLS 1.3: a session of the identity's key, or none (1 with *sess NULL:
 * libssl goes on; an unknown identity alone was refused at the
 * ClientHello, ossl_psk_client_hello). */
static int psk_find_cb(SSL *s, const unsigned char *id, size_t id_len, SSL_SESSION **sess)
{
    *sess = NULL;
    const ossl_psk *p = psk_of(s);
    const psk_entry *e = p ? psk_table_find(&p->t, false, id, id_len) : NULL;
    if (!e)
        return 1;
    static const unsigned char aes128gcm_sha256[2] = {0x13, 0x01};
    const SSL_CIPHER *c = SSL_CIPHER_find(s, aes128gcm_sha256);
    SSL_SESSION *ss = c ? SSL_SESSION_new() : NULL;
    if (!ss || !SSL_SESSION_set1_master_key(ss, e->key, e->key_len) ||
        !SSL_SESSION_set_cipher(ss, c) || !SSL_SESSION_set_protocol_version(ss, TLS1_3_VERSION)) {
        SSL_SESSION_free(ss);
        return 0;
    }
    *sess = ss;
    return 1;
}

int ossl_psk_client_hello(const ossl_psk *p, const wire_ext_psk *ext, int *al)
{
    if (!p || !p->t.num_psk || ext->num_identities != 1 || ext->first_obfuscated_age != 0)
        return 0; /* a ticket, or several identities: libssl chooses */
    if (psk_table_find(&p->t, false, cur_data(&ext->first_identity),
                       cur_len(&ext->first_identity)))
        return 1;
    *al = SSL_AD_UNKNOWN_PSK_IDENTITY;
    return -1;
}

#ifndef OPENSSL_NO_SRP
/* SRP: the verifier of the user's password (or of a random one). */
static int srp_cb(SSL *s, int *ad, void *arg)
{
    const ossl_psk *p = arg;
    const char *user = SSL_get_srp_username(s);
    const psk_entry *e = user ? psk_table_find(&p->t, true, user, strlen(user)) : NULL;
    char pass[SRP_PASS_MAX + 1];
    if (e) {
        memcpy(pass, e->key, e->key_len);
        pass[e->key_len] = '\0';
    } else {
        unsigned char r[16];
        if (RAND_bytes(r, sizeof r) != 1)
            goto fail;
        wire_hex_encode(pass, r, sizeof r);
    }
    int rc = user ? SSL_set_srp_server_param_pw(s, user, pass, "2048") : -1;
    psk_wipe(pass, sizeof pass);
    if (rc == 1)
        return SSL_ERROR_NONE;
fail:
    *ad = SSL_AD_INTERNAL_ERROR;
    return SSL3_AL_FATAL;
}
#endif

/* Without lists or OpenSSL strings, OpenSSL's default suites: they hold
 * the PSK ones, RSA-PSK too, and no SRP ones. */
static int default_suites(SSL_CTX *ctx, const tp_engine_config *cfg, char *err, size_t err_len)
{
    const engine_lists *l = &cfg->lists;
    for (unsigned i = 0; i < ENGINE_FLAG_COUNT; i++)
        if (l->csv[i] && *l->csv[i])
            return 0; /* ossl_psk_lists did it */
    if (cfg->cipher_string)
        return 0;
    char list[128];
    snprintf(list, sizeof list, "DEFAULT%s%s:@SECLEVEL=0", cfg->num_psk ? ":!kRSAPSK" : ":!PSK",
             cfg->num_srp ? ":aSRP:aRSA+kSRP" : "");
    if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
        engine_err_set(err, err_len, "the openssl engine rejected the cipher list '%s'", list);
        return -1;
    }
    return 0;
}

int ossl_psk_setup(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_psk **out, char *err,
                   size_t err_len)
{
    *out = NULL;
    if (!cfg->num_psk && !cfg->num_srp)
        return 0;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, index_make);
    ossl_psk *p = calloc(1, sizeof *p);
    if (!p || ctx_index < 0) {
        free(p);
        engine_err_set(err, err_len, "out of memory");
        return -1;
    }
    *out = p;
    if (!psk_table_load(&p->t, cfg, err, err_len) || default_suites(ctx, cfg, err, err_len) < 0)
        return -1;
    SSL_CTX_set_ex_data(ctx, ctx_index, p);
    if (p->t.num_psk) {
        SSL_CTX_set_psk_server_callback(ctx, psk_server_cb);
        SSL_CTX_set_psk_find_session_callback(ctx, psk_find_cb);
    }
    if (p->t.num_srp) {
#ifndef OPENSSL_NO_SRP
        SSL_CTX_set_srp_cb_arg(ctx, p);
        SSL_CTX_set_srp_username_callback(ctx, srp_cb);
#else
        engine_err_set(err, err_len, "--srp: the openssl engine (OpenSSL %s) is built without "
                       "SRP (no-srp); use --engine gnutls", OpenSSL_version(OPENSSL_VERSION_STRING));
        return -1;
#endif
    }
    return 0;
}

void ossl_psk_free(ossl_psk *p)
{
    if (!p)
        return;
    psk_table_clear(&p->t);
    free(p);
}

const char *ossl_psk_identities(const ossl_psk *p)
{
    return p && p->t.num_psk ? p->t.ids : NULL;
}

bool ossl_psk_key(const ossl_psk *p, const char *identity, uint8_t *out, size_t cap,
                  size_t *out_len)
{
    *out_len = 0;
    return p && psk_table_key(&p->t, identity, out, cap, out_len);
}
