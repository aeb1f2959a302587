/* Formability: whether the engine can form a configuration (a sweep
 * combination) and, when not, why in one phrase.  The names come from
 * names.c, the suite table's search too (engine_suite_exists). */
#include "internal.h"
#include "names.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { KEY_RSA, KEY_ECDSA_P256, KEY_ECDSA_P384, KEY_ED25519, KEY_OTHER } key_kind;

static key_kind key_kind_of(const char *key_type)
{
    if (!key_type || strncasecmp(key_type, "rsa", 3) == 0)
        return KEY_RSA;
    if (strcasecmp(key_type, "ecdsa:p256") == 0)
        return KEY_ECDSA_P256;
    if (strcasecmp(key_type, "ecdsa:p384") == 0)
        return KEY_ECDSA_P384;
    if (strcasecmp(key_type, "ed25519") == 0)
        return KEY_ED25519;
    return KEY_OTHER;
}

static bool why_set(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool why_set(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool check_known(engine_flag f, const char *v, char *why, size_t why_len)
{
    if (!v)
        return true;
    const engine_name *e = engine_name_find(f, v);
    if (!e)
        return why_set(why, why_len, "unknown %s %s", engine_flag_noun(f), v);
    if (!e->negotiable)
        return why_set(why, why_len, "%s %s is not negotiable in this engine", engine_flag_noun(f),
                       e->name);
    return true;
}

static bool is_ec_group(const char *g)
{
    return strncasecmp(g, "SECP", 4) == 0 || strncasecmp(g, "X25519", 6) == 0 ||
           strncasecmp(g, "X448", 4) == 0;
}

/* Which certificate key a kx needs (RFC 5246 7.4.2, RFC 8422 2). */
static bool kx_fits_key(const char *kx, key_kind k)
{
    if (strcasecmp(kx, "ECDHE-ECDSA") == 0)
        return k == KEY_ECDSA_P256 || k == KEY_ECDSA_P384 || k == KEY_ED25519;
    if (strcasecmp(kx, "RSA") == 0 || strcasecmp(kx, "DHE-RSA") == 0 ||
        strcasecmp(kx, "ECDHE-RSA") == 0)
        return k == KEY_RSA;
    /* RFC 4279, RFC 5054: PSK and SRP need no certificate, except the
     * RSA-authenticated kinds */
    if (strcasecmp(kx, "RSA-PSK") == 0 || strcasecmp(kx, "SRP-RSA") == 0)
        return k == KEY_RSA;
    if (strcasecmp(kx, "PSK") == 0 || strcasecmp(kx, "DHE-PSK") == 0 ||
        strcasecmp(kx, "ECDHE-PSK") == 0 || strcasecmp(kx, "SRP") == 0)
        return true;
    return false; /* DHE-DSS: no DSA key type */
}

static bool sigalg_fits_key(const char *sig, key_kind k, bool tls13)
{
    if (strncasecmp(sig, "RSA-PSS-RSAE-", 13) == 0)
        return k == KEY_RSA;
    if (strncasecmp(sig, "RSA-PSS-", 8) == 0)
        return false; /* needs an RSA-PSS (id-RSASSA-PSS) key; not generated */
    if (strncasecmp(sig, "RSA-", 4) == 0)
        return k == KEY_RSA && !tls13; /* RFC 8446 4.2.3: no PKCS#1 v1.5 in 1.3 */
    if (strcasecmp(sig, "EdDSA-Ed25519") == 0)
        return k == KEY_ED25519;
    if (strncasecmp(sig, "ECDSA-SECP256R1", 15) == 0)
        return k == KEY_ECDSA_P256;
    if (strncasecmp(sig, "ECDSA-SECP384R1", 15) == 0)
        return k == KEY_ECDSA_P384;
    if (strncasecmp(sig, "ECDSA-", 6) == 0) {
        /* TLS 1.3 binds the curve to the hash (RFC 8446 4.2.3) */
        if (tls13)
            return (k == KEY_ECDSA_P256 && strcasecmp(sig, "ECDSA-SHA256") == 0) ||
                   (k == KEY_ECDSA_P384 && strcasecmp(sig, "ECDSA-SHA384") == 0);
        return k == KEY_ECDSA_P256 || k == KEY_ECDSA_P384;
    }
    return false;
}

/* kx_fits for engine_suite_exists: ctx is the key_kind. */
static bool kx_fits_ctx(const char *kx, const void *ctx)
{
    return kx_fits_key(kx, *(const key_kind *)ctx);
}

/* Every name known and negotiable, the key type known. */
static bool names_known(const engine_combo *c, char *why, size_t why_len)
{
    if (!check_known(ENGINE_FLAG_PROTOCOLS, c->protocol, why, why_len) ||
        !check_known(ENGINE_FLAG_KX, c->kx, why, why_len) ||
        !check_known(ENGINE_FLAG_CIPHERS, c->cipher, why, why_len) ||
        !check_known(ENGINE_FLAG_MACS, c->mac, why, why_len) ||
        !check_known(ENGINE_FLAG_GROUPS, c->group, why, why_len) ||
        !check_known(ENGINE_FLAG_SIGALGS, c->sigalg, why, why_len))
        return false;
    if (c->key_type && !engine_key_type_valid(c->key_type))
        return why_set(why, why_len, "unknown key type %s", c->key_type);
    return true;
}

/* cipher against mac, kx against protocol and certificate. */
static bool pairs_fit(const engine_combo *c, key_kind key, bool tls13, char *why, size_t why_len)
{
    if (c->cipher && c->mac) {
        bool aead_c = gnutls_cipher_get_tag_size(gnutls_cipher_get_id(c->cipher)) > 0;
        bool aead_m = strcasecmp(c->mac, "AEAD") == 0;
        if (aead_c != aead_m)
            return why_set(why, why_len,
                           aead_c ? "AEAD cipher %s needs mac AEAD"
                                  : "cipher %s is not AEAD, mac AEAD needs one",
                           c->cipher);
    }
    if (tls13 && c->kx && strncasecmp(c->kx, "ECDHE-", 6) != 0 &&
        strncasecmp(c->kx, "DHE-", 4) != 0)
        return why_set(why, why_len, "TLS1.3 has no %s key exchange", c->kx);
    if (c->kx && !kx_fits_key(c->kx, key))
        return why_set(why, why_len, "kx %s does not fit a %s certificate", c->kx,
                       c->key_type ? c->key_type : "rsa");
    if (tls13 && c->kx && strcasecmp(c->kx, "DHE-DSS") == 0)
        return why_set(why, why_len, "TLS1.3 has no DSA");
    return true;
}

/* group against kx, signature algorithm against the certificate. */
static bool group_sigalg_fit(const engine_combo *c, key_kind key, gnutls_protocol_t ver, char *why,
                             size_t why_len)
{
    bool tls13 = ver == GNUTLS_TLS1_3;
    if (c->group && c->kx) {
        bool ec = is_ec_group(c->group);
        if (strncasecmp(c->kx, "ECDHE-", 6) == 0 && !ec)
            return why_set(why, why_len, "kx %s needs an elliptic curve group, not %s", c->kx,
                           c->group);
        if (strncasecmp(c->kx, "DHE-", 4) == 0 && ec)
            return why_set(why, why_len, "kx %s needs a finite-field group, not %s", c->kx,
                           c->group);
    }
    if (c->sigalg) {
        /* TLS 1.0/1.1 sign with a fixed MD5+SHA1 (RFC 4346 7.4.3) and RSA
         * key transport signs nothing: the axis does not apply there and
         * any value forms the same configuration. */
        bool signs = !(c->kx && strcasecmp(c->kx, "RSA") == 0) &&
                     !(ver == GNUTLS_TLS1_0 || ver == GNUTLS_TLS1_1);
        if (signs && !sigalg_fits_key(c->sigalg, key, tls13))
            return why_set(why, why_len, "sigalg %s cannot sign with a %s certificate%s", c->sigalg,
                           c->key_type ? c->key_type : "rsa", tls13 ? " in TLS1.3" : "");
    }
    return true;
}

bool engine_combo_formable(const engine_combo *c, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!names_known(c, why, why_len))
        return false;
    key_kind key = key_kind_of(c->key_type);
    gnutls_protocol_t ver =
        c->protocol ? gnutls_protocol_get_id(c->protocol) : GNUTLS_VERSION_UNKNOWN;
    if (!pairs_fit(c, key, ver == GNUTLS_TLS1_3, why, why_len))
        return false;
    /* A suite must exist for protocol/kx/cipher/mac. */
    if (!engine_suite_exists(c, kx_fits_ctx, &key))
        return why_set(why, why_len, "no cipher suite has%s%s%s%s%s%s%s%s", c->protocol ? " " : "",
                       c->protocol ? c->protocol : "", c->kx ? " " : "", c->kx ? c->kx : "",
                       c->cipher ? " " : "", c->cipher ? c->cipher : "", c->mac ? " " : "",
                       c->mac ? c->mac : "");
    return group_sigalg_fit(c, key, ver, why, why_len);
}

void engine_lists_from_combo(engine_lists *out, const engine_combo *c)
{
    memset(out, 0, sizeof(*out));
    out->csv[ENGINE_FLAG_PROTOCOLS] = c->protocol;
    out->csv[ENGINE_FLAG_KX] = c->kx;
    out->csv[ENGINE_FLAG_CIPHERS] = c->cipher;
    out->csv[ENGINE_FLAG_MACS] = c->mac;
    out->csv[ENGINE_FLAG_GROUPS] = c->group;
    out->csv[ENGINE_FLAG_SIGALGS] = c->sigalg;
}
