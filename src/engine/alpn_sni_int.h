/* The engine's side of ALPN and SNI (alpn_sni.c), for gnutls.c.  Private. */
#ifndef TP_ENGINE_ALPN_SNI_INT_H
#define TP_ENGINE_ALPN_SNI_INT_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>

#include "alpn_sni.h"
#include "certgen.h"
#include "credentials.h"
#include "engine.h"

typedef struct engine_an engine_an;

/* Loads or generates the --sni-cert certificates of cfg->names (generated
 * ones with cfg->key_type; under the generated CA when chain, like the
 * default certificate, with a generated --ocsp staple; --client-ca trusted
 * by each), notes the default credentials' certificate; NULL with a message
 * naming the option's value. */
engine_an *engine_an_new(const tp_engine_config *cfg, bool chain,
                         gnutls_certificate_credentials_t def_cred, gnutls_params_function *dh_cb,
                         char *err, size_t err_len);
void engine_an_free(engine_an *n);
/* A new session's ALPN protocols; 0 or a GnuTLS error. */
int engine_an_session(const engine_an *n, gnutls_session_t s);
/* After the ClientHello: the certificate for its server_name, the
 * --sni-mode reaction; *out_label names the certificate chosen ("default",
 * the --sni-cert NAME, "none"), *out_pk its key's algorithm (unchanged for
 * the default).  0, or GNUTLS_E_UNRECOGNIZED_NAME (strict). */
int engine_an_client_hello(const engine_an *n, gnutls_session_t s, const char **out_label,
                           gnutls_pk_algorithm_t *out_pk);
void engine_an_info(const engine_an *n, tp_engine_names_info *out);
/* Whether an --sni-cert NAME covers the client's host name (RFC 6125 6.4:
 * case-insensitive, "*" only as the whole left-most label); the openssl
 * engine matches with it too. */
bool engine_name_covers(const char *pattern, const char *host);
/* A certificate generated for an --sni-cert NAME (no files): self-signed,
 * or with the generated chain (--chain, --ocsp, --client-ca) a valid leaf
 * of the process's CA, so a client that trusts --save-ca trusts it too,
 * with a generated --ocsp staple of its own.  One of *out_chain, *out_gen;
 * 0, or -1 with err set. */
int engine_sni_generate(const tp_sni_cert *c, const tp_engine_config *cfg, bool chain,
                        gnutls_params_function *dh_cb, const engine_chain **out_chain,
                        const engine_generated **out_gen, char *err, size_t err_len);

#endif
