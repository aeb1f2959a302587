/* Helpers shared by the engine's files (gnutls.c, names.c, formable.c).  Private. */
#ifndef TP_ENGINE_INTERNAL_H
#define TP_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "engine.h"
#include "names.h"

/* What an engine can negotiate with its configuration (IANA codes):
 * each engine file fills one; engine.c hands the lists out
 * (tp_engine_allowed_suites, _groups, _versions). */
typedef struct {
    uint16_t suites[256], groups[32], versions[8];
    unsigned num_suites, num_groups, num_versions;
} engine_allowed;
struct tp_gnutls_engine;
struct tp_openssl_engine;
const engine_allowed *tp_gnutls_allowed_lists(const struct tp_gnutls_engine *e);
const engine_allowed *tp_openssl_allowed_lists(const struct tp_openssl_engine *e);

/* printf into a caller's error buffer; nothing when err is NULL or err_len
 * is 0 (callers may not want the text). */
void engine_err_set(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether a certificate-based or TLS 1.3 cipher suite of this build has the
 * protocol, kx, cipher and mac of c (NULL: any); a TLS <= 1.2 suite counts
 * only when kx_fits(its kx name, ctx) says the certificate's key fits. */
bool engine_suite_exists(const engine_combo *c, bool (*kx_fits)(const char *kx, const void *ctx),
                         const void *ctx);

/* PSK and SRP credentials (psk.c): NULL when neither --psk nor --srp was
 * given (or on error, with err set). */
typedef struct engine_psk engine_psk;
/* params: the DH parameters callback of the certificate credentials (DHE-PSK
 * uses the same server parameters as DHE-RSA). */
engine_psk *engine_psk_new(const tp_engine_config *cfg, gnutls_params_function *params, char *err,
                           size_t err_len);
void engine_psk_free(engine_psk *p);
/* Puts the PSK/SRP credentials on a new session (true when none). */
bool engine_psk_session_set(const engine_psk *p, gnutls_session_t s);
/* "'y', 'z'": the PSK identities the server has, or NULL. */
const char *engine_psk_identities(const engine_psk *p);
bool engine_psk_has(const engine_psk *p, bool srp);
/* The key of an identity: true with *out_len bytes in out. */
bool engine_psk_key(const engine_psk *p, const char *identity, uint8_t *out, size_t cap,
                    size_t *out_len);
/* Sends unknown_psk_identity for a failed PSK lookup (true), else false. */
bool engine_psk_alert(const engine_psk *p, gnutls_session_t s, int rc);
/* The priority with the PSK / SRP key exchanges added when --psk / --srp
 * was given and the priority does not choose the key exchanges itself
 * (out, or prio unchanged). */
const char *engine_psk_priority(const tp_engine_config *cfg, const char *prio, char *out,
                                size_t out_len);
/* The session ran on an external PSK (--psk), not a resumption's. */
bool engine_conn_external_psk(gnutls_session_t s);

/* For actions.c (gnutls.c's connection internals). */
gnutls_session_t engine_conn_session(tp_engine_conn *c);
/* The connection's "post-handshake authentication running" flag. */
bool *engine_conn_reauthing(tp_engine_conn *c);

#endif
