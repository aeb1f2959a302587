#include "suite.h"

#include <string.h>

/* Sizes per cipher, TLS 1.2 view (RFC 5246 6.3 and appendix C, RFC 5288
 * GCM, RFC 6655 CCM, RFC 7905 ChaCha20-Poly1305).  TLS 1.3 overrides the
 * IV lengths: every AEAD there has a 12-byte IV and no explicit nonce. */
static const struct {
    const char *name;
    crypto_cipher cipher;
    crypto_family family;
    size_t key_len, block_len, fixed_iv_len, record_iv_len, tag_len;
} cipher_rows[] = {
    {"NULL", CRYPTO_CIPHER_NULL, CRYPTO_FAMILY_NULL, 0, 1, 0, 0, 0},
    {"ARCFOUR-128", CRYPTO_CIPHER_RC4_128, CRYPTO_FAMILY_STREAM, 16, 1, 0, 0, 0},
    {"3DES-CBC", CRYPTO_CIPHER_3DES_CBC, CRYPTO_FAMILY_CBC, 24, 8, 8, 8, 0},
    {"AES-128-CBC", CRYPTO_CIPHER_AES_128_CBC, CRYPTO_FAMILY_CBC, 16, 16, 16, 16, 0},
    {"AES-256-CBC", CRYPTO_CIPHER_AES_256_CBC, CRYPTO_FAMILY_CBC, 32, 16, 16, 16, 0},
    {"CAMELLIA-128-CBC", CRYPTO_CIPHER_CAMELLIA_128_CBC, CRYPTO_FAMILY_CBC, 16, 16, 16, 16, 0},
    {"CAMELLIA-256-CBC", CRYPTO_CIPHER_CAMELLIA_256_CBC, CRYPTO_FAMILY_CBC, 32, 16, 16, 16, 0},
    {"AES-128-GCM", CRYPTO_CIPHER_AES_128_GCM, CRYPTO_FAMILY_GCM, 16, 1, 4, 8, 16},
    {"AES-256-GCM", CRYPTO_CIPHER_AES_256_GCM, CRYPTO_FAMILY_GCM, 32, 1, 4, 8, 16},
    {"AES-128-CCM", CRYPTO_CIPHER_AES_128_CCM, CRYPTO_FAMILY_CCM, 16, 1, 4, 8, 16},
    {"AES-256-CCM", CRYPTO_CIPHER_AES_256_CCM, CRYPTO_FAMILY_CCM, 32, 1, 4, 8, 16},
    {"AES-128-CCM-8", CRYPTO_CIPHER_AES_128_CCM_8, CRYPTO_FAMILY_CCM, 16, 1, 4, 8, 8},
    {"AES-256-CCM-8", CRYPTO_CIPHER_AES_256_CCM_8, CRYPTO_FAMILY_CCM, 32, 1, 4, 8, 8},
    {"CHACHA20-POLY1305", CRYPTO_CIPHER_CHACHA20_POLY1305, CRYPTO_FAMILY_CHACHA20_POLY1305, 32, 1,
     12, 0, 16},
};

typedef struct {
    const char *name;
    crypto_hash hash;
    size_t len;
} hash_row;

static const hash_row hash_rows[] = {
    {"NONE", CRYPTO_HASH_NONE, 0},      {"MD5", CRYPTO_HASH_MD5, 16},
    {"SHA1", CRYPTO_HASH_SHA1, 20},     {"SHA256", CRYPTO_HASH_SHA256, 32},
    {"SHA384", CRYPTO_HASH_SHA384, 48},
};

static const hash_row *hash_row_find(crypto_hash h)
{
    for (size_t i = 0; i < sizeof hash_rows / sizeof hash_rows[0]; i++)
        if (hash_rows[i].hash == h)
            return &hash_rows[i];
    return NULL;
}

size_t crypto_hash_len(crypto_hash h)
{
    const hash_row *row = hash_row_find(h);
    return row ? row->len : 0;
}

const char *crypto_hash_name(crypto_hash h)
{
    const hash_row *row = hash_row_find(h);
    return row ? row->name : "NONE";
}

static bool hash_from_name(const char *name, crypto_hash *out)
{
    for (size_t i = 1; i < sizeof hash_rows / sizeof hash_rows[0]; i++) {
        if (strcmp(hash_rows[i].name, name) == 0) {
            *out = hash_rows[i].hash;
            return true;
        }
    }
    return false;
}

tp_status crypto_suite_from_names(const char *cipher, const char *mac, const char *prf, bool tls13,
                                  crypto_suite *out)
{
    memset(out, 0, sizeof *out);
    if (!cipher || !mac)
        return TP_ERR_UNSUPPORTED;
    size_t i;
    for (i = 0; i < sizeof cipher_rows / sizeof cipher_rows[0]; i++)
        if (strcmp(cipher_rows[i].name, cipher) == 0)
            break;
    if (i == sizeof cipher_rows / sizeof cipher_rows[0])
        return TP_ERR_UNSUPPORTED;

    out->cipher = cipher_rows[i].cipher;
    out->family = cipher_rows[i].family;
    out->key_len = cipher_rows[i].key_len;
    out->block_len = cipher_rows[i].block_len;
    out->fixed_iv_len = cipher_rows[i].fixed_iv_len;
    out->record_iv_len = cipher_rows[i].record_iv_len;
    out->tag_len = cipher_rows[i].tag_len;
    out->tls13 = tls13;

    bool aead = out->tag_len != 0;
    if (aead) {
        if (strcmp(mac, "AEAD") != 0)
            return TP_ERR_UNSUPPORTED;
        out->mac = CRYPTO_HASH_NONE;
    } else {
        /* RFC 8446 B.4: TLS 1.3 has AEAD suites only */
        if (tls13 || !hash_from_name(mac, &out->mac))
            return TP_ERR_UNSUPPORTED;
        out->mac_len = crypto_hash_len(out->mac);
    }

    out->prf = CRYPTO_HASH_SHA256;
    if (prf && !hash_from_name(prf, &out->prf))
        return TP_ERR_UNSUPPORTED;
    if (out->prf != CRYPTO_HASH_SHA256 && out->prf != CRYPTO_HASH_SHA384)
        return TP_ERR_UNSUPPORTED;

    if (tls13) {
        /* RFC 8446 5.3: per-record nonce is iv_length (12) xor seq */
        out->fixed_iv_len = 12;
        out->record_iv_len = 0;
    }
    return TP_OK;
}

tp_status crypto_suite_from_wire(const wire_suite *ws, crypto_suite *out)
{
    memset(out, 0, sizeof *out);
    if (!ws || ws->export_grade)
        return TP_ERR_UNSUPPORTED;
    tp_status st = crypto_suite_from_names(ws->cipher, ws->mac, ws->prf, ws->tls13, out);
    out->id = ws->id;
    return st;
}

tp_status crypto_suite_lookup(uint16_t id, crypto_suite *out)
{
    return crypto_suite_from_wire(wire_suite_find(id), out);
}
