/* One direction of the TLS record protection (RFC 5246 6.2.3, RFC 8446 5.2),
 * with one file per cipher family behind one vtable:
 *   rec_cbc.c     CBC + HMAC, MAC-then-encrypt and encrypt-then-MAC (RFC 7366),
 *                 TLS 1.0 chained IV, TLS 1.1+ explicit IV
 *   rec_gcm.c     AES-GCM (RFC 5288, RFC 8446)
 *   rec_ccm.c     AES-CCM and CCM-8 (RFC 6655, RFC 8446)
 *   rec_chacha.c  ChaCha20-Poly1305 (RFC 7905, RFC 8446)
 *   rec_stream.c  RC4 (legacy provider) and NULL ciphers, HMAC
 *   rec_aead.c    nonce/AAD/TLS 1.3 inner plaintext common to the AEADs
 *
 * A crypto_record is created once per connection direction (cipher and HMAC
 * contexts are reused for every record: no allocation per record) and is
 * either for opening or for sealing.  Opening checks the length first
 * (check_length), then decrypts into the caller's buffer and compares tags
 * and MACs in constant time (CRYPTO_memcmp).  SSL 3.0 is not supported. */
#ifndef TP_CRYPTO_RECORD_H
#define TP_CRYPTO_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "suite.h"

typedef struct crypto_record crypto_record;
typedef struct crypto_record_ops crypto_record_ops;

/* Choices a sealer can make that a receiver must accept; record rewriting
 * (quirks) uses them to build unusual but valid records.  A zeroed struct,
 * or NULL, gives ordinary records: minimal CBC padding, random explicit IV,
 * sequence number as GCM/CCM explicit nonce, no TLS 1.3 padding. */
typedef struct {
    bool cbc_pad_set;              /* use cbc_pad_len instead of minimal padding */
    unsigned cbc_pad_len;          /* padding bytes, not counting the length byte; 0..255,
                                      must make the record block-aligned */
    const uint8_t *explicit_iv;    /* CBC TLS 1.1+: block_len bytes; NULL = random */
    const uint8_t *explicit_nonce; /* GCM/CCM TLS 1.2: 8 bytes; NULL = sequence number */
    size_t tls13_pad_len;          /* TLS 1.3: zero bytes after the inner content type */
} crypto_seal_opts;

/* Fields are private to src/crypto; the struct is public only so that
 * callers can embed it (zeroed = safe to clean up). */
struct crypto_record {
    const crypto_record_ops *ops;
    crypto_suite suite;
    uint16_t version; /* negotiated version (0x0301..0x0304) */
    bool etm;         /* RFC 7366 encrypt_then_mac (CBC only) */
    bool seal;        /* contexts are set up for sealing */
    uint64_t seq;
    void *cctx; /* EVP_CIPHER_CTX * */
    void *mctx; /* EVP_MAC_CTX * (HMAC) */
    uint8_t key[CRYPTO_MAX_KEY_LEN];
    uint8_t iv[CRYPTO_MAX_IV_LEN]; /* AEAD fixed IV, TLS 1.0 CBC chained IV */
    char detail[96];               /* backing store for tp_record_check.detail */
};

struct crypto_record_ops {
    const char *name;
    tp_status (*init)(crypto_record *r, const uint8_t *mac_key);
    /* frag/len is the whole fragment; out has room for len bytes.  Fills chk. */
    tp_status (*open)(crypto_record *r, unsigned type, uint16_t rec_version, const uint8_t *frag,
                      size_t len, uint8_t *out, tp_record_check *chk);
    tp_status (*seal)(crypto_record *r, unsigned type, uint16_t rec_version, const uint8_t *pt,
                      size_t len, const crypto_seal_opts *o, uint8_t *out, size_t cap,
                      size_t *out_len);
    /* AEAD families: one message with a 12-byte nonce; in == out allowed.
     * Decrypting: tag is read, returns TP_ERR_BAD_MAC on mismatch.
     * Encrypting: tag (tag_len bytes) is written. */
    tp_status (*aead)(crypto_record *r, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                      const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag);
};

