/* CBC block cipher + HMAC records (RFC 5246 6.2.3.2, RFC 2246 6.2.3.2,
 * RFC 4346 6.2.3.2) in both orders: MAC-then-encrypt (the default) and
 * encrypt-then-MAC (RFC 7366).  TLS 1.0 chains the IV from the previous
 * record's last ciphertext block; TLS 1.1+ sends an explicit IV block.
 *
 * This is a verifier, not an endpoint: it reports exactly what is wrong
 * (padding length, padding bytes, MAC) rather than hiding it behind one
 * uniform error, so it makes no attempt at Lucky13-style constant time
 * beyond comparing MACs with CRYPTO_memcmp. */
#include <string.h>

#include <openssl/crypto.h>

#ifdef TP_MUTANTS
#include "tp_mutant.h" /* tests/mutants/run: TP_MUTANT_PAD 1 negates, 2 moves the bound */
#endif
#include <openssl/rand.h>

#include "internal.h"
#include "record_internal.h"

static size_t explicit_iv_len(const crypto_record *r)
{
    return r->version >= 0x0302 ? r->suite.block_len : 0;
}

static tp_status cbc_crypt(crypto_record *r, const uint8_t *iv, const uint8_t *in, size_t len,
                           uint8_t *out)
{
    int n = 0;
    if (len > INT32_MAX || !EVP_CipherInit_ex(r->cctx, NULL, NULL, NULL, iv, -1) ||
        !EVP_CipherUpdate(r->cctx, out, &n, in, (int)len) || (size_t)n != len)
        return TP_ERR_CRYPTO;
    return TP_OK;
}

/* RFC 5246 6.2.3.2: every padding byte holds the padding length.  Fills the
 * padding fields of chk; returns false with a detail when malformed.
 * body/len is the decrypted GenericBlockCipher content after the IV;
 * reserved is the room the MAC needs before the padding (MtE) or 0. */
static bool cbc_check_padding(crypto_record *r, const uint8_t *body, size_t len, size_t reserved,
                              tp_record_check *chk)
{
    size_t bs = r->suite.block_len;
    unsigned pad = body[len - 1];
    chk->has_padding = true;
    chk->padding_len = pad;
    if ((size_t)pad + 1 + reserved > len) {
        chk->padding_valid = false;
        crypto_rec_detail(r, chk,
                          "padding length %u does not fit in a %zu-byte record with a %zu-byte MAC",
                          pad, len, reserved);
        return false;
    }
    /* A verifier wants the first wrong byte, so this loop exits early. */
    for (size_t i = len - 1 - pad; i < len - 1; i++) {
        if (body[i] != pad) {
            chk->padding_valid = false;
            crypto_rec_detail(r, chk, "padding bytes not all equal to %u (byte %zu of %u is %u)",
                              pad, i - (len - 1 - pad) + 1, pad, body[i]);
            return false;
        }
    }
    chk->padding_valid = true;
    /* the total is block-aligned, so the smallest padding is below one block */
#if defined(TP_MUTANT_PAD) && TP_MUTANT_PAD == 1
    chk->padding_minimal = !((size_t)pad < bs);
#elif defined(TP_MUTANT_PAD) && TP_MUTANT_PAD == 2
    chk->padding_minimal = (size_t)pad <= bs;
#else
    chk->padding_minimal = (size_t)pad < bs;
#endif
    return true;
}

