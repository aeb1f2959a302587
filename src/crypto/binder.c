/* See binder.h.  RFC 8446 7.1 (the key schedule's left column up to the
 * binder key), 4.4.4 (finished_key), 4.2.11.2 (the binder). */
#include "binder.h"

#include <openssl/crypto.h>

#include "prf.h"

tp_status crypto_psk_binder(crypto_hash h, const uint8_t *psk, size_t psk_len,
                            const uint8_t *truncated_hello, size_t hello_len, uint8_t *out)
{
    size_t n = crypto_hash_len(h);
    uint8_t early[CRYPTO_MAX_HASH_LEN], empty[CRYPTO_MAX_HASH_LEN], bkey[CRYPTO_MAX_HASH_LEN];
    uint8_t fkey[CRYPTO_MAX_HASH_LEN], th[CRYPTO_MAX_HASH_LEN];
    tp_status st = n && n <= CRYPTO_MAX_HASH_LEN ? TP_OK : TP_ERR_UNSUPPORTED;
    /* Early Secret = HKDF-Extract(0, PSK); "ext binder" for an external PSK */
    if (st == TP_OK)
        st = crypto_hkdf_extract(h, NULL, 0, psk, psk_len, early);
    if (st == TP_OK)
        st = crypto_hash_digest(h, NULL, 0, empty);
    if (st == TP_OK)
        st = crypto_tls13_derive_secret(h, early, "ext binder", empty, bkey);
    if (st == TP_OK)
        st = crypto_tls13_finished_key(h, bkey, n, fkey);
    if (st == TP_OK)
        st = crypto_hash_digest(h, truncated_hello, hello_len, th);
    if (st == TP_OK)
        st = crypto_hmac(h, fkey, n, th, n, out);
    OPENSSL_cleanse(early, sizeof early);
    OPENSSL_cleanse(bkey, sizeof bkey);
    OPENSSL_cleanse(fkey, sizeof fkey);
    return st;
}

int crypto_psk_binder_check(const uint8_t *psk, size_t psk_len, const uint8_t *truncated_hello,
                            size_t hello_len, const uint8_t *binder, size_t binder_len)
{
    crypto_hash h = binder_len == 48 ? CRYPTO_HASH_SHA384 : CRYPTO_HASH_SHA256;
    uint8_t want[CRYPTO_MAX_HASH_LEN];
    if (crypto_psk_binder(h, psk, psk_len, truncated_hello, hello_len, want) != TP_OK)
        return -1;
    return binder_len == crypto_hash_len(h) && CRYPTO_memcmp(want, binder, binder_len) == 0;
}

void crypto_wipe(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}
