/* Accepted names, priority strings and formability for the GnuTLS engine.
 * The lists of names are fixed here (so the CLI accepts the same spelling
 * whatever the library build), and "negotiable" is asked from the library
 * at run time: a name is negotiable when GnuTLS knows it and, for ciphers,
 * MACs and key exchanges, has a certificate-based cipher suite using it. */
#include "names.h"
#include "internal.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- fixed name lists ------------------------------------------------ */

typedef struct {
    const char *name;
    uint16_t id, id2; /* IANA codepoints; 0 = none */
} name_row;

static const name_row protocol_rows[] = {
    {"TLS1.3", 0x0304, 0}, {"TLS1.2", 0x0303, 0}, {"TLS1.1", 0x0302, 0},
    {"TLS1.0", 0x0301, 0}, {"SSL3.0", 0x0300, 0},
};

static const name_row cipher_rows[] = {
    {"AES-128-GCM", 0, 0},
    {"AES-256-GCM", 0, 0},
    {"CHACHA20-POLY1305", 0, 0},
    {"AES-128-CCM", 0, 0},
    {"AES-256-CCM", 0, 0},
    {"AES-128-CCM-8", 0, 0},
    {"AES-256-CCM-8", 0, 0},
    {"AES-128-CBC", 0, 0},
    {"AES-256-CBC", 0, 0},
    {"CAMELLIA-128-GCM", 0, 0},
    {"CAMELLIA-256-GCM", 0, 0},
    {"CAMELLIA-128-CBC", 0, 0},
    {"CAMELLIA-256-CBC", 0, 0},
    {"3DES-CBC", 0, 0},
    {"ARCFOUR-128", 0, 0},
    {"DES-CBC", 0, 0},
    {"NULL", 0, 0},
};

static const name_row mac_rows[] = {
    {"AEAD", 0, 0}, {"SHA1", 0, 0}, {"SHA256", 0, 0}, {"SHA384", 0, 0}, {"MD5", 0, 0},
};

static const name_row kx_rows[] = {
    {"ECDHE-RSA", 0, 0}, {"ECDHE-ECDSA", 0, 0}, {"DHE-RSA", 0, 0},    {"RSA", 0, 0},
    {"DHE-DSS", 0, 0},   {"ANON-DH", 0, 0},     {"ANON-ECDH", 0, 0},  {"PSK", 0, 0},
    {"DHE-PSK", 0, 0},   {"ECDHE-PSK", 0, 0},   {"RSA-PSK", 0, 0},    {"SRP", 0, 0},
    {"SRP-RSA", 0, 0},   {"SRP-DSS", 0, 0},     {"RSA-EXPORT", 0, 0},
};

/* RFC 8446 4.2.7, RFC 7919, RFC 8422 */
static const name_row group_rows[] = {
    {"X25519", 29, 0},     {"SECP256R1", 23, 0},  {"SECP384R1", 24, 0},  {"SECP521R1", 25, 0},
    {"X448", 30, 0},       {"FFDHE2048", 256, 0}, {"FFDHE3072", 257, 0}, {"FFDHE4096", 258, 0},
    {"FFDHE6144", 259, 0}, {"FFDHE8192", 260, 0}, {"SECP224R1", 21, 0},  {"SECP192R1", 19, 0},
};

/* RFC 8446 4.2.3; TLS 1.2 pairs are hash << 8 | signature (RFC 5246 7.4.1.4.1).
 * GnuTLS's "ECDSA-SHA256" (TLS 1.2, any curve) and "ECDSA-SECP256R1-SHA256"
 * (TLS 1.3) share a codepoint. */
