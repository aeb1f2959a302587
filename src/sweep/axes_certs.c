/* See axes_certs.h. */
#include "axes_certs.h"

#include <stdio.h>
#include <string.h>

bool sweep_names_parse(const char *csv, const char *const *valid, unsigned num_valid,
                       const char *what, const char **out, unsigned max, unsigned *out_n,
                       char *err, size_t err_len)
{
    unsigned n = 0;
    for (const char *p = csv ? csv : ""; *p;) {
        p += strspn(p, ", ");
        size_t l = strcspn(p, ", ");
        if (l == 0)
            break;
        unsigned i = 0;
        while (i < num_valid && !(strlen(valid[i]) == l && strncmp(valid[i], p, l) == 0))
            i++;
        if (i == num_valid) {
            int w = snprintf(err, err_len, "unknown %s '%.*s'; valid:", what, (int)l, p);
            for (unsigned k = 0; k < num_valid && w >= 0 && (size_t)w < err_len; k++)
                w += snprintf(err + w, err_len - (size_t)w, "%s %s", k ? "," : "", valid[k]);
            return false;
        }
        if (n >= max) {
            snprintf(err, err_len, "too many values of %s", what);
            return false;
        }
        out[n++] = valid[i];
        p += l;
    }
    if (n == 0) {
        snprintf(err, err_len, "empty list of %s", what);
        return false;
    }
    *out_n = n;
    return true;
}

static unsigned copy_values(const char *const *v, unsigned n, const char **out, unsigned max)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n && k < max; i++)
        out[k++] = v[i];
    return k;
}

/* ---- cert: the generated chain's variants ---- */

unsigned sweep_cert_values(const char **out, unsigned max)
{
    const char *const *v;
    unsigned n = tp_engine_cert_variants(&v), k = 0;
    for (unsigned i = 0; i < n && k < max; i++)
        if (tp_engine_cert_variant_swept(v[i])) /* not rsa8192 unless named */
            out[k++] = v[i];
    return k;
}

bool sweep_cert_parse(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                      size_t err_len)
{
    const char *const *v;
    unsigned n = tp_engine_cert_variants(&v);
    return sweep_names_parse(csv, v, n, "certificate variant", out, max, out_n, err, err_len);
}

/* A variant with a key of a --key-type kind fixes the combination's key
 * type too, so engine_combo_formable skips a kx or sigalg it cannot serve
 * (rsa8192 and ecdsa-p521 have no --key-type name: left as they are). */
void sweep_cert_apply(sweep_setup *s, const char *value)
{
    static const struct {
        const char *variant, *key_type;
    } keys[] = {{"rsa1024", "rsa:1024"},     {"rsa4096", "rsa:4096"}, {"ecdsa-p256", "ecdsa:p256"},
                {"ecdsa-p384", "ecdsa:p384"}, {"ed25519", "ed25519"}};
    s->cert_variant = value;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].variant, value) == 0)
            s->combo.key_type = keys[i].key_type;
}

/* ---- ocsp ---- */

static const char *const ocsp_values[] = {"none", "good", "revoked", "unknown"};
#define NUM_OCSP (sizeof ocsp_values / sizeof ocsp_values[0])

unsigned sweep_ocsp_values(const char **out, unsigned max)
{
    return copy_values(ocsp_values, NUM_OCSP, out, max);
}

bool sweep_ocsp_parse(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                      size_t err_len)
{
    return sweep_names_parse(csv, ocsp_values, NUM_OCSP, "OCSP staple", out, max, out_n, err,
                             err_len);
}

void sweep_ocsp_apply(sweep_setup *s, const char *value)
{
    s->ocsp = value; /* "none" too: the chain stays, so only the staple differs */
}

/* ---- client-cert ---- */

static const char *const client_cert_values[] = {"none", "request", "require"};
#define NUM_CLIENT_CERT (sizeof client_cert_values / sizeof client_cert_values[0])

unsigned sweep_client_cert_values(const char **out, unsigned max)
{
    return copy_values(client_cert_values, NUM_CLIENT_CERT, out, max);
}

bool sweep_client_cert_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                             char *err, size_t err_len)
{
    return sweep_names_parse(csv, client_cert_values, NUM_CLIENT_CERT, "client-cert mode", out,
                             max, out_n, err, err_len);
}

void sweep_client_cert_apply(sweep_setup *s, const char *value)
{
    s->client_cert = value;
}

/* ---- the engine configuration ---- */

void sweep_certs_config(tp_engine_config *ec, const struct sweep_options_certs *o,
                        const sweep_setup *su)
{
    ec->chain = o->chain;
    ec->cert_variant = o->cert_variant;
    ec->ocsp = o->ocsp;
    ec->client_ca = o->client_ca;
    ec->client_cert = o->client_cert;
    if (!su)
        return;
    if (su->cert_variant)
        ec->cert_variant = su->cert_variant;
    if (su->ocsp) {
        ec->chain = true;
        ec->ocsp = strcmp(su->ocsp, "none") ? su->ocsp : NULL;
    }
    for (unsigned i = 0; su->client_cert && i < NUM_CLIENT_CERT; i++)
        if (strcmp(su->client_cert, client_cert_values[i]) == 0)
            ec->client_cert = (tp_client_cert)i; /* the order of tp_client_cert */
}
