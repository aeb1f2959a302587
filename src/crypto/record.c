/* Dispatch to the family files, and what every family shares: context
 * setup, the TLS <= 1.2 record MAC, sizes. */
#include "record.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "record_internal.h"

static const crypto_record_ops *ops_for(crypto_family f)
{
    switch (f) {
    case CRYPTO_FAMILY_NULL:
        return &crypto_record_ops_null;
    case CRYPTO_FAMILY_STREAM:
        return &crypto_record_ops_stream;
    case CRYPTO_FAMILY_CBC:
        return &crypto_record_ops_cbc;
    case CRYPTO_FAMILY_GCM:
        return &crypto_record_ops_gcm;
    case CRYPTO_FAMILY_CCM:
        return &crypto_record_ops_ccm;
    case CRYPTO_FAMILY_CHACHA20_POLY1305:
        return &crypto_record_ops_chacha;
    default:
        return NULL;
    }
}

tp_status crypto_record_init(crypto_record *r, const crypto_suite *s, uint16_t version, bool etm,
                             bool for_seal, const uint8_t *mac_key, const uint8_t *key,
                             const uint8_t *iv)
{
    memset(r, 0, sizeof *r);
    const crypto_record_ops *ops = ops_for(s->family);
    if (!ops)
        return TP_ERR_UNSUPPORTED;
    /* SSL 3.0 uses its own MAC and padding rules; TLS 1.3 has AEADs only;
     * RFC 7366 applies EtM to CBC only. */
    if (version < 0x0301 || version > 0x0304 || (version == 0x0304) != s->tls13 ||
        (etm && s->family != CRYPTO_FAMILY_CBC))
        return TP_ERR_UNSUPPORTED;
    if (s->key_len > sizeof r->key || s->fixed_iv_len > sizeof r->iv ||
        s->mac_len > CRYPTO_MAX_MAC_LEN)
        return TP_ERR_UNSUPPORTED;

    r->ops = ops;
    r->suite = *s;
    r->version = version;
    r->etm = etm;
    r->seal = for_seal;
    if (s->key_len)
        memcpy(r->key, key, s->key_len);
    if (iv && s->fixed_iv_len)
        memcpy(r->iv, iv, s->fixed_iv_len);

    if (s->mac != CRYPTO_HASH_NONE) {
        r->mctx = crypto_hmac_ctx_new(s->mac, mac_key, s->mac_len);
        if (!r->mctx) {
            crypto_record_cleanup(r);
            return TP_ERR_CRYPTO;
        }
    }
    tp_status st = ops->init(r, mac_key);
    if (st != TP_OK)
        crypto_record_cleanup(r);
    return st;
}

void crypto_record_cleanup(crypto_record *r)
{
    if (r->cctx)
        EVP_CIPHER_CTX_free(r->cctx);
    if (r->mctx)
        EVP_MAC_CTX_free(r->mctx);
    OPENSSL_cleanse(r, sizeof *r);
}

tp_status crypto_rec_cipher_ctx(crypto_record *r)
{
    const EVP_CIPHER *c = crypto_evp_cipher(r->suite.cipher);
    if (!c)
        return TP_ERR_UNSUPPORTED;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return TP_ERR_NOMEM;
    r->cctx = ctx;
    if (!EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, r->seal ? 1 : 0))
        return TP_ERR_CRYPTO;
    return TP_OK;
}

tp_status crypto_rec_cipher_ctx_keyed(crypto_record *r)
{
    tp_status st = crypto_rec_cipher_ctx(r);
    if (st != TP_OK)
        return st;
    if (!EVP_CipherInit_ex(r->cctx, NULL, NULL, r->key, NULL, -1))
        return TP_ERR_CRYPTO;
    return TP_OK;
}

void crypto_rec_detail(crypto_record *r, tp_record_check *chk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    chk->detail = r->detail;
}

/* RFC 5246 6.2.3.1: MAC(MAC_write_key, seq_num + type + version + length + content).
 * RFC 7366 3: with EtM the "content" is IV + ciphertext and length its size. */
