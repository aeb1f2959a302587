/* ALPN and SNI for the GnuTLS engine: see alpn_sni.h and alpn_sni_int.h.
 *
 * ALPN: every session gets the server's list with GnuTLS's server
 * precedence; --alpn-mode strict adds GNUTLS_ALPN_MANDATORY, and GnuTLS
 * then fails with GNUTLS_E_NO_APPLICATION_PROTOCOL, answered with a fatal
 * no_application_protocol (RFC 7301 3.2).  A client that offers no ALPN
 * proceeds without one in either mode: RFC 7301 asks for the alert only
 * when the client advertised protocols.
 *
 * SNI: after the ClientHello (GnuTLS's post-client-hello hook) the session's
 * certificate credentials are set to the first --sni-cert whose NAME covers
 * the client's server_name, else the default certificate when its names
 * cover it; a name none covers gets the --sni-mode reaction. */
#include "alpn_sni_int.h"

#include "certgen.h"
#include "credentials.h"
#include "internal.h"

#include <ctype.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char name[254];
    gnutls_certificate_credentials_t cred;
    bool own; /* loaded from files; generated ones are shared */
    gnutls_pk_algorithm_t pk;
} sni_entry;

struct engine_an {
    gnutls_datum_t alpn[TP_ALPN_PROTOS_MAX];
    unsigned num_alpn;
    bool alpn_strict;
    tp_sni_mode sni_mode;
    sni_entry sni[TP_SNI_CERTS_MAX];
    unsigned num_sni;
    gnutls_x509_crt_t def_crt; /* the default certificate, to match names; or NULL */
    char alpn_text[TP_ALPN_PROTOS_MAX * 258];
    char sni_text[TP_SNI_CERTS_MAX * 256];
};

/* ---- values ---- */

bool tp_alpn_list_check(const char *csv, char *err, size_t err_len)
{
    unsigned n = 0;
    const char *p = csv;
    for (;;) {
        size_t len = strcspn(p, ",");
        n++;
        if (len == 0 || len > 255) { /* RFC 7301 3.1: ProtocolName<1..2^8-1> */
            engine_err_set(err, err_len,
                           "--alpn '%s': protocol %u is %s; a protocol name is 1 to 255 bytes "
                           "(RFC 7301 3.1), the list comma-separated, e.g. h2,http/1.1",
                           csv, n, len ? "longer than 255 bytes" : "empty");
            return false;
        }
        if (n > TP_ALPN_PROTOS_MAX) {
            engine_err_set(err, err_len, "--alpn '%.200s...': more than %d protocols", csv,
                           TP_ALPN_PROTOS_MAX);
            return false;
        }
        if (!p[len])
            return true;
        p += len + 1;
    }
}

static const char *const sni_modes[] = {
    [TP_SNI_IGNORE] = "ignore", [TP_SNI_WARN] = "warn", [TP_SNI_STRICT] = "strict"};

bool tp_sni_mode_parse(const char *s, tp_sni_mode *out)
{
    for (unsigned i = 0; i < sizeof sni_modes / sizeof sni_modes[0]; i++) {
        if (strcmp(s, sni_modes[i]) == 0) {
            *out = (tp_sni_mode)i;
            return true;
        }
    }
    return false;
}

const char *tp_sni_mode_name(tp_sni_mode m)
{
    return (unsigned)m < sizeof sni_modes / sizeof sni_modes[0] ? sni_modes[m] : "ignore";
}

/* A host name: labels of letters, digits and '-', a "*" only as the whole
 * first label (RFC 6125 6.4.3). */
static bool host_name_valid(const char *s)
{
    size_t label = 0;
    if (!s[0] || strlen(s) > 253)
        return false;
    if (s[0] == '*' && s[1] == '.' && s[2])
        s += 2;
    for (; *s; s++) {
        if (*s == '.') {
            if (!label)
                return false;
            label = 0;
        } else if ((isalnum((unsigned char)*s) || *s == '-' || *s == '_') && ++label <= 63) {
            continue;
        } else {
            return false;
        }
    }
    return label > 0;
}

#define SNI_CERT_FORMS "NAME (a certificate generated for NAME) or NAME=CERT,KEY (PEM files)"

