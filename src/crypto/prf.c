#include "prf.h"

#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

EVP_MAC_CTX *crypto_hmac_ctx_new(crypto_hash h, const uint8_t *key, size_t key_len)
{
    static const uint8_t empty_key[1];
    const EVP_MAC_CTX *tmpl = crypto_hmac_template(h);
    EVP_MAC_CTX *ctx = tmpl ? EVP_MAC_CTX_dup(tmpl) : NULL;
    if (!ctx)
        return NULL;
    /* A NULL key would mean "keep the previous key": pass a real pointer for
     * an empty one. */
    if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

tp_status crypto_hash_digest(crypto_hash h, const uint8_t *data, size_t len, uint8_t *out)
{
    const EVP_MD *md = crypto_md(h);
    if (!md)
        return TP_ERR_UNSUPPORTED;
    unsigned out_len = 0;
    return EVP_Digest(data, len, out, &out_len, md, NULL) ? TP_OK : TP_ERR_CRYPTO;
}

tp_status crypto_hmac(crypto_hash h, const uint8_t *key, size_t key_len, const uint8_t *data,
                      size_t len, uint8_t *out)
{
    EVP_MAC_CTX *ctx = crypto_hmac_ctx_new(h, key, key_len);
    if (!ctx)
        return crypto_md(h) ? TP_ERR_CRYPTO : TP_ERR_UNSUPPORTED;
    size_t out_len = 0;
    int ok =
        EVP_MAC_update(ctx, data, len) && EVP_MAC_final(ctx, out, &out_len, crypto_hash_len(h));
    EVP_MAC_CTX_free(ctx);
    return ok ? TP_OK : TP_ERR_CRYPTO;
}

/* RFC 5246 5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * with A(0) = seed, A(i) = HMAC(secret, A(i-1)); here seed = label + seed.
 * The output is xor-ed into out so that TLS 1.0 can combine two of them. */
static tp_status p_hash_xor(crypto_hash h, const uint8_t *secret, size_t secret_len,
                            const char *label, const uint8_t *seed, size_t seed_len, uint8_t *out,
                            size_t out_len)
{
    size_t hl = crypto_hash_len(h);
    size_t label_len = strlen(label);
    uint8_t a[CRYPTO_MAX_HASH_LEN], block[CRYPTO_MAX_HASH_LEN];
    size_t n;
    EVP_MAC_CTX *ctx = crypto_hmac_ctx_new(h, secret, secret_len);
    if (!ctx)
        return TP_ERR_CRYPTO;

    int ok = EVP_MAC_update(ctx, (const uint8_t *)label, label_len) &&
             EVP_MAC_update(ctx, seed, seed_len) && EVP_MAC_final(ctx, a, &n, sizeof a);
    size_t done = 0;
    while (ok && done < out_len) {
        ok = EVP_MAC_init(ctx, NULL, 0, NULL) && EVP_MAC_update(ctx, a, hl) &&
             EVP_MAC_update(ctx, (const uint8_t *)label, label_len) &&
             EVP_MAC_update(ctx, seed, seed_len) && EVP_MAC_final(ctx, block, &n, sizeof block);
        if (!ok)
            break;
        for (size_t i = 0; i < hl && done < out_len; i++)
            out[done++] ^= block[i];
        ok = EVP_MAC_init(ctx, NULL, 0, NULL) && EVP_MAC_update(ctx, a, hl) &&
             EVP_MAC_final(ctx, a, &n, sizeof a);
    }
    EVP_MAC_CTX_free(ctx);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(block, sizeof block);
    return ok ? TP_OK : TP_ERR_CRYPTO;
}

tp_status crypto_prf_tls10(const uint8_t *secret, size_t secret_len, const char *label,
                           const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    /* RFC 2246 5: S1 is the first half, S2 the second; with an odd length
     * the middle byte belongs to both. */
    size_t half = (secret_len + 1) / 2;
    memset(out, 0, out_len);
    tp_status st = p_hash_xor(CRYPTO_HASH_MD5, secret, half, label, seed, seed_len, out, out_len);
    if (st != TP_OK)
        return st;
    return p_hash_xor(CRYPTO_HASH_SHA1, secret + (secret_len - half), half, label, seed, seed_len,
                      out, out_len);
}

tp_status crypto_prf_tls12(crypto_hash h, const uint8_t *secret, size_t secret_len,
                           const char *label, const uint8_t *seed, size_t seed_len, uint8_t *out,
                           size_t out_len)
{
    if (h != CRYPTO_HASH_SHA256 && h != CRYPTO_HASH_SHA384)
        return TP_ERR_UNSUPPORTED;
    memset(out, 0, out_len);
    return p_hash_xor(h, secret, secret_len, label, seed, seed_len, out, out_len);
}

tp_status crypto_prf(uint16_t version, crypto_hash prf_hash, const uint8_t *secret,
                     size_t secret_len, const char *label, const uint8_t *seed, size_t seed_len,
                     uint8_t *out, size_t out_len)
{
    if (version == 0x0301 || version == 0x0302)
        return crypto_prf_tls10(secret, secret_len, label, seed, seed_len, out, out_len);
    if (version == 0x0303)
        return crypto_prf_tls12(prf_hash, secret, secret_len, label, seed, seed_len, out, out_len);
    return TP_ERR_UNSUPPORTED;
}

tp_status crypto_key_block_derive(const crypto_suite *s, uint16_t version, const uint8_t master[48],
                                  const uint8_t client_random[32], const uint8_t server_random[32],
                                  crypto_key_block *out)
{
    /* RFC 5246 6.3: seed is server_random + client_random (reverse of the
     * master secret's order). */
    uint8_t seed[64];
    memcpy(seed, server_random, 32);
    memcpy(seed + 32, client_random, 32);

    /* TLS 1.1+ CBC uses explicit per-record IVs (RFC 4346 6.3): the key
     * block has no IVs then; AEAD keeps its implicit part. */
    size_t iv_len = s->fixed_iv_len;
    if (s->family == CRYPTO_FAMILY_CBC && version >= 0x0302)
        iv_len = 0;
    size_t need = 2 * (s->mac_len + s->key_len + iv_len);
    uint8_t kb[2 * (CRYPTO_MAX_MAC_LEN + CRYPTO_MAX_KEY_LEN + CRYPTO_MAX_IV_LEN)];
    memset(out, 0, sizeof *out);
    if (need > sizeof kb)
        return TP_ERR_UNSUPPORTED;
    tp_status st =
        crypto_prf(version, s->prf, master, 48, "key expansion", seed, sizeof seed, kb, need);
    if (st != TP_OK)
        return st;
    const uint8_t *p = kb;
    memcpy(out->client_mac, p, s->mac_len), p += s->mac_len;
    memcpy(out->server_mac, p, s->mac_len), p += s->mac_len;
    memcpy(out->client_key, p, s->key_len), p += s->key_len;
    memcpy(out->server_key, p, s->key_len), p += s->key_len;
    memcpy(out->client_iv, p, iv_len), p += iv_len;
    memcpy(out->server_iv, p, iv_len);
    OPENSSL_cleanse(kb, sizeof kb);
    return TP_OK;
}

tp_status crypto_hkdf_extract(crypto_hash h, const uint8_t *salt, size_t salt_len,
                              const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
    static const uint8_t zeros[CRYPTO_MAX_HASH_LEN];
    if (!salt || salt_len == 0) {
        /* RFC 5869 2.2: a missing salt is HashLen zero bytes */
        salt = zeros;
        salt_len = crypto_hash_len(h);
    }
    return crypto_hmac(h, salt, salt_len, ikm, ikm_len, out);
}

tp_status crypto_hkdf_expand(crypto_hash h, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                             size_t info_len, uint8_t *out, size_t out_len)
{
    size_t hl = crypto_hash_len(h);
    if (hl == 0 || out_len > 255 * hl)
        return TP_ERR_UNSUPPORTED;
    EVP_MAC_CTX *ctx = crypto_hmac_ctx_new(h, prk, prk_len);
    if (!ctx)
        return TP_ERR_CRYPTO;
    /* T(i) = HMAC(PRK, T(i-1) | info | i) */
    uint8_t t[CRYPTO_MAX_HASH_LEN];
    size_t t_len = 0, done = 0, n;
    int ok = 1;
    for (uint8_t i = 1; ok && done < out_len; i++) {
        ok = (i == 1 || EVP_MAC_init(ctx, NULL, 0, NULL)) && EVP_MAC_update(ctx, t, t_len) &&
             EVP_MAC_update(ctx, info, info_len) && EVP_MAC_update(ctx, &i, 1) &&
             EVP_MAC_final(ctx, t, &n, sizeof t);
        t_len = hl;
        size_t take = out_len - done < hl ? out_len - done : hl;
        if (ok)
            memcpy(out + done, t, take);
        done += take;
    }
    EVP_MAC_CTX_free(ctx);
    OPENSSL_cleanse(t, sizeof t);
    return ok ? TP_OK : TP_ERR_CRYPTO;
}

tp_status crypto_hkdf_expand_label(crypto_hash h, const uint8_t *secret, size_t secret_len,
                                   const char *label, const uint8_t *context, size_t context_len,
                                   uint8_t *out, size_t out_len)
{
    /* RFC 8446 7.1 HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + Label,
     * opaque context<0..255> */
    static const char prefix[] = "tls13 ";
    size_t label_len = strlen(label);
    if (label_len + 6 > 255 || context_len > 255 || out_len > 0xffff)
        return TP_ERR_UNSUPPORTED;
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    crypto_put_u16(info, (unsigned)out_len);
    n = 2;
    info[n++] = (uint8_t)(label_len + 6);
    memcpy(info + n, prefix, 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    n += context_len;
    return crypto_hkdf_expand(h, secret, secret_len, info, n, out, out_len);
}

tp_status crypto_tls13_derive_secret(crypto_hash h, const uint8_t *secret, const char *label,
                                     const uint8_t *transcript_hash, uint8_t *out)
{
    size_t hl = crypto_hash_len(h);
    return crypto_hkdf_expand_label(h, secret, hl, label, transcript_hash, hl, out, hl);
}

tp_status crypto_tls13_traffic_keys(const crypto_suite *s, const uint8_t *secret, size_t secret_len,
                                    uint8_t *out_key, uint8_t *out_iv)
{
    tp_status st =
        crypto_hkdf_expand_label(s->prf, secret, secret_len, "key", NULL, 0, out_key, s->key_len);
    if (st != TP_OK)
        return st;
    return crypto_hkdf_expand_label(s->prf, secret, secret_len, "iv", NULL, 0, out_iv, 12);
}

tp_status crypto_tls13_finished_key(crypto_hash h, const uint8_t *secret, size_t secret_len,
                                    uint8_t *out)
{
    return crypto_hkdf_expand_label(h, secret, secret_len, "finished", NULL, 0, out,
                                    crypto_hash_len(h));
}

tp_status crypto_tls13_next_secret(crypto_hash h, const uint8_t *secret, size_t secret_len,
                                   uint8_t *out)
{
    uint8_t next[CRYPTO_MAX_HASH_LEN];
    tp_status st = crypto_hkdf_expand_label(h, secret, secret_len, "traffic upd", NULL, 0, next,
                                            crypto_hash_len(h));
    if (st == TP_OK)
        memcpy(out, next, crypto_hash_len(h));
    OPENSSL_cleanse(next, sizeof next);
    return st;
}
