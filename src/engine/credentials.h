/* Credentials of the GnuTLS engine (credentials.c): generated throwaway
 * certificates, certificates loaded from files, DH parameters.  Private to
 * engine/; errors are user-facing messages naming the bad value. */
#ifndef TP_ENGINE_CREDENTIALS_H
#define TP_ENGINE_CREDENTIALS_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>

/* A generated key and self-signed certificate, shared by every engine that
 * asks for the same key type and SANs: credentials are read-only once set
 * up, and loading an RSA-4096 key costs ~20 ms (GnuTLS checks the key
 * pair), too much per sweep configuration.  Lives as long as the process. */
typedef struct {
    char *id; /* key type + SANs */
    gnutls_datum_t cert_pem, key_pem;
    char fingerprint[3 * 32];
    gnutls_certificate_credentials_t cred;
} engine_generated;

/* Finds or generates the credentials for key_type ("rsa:2048", ...) with
 * localhost, the host name, loopback and the given SANs; dh_cb becomes the
 * credentials' DH parameter function.  NULL on failure (err says why). */
const engine_generated *engine_cred_generated(const char *key_type, const char *const *san_dns,
                                              const char *const *san_ip,
                                              gnutls_params_function *dh_cb, char *err,
                                              size_t err_len);

/* Credentials from PEM files (key_file NULL: the key is in cert_file), the
 * certificate's SHA-256 fingerprint into fingerprint ("AA:BB:.."), dh_cb as
 * the DH parameter function.  0, or -1 with err set; the caller frees *out. */
int engine_cred_load(const char *cert_file, const char *key_file, gnutls_params_function *dh_cb,
                     gnutls_certificate_credentials_t *out, char *fingerprint, size_t fp_len,
                     char *err, size_t err_len);

/* Public-key algorithm of the credentials' certificate (GNUTLS_PK_UNKNOWN
 * when it cannot be read). */
gnutls_pk_algorithm_t engine_cred_pk(gnutls_certificate_credentials_t cred);

/* Server DH parameters of bits (0: 2048): the RFC 7919 group of that size,
 * else generated; cached per process, never freed.  0 or a GnuTLS error. */
int engine_dh_get(unsigned bits, gnutls_dh_params_t *out, char *err, size_t err_len);

/* A --key-type value ("rsa:2048") as algorithm, size and the digest a
 * self-signature uses; false when unknown. */
typedef struct {
    gnutls_pk_algorithm_t pk;
    unsigned bits;
    gnutls_digest_algorithm_t dig;
} key_spec;
bool engine_key_spec_parse(const char *key_type, key_spec *out);

/* The names every generated server certificate has: localhost, the host
 * name, 127.0.0.1, ::1 and the given SANs.  0 or a GnuTLS error. */
int engine_crt_add_names(gnutls_x509_crt_t crt, const char *const *san_dns,
                         const char *const *san_ip, char *err, size_t err_len);

/* SHA-256 of a DER certificate as "AA:BB:.." (empty on failure). */
void engine_fingerprint_der(char *out, size_t out_len, const gnutls_datum_t *der);

#endif
