/* What resumption keeps per server, for either engine (resume.c: GnuTLS;
 * openssl_resume.c: libssl): the session-ID cache (serialised sessions by
 * session id) and the set of TLS 1.3 tickets whose 0-RTT data was taken
 * (SHA-256 of the PSK identity).  Shared by the worker threads (one
 * mutex) and bounded: the oldest entry gives way.  No TLS library here.
 * Private to engine/. */
#ifndef TP_ENGINE_RESUME_STORE_H
#define TP_ENGINE_RESUME_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define STORE_SESSIONS 512
#define STORE_TICKETS 1024
#define STORE_KEY_MAX 32 /* bytes of a session id (RFC 5246 7.4.1.2) */

typedef struct engine_store engine_store;

engine_store *engine_store_new(void);
void engine_store_free(engine_store *s);
/* Keeps a copy of data under key (replacing one with that key); false
 * when the key is empty or too long, or without memory. */
bool engine_store_put(engine_store *s, const uint8_t *key, size_t key_len, const uint8_t *data,
                      size_t data_len);
/* A copy (from alloc: the engine's allocator) of the data under key, or
 * NULL when there is none. */
uint8_t *engine_store_get(engine_store *s, const uint8_t *key, size_t key_len,
                          void *(*alloc)(size_t), size_t *out_len);
void engine_store_remove(engine_store *s, const uint8_t *key, size_t key_len);
/* Whether the early data of the ticket id was taken before; with take it
 * is taken now (one lock: two connections with one ticket cannot both
 * pass). */
bool engine_store_ticket_used(engine_store *s, const uint8_t id[32], bool take);

/* A resumed or PSK TLS 1.3 handshake's kx from its group (out->group):
 * psk_dhe_ke as ECDHE-PSK or DHE-PSK, psk_ke as PSK (RFC 8446 4.2.9). */
void engine_tls13_psk_kx(tp_engine_info *out);

#endif
