/* The generated certificate chain and its variants (certgen.c), OCSP
 * staples and the client CA (ocsp.c).  Private to engine/; errors are
 * user-facing messages naming the bad value. */
#ifndef TP_ENGINE_CERTGEN_H
#define TP_ENGINE_CERTGEN_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>

#define ENGINE_CHAIN_MAX 24 /* certificates a generated chain sends, at most */

/* What a chain is generated for. */
typedef struct {
    const char *key_type;       /* the leaf's key when the variant names none */
    const char *variant;        /* NULL or "none": the valid chain */
    const char *ocsp;           /* NULL, "good", "revoked", "unknown" or a file */
    const char *client_ca;      /* PEM file of CAs that verify client certificates, or NULL */
    const char *const *san_dns; /* as for the self-signed certificate */
    const char *const *san_ip;
} engine_chain_req;

/* A generated chain under the process's CA, loaded as credentials; shared
 * by every engine that asks for the same request, lives as long as the
 * process. */
typedef struct {
    char *id;
    gnutls_certificate_credentials_t cred;
    gnutls_datum_t chain_pem; /* what the server sends, in its order */
    char fingerprint[3 * 32]; /* of the leaf */
    const char *variant;      /* the variant's name ("none" for the valid chain) */
    char detail[160];         /* "notAfter 2026-10-31", "RSA 1024-bit key", ... */
    const char *ocsp;         /* "good", "revoked", "unknown", "file" or NULL */
    const gnutls_datum_t *staple; /* the stapled DER response (kept per process), or NULL */
    gnutls_pcert_st pcerts[ENGINE_CHAIN_MAX]; /* the credentials' certificates */
} engine_chain;

const engine_chain *engine_chain_get(const engine_chain_req *req, gnutls_params_function *dh_cb,
                                     char *err, size_t err_len);

/* PEM of the process's root CA (generated with the first chain), or NULL. */
const gnutls_datum_t *engine_ca_root_pem(void);

/* Trusts the process's root CA for client certificates (--client-ca
 * generated); a certificate and key it issued, as one PEM (the caller
 * gnutls_free()s out->data; it holds a key). */
int engine_ca_trust(gnutls_certificate_credentials_t cred, char *err, size_t err_len);
int engine_client_cert_make(gnutls_datum_t *out, char *err, size_t err_len);

/* ---- ocsp.c ---- */

/* A DER OCSP response for leaf (DER) by its issuer (DER certificate, PEM
 * key): status "good", "revoked" or "unknown".  0, or -1 with err set; the
 * caller gnutls_free()s out->data. */
int engine_ocsp_make(const gnutls_datum_t *leaf, const gnutls_datum_t *issuer,
                     const gnutls_datum_t *issuer_key_pem, const char *status,
                     gnutls_datum_t *out, char *err, size_t err_len);
/* Staples the response in file (DER or PEM) to the credentials' first
 * certificate; err names the file when it holds no OCSP response or one for
 * another certificate. */
int engine_ocsp_staple_file(gnutls_certificate_credentials_t cred, const char *file,
                            const gnutls_datum_t **out_kept, char *err, size_t err_len);
/* Staples a DER response; *out_kept (when not NULL) gets the bytes
 * stapled, kept as long as the process. */
int engine_ocsp_staple(gnutls_certificate_credentials_t cred, const gnutls_datum_t *der,
                       const char *what, const gnutls_datum_t **out_kept, char *err,
                       size_t err_len);
/* Trusts the CA certificates of a PEM file for client certificates. */
int engine_client_ca_set(gnutls_certificate_credentials_t cred, const char *file, char *err,
                         size_t err_len);

/* --cert with --ocsp FILE and --client-ca; a variant or a generated
 * response needs the generated chain (err says so). */
int engine_loaded_certs_setup(gnutls_certificate_credentials_t cred, const char *variant,
                              const char *ocsp, const char *client_ca, char *err, size_t err_len);
/* Its --ocsp part: a response file stapled to cred (*out_kept: its bytes);
 * a generated response is an error (it needs the generated chain). */
int engine_ocsp_loaded(gnutls_certificate_credentials_t cred, const char *ocsp,
                       const gnutls_datum_t **out_kept, char *err, size_t err_len);
/* A verification status (gnutls_certificate_status_t) as "ok", "unknown-ca",
 * "bad-signature", "expired", "not-yet-valid" or "invalid". */
const char *engine_verify_status_name(unsigned status);

#endif
