/* The negotiation lists for the OpenSSL engine: --protocols, --ciphers,
 * --kx, --macs, --groups in either spelling (GnuTLS "AES-128-CBC",
 * "TLS1.2"; OpenSSL "AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256",
 * "TLSv1.2"; the IANA "TLS_RSA_WITH_AES_128_CBC_SHA"), or OpenSSL's own
 * strings (--cipher-string, --ciphersuites), made into an SSL_CTX's
 * cipher list, TLS 1.3 suites, version range and groups.  The context runs
 * at security level 0 when anything is named, so the legacy suites and
 * versions the lists name are reachable. */
#include "internal.h"
#include "openssl_int.h"
#include "openssl_list.h"

#include <gnutls/gnutls.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ALL_TLS13 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
                  "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

/* IANA group ids and OpenSSL's names (RFC 8446 4.2.7, RFC 7919). */
static const struct {
    uint16_t id;
    int nid;
    const char *ossl, *name;
} groups[] = {
    {0x001d, NID_X25519, "X25519", "X25519"},
    {0x0017, NID_X9_62_prime256v1, "P-256", "SECP256R1"},
    {0x001e, NID_X448, "X448", "X448"},
    {0x0019, NID_secp521r1, "P-521", "SECP521R1"},
    {0x0018, NID_secp384r1, "P-384", "SECP384R1"},
    {0x0100, NID_ffdhe2048, "ffdhe2048", "FFDHE2048"},
    {0x0101, NID_ffdhe3072, "ffdhe3072", "FFDHE3072"},
    {0x0102, NID_ffdhe4096, "ffdhe4096", "FFDHE4096"},
    {0x0103, NID_ffdhe6144, "ffdhe6144", "FFDHE6144"},
    {0x0104, NID_ffdhe8192, "ffdhe8192", "FFDHE8192"},
};
#define NUM_GROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct {
    int version;
    const char *name, *ossl;
} versions[] = {
    {SSL3_VERSION, "SSL3.0", "SSLv3"},     {TLS1_VERSION, "TLS1.0", "TLSv1"},
    {TLS1_1_VERSION, "TLS1.1", "TLSv1.1"}, {TLS1_2_VERSION, "TLS1.2", "TLSv1.2"},
    {TLS1_3_VERSION, "TLS1.3", "TLSv1.3"},
};
#define NUM_VERSIONS (sizeof(versions) / sizeof(versions[0]))

const char *ossl_version_name(int version)
{
    for (unsigned i = 0; i < NUM_VERSIONS; i++)
        if (versions[i].version == version)
            return versions[i].name;
    return "";
}

const char *ossl_group_name_nid(int nid)
{
    for (unsigned i = 0; i < NUM_GROUPS; i++)
        if (groups[i].nid == nid)
            return groups[i].name;
    return NULL;
}

static const char *engine_desc(void)
{
    static __thread char buf[64];
    snprintf(buf, sizeof buf, "the openssl engine (%s)", OpenSSL_version(OPENSSL_VERSION_STRING));
    return buf;
}

void ossl_suite_names(uint16_t id, char *kx, size_t kx_len, char *cipher, size_t cipher_len,
                      char *mac, size_t mac_len)
{
    kx[0] = cipher[0] = mac[0] = '\0';
    unsigned char sid[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    for (size_t i = 0; gnutls_cipher_suite_info(i, sid, &k, &c, &m, NULL); i++) {
        if (((unsigned)sid[0] << 8 | sid[1]) != id)
            continue;
        const char *kn = k ? gnutls_kx_get_name(k) : NULL;
        const char *mn = gnutls_mac_get_name(m);
        snprintf(kx, kx_len, "%s", kn ? kn : "");
        snprintf(cipher, cipher_len, "%s", gnutls_cipher_get_name(c));
        snprintf(mac, mac_len, "%s", mn && strcmp(mn, "UMAC-96") ? mn : "AEAD");
        if (m == GNUTLS_MAC_AEAD)
            snprintf(mac, mac_len, "AEAD");
        return;
    }
}

/* Splits a comma list (blanks around names tolerated); calls fn per name. */
static int each_name(const char *csv, int (*fn)(const char *name, void *ctx), void *ctx)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", csv ? csv : "");
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        if (*t && fn(t, ctx) < 0)
            return -1;
    }
    return 0;
}

