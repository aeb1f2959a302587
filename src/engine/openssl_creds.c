/* Credentials of the OpenSSL engine: the same certificates the gnutls
 * engine serves.  A generated certificate or chain is made once by
 * credentials.c / certgen.c (shared by both engines); this file loads its
 * PEM into an SSL_CTX.  --cert/--key are read by OpenSSL itself. */
#include "certgen.h"
#include "credentials.h"
#include "internal.h"
#include "openssl_int.h"

#include <gnutls/x509.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* OpenSSL's last error as text ("" when none). */
static const char *ossl_err_text(void)
{
    static __thread char buf[256];
    unsigned long e = ERR_peek_last_error();
    buf[0] = '\0';
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

void ossl_fingerprint(X509 *x, char *out, size_t out_len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    out[0] = '\0';
    if (!x || !X509_digest(x, EVP_sha256(), md, &n))
        return;
    for (unsigned i = 0; i < n && 3 * i + 3 <= out_len; i++)
        snprintf(out + 3 * i, out_len - 3 * i, i + 1 < n ? "%02X:" : "%02X", md[i]);
}

/* The leaf and the rest of a PEM chain (in the order sent) into ctx. */
static int load_chain_pem(SSL_CTX *ctx, const void *pem, size_t len, char *err, size_t err_len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *leaf = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    int rc = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1 ? 0 : -1;
    X509_free(leaf);
    X509 *x;
    while (rc == 0 && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
            X509_free(x);
            rc = -1;
        }
    }
    BIO_free(b);
    if (rc < 0)
        engine_err_set(err, err_len, "the openssl engine cannot load the generated certificate: %s",
                       ossl_err_text());
    ERR_clear_error(); /* the end of the PEM */
    return rc;
}

static int load_key_pem(SSL_CTX *ctx, const void *pem, size_t len, char *err, size_t err_len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    int rc = k && SSL_CTX_use_PrivateKey(ctx, k) == 1 ? 0 : -1;
    EVP_PKEY_free(k);
    BIO_free(b);
    if (rc < 0)
        engine_err_set(err, err_len, "the openssl engine cannot load the generated key: %s",
                       ossl_err_text());
    return rc;
}

/* The generated chain's leaf key, exported from its GnuTLS credentials. */
static int chain_key(SSL_CTX *ctx, const engine_chain *ch, char *err, size_t err_len)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_datum_t pem = {NULL, 0};
    int rc = gnutls_certificate_get_x509_key(ch->cred, 0, &key);
    if (rc >= 0)
        rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               &pem);
    if (rc < 0) {
        engine_err_set(err, err_len, "the openssl engine cannot take the chain's key: %s",
                       gnutls_strerror(rc));
    } else {
        rc = load_key_pem(ctx, pem.data, pem.size, err, err_len);
    }
    if (pem.data) {
        gnutls_memset(pem.data, 0, pem.size);
        gnutls_free(pem.data);
    }
    gnutls_x509_privkey_deinit(key);
    return rc < 0 ? -1 : 0;
}

/* The gnutls engine's words (credentials.c), libssl's reason after them. */
static int creds_files(SSL_CTX *ctx, const tp_engine_config *cfg, char *err, size_t err_len)
{
    const char *kf = cfg->key_file ? cfg->key_file : cfg->cert_file;
    const char *what = NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1)
        what = "the certificate file is not a PEM certificate";
    else if (SSL_CTX_use_PrivateKey_file(ctx, kf, SSL_FILETYPE_PEM) != 1 ||
             SSL_CTX_check_private_key(ctx) != 1)
        what = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH
                   ? "the certificate and the given key do not match"
                   : "the key file is not a PEM private key";
    if (!what)
        return 0;
    engine_err_set(err, err_len, "cannot load certificate '%s' with key '%s': %s (openssl: %s)",
                   cfg->cert_file, kf, what, ossl_err_text());
    return -1;
}

