/* AES-GCM records: RFC 5288 (TLS 1.2, 4-byte salt + 8-byte explicit nonce)
 * and RFC 8446 5.3 (TLS 1.3).  The cipher context is keyed once; each record
 * only re-sets the nonce, which keeps the per-record cost to the AES work
 * itself (the decode benchmark needs hundreds of MB/s). */
#include <string.h>

#include "internal.h"
#include "record_internal.h"

tp_status crypto_rec_evp_aead(crypto_record *r, const uint8_t nonce[12], const uint8_t *aad,
                              size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                              uint8_t *tag)
{
    EVP_CIPHER_CTX *ctx = r->cctx;
    int n = 0, fin = 0;
    size_t tag_len = r->suite.tag_len;
    if (len > INT32_MAX || !EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, -1) ||
        !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) ||
        (len && !EVP_CipherUpdate(ctx, out, &n, in, (int)len)))
        return TP_ERR_CRYPTO;
    if (r->seal) {
        if (!EVP_CipherFinal_ex(ctx, out + n, &fin) ||
            !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag))
            return TP_ERR_CRYPTO;
        return TP_OK;
    }
    if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, tag))
        return TP_ERR_CRYPTO;
    /* Final compares the tag in constant time inside libcrypto */
    return EVP_CipherFinal_ex(ctx, out + n, &fin) > 0 ? TP_OK : TP_ERR_BAD_MAC;
}

static tp_status gcm_init(crypto_record *r, const uint8_t *mac_key)
{
    (void)mac_key;
    /* 12 is the default IV length for GCM and ChaCha20-Poly1305 */
    return crypto_rec_cipher_ctx_keyed(r);
}

const crypto_record_ops crypto_record_ops_gcm = {
    .name = "GCM",
    .init = gcm_init,
    .open = crypto_rec_aead_open,
    .seal = crypto_rec_aead_seal,
    .aead = crypto_rec_evp_aead,
};

/* Shared with rec_chacha.c. */
tp_status crypto_rec_evp_aead_init(crypto_record *r, const uint8_t *mac_key)
{
    return gcm_init(r, mac_key);
}
