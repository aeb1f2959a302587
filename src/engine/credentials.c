/* Credentials of the GnuTLS engine: throwaway certificates generated and
 * cached per (key type, SAN set) for the life of the process, so the sweep,
 * which creates one engine per configuration, pays for an RSA-4096 key
 * once; certificates loaded from files; DH parameters.  Nothing here writes
 * a file: the generated certificate is handed back as PEM and the command
 * saves it.  See credentials.h. */
#include "credentials.h"

#include "internal.h"
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void hex_colon(char *out, size_t out_len, const uint8_t *b, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 3 < out_len; i++)
        o += (size_t)snprintf(out + o, out_len - o, i ? ":%02X" : "%02X", b[i]);
}

void engine_fingerprint_der(char *out, size_t out_len, const gnutls_datum_t *der)
{
    uint8_t md[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, md) < 0) {
        out[0] = '\0';
        return;
    }
    hex_colon(out, out_len, md, sizeof(md));
}

/* ---- generated credentials, cached per process ------------------------ */

#define CRED_CACHE_MAX 32
static engine_generated cred_cache[CRED_CACHE_MAX];
static unsigned cred_cache_n;
static pthread_mutex_t cred_lock = PTHREAD_MUTEX_INITIALIZER;

bool engine_key_spec_parse(const char *kt, key_spec *out)
{
    static const struct {
        const char *name;
        key_spec spec;
    } specs[] = {
        {"rsa:1024", {GNUTLS_PK_RSA, 1024, GNUTLS_DIG_SHA256}},
        {"rsa:2048", {GNUTLS_PK_RSA, 2048, GNUTLS_DIG_SHA256}},
        {"rsa:4096", {GNUTLS_PK_RSA, 4096, GNUTLS_DIG_SHA256}},
        {"ecdsa:p256",
         {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), GNUTLS_DIG_SHA256}},
        {"ecdsa:p384",
         {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), GNUTLS_DIG_SHA384}},
        /* EdDSA hashes internally (RFC 8032); GnuTLS wants SHA512 named */
        {"ed25519",
         {GNUTLS_PK_EDDSA_ED25519, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519),
          GNUTLS_DIG_SHA512}},
    };
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        if (strcasecmp(kt, specs[i].name) == 0) {
            *out = specs[i].spec;
            return true;
        }
    }
    return false;
}

static bool addr_unspecified(const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i])
            return false;
    return true;
}

/* Adds one IP SAN; wildcard listen addresses (0.0.0.0, ::) name no host. */
static int san_add_ip(gnutls_x509_crt_t crt, const char *ip, char *err, size_t err_len)
{
    uint8_t a[16];
    size_t n;
    if (inet_pton(AF_INET, ip, a) == 1)
        n = 4;
    else if (inet_pton(AF_INET6, ip, a) == 1)
        n = 16;
    else {
        engine_err_set(err, err_len, "'%s' is not an IP address (certificate SAN)", ip);
        return -1;
    }
    if (addr_unspecified(a, n))
        return 0;
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, a, (unsigned)n,
                                                GNUTLS_FSAN_APPEND);
}

static int cert_build(const key_spec *ks, gnutls_x509_privkey_t key, gnutls_x509_crt_t crt,
                      const char *const *san_dns, const char *const *san_ip, char *err,
                      size_t err_len)
{
    static const char cn[] = "tlsprobe test";
    uint8_t serial[16], kid[64];
    size_t kid_len = sizeof(kid);
    time_t now = time(NULL);
    int rc;

    gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
    serial[0] = (serial[0] & 0x7f) | 0x01; /* positive and 16 bytes long (RFC 5280 4.1.2.2) */

    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, now + 30 * 24 * 3600)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                            sizeof(cn) - 1)) < 0 ||
        (rc = gnutls_x509_crt_set_issuer_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                                   sizeof(cn) - 1)) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0)
        return rc;
    /* RSA key transport needs keyEncipherment (RFC 5280 4.2.1.3) */
    unsigned usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
    if (ks->pk == GNUTLS_PK_RSA)
        usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
    if ((rc = gnutls_x509_crt_set_key_usage(crt, usage)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
        return rc;
    if (gnutls_x509_crt_get_key_id(crt, 0, kid, &kid_len) == 0 &&
        (rc = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len)) < 0)
        return rc;
    if ((rc = engine_crt_add_names(crt, san_dns, san_ip, err, err_len)) < 0)
        return rc;
    return gnutls_x509_crt_sign2(crt, crt, key, ks->dig, 0);
}

