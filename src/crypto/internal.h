/* Private helpers shared by the files of src/crypto.  Not for other modules. */
#ifndef TP_CRYPTO_INTERNAL_H
#define TP_CRYPTO_INTERNAL_H

#include <openssl/evp.h>

#include "../wire/record.h"
#include "suite.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "src/crypto needs OpenSSL 3.0 libcrypto (EVP_MAC, providers)"
#endif

/* Message digest for h, fetched once and kept for the process.  NULL for
 * NONE or when the provider lacks it. */
const EVP_MD *crypto_md(crypto_hash h);

/* Record cipher for c, fetched once.  RC4 comes from the legacy provider in
 * a private library context (so loading it changes nothing for the rest of
 * the process); NULL when that provider is absent.  NULL for the NULL cipher. */
const EVP_CIPHER *crypto_evp_cipher(crypto_cipher c);

/* An HMAC context of hash h with its digest set, made once (duplicate it:
 * crypto_hmac_ctx_new); NULL for an unknown hash. */
const EVP_MAC_CTX *crypto_hmac_template(crypto_hash h);

/* A keyed HMAC context (EVP_MAC_init with NULL key re-keys it for the next
 * message without allocating).  NULL on failure; free with EVP_MAC_CTX_free. */
EVP_MAC_CTX *crypto_hmac_ctx_new(crypto_hash h, const uint8_t *key, size_t key_len);

static inline void crypto_put_u16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void crypto_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

#endif
