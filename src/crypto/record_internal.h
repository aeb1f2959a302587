/* Helpers shared by the record family files (rec_*.c).  Private. */
#ifndef TP_CRYPTO_RECORD_INTERNAL_H
#define TP_CRYPTO_RECORD_INTERNAL_H

#include "record.h"

/* Creates r->cctx for r->suite.cipher in r->seal's direction, no key yet. */
tp_status crypto_rec_cipher_ctx(crypto_record *r);
/* The same, then keyed with r->key and the cipher's default IV length (for
 * the ciphers that need nothing set before the key: GCM, ChaCha20, RC4). */
tp_status crypto_rec_cipher_ctx_keyed(crypto_record *r);

/* Formats chk->detail into r->detail. */
void crypto_rec_detail(crypto_record *r, tp_record_check *chk, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* TLS <= 1.2 HMAC of seq + type + version + len + data into out (mac_len bytes). */
tp_status crypto_rec_mac(crypto_record *r, unsigned type, uint16_t rec_version, const uint8_t *data,
                         size_t len, uint8_t *out);

/* Common AEAD record open/seal (rec_aead.c), using r->ops->aead. */
tp_status crypto_rec_aead_open(crypto_record *r, unsigned type, uint16_t rec_version,
                               const uint8_t *frag, size_t len, uint8_t *out, tp_record_check *chk);
tp_status crypto_rec_aead_seal(crypto_record *r, unsigned type, uint16_t rec_version,
                               const uint8_t *pt, size_t len, const crypto_seal_opts *o,
                               uint8_t *out, size_t cap, size_t *out_len);

/* GCM and ChaCha20-Poly1305 drive EVP the same way (rec_gcm.c). */
tp_status crypto_rec_evp_aead_init(crypto_record *r, const uint8_t *mac_key);
tp_status crypto_rec_evp_aead(crypto_record *r, const uint8_t nonce[12], const uint8_t *aad,
                              size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                              uint8_t *tag);

#endif