tp_status crypto_rec_mac(crypto_record *r, unsigned type, uint16_t rec_version, const uint8_t *data,
                         size_t len, uint8_t *out)
{
    uint8_t hdr[13];
    size_t n;
    crypto_put_u64(hdr, r->seq);
    hdr[8] = (uint8_t)type;
    crypto_put_u16(hdr + 9, rec_version);
    crypto_put_u16(hdr + 11, (unsigned)len);
    if (!EVP_MAC_init(r->mctx, NULL, 0, NULL) || !EVP_MAC_update(r->mctx, hdr, sizeof hdr) ||
        !EVP_MAC_update(r->mctx, data, len) ||
        !EVP_MAC_final(r->mctx, out, &n, CRYPTO_MAX_MAC_LEN) || n != r->suite.mac_len)
        return TP_ERR_CRYPTO;
    return TP_OK;
}

tp_status crypto_record_open(crypto_record *r, unsigned type, uint16_t rec_version,
                             const uint8_t *frag, size_t len, uint8_t *out, size_t out_cap,
                             tp_record_check *chk)
{
    memset(chk, 0, sizeof *chk);
    chk->is_protected = true;
    chk->inner_type = type;
    if (!r->ops || r->seal) {
        chk->integrity = TP_INTEGRITY_UNCHECKED;
        chk->detail = "no keys";
        return TP_ERR_NO_KEYS;
    }
    if (out_cap < len) {
        chk->integrity = TP_INTEGRITY_UNCHECKED;
        chk->detail = "output buffer too small";
        return TP_ERR_LIMIT;
    }
    chk->integrity = TP_INTEGRITY_BAD;
    tp_status st = r->ops->open(r, type, rec_version, frag, len, out, chk);
    r->seq++;
    if (st == TP_OK) {
        chk->integrity = TP_INTEGRITY_OK;
        chk->detail = NULL;
    } else {
        chk->integrity = TP_INTEGRITY_BAD;
        chk->plaintext = NULL;
        if (!chk->detail)
            chk->detail = tp_status_message(st);
    }
    return st;
}

size_t crypto_record_seal_size(const crypto_record *r, size_t len, const crypto_seal_opts *o)
{
    static const crypto_seal_opts none;
    if (!o)
        o = &none;
    const crypto_suite *s = &r->suite;
    if (!r->ops || len > WIRE_MAX_PLAINTEXT)
        return 0;
    if (s->tls13)
        return len + 1 + o->tls13_pad_len + s->tag_len;
    switch (s->family) {
    case CRYPTO_FAMILY_NULL:
    case CRYPTO_FAMILY_STREAM:
        return len + s->mac_len;
    case CRYPTO_FAMILY_CBC: {
        size_t ivl = r->version >= 0x0302 ? s->block_len : 0;
        /* MtE pads content + MAC; EtM pads the content only (RFC 7366 3) */
        size_t body = len + 1 + (r->etm ? 0 : s->mac_len);
        size_t pad = (s->block_len - body % s->block_len) % s->block_len;
        if (o->cbc_pad_set) {
            if (o->cbc_pad_len > 255 || (body + o->cbc_pad_len) % s->block_len != 0)
                return 0;
            pad = o->cbc_pad_len;
        }
        return ivl + body + pad + (r->etm ? s->mac_len : 0);
    }
    default:
        return s->record_iv_len + len + s->tag_len;
    }
}

tp_status crypto_record_seal(crypto_record *r, unsigned type, uint16_t rec_version,
                             const uint8_t *pt, size_t len, const crypto_seal_opts *opts,
                             uint8_t *out, size_t out_cap, size_t *out_len)
{
    static const crypto_seal_opts none;
    if (!opts)
        opts = &none;
    *out_len = 0;
    if (!r->ops || !r->seal)
        return TP_ERR_NO_KEYS;
    size_t need = crypto_record_seal_size(r, len, opts);
    if (need == 0)
        return TP_ERR_USAGE;
    if (out_cap < need)
        return TP_ERR_LIMIT;
    tp_status st = r->ops->seal(r, type, rec_version, pt, len, opts, out, out_cap, out_len);
    if (st == TP_OK)
        r->seq++;
    return st;
}