int engine_crt_add_names(gnutls_x509_crt_t crt, const char *const *san_dns,
                         const char *const *san_ip, char *err, size_t err_len)
{
    char host[256] = "";
    int rc;
    if ((rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                   GNUTLS_FSAN_APPEND)) < 0)
        return rc;
    if (gethostname(host, sizeof(host)) != 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    if (host[0] && strcmp(host, "localhost") != 0 &&
        (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
                                                   (unsigned)strlen(host), GNUTLS_FSAN_APPEND)) < 0)
        return rc;
    /* the caller's names, without the two above again (a name listed twice
     * in the SAN would show twice in every client's error message) */
    for (size_t i = 0; san_dns && san_dns[i]; i++) {
        if (strcasecmp(san_dns[i], "localhost") == 0 || strcasecmp(san_dns[i], host) == 0)
            continue;
        if ((rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, san_dns[i],
                                                       (unsigned)strlen(san_dns[i]),
                                                       GNUTLS_FSAN_APPEND)) < 0)
            return rc;
    }
    /* loopback always: tests and local clients connect there */
    if ((rc = san_add_ip(crt, "127.0.0.1", err, err_len)) < 0 ||
        (rc = san_add_ip(crt, "::1", err, err_len)) < 0)
        return rc;
    for (size_t i = 0; san_ip && san_ip[i]; i++) {
        if (strcmp(san_ip[i], "127.0.0.1") == 0 || strcmp(san_ip[i], "::1") == 0)
            continue;
        if ((rc = san_add_ip(crt, san_ip[i], err, err_len)) < 0)
            return rc;
    }
    return 0;
}

/* Generates key and self-signed certificate as PEM. */
static int cred_generate(const char *key_type, const char *const *san_dns,
                         const char *const *san_ip, engine_generated *out, char *err,
                         size_t err_len)
{
    key_spec ks;
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t der = {NULL, 0};
    int rc;

    if (!engine_key_spec_parse(key_type, &ks)) {
        const char *const *kts;
        unsigned n = engine_key_types(&kts);
        char list[128] = "";
        for (unsigned i = 0; i < n; i++) {
            strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
            strncat(list, kts[i], sizeof(list) - strlen(list) - 1);
        }
        engine_err_set(err, err_len, "unknown key type '%s'; valid: %s", key_type, list);
        return -1;
    }
    engine_err_set(err, err_len, "%s", "");
    if ((rc = gnutls_x509_privkey_init(&key)) < 0 || (rc = gnutls_x509_crt_init(&crt)) < 0 ||
        (rc = gnutls_x509_privkey_generate2(key, ks.pk, ks.bits, 0, NULL, 0)) < 0 ||
        (rc = cert_build(&ks, key, crt, san_dns, san_ip, err, err_len)) < 0 ||
        (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out->cert_pem)) < 0 ||
        /* PKCS#8: the only PEM form GnuTLS writes for every key type (Ed25519) */
        (rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                &out->key_pem)) < 0 ||
        (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der)) < 0) {
        if (err && err_len && !err[0])
            engine_err_set(err, err_len, "cannot generate a %s certificate: %s", key_type,
                           gnutls_strerror(rc));
        gnutls_free(out->cert_pem.data);
        gnutls_free(out->key_pem.data);
        out->cert_pem.data = out->key_pem.data = NULL;
    } else {
        engine_fingerprint_der(out->fingerprint, sizeof(out->fingerprint), &der);
        rc = 0;
    }
    gnutls_free(der.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return rc < 0 ? -1 : 0;
}

