/* Stream-cipher records (RFC 5246 6.2.3.1): RC4 (whose keystream runs on
 * across records, so its context is never re-initialised) and the NULL
 * cipher (content + MAC in the clear; TLS_NULL_WITH_NULL_NULL has no MAC). */
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "record_internal.h"

static tp_status stream_open(crypto_record *r, unsigned type, uint16_t rec_version,
                             const uint8_t *frag, size_t len, uint8_t *out, tp_record_check *chk)
{
    size_t ml = r->suite.mac_len;
    uint8_t mac[CRYPTO_MAX_MAC_LEN];
    /* check_length happens after decrypting for RC4 on purpose: the
     * keystream has to advance by len bytes whatever the record holds. */
    if (r->cctx) {
        int n = 0;
        if (len > INT32_MAX ||
            (len && (!EVP_CipherUpdate(r->cctx, out, &n, frag, (int)len) || (size_t)n != len)))
            return TP_ERR_CRYPTO;
    } else if (out != frag && len) {
        memmove(out, frag, len);
    }
    if (len < ml) {
        crypto_rec_detail(r, chk, "record of %zu bytes is shorter than the %zu-byte MAC", len, ml);
        return TP_ERR_TRUNCATED;
    }
    size_t content_len = len - ml;
    chk->plaintext = out;
    chk->plaintext_len = content_len;
    if (ml == 0)
        return TP_OK;
    tp_status st = crypto_rec_mac(r, type, rec_version, out, content_len, mac);
    if (st != TP_OK)
        return st;
    if (CRYPTO_memcmp(mac, out + content_len, ml) != 0) {
        crypto_rec_detail(r, chk, "MAC mismatch");
        return TP_ERR_BAD_MAC;
    }
    return TP_OK;
}

static tp_status stream_seal(crypto_record *r, unsigned type, uint16_t rec_version,
                             const uint8_t *pt, size_t len, const crypto_seal_opts *o, uint8_t *out,
                             size_t cap, size_t *out_len)
{
    size_t ml = r->suite.mac_len;
    (void)o;
    (void)cap;
    if (len)
        memmove(out, pt, len);
    if (ml) {
        tp_status st = crypto_rec_mac(r, type, rec_version, out, len, out + len);
        if (st != TP_OK)
            return st;
    }
    if (r->cctx) {
        int n = 0;
        if (len + ml > INT32_MAX || !EVP_CipherUpdate(r->cctx, out, &n, out, (int)(len + ml)) ||
            (size_t)n != len + ml)
            return TP_ERR_CRYPTO;
    }
    *out_len = len + ml;
    return TP_OK;
}

static tp_status rc4_init(crypto_record *r, const uint8_t *mac_key)
{
    (void)mac_key;
    return crypto_rec_cipher_ctx_keyed(r);
}

static tp_status null_init(crypto_record *r, const uint8_t *mac_key)
{
    (void)r;
    (void)mac_key;
    return TP_OK;
}

const crypto_record_ops crypto_record_ops_stream = {
    .name = "RC4",
    .init = rc4_init,
    .open = stream_open,
    .seal = stream_seal,
};

const crypto_record_ops crypto_record_ops_null = {
    .name = "NULL",
    .init = null_init,
    .open = stream_open,
    .seal = stream_seal,
};
