/* The generated chain: one root CA and one intermediate CA per process
 * (ECDSA P-256, generated with the first chain, so every engine of a
 * sweep serves leaves of the same CA and a client given --save-ca's file
 * trusts all of them), and a leaf per (variant, key type, OCSP, client CA,
 * SANs), cached for the life of the process.  A variant is one way a
 * certificate is wrong (expired, a missing intermediate, SHA-1, ...), named
 * in the trace and the verdict.  Keys are generated when first asked for:
 * an RSA-8192 key takes minutes.  Nothing here writes a file. */
#include "certgen.h"

#include "credentials.h"
#include "engine.h"
#include "internal.h"

#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY (24 * 3600)
#define LONG_CHAIN_EXTRA 19 /* intermediates below the standard one: 20 in all */
_Static_assert(ENGINE_CHAIN_MAX >= LONG_CHAIN_EXTRA + 3, "room for the long chain");
#define HUGE_EXT_LEN 17000  /* past the 16384 bytes of one record / small buffers */
/* UUID-based OIDs (ITU-T X.667) need no registration */
#define HUGE_OID "2.25.118075279862327155384155938425519106811"
#define CRIT_OID "2.25.118075279862327155384155938425519106812"

enum {
    V_SELF = 1,       /* self-signed, sent alone */
    V_NO_MID = 2,     /* the intermediate not sent */
    V_ORDER = 4,      /* leaf, root, intermediate */
    V_NAME = 8,       /* names wrong.example only */
    V_HUGE = 16,      /* a 17000-byte extension */
    V_CRIT = 32,      /* an unknown critical extension */
    V_SHA1 = 64,      /* signed with SHA-1 */
    V_LONG = 128,     /* 20 intermediates */
    V_LAZY_ONLY = 256, /* not in the sweep axis unless named */
    V_CLIENT = 512     /* a client certificate (--client-ca generated) */
};

typedef struct {
    const char *name, *help;
    gnutls_pk_algorithm_t pk; /* 0: the --key-type */
    unsigned bits;
    int nb_days, na_days; /* validity from now; both 0: -1 h .. 30 days */
    unsigned flags;
} cert_variant;

#define CURVE(c) GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_##c)

/* clang-format off */
static const cert_variant variants[] = {
    {"none", "the valid chain: CA -> intermediate -> leaf", 0, 0, 0, 0, 0},
    {"expired", "the leaf expired 30 days ago", 0, 0, -60, -30, 0},
    {"not-yet-valid", "the leaf is valid from 30 days on", 0, 0, 30, 60, 0},
    {"wrong-name", "the leaf names wrong.example only", 0, 0, 0, 0, V_NAME},
    {"self-signed", "a self-signed leaf, sent alone", 0, 0, 0, 0, V_SELF},
    {"missing-intermediate", "the intermediate CA is not sent", 0, 0, 0, 0, V_NO_MID},
    {"wrong-order", "sent as leaf, root CA, intermediate", 0, 0, 0, 0, V_ORDER},
    {"sha1", "the leaf signed with SHA-1", 0, 0, 0, 0, V_SHA1},
    {"rsa1024", "an RSA 1024-bit leaf key", GNUTLS_PK_RSA, 1024, 0, 0, 0},
    {"rsa4096", "an RSA 4096-bit leaf key", GNUTLS_PK_RSA, 4096, 0, 0, 0},
    {"rsa8192", "an RSA 8192-bit leaf key (takes minutes to generate;\n"
                "in the sweep's cert axis only when named)", GNUTLS_PK_RSA, 8192, 0, 0,
     V_LAZY_ONLY},
    {"ecdsa-p256", "an ECDSA P-256 leaf key", CURVE(SECP256R1), 0, 0, 0},
    {"ecdsa-p384", "an ECDSA P-384 leaf key", CURVE(SECP384R1), 0, 0, 0},
    {"ecdsa-p521", "an ECDSA P-521 leaf key", CURVE(SECP521R1), 0, 0, 0},
    {"ed25519", "an Ed25519 leaf key", GNUTLS_PK_EDDSA_ED25519,
     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 0, 0, 0},
    {"long-chain", "20 intermediate CAs (21 certificates sent)", 0, 0, 0, 0, V_LONG},
    {"huge", "a leaf over 16 KB: the Certificate message is past 16384 bytes", 0, 0, 0, 0,
     V_HUGE},
    {"unusual-extensions", "an unknown critical extension in the leaf", 0, 0, 0, 0, V_CRIT},
};
/* clang-format on */
#define NUM_VARIANTS (sizeof variants / sizeof variants[0])