/* ---- versions ---- */

typedef struct {
    unsigned mask; /* bit i: versions[i] */
    char *err;
    size_t err_len;
} ver_ctx;

static int ver_take(const char *name, void *p)
{
    ver_ctx *v = p;
    for (unsigned i = 0; i < NUM_VERSIONS; i++) {
        if (strcasecmp(name, versions[i].name) && strcasecmp(name, versions[i].ossl))
            continue;
        if (versions[i].version == SSL3_VERSION) {
            engine_err_set(v->err, v->err_len,
                           "--protocols %s: %s cannot negotiate SSL 3.0 (Debian builds "
                           "OpenSSL with no-ssl3); use --engine gnutls",
                           name, engine_desc());
            return -1;
        }
        v->mask |= 1u << i;
        return 0;
    }
    engine_err_set(v->err, v->err_len,
                   "unknown protocol '%s'; valid: TLS1.0, TLS1.1, TLS1.2, TLS1.3 (or TLSv1, "
                   "TLSv1.1, TLSv1.2, TLSv1.3)", name);
    return -1;
}

static int apply_versions(SSL_CTX *ctx, const char *csv, unsigned *out_mask, char *err,
                          size_t err_len)
{
    ver_ctx v = {0, err, err_len};
    *out_mask = 0x1e; /* TLS1.0 .. TLS1.3 */
    if (!csv || !*csv)
        return 0;
    if (each_name(csv, ver_take, &v) < 0)
        return -1;
    if (!v.mask) {
        engine_err_set(err, err_len, "--protocols is empty");
        return -1;
    }
    int lo = -1, hi = -1;
    for (unsigned i = 0; i < NUM_VERSIONS; i++)
        if (v.mask & 1u << i) {
            if (lo < 0)
                lo = (int)i;
            hi = (int)i;
        }
    static const uint64_t no_op[] = {SSL_OP_NO_SSLv3, SSL_OP_NO_TLSv1, SSL_OP_NO_TLSv1_1,
                                     SSL_OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_3};
    for (int i = lo; i <= hi; i++) /* a gap in the list: OpenSSL takes a range */
        if (!(v.mask & 1u << i))
            SSL_CTX_set_options(ctx, no_op[i]);
    SSL_CTX_set_min_proto_version(ctx, versions[lo].version);
    SSL_CTX_set_max_proto_version(ctx, versions[hi].version);
    *out_mask = v.mask;
    return 0;
}

/* ---- suites ---- */

typedef struct {
    const SSL_CIPHER *c;
    char kx[24], cipher[32], mac[16];
} suite;

/* TLS 1.3 suites are 0x13,0x01.. (RFC 8446 B.4). */
static bool suite_tls13(const SSL_CIPHER *c)
{
    return (SSL_CIPHER_get_protocol_id(c) & 0xff00) == 0x1300;
}

/* Whether name (one entry of the list of flag) names the suite. */
static bool suite_named(const suite *s, engine_flag flag, const char *name)
{
    switch (flag) {
    case ENGINE_FLAG_CIPHERS:
        return !strcasecmp(name, s->cipher) || !strcasecmp(name, SSL_CIPHER_get_name(s->c)) ||
               !strcasecmp(name, SSL_CIPHER_standard_name(s->c));
    case ENGINE_FLAG_KX: /* TLS 1.3 goes with any (EC)DHE kx, as in GnuTLS */
        return !strcasecmp(name, s->kx) || (suite_tls13(s->c) && strcasestr(name, "DHE"));
    default:
        return !strcasecmp(name, s->mac);
    }
}

static bool suite_in_list(const suite *s, engine_flag flag, const char *csv)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", csv);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (suite_named(s, flag, t))
            return true;
    return false;
}

/* A suite the lists allow: each given list names it; without --kx only the
 * certificate key exchanges (and TLS 1.3's none); a version it can run in. */
