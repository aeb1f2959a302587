/* AES-CCM and AES-CCM-8 records: RFC 6655 (TLS 1.2, same nonce layout as
 * GCM) and RFC 8446 (TLS 1.3).  CCM needs the message length and, for
 * decryption, the expected tag before any data, so its EVP sequence differs
 * from GCM's. */
#include "internal.h"
#include "record_internal.h"

static tp_status ccm_aead(crypto_record *r, const uint8_t nonce[12], const uint8_t *aad,
                          size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *ctx = r->cctx;
    int n = 0;
    int tag_len = (int)r->suite.tag_len;
    if (len > INT32_MAX)
        return TP_ERR_CRYPTO;
    if (!r->seal && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_len, tag))
        return TP_ERR_CRYPTO;
    if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, -1) ||
        !EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)len) ||
        !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len))
        return TP_ERR_CRYPTO;
    if (!r->seal) {
        /* the tag is checked (constant time, in libcrypto) by this update */
        static uint8_t empty;
        return EVP_CipherUpdate(ctx, len ? out : &empty, &n, len ? in : &empty, (int)len) > 0
                   ? TP_OK
                   : TP_ERR_BAD_MAC;
    }
    static uint8_t empty;
    if (EVP_CipherUpdate(ctx, len ? out : &empty, &n, len ? in : &empty, (int)len) <= 0 ||
        EVP_CipherFinal_ex(ctx, out + n, &n) <= 0 ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tag_len, tag))
        return TP_ERR_CRYPTO;
    return TP_OK;
}

static tp_status ccm_init(crypto_record *r, const uint8_t *mac_key)
{
    (void)mac_key;
    tp_status st = crypto_rec_cipher_ctx(r);
    if (st != TP_OK)
        return st;
    /* RFC 6655 3 / RFC 8446: 12-byte nonce (L = 3), tag of 16 or 8 bytes */
    if (!EVP_CIPHER_CTX_ctrl(r->cctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
        !EVP_CIPHER_CTX_ctrl(r->cctx, EVP_CTRL_AEAD_SET_TAG, (int)r->suite.tag_len, NULL) ||
        !EVP_CipherInit_ex(r->cctx, NULL, NULL, r->key, NULL, -1))
        return TP_ERR_CRYPTO;
    return TP_OK;
}

const crypto_record_ops crypto_record_ops_ccm = {
    .name = "CCM",
    .init = ccm_init,
    .open = crypto_rec_aead_open,
    .seal = crypto_rec_aead_seal,
    .aead = ccm_aead,
};
