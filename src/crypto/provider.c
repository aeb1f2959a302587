/* Fetches libcrypto algorithms once per process.  Explicit fetching (rather
 * than EVP_aes_128_gcm() at every init) keeps per-record cost flat, and a
 * private library context holds the legacy provider for RC4 so that the
 * default context (used by the rest of the program) is left as it was:
 * loading a provider into the default context would switch off the
 * automatic loading of the default provider. */
#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/provider.h>

#include "internal.h"

static struct {
    const EVP_MD *md[5];
    const EVP_CIPHER *cipher[CRYPTO_CIPHER_COUNT];
    EVP_MAC *hmac;
    EVP_MAC_CTX *hmac_tmpl[5]; /* per hash, the digest set (crypto_hmac_template) */
    OSSL_LIB_CTX *legacy_ctx;
} algs;

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;

static const char *const cipher_names[CRYPTO_CIPHER_COUNT] = {
    [CRYPTO_CIPHER_3DES_CBC] = "DES-EDE3-CBC",
    [CRYPTO_CIPHER_AES_128_CBC] = "AES-128-CBC",
    [CRYPTO_CIPHER_AES_256_CBC] = "AES-256-CBC",
    [CRYPTO_CIPHER_CAMELLIA_128_CBC] = "CAMELLIA-128-CBC",
    [CRYPTO_CIPHER_CAMELLIA_256_CBC] = "CAMELLIA-256-CBC",
    [CRYPTO_CIPHER_AES_128_GCM] = "AES-128-GCM",
    [CRYPTO_CIPHER_AES_256_GCM] = "AES-256-GCM",
    [CRYPTO_CIPHER_AES_128_CCM] = "AES-128-CCM",
    [CRYPTO_CIPHER_AES_256_CCM] = "AES-256-CCM",
    [CRYPTO_CIPHER_AES_128_CCM_8] = "AES-128-CCM",
    [CRYPTO_CIPHER_AES_256_CCM_8] = "AES-256-CCM",
    [CRYPTO_CIPHER_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
};

/* One HMAC context per hash with its digest already set: a context from
 * EVP_MAC_CTX_new needs the digest set by name, and OpenSSL 3 fetches the
 * digest from the provider store (locks, a name look-up) every time;
 * EVP_MAC_CTX_dup of a prepared one copies it instead.  The templates are
 * only ever read (duplicated), so threads share them. */
static void hmac_templates_make(void)
{
    static const uint8_t zero_key[1];
    for (int h = 1; algs.hmac && h < 5; h++) {
        EVP_MAC_CTX *ctx = algs.md[h] ? EVP_MAC_CTX_new(algs.hmac) : NULL;
        if (!ctx)
            continue;
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)EVP_MD_get0_name(algs.md[h]), 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_MAC_init(ctx, zero_key, sizeof zero_key, params))
            algs.hmac_tmpl[h] = ctx;
        else
            EVP_MAC_CTX_free(ctx);
    }
}

static void algs_fetch(void)
{
    static const char *const md_names[5] = {NULL, "MD5", "SHA1", "SHA256", "SHA384"};
    for (int i = 1; i < 5; i++)
        algs.md[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
    for (int i = 0; i < CRYPTO_CIPHER_COUNT; i++)
        if (cipher_names[i])
            algs.cipher[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], NULL);
    algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    hmac_templates_make();
}

static void legacy_fetch(void)
{
    /* Degrade gracefully: without the legacy provider RC4 records are
     * reported unchecked (TP_ERR_UNSUPPORTED), nothing else changes. */
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    if (!ctx)
        return;
    if (!OSSL_PROVIDER_load(ctx, "legacy") || !OSSL_PROVIDER_load(ctx, "default")) {
        OSSL_LIB_CTX_free(ctx);
        return;
    }
    algs.legacy_ctx = ctx;
    algs.cipher[CRYPTO_CIPHER_RC4_128] = EVP_CIPHER_fetch(ctx, "RC4", NULL);
}

const EVP_MD *crypto_md(crypto_hash h)
{
    pthread_once(&algs_once, algs_fetch);
    return (unsigned)h < 5 ? algs.md[h] : NULL;
}

const EVP_CIPHER *crypto_evp_cipher(crypto_cipher c)
{
    pthread_once(&algs_once, algs_fetch);
    if (c == CRYPTO_CIPHER_RC4_128)
        pthread_once(&legacy_once, legacy_fetch);
    return (unsigned)c < CRYPTO_CIPHER_COUNT ? algs.cipher[c] : NULL;
}

const EVP_MAC_CTX *crypto_hmac_template(crypto_hash h)
{
    pthread_once(&algs_once, algs_fetch);
    return (unsigned)h < 5 ? algs.hmac_tmpl[h] : NULL;
}