static bool suite_allowed(const suite *s, const engine_lists *l, unsigned vmask)
{
    static const engine_flag fl[] = {ENGINE_FLAG_CIPHERS, ENGINE_FLAG_KX, ENGINE_FLAG_MACS};
    bool tls13 = suite_tls13(s->c);
    if (!s->cipher[0] || (tls13 ? !(vmask & 0x10) : !(vmask & 0x0f)))
        return false;
    for (unsigned i = 0; i < 3; i++) {
        const char *csv = l->csv[fl[i]];
        if (csv && *csv && !suite_in_list(s, fl[i], csv))
            return false;
    }
    const char *ciphers = l->csv[ENGINE_FLAG_CIPHERS];
    if (!strcmp(s->cipher, "NULL") && (!ciphers || !*ciphers))
        return false; /* no encryption only when named */
    if (!l->csv[ENGINE_FLAG_KX] || !*l->csv[ENGINE_FLAG_KX])
        return tls13 || !strcmp(s->kx, "RSA") || !strcmp(s->kx, "DHE-RSA") ||
               !strcmp(s->kx, "ECDHE-RSA") || !strcmp(s->kx, "ECDHE-ECDSA");
    return true;
}

/* A name of one list that no suite of this build has: the error. */
typedef struct {
    engine_flag flag;
    const suite *all;
    unsigned n;
    char *err;
    size_t err_len;
} name_check;

/* The suite's name in the list of flag (its kx, cipher or mac). */
static const char *suite_field(const suite *s, engine_flag flag)
{
    return flag == ENGINE_FLAG_CIPHERS ? s->cipher : flag == ENGINE_FLAG_KX ? s->kx : s->mac;
}

/* The distinct names of flag's list over the build's suites, ", " between. */
static void valid_names(const name_check *nc, char *out, size_t out_len)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < nc->n && n + 1 < out_len; i++) {
        const char *f = suite_field(&nc->all[i], nc->flag);
        bool seen = !f[0];
        for (unsigned j = 0; j < i && !seen; j++)
            seen = !strcmp(f, suite_field(&nc->all[j], nc->flag));
        if (!seen)
            n += (size_t)snprintf(out + n, out_len - n, "%s%s", n ? ", " : "", f);
    }
}

static int name_exists(const char *name, void *p)
{
    name_check *nc = p;
    for (unsigned i = 0; i < nc->n; i++) /* a kx by its own name, not as TLS 1.3's any DHE */
        if (nc->flag == ENGINE_FLAG_KX ? !strcasecmp(name, nc->all[i].kx)
                                       : suite_named(&nc->all[i], nc->flag, name))
            return 0;
    char valid[768];
    valid_names(nc, valid, sizeof valid);
    engine_err_set(nc->err, nc->err_len,
                   "%s %s: %s has no cipher suite with %s %s; valid: %s "
                   "(tlsprobe list --engine openssl)",
                   engine_flag_option(nc->flag), name, engine_desc(), engine_flag_noun(nc->flag),
                   name, valid);
    return -1;
}

/* Every suite this OpenSSL build has at security level 0. */
static unsigned all_suites(suite *out, unsigned cap)
{
    SSL_CTX *t = SSL_CTX_new(TLS_server_method());
    unsigned n = 0;
    if (!t)
        return 0;
    SSL_CTX_set_security_level(t, 0);
    if (SSL_CTX_set_cipher_list(t, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1 &&
        SSL_CTX_set_ciphersuites(t, ALL_TLS13) == 1) {
        STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(t);
        for (int i = 0; i < sk_SSL_CIPHER_num(sk) && n < cap; i++) {
            suite *s = &out[n++];
            s->c = sk_SSL_CIPHER_value(sk, i);
            ossl_suite_names((uint16_t)SSL_CIPHER_get_protocol_id(s->c), s->kx, sizeof s->kx,
                             s->cipher, sizeof s->cipher, s->mac, sizeof s->mac);
        }
    }
    SSL_CTX_free(t); /* the SSL_CIPHERs are static tables of libssl */
    return n;
}

static void str_add(char *out, size_t cap, const char *name)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s%s", n ? ":" : "", name);
}

