/* The TLS client towards an upstream server (`--upstream-tls`): the proxy's
 * second leg.  A small API of its own beside engine.h: tlsprobe terminates
 * the client's TLS with the engine and opens a TLS session of its own to the
 * real server.  GnuTLS, on a non-blocking socket the caller owns and polls;
 * the calls never block.  The upstream's certificate is not verified (the
 * upstream is the operator's own server; this leg is not what tlsprobe
 * judges).  No output. */
#ifndef TP_ENGINE_UPSTREAM_H
#define TP_ENGINE_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct tp_upstream_tls tp_upstream_tls;

/* A client session on the connected socket fd (not closed by free); sni:
 * the server name to send, or NULL.  NULL on failure. */
tp_upstream_tls *tp_upstream_tls_new(int fd, const char *sni);
void tp_upstream_tls_free(tp_upstream_tls *u);
/* TP_ENGINE_OK once done, AGAIN (poll: tp_upstream_tls_wants_write says
 * which way), ERROR (tp_upstream_tls_error). */
tp_engine_rc tp_upstream_tls_handshake(tp_upstream_tls *u);
/* The last call that returned AGAIN waits for the socket to be writable. */
bool tp_upstream_tls_wants_write(const tp_upstream_tls *u);
/* *out_n bytes of plaintext on OK; AGAIN, EOF (close_notify or TCP close), ERROR. */
tp_engine_rc tp_upstream_tls_read(tp_upstream_tls *u, uint8_t *buf, size_t len, size_t *out_n);
/* *out_n bytes taken on OK (may be fewer than len); AGAIN: retry with the same bytes. */
tp_engine_rc tp_upstream_tls_write(tp_upstream_tls *u, const uint8_t *buf, size_t len,
                                   size_t *out_n);
/* Sends close_notify (best effort, never waits). */
void tp_upstream_tls_bye(tp_upstream_tls *u);
/* "TLS1.3 AES-256-GCM" after the handshake, "" before. */
void tp_upstream_tls_describe(const tp_upstream_tls *u, char *out, size_t out_len);
/* The last error as text ("" when none). */
const char *tp_upstream_tls_error(const tp_upstream_tls *u);

#endif
