/* The GnuTLS engine behind engine.h.
 *
 * Transport: the session never sees a socket.  GnuTLS calls our push/pull
 * functions, which forward to the server's tp_transport; a would-block
 * there becomes GNUTLS_E_AGAIN and TP_ENGINE_AGAIN here.  The session is
 * created with GNUTLS_NONBLOCK and no handshake timeout: the server's event
 * loop owns time.
 *
 * Credentials: generated throwaway certificates are cached per (key type,
 * SAN set) for the life of the process, so the sweep, which creates one
 * engine per configuration, pays for an RSA-4096 key once. */
#include "engine.h"
#include "internal.h"
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ALLOWED 256

struct tp_engine {
    gnutls_certificate_credentials_t cred;
    bool own_cred;         /* loaded from files; generated ones are shared */
    gnutls_dh_params_t dh; /* process-wide cache; not owned */
    gnutls_priority_t prio;
    tp_client_cert client_cert;
    gnutls_pk_algorithm_t cert_pk;
    char fingerprint[3 * 32];
    uint16_t suites[MAX_ALLOWED], groups[32], versions[8];
    unsigned num_suites, num_groups, num_versions;
};

struct tp_engine_conn {
    tp_engine *e;
    gnutls_session_t s;
    tp_transport t;
    bool want_write; /* last AGAIN was GnuTLS waiting to push */
    /* A write that met push-back: GnuTLS holds the encrypted record and
     * must be called again with the same arguments (gnutls_record_send(3)). */
    bool w_pending;
    size_t w_len, w_off, w_inflight;
    char err_name[64];
    char err_text[192];
};

static void hex_colon(char *out, size_t out_len, const uint8_t *b, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 3 < out_len; i++)
        o += (size_t)snprintf(out + o, out_len - o, i ? ":%02X" : "%02X", b[i]);
}

static void fingerprint_der(char *out, size_t out_len, const gnutls_datum_t *der)
{
    uint8_t md[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, md) < 0) {
        out[0] = '\0';
        return;
    }
    hex_colon(out, out_len, md, sizeof(md));
}

static int dh_params_cb(gnutls_session_t s, gnutls_params_type_t type, gnutls_params_st *st);

/* ---- generated credentials, cached per process ------------------------ */

typedef struct {
    char *id; /* key type + SANs */
    gnutls_datum_t cert_pem, key_pem;
    char fingerprint[3 * 32];
    /* Shared by every engine using this key: credentials are read-only
     * once set up, and loading an RSA-4096 key costs ~20 ms (GnuTLS checks
     * the key pair), too much per sweep configuration. */
    gnutls_certificate_credentials_t cred;
} cred_entry;

#define CRED_CACHE_MAX 32
static cred_entry cred_cache[CRED_CACHE_MAX];
static unsigned cred_cache_n;
static pthread_mutex_t cred_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
    gnutls_pk_algorithm_t pk;
    unsigned bits;
    gnutls_digest_algorithm_t dig;
} key_spec;

static bool key_spec_parse(const char *kt, key_spec *out)
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
    char host[256] = "";
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
    return gnutls_x509_crt_sign2(crt, crt, key, ks->dig, 0);
}