static int apply_lists(SSL_CTX *ctx, const engine_lists *l, unsigned vmask, char *err,
                       size_t err_len)
{
    suite all[OSSL_MAX_ALLOWED];
    unsigned n = all_suites(all, OSSL_MAX_ALLOWED);
    static const engine_flag fl[] = {ENGINE_FLAG_CIPHERS, ENGINE_FLAG_KX, ENGINE_FLAG_MACS};
    for (unsigned i = 0; i < 3; i++) {
        name_check nc = {fl[i], all, n, err, err_len};
        if (each_name(l->csv[fl[i]], name_exists, &nc) < 0)
            return -1;
    }
    char c12[8192] = "", c13[512] = "";
    for (unsigned i = 0; i < n; i++) {
        if (!suite_allowed(&all[i], l, vmask))
            continue;
        bool tls13 = suite_tls13(all[i].c);
        str_add(tls13 ? c13 : c12, tls13 ? sizeof c13 : sizeof c12, SSL_CIPHER_get_name(all[i].c));
    }
    if (!c12[0] && !c13[0]) {
        engine_err_set(err, err_len, "the lists leave %s no cipher suite", engine_desc());
        return -1;
    }
    if (!c12[0]) /* TLS 1.3 only */
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    else
        str_add(c12, sizeof c12, "@SECLEVEL=0");
    long hi = SSL_CTX_get_max_proto_version(ctx);
    if (!c13[0] && (!hi || hi > TLS1_2_VERSION)) /* a server checks its top version only */
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if ((c12[0] && SSL_CTX_set_cipher_list(ctx, c12) != 1) ||
        SSL_CTX_set_ciphersuites(ctx, c13) != 1) {
        engine_err_set(err, err_len, "%s rejected the cipher list '%s'", engine_desc(), c12);
        return -1;
    }
    return 0;
}

/* ---- groups ---- */

typedef struct {
    char list[256];
    char *err;
    size_t err_len;
} group_ctx;

static int group_take(const char *name, void *p)
{
    group_ctx *g = p;
    for (unsigned i = 0; i < NUM_GROUPS; i++)
        if (!strcasecmp(name, groups[i].name) || !strcasecmp(name, groups[i].ossl)) {
            str_add(g->list, sizeof g->list, groups[i].ossl);
            return 0;
        }
    char valid[256] = "";
    for (unsigned i = 0; i < NUM_GROUPS; i++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", i ? ", " : "",
                 groups[i].name);
    engine_err_set(g->err, g->err_len, "--groups %s: %s has no such group; valid: %s", name,
                   engine_desc(), valid);
    return -1;
}

/* Without --groups, the groups a --kx list leaves TLS 1.3 (GnuTLS's
 * rule): only finite-field ones for DHE alone, only curves for ECDHE
 * alone; NULL for both or neither. */
static const char *kx_groups(const char *kx)
{
    if (!kx || !*kx)
        return NULL;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", kx);
    bool ec = false, ff = false;
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        ec = ec || !strncasecmp(t, "ECDHE", 5);
        ff = ff || !strncasecmp(t, "DHE", 3);
    }
    if (ec == ff)
        return NULL;
    return ec ? "X25519:P-256:X448:P-521:P-384"
              : "ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192";
}

unsigned ossl_allowed_groups(const engine_lists *lists, uint16_t *out, unsigned cap)
{
    const char *csv = lists ? lists->csv[ENGINE_FLAG_GROUPS] : NULL;
    if ((!csv || !*csv) && lists)
        csv = kx_groups(lists->csv[ENGINE_FLAG_KX]);
    unsigned n = 0;
    for (unsigned i = 0; i < NUM_GROUPS && n < cap; i++) {
        if (csv && *csv) {
            char one[2][16];
            snprintf(one[0], sizeof one[0], "%s", groups[i].name);
            snprintf(one[1], sizeof one[1], "%s", groups[i].ossl);
            if (!strcasestr(csv, one[0]) && !strcasestr(csv, one[1]))
                continue;
        }
        out[n++] = groups[i].id;
    }
    return n;
}

