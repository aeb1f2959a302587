/* Signature algorithms on the OpenSSL engine: --sigalgs in GnuTLS's
 * spelling (the names the gnutls engine takes, names.c) or OpenSSL's
 * ("rsa_pss_rsae_sha256", "RSA+SHA256"), made into the list
 * SSL_CTX_set1_sigalgs_list takes; and the signature the server made, named
 * as the gnutls engine names it, for the connection info (OpenSSL 3.0 has
 * no call that names it: the hash is SSL_get_signature_nid's, the scheme
 * the first shared one that fits the certificate's key and that hash,
 * which is the one libssl's tls_choose_sigalg takes). */
#include "internal.h"
#include "openssl_int.h"

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 8446 4.2.3; TLS 1.2 pairs are hash << 8 | signature (RFC 5246
 * 7.4.1.4.1).  ver: 0 any, 2 the TLS 1.2 name, 3 the TLS 1.3 name of a
 * codepoint GnuTLS names twice (ECDSA).  ossl NULL: libssl 3 cannot. */
typedef struct {
    const char *name;       /* GnuTLS's */
    uint16_t id;
    unsigned char ver;
    const char *ossl, *plus; /* OpenSSL's names (plus: "RSA+SHA256"), or NULL */
    int key, hash;          /* the certificate key (EVP_PKEY_*) and the hash NID */
} sig_row;

static const sig_row rows[] = {
    {"RSA-PSS-RSAE-SHA256", 0x0804, 0, "rsa_pss_rsae_sha256", "RSA-PSS+SHA256", EVP_PKEY_RSA,
     NID_sha256},
    {"RSA-PSS-RSAE-SHA384", 0x0805, 0, "rsa_pss_rsae_sha384", "RSA-PSS+SHA384", EVP_PKEY_RSA,
     NID_sha384},
    {"RSA-PSS-RSAE-SHA512", 0x0806, 0, "rsa_pss_rsae_sha512", "RSA-PSS+SHA512", EVP_PKEY_RSA,
     NID_sha512},
    {"RSA-PSS-SHA256", 0x0809, 0, "rsa_pss_pss_sha256", NULL, EVP_PKEY_RSA_PSS, NID_sha256},
    {"RSA-PSS-SHA384", 0x080a, 0, "rsa_pss_pss_sha384", NULL, EVP_PKEY_RSA_PSS, NID_sha384},
    {"RSA-PSS-SHA512", 0x080b, 0, "rsa_pss_pss_sha512", NULL, EVP_PKEY_RSA_PSS, NID_sha512},
    {"RSA-SHA256", 0x0401, 0, "rsa_pkcs1_sha256", "RSA+SHA256", EVP_PKEY_RSA, NID_sha256},
    {"RSA-SHA384", 0x0501, 0, "rsa_pkcs1_sha384", "RSA+SHA384", EVP_PKEY_RSA, NID_sha384},
    {"RSA-SHA512", 0x0601, 0, "rsa_pkcs1_sha512", "RSA+SHA512", EVP_PKEY_RSA, NID_sha512},
    {"RSA-SHA224", 0x0301, 0, "rsa_pkcs1_sha224", "RSA+SHA224", EVP_PKEY_RSA, NID_sha224},
    {"RSA-SHA1", 0x0201, 0, "rsa_pkcs1_sha1", "RSA+SHA1", EVP_PKEY_RSA, NID_sha1},
    {"RSA-MD5", 0x0101, 0, NULL, NULL, EVP_PKEY_RSA, NID_md5},
    {"ECDSA-SECP256R1-SHA256", 0x0403, 3, "ecdsa_secp256r1_sha256", "ECDSA+SHA256", EVP_PKEY_EC,
     NID_sha256},
    {"ECDSA-SECP384R1-SHA384", 0x0503, 3, "ecdsa_secp384r1_sha384", "ECDSA+SHA384", EVP_PKEY_EC,
     NID_sha384},
    {"ECDSA-SECP521R1-SHA512", 0x0603, 3, "ecdsa_secp521r1_sha512", "ECDSA+SHA512", EVP_PKEY_EC,
     NID_sha512},
    {"ECDSA-SHA256", 0x0403, 2, "ecdsa_secp256r1_sha256", NULL, EVP_PKEY_EC, NID_sha256},
    {"ECDSA-SHA384", 0x0503, 2, "ecdsa_secp384r1_sha384", NULL, EVP_PKEY_EC, NID_sha384},
    {"ECDSA-SHA512", 0x0603, 2, "ecdsa_secp521r1_sha512", NULL, EVP_PKEY_EC, NID_sha512},
    {"ECDSA-SHA224", 0x0303, 0, NULL, "ECDSA+SHA224", EVP_PKEY_EC, NID_sha224},
    {"ECDSA-SHA1", 0x0203, 0, NULL, "ECDSA+SHA1", EVP_PKEY_EC, NID_sha1},
    {"EdDSA-Ed25519", 0x0807, 0, "ed25519", NULL, EVP_PKEY_ED25519, NID_undef},
    {"EdDSA-Ed448", 0x0808, 0, "ed448", NULL, EVP_PKEY_ED448, NID_undef},
    {"DSA-SHA256", 0x0402, 0, NULL, "DSA+SHA256", EVP_PKEY_DSA, NID_sha256},
    {"DSA-SHA1", 0x0202, 0, NULL, "DSA+SHA1", EVP_PKEY_DSA, NID_sha1},
};
#define NUM_ROWS (sizeof rows / sizeof rows[0])

