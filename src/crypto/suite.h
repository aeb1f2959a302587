/* Record-protection parameters of a cipher suite, as the independent
 * verifier needs them: which record cipher family, key/IV/tag sizes, MAC
 * and PRF hash.  Derived from the wire/ IANA table (wire_suite_find), never
 * from a second hand-kept table of suite ids. */
#ifndef TP_CRYPTO_SUITE_H
#define TP_CRYPTO_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/cursor.h"
#include "../wire/iana.h"
#include "../wire/status.h"

typedef enum {
    CRYPTO_HASH_NONE = 0,
    CRYPTO_HASH_MD5,
    CRYPTO_HASH_SHA1,
    CRYPTO_HASH_SHA256,
    CRYPTO_HASH_SHA384,
} crypto_hash;

/* Output size in bytes (0 for NONE). */
size_t crypto_hash_len(crypto_hash h);
/* "MD5", "SHA1", "SHA256", "SHA384" or "NONE". */
const char *crypto_hash_name(crypto_hash h);

typedef enum {
    CRYPTO_FAMILY_NULL = 0, /* no encryption, MAC only (or nothing at all) */
    CRYPTO_FAMILY_STREAM,   /* RC4 */
    CRYPTO_FAMILY_CBC,      /* block cipher + HMAC */
    CRYPTO_FAMILY_GCM,
    CRYPTO_FAMILY_CCM,
    CRYPTO_FAMILY_CHACHA20_POLY1305,
} crypto_family;

typedef enum {
    CRYPTO_CIPHER_NULL = 0,
    CRYPTO_CIPHER_RC4_128,
    CRYPTO_CIPHER_3DES_CBC,
    CRYPTO_CIPHER_AES_128_CBC,
    CRYPTO_CIPHER_AES_256_CBC,
    CRYPTO_CIPHER_CAMELLIA_128_CBC,
    CRYPTO_CIPHER_CAMELLIA_256_CBC,
    CRYPTO_CIPHER_AES_128_GCM,
    CRYPTO_CIPHER_AES_256_GCM,
    CRYPTO_CIPHER_AES_128_CCM,
    CRYPTO_CIPHER_AES_256_CCM,
    CRYPTO_CIPHER_AES_128_CCM_8,
    CRYPTO_CIPHER_AES_256_CCM_8,
    CRYPTO_CIPHER_CHACHA20_POLY1305,
    CRYPTO_CIPHER_COUNT
} crypto_cipher;

#define CRYPTO_MAX_KEY_LEN 32
#define CRYPTO_MAX_IV_LEN 16  /* CBC block, AEAD fixed IV is <= 12 */
#define CRYPTO_MAX_MAC_LEN 48 /* HMAC-SHA384 */
#define CRYPTO_MAX_HASH_LEN 48
#define CRYPTO_MAX_SECRET_LEN 64 /* key log secrets */

typedef struct {
    uint16_t id; /* suite id, 0 when built from names */
    crypto_cipher cipher;
    crypto_family family;
    size_t key_len;       /* encryption key */
    size_t fixed_iv_len;  /* from the key block / HKDF: CBC (TLS1.0) block, GCM/CCM 4, ChaCha 12;
                             TLS1.3 12 */
    size_t record_iv_len; /* explicit per-record: CBC (TLS1.1+) block, GCM/CCM 8 (TLS1.2) */
    size_t block_len;     /* CBC block size, else 1 */
    size_t tag_len;       /* AEAD tag */
    crypto_hash mac;      /* HMAC hash for CBC/stream/NULL; NONE for AEAD */
    size_t mac_len;       /* HMAC output = MAC key length */
    crypto_hash prf;      /* TLS1.2 PRF / TLS1.3 HKDF hash */
    bool tls13;
} crypto_suite;

/* Fills *out from GnuTLS-spelled names as in struct wire_suite ("AES-128-GCM",
 * "SHA1"/"AEAD", "SHA256"/"SHA384"; prf NULL means SHA256).
 * TP_ERR_UNSUPPORTED for a cipher or MAC the verifier has no code for. */
TP_MUST_CHECK tp_status crypto_suite_from_names(const char *cipher, const char *mac,
                                                const char *prf, bool tls13, crypto_suite *out);

/* Looks the suite up with wire_suite_find().  TP_ERR_UNSUPPORTED when the
 * id is unknown, export-grade or uses a cipher the verifier cannot check. */
TP_MUST_CHECK tp_status crypto_suite_lookup(uint16_t id, crypto_suite *out);

/* The same from a wire_suite row (for callers that already have one). */
TP_MUST_CHECK tp_status crypto_suite_from_wire(const wire_suite *ws, crypto_suite *out);

#endif