static const name_row sigalg_rows[] = {
    {"RSA-PSS-RSAE-SHA256", 0x0804, 0},
    {"RSA-PSS-RSAE-SHA384", 0x0805, 0},
    {"RSA-PSS-RSAE-SHA512", 0x0806, 0},
    {"RSA-PSS-SHA256", 0x0809, 0},
    {"RSA-PSS-SHA384", 0x080a, 0},
    {"RSA-PSS-SHA512", 0x080b, 0},
    {"RSA-SHA256", 0x0401, 0},
    {"RSA-SHA384", 0x0501, 0},
    {"RSA-SHA512", 0x0601, 0},
    {"RSA-SHA224", 0x0301, 0},
    {"RSA-SHA1", 0x0201, 0},
    {"RSA-MD5", 0x0101, 0},
    {"ECDSA-SECP256R1-SHA256", 0x0403, 0},
    {"ECDSA-SECP384R1-SHA384", 0x0503, 0},
    {"ECDSA-SECP521R1-SHA512", 0x0603, 0},
    {"ECDSA-SHA256", 0x0403, 0},
    {"ECDSA-SHA384", 0x0503, 0},
    {"ECDSA-SHA512", 0x0603, 0},
    {"ECDSA-SHA224", 0x0303, 0},
    {"ECDSA-SHA1", 0x0203, 0},
    {"EdDSA-Ed25519", 0x0807, 0},
    {"EdDSA-Ed448", 0x0808, 0},
    {"DSA-SHA256", 0x0402, 0},
    {"DSA-SHA1", 0x0202, 0},
};

static const name_row comp_rows[] = {{"NULL", 0, 0}, {"DEFLATE", 1, 0}, {"LZS", 64, 0}};

typedef struct {
    const char *option, *noun, *token_prefix, *all_token;
    const name_row *rows;
    unsigned num_rows;
} flag_desc;

#define ROWS(r) r, sizeof(r) / sizeof(r[0])
static const flag_desc flag_descs[ENGINE_FLAG_COUNT] = {
    [ENGINE_FLAG_PROTOCOLS] = {"--protocols", "protocol", "VERS-", "VERS-ALL", ROWS(protocol_rows)},
    [ENGINE_FLAG_CIPHERS] = {"--ciphers", "cipher", "", "CIPHER-ALL", ROWS(cipher_rows)},
    [ENGINE_FLAG_MACS] = {"--macs", "mac", "", "MAC-ALL", ROWS(mac_rows)},
    [ENGINE_FLAG_KX] = {"--kx", "kx", "", "KX-ALL", ROWS(kx_rows)},
    [ENGINE_FLAG_GROUPS] = {"--groups", "group", "GROUP-", "GROUP-ALL", ROWS(group_rows)},
    [ENGINE_FLAG_SIGALGS] = {"--sigalgs", "sigalg", "SIGN-", "SIGN-ALL", ROWS(sigalg_rows)},
    [ENGINE_FLAG_COMP] = {"--comp", "compression", "COMP-", "COMP-ALL", ROWS(comp_rows)},
};
#undef ROWS

#define MAX_ROWS 32
static engine_name name_tables[ENGINE_FLAG_COUNT][MAX_ROWS];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static char version_string[32];

static const char *const key_types[] = {"rsa:2048",   "rsa:1024",   "rsa:4096",
                                        "ecdsa:p256", "ecdsa:p384", "ed25519"};

const char *engine_flag_option(engine_flag flag)
{
    return (unsigned)flag < ENGINE_FLAG_COUNT ? flag_descs[flag].option : "?";
}

const char *engine_flag_noun(engine_flag flag)
{
    return (unsigned)flag < ENGINE_FLAG_COUNT ? flag_descs[flag].noun : "?";
}

static void names_init(void);

const char *engine_version_string(void)
{
    pthread_once(&names_once, names_init);
    return version_string;
}

unsigned engine_key_types(const char *const **out)
{
    *out = key_types;
    return sizeof(key_types) / sizeof(key_types[0]);
}

bool engine_key_type_valid(const char *key_type)
{
    for (size_t i = 0; key_type && i < sizeof(key_types) / sizeof(key_types[0]); i++)
        if (strcasecmp(key_type, key_types[i]) == 0)
            return true;
    return false;
}

/* ---- what this build negotiates --------------------------------------- */

/* Key exchanges a server with an X.509 certificate can run; anon, PSK and
 * SRP need credentials tlsprobe does not configure. */
static bool kx_is_cert_based(gnutls_kx_algorithm_t kx)
{
    switch (kx) {
    case GNUTLS_KX_RSA:
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_DHE_DSS:
    case GNUTLS_KX_ECDHE_RSA:
    case GNUTLS_KX_ECDHE_ECDSA:
        return true;
    default:
        return false;
    }
}

/* Key exchanges that run on --psk or --srp credentials (psk.c); SRP-DSS
 * would need a DSA certificate, which tlsprobe does not make. */
