/* The OpenSSL engine's files (openssl.c, openssl_names.c, openssl_creds.c):
 * what they share.  Private to engine/. */
#ifndef TP_ENGINE_OPENSSL_INT_H
#define TP_ENGINE_OPENSSL_INT_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certgen.h"
#include "credentials.h"
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
    const gnutls_datum_t *staple; /* --ocsp: the DER response stapled, or NULL */
    char fingerprint[3 * 32];
} ossl_creds;
int ossl_creds_setup(SSL_CTX *ctx, const tp_engine_config *cfg, ossl_creds *out,
                     char *err, size_t err_len);
/* A generated chain (ch) or self-signed certificate (g) with its key into
 * ctx (an --sni-cert's too).  0, or -1 with err set. */
int ossl_creds_load_generated(SSL_CTX *ctx, const engine_chain *ch, const engine_generated *g,
                              char *err, size_t err_len);

/* ---- openssl_sigalgs.c ---- */

/* --sigalgs in GnuTLS's spelling (names.c: "RSA-PSS-RSAE-SHA256",
 * "ECDSA-SHA256") or OpenSSL's ("rsa_pss_rsae_sha256", "RSA+SHA256") as
 * an SSL_CTX_set1_sigalgs_list list into out; 0, or -1 with err naming the
 * bad name, the engine and the valid names. */
int ossl_sigalgs_list(const char *csv, char *out, size_t out_len, char *err, size_t err_len);
/* The same, set on ctx. */
int ossl_sigalgs_apply(SSL_CTX *ctx, const char *csv, char *err, size_t err_len);
/* One name as OpenSSL spells it, or NULL (unknown, or libssl 3 cannot). */
const char *ossl_sigalg_ossl_name(const char *name);
/* Whether the engine can sign with it; why (may be NULL) when not. */
bool ossl_sigalg_can(const char *name, const char **why);
/* A codepoint as the gnutls engine names it in TLS 1.3 or 1.2, or NULL. */
const char *ossl_sigalg_name(uint16_t id, bool tls13);
/* The index in shared (codepoints, preference order) of the first scheme
 * that fits a key (EVP_PKEY_RSA, ...) and hash NID, or -1. */
int ossl_sigalg_pick(const uint16_t *shared, unsigned n, int key, int hash, bool tls13);
/* The scheme the server signed with on ssl, named as above ("" when none:
 * before TLS 1.2, an RSA key exchange, a resumption). */
void ossl_conn_sigalg(SSL *ssl, char *out, size_t out_len);
/* The certificate ssl serves has an RSA key. */
bool ossl_conn_key_rsa(SSL *ssl);

/* ---- openssl_sni.c ---- */

/* --sni-cert, --sni-mode and the --ocsp staple, as alpn_sni.c and ocsp.c
 * do them for GnuTLS: a servername callback serves the first --sni-cert
 * whose NAME covers the client's server_name (SSL_use_cert_and_key), the
 * default when its names cover it, else the --sni-mode reaction; a status
 * callback staples the chosen certificate's response. */
typedef struct ossl_sni ossl_sni;
typedef struct {
    const char *label;            /* "default", the --sni-cert NAME, "none" */
    const gnutls_datum_t *staple; /* the DER response for that certificate, or NULL */
} ossl_sni_pick;
ossl_sni *ossl_sni_new(SSL_CTX *ctx, const tp_engine_config *cfg, const ossl_creds *creds,
                       char *err, size_t err_len);
void ossl_sni_free(ossl_sni *s);
/* A new connection: the default certificate picked; the callbacks fill pick. */
void ossl_sni_conn(const ossl_sni *s, SSL *ssl, ossl_sni_pick *pick);
/* The --sni-mode and the --sni-cert names for tp_engine_names_info. */
void ossl_sni_info(const ossl_sni *s, tp_engine_names_info *out);

#endif
