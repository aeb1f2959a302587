/* The independent verifier for one TLS connection: what the analysis
 * module calls.  It collects the hello parameters, the handshake transcript
 * and the key log secrets, and opens (or seals) the protected records of
 * each direction with tlsprobe's own record code (src/crypto/rec_*.c on
 * libcrypto EVP) -- never with the TLS engine under test.
 *
 * Epochs: TLS <= 1.2 has one protected epoch, CRYPTO_EPOCH_APPLICATION,
 * from each side's ChangeCipherSpec on (it covers that side's Finished).
 * TLS 1.3 has EARLY (client 0-RTT), HANDSHAKE and APPLICATION.
 *
 * Order of calls for a connection:
 *   crypto_conn_set_client_random()    at ClientHello (optional, lets
 *                                      add_secret reject other connections' lines)
 *   crypto_conn_set_hello()            at ServerHello
 *   crypto_conn_add_handshake()        every handshake message, both directions, in order
 *   crypto_conn_add_secret()           whenever a key log line for it is known
 *   crypto_conn_activate()             at CCS (<= 1.2) / epoch changes (1.3)
 *   crypto_conn_open()                 every record after activation
 *   crypto_conn_check_finished()       for each Finished, before adding it
 *
 * Threading: a crypto_conn is used by one thread at a time.
 * Memory: everything is allocated by new/activate; open and seal do not
 * allocate. */
#ifndef TP_CRYPTO_CONN_H
#define TP_CRYPTO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "keylog.h"
#include "record.h"

typedef enum {
    CRYPTO_EPOCH_CLEAR = 0,   /* records are not protected */
    CRYPTO_EPOCH_EARLY,       /* TLS 1.3 0-RTT, client to server only */
    CRYPTO_EPOCH_HANDSHAKE,   /* TLS 1.3 handshake traffic keys */
    CRYPTO_EPOCH_APPLICATION, /* TLS 1.3 application keys; TLS <= 1.2 key block */
} crypto_epoch;

typedef struct crypto_conn crypto_conn;

/* A new verifier with nothing known; every direction in the CLEAR epoch.
 * NULL on allocation failure. */
crypto_conn *crypto_conn_new(void);

/* Frees contexts and wipes every secret.  NULL is a no-op. */
void crypto_conn_free(crypto_conn *c);

/* The ClientHello's random.  A random different from the one already set
 * (renegotiation) forgets the secrets learnt so far; records already
 * activated keep their keys. */
void crypto_conn_set_client_random(crypto_conn *c, const uint8_t client_random[32]);

/* ServerHello parameters: version is the negotiated one (TLS 1.3: 0x0304
 * from supported_versions, not legacy_version), suite the selected cipher
 * suite (looked up with wire_suite_find), encrypt_then_mac whether the
 * server echoed RFC 7366's extension.  Also sets the client random as
 * crypto_conn_set_client_random() does.  An unknown or unsupported suite is
 * remembered: its records later come back unchecked with a detail. */
void crypto_conn_set_hello(crypto_conn *c, const uint8_t client_random[32],
                           const uint8_t server_random[32], uint16_t version, uint16_t suite,
                           bool encrypt_then_mac);

/* One handshake message (4-byte header + body), either direction, in wire
 * order, for the Finished transcript hashes.  HelloRequest is skipped
 * (RFC 5246 7.4.1.1); a TLS 1.3 HelloRetryRequest replaces ClientHello1 by
 * its message_hash (RFC 8446 4.4.1); a ClientHello after a completed
 * transcript (renegotiation) restarts it.  msg is not kept. */
void crypto_conn_add_handshake(crypto_conn *c, const uint8_t *msg, size_t len);

/* Learns one key log entry (copied).  TLS <= 1.2 needs CLIENT_RANDOM; TLS 1.3
 * the *_TRAFFIC_SECRET labels (EXPORTER secrets are accepted and unused).
 * TP_ERR_NO_KEYS when the client random is known and differs (another
 * connection's line); TP_ERR_UNSUPPORTED for a label with no use here. */
TP_MUST_CHECK tp_status crypto_conn_add_secret(crypto_conn *c, const crypto_keylog_entry *e);

/* Whether records of dir in epoch could be opened now (hello, supported
 * suite and the needed secret are all known). */
bool crypto_conn_has_keys(const crypto_conn *c, tp_dir dir, crypto_epoch epoch);