/* Generates key and self-signed certificate as PEM. */
static int cred_generate(const char *key_type, const char *const *san_dns,
                         const char *const *san_ip, cred_entry *out, char *err, size_t err_len)
{
    key_spec ks;
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t der = {NULL, 0};
    int rc;

    if (!key_spec_parse(key_type, &ks)) {
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
        fingerprint_der(out->fingerprint, sizeof(out->fingerprint), &der);
        rc = 0;
    }
    gnutls_free(der.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return rc < 0 ? -1 : 0;
}

static int cred_load_generated(cred_entry *e, const char *key_type, char *err, size_t err_len)
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
    gnutls_certificate_set_params_function(e->cred, dh_params_cb);
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
static const cred_entry *cred_get(const char *key_type, const char *const *san_dns,
                                  const char *const *san_ip, char *err, size_t err_len)
{
    char *id = cred_id(key_type, san_dns, san_ip);
    if (!id) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    const cred_entry *found = NULL;
    /* Held across generation: two threads asking for the same key type
     * must not both spend seconds on RSA-4096. */
    pthread_mutex_lock(&cred_lock);
    for (unsigned i = 0; i < cred_cache_n && !found; i++)
        if (strcmp(cred_cache[i].id, id) == 0)
            found = &cred_cache[i];
    if (!found && cred_cache_n < CRED_CACHE_MAX) {
        cred_entry *e = &cred_cache[cred_cache_n];
        memset(e, 0, sizeof(*e));
        if (cred_generate(key_type, san_dns, san_ip, e, err, err_len) == 0 &&
            cred_load_generated(e, key_type, err, err_len) == 0) {
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

static int dh_get(unsigned bits, gnutls_dh_params_t *out, char *err, size_t err_len)
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

/* Server DH parameters for DHE when the client names no RFC 7919 group.
 * Given through the callback rather than gnutls_certificate_set_dh_params:
 * that one also sets a security level, and GnuTLS then substitutes an
 * FFDHE group of that level from the priority for our parameters, so a
 * DH1024 server could never be reproduced.  The callback also lets
 * engines with different sizes share one credentials object. */
static int dh_params_cb(gnutls_session_t s, gnutls_params_type_t type, gnutls_params_st *st)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    if (type != GNUTLS_PARAMS_DH || !c || !c->e->dh)
        return -1;
    st->type = GNUTLS_PARAMS_DH;
    st->params.dh = c->e->dh;
    st->deinit = 0;
    return 0;
}

/* ---- engine ---------------------------------------------------------- */

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

static int save_cert(const char *path, const gnutls_datum_t *pem, char *err, size_t err_len)
{
    /* a certificate is public: 0644 */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        engine_err_set(err, err_len, "cannot write certificate file '%s': %s", path,
                       strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < pem->size) {
        ssize_t n = write(fd, pem->data + off, pem->size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            engine_err_set(err, err_len, "cannot write certificate file '%s': %s", path,
                           strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    if (close(fd) < 0) {
        engine_err_set(err, err_len, "cannot write certificate file '%s': %s", path,
                       strerror(errno));
        return -1;
    }
    return 0;
}

static bool kx_fits_pk(gnutls_kx_algorithm_t kx, gnutls_pk_algorithm_t pk)
{
    switch (kx) {
    case GNUTLS_KX_RSA:
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_ECDHE_RSA:
        return pk == GNUTLS_PK_RSA;
    case GNUTLS_KX_ECDHE_ECDSA:
        return pk == GNUTLS_PK_ECDSA || pk == GNUTLS_PK_EDDSA_ED25519 ||
               pk == GNUTLS_PK_EDDSA_ED448;
    case GNUTLS_KX_DHE_DSS:
        return pk == GNUTLS_PK_DSA;
    default:
        return false;
    }
}

static uint16_t protocol_iana(gnutls_protocol_t v)
{
    switch (v) {
    case GNUTLS_SSL3:
        return 0x0300;
    case GNUTLS_TLS1_0:
        return 0x0301;
    case GNUTLS_TLS1_1:
        return 0x0302;
    case GNUTLS_TLS1_2:
        return 0x0303;
    case GNUTLS_TLS1_3:
        return 0x0304;
    default:
        return 0; /* DTLS: not served */
    }
}

static void allowed_fill(tp_engine *e)
{
    for (unsigned i = 0; e->num_suites < MAX_ALLOWED; i++) {
        unsigned sidx;
        int r = gnutls_priority_get_cipher_suite_index(e->prio, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (r < 0)
            continue;
        uint8_t id[2];
        gnutls_kx_algorithm_t kx;
        gnutls_cipher_algorithm_t ci;
        gnutls_mac_algorithm_t mac;
        gnutls_protocol_t minv;
        if (!gnutls_cipher_suite_info(sidx, id, &kx, &ci, &mac, &minv))
            continue;
        /* only what this certificate can serve */
        if (minv != GNUTLS_TLS1_3 && !kx_fits_pk(kx, e->cert_pk))
            continue;
        e->suites[e->num_suites++] = (uint16_t)(id[0] << 8 | id[1]);
    }
    const unsigned *list;
    int n = gnutls_priority_protocol_list(e->prio, &list);
    for (int i = 0; i < n && e->num_versions < sizeof(e->versions) / sizeof(e->versions[0]); i++) {
        uint16_t v = protocol_iana((gnutls_protocol_t)list[i]);
        if (v)
            e->versions[e->num_versions++] = v;
    }
    const unsigned *glist;
    n = gnutls_priority_group_list(e->prio, &glist);
    for (int i = 0; i < n && e->num_groups < sizeof(e->groups) / sizeof(e->groups[0]); i++) {
        const engine_name *g =
            engine_name_find(ENGINE_FLAG_GROUPS, gnutls_group_get_name((gnutls_group_t)glist[i]));
        if (g && g->num_iana_ids)
            e->groups[e->num_groups++] = g->iana_ids[0];
    }
}

static int load_files(tp_engine *e, const tp_engine_config *cfg, char *err, size_t err_len)
{
    const char *key_file = cfg->key_file ? cfg->key_file : cfg->cert_file;
    if (!file_readable("certificate", cfg->cert_file, err, err_len) ||
        !file_readable("key", key_file, err, err_len))
        return -1;
    int rc = gnutls_certificate_set_x509_key_file2(e->cred, cfg->cert_file, key_file,
                                                   GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        engine_err_set(err, err_len, "cannot load certificate '%s' with key '%s': %s",
                       cfg->cert_file, key_file, gnutls_strerror(rc));
        return -1;
    }
    gnutls_datum_t der;
    if (gnutls_certificate_get_crt_raw(e->cred, 0, 0, &der) == 0)
        fingerprint_der(e->fingerprint, sizeof(e->fingerprint), &der);
    return 0;
}

static gnutls_pk_algorithm_t cred_pk(gnutls_certificate_credentials_t cred)
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

tp_engine *tp_engine_new(const tp_engine_config *cfg, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    tp_engine *e = calloc(1, sizeof(*e));
    if (!e) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    e->client_cert = cfg->client_cert;
    const char *prio = cfg->priority && *cfg->priority ? cfg->priority : "NORMAL";
    const char *errpos = NULL;
    int rc = gnutls_priority_init2(&e->prio, prio, &errpos, 0);
    if (rc < 0) {
        e->prio = NULL;
        if (rc == GNUTLS_E_INVALID_REQUEST && errpos)
            engine_err_set(err, err_len,
                           "invalid priority string at offset %zu: '%s' (near '%.20s')",
                           (size_t)(errpos - prio), prio, errpos);
        else
            engine_err_set(err, err_len, "priority string '%s' rejected: %s", prio,
                           gnutls_strerror(rc));
        goto fail;
    }
    if (cfg->cert_file) {
        if ((rc = gnutls_certificate_allocate_credentials(&e->cred)) < 0) {
            engine_err_set(err, err_len, "cannot allocate credentials: %s", gnutls_strerror(rc));
            goto fail;
        }
        e->own_cred = true;
        if (load_files(e, cfg, err, err_len) < 0)
            goto fail;
        gnutls_certificate_set_params_function(e->cred, dh_params_cb);
    } else if (cfg->key_file) {
        engine_err_set(err, err_len, "--key '%s' given without --cert", cfg->key_file);
        goto fail;
    } else {
        const char *kt = cfg->key_type && *cfg->key_type ? cfg->key_type : "rsa:2048";
        const cred_entry *ce = cred_get(kt, cfg->san_dns, cfg->san_ip, err, err_len);
        if (!ce)
            goto fail;
        e->cred = ce->cred;
        memcpy(e->fingerprint, ce->fingerprint, sizeof(e->fingerprint));
        if (cfg->save_cert && save_cert(cfg->save_cert, &ce->cert_pem, err, err_len) < 0)
            goto fail;
    }
    e->cert_pk = cred_pk(e->cred);
    if (dh_get(cfg->dh_bits, &e->dh, err, err_len) < 0) {
        if (err && err_len && !err[0])
            engine_err_set(err, err_len, "cannot set DH parameters");
        goto fail;
    }
    allowed_fill(e);
    return e;
fail:
    tp_engine_free(e);
    return NULL;
}

void tp_engine_free(tp_engine *e)
{
    if (!e)
        return;
    if (e->prio)
        gnutls_priority_deinit(e->prio);
    if (e->cred && e->own_cred)
        gnutls_certificate_free_credentials(e->cred);
    free(e);
}

bool tp_engine_renegotiation_allowed(const tp_engine *e)
{
    (void)e; /* tp_engine_conn_read declines every client-initiated one */
    return false;
}

tp_client_cert tp_engine_client_cert(const tp_engine *e)
{
    return e->client_cert;
}

const char *tp_engine_cert_fingerprint(const tp_engine *e)
{
    return e->fingerprint;
}

unsigned tp_engine_allowed_suites(const tp_engine *e, const uint16_t **out)
{
    *out = e->suites;
    return e->num_suites;
}

unsigned tp_engine_allowed_groups(const tp_engine *e, const uint16_t **out)
{
    *out = e->groups;
    return e->num_groups;
}

unsigned tp_engine_allowed_versions(const tp_engine *e, const uint16_t **out)
{
    *out = e->versions;
    return e->num_versions;
}

/* ---- per connection ---------------------------------------------------- */

static ssize_t push_cb(gnutls_transport_ptr_t p, const void *data, size_t len)
{
    tp_engine_conn *c = p;
    errno = 0;
    ssize_t n = c->t.push(c->t.ctx, data, len);
    if (n < 0)
        gnutls_transport_set_errno(c->s, errno ? errno : EIO);
    return n;
}

static ssize_t pull_cb(gnutls_transport_ptr_t p, void *buf, size_t len)
{
    tp_engine_conn *c = p;
    errno = 0;
    ssize_t n = c->t.pull(c->t.ctx, buf, len);
    if (n < 0)
        gnutls_transport_set_errno(c->s, errno ? errno : EIO);
    return n;
}

/* GnuTLS may ask whether data is waiting; we cannot tell without reading,
 * so say "maybe" and let pull answer EAGAIN. */
static int pull_timeout_cb(gnutls_transport_ptr_t p, unsigned ms)
{
    (void)p;
    (void)ms;
    return 1;
}

/* NSS key log format: LABEL <client_random> <secret>, hex. */
static int keylog_cb(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    tp_engine_conn *c = gnutls_session_get_ptr(s);
    if (!c || !c->t.keylog)
        return 0;
    gnutls_datum_t cr, sr;
    gnutls_session_get_random(s, &cr, &sr);
    char line[64 + 1 + 64 + 1 + 2 * 64 + 1];
    size_t ll = strlen(label);
    if (ll > 64 || cr.size != 32 || secret->size > 64)
        return 0;
    memcpy(line, label, ll);
    line[ll] = ' ';
    /* the engine's own hex encoder (lower case, NUL-terminated) */
    size_t room = sizeof line - (ll + 1);
    if (gnutls_hex_encode(&cr, line + ll + 1, &room) < 0)
        return 0;
    line[ll + 1 + 64] = ' ';
    room = sizeof line - (ll + 2 + 64);
    if (gnutls_hex_encode(secret, line + ll + 2 + 64, &room) < 0)
        return 0;
    c->t.keylog(c->t.ctx, line);
    return 0;
}

tp_engine_conn *tp_engine_conn_new(tp_engine *e, const tp_transport *t)
{
    tp_engine_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->e = e;
    c->t = *t;
    if (gnutls_init(&c->s, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0) {
        free(c);
        return NULL;
    }
    static const gnutls_certificate_request_t req[] = {
        [TP_CLIENT_CERT_NONE] = GNUTLS_CERT_IGNORE,
        [TP_CLIENT_CERT_REQUEST] = GNUTLS_CERT_REQUEST,
        [TP_CLIENT_CERT_REQUIRE] = GNUTLS_CERT_REQUIRE,
    };
    if (gnutls_priority_set(c->s, e->prio) < 0 ||
        gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, e->cred) < 0) {
        gnutls_deinit(c->s);
        free(c);
        return NULL;
    }
    gnutls_certificate_server_set_request(c->s, (unsigned)e->client_cert <= TP_CLIENT_CERT_REQUIRE
                                                    ? req[e->client_cert]
                                                    : GNUTLS_CERT_IGNORE);
    gnutls_session_set_ptr(c->s, c);
    gnutls_transport_set_ptr(c->s, c);
    gnutls_transport_set_push_function(c->s, push_cb);
    gnutls_transport_set_pull_function(c->s, pull_cb);
    gnutls_transport_set_pull_timeout_function(c->s, pull_timeout_cb);
    gnutls_handshake_set_timeout(c->s, 0);
    gnutls_session_set_keylog_function(c->s, keylog_cb);
    return c;
}

void tp_engine_conn_free(tp_engine_conn *c)
{
    if (!c)
        return;
    gnutls_deinit(c->s);
    free(c);
}

static void conn_set_error(tp_engine_conn *c, int rc)
{
    const char *name = gnutls_strerror_name(rc);
    snprintf(c->err_name, sizeof(c->err_name), "%s", name ? name : "GNUTLS_E_UNKNOWN");
    if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED || rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {
        /* "GNUTLS_A_BAD_RECORD_MAC" -> "bad_record_mac", the RFC spelling */
        const char *an = gnutls_alert_get_strname(gnutls_alert_get(c->s));
        char lower[48] = "unknown alert";
        if (an && strncmp(an, "GNUTLS_A_", 9) == 0) {
            size_t i = 0;
            for (an += 9; an[i] && i + 1 < sizeof(lower); i++)
                lower[i] = (char)(an[i] >= 'A' && an[i] <= 'Z' ? an[i] + 32 : an[i]);
            lower[i] = '\0';
        }
        snprintf(c->err_text, sizeof(c->err_text), "%s (%s)", gnutls_strerror(rc), lower);
    } else {
        snprintf(c->err_text, sizeof(c->err_text), "%s", gnutls_strerror(rc));
    }
}

/* Errors that come with no alert of ours: the peer already alerted or the
 * transport is gone. */
static bool error_gets_alert(int rc)
{
    switch (rc) {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_MEMORY_ERROR:
        return false;
    default:
        return true;
    }
}

/* Shared tail of every call: turns a GnuTLS return into our rc. */
static tp_engine_rc conn_result(tp_engine_conn *c, int rc)
{
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
        c->want_write = gnutls_record_get_direction(c->s) == 1;
        return TP_ENGINE_AGAIN;
    }
    c->want_write = false;
    conn_set_error(c, rc);
    /* EOF without close_notify: EOF, told apart by the error name */
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return TP_ENGINE_EOF;
    /* Send the alert a real server would, so the client's reaction to it
     * is part of the trace (RFC 5246 7.2.2). */
    if (error_gets_alert(rc))
        (void)gnutls_alert_send_appropriate(c->s, rc);
    return TP_ENGINE_ERROR;
}

tp_engine_rc tp_engine_conn_handshake(tp_engine_conn *c)
{
    for (int tries = 0; tries < 16; tries++) {
        int rc = gnutls_handshake(c->s);
        if (rc == 0) {
            c->want_write = false;
            return TP_ENGINE_OK;
        }
        /* warning alerts (e.g. a client's no_renegotiation) do not end it */
        if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && !gnutls_error_is_fatal(rc)) {
            conn_set_error(c, rc);
            continue;
        }
        return conn_result(c, rc);
    }
    return TP_ENGINE_AGAIN;
}

tp_engine_rc tp_engine_conn_read(tp_engine_conn *c, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    for (int tries = 0; tries < 16; tries++) {
        ssize_t n = gnutls_record_recv(c->s, buf, len);
        if (n > 0) {
            c->want_write = false;
            *out_n = (size_t)n;
            return TP_ENGINE_OK;
        }
        if (n == 0) {
            c->want_write = false;
            c->err_name[0] = c->err_text[0] = '\0';
            return TP_ENGINE_EOF; /* close_notify */
        }
        int rc = (int)n;
        if (rc == GNUTLS_E_REHANDSHAKE) {
            /* a client-initiated renegotiation: decline (RFC 5246 7.2.2) */
            conn_set_error(c, rc);
            (void)gnutls_alert_send(c->s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
            continue;
        }
        if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && !gnutls_error_is_fatal(rc)) {
            conn_set_error(c, rc);
            continue;
        }
        return conn_result(c, rc);
    }
    return TP_ENGINE_AGAIN;
}

/* Writes all len bytes (as many records as needed).  On push-back returns
 * TP_ENGINE_AGAIN with tp_engine_conn_has_pending() true: call again with
 * the same buf and len once the transport drains; bytes already sent are
 * not sent twice.  A call with a different len while a write is pending is
 * an error (GnuTLS holds a sealed record of the old data). */
tp_engine_rc tp_engine_conn_write(tp_engine_conn *c, const uint8_t *buf, size_t len)
{
    if (c->w_pending && len != c->w_len) {
        snprintf(c->err_name, sizeof(c->err_name), "TP_E_WRITE_MISMATCH");
        snprintf(c->err_text, sizeof(c->err_text),
                 "write called with new data while a record is still pending");
        return TP_ENGINE_ERROR;
    }
    size_t off = c->w_pending ? c->w_off : 0;
    while (off < len) {
        /* resume the exact call GnuTLS was left in (gnutls_record_send(3)) */
        size_t ask = c->w_pending ? c->w_inflight : len - off;
        ssize_t n = gnutls_record_send(c->s, buf + off, ask);
        if (n >= 0) {
            c->w_pending = false;
            off += (size_t)n;
            continue;
        }
        tp_engine_rc r = conn_result(c, (int)n);
        if (r == TP_ENGINE_AGAIN) {
            c->w_pending = true;
            c->w_len = len;
            c->w_off = off;
            c->w_inflight = ask;
            c->want_write = true;
        } else {
            c->w_pending = false;
        }
        return r;
    }
    c->w_pending = false;
    c->want_write = false;
    return TP_ENGINE_OK;
}

void tp_engine_conn_close(tp_engine_conn *c)
{
    /* one attempt: the server does not wait for the peer's close_notify */
    (void)gnutls_bye(c->s, GNUTLS_SHUT_WR);
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

static void client_cert_summary(tp_engine_conn *c, char *out, size_t out_len)
{
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(c->s, &n);
    out[0] = '\0';
    if (!certs || n == 0)
        return;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
        gnutls_datum_t dn = {NULL, 0}, idn = {NULL, 0};
        unsigned bits = 0;
        int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
        char fp[3 * 32];
        fingerprint_der(fp, sizeof(fp), &certs[0]);
        (void)gnutls_x509_crt_get_dn3(crt, &dn, 0);
        (void)gnutls_x509_crt_get_issuer_dn3(crt, &idn, 0);
        snprintf(out, out_len, "subject '%s'; issuer '%s'; %s %u bits; %u in chain; sha256 %s",
                 dn.data ? (const char *)dn.data : "?", idn.data ? (const char *)idn.data : "?",
                 str_or_empty(gnutls_pk_get_name((gnutls_pk_algorithm_t)pk)), bits, n, fp);
        gnutls_free(dn.data);
        gnutls_free(idn.data);
    } else {
        snprintf(out, out_len, "unparsable certificate (%u in chain)", n);
    }
    gnutls_x509_crt_deinit(crt);
}

void tp_engine_conn_info(tp_engine_conn *c, tp_engine_info *out)
{
    memset(out, 0, sizeof(*out));
    gnutls_protocol_t ver = gnutls_protocol_get_version(c->s);
    snprintf(out->protocol, sizeof(out->protocol), "%s",
             str_or_empty(gnutls_protocol_get_name(ver)));
    snprintf(out->cipher, sizeof(out->cipher), "%s",
             str_or_empty(gnutls_cipher_get_name(gnutls_cipher_get(c->s))));
    snprintf(out->mac, sizeof(out->mac), "%s",
             str_or_empty(gnutls_mac_get_name(gnutls_mac_get(c->s))));
    gnutls_group_t g = gnutls_group_get(c->s);
    if (g)
        snprintf(out->group, sizeof(out->group), "%s", str_or_empty(gnutls_group_get_name(g)));
    gnutls_kx_algorithm_t kx = gnutls_kx_get(c->s);
    if (ver == GNUTLS_TLS1_3 || kx == GNUTLS_KX_UNKNOWN) {
        /* TLS 1.3 suites name no key exchange (RFC 8446 B.4); say what ran:
         * the group's kind and the certificate's key */
        bool ff = out->group[0] && strncmp(out->group, "FFDHE", 5) == 0;
        const char *auth = c->e->cert_pk == GNUTLS_PK_RSA ? "RSA" : "ECDSA";
        if (out->group[0])
            snprintf(out->kx, sizeof(out->kx), "%s-%s", ff ? "DHE" : "ECDHE", auth);
    } else {
        snprintf(out->kx, sizeof(out->kx), "%s", str_or_empty(gnutls_kx_get_name(kx)));
    }
    if (!out->group[0] && (kx == GNUTLS_KX_DHE_RSA || kx == GNUTLS_KX_DHE_DSS)) {
        int bits = gnutls_dh_get_prime_bits(c->s);
        if (bits > 0) /* server DH parameters outside RFC 7919 */
            snprintf(out->group, sizeof(out->group), "DH%d", bits);
    }
    /* Before TLS 1.2 no signature algorithm is negotiated (RSA signs an
     * MD5+SHA1 pair, RFC 4346 7.4.3): leave it empty like the sweep axis. */
    gnutls_sign_algorithm_t sig = gnutls_sign_algorithm_get(c->s);
    if (sig != GNUTLS_SIGN_UNKNOWN && ver != GNUTLS_TLS1_0 && ver != GNUTLS_TLS1_1 &&
        ver != GNUTLS_SSL3)
        snprintf(out->sigalg, sizeof(out->sigalg), "%s", str_or_empty(gnutls_sign_get_name(sig)));
    client_cert_summary(c, out->client_cert, sizeof(out->client_cert));
}

const char *tp_engine_conn_error_name(const tp_engine_conn *c)
{
    return c->err_name;
}

const char *tp_engine_conn_error_text(const tp_engine_conn *c)
{
    return c->err_text;
}

bool tp_engine_conn_has_pending(const tp_engine_conn *c)
{
    return c->want_write || c->w_pending;
}