/* --sigalgs, --comp: what this engine takes of them. */
static int apply_other(SSL_CTX *ctx, const engine_lists *l, char *err, size_t err_len)
{
    const char *sig = l->csv[ENGINE_FLAG_SIGALGS], *comp = l->csv[ENGINE_FLAG_COMP];
    if (sig && *sig && ossl_sigalgs_apply(ctx, sig, err, err_len) < 0) /* openssl_sigalgs.c */
        return -1;
    if (comp && *comp && strcasecmp(comp, "NULL")) {
        engine_err_set(err, err_len, "--comp %s: %s has no compression; valid: NULL", comp,
                       engine_desc());
        return -1;
    }
    return 0;
}

int ossl_names_apply(SSL_CTX *ctx, const ossl_names_req *req, char *err, size_t err_len)
{
    static const engine_lists none;
    const engine_lists *l = req->lists ? req->lists : &none;
    bool any = req->cipher_string || req->ciphersuites;
    for (unsigned i = 0; i < ENGINE_FLAG_COUNT; i++)
        any = any || (l->csv[i] && *l->csv[i]);
    /* Security level 0 always: a test server serves the certificate it was
     * given (an RSA-1024 or SHA-1 variant too) and what the lists name. */
    SSL_CTX_set_security_level(ctx, 0);
    if (!any) /* OpenSSL's default suites from TLS 1.2 up, as the system's
               * security level (Debian: 2) would have it */
        return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 ? 0 : -1;
    unsigned vmask;
    if (apply_other(ctx, l, err, err_len) < 0 ||
        apply_versions(ctx, l->csv[ENGINE_FLAG_PROTOCOLS], &vmask, err, err_len) < 0)
        return -1;
    group_ctx g = {"", err, err_len};
    if (each_name(l->csv[ENGINE_FLAG_GROUPS], group_take, &g) < 0)
        return -1;
    if (!g.list[0] && kx_groups(l->csv[ENGINE_FLAG_KX]))
        snprintf(g.list, sizeof g.list, "%s", kx_groups(l->csv[ENGINE_FLAG_KX]));
    if (g.list[0] && SSL_CTX_set1_groups_list(ctx, g.list) != 1) {
        engine_err_set(err, err_len, "--groups: %s rejected '%s'", engine_desc(), g.list);
        return -1;
    }
    if (req->cipher_string && SSL_CTX_set_cipher_list(ctx, req->cipher_string) != 1) {
        engine_err_set(err, err_len, "--cipher-string '%s': OpenSSL matches no cipher suite "
                       "(see 'openssl ciphers -v')", req->cipher_string);
        return -1;
    }
    if (req->ciphersuites && SSL_CTX_set_ciphersuites(ctx, req->ciphersuites) != 1) {
        engine_err_set(err, err_len, "--ciphersuites '%s': not OpenSSL TLS 1.3 suites; valid: "
                       "%s (':' between them)", req->ciphersuites, ALL_TLS13);
        return -1;
    }
    bool lists = (l->csv[ENGINE_FLAG_CIPHERS] && *l->csv[ENGINE_FLAG_CIPHERS]) ||
                 (l->csv[ENGINE_FLAG_KX] && *l->csv[ENGINE_FLAG_KX]) ||
                 (l->csv[ENGINE_FLAG_MACS] && *l->csv[ENGINE_FLAG_MACS]);
    if (lists && (req->cipher_string || req->ciphersuites)) {
        engine_err_set(err, err_len, "--cipher-string/--ciphersuites and --ciphers, --kx, "
                       "--macs exclude each other");
        return -1;
    }
    if (lists)
        return apply_lists(ctx, l, vmask, err, err_len);
    if (!req->cipher_string && SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1)
        return -1;
    return 0;
}

unsigned ossl_allowed_suites(SSL_CTX *ctx, uint16_t *out, unsigned cap)
{
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    unsigned n = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(sk) && n < cap; i++)
        out[n++] = (uint16_t)SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i));
    return n;
}