static const char *kx_needs(gnutls_kx_algorithm_t kx)
{
    switch (kx) {
    case GNUTLS_KX_PSK:
    case GNUTLS_KX_DHE_PSK:
    case GNUTLS_KX_ECDHE_PSK:
    case GNUTLS_KX_RSA_PSK:
        return "--psk";
    case GNUTLS_KX_SRP:
    case GNUTLS_KX_SRP_RSA:
        return "--srp";
    default:
        return NULL;
    }
}

typedef struct {
    uint8_t id[2];
    gnutls_kx_algorithm_t kx;
    gnutls_cipher_algorithm_t cipher;
    gnutls_mac_algorithm_t mac;
    gnutls_protocol_t min_version;
    bool creds; /* a PSK or SRP suite: runs with --psk / --srp only */
} suite_row;

/* Certificate-based and TLS 1.3 suites GnuTLS has; filled once. */
static suite_row suites[256];
static unsigned num_suites;

static void suites_load(void)
{
    for (size_t i = 0; num_suites < sizeof(suites) / sizeof(suites[0]); i++) {
        suite_row r;
        const char *n = gnutls_cipher_suite_info(i, r.id, &r.kx, &r.cipher, &r.mac, &r.min_version);
        if (!n)
            break;
        r.creds = kx_needs(r.kx) != NULL;
        if (r.min_version == GNUTLS_TLS1_3 || kx_is_cert_based(r.kx) || r.creds)
            suites[num_suites++] = r;
    }
}

static bool suite_uses(engine_flag flag, const suite_row *s, const char *name)
{
    switch (flag) {
    case ENGINE_FLAG_CIPHERS:
        return s->cipher == gnutls_cipher_get_id(name);
    case ENGINE_FLAG_MACS:
        return s->mac == gnutls_mac_get_id(name);
    case ENGINE_FLAG_KX:
        return s->min_version != GNUTLS_TLS1_3 && s->kx == gnutls_kx_get_id(name);
    default:
        return false;
    }
}

static bool in_list(const int *list, int v)
{
    for (; list && *list; list++)
        if (*list == v)
            return true;
    return false;
}

/* Any suite at all (anon, PSK, SRP included) with this key exchange. */
static bool kx_has_any_suite(gnutls_kx_algorithm_t kx)
{
    uint8_t id[2];
    gnutls_kx_algorithm_t k;
    for (size_t i = 0; kx != GNUTLS_KX_UNKNOWN; i++) {
        if (!gnutls_cipher_suite_info(i, id, &k, NULL, NULL, NULL))
            return false;
        if (k == kx)
            return true;
    }
    return false;
}

static void name_judge(engine_flag flag, const name_row *row, engine_name *out)
{
    const char *n = row->name;
    out->negotiable = false;
    out->note = NULL;
    out->needs = NULL;
    if (flag == ENGINE_FLAG_KX && kx_needs(gnutls_kx_get_id(n)) &&
        kx_has_any_suite(gnutls_kx_get_id(n))) {
        out->negotiable = true;
        out->needs = kx_needs(gnutls_kx_get_id(n));
        return;
    }
    switch (flag) {
    case ENGINE_FLAG_PROTOCOLS:
        out->negotiable = in_list((const int *)gnutls_protocol_list(), gnutls_protocol_get_id(n));
        if (!out->negotiable)
            out->note = "disabled in this GnuTLS build";
        break;
    case ENGINE_FLAG_CIPHERS:
    case ENGINE_FLAG_MACS:
    case ENGINE_FLAG_KX:
        for (unsigned i = 0; i < num_suites && !out->negotiable; i++)
            out->negotiable = !suites[i].creds && suite_uses(flag, &suites[i], n);
        if (!out->negotiable && flag == ENGINE_FLAG_KX && kx_has_any_suite(gnutls_kx_get_id(n)))
            out->note = "needs credentials tlsprobe does not configure";
        else if (!out->negotiable)
            out->note = "no cipher suite in this engine";
        break;
    case ENGINE_FLAG_GROUPS:
        out->negotiable = in_list((const int *)gnutls_group_list(), gnutls_group_get_id(n));
        if (!out->negotiable)
            out->note = "not supported by this GnuTLS build";
        break;
    case ENGINE_FLAG_SIGALGS: {
        gnutls_sign_algorithm_t s = gnutls_sign_get_id(n);
        out->negotiable = in_list((const int *)gnutls_sign_list(), s) && gnutls_sign_is_secure(s);
        if (!out->negotiable)
            out->note = "refused by this GnuTLS build";
        break;
    }
    case ENGINE_FLAG_COMP:
        out->negotiable = strcmp(n, "NULL") == 0;
        if (!out->negotiable)
            out->note = "this engine has no compression";
        break;
    default:
        break;
    }
}