static const cert_variant *variant_find(const char *name)
{
    for (size_t i = 0; i < NUM_VARIANTS; i++)
        if (strcmp(variants[i].name, name ? name : "none") == 0)
            return &variants[i];
    return NULL;
}

unsigned tp_engine_cert_variants(const char *const **out)
{
    static const char *names[NUM_VARIANTS];
    for (size_t i = 0; i < NUM_VARIANTS; i++)
        names[i] = variants[i].name;
    *out = names;
    return (unsigned)NUM_VARIANTS;
}

const char *tp_engine_cert_variant_help(const char *name)
{
    const cert_variant *v = variant_find(name);
    return v ? v->help : NULL;
}

bool tp_engine_cert_variant_swept(const char *name)
{
    const cert_variant *v = variant_find(name);
    return v && !(v->flags & V_LAZY_ONLY);
}

/* ---- one certificate ---- */

typedef struct {
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_t key;
} gen_pair;

typedef struct {
    const char *cn;
    bool ca;
    gnutls_pk_algorithm_t pk;
    unsigned bits;
    time_t nb, na;
    gnutls_digest_algorithm_t dig;
    const engine_chain_req *names; /* a server leaf: its names; NULL for a CA */
    unsigned flags;
} crt_spec;

static void pair_free(gen_pair *p)
{
    if (p->crt)
        gnutls_x509_crt_deinit(p->crt);
    if (p->key)
        gnutls_x509_privkey_deinit(p->key);
    p->crt = NULL;
    p->key = NULL;
}

/* The digest a key signs with: what its size calls for (RFC 5480 4). */
static gnutls_digest_algorithm_t dig_for(gnutls_pk_algorithm_t pk, unsigned bits)
{
    if (pk == GNUTLS_PK_EDDSA_ED25519)
        return GNUTLS_DIG_SHA512; /* EdDSA hashes internally; GnuTLS wants it named */
    if (pk == GNUTLS_PK_ECDSA && bits == GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1))
        return GNUTLS_DIG_SHA384;
    if (pk == GNUTLS_PK_ECDSA && bits == GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1))
        return GNUTLS_DIG_SHA512;
    return GNUTLS_DIG_SHA256;
}

/* A DER OCTET STRING of n filler bytes as an extension's value. */
static int ext_filler(gnutls_x509_crt_t crt, const char *oid, size_t n, unsigned critical)
{
    uint8_t *b = malloc(n + 4);
    if (!b)
        return GNUTLS_E_MEMORY_ERROR;
    b[0] = 0x04; /* X.690 8.7: OCTET STRING, long-form length */
    b[1] = 0x82;
    b[2] = (uint8_t)(n >> 8);
    b[3] = (uint8_t)n;
    memset(b + 4, 'x', n);
    int rc = gnutls_x509_crt_set_extension_by_oid(crt, oid, b, n + 4, critical);
    free(b);
    return rc;
}

