/* OCSP staples and the client CA (certgen.h).  GnuTLS parses OCSP
 * responses but cannot sign one, so the generated response is made with
 * OpenSSL libcrypto's OCSP API (RFC 6960 4.2): a BasicOCSPResponse for the
 * leaf, signed by the leaf's issuer, valid from an hour ago for a day. */
#include "certgen.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int status_code(const char *status)
{
    if (!strcmp(status, "good"))
        return V_OCSP_CERTSTATUS_GOOD;
    if (!strcmp(status, "revoked"))
        return V_OCSP_CERTSTATUS_REVOKED;
    return V_OCSP_CERTSTATUS_UNKNOWN;
}

/* Signs the single response of id; the times are now - 1 h .. now + 1 day
 * (a revocation at now - 1 day, reason keyCompromise). */
static OCSP_RESPONSE *basic_signed(OCSP_CERTID *id, int status, X509 *issuer, EVP_PKEY *key)
{
    time_t now = time(NULL);
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    ASN1_TIME *this_upd = ASN1_TIME_set(NULL, now - 3600);
    ASN1_TIME *next_upd = ASN1_TIME_set(NULL, now + 24 * 3600);
    ASN1_TIME *rev = ASN1_TIME_set(NULL, now - 24 * 3600);
    OCSP_RESPONSE *resp = NULL;
    if (bs && this_upd && next_upd && rev &&
        OCSP_basic_add1_status(bs, id, status, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
                               status == V_OCSP_CERTSTATUS_REVOKED ? rev : NULL, this_upd,
                               next_upd) &&
        OCSP_basic_sign(bs, issuer, key, EVP_sha256(), NULL, OCSP_NOCERTS))
        resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    OCSP_BASICRESP_free(bs);
    ASN1_TIME_free(this_upd);
    ASN1_TIME_free(next_upd);
    ASN1_TIME_free(rev);
    return resp;
}

int engine_ocsp_make(const gnutls_datum_t *leaf, const gnutls_datum_t *issuer,
                     const gnutls_datum_t *issuer_key_pem, const char *status,
                     gnutls_datum_t *out, char *err, size_t err_len)
{
    const unsigned char *p = leaf->data;
    X509 *l = d2i_X509(NULL, &p, (long)leaf->size);
    p = issuer->data;
    X509 *i = d2i_X509(NULL, &p, (long)issuer->size);
    BIO *b = BIO_new_mem_buf(issuer_key_pem->data, (int)issuer_key_pem->size);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    OCSP_CERTID *id = l && i ? OCSP_cert_to_id(EVP_sha1(), l, i) : NULL;
    OCSP_RESPONSE *r = id && k ? basic_signed(id, status_code(status), i, k) : NULL;
    unsigned char *der = NULL;
    int n = r ? i2d_OCSP_RESPONSE(r, &der) : -1;
    int rc = -1;
    if (n > 0 && (out->data = gnutls_malloc((size_t)n))) {
        memcpy(out->data, der, (size_t)n);
        out->size = (unsigned)n;
        rc = 0;
    } else {
        engine_err_set(err, err_len, "cannot make the %s OCSP response", status);
    }
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    OCSP_CERTID_free(id);
    EVP_PKEY_free(k);
    BIO_free(b);
    X509_free(i);
    X509_free(l);
    return rc;
}

/* Staples outlive the engines that use them (a sweep makes one engine per
 * configuration): kept per process, found again by their bytes. */
#define STAPLES_MAX 64
static gnutls_datum_t staples[STAPLES_MAX];
static unsigned num_staples;
static pthread_mutex_t staples_lock = PTHREAD_MUTEX_INITIALIZER;

static const gnutls_datum_t *staple_keep(const gnutls_datum_t *der)
{
    const gnutls_datum_t *found = NULL;
    pthread_mutex_lock(&staples_lock);
    for (unsigned i = 0; i < num_staples && !found; i++)
        if (staples[i].size == der->size && !memcmp(staples[i].data, der->data, der->size))
            found = &staples[i];
    if (!found && num_staples < STAPLES_MAX && (staples[num_staples].data = malloc(der->size))) {
        memcpy(staples[num_staples].data, der->data, der->size);
        staples[num_staples].size = der->size;
        found = &staples[num_staples++];
    }
    pthread_mutex_unlock(&staples_lock);
    return found;
}

/* The response for every client that asks (status_request, RFC 6066 8).
 * A callback, not gnutls_certificate_set_ocsp_status_request_mem: that
 * one refuses to staple a revoked response or one for an expired
 * certificate, which are what a client is tested with. */
static int staple_cb(gnutls_session_t s, void *ptr, gnutls_datum_t *out)
{
    (void)s;
    const gnutls_datum_t *der = ptr;
    if (!(out->data = gnutls_malloc(der->size)))
        return GNUTLS_E_MEMORY_ERROR;
    memcpy(out->data, der->data, der->size);
    out->size = der->size;
    return 0;
}