/* dir's records are protected with epoch's keys from now on; its sequence
 * numbers (open and seal) restart at 0.  TLS <= 1.2: APPLICATION at that
 * side's ChangeCipherSpec.  TLS 1.3: HANDSHAKE after ServerHello (both
 * directions), APPLICATION after that side's Finished, EARLY for 0-RTT.
 * Keys are derived now if known, else at the first open/seal that finds
 * them (so a secret may arrive late, before the first record). */
void crypto_conn_activate(crypto_conn *c, tp_dir dir, crypto_epoch epoch);

/* TLS 1.3 KeyUpdate sent by dir (call after the record that carried it):
 * dir's application traffic secret moves on (RFC 8446 7.2) and its
 * sequence numbers restart.  TP_ERR_NO_KEYS when that secret is unknown
 * yet: the update is then applied when the secret arrives. */
TP_MUST_CHECK tp_status crypto_conn_key_update(crypto_conn *c, tp_dir dir);

/* How many KeyUpdates of dir have been seen (0: application_traffic_secret_0). */
unsigned crypto_conn_key_generation(const crypto_conn *c, tp_dir dir);

/* Current epoch of dir. */
crypto_epoch crypto_conn_epoch(const crypto_conn *c, tp_dir dir);

/* Opens one record of dir: type and rec_version from its header, frag/len
 * its fragment.  out_buf: out_cap >= len (out_buf == frag is allowed).
 * *out_check is always filled:
 *  - CLEAR epoch, or a TLS 1.3 record whose outer type is not
 *    application_data (CCS, plaintext alert): is_protected false, integrity
 *    UNCHECKED, plaintext = frag; TP_OK; the sequence number does not move.
 *  - protected, keys known: as crypto_record_open() (plaintext points into
 *    out_buf; detail valid until the next call for this direction).
 *  - protected, no keys: integrity UNCHECKED with a detail; TP_ERR_NO_KEYS
 *    (secret missing) or TP_ERR_UNSUPPORTED (suite/version not checkable).
 * Returns as crypto_record_open() otherwise. */
tp_status crypto_conn_open(crypto_conn *c, tp_dir dir, unsigned type, uint16_t rec_version,
                           const uint8_t *frag, size_t len, uint8_t *out_buf, size_t out_cap,
                           tp_record_check *out_check);

/* Seals a record as dir's sender would, in dir's current epoch, with a
 * sequence number of its own (so a record rewriter can open a record of dir
 * and seal a replacement at the same position).  See crypto_record_seal()
 * for pt/out/opts; for TLS 1.3 type is the inner content type and the
 * header to write is type 23.  TP_ERR_NO_KEYS in the CLEAR epoch or
 * without keys. */
TP_MUST_CHECK tp_status crypto_conn_seal(crypto_conn *c, tp_dir dir, unsigned type,
                                         uint16_t rec_version, const uint8_t *pt, size_t len,
                                         const crypto_seal_opts *opts, uint8_t *out, size_t out_cap,
                                         size_t *out_len);

/* Exact fragment size crypto_conn_seal() would produce, 0 if it cannot. */
size_t crypto_conn_seal_size(crypto_conn *c, tp_dir dir, size_t len, const crypto_seal_opts *opts);

#define CRYPTO_FINISHED_MAX 48

/* Checks the verify_data of a Finished sent by dir.  Call BEFORE adding
 * that Finished with crypto_conn_add_handshake().  verify_data/len is the
 * Finished body.  TLS 1.0/1.1: PRF(master, label, MD5(t) + SHA1(t))[0..11];
 * TLS 1.2: PRF(master, label, Hash(t))[0..11] (RFC 5246 7.4.9); TLS 1.3:
 * HMAC(finished_key, Hash(t)) (RFC 8446 4.4.4).  Extended master secret
 * needs nothing more: the key log holds the master secret itself.
 * out_expected (may be NULL; room for CRYPTO_FINISHED_MAX bytes) gets the
 * right value and *out_expected_len its length (0 when it cannot be
 * computed).  Returns 1 right, 0 wrong, -1 cannot check (no keys, SSL 3.0,
 * unsupported suite). */
int crypto_conn_check_finished(crypto_conn *c, tp_dir dir, const uint8_t *verify_data, size_t len,
                               uint8_t *out_expected, size_t *out_expected_len);

#endif
