/* ChaCha20-Poly1305 records: RFC 7905 (TLS 1.2: nonce = 12-byte IV xor
 * sequence number, no explicit nonce) and RFC 8446 5.3 (same nonce rule).
 * libcrypto drives it exactly like GCM, so the EVP sequence is shared. */
#include "internal.h"
#include "record_internal.h"

const crypto_record_ops crypto_record_ops_chacha = {
    .name = "ChaCha20-Poly1305",
    .init = crypto_rec_evp_aead_init,
    .open = crypto_rec_aead_open,
    .seal = crypto_rec_aead_seal,
    .aead = crypto_rec_evp_aead,
};