bool tp_sni_cert_parse(const char *spec, tp_sni_cert *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    snprintf(out->spec, sizeof out->spec, "%s", spec);
    const char *eq = strchr(spec, '=');
    size_t nlen = eq ? (size_t)(eq - spec) : strlen(spec);
    if (nlen >= sizeof out->name) {
        engine_err_set(err, err_len, "--sni-cert '%.80s...': the name is too long; expected %s",
                       spec, SNI_CERT_FORMS);
        return false;
    }
    memcpy(out->name, spec, nlen);
    if (!host_name_valid(out->name)) {
        engine_err_set(err, err_len,
                       "--sni-cert '%s': '%s' is not a host name (letters, digits, '-', dots; "
                       "'*.' as the first label); expected %s",
                       spec, out->name, SNI_CERT_FORMS);
        return false;
    }
    if (!eq)
        return true;
    const char *files = eq + 1, *comma = strchr(files, ',');
    size_t clen = comma ? (size_t)(comma - files) : strlen(files);
    const char *key = comma ? comma + 1 : "";
    if (!clen || clen >= sizeof out->cert_file || (comma && (!key[0] || strchr(key, ','))) ||
        strlen(key) >= sizeof out->key_file) {
        engine_err_set(err, err_len, "--sni-cert '%s': malformed; expected %s", spec,
                       SNI_CERT_FORMS);
        return false;
    }
    memcpy(out->cert_file, files, clen);
    snprintf(out->key_file, sizeof out->key_file, "%s", key);
    return true;
}

/* ---- loading ---- */

/* Reads and checks a PEM file (a certificate, or a key); 0, or -1 with the message. */
static int pem_load(const tp_sni_cert *c, bool cert, const char *path, gnutls_datum_t *out,
                    char *err, size_t err_len)
{
    const char *what = cert ? "certificate" : "key";
    int rc = gnutls_load_file(path, out);
    if (rc < 0) {
        engine_err_set(err, err_len, "--sni-cert %s: cannot read %s file '%s'", c->spec, what,
                       path);
        return -1;
    }
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t key = NULL;
    if (cert) {
        if ((rc = gnutls_x509_crt_init(&crt)) == 0)
            rc = gnutls_x509_crt_import(crt, out, GNUTLS_X509_FMT_PEM);
        gnutls_x509_crt_deinit(crt);
    } else {
        if ((rc = gnutls_x509_privkey_init(&key)) == 0)
            rc = gnutls_x509_privkey_import2(key, out, GNUTLS_X509_FMT_PEM, NULL, 0);
        gnutls_x509_privkey_deinit(key);
    }
    if (rc < 0) {
        engine_err_set(err, err_len,
                       "--sni-cert %s: %s file '%s' does not parse (%s); expected a PEM %s",
                       c->spec, what, path, gnutls_strerror(rc),
                       cert ? "certificate (-----BEGIN CERTIFICATE-----)"
                            : "private key (-----BEGIN PRIVATE KEY-----)");
        gnutls_free(out->data);
        out->data = NULL;
        return -1;
    }
    return 0;
}

static int entry_load(sni_entry *e, const tp_sni_cert *c, gnutls_params_function *dh_cb, char *err,
                      size_t err_len)
{
    const char *key_file = c->key_file[0] ? c->key_file : c->cert_file;
    gnutls_datum_t cert = {NULL, 0}, key = {NULL, 0};
    int rc = -1;
    if (pem_load(c, true, c->cert_file, &cert, err, err_len) == 0 &&
        pem_load(c, false, key_file, &key, err, err_len) == 0 &&
        gnutls_certificate_allocate_credentials(&e->cred) == 0) {
        e->own = true;
        rc = gnutls_certificate_set_x509_key_mem2(e->cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL,
                                                  0);
        if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
            engine_err_set(err, err_len,
                           "--sni-cert %s: the key '%s' does not match the certificate '%s' (the "
                           "certificate holds another public key); give that certificate's key",
                           c->spec, key_file, c->cert_file);
        else if (rc < 0)
            engine_err_set(err, err_len,
                           "--sni-cert %s: cannot use certificate '%s' with key '%s': %s", c->spec,
                           c->cert_file, key_file, gnutls_strerror(rc));
        else
            gnutls_certificate_set_params_function(e->cred, dh_cb);
    }
    gnutls_free(cert.data);
    gnutls_free(key.data);
    return rc < 0 ? -1 : 0;
}

