/* Key derivation: TLS 1.0/1.1 PRF (RFC 2246 5), TLS 1.2 PRF (RFC 5246 5),
 * the TLS <= 1.2 key block (RFC 5246 6.3), HKDF (RFC 5869) and the TLS 1.3
 * key schedule pieces (RFC 8446 7.1, 7.3).  Built on libcrypto HMAC and
 * digests only.  No allocation visible to callers; all outputs go to caller
 * buffers.  Every function returns TP_OK, TP_ERR_UNSUPPORTED (bad hash or
 * length) or TP_ERR_CRYPTO (a libcrypto call failed); on failure the output
 * is unspecified. */
#ifndef TP_CRYPTO_PRF_H
#define TP_CRYPTO_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "suite.h"

/* One-shot digest of data into out (crypto_hash_len(h) bytes). */
TP_MUST_CHECK tp_status crypto_hash_digest(crypto_hash h, const uint8_t *data, size_t len,
                                           uint8_t *out);

/* One-shot HMAC into out (crypto_hash_len(h) bytes). */
TP_MUST_CHECK tp_status crypto_hmac(crypto_hash h, const uint8_t *key, size_t key_len,
                                    const uint8_t *data, size_t len, uint8_t *out);

/* TLS 1.0/1.1 PRF: P_MD5(S1, label+seed) xor P_SHA1(S2, label+seed). */
TP_MUST_CHECK tp_status crypto_prf_tls10(const uint8_t *secret, size_t secret_len,
                                         const char *label, const uint8_t *seed, size_t seed_len,
                                         uint8_t *out, size_t out_len);

/* TLS 1.2 PRF: P_<hash>(secret, label+seed); hash SHA256 or SHA384. */
TP_MUST_CHECK tp_status crypto_prf_tls12(crypto_hash h, const uint8_t *secret, size_t secret_len,
                                         const char *label, const uint8_t *seed, size_t seed_len,
                                         uint8_t *out, size_t out_len);

/* The PRF of a protocol version: tls10 for 0x0301/0x0302, tls12 with
 * prf_hash for 0x0303.  TP_ERR_UNSUPPORTED for SSL 3.0 and TLS 1.3. */
TP_MUST_CHECK tp_status crypto_prf(uint16_t version, crypto_hash prf_hash, const uint8_t *secret,
                                   size_t secret_len, const char *label, const uint8_t *seed,
                                   size_t seed_len, uint8_t *out, size_t out_len);

/* Keys of both directions for TLS <= 1.2.  *_iv hold the TLS 1.0 CBC IV or
 * the AEAD implicit (fixed) IV; for TLS 1.1+ CBC they are unused. */
typedef struct {
    uint8_t client_mac[CRYPTO_MAX_MAC_LEN], server_mac[CRYPTO_MAX_MAC_LEN];
    uint8_t client_key[CRYPTO_MAX_KEY_LEN], server_key[CRYPTO_MAX_KEY_LEN];
    uint8_t client_iv[CRYPTO_MAX_IV_LEN], server_iv[CRYPTO_MAX_IV_LEN];
} crypto_key_block;

/* RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random +
 * client_random), cut into MAC keys, keys, IVs per the suite's sizes.
 * Wipe *out with OPENSSL_cleanse when done. */
TP_MUST_CHECK tp_status crypto_key_block_derive(const crypto_suite *s, uint16_t version,
                                                const uint8_t master[48],
                                                const uint8_t client_random[32],
                                                const uint8_t server_random[32],
                                                crypto_key_block *out);

/* RFC 5869 2.2 HKDF-Extract; salt may be NULL/0 (a hash-length zero string).
 * out gets crypto_hash_len(h) bytes. */
TP_MUST_CHECK tp_status crypto_hkdf_extract(crypto_hash h, const uint8_t *salt, size_t salt_len,
                                            const uint8_t *ikm, size_t ikm_len, uint8_t *out);

/* RFC 5869 2.3 HKDF-Expand; out_len <= 255 * hash length. */
TP_MUST_CHECK tp_status crypto_hkdf_expand(crypto_hash h, const uint8_t *prk, size_t prk_len,
                                           const uint8_t *info, size_t info_len, uint8_t *out,
                                           size_t out_len);

/* RFC 8446 7.1 HKDF-Expand-Label(secret, "tls13 " + label, context, out_len).
 * label without the "tls13 " prefix; label <= 249 bytes, context <= 255. */
TP_MUST_CHECK tp_status crypto_hkdf_expand_label(crypto_hash h, const uint8_t *secret,
                                                 size_t secret_len, const char *label,
                                                 const uint8_t *context, size_t context_len,
                                                 uint8_t *out, size_t out_len);

/* RFC 8446 7.1 Derive-Secret(secret, label, transcript_hash): the caller
 * passes the already-computed transcript hash (hash length bytes). */
TP_MUST_CHECK tp_status crypto_tls13_derive_secret(crypto_hash h, const uint8_t *secret,
                                                   const char *label,
                                                   const uint8_t *transcript_hash, uint8_t *out);

/* RFC 8446 7.3: write key (s->key_len bytes) and IV (12 bytes) from a
 * traffic secret of crypto_hash_len(s->prf) bytes. */
TP_MUST_CHECK tp_status crypto_tls13_traffic_keys(const crypto_suite *s, const uint8_t *secret,
                                                  size_t secret_len, uint8_t *out_key,
                                                  uint8_t *out_iv);

/* RFC 8446 4.4.4: finished_key = HKDF-Expand-Label(secret, "finished", "", Hash.length). */
TP_MUST_CHECK tp_status crypto_tls13_finished_key(crypto_hash h, const uint8_t *secret,
                                                  size_t secret_len, uint8_t *out);

/* RFC 8446 7.2: next traffic secret = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
 * out may equal secret. */
TP_MUST_CHECK tp_status crypto_tls13_next_secret(crypto_hash h, const uint8_t *secret,
                                                 size_t secret_len, uint8_t *out);

#endif