/* Whether the response is for the credentials' first certificate. */
static int staple_fits(gnutls_certificate_credentials_t cred, gnutls_ocsp_resp_t r)
{
    gnutls_datum_t der;
    gnutls_x509_crt_t crt;
    int rc = gnutls_certificate_get_crt_raw(cred, 0, 0, &der);
    if (rc < 0 || (rc = gnutls_x509_crt_init(&crt)) < 0)
        return rc;
    if ((rc = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER)) == 0)
        rc = gnutls_ocsp_resp_check_crt(r, 0, crt);
    gnutls_x509_crt_deinit(crt);
    return rc;
}

int engine_ocsp_staple(gnutls_certificate_credentials_t cred, const gnutls_datum_t *der,
                       const char *what, const gnutls_datum_t **out_kept, char *err,
                       size_t err_len)
{
    gnutls_ocsp_resp_t r;
    int rc = gnutls_ocsp_resp_init(&r), fits = 0;
    if (rc == 0) {
        if ((rc = gnutls_ocsp_resp_import(r, der)) == 0)
            fits = staple_fits(cred, r);
        gnutls_ocsp_resp_deinit(r);
    }
    if (rc < 0) {
        engine_err_set(err, err_len,
                       "%s is not an OCSP response (DER or PEM, RFC 6960 4.2): %s; valid "
                       "--ocsp values: good, revoked, unknown or a response file",
                       what, gnutls_strerror(rc));
        return -1;
    }
    if (fits < 0) {
        engine_err_set(err, err_len, "%s is not for the server's certificate: %s", what,
                       gnutls_strerror(fits));
        return -1;
    }
    const gnutls_datum_t *kept = staple_keep(der);
    if (!kept) {
        engine_err_set(err, err_len, "%s: too many OCSP responses in one process", what);
        return -1;
    }
    gnutls_certificate_set_ocsp_status_request_function(cred, staple_cb, (void *)kept);
    if (out_kept)
        *out_kept = kept; /* the openssl engine staples the same bytes */
    return 0;
}

/* The file's bytes (at most 1 MiB), the PEM armour of an OCSP response
 * taken off. */
static int file_read(const char *file, gnutls_datum_t *out, char *err, size_t err_len)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > (1 << 20) || st.st_size == 0) {
        engine_err_set(err, err_len, "--ocsp: cannot read '%s': %s", file,
                       fd < 0 || errno ? strerror(errno) : "empty or over 1 MiB");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    out->data = gnutls_malloc((size_t)st.st_size);
    ssize_t n = out->data ? read(fd, out->data, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        engine_err_set(err, err_len, "--ocsp: cannot read '%s'", file);
        gnutls_free(out->data);
        return -1;
    }
    out->size = (unsigned)n;
    gnutls_datum_t der;
    if (gnutls_pem_base64_decode2("OCSP RESPONSE", out, &der) == 0) {
        gnutls_free(out->data);
        *out = der;
    }
    return 0;
}

int engine_ocsp_staple_file(gnutls_certificate_credentials_t cred, const char *file,
                            const gnutls_datum_t **out_kept, char *err, size_t err_len)
{
    gnutls_datum_t d = {NULL, 0};
    if (file_read(file, &d, err, err_len) < 0)
        return -1;
    char what[300];
    snprintf(what, sizeof what, "--ocsp file '%s'", file);
    int rc = engine_ocsp_staple(cred, &d, what, out_kept, err, err_len);
    gnutls_free(d.data);
    return rc;
}

int engine_client_ca_set(gnutls_certificate_credentials_t cred, const char *file, char *err,
                         size_t err_len)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        engine_err_set(err, err_len, "--client-ca: cannot read '%s': %s", file, strerror(errno));
        return -1;
    }
    close(fd);
    int n = gnutls_certificate_set_x509_trust_file(cred, file, GNUTLS_X509_FMT_PEM);
    if (n <= 0) {
        engine_err_set(err, err_len,
                       "--client-ca '%s' holds no certificate (a PEM file of CA certificates "
                       "is valid)%s%s",
                       file, n < 0 ? ": " : "", n < 0 ? gnutls_strerror(n) : "");
        return -1;
    }
    return 0;
}

const char *engine_verify_status_name(unsigned status)
{
    if (!(status & GNUTLS_CERT_INVALID))
        return "ok";
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
        return "unknown-ca";
    if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
        return "bad-signature";
    if (status & GNUTLS_CERT_EXPIRED)
        return "expired";
    if (status & GNUTLS_CERT_NOT_ACTIVATED)
        return "not-yet-valid";
    return "invalid";
}