bool tp_sni_cert_check(const tp_sni_cert *c, char *err, size_t err_len)
{
    sni_entry e = {.cred = NULL};
    if (!c->cert_file[0])
        return true;
    int rc = entry_load(&e, c, NULL, err, err_len);
    if (e.cred)
        gnutls_certificate_free_credentials(e.cred);
    return rc == 0;
}

int engine_sni_generate(const tp_sni_cert *c, const tp_engine_config *cfg, bool chain,
                        gnutls_params_function *dh_cb, const engine_chain **out_chain,
                        const engine_generated **out_gen, char *err, size_t err_len)
{
    const char *const san_dns[] = {c->name, NULL};
    const char *kt = cfg->key_type && *cfg->key_type ? cfg->key_type : "rsa:2048";
    *out_chain = NULL;
    *out_gen = NULL;
    if (chain) {
        /* a generated staple is made for this leaf; a --ocsp FILE is the default's */
        const char *ocsp =
            cfg->ocsp && (!strcmp(cfg->ocsp, "good") || !strcmp(cfg->ocsp, "revoked") ||
                          !strcmp(cfg->ocsp, "unknown"))
                ? cfg->ocsp
                : NULL;
        engine_chain_req req = {kt, NULL, ocsp, cfg->client_ca, san_dns, NULL};
        *out_chain = engine_chain_get(&req, dh_cb, err, err_len);
        return *out_chain ? 0 : -1;
    }
    *out_gen = engine_cred_generated(kt, san_dns, NULL, dh_cb, err, err_len);
    return *out_gen ? 0 : -1;
}

static int entry_generate(sni_entry *e, const tp_sni_cert *c, const tp_engine_config *cfg,
                          bool chain, gnutls_params_function *dh_cb, char *err, size_t err_len)
{
    const engine_chain *ch;
    const engine_generated *g;
    if (engine_sni_generate(c, cfg, chain, dh_cb, &ch, &g, err, err_len) < 0)
        return -1;
    e->cred = ch ? ch->cred : g->cred;
    return 0;
}

/* "a, b, c" of n strings into out. */
static void text_add(char *out, size_t cap, const char *item)
{
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s%s", used ? ", " : "", item);
}

static void names_text(engine_an *n, const char *alpn)
{
    for (unsigned i = 0; i < n->num_sni; i++)
        text_add(n->sni_text, sizeof n->sni_text, n->sni[i].name);
    for (const char *p = alpn; p && *p;) {
        size_t len = strcspn(p, ",");
        char one[256];
        snprintf(one, sizeof one, "%.*s", (int)len, p);
        text_add(n->alpn_text, sizeof n->alpn_text, one);
        n->alpn[n->num_alpn].data = (unsigned char *)strdup(one);
        n->alpn[n->num_alpn++].size = (unsigned)len;
        p += len + (p[len] == ',');
    }
}