static const sig_row *row_named(const char *name)
{
    for (unsigned i = 0; i < NUM_ROWS; i++)
        if (!strcasecmp(name, rows[i].name) || (rows[i].ossl && !strcasecmp(name, rows[i].ossl)) ||
            (rows[i].plus && !strcasecmp(name, rows[i].plus)))
            return &rows[i];
    return NULL;
}

const char *ossl_sigalg_ossl_name(const char *name)
{
    const sig_row *r = row_named(name);
    return !r ? NULL : r->ossl ? r->ossl : r->plus;
}

/* "RSA-PSS-RSAE-SHA256, ..." of the rows the engine can (or, can=false, all). */
static void valid_names(char *out, size_t len, bool can)
{
    out[0] = '\0';
    for (unsigned i = 0; i < NUM_ROWS; i++) {
        if (can && !rows[i].ossl && !rows[i].plus)
            continue;
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%s", n ? ", " : "", rows[i].name);
    }
}

int ossl_sigalgs_list(const char *csv, char *out, size_t out_len, char *err, size_t err_len)
{
    char buf[1024], valid[1024];
    snprintf(buf, sizeof buf, "%s", csv ? csv : "");
    out[0] = '\0';
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        const sig_row *r = row_named(t);
        const char *o = ossl_sigalg_ossl_name(t);
        if (!o) {
            valid_names(valid, sizeof valid, true);
            engine_err_set(err, err_len, "--sigalgs %s: %s sigalg '%s'; the openssl engine "
                           "(OpenSSL %s) takes: %s (or OpenSSL's names, e.g. rsa_pss_rsae_sha256, "
                           "RSA+SHA256)", csv, r ? "the openssl engine cannot sign with" :
                           "unknown", t, OpenSSL_version(OPENSSL_VERSION_STRING), valid);
            return -1;
        }
        size_t n = strlen(out);
        if (n + strlen(o) + 2 > out_len) {
            engine_err_set(err, err_len, "--sigalgs %s: too many", csv);
            return -1;
        }
        snprintf(out + n, out_len - n, "%s%s", n ? ":" : "", o);
    }
    if (!out[0]) {
        engine_err_set(err, err_len, "--sigalgs '%s': empty", csv ? csv : "");
        return -1;
    }
    return 0;
}

int ossl_sigalgs_apply(SSL_CTX *ctx, const char *csv, char *err, size_t err_len)
{
    char list[1024];
    if (ossl_sigalgs_list(csv, list, sizeof list, err, err_len) < 0)
        return -1;
    if (SSL_CTX_set1_sigalgs_list(ctx, list) != 1) {
        engine_err_set(err, err_len, "--sigalgs %s: OpenSSL %s rejected '%s'", csv,
                       OpenSSL_version(OPENSSL_VERSION_STRING), list);
        return -1;
    }
    return 0;
}

bool ossl_sigalg_can(const char *name, const char **why)
{
    const sig_row *r = row_named(name);
    if (why)
        *why = !r ? "unknown" : "libssl 3 has no such signature algorithm in TLS";
    return r && (r->ossl || r->plus);
}

const char *ossl_sigalg_name(uint16_t id, bool tls13)
{
    for (unsigned i = 0; i < NUM_ROWS; i++)
        if (rows[i].id == id && rows[i].ver != (tls13 ? 2 : 3))
            return rows[i].name;
    return NULL;
}

/* The schemes TLS 1.3 signs with (RFC 8446 4.2.3: no PKCS #1 v1.5, SHA-1,
 * SHA-224 or DSA in CertificateVerify). */
static bool tls13_scheme(uint16_t id)
{
    return id >= 0x0804 || id == 0x0403 || id == 0x0503 || id == 0x0603;
}

int ossl_sigalg_pick(const uint16_t *shared, unsigned n, int key, int hash, bool tls13)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < NUM_ROWS; k++)
            if (rows[k].id == shared[i] && rows[k].key == key && rows[k].hash == hash &&
                (!tls13 || tls13_scheme(shared[i])))
                return (int)i;
    return -1;
}

void ossl_conn_sigalg(SSL *ssl, char *out, size_t out_len)
{
    int ver = SSL_version(ssl), hash = NID_undef;
    const SSL_CIPHER *sc = SSL_get_current_cipher(ssl);
    X509 *x = SSL_get_certificate(ssl);
    EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
    out[0] = '\0';
    /* before TLS 1.2 no scheme is negotiated (RFC 4346 7.4.3), and an RSA
     * key exchange signs nothing: empty, as on the gnutls engine */
    if (!pk || !sc || (ver != TLS1_2_VERSION && ver != TLS1_3_VERSION) ||
        (ver == TLS1_2_VERSION && SSL_CIPHER_get_kx_nid(sc) == NID_kx_rsa) ||
        SSL_get_signature_nid(ssl, &hash) != 1)
        return;
    uint16_t shared[64];
    unsigned n = 0;
    unsigned char rsig, rhash;
    int total = SSL_get_shared_sigalgs(ssl, 0, NULL, NULL, NULL, NULL, NULL);
    for (int i = 0; i < total && n < 64; i++)
        if (SSL_get_shared_sigalgs(ssl, i, NULL, NULL, NULL, &rsig, &rhash))
            shared[n++] = (uint16_t)(rhash << 8 | rsig);
    int k = ossl_sigalg_pick(shared, n, EVP_PKEY_get_base_id(pk), hash, ver == TLS1_3_VERSION);
    const char *name = k >= 0 ? ossl_sigalg_name(shared[k], ver == TLS1_3_VERSION) : NULL;
    if (name)
        snprintf(out, out_len, "%s", name);
}

bool ossl_conn_key_rsa(SSL *ssl)
{
    X509 *x = SSL_get_certificate(ssl);
    EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
    return pk && (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS"));
}