/* --client-ca FILE or "generated" (the process's root CA). */
static int client_ca(SSL_CTX *ctx, const char *ca, char *err, size_t err_len)
{
    if (strcmp(ca, "generated") != 0) {
        if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
            engine_err_set(err, err_len, "--client-ca %s: no CA certificate in it (%s)", ca,
                           ossl_err_text());
            return -1;
        }
        return 0;
    }
    const gnutls_datum_t *root = engine_ca_root_pem();
    BIO *b = root ? BIO_new_mem_buf(root->data, (int)root->size) : NULL;
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    int rc = x && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1 ? 0 : -1;
    X509_free(x);
    BIO_free(b);
    if (rc < 0)
        engine_err_set(err, err_len, "--client-ca generated: no generated CA");
    return rc;
}

/* A generated chain (with its key from GnuTLS) or self-signed certificate into ctx. */
int ossl_creds_load_generated(SSL_CTX *ctx, const engine_chain *ch, const engine_generated *g,
                              char *err, size_t err_len)
{
    if (ch)
        return load_chain_pem(ctx, ch->chain_pem.data, ch->chain_pem.size, err, err_len) < 0 ||
                       chain_key(ctx, ch, err, err_len) < 0
                   ? -1
                   : 0;
    return load_chain_pem(ctx, g->cert_pem.data, g->cert_pem.size, err, err_len) < 0 ||
                   load_key_pem(ctx, g->key_pem.data, g->key_pem.size, err, err_len) < 0
               ? -1
               : 0;
}

static int creds_generated(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_creds *out, char *err,
                           size_t err_len)
{
    const engine_chain *ch = NULL;
    const engine_generated *g = NULL;
    if (cfg->chain || cfg->cert_variant || cfg->ocsp || cfg->client_ca) {
        engine_chain_req req = {cfg->key_type, cfg->cert_variant, cfg->ocsp, cfg->client_ca,
                                cfg->san_dns,  cfg->san_ip};
        ch = engine_chain_get(&req, NULL, err, err_len);
        if (!ch)
            return -1;
        out->chain = ch;
        out->staple = ch->staple;
    } else {
        const char *kt = cfg->key_type && *cfg->key_type ? cfg->key_type : "rsa:2048";
        g = engine_cred_generated(kt, cfg->san_dns, cfg->san_ip, NULL, err, err_len);
        if (!g)
            return -1;
        out->generated = g;
    }
    return ossl_creds_load_generated(ctx, ch, g, err, err_len);
}

/* --cert with --ocsp FILE: the file is checked against the certificate as
 * the gnutls engine checks it (the same messages), and its bytes stapled. */
static int creds_files_ocsp(const tp_engine_config *cfg, ossl_creds *out, char *err,
                            size_t err_len)
{
    gnutls_certificate_credentials_t cred = NULL;
    char fp[3 * 32];
    int rc = engine_cred_load(cfg->cert_file, cfg->key_file, NULL, &cred, fp, sizeof fp, err,
                              err_len);
    if (rc == 0)
        rc = engine_ocsp_loaded(cred, cfg->ocsp, &out->staple, err, err_len);
    if (cred)
        gnutls_certificate_free_credentials(cred);
    return rc < 0 ? -1 : 0;
}

int ossl_creds_setup(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_creds *out, char *err,
                     size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (cfg->key_file && !cfg->cert_file) {
        engine_err_set(err, err_len, "--key '%s' given without --cert", cfg->key_file);
        return -1;
    }
    if (cfg->cert_file && cfg->cert_variant) {
        engine_err_set(err, err_len, "--cert-variant %s needs the generated chain, not --cert",
                       cfg->cert_variant);
        return -1;
    }
    int rc = cfg->cert_file ? creds_files(ctx, cfg, err, err_len)
                            : creds_generated(ctx, cfg, out, err, err_len);
    if (rc == 0 && cfg->cert_file && cfg->ocsp)
        rc = creds_files_ocsp(cfg, out, err, err_len);
    if (rc == 0 && cfg->client_ca)
        rc = client_ca(ctx, cfg->client_ca, err, err_len);
    if (rc < 0)
        return -1;
    X509 *leaf = SSL_CTX_get0_certificate(ctx);
    ossl_fingerprint(leaf, out->fingerprint, sizeof(out->fingerprint));
    EVP_PKEY *pk = leaf ? X509_get0_pubkey(leaf) : NULL;
    out->rsa = pk && EVP_PKEY_is_a(pk, "RSA");
    return 0;
}