static int crt_extensions(gnutls_x509_crt_t crt, const crt_spec *s, char *err, size_t err_len)
{
    static const char *const wrong[] = {"wrong.example", NULL};
    static const char *const none[] = {NULL};
    int rc = 0;
    unsigned usage = s->ca ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
                           : GNUTLS_KEY_DIGITAL_SIGNATURE;
    if (!s->ca && s->pk == GNUTLS_PK_RSA)
        usage |= GNUTLS_KEY_KEY_ENCIPHERMENT; /* RSA key transport (RFC 5280 4.2.1.3) */
    if ((rc = gnutls_x509_crt_set_basic_constraints(crt, s->ca, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, usage)) < 0)
        return rc;
    if (s->flags & V_CLIENT)
        return gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
    if (!s->names)
        return 0;
    if ((rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
        return rc;
    if (s->flags & V_NAME)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, wrong[0],
                                                  (unsigned)strlen(wrong[0]), GNUTLS_FSAN_SET);
    else
        rc = engine_crt_add_names(crt, s->names->san_dns ? s->names->san_dns : none,
                                  s->names->san_ip, err, err_len);
    if (rc >= 0 && (s->flags & V_HUGE))
        rc = ext_filler(crt, HUGE_OID, HUGE_EXT_LEN, 0);
    if (rc >= 0 && (s->flags & V_CRIT))
        rc = ext_filler(crt, CRIT_OID, 16, 1); /* RFC 5280 4.2: unknown + critical = reject */
    return rc;
}

/* Generates the key and the certificate of s, signed by issuer (NULL:
 * self-signed). */
static int crt_make(gen_pair *out, const crt_spec *s, const gen_pair *issuer, char *err,
                    size_t err_len)
{
    uint8_t serial[16], kid[64];
    size_t kid_len = sizeof kid;
    int rc;
    gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial);
    serial[0] = (serial[0] & 0x7f) | 0x01; /* positive, 16 bytes (RFC 5280 4.1.2.2) */
    if ((rc = gnutls_x509_privkey_init(&out->key)) < 0 ||
        (rc = gnutls_x509_crt_init(&out->crt)) < 0 ||
        (rc = gnutls_x509_privkey_generate2(out->key, s->pk, s->bits, 0, NULL, 0)) < 0 ||
        (rc = gnutls_x509_crt_set_version(out->crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(out->crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(out->crt, s->nb)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(out->crt, s->na)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(out->crt, GNUTLS_OID_X520_COMMON_NAME, 0, s->cn,
                                            (unsigned)strlen(s->cn))) < 0 ||
        (rc = gnutls_x509_crt_set_key(out->crt, out->key)) < 0 ||
        (rc = crt_extensions(out->crt, s, err, err_len)) < 0)
        return rc;
    if (gnutls_x509_crt_get_key_id(out->crt, 0, kid, &kid_len) == 0 &&
        (rc = gnutls_x509_crt_set_subject_key_id(out->crt, kid, kid_len)) < 0)
        return rc;
    if (!issuer)
        return gnutls_x509_crt_sign2(out->crt, out->crt, out->key, s->dig, 0);
    kid_len = sizeof kid;
    if (gnutls_x509_crt_get_subject_key_id(issuer->crt, kid, &kid_len, NULL) == 0 &&
        (rc = gnutls_x509_crt_set_authority_key_id(out->crt, kid, kid_len)) < 0)
        return rc;
    return gnutls_x509_crt_sign2(out->crt, issuer->crt, issuer->key, s->dig, 0);
}

/* ---- the process's CA ---- */

static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER; /* the chain cache */
static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;  /* the CA; after gen_lock */
static gen_pair ca_root, ca_mid; /* made once, then only read */
static gnutls_datum_t ca_root_pem;

static int ca_make(const char *cn, gen_pair *out, const gen_pair *issuer, char *err,
                   size_t err_len)
{
    time_t now = time(NULL);
    crt_spec s = {cn,      true,          CURVE(SECP256R1), now - DAY, now + 365 * DAY,
                  GNUTLS_DIG_SHA256, NULL, 0};
    int rc = crt_make(out, &s, issuer, err, err_len);
    if (rc < 0)
        pair_free(out);
    return rc;
}

static int ca_ready(char *err, size_t err_len)
{
    int rc = 0;
    pthread_mutex_lock(&ca_lock);
    if (!ca_root.crt &&
        ((rc = ca_make("tlsprobe test CA", &ca_root, NULL, err, err_len)) < 0 ||
         (rc = ca_make("tlsprobe test intermediate CA", &ca_mid, &ca_root, err, err_len)) < 0 ||
         (rc = gnutls_x509_crt_export2(ca_root.crt, GNUTLS_X509_FMT_PEM, &ca_root_pem)) < 0)) {
        pair_free(&ca_root);
        pair_free(&ca_mid);
        engine_err_set(err, err_len, "cannot generate the CA: %s", gnutls_strerror(rc));
    }
    pthread_mutex_unlock(&ca_lock);
    return rc < 0 ? -1 : 0;
}

const gnutls_datum_t *engine_ca_root_pem(void)
{
    pthread_mutex_lock(&ca_lock);
    const gnutls_datum_t *p = ca_root_pem.data ? &ca_root_pem : NULL;
    pthread_mutex_unlock(&ca_lock);
    return p;
}


/* ---- a client certificate of the CA ---- */

int engine_ca_trust(gnutls_certificate_credentials_t cred, char *err, size_t err_len)
{
    int rc = ca_ready(err, err_len);
    if (rc == 0 && (rc = gnutls_certificate_set_x509_trust(cred, &ca_root.crt, 1)) < 0)
        engine_err_set(err, err_len, "cannot trust the generated CA: %s", gnutls_strerror(rc));
    return rc < 0 ? -1 : 0;
}

int engine_client_cert_make(gnutls_datum_t *out, char *err, size_t err_len)
{
    time_t now = time(NULL);
    crt_spec s = {"tlsprobe test client", false, CURVE(SECP256R1), now - 3600, now + 30 * DAY,
                  GNUTLS_DIG_SHA256,      NULL,  V_CLIENT};
    gen_pair p = {NULL, NULL};
    gnutls_datum_t crt = {NULL, 0}, key = {NULL, 0};
    int rc = ca_ready(err, err_len);
    pthread_mutex_lock(&ca_lock); /* signs with the CA's key */
    if (rc == 0 && ((rc = crt_make(&p, &s, &ca_root, err, err_len)) < 0 ||
                    (rc = gnutls_x509_crt_export2(p.crt, GNUTLS_X509_FMT_PEM, &crt)) < 0 ||
                    (rc = gnutls_x509_privkey_export2_pkcs8(p.key, GNUTLS_X509_FMT_PEM, NULL,
                                                            GNUTLS_PKCS_PLAIN, &key)) < 0))
        engine_err_set(err, err_len, "cannot generate a client certificate: %s",
                       gnutls_strerror(rc));
    pthread_mutex_unlock(&ca_lock);
    pair_free(&p);
    if (rc == 0 && (out->data = gnutls_malloc(crt.size + key.size + 1))) {
        memcpy(out->data, crt.data, crt.size); /* certificate, then key: one file */
        memcpy(out->data + crt.size, key.data, key.size);
        out->size = crt.size + key.size;
        out->data[out->size] = '\0';
    } else if (rc == 0) {
        rc = GNUTLS_E_MEMORY_ERROR;
    }
    gnutls_free(crt.data);
    gnutls_memset(key.data, 0, key.size);
    gnutls_free(key.data);
    return rc < 0 ? -1 : 0;
}

char *tp_engine_client_cert_pem(size_t *out_len, char *err, size_t err_len)
{
    gnutls_datum_t d = {NULL, 0};
    if (engine_client_cert_make(&d, err, err_len) < 0)
        return NULL;
    char *copy = malloc(d.size + 1);
    if (copy) {
        memcpy(copy, d.data, d.size + 1);
        *out_len = d.size;
    } else {
        engine_err_set(err, err_len, "out of memory");
    }
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
    return copy;
}

/* ---- a chain ---- */

typedef struct {
    gen_pair leaf;
    gen_pair extra[LONG_CHAIN_EXTRA];
    gnutls_x509_crt_t sent[ENGINE_CHAIN_MAX];
    unsigned num_sent;
    const gen_pair *issuer; /* the leaf's (itself when self-signed) */
} gen_chain;

static void chain_free(gen_chain *c)
{
    pair_free(&c->leaf);
    for (unsigned i = 0; i < LONG_CHAIN_EXTRA; i++)
        pair_free(&c->extra[i]);
}

static int leaf_spec(crt_spec *s, const cert_variant *v, const engine_chain_req *req, char *err,
                     size_t err_len)
{
    time_t now = time(NULL);
    key_spec ks = {GNUTLS_PK_RSA, 2048, GNUTLS_DIG_SHA256};
    if (!v->pk && req->key_type && !engine_key_spec_parse(req->key_type, &ks)) {
        engine_err_set(err, err_len, "unknown key type '%s'", req->key_type);
        return -1;
    }
    bool dated = v->nb_days || v->na_days;
    *s = (crt_spec){"tlsprobe test",
                    false,
                    v->pk ? v->pk : ks.pk,
                    v->pk ? v->bits : ks.bits,
                    dated ? now + (time_t)v->nb_days * DAY : now - 3600,
                    dated ? now + (time_t)v->na_days * DAY : now + 30 * DAY,
                    GNUTLS_DIG_SHA256, /* the intermediate's key is P-256 */
                    req,
                    v->flags};
    if (v->flags & V_SELF)
        s->dig = dig_for(s->pk, s->bits);
    if (v->flags & V_SHA1)
        s->dig = GNUTLS_DIG_SHA1;
    return 0;
}

/* The leaf under the CA (or itself), and what the server sends in order. */
static int chain_build(gen_chain *c, const cert_variant *v, const crt_spec *ls, char *err,
                       size_t err_len)
{
    const gen_pair *issuer = &ca_mid;
    unsigned extra = (v->flags & V_LONG) ? LONG_CHAIN_EXTRA : 0;
    int rc;
    for (unsigned i = 0; i < extra; i++) {
        char cn[64];
        snprintf(cn, sizeof cn, "tlsprobe test intermediate CA %u", i + 2);
        if ((rc = ca_make(cn, &c->extra[i], issuer, err, err_len)) < 0)
            return rc;
        issuer = &c->extra[i];
    }
    if (v->flags & V_SELF)
        issuer = NULL;
    if ((rc = crt_make(&c->leaf, ls, issuer, err, err_len)) < 0)
        return rc;
    c->issuer = issuer ? issuer : &c->leaf;
    c->sent[c->num_sent++] = c->leaf.crt;
    if (v->flags & (V_SELF | V_NO_MID))
        return 0;
    if (v->flags & V_ORDER)
        c->sent[c->num_sent++] = ca_root.crt; /* the root before the intermediate */
    for (unsigned i = extra; i > 0; i--)
        c->sent[c->num_sent++] = c->extra[i - 1].crt;
    c->sent[c->num_sent++] = ca_mid.crt;
    return 0;
}

static void detail_write(engine_chain *out, const cert_variant *v, const crt_spec *ls,
                         const gen_chain *c)
{
    char when[40];
    time_t t = v->na_days < 0 ? ls->na : ls->nb;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    gnutls_datum_t der = {NULL, 0};
    if (v->na_days < 0)
        snprintf(out->detail, sizeof out->detail, "notAfter %s", when);
    else if (v->nb_days > 0)
        snprintf(out->detail, sizeof out->detail, "notBefore %s", when);
    else if ((v->flags & V_HUGE) && gnutls_x509_crt_export2(c->leaf.crt, GNUTLS_X509_FMT_DER,
                                                            &der) == 0)
        snprintf(out->detail, sizeof out->detail,
                 "a leaf certificate of %u bytes: the Certificate message is over 16384 bytes",
                 der.size);
    else
        snprintf(out->detail, sizeof out->detail, "%s", v->help);
    gnutls_free(der.data);
}

/* The chain as PEM (the order sent) and the leaf's fingerprint. */
static int chain_export(engine_chain *out, const gen_chain *c)
{
    gnutls_datum_t der = {NULL, 0}, pem;
    int rc = gnutls_x509_crt_export2(c->leaf.crt, GNUTLS_X509_FMT_DER, &der);
    if (rc < 0)
        return rc;
    engine_fingerprint_der(out->fingerprint, sizeof out->fingerprint, &der);
    gnutls_free(der.data);
    for (unsigned i = 0; i < c->num_sent; i++) {
        if ((rc = gnutls_x509_crt_export2(c->sent[i], GNUTLS_X509_FMT_PEM, &pem)) < 0)
            return rc;
        uint8_t *n = gnutls_realloc(out->chain_pem.data, out->chain_pem.size + pem.size + 1);
        if (!n) {
            gnutls_free(pem.data);
            return GNUTLS_E_MEMORY_ERROR;
        }
        memcpy(n + out->chain_pem.size, pem.data, pem.size);
        out->chain_pem.data = n;
        out->chain_pem.size += pem.size;
        n[out->chain_pem.size] = '\0';
        gnutls_free(pem.data);
    }
    return 0;
}

/* A response of the leaf's issuer for the leaf: good, revoked, unknown. */
static int chain_staple(engine_chain *out, const gen_chain *c, const char *status, char *err,
                        size_t err_len)
{
    gnutls_datum_t leaf = {NULL, 0}, iss = {NULL, 0}, key = {NULL, 0}, resp = {NULL, 0};
    int rc;
    if ((rc = gnutls_x509_crt_export2(c->leaf.crt, GNUTLS_X509_FMT_DER, &leaf)) < 0 ||
        (rc = gnutls_x509_crt_export2(c->issuer->crt, GNUTLS_X509_FMT_DER, &iss)) < 0 ||
        (rc = gnutls_x509_privkey_export2_pkcs8(c->issuer->key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &key)) < 0)
        engine_err_set(err, err_len, "cannot export the chain: %s", gnutls_strerror(rc));
    else if ((rc = engine_ocsp_make(&leaf, &iss, &key, status, &resp, err, err_len)) == 0)
        rc = engine_ocsp_staple(out->cred, &resp, "the generated OCSP response", &out->staple,
                                err, err_len);
    gnutls_free(leaf.data);
    gnutls_free(iss.data);
    gnutls_memset(key.data, 0, key.size);
    gnutls_free(key.data);
    gnutls_free(resp.data);
    return rc < 0 ? -1 : 0;
}

/* --client-ca FILE, or "generated": the process's root CA. */
static int client_ca_set(gnutls_certificate_credentials_t cred, const char *file, char *err,
                         size_t err_len)
{
    if (strcmp(file, "generated") == 0)
        return engine_ca_trust(cred, err, err_len);
    return engine_client_ca_set(cred, file, err, err_len);
}

static bool ocsp_generated(const char *ocsp)
{
    return !strcmp(ocsp, "good") || !strcmp(ocsp, "revoked") || !strcmp(ocsp, "unknown");
}

int engine_loaded_certs_setup(gnutls_certificate_credentials_t cred, const char *variant,
                              const char *ocsp, const char *client_ca, char *err, size_t err_len)
{
    if (variant) {
        engine_err_set(err, err_len,
                       "--cert-variant %s needs the generated chain; it cannot change --cert",
                       variant);
        return -1;
    }
    if (ocsp && engine_ocsp_loaded(cred, ocsp, NULL, err, err_len) < 0)
        return -1;
    return client_ca ? client_ca_set(cred, client_ca, err, err_len) : 0;
}

int engine_ocsp_loaded(gnutls_certificate_credentials_t cred, const char *ocsp,
                       const gnutls_datum_t **out_kept, char *err, size_t err_len)
{
    if (ocsp_generated(ocsp)) {
        engine_err_set(err, err_len,
                       "--ocsp %s: the generated CA signs responses for the generated chain "
                       "only; with --cert give a response file (--ocsp FILE)",
                       ocsp);
        return -1;
    }
    return engine_ocsp_staple_file(cred, ocsp, out_kept, err, err_len);
}

/* The chain in the order built: gnutls_certificate_set_x509_key sorts it
 * (GNUTLS_X509_CRT_LIST_SORT), which would make wrong-order right.  The
 * credentials own the pcerts and the key afterwards. */
static int chain_set_key(engine_chain *out, const gen_chain *c)
{
    gnutls_privkey_t key = NULL;
    unsigned n = 0;
    int rc = gnutls_privkey_init(&key);
    if (rc == 0)
        rc = gnutls_privkey_import_x509(key, c->leaf.key, GNUTLS_PRIVKEY_IMPORT_COPY);
    for (; rc == 0 && n < c->num_sent; n++)
        rc = gnutls_pcert_import_x509(&out->pcerts[n], c->sent[n], 0);
    if (rc == 0)
        return gnutls_certificate_set_key(out->cred, NULL, 0, out->pcerts, (int)n, key);
    for (unsigned i = 0; i + 1 < n; i++)
        gnutls_pcert_deinit(&out->pcerts[i]);
    gnutls_privkey_deinit(key);
    return rc;
}

static int chain_creds(engine_chain *out, const gen_chain *c, const engine_chain_req *req,
                       gnutls_params_function *dh_cb, char *err, size_t err_len)
{
    int rc = gnutls_certificate_allocate_credentials(&out->cred);
    if (rc == 0)
        rc = chain_set_key(out, c);
    if (rc < 0) {
        engine_err_set(err, err_len, "cannot use the generated %s chain: %s", out->variant,
                       gnutls_strerror(rc));
        return -1;
    }
    gnutls_certificate_set_params_function(out->cred, dh_cb);
    out->ocsp = req->ocsp;
    if (req->ocsp && ocsp_generated(req->ocsp)) {
        if (chain_staple(out, c, req->ocsp, err, err_len) < 0)
            return -1;
    } else if (req->ocsp) {
        out->ocsp = "file";
        if (engine_ocsp_staple_file(out->cred, req->ocsp, &out->staple, err, err_len) < 0)
            return -1;
    }
    if (req->client_ca && client_ca_set(out->cred, req->client_ca, err, err_len) < 0)
        return -1;
    return 0;
}

/* Under gen_lock. */
static int chain_generate(engine_chain *out, const cert_variant *v, const engine_chain_req *req,
                          gnutls_params_function *dh_cb, char *err, size_t err_len)
{
    crt_spec ls;
    gen_chain c;
    memset(&c, 0, sizeof c);
    out->variant = v->name;
    if (ca_ready(err, err_len) < 0 || leaf_spec(&ls, v, req, err, err_len) < 0)
        return -1;
    int rc = chain_build(&c, v, &ls, err, err_len);
    if (rc >= 0)
        rc = chain_export(out, &c);
    if (rc < 0) {
        if (err && err_len && !err[0])
            engine_err_set(err, err_len, "cannot generate the %s certificate: %s", v->name,
                           gnutls_strerror(rc));
        chain_free(&c);
        return -1;
    }
    detail_write(out, v, &ls, &c);
    rc = chain_creds(out, &c, req, dh_cb, err, err_len);
    chain_free(&c);
    return rc;
}

/* ---- the cache ---- */

#define CHAIN_CACHE_MAX 64
static engine_chain chain_cache[CHAIN_CACHE_MAX];
static unsigned chain_cache_n;

static void id_list(char *out, size_t len, const char *const *l)
{
    for (size_t i = 0; l && l[i]; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s,", l[i]);
    snprintf(out + strlen(out), len - strlen(out), "|");
}

static void chain_id(char *out, size_t len, const engine_chain_req *r)
{
    snprintf(out, len, "%s|%s|%s|%s|", r->key_type ? r->key_type : "", r->variant ? r->variant : "",
             r->ocsp ? r->ocsp : "", r->client_ca ? r->client_ca : "");
    id_list(out, len, r->san_dns);
    id_list(out, len, r->san_ip);
}

static void chain_entry_free(engine_chain *e)
{
    if (e->cred)
        gnutls_certificate_free_credentials(e->cred);
    gnutls_free(e->chain_pem.data);
    memset(e, 0, sizeof *e);
}

const engine_chain *engine_chain_get(const engine_chain_req *req, gnutls_params_function *dh_cb,
                                     char *err, size_t err_len)
{
    const cert_variant *v = variant_find(req->variant);
    if (!v) {
        char list[512] = "";
        for (size_t i = 0; i < NUM_VARIANTS; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     variants[i].name);
        engine_err_set(err, err_len, "unknown certificate variant '%s'; valid: %s", req->variant,
                       list);
        return NULL;
    }
    char id[1024];
    chain_id(id, sizeof id, req);
    const engine_chain *found = NULL;
    pthread_mutex_lock(&gen_lock); /* held across generation: one RSA-8192 key, not two */
    for (unsigned i = 0; i < chain_cache_n && !found; i++)
        if (strcmp(chain_cache[i].id, id) == 0)
            found = &chain_cache[i];
    if (!found && chain_cache_n < CHAIN_CACHE_MAX) {
        engine_chain *e = &chain_cache[chain_cache_n];
        memset(e, 0, sizeof *e);
        if (chain_generate(e, v, req, dh_cb, err, err_len) == 0 && (e->id = strdup(id))) {
            chain_cache_n++;
            found = e;
        } else {
            chain_entry_free(e);
        }
    } else if (!found) {
        engine_err_set(err, err_len, "too many different generated chains in one process");
    }
    pthread_mutex_unlock(&gen_lock);
    return found;
}
