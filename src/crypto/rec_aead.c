/* What the AEAD record families share: nonce and additional data for
 * TLS 1.2 (RFC 5246 6.2.3.3, RFC 5288 3, RFC 6655 3, RFC 7905 2) and TLS 1.3
 * (RFC 8446 5.2, 5.3), and the TLS 1.3 inner plaintext. */
#include <string.h>

#include "internal.h"
#include "record_internal.h"

/* RFC 8446 5.3 / RFC 7905 2: iv xor (seq as 64-bit big-endian, left-padded). */
static void nonce_xor_seq(const crypto_record *r, uint8_t nonce[12])
{
    memcpy(nonce, r->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(r->seq >> (56 - 8 * i));
}

/* TLS 1.2 additional_data: seq_num + type + version + length (of plaintext). */
static void aad_tls12(const crypto_record *r, unsigned type, uint16_t ver, size_t pt_len,
                      uint8_t aad[13])
{
    crypto_put_u64(aad, r->seq);
    aad[8] = (uint8_t)type;
    crypto_put_u16(aad + 9, ver);
    crypto_put_u16(aad + 11, (unsigned)pt_len);
}

/* TLS 1.3 additional_data: the record header, length of the ciphertext. */
static void aad_tls13(unsigned type, uint16_t ver, size_t ct_len, uint8_t aad[5])
{
    aad[0] = (uint8_t)type;
    crypto_put_u16(aad + 1, ver);
    crypto_put_u16(aad + 3, (unsigned)ct_len);
}

tp_status crypto_rec_aead_open(crypto_record *r, unsigned type, uint16_t rec_version,
                               const uint8_t *frag, size_t len, uint8_t *out, tp_record_check *chk)
{
    const crypto_suite *s = &r->suite;
    size_t eiv = s->record_iv_len; /* 8 for GCM/CCM in TLS 1.2, else 0 */
    uint8_t nonce[12], aad[13];
    size_t aad_len;

    /* check_length before any decryption */
    if (len < eiv + s->tag_len) {
        crypto_rec_detail(r, chk,
                          "record of %zu bytes is shorter than explicit nonce and tag (%zu)", len,
                          eiv + s->tag_len);
        return TP_ERR_TRUNCATED;
    }
    size_t ct_len = len - eiv - s->tag_len;
    if (eiv) {
        memcpy(nonce, r->iv, 4);
        memcpy(nonce + 4, frag, 8);
    } else {
        nonce_xor_seq(r, nonce);
    }
    if (s->tls13) {
        aad_tls13(type, rec_version, len, aad);
        aad_len = 5;
    } else {
        aad_tls12(r, type, rec_version, ct_len, aad);
        aad_len = 13;
    }

    tp_status st = r->ops->aead(r, nonce, aad, aad_len, frag + eiv, ct_len, out + eiv,
                                (uint8_t *)(frag + eiv + ct_len));
    if (st == TP_ERR_BAD_MAC) {
        crypto_rec_detail(r, chk, "%s tag mismatch", r->ops->name);
        return st;
    }
    if (st != TP_OK)
        return st;

    const uint8_t *pt = out + eiv;
    if (!s->tls13) {
        chk->plaintext = pt;
        chk->plaintext_len = ct_len;
        return TP_OK;
    }
    /* RFC 8446 5.4: the content type is the last non-zero byte */
    size_t i = ct_len;
    while (i > 0 && pt[i - 1] == 0)
        i--;
    chk->padding_len = ct_len - i;
    if (i == 0) {
        chk->inner_type = 0;
        crypto_rec_detail(r, chk, "inner plaintext has no content type (%zu zero bytes)", ct_len);
        return TP_ERR_DECODE;
    }
    chk->inner_type = pt[i - 1];
    chk->plaintext = pt;
    chk->plaintext_len = i - 1;
    return TP_OK;
}

tp_status crypto_rec_aead_seal(crypto_record *r, unsigned type, uint16_t rec_version,
                               const uint8_t *pt, size_t len, const crypto_seal_opts *o,
                               uint8_t *out, size_t cap, size_t *out_len)
{
    const crypto_suite *s = &r->suite;
    size_t eiv = s->record_iv_len;
    uint8_t nonce[12], aad[13];
    size_t aad_len, ct_len;
    (void)cap; /* checked by crypto_record_seal */

    if (s->tls13) {
        /* RFC 8446 5.2 TLSInnerPlaintext: content, type, zeros */
        ct_len = len + 1 + o->tls13_pad_len;
        if (len)
            memmove(out, pt, len);
        out[len] = (uint8_t)type;
        memset(out + len + 1, 0, o->tls13_pad_len);
        nonce_xor_seq(r, nonce);
        aad_tls13(WIRE_CT_APPLICATION_DATA, rec_version, ct_len + s->tag_len, aad);
        aad_len = 5;
    } else {
        ct_len = len;
        if (len)
            memmove(out + eiv, pt, len);
        if (eiv) {
            /* RFC 5288 3: the explicit nonce only has to be unique; the
             * sequence number is what most stacks send. */
            memcpy(nonce, r->iv, 4);
            if (o->explicit_nonce)
                memcpy(nonce + 4, o->explicit_nonce, 8);
            else
                crypto_put_u64(nonce + 4, r->seq);
            memcpy(out, nonce + 4, 8);
        } else {
            nonce_xor_seq(r, nonce);
        }
        aad_tls12(r, type, rec_version, len, aad);
        aad_len = 13;
    }
    tp_status st =
        r->ops->aead(r, nonce, aad, aad_len, out + eiv, ct_len, out + eiv, out + eiv + ct_len);
    if (st == TP_OK)
        *out_len = eiv + ct_len + s->tag_len;
    return st;
}