static tp_status cbc_open(crypto_record *r, unsigned type, uint16_t rec_version,
                          const uint8_t *frag, size_t len, uint8_t *out, tp_record_check *chk)
{
    const crypto_suite *s = &r->suite;
    size_t bs = s->block_len, ivl = explicit_iv_len(r), ml = s->mac_len;
    size_t mac_tail = r->etm ? ml : 0;
    uint8_t mac[CRYPTO_MAX_MAC_LEN], next_iv[CRYPTO_MAX_IV_LEN];

    /* check_length: IV + at least one block (+ MAC for EtM), aligned */
    size_t min_body = r->etm ? bs : ((ml + 1 + bs - 1) / bs) * bs;
    if (len < ivl + min_body + mac_tail) {
        crypto_rec_detail(r, chk,
                          "record of %zu bytes is too short for IV, MAC and padding (minimum %zu)",
                          len, ivl + min_body + mac_tail);
        return TP_ERR_TRUNCATED;
    }
    size_t ct_len = len - ivl - mac_tail;
    if (ct_len % bs != 0) {
        crypto_rec_detail(r, chk, "ciphertext of %zu bytes is not a multiple of the block size %zu",
                          ct_len, bs);
        return TP_ERR_TRUNCATED;
    }

    bool mac_ok = true;
    if (r->etm) {
        /* RFC 7366 3: MAC over IV + ciphertext, checked before decrypting */
        tp_status st = crypto_rec_mac(r, type, rec_version, frag, len - ml, mac);
        if (st != TP_OK)
            return st;
        mac_ok = CRYPTO_memcmp(mac, frag + len - ml, ml) == 0;
    }

    const uint8_t *iv = ivl ? frag : r->iv;
    const uint8_t *ct = frag + ivl;
    memcpy(next_iv, ct + ct_len - bs, bs); /* before an in-place decrypt */
    uint8_t saved_iv[CRYPTO_MAX_IV_LEN];
    memcpy(saved_iv, iv, bs);
    tp_status st = cbc_crypt(r, saved_iv, ct, ct_len, out + ivl);
    if (st != TP_OK)
        return st;
    if (!ivl)
        memcpy(r->iv, next_iv, bs); /* RFC 2246 6.2.3.2: chained IV */

    const uint8_t *body = out + ivl;
    /* Even with a bad EtM MAC the padding is reported: it tells which side
     * of the record layer went wrong. */
    if (!cbc_check_padding(r, body, ct_len, r->etm ? 0 : ml, chk)) {
        if (!mac_ok)
            crypto_rec_detail(r, chk, "MAC mismatch (and padding malformed)");
        return mac_ok ? TP_ERR_BAD_PADDING : TP_ERR_BAD_MAC;
    }
    size_t content_len = ct_len - 1 - chk->padding_len - (r->etm ? 0 : ml);
    chk->plaintext = body;
    chk->plaintext_len = content_len;

    if (!r->etm) {
        st = crypto_rec_mac(r, type, rec_version, body, content_len, mac);
        if (st != TP_OK)
            return st;
        mac_ok = CRYPTO_memcmp(mac, body + content_len, ml) == 0;
    }
    if (!mac_ok) {
        crypto_rec_detail(r, chk, "MAC mismatch");
        return TP_ERR_BAD_MAC;
    }
    return TP_OK;
}

static tp_status cbc_seal(crypto_record *r, unsigned type, uint16_t rec_version, const uint8_t *pt,
                          size_t len, const crypto_seal_opts *o, uint8_t *out, size_t cap,
                          size_t *out_len)
{
    const crypto_suite *s = &r->suite;
    size_t bs = s->block_len, ivl = explicit_iv_len(r), ml = s->mac_len;
    size_t total = crypto_record_seal_size(r, len, o);
    size_t ct_len = total - ivl - (r->etm ? ml : 0);
    size_t pad = ct_len - len - 1 - (r->etm ? 0 : ml);
    uint8_t iv[CRYPTO_MAX_IV_LEN];
    (void)cap;

    if (len)
        memmove(out + ivl, pt, len);
    uint8_t *body = out + ivl;
    size_t p = len;
    if (!r->etm) {
        tp_status st = crypto_rec_mac(r, type, rec_version, body, len, body + p);
        if (st != TP_OK)
            return st;
        p += ml;
    }
    memset(body + p, (int)pad, pad + 1);

    if (ivl) {
        if (o->explicit_iv)
            memcpy(iv, o->explicit_iv, bs);
        else if (RAND_bytes(iv, (int)bs) != 1)
            return TP_ERR_CRYPTO;
        memcpy(out, iv, bs);
    } else {
        memcpy(iv, r->iv, bs);
    }
    tp_status st = cbc_crypt(r, iv, body, ct_len, body);
    if (st != TP_OK)
        return st;
    if (!ivl)
        memcpy(r->iv, body + ct_len - bs, bs);
    if (r->etm) {
        st = crypto_rec_mac(r, type, rec_version, out, ivl + ct_len, out + ivl + ct_len);
        if (st != TP_OK)
            return st;
    }
    *out_len = total;
    return TP_OK;
}

static tp_status cbc_init(crypto_record *r, const uint8_t *mac_key)
{
    (void)mac_key;
    tp_status st = crypto_rec_cipher_ctx(r);
    if (st != TP_OK)
        return st;
    if (!EVP_CipherInit_ex(r->cctx, NULL, NULL, r->key, NULL, -1) ||
        !EVP_CIPHER_CTX_set_padding(r->cctx, 0))
        return TP_ERR_CRYPTO;
    return TP_OK;
}

const crypto_record_ops crypto_record_ops_cbc = {
    .name = "CBC",
    .init = cbc_init,
    .open = cbc_open,
    .seal = cbc_seal,
};
