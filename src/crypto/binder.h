/* The TLS 1.3 PSK binder (RFC 8446 4.2.11.2), computed by the independent
 * verifier from the server's key to check the client's. */
#ifndef TP_CRYPTO_BINDER_H
#define TP_CRYPTO_BINDER_H

#include <stddef.h>
#include <stdint.h>

#include "../wire/status.h"
#include "suite.h"

/* binder = HMAC(finished_key(Derive-Secret(HKDF-Extract(0, psk), "ext binder",
 * "")), Transcript-Hash(truncated ClientHello)) of an external PSK; h is the
 * PSK's hash, out gets crypto_hash_len(h) bytes. */
TP_MUST_CHECK tp_status crypto_psk_binder(crypto_hash h, const uint8_t *psk, size_t psk_len,
                                          const uint8_t *truncated_hello, size_t hello_len,
                                          uint8_t *out);

/* Compares the client's binder with the one computed from psk (its length
 * tells the hash: 48 bytes SHA-384, else SHA-256): 1 equal, 0 not, -1 not
 * computable. */
int crypto_psk_binder_check(const uint8_t *psk, size_t psk_len, const uint8_t *truncated_hello,
                            size_t hello_len, const uint8_t *binder, size_t binder_len);
/* Wipes secret bytes (not optimised away). */
void crypto_wipe(void *p, size_t n);

#endif