static int cred_load_generated(engine_generated *e, const char *key_type,
                               gnutls_params_function *dh_cb, char *err, size_t err_len)
{
    int rc = gnutls_certificate_allocate_credentials(&e->cred);
    if (rc == 0)
        rc = gnutls_certificate_set_x509_key_mem2(e->cred, &e->cert_pem, &e->key_pem,
                                                  GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        engine_err_set(err, err_len, "cannot use the generated %s certificate: %s", key_type,
                       gnutls_strerror(rc));
        if (e->cred)
            gnutls_certificate_free_credentials(e->cred);
        e->cred = NULL;
        return -1;
    }
    gnutls_certificate_set_params_function(e->cred, dh_cb);
    return 0;
}

static char *cred_id(const char *key_type, const char *const *san_dns, const char *const *san_ip)
{
    size_t len = strlen(key_type) + 3;
    for (size_t i = 0; san_dns && san_dns[i]; i++)
        len += strlen(san_dns[i]) + 1;
    for (size_t i = 0; san_ip && san_ip[i]; i++)
        len += strlen(san_ip[i]) + 1;
    char *id = malloc(len);
    if (!id)
        return NULL;
    strcpy(id, key_type);
    for (char *p = id; *p; p++)
        *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    strcat(id, "|");
    for (size_t i = 0; san_dns && san_dns[i]; i++) {
        strcat(id, san_dns[i]);
        strcat(id, ",");
    }
    strcat(id, "|");
    for (size_t i = 0; san_ip && san_ip[i]; i++) {
        strcat(id, san_ip[i]);
        strcat(id, ",");
    }
    return id;
}

/* Finds or generates the credentials; the returned entry lives as long as
 * the process (the cache is never emptied). */
const engine_generated *engine_cred_generated(const char *key_type, const char *const *san_dns,
                                              const char *const *san_ip,
                                              gnutls_params_function *dh_cb, char *err,
                                              size_t err_len)
{
    char *id = cred_id(key_type, san_dns, san_ip);
    if (!id) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    const engine_generated *found = NULL;
    /* Held across generation: two threads asking for the same key type
     * must not both spend seconds on RSA-4096. */
    pthread_mutex_lock(&cred_lock);
    for (unsigned i = 0; i < cred_cache_n && !found; i++)
        if (strcmp(cred_cache[i].id, id) == 0)
            found = &cred_cache[i];
    if (!found && cred_cache_n < CRED_CACHE_MAX) {
        engine_generated *e = &cred_cache[cred_cache_n];
        memset(e, 0, sizeof(*e));
        if (cred_generate(key_type, san_dns, san_ip, e, err, err_len) == 0 &&
            cred_load_generated(e, key_type, dh_cb, err, err_len) == 0) {
            e->id = id;
            id = NULL;
            cred_cache_n++;
            found = e;
        } else {
            gnutls_free(e->cert_pem.data);
            gnutls_free(e->key_pem.data);
        }
    } else if (!found) {
        engine_err_set(err, err_len, "too many different generated certificates in one process");
    }
    pthread_mutex_unlock(&cred_lock);
    free(id);
    return found;
}

/* ---- DH parameters ------------------------------------------------------ */

static struct {
    unsigned bits;
    gnutls_dh_params_t params;
} dh_cache[8];
static pthread_mutex_t dh_lock = PTHREAD_MUTEX_INITIALIZER;

/* RFC 7919 groups as the server's own parameters (used when the client
 * names no FFDHE group); anything else is generated. */
static int dh_make(gnutls_dh_params_t p, unsigned bits)
{
    static const struct {
        unsigned bits;
        const gnutls_datum_t *prime, *gen;
        const unsigned *key_bits;
    } known[] = {
        {2048, &gnutls_ffdhe_2048_group_prime, &gnutls_ffdhe_2048_group_generator,
         &gnutls_ffdhe_2048_key_bits},
        {3072, &gnutls_ffdhe_3072_group_prime, &gnutls_ffdhe_3072_group_generator,
         &gnutls_ffdhe_3072_key_bits},
        {4096, &gnutls_ffdhe_4096_group_prime, &gnutls_ffdhe_4096_group_generator,
         &gnutls_ffdhe_4096_key_bits},
        {6144, &gnutls_ffdhe_6144_group_prime, &gnutls_ffdhe_6144_group_generator,
         &gnutls_ffdhe_6144_key_bits},
        {8192, &gnutls_ffdhe_8192_group_prime, &gnutls_ffdhe_8192_group_generator,
         &gnutls_ffdhe_8192_key_bits},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i].bits == bits)
            return gnutls_dh_params_import_raw2(p, known[i].prime, known[i].gen,
                                                *known[i].key_bits);
    return gnutls_dh_params_generate2(p, bits);
}