engine_an *engine_an_new(const tp_engine_config *ecfg, bool chain,
                         gnutls_certificate_credentials_t def_cred, gnutls_params_function *dh_cb,
                         char *err, size_t err_len)
{
    const tp_engine_names *cfg = &ecfg->names;
    engine_an *n = calloc(1, sizeof *n);
    if (!n) {
        engine_err_set(err, err_len, "out of memory");
        return NULL;
    }
    n->alpn_strict = cfg->alpn_strict;
    n->sni_mode = cfg->sni_mode;
    if (cfg->alpn && cfg->alpn[0] && !tp_alpn_list_check(cfg->alpn, err, err_len))
        goto fail;
    for (unsigned i = 0; i < cfg->num_sni_certs && i < TP_SNI_CERTS_MAX; i++) {
        const tp_sni_cert *c = &cfg->sni_certs[i];
        sni_entry *e = &n->sni[n->num_sni++];
        snprintf(e->name, sizeof e->name, "%s", c->name);
        if ((c->cert_file[0] ? entry_load(e, c, dh_cb, err, err_len)
                             : entry_generate(e, c, ecfg, chain, dh_cb, err, err_len)) < 0)
            goto fail;
        /* the session's credentials verify client certificates: each trusts --client-ca */
        if (c->cert_file[0] && ecfg->client_ca &&
            engine_loaded_certs_setup(e->cred, NULL, NULL, ecfg->client_ca, err, err_len) < 0)
            goto fail;
        e->pk = engine_cred_pk(e->cred);
    }
    names_text(n, cfg->alpn);
    for (unsigned i = 0; i < n->num_alpn; i++)
        if (!n->alpn[i].data) {
            engine_err_set(err, err_len, "out of memory");
            goto fail;
        }
    gnutls_datum_t der;
    if (gnutls_certificate_get_crt_raw(def_cred, 0, 0, &der) == 0 &&
        gnutls_x509_crt_init(&n->def_crt) == 0 &&
        gnutls_x509_crt_import(n->def_crt, &der, GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(n->def_crt);
        n->def_crt = NULL;
    }
    return n;
fail:
    engine_an_free(n);
    return NULL;
}

void engine_an_free(engine_an *n)
{
    if (!n)
        return;
    for (unsigned i = 0; i < n->num_sni; i++)
        if (n->sni[i].own && n->sni[i].cred)
            gnutls_certificate_free_credentials(n->sni[i].cred);
    for (unsigned i = 0; i < n->num_alpn; i++)
        free(n->alpn[i].data);
    if (n->def_crt)
        gnutls_x509_crt_deinit(n->def_crt);
    free(n);
}

/* ---- per session ---- */

int engine_an_session(const engine_an *n, gnutls_session_t s)
{
    if (!n->num_alpn)
        return 0;
    unsigned flags = GNUTLS_ALPN_SERVER_PRECEDENCE | (n->alpn_strict ? GNUTLS_ALPN_MANDATORY : 0);
    return gnutls_alpn_set_protocols(s, n->alpn, n->num_alpn, flags);
}

/* RFC 6125 6.4: case-insensitive; "*" only as the whole left-most label. */
bool engine_name_covers(const char *pattern, const char *host)
{
    if (strcasecmp(pattern, host) == 0)
        return true;
    const char *dot = strchr(host, '.');
    return strncmp(pattern, "*.", 2) == 0 && dot && dot != host &&
           strcasecmp(dot, pattern + 1) == 0;
}

int engine_an_client_hello(const engine_an *n, gnutls_session_t s, const char **out_label,
                           gnutls_pk_algorithm_t *out_pk)
{
    char host[256];
    size_t len = sizeof host - 1;
    unsigned type = 0;
    *out_label = "default";
    if (gnutls_server_name_get(s, host, &len, &type, 0) < 0 || type != GNUTLS_NAME_DNS)
        return 0; /* no SNI: the default certificate (RFC 6066 3) */
    host[len < sizeof host ? len : sizeof host - 1] = '\0';
    for (unsigned i = 0; i < n->num_sni; i++) {
        if (engine_name_covers(n->sni[i].name, host)) {
            *out_label = n->sni[i].name;
            *out_pk = n->sni[i].pk;
            return gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, n->sni[i].cred);
        }
    }
    if (n->sni_mode == TP_SNI_IGNORE ||
        (n->def_crt && gnutls_x509_crt_check_hostname2(n->def_crt, host, 0)))
        return 0;
    if (n->sni_mode == TP_SNI_STRICT) {
        *out_label = "none";
        return GNUTLS_E_UNRECOGNIZED_NAME; /* answered with a fatal unrecognized_name */
    }
    /* warn: RFC 6066 3 allows the warning; TLS 1.3 has none (RFC 8446 6.2) */
    if (gnutls_protocol_get_version(s) != GNUTLS_TLS1_3)
        (void)gnutls_alert_send(s, GNUTLS_AL_WARNING, GNUTLS_A_UNRECOGNIZED_NAME);
    return 0;
}

void engine_an_info(const engine_an *n, tp_engine_names_info *out)
{
    out->alpn = n->num_alpn ? n->alpn_text : NULL;
    out->alpn_mode = n->alpn_strict ? "strict" : "ignore";
    out->sni_mode = tp_sni_mode_name(n->sni_mode);
    out->sni_names = n->sni_text;
}