static void names_init(void)
{
    suites_load();
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        const flag_desc *d = &flag_descs[f];
        for (unsigned i = 0; i < d->num_rows && i < MAX_ROWS; i++) {
            engine_name *e = &name_tables[f][i];
            e->name = d->rows[i].name;
            e->num_iana_ids = d->rows[i].id || f == ENGINE_FLAG_COMP ? 1 : 0;
            if (f == ENGINE_FLAG_CIPHERS || f == ENGINE_FLAG_MACS || f == ENGINE_FLAG_KX)
                e->num_iana_ids = 0;
            e->iana_ids[0] = d->rows[i].id;
            e->iana_ids[1] = d->rows[i].id2;
            name_judge((engine_flag)f, &d->rows[i], e);
        }
    }
    snprintf(version_string, sizeof(version_string), "GnuTLS %s", gnutls_check_version(NULL));
}

unsigned engine_names(engine_flag flag, const engine_name **out)
{
    pthread_once(&names_once, names_init);
    if ((unsigned)flag >= ENGINE_FLAG_COUNT) {
        *out = NULL;
        return 0;
    }
    *out = name_tables[flag];
    return flag_descs[flag].num_rows;
}

const engine_name *engine_name_find(engine_flag flag, const char *name)
{
    const engine_name *t;
    unsigned n = engine_names(flag, &t);
    for (unsigned i = 0; name && i < n; i++)
        if (strcasecmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* ---- bounded string builder with a sticky error (BoringSSL CBB style) -- */

typedef struct {
    char *buf;
    size_t cap, len;
    bool failed;
} sbuf;

static void sb_init(sbuf *b, char *buf, size_t cap)
{
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->failed = cap == 0;
    if (cap)
        buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len) {
        b->failed = true;
        b->buf[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

/* "valid: A, B, C" listing the negotiable names of a flag. */
static void sb_add_valid(sbuf *b, engine_flag flag)
{
    const engine_name *t;
    unsigned n = engine_names(flag, &t);
    const char *sep = "";
    sb_add(b, "; valid: ");
    for (unsigned i = 0; i < n; i++) {
        if (!t[i].negotiable)
            continue;
        sb_add(b, "%s%s", sep, t[i].name);
        sep = ", ";
    }
}

void engine_err_set(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || !err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* ---- list parsing ------------------------------------------------------ */

static void name_error(engine_flag flag, const char *bad, size_t bad_len, const engine_name *known,
                       char *err, size_t err_len)
{
    if (!err || !err_len)
        return;
    sbuf b;
    sb_init(&b, err, err_len);
    if (flag == ENGINE_FLAG_COMP && known)
        sb_add(&b, "this engine (%s) has no compression", engine_version_string());
    else if (known)
        sb_add(&b, "this engine (%s) cannot negotiate %s %s (%s)", engine_version_string(),
               engine_flag_noun(flag), known->name, known->note ? known->note : "unsupported");
    else if (bad_len == 0)
        sb_add(&b, "empty %s name in %s", engine_flag_noun(flag), engine_flag_option(flag));
    else
        sb_add(&b, "unknown %s '%.*s'", engine_flag_noun(flag), (int)bad_len, bad);
    sb_add_valid(&b, flag);
    if (b.failed && err_len > 4)
        memcpy(err + err_len - 4, "...", 4); /* truncated but still a sentence */
}

tp_status engine_list_parse(engine_flag flag, const char *csv, const engine_name **out,
                            unsigned max, unsigned *out_n, char *err, size_t err_len)
{
    *out_n = 0;
    if ((unsigned)flag >= ENGINE_FLAG_COUNT || !csv) {
        engine_err_set(err, err_len, "no list given");
        return TP_ERR_USAGE;
    }
    const char *p = csv;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        /* tolerate blanks around names: "TLS1.0, TLS1.2" */
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        char name[64];
        const engine_name *e = NULL;
        if (len > 0 && len < sizeof(name)) {
            memcpy(name, p, len);
            name[len] = '\0';
            e = engine_name_find(flag, name);
        }
        if (!e || !e->negotiable) {
            name_error(flag, p, len, e, err, err_len);
            return TP_ERR_USAGE;
        }
        bool dup = false;
        for (unsigned i = 0; i < *out_n; i++)
            dup |= out[i] == e;
        if (!dup) {
            if (*out_n >= max) {
                engine_err_set(err, err_len, "too many names in %s", engine_flag_option(flag));
                return TP_ERR_LIMIT;
            }
            out[(*out_n)++] = e;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return TP_OK;
}

/* ---- priority strings -------------------------------------------------- */

tp_status engine_priority_check(const char *priority, char *err, size_t err_len)
{
    gnutls_priority_t pc;
    const char *errpos = NULL;
    if (!priority || !*priority) {
        engine_err_set(err, err_len, "empty priority string");
        return TP_ERR_USAGE;
    }
    int rc = gnutls_priority_init2(&pc, priority, &errpos, 0);
    if (rc == GNUTLS_E_INVALID_REQUEST && errpos) {
        engine_err_set(err, err_len, "invalid priority string at offset %zu: '%s' (near '%.20s')",
                       (size_t)(errpos - priority), priority, errpos);
        return TP_ERR_USAGE;
    }
    if (rc < 0) {
        engine_err_set(err, err_len, "priority string '%s' rejected: %s", priority,
                       gnutls_strerror(rc));
        return TP_ERR_USAGE;
    }
    /* A string can parse and still leave nothing to negotiate. */
    unsigned sidx;
    bool any = false;
    for (unsigned i = 0; !any; i++) {
        int r = gnutls_priority_get_cipher_suite_index(pc, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        any = r == 0;
    }
    gnutls_priority_deinit(pc);
    if (!any) {
        engine_err_set(err, err_len, "priority string '%s' leaves no cipher suite to negotiate",
                       priority);
        return TP_ERR_USAGE;
    }
    return TP_OK;
}

#define LIST_MAX MAX_ROWS

typedef struct {
    const engine_name *v[LIST_MAX];
    unsigned n;
    bool given;
} parsed_list;

static bool parsed_has(const parsed_list *l, const char *name)
{
    for (unsigned i = 0; i < l->n; i++)
        if (strcmp(l->v[i]->name, name) == 0)
            return true;
    return false;
}

/* A suite (pre-1.3) matches the given lists; unspecified lists match all. */
static bool suite_matches(const suite_row *s, const parsed_list *pl)
{
    if (s->min_version == GNUTLS_TLS1_3)
        return false;
    if (pl[ENGINE_FLAG_CIPHERS].given &&
        !parsed_has(&pl[ENGINE_FLAG_CIPHERS], gnutls_cipher_get_name(s->cipher)))
        return false;
    if (pl[ENGINE_FLAG_MACS].given &&
        !parsed_has(&pl[ENGINE_FLAG_MACS], gnutls_mac_get_name(s->mac)))
        return false;
    if (pl[ENGINE_FLAG_KX].given && !parsed_has(&pl[ENGINE_FLAG_KX], gnutls_kx_get_name(s->kx)))
        return false;
    if (pl[ENGINE_FLAG_PROTOCOLS].given) {
        /* the suite needs some listed protocol at or above its minimum */
        bool ok = false;
        for (unsigned i = 0; i < pl[ENGINE_FLAG_PROTOCOLS].n; i++) {
            gnutls_protocol_t v = gnutls_protocol_get_id(pl[ENGINE_FLAG_PROTOCOLS].v[i]->name);
            ok |= v >= s->min_version && v != GNUTLS_TLS1_3;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* Does the priority allow a suite using `name` (cipher/mac/kx)? */
static bool priority_uses(gnutls_priority_t pc, engine_flag flag, const char *name)
{
    for (unsigned i = 0;; i++) {
        unsigned sidx;
        int r = gnutls_priority_get_cipher_suite_index(pc, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return false;
        if (r < 0)
            continue;
        suite_row s;
        if (!gnutls_cipher_suite_info(sidx, s.id, &s.kx, &s.cipher, &s.mac, &s.min_version))
            continue;
        if (suite_uses(flag, &s, name))
            return true;
    }
}

static void build_string(sbuf *b, const parsed_list *pl,
                         const char *extra[ENGINE_FLAG_COUNT][LIST_MAX],
                         const unsigned num_extra[ENGINE_FLAG_COUNT])
{
    sb_add(b, "NORMAL");
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        const flag_desc *d = &flag_descs[f];
        if (pl[f].given) {
            sb_add(b, ":-%s", d->all_token);
            for (unsigned i = 0; i < pl[f].n; i++)
                sb_add(b, ":+%s%s", d->token_prefix, pl[f].v[i]->name);
        }
        for (unsigned i = 0; i < num_extra[f]; i++)
            sb_add(b, ":+%s%s", d->token_prefix, extra[f][i]);
    }
    /* TLS 1.3 picks its key exchange from the groups alone (RFC 8446
     * 4.2.7); GnuTLS ignores the kx list there.  So a kx list of only
     * ECDHE or only DHE kinds also keeps the groups of that kind, unless
     * groups were given.  TLS 1.2 and older lose nothing by it. */
    if (pl[ENGINE_FLAG_KX].given && !pl[ENGINE_FLAG_GROUPS].given) {
        bool ecdhe = false, dhe = false;
        for (unsigned i = 0; i < pl[ENGINE_FLAG_KX].n; i++) {
            const char *k = pl[ENGINE_FLAG_KX].v[i]->name;
            ecdhe |= strncmp(k, "ECDHE-", 6) == 0;
            dhe |= strncmp(k, "DHE-", 4) == 0;
        }
        if (dhe && !ecdhe)
            sb_add(b, ":-GROUP-EC-ALL");
        else if (ecdhe && !dhe)
            sb_add(b, ":-GROUP-DH-ALL");
        /* only RSA key transport asked for: a TLS 1.3 client would otherwise
         * get ECDHE anyway (RFC 8446 has no RSA key exchange) */
        bool psk = false; /* PSK alone is TLS 1.3's psk_ke (RFC 8446 4.2.9) */
        for (unsigned i = 0; i < pl[ENGINE_FLAG_KX].n; i++)
            psk |= strcmp(pl[ENGINE_FLAG_KX].v[i]->name, "PSK") == 0;
        if (!ecdhe && !dhe && !psk && !pl[ENGINE_FLAG_PROTOCOLS].given)
            sb_add(b, ":-VERS-TLS1.3");
    }
}

static int priority_open(const char *s, gnutls_priority_t *pc)
{
    const char *errpos = NULL;
    return gnutls_priority_init2(pc, s, &errpos, 0);
}

/* Parses the lists given into pl. */
static tp_status parse_lists(const engine_lists *lists, parsed_list *pl, char *err, size_t err_len)
{
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        const char *csv = lists ? lists->csv[f] : NULL;
        if (!csv || !*csv)
            continue;
        pl[f].given = true;
        tp_status st =
            engine_list_parse((engine_flag)f, csv, pl[f].v, LIST_MAX, &pl[f].n, err, err_len);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

/* Builds the priority string into out; TP_ERR_LIMIT when it does not fit. */
static tp_status build_into(const parsed_list *pl, const char *extra[][LIST_MAX],
                            const unsigned *num_extra, char *out, size_t out_len, char *err,
                            size_t err_len)
{
    sbuf b;
    sb_init(&b, out, out_len);
    build_string(&b, pl, extra, num_extra);
    if (b.failed) {
        engine_err_set(err, err_len, "priority string longer than %zu bytes", out_len);
        return TP_ERR_LIMIT;
    }
    return TP_OK;
}

/* A legacy value named in one list may need a partner NORMAL leaves out
 * (--macs MD5 needs ARCFOUR-128): add, to the lists not given, the
 * values of suites that use it, so what was named is reachable.  The
 * NULL cipher is never added behind the user's back.  pc is the priority
 * opened (rc its result).  Returns whether anything was added. */
static bool add_partners(const parsed_list *pl, gnutls_priority_t pc, int rc,
                         const char *extra[][LIST_MAX], unsigned *num_extra)
{
    bool added = false;
    const engine_flag axes[3] = {ENGINE_FLAG_CIPHERS, ENGINE_FLAG_MACS, ENGINE_FLAG_KX};
    for (unsigned a = 0; a < 3; a++) {
        const parsed_list *l = &pl[axes[a]];
        for (unsigned i = 0; i < l->n; i++) {
            if (rc == 0 && priority_uses(pc, axes[a], l->v[i]->name))
                continue;
            for (unsigned s = 0; s < num_suites; s++) {
                if (!suite_uses(axes[a], &suites[s], l->v[i]->name) ||
                    !suite_matches(&suites[s], pl) ||
                    (suites[s].creds && axes[a] != ENGINE_FLAG_KX)) /* no PSK behind one's back */
                    continue;
                const char *partner[3] = {gnutls_cipher_get_name(suites[s].cipher),
                                          gnutls_mac_get_name(suites[s].mac),
                                          gnutls_kx_get_name(suites[s].kx)};
                for (unsigned o = 0; o < 3; o++) {
                    engine_flag of = axes[o];
                    if (pl[of].given || !partner[o] || strcmp(partner[o], "NULL") == 0)
                        continue;
                    bool dup = false;
                    for (unsigned k = 0; k < num_extra[of]; k++)
                        dup |= strcmp(extra[of][k], partner[o]) == 0;
                    if (!dup && num_extra[of] < LIST_MAX) {
                        extra[of][num_extra[of]++] = partner[o];
                        added = true;
                    }
                }
            }
        }
    }
    return added;
}

/* Whether the priority leaves at least one cipher suite. */
static bool priority_has_suite(gnutls_priority_t pc)
{
    for (unsigned i = 0;; i++) {
        unsigned sidx;
        int r = gnutls_priority_get_cipher_suite_index(pc, i, &sidx);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return false;
        if (r == 0)
            return true;
    }
}

tp_status engine_build_priority(const engine_lists *lists, char *out, size_t out_len, char *err,
                                size_t err_len)
{
    pthread_once(&names_once, names_init);
    parsed_list pl[ENGINE_FLAG_COUNT];
    memset(pl, 0, sizeof(pl));
    tp_status st = parse_lists(lists, pl, err, err_len);
    if (st != TP_OK)
        return st;

    const char *extra[ENGINE_FLAG_COUNT][LIST_MAX];
    unsigned num_extra[ENGINE_FLAG_COUNT] = {0};
    st = build_into(pl, extra, num_extra, out, out_len, err, err_len);
    if (st != TP_OK)
        return st;

    gnutls_priority_t pc;
    int rc = priority_open(out, &pc);
    if (rc < 0 && rc != GNUTLS_E_NO_PRIORITIES_WERE_SET) {
        engine_err_set(err, err_len, "GnuTLS refused the priority '%s': %s", out,
                       gnutls_strerror(rc));
        return TP_ERR_USAGE;
    }
    if (add_partners(pl, pc, rc, extra, num_extra)) {
        if (rc == 0)
            gnutls_priority_deinit(pc);
        st = build_into(pl, extra, num_extra, out, out_len, err, err_len);
        if (st != TP_OK)
            return st;
        rc = priority_open(out, &pc);
    }
    if (rc < 0) {
        engine_err_set(err, err_len, "these lists leave nothing to negotiate (priority '%s': %s)",
                       out, gnutls_strerror(rc));
        return TP_ERR_USAGE;
    }
    bool any = priority_has_suite(pc);
    gnutls_priority_deinit(pc);
    if (!any) {
        engine_err_set(err, err_len,
                       "these lists leave no cipher suite to negotiate (priority '%s')", out);
        return TP_ERR_USAGE;
    }
    return TP_OK;
}

/* ---- formability: the suite table's part (the rest in formable.c) ---- */

bool engine_suite_exists(const engine_combo *c, bool (*kx_fits)(const char *kx, const void *ctx),
                         const void *ctx)
{
    pthread_once(&names_once, names_init);
    gnutls_protocol_t ver =
        c->protocol ? gnutls_protocol_get_id(c->protocol) : GNUTLS_VERSION_UNKNOWN;
    bool tls13 = ver == GNUTLS_TLS1_3;
    for (unsigned i = 0; i < num_suites; i++) {
        const suite_row *s = &suites[i];
        bool s13 = s->min_version == GNUTLS_TLS1_3;
        if (c->protocol && (tls13 != s13 || (!tls13 && s->min_version > ver)))
            continue;
        if (!s13 && c->kx && s->kx != gnutls_kx_get_id(c->kx))
            continue;
        if (s13 && c->kx && strncasecmp(c->kx, "ECDHE-", 6) != 0 &&
            strncasecmp(c->kx, "DHE-", 4) != 0)
            continue;
        if (c->cipher && s->cipher != gnutls_cipher_get_id(c->cipher))
            continue;
        if (c->mac && s->mac != gnutls_mac_get_id(c->mac))
            continue;
        if (!s13 && !kx_fits(gnutls_kx_get_name(s->kx), ctx))
            continue;
        return true;
    }
    return false;
}
