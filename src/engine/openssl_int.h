/* The OpenSSL engine's files (openssl.c, openssl_names.c, openssl_creds.c):
 * what they share.  Private to engine/. */
#ifndef TP_ENGINE_OPENSSL_INT_H
#define TP_ENGINE_OPENSSL_INT_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "names.h"

#define OSSL_MAX_ALLOWED 256

/* What the lists (either spelling) or the OpenSSL strings make of a
 * context: cipher list (TLS <= 1.2), TLS 1.3 suites, versions, groups, at
 * security level 0 so the legacy ones named are reachable.  What this
 * engine cannot do is an error naming it:
 *   the openssl engine (OpenSSL 3.0.19) cannot negotiate SSL3.0 (...)
 * 0, or -1 with err set. */
typedef struct {
    const engine_lists *lists;
    const char *cipher_string, *ciphersuites; /* OpenSSL strings or NULL */
} ossl_names_req;
int ossl_names_apply(SSL_CTX *ctx, const ossl_names_req *req, char *err, size_t err_len);

/* What the context allows, as IANA ids (for the verdict). */
unsigned ossl_allowed_suites(SSL_CTX *ctx, uint16_t *out, unsigned cap);
unsigned ossl_allowed_versions(SSL_CTX *ctx, uint16_t *out, unsigned cap);
/* The groups ossl_names_apply set (or OpenSSL's default list). */
unsigned ossl_allowed_groups(const engine_lists *lists, uint16_t *out, unsigned cap);

/* A negotiated suite's IANA id as tlsprobe's names (GnuTLS spelling); ""
 * for a part it does not know.  TLS 1.3 suites have no kx. */
void ossl_suite_names(uint16_t id, char *kx, size_t kx_len, char *cipher, size_t cipher_len,
                      char *mac, size_t mac_len);
/* "TLS1.2" for TLS1_2_VERSION etc. */
const char *ossl_version_name(int version);
/* A group's NID (SSL_get_negotiated_group) as tlsprobe names it
 * ("X25519"), or NULL. */
const char *ossl_group_name_nid(int nid);
/* SHA-256 of a certificate as "AA:BB:.." ("" on failure). */
void ossl_fingerprint(X509 *x, char *out, size_t out_len);

/* ---- openssl_creds.c ---- */

/* The credentials of the configuration into ctx: --cert/--key, the
 * generated chain or the generated self-signed certificate (the same PEM
 * the gnutls engine serves, from credentials.c / certgen.c), and
 * --client-ca.  The SHA-256 fingerprint of the leaf into fp.  out_generated
 * / out_chain get what was used (or NULL).  0, or -1 with err set. */
typedef struct {
    const void *generated; /* const engine_generated * */
    const void *chain;     /* const engine_chain * */
    bool rsa;              /* the leaf's key is RSA */
    char fingerprint[3 * 32];
} ossl_creds;
int ossl_creds_setup(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_creds *out,
                     char *err, size_t err_len);

#endif