int engine_dh_get(unsigned bits, gnutls_dh_params_t *out, char *err, size_t err_len)
{
    if (bits == 0)
        bits = 2048;
    if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096 && bits != 6144 &&
        bits != 8192) {
        engine_err_set(err, err_len,
                       "unsupported DH size %u; valid: 1024, 2048, 3072, 4096, 6144, 8192", bits);
        return GNUTLS_E_INVALID_REQUEST;
    }
    gnutls_dh_params_t p = NULL;
    int rc = 0;
    pthread_mutex_lock(&dh_lock);
    for (unsigned i = 0; i < sizeof(dh_cache) / sizeof(dh_cache[0]) && !p; i++)
        if (dh_cache[i].bits == bits)
            p = dh_cache[i].params;
    if (!p) {
        if ((rc = gnutls_dh_params_init(&p)) == 0 && (rc = dh_make(p, bits)) < 0) {
            gnutls_dh_params_deinit(p);
            p = NULL;
        }
        for (unsigned i = 0; p && i < sizeof(dh_cache) / sizeof(dh_cache[0]); i++) {
            if (!dh_cache[i].bits) {
                dh_cache[i].bits = bits;
                dh_cache[i].params = p;
                break;
            }
        }
    }
    pthread_mutex_unlock(&dh_lock);
    if (!p) {
        engine_err_set(err, err_len, "cannot make %u-bit DH parameters: %s", bits,
                       gnutls_strerror(rc));
        return rc < 0 ? rc : GNUTLS_E_MEMORY_ERROR;
    }
    *out = p;
    return 0;
}

/* ---- certificates from files ------------------------------------------ */

static bool file_readable(const char *what, const char *path, char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        engine_err_set(err, err_len, "cannot read %s file '%s': %s", what, path, strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

int engine_cred_load(const char *cert_file, const char *key_file, gnutls_params_function *dh_cb,
                     gnutls_certificate_credentials_t *out, char *fingerprint, size_t fp_len,
                     char *err, size_t err_len)
{
    gnutls_certificate_credentials_t cred;
    int rc = gnutls_certificate_allocate_credentials(&cred);
    if (rc < 0) {
        engine_err_set(err, err_len, "cannot allocate credentials: %s", gnutls_strerror(rc));
        return -1;
    }
    if (!key_file)
        key_file = cert_file;
    if (!file_readable("certificate", cert_file, err, err_len) ||
        !file_readable("key", key_file, err, err_len)) {
        gnutls_certificate_free_credentials(cred);
        return -1;
    }
    rc = gnutls_certificate_set_x509_key_file2(cred, cert_file, key_file, GNUTLS_X509_FMT_PEM, NULL,
                                               0);
    if (rc < 0) {
        engine_err_set(err, err_len, "cannot load certificate '%s' with key '%s': %s", cert_file,
                       key_file, gnutls_strerror(rc));
        gnutls_certificate_free_credentials(cred);
        return -1;
    }
    gnutls_datum_t der;
    if (gnutls_certificate_get_crt_raw(cred, 0, 0, &der) == 0)
        engine_fingerprint_der(fingerprint, fp_len, &der);
    gnutls_certificate_set_params_function(cred, dh_cb);
    *out = cred;
    return 0;
}

gnutls_pk_algorithm_t engine_cred_pk(gnutls_certificate_credentials_t cred)
{
    gnutls_datum_t der;
    gnutls_x509_crt_t crt;
    gnutls_pk_algorithm_t pk = GNUTLS_PK_UNKNOWN;
    if (gnutls_certificate_get_crt_raw(cred, 0, 0, &der) < 0 || gnutls_x509_crt_init(&crt) < 0)
        return pk;
    if (gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) == 0) {
        int r = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
        if (r > 0)
            pk = (gnutls_pk_algorithm_t)r;
    }
    gnutls_x509_crt_deinit(crt);
    return pk;
}