/* Sets up one direction.  Keys are copied.  mac_key: suite.mac_len bytes
 * (ignored for AEAD); key: suite.key_len; iv: suite.fixed_iv_len bytes (the
 * TLS 1.0 CBC IV, the AEAD implicit IV, the TLS 1.3 write IV; may be NULL
 * when fixed_iv_len is 0 or for TLS 1.1+ CBC).  version: the negotiated
 * version (0x0301..0x0304).  for_seal picks sealing or opening.
 * TP_ERR_UNSUPPORTED: SSL 3.0, a cipher missing from libcrypto (e.g. RC4
 * without the legacy provider), EtM on a non-CBC suite.  TP_ERR_NOMEM,
 * TP_ERR_CRYPTO.  On failure *r is cleaned up (safe to clean up again). */
TP_MUST_CHECK tp_status crypto_record_init(crypto_record *r, const crypto_suite *s,
                                           uint16_t version, bool etm, bool for_seal,
                                           const uint8_t *mac_key, const uint8_t *key,
                                           const uint8_t *iv);

/* Frees contexts and wipes keys.  Safe on a zeroed struct and twice. */
void crypto_record_cleanup(crypto_record *r);

/* Opens one record fragment (the bytes after the 5-byte header) of outer
 * content type `type` and header version `rec_version` (both go into the
 * MAC / AAD as they were on the wire).  out: out_cap >= len; out == frag
 * (in place) is allowed.  Always fills *chk: is_protected true, integrity
 * OK or BAD (with detail), inner_type, and on OK plaintext/plaintext_len
 * (plaintext points into out; chk->detail points into *r and is valid until
 * the next call on *r).  CBC fills has_padding/padding_*.
 * Returns TP_OK (integrity ok), TP_ERR_BAD_MAC (MAC/tag wrong),
 * TP_ERR_BAD_PADDING (CBC padding malformed), TP_ERR_TRUNCATED (fragment too
 * short or not block-aligned for this cipher), TP_ERR_DECODE (TLS 1.3 inner
 * plaintext has no content type), TP_ERR_LIMIT (out_cap < len; integrity
 * UNCHECKED), TP_ERR_CRYPTO.  The sequence number advances on every call
 * except TP_ERR_LIMIT. */
tp_status crypto_record_open(crypto_record *r, unsigned type, uint16_t rec_version,
                             const uint8_t *frag, size_t len, uint8_t *out, size_t out_cap,
                             tp_record_check *chk);

/* Seals plaintext pt/len of content type `type` into out (the fragment only;
 * the caller writes the 5-byte header: for TLS 1.3 outer type 23 and
 * length *out_len, with version rec_version, which goes into the AAD/MAC).
 * len <= 16384 (RFC 5246 6.2.1).  pt may lie inside out at the plaintext's
 * offset (out + record_iv_len for CBC 1.1+/GCM/CCM, out otherwise).
 * TP_ERR_LIMIT when out_cap < crypto_record_seal_size(); TP_ERR_USAGE for
 * options that cannot form a record (padding not aligning); TP_ERR_CRYPTO.
 * The sequence number advances on success. */
TP_MUST_CHECK tp_status crypto_record_seal(crypto_record *r, unsigned type, uint16_t rec_version,
                                           const uint8_t *pt, size_t len,
                                           const crypto_seal_opts *opts, uint8_t *out,
                                           size_t out_cap, size_t *out_len);

/* Exact fragment size crypto_record_seal() will produce for these options
 * (0 when the options cannot form a record). */
size_t crypto_record_seal_size(const crypto_record *r, size_t len, const crypto_seal_opts *opts);

static inline uint64_t crypto_record_seq(const crypto_record *r)
{
    return r->seq;
}
static inline void crypto_record_set_seq(crypto_record *r, uint64_t seq)
{
    r->seq = seq;
}

/* Family vtables (tests may check them by name). */
extern const crypto_record_ops crypto_record_ops_null;
extern const crypto_record_ops crypto_record_ops_stream;
extern const crypto_record_ops crypto_record_ops_cbc;
extern const crypto_record_ops crypto_record_ops_gcm;
extern const crypto_record_ops crypto_record_ops_ccm;
extern const crypto_record_ops crypto_record_ops_chacha;

#endif
