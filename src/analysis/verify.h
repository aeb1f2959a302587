/* The session's link to the independent verifier (src/crypto): key
 * material for one connection, record opening and Finished checks.  Kept
 * behind this small interface so session.c reads as protocol logic only. */
#ifndef TP_ANALYSIS_VERIFY_H
#define TP_ANALYSIS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/keylog.h"
#include "events.h"

typedef struct tp_verify tp_verify;

typedef enum { TP_EPOCH_HANDSHAKE, TP_EPOCH_APPLICATION } tp_epoch;

tp_verify *tp_verify_new(void);
void tp_verify_free(tp_verify *v);
void tp_verify_client_random(tp_verify *v, const uint8_t cr[32]);
void tp_verify_server_hello(tp_verify *v, const uint8_t sr[32], uint16_t version, uint16_t suite,
                            bool encrypt_then_mac);
/* Adds a parsed key log entry (crypto/keylog.h); false when for another connection. */
bool tp_verify_add_entry(tp_verify *v, const crypto_keylog_entry *e);
/* Adds a secret line; false when it is malformed or for another connection. */
bool tp_verify_add_secret(tp_verify *v, const char *nss_line);
/* A handshake message of `dir`, in order.  For Finished, *out_verified gets
 * 1/0/-1 and expected is filled (up to 64 bytes) before it joins the transcript. */
void tp_verify_handshake(tp_verify *v, tp_dir dir, const uint8_t *msg, size_t len, bool is_finished,
                         int *out_verified, uint8_t *out_expected, size_t *out_expected_len);
/* The direction switches to protected records of this epoch. */
void tp_verify_switch(tp_verify *v, tp_dir dir, tp_epoch epoch);
/* TLS 1.3 KeyUpdate sent by dir, after the record that carried it: dir's
 * application keys move to the next generation (RFC 8446 7.2), which is
 * returned (1 for the first update). */
unsigned tp_verify_key_update(tp_verify *v, tp_dir dir);
/* Whether the current epoch of dir has its keys. */
bool tp_verify_has_keys(const tp_verify *v, tp_dir dir);
/* Opens one protected record into buf (capacity >= fragment length).  Fills
 * check; plaintext points into buf when opened. */
void tp_verify_open(tp_verify *v, tp_dir dir, const wire_record *rec, uint8_t *buf, size_t cap,
                    tp_record_check *check);

#endif
