/* Resumption on the GnuTLS engine (engine-private): the per-server session
 * cache for session IDs (TLS <= 1.2), the ticket key (TLS 1.2 tickets and
 * TLS 1.3 resumption PSKs), 0-RTT with a once-per-ticket replay check, and
 * the master secret of a resumed TLS <= 1.2 session, which GnuTLS does not
 * log (it logs CLIENT_RANDOM only when it derives a master secret). */
#ifndef TP_ENGINE_RESUME_H
#define TP_ENGINE_RESUME_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct engine_resume engine_resume;

/* One connection's resumption state (inside tp_engine_conn). */
typedef struct {
    engine_resume *r;
    uint8_t psk_id[32]; /* SHA-256 of the first PSK identity the client offered */
    bool have_psk_id;
    bool early_replay;  /* 0-RTT refused: that ticket's early data was taken before */
    bool cache_miss;    /* a session id was looked up and not found */
    bool master_logged; /* CLIENT_RANDOM written for a resumed TLS <= 1.2 session */
    bool handshaken;    /* the first handshake is done: a renegotiation is a full one */
} engine_resume_conn;

/* NULL with err set on failure (no memory, no ticket key). */
engine_resume *engine_resume_new(const tp_engine_config *cfg, char *err, size_t err_len);
void engine_resume_free(engine_resume *r);
/* The TP_RESUME_* bits the server uses. */
unsigned engine_resume_modes(const engine_resume *r);
/* Flags for gnutls_init (tickets off, early data, no automatic tickets). */
unsigned engine_resume_init_flags(const engine_resume *r);
/* Sets up the session's cache, tickets, early data and hook; 0 or < 0. */
int engine_resume_conn_setup(engine_resume *r, gnutls_session_t s, engine_resume_conn *rc);
/* After the handshake: sends the --tickets N TLS 1.3 tickets (after the
 * client's Finished, as OpenSSL does). */
void engine_resume_after_handshake(engine_resume_conn *rc, gnutls_session_t s);
/* 0-RTT data the engine took with the ClientHello, if any is left: bytes
 * copied, or 0. */
size_t engine_resume_read_early(gnutls_session_t s, uint8_t *buf, size_t len);
/* What happened, into the info the server reads. */
void engine_resume_info(const engine_resume_conn *rc, gnutls_session_t s, tp_engine_info *out);

#endif