unsigned ossl_allowed_versions(SSL_CTX *ctx, uint16_t *out, unsigned cap)
{
    long lo = SSL_CTX_get_min_proto_version(ctx), hi = SSL_CTX_get_max_proto_version(ctx);
    uint64_t opts = SSL_CTX_get_options(ctx);
    static const uint64_t no_op[] = {SSL_OP_NO_SSLv3, SSL_OP_NO_TLSv1, SSL_OP_NO_TLSv1_1,
                                     SSL_OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_3};
    unsigned n = 0;
    for (unsigned i = 1; i < NUM_VERSIONS && n < cap; i++) { /* no SSL 3.0 in this build */
        int v = versions[i].version;
        if ((lo && v < lo) || (hi && v > hi) || (opts & no_op[i]))
            continue;
        out[n++] = (uint16_t)v;
    }
    return n;
}

/* ---- tlsprobe list --engine openssl ---- */

unsigned engine_ossl_suites(engine_ossl_suite *out, unsigned cap)
{
    suite all[OSSL_MAX_ALLOWED];
    unsigned n = all_suites(all, OSSL_MAX_ALLOWED), k = 0;
    for (unsigned i = 0; i < n && k < cap; i++) {
        engine_ossl_suite *o = &out[k++];
        o->name = SSL_CIPHER_get_name(all[i].c);
        o->standard = SSL_CIPHER_standard_name(all[i].c);
        const char *v = SSL_CIPHER_get_version(all[i].c); /* "TLSv1.2", "TLSv1.0", "SSLv3" */
        o->version = suite_tls13(all[i].c) ? "TLS1.3" : strstr(v, "1.2") ? "TLS1.2" : "TLS1.0";
        memcpy(o->kx, all[i].kx, sizeof o->kx);
        memcpy(o->cipher, all[i].cipher, sizeof o->cipher);
        memcpy(o->mac, all[i].mac, sizeof o->mac);
    }
    return k;
}

bool engine_ossl_negotiable(engine_flag flag, const char *name, const char **why)
{
    /* Debian's build drops the weak ciphers; OpenSSL has no TLS suite with
     * the other names at all (Camellia-GCM, RFC 6367) */
    bool weak = strcasestr(name, "DES") || strcasestr(name, "RC4") || strcasestr(name, "ARCFOUR");
    const char *no_build = weak ? "no suite of this OpenSSL build has it (Debian's is built "
                                  "with no-weak-ssl-ciphers: no 3DES, RC4, DES suites)"
                                : "OpenSSL has no TLS suite with it";
    if (why)
        *why = NULL;
    if (flag == ENGINE_FLAG_PROTOCOLS) {
        for (unsigned i = 1; i < NUM_VERSIONS; i++)
            if (!strcasecmp(name, versions[i].name) || !strcasecmp(name, versions[i].ossl))
                return true;
        no_build = "Debian builds OpenSSL with no-ssl3";
    } else if (flag == ENGINE_FLAG_GROUPS) {
        for (unsigned i = 0; i < NUM_GROUPS; i++)
            if (!strcasecmp(name, groups[i].name) || !strcasecmp(name, groups[i].ossl))
                return true;
    } else if (flag == ENGINE_FLAG_COMP) {
        return !strcasecmp(name, "NULL");
    } else if (flag == ENGINE_FLAG_SIGALGS) {
        return ossl_sigalg_can(name, why);
    } else {
        suite all[OSSL_MAX_ALLOWED];
        unsigned n = all_suites(all, OSSL_MAX_ALLOWED);
        for (unsigned i = 0; i < n; i++)
            if (suite_named(&all[i], flag, name))
                return true;
    }
    if (why)
        *why = no_build;
    return false;
}

unsigned engine_ossl_groups(const char *const **out)
{
    static const char *names[NUM_GROUPS];
    for (unsigned i = 0; i < NUM_GROUPS; i++)
        names[i] = groups[i].name;
    *out = names;
    return NUM_GROUPS;
}
