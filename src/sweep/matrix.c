/* Axes, values and combinations.  Which combinations the engine can form
 * is the engine's call (engine_combo_formable); which the client offered is
 * read from the probe's ClientHello. */
#include "matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../quirk/quirk.h"
#include "../wire/ext.h"
#include "../wire/handshake.h"
#include "../wire/iana.h"
#include "axis_names.h"
#include "axes_certs.h"
#include "axes_engine.h"
#include "axis_resumption.h"

/* ---- the probe's offer ---- */

static void add_u16(uint16_t *arr, unsigned *n, unsigned max, uint16_t v)
{
    if (wire_is_grease(v) || *n >= max)
        return;
    for (unsigned i = 0; i < *n; i++) {
        if (arr[i] == v)
            return;
    }
    arr[(*n)++] = v;
}

#define ADD(arr, n, v) add_u16((arr), &(n), sizeof(arr) / sizeof((arr)[0]), (v))

bool sweep_offer_from_hello(sweep_offer *out, const wire_handshake *hs)
{
    memset(out, 0, sizeof(*out));
    if (!hs || hs->status != TP_OK || hs->type != WIRE_HS_CLIENT_HELLO ||
        hs->u.client_hello.sslv2)
        return false;
    const wire_client_hello *ch = &hs->u.client_hello;
    unsigned ns = wire_ch_num_suites(ch);
    for (unsigned i = 0; i < ns; i++) {
        uint32_t s = wire_ch_suite_at(ch, i);
        if (s <= 0xffff)
            ADD(out->suites, out->num_suites, (uint16_t)s);
    }
    cur_t body;
    wire_ext_versions vers;
    if (wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_VERSIONS, &body) &&
        wire_ext_versions_parse(body, false, &vers) == TP_OK) {
        /* RFC 8446 4.2.1: the list replaces legacy_version */
        for (unsigned i = 0; i < vers.versions.num; i++)
            ADD(out->versions, out->num_versions, wire_list_get(&vers.versions, i));
    } else {
        for (uint16_t v = 0x0300; v <= ch->legacy_version && v <= 0x0303; v++)
            ADD(out->versions, out->num_versions, v);
    }
    wire_list l;
    if (wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_GROUPS, &body) &&
        wire_ext_u16_list_parse(body, &l) == TP_OK) {
        for (unsigned i = 0; i < l.num; i++)
            ADD(out->groups, out->num_groups, wire_list_get(&l, i));
    }
    if (wire_ch_find_ext(ch, WIRE_EXT_SIGNATURE_ALGORITHMS, &body) &&
        wire_ext_u16_list_parse(body, &l) == TP_OK) {
        for (unsigned i = 0; i < l.num; i++)
            ADD(out->sigalgs, out->num_sigalgs, wire_list_get(&l, i));
    }
    out->valid = true;
    return true;
}

static bool has_u16(const uint16_t *arr, unsigned n, uint16_t v)
{
    for (unsigned i = 0; i < n; i++) {
        if (arr[i] == v)
            return true;
    }
    return false;
}

static bool name_id(engine_flag f, const char *v, uint16_t *out)
{
    const engine_name *e = engine_name_find(f, v);
    if (!e || e->num_iana_ids == 0)
        return false;
    *out = e->iana_ids[0];
    return true;
}

static bool offers_tls13(const sweep_offer *o)
{
    return has_u16(o->versions, o->num_versions, 0x0304);
}

static bool offers_group_kind(const sweep_offer *o, bool ffdhe)
{
    for (unsigned i = 0; i < o->num_groups; i++) {
        bool ff = o->groups[i] >= 256 && o->groups[i] <= 511; /* RFC 7919 range */
        if (ff == ffdhe)
            return true;
    }
    return false;
}

/* In TLS 1.3 the kx is the key share's group kind plus the certificate. */
static bool kx_fits_tls13(const sweep_offer *o, const char *kx)
{
    if (strncasecmp(kx, "ECDHE-", 6) == 0)
        return offers_group_kind(o, false);
    if (strncasecmp(kx, "DHE-", 4) == 0)
        return offers_group_kind(o, true);
    return false;
}

static bool off_protocol(const sweep_offer *o, const char *v)
{
    uint16_t id;
    return name_id(ENGINE_FLAG_PROTOCOLS, v, &id) && has_u16(o->versions, o->num_versions, id);
}

static bool off_suite_field(const sweep_offer *o, const char *v, int field)
{
    for (unsigned i = 0; i < o->num_suites; i++) {
        const wire_suite *s = wire_suite_find(o->suites[i]);
        if (!s)
            continue;
        const char *f = field == 0 ? s->kx : field == 1 ? s->cipher : s->mac;
        if (f && strcasecmp(f, v) == 0)
            return true;
    }
    return false;
}

static bool off_kx(const sweep_offer *o, const char *v)
{
    return off_suite_field(o, v, 0) || (offers_tls13(o) && kx_fits_tls13(o, v));
}
static bool off_cipher(const sweep_offer *o, const char *v)
{
    return off_suite_field(o, v, 1);
}
static bool off_mac(const sweep_offer *o, const char *v)
{
    return off_suite_field(o, v, 2);
}

static bool off_group(const sweep_offer *o, const char *v)
{
    uint16_t id;
    return name_id(ENGINE_FLAG_GROUPS, v, &id) && has_u16(o->groups, o->num_groups, id);
}

static bool off_sigalg(const sweep_offer *o, const char *v)
{
    uint16_t id;
    return name_id(ENGINE_FLAG_SIGALGS, v, &id) && has_u16(o->sigalgs, o->num_sigalgs, id);
}

/* ---- axes ---- */

static unsigned flag_values(engine_flag f, const char **out, unsigned max)
{
    const engine_name *t;
    unsigned n = engine_names(f, &t), k = 0;
    for (unsigned i = 0; i < n && k < max; i++) {
        if (t[i].negotiable && !t[i].needs) /* --psk / --srp kx: named with --kx */
            out[k++] = t[i].name;
    }
    return k;
}

static bool flag_parse(engine_flag f, const char *csv, const char **out, unsigned max,
                       unsigned *out_n, char *err, size_t err_len)
{
    const engine_name *e[SWEEP_MAX_VALUES];
    unsigned n = 0;
    if (max > SWEEP_MAX_VALUES)
        max = SWEEP_MAX_VALUES;
    if (engine_list_parse(f, csv, e, max, &n, err, err_len) != TP_OK)
        return false;
    for (unsigned i = 0; i < n; i++)
        out[i] = e[i]->name;
    *out_n = n;
    return true;
}

#define FLAG_AXIS(fn, flag)                                                                        \
    static unsigned fn##_values(const char **out, unsigned max)                                    \
    {                                                                                              \
        return flag_values(flag, out, max);                                                        \
    }                                                                                              \
    static bool fn##_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,       \
                           char *err, size_t err_len)                                              \
    {                                                                                              \
        return flag_parse(flag, csv, out, max, out_n, err, err_len);                               \
    }

FLAG_AXIS(protocol, ENGINE_FLAG_PROTOCOLS)
FLAG_AXIS(kx, ENGINE_FLAG_KX)
FLAG_AXIS(cipher, ENGINE_FLAG_CIPHERS)
FLAG_AXIS(mac, ENGINE_FLAG_MACS)
FLAG_AXIS(group, ENGINE_FLAG_GROUPS)
FLAG_AXIS(sigalg, ENGINE_FLAG_SIGALGS)

/* apply_<axis>: the axis's value goes into its field of the combo. */
#define COMBO_SETTER(field)                                                                        \
    static void apply_##field(sweep_setup *s, const char *v)                                       \
    {                                                                                              \
        s->combo.field = v;                                                                        \
    }

COMBO_SETTER(protocol)
COMBO_SETTER(kx)
COMBO_SETTER(cipher)
COMBO_SETTER(mac)
COMBO_SETTER(group)
COMBO_SETTER(sigalg)
COMBO_SETTER(key_type)

static unsigned key_type_values(const char **out, unsigned max)
{
    const char *const *t;
    unsigned n = engine_key_types(&t), k = 0;
    for (unsigned i = 0; i < n && k < max; i++)
        out[k++] = t[i];
    return k;
}

static bool key_type_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                           char *err, size_t err_len)
{
    const char *const *t;
    unsigned nt = engine_key_types(&t), n = 0;
    const char *p = csv ? csv : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t l = strcspn(p, ", ");
        if (l == 0)
            break;
        unsigned i = 0;
        while (i < nt && !(strlen(t[i]) == l && strncasecmp(t[i], p, l) == 0))
            i++;
        if (i == nt) {
            int w = snprintf(err, err_len, "unknown key type '%.*s'; valid:", (int)l, p);
            for (unsigned k = 0; k < nt && w >= 0 && (size_t)w < err_len; k++)
                w += snprintf(err + w, err_len - (size_t)w, "%s %s", k ? "," : "", t[k]);
            return false;
        }
        if (n >= max) {
            snprintf(err, err_len, "too many key types");
            return false;
        }
        out[n++] = t[i];
        p += l;
    }
    if (n == 0) {
        snprintf(err, err_len, "empty key type list");
        return false;
    }
    *out_n = n;
    return true;
}

/* The quirk axis: record-layer quirks (src/quirk), one per connection. */
static unsigned quirk_values(const char **out, unsigned max)
{
    return tp_quirk_axis_values(out, max);
}

/* A quirk axis value the matrix allocated (not one of the built-in ones). */
static bool quirk_owned(const char *v)
{
    const char *known[SWEEP_MAX_VALUES];
    unsigned nk = tp_quirk_axis_values(known, SWEEP_MAX_VALUES);
    for (unsigned k = 0; k < nk; k++)
        if (known[k] == v)
            return false;
    return true;
}

static bool quirk_parse_into(const char *csv, const char **out, unsigned max, unsigned *out_n,
                             char *err, size_t err_len)
{
    char buf[1024];
    unsigned n = 0;
    snprintf(buf, sizeof(buf), "%s", csv ? csv : "");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        tp_quirk_set probe = {0};
        char why[768];
        if (!tp_quirk_set_add(&probe, tok, why, sizeof(why))) {
            snprintf(err, err_len, "quirk axis value '%s': %s", tok, why);
            return false;
        }
        if (n >= max) {
            snprintf(err, err_len, "too many quirks");
            return false;
        }
        const char *known[SWEEP_MAX_VALUES];
        unsigned nk = tp_quirk_axis_values(known, SWEEP_MAX_VALUES), k = 0;
        while (k < nk && strcmp(known[k], tok) != 0)
            k++;
        out[n] = k < nk ? known[k] : strdup(tok); /* freed by sweep_matrix_cleanup */
        if (!out[n]) {
            snprintf(err, err_len, "out of memory");
            return false;
        }
        *out_n = ++n;
    }
    if (n == 0) {
        snprintf(err, err_len, "empty quirk list");
        return false;
    }
    return true;
}

static bool quirk_parse(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                        size_t err_len)
{
    *out_n = 0;
    if (quirk_parse_into(csv, out, max, out_n, err, err_len))
        return true;
    for (unsigned i = 0; i < *out_n; i++)
        if (quirk_owned(out[i]))
            free((char *)out[i]);
    *out_n = 0;
    return false;
}

static void apply_quirk(sweep_setup *s, const char *v)
{
    s->quirk = v;
}

static const sweep_axis axis_table[] = {
    {"protocol", "--protocols", protocol_values, protocol_parse, apply_protocol, off_protocol},
    {"kx", "--kx", kx_values, kx_parse, apply_kx, off_kx},
    {"cipher", "--ciphers", cipher_values, cipher_parse, apply_cipher, off_cipher},
    {"mac", "--macs", mac_values, mac_parse, apply_mac, off_mac},
    {"group", "--groups", group_values, group_parse, apply_group, off_group},
    {"sigalg", "--sigalgs", sigalg_values, sigalg_parse, apply_sigalg, off_sigalg},
    {"key-type", "--key-types", key_type_values, key_type_parse, apply_key_type, NULL},
    {"quirk", "--quirks", quirk_values, quirk_parse, apply_quirk, NULL},
    {"alpn", "--alpns", sweep_alpn_values, sweep_alpn_parse, sweep_alpn_apply, NULL},
    {"sni-mode", "--sni-modes", sweep_sni_mode_values, sweep_sni_mode_parse, sweep_sni_mode_apply,
     NULL},
    /* certificates: axes_certs.c (ocsp and client-cert have few values: no
     * option limits them, their "option" matches none) */
    {"cert", "--cert-variants", sweep_cert_values, sweep_cert_parse, sweep_cert_apply, NULL},
    {"ocsp", "--ocsp-axis", sweep_ocsp_values, sweep_ocsp_parse, sweep_ocsp_apply, NULL},
    {"client-cert", "--client-cert-axis", sweep_client_cert_values, sweep_client_cert_parse,
     sweep_client_cert_apply, NULL},
    {"engine", "--engine-axis", sweep_engine_values, sweep_engine_parse, sweep_engine_apply, NULL},
    {"resumption", "--resumptions", sweep_resumption_values, sweep_resumption_parse,
     sweep_resumption_apply, NULL}, /* axis_resumption.c */
};

const sweep_axis *sweep_axes_all(unsigned *out_n)
{
    *out_n = sizeof(axis_table) / sizeof(axis_table[0]);
    return axis_table;
}

const sweep_axis *sweep_axis_find(const char *name)
{
    unsigned n;
    const sweep_axis *t = sweep_axes_all(&n);
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    }
    return NULL;
}

static void valid_axes(char *out, size_t len)
{
    unsigned n;
    const sweep_axis *t = sweep_axes_all(&n);
    size_t w = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n && w < len; i++) {
        int k = snprintf(out + w, len - w, "%s%s", i ? ", " : "", t[i].name);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

bool sweep_matrix_init(sweep_matrix *m, const char *axes_csv, const sweep_limit *limits,
                       unsigned num_limits, const char *key_type, char *err, size_t err_len)
{
    memset(m, 0, sizeof(*m));
    m->key_type = key_type;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", axes_csv && *axes_csv ? axes_csv : "protocol,kx,cipher,mac");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        const sweep_axis *a = sweep_axis_find(tok);
        if (!a) {
            char valid[256];
            valid_axes(valid, sizeof(valid));
            snprintf(err, err_len, "unknown axis '%s'; valid: %s", tok, valid);
            return false;
        }
        for (unsigned i = 0; i < m->num_axes; i++) {
            if (m->axes[i] == a) {
                snprintf(err, err_len, "axis '%s' given twice", tok);
                return false;
            }
        }
        if (m->num_axes == SWEEP_MAX_AXES) {
            snprintf(err, err_len, "too many axes (at most %d)", SWEEP_MAX_AXES);
            return false;
        }
        m->axes[m->num_axes] = a;
        m->axis_names[m->num_axes] = a->name;
        m->num_axes++;
    }
    if (m->num_axes == 0) {
        snprintf(err, err_len, "no axis given");
        return false;
    }
    for (unsigned i = 0; i < m->num_axes; i++) {
        const sweep_axis *a = m->axes[i];
        const char *csv = NULL;
        for (unsigned k = 0; k < num_limits; k++) {
            if (limits[k].option && strcmp(limits[k].option, a->option) == 0)
                csv = limits[k].csv;
        }
        if (csv) {
            if (!a->parse(csv, m->values[i], SWEEP_MAX_VALUES, &m->num_values[i], err, err_len))
                return false;
        } else {
            m->num_values[i] = a->values(m->values[i], SWEEP_MAX_VALUES);
        }
        if (m->num_values[i] == 0) {
            snprintf(err, err_len, "axis %s has no values", a->name);
            return false;
        }
    }
    return true;
}

void sweep_config_setup(const sweep_matrix *m, const sweep_config *c, sweep_setup *out)
{
    memset(out, 0, sizeof(*out));
    out->combo.key_type = m->key_type;
    for (unsigned a = 0; a < m->num_axes; a++)
        m->axes[a]->apply(out, c->values[a]);
}

static int axis_index(const sweep_matrix *m, const char *name)
{
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (strcmp(m->axis_names[a], name) == 0)
            return (int)a;
    }
    return -1;
}

bool sweep_config_offered(const sweep_matrix *m, const sweep_config *c, const sweep_offer *o)
{
    if (!o || !o->valid)
        return true;
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (m->axes[a]->offered && !m->axes[a]->offered(o, c->values[a]))
            return false;
    }
    int ip = axis_index(m, "protocol"), ik = axis_index(m, "kx"), ic = axis_index(m, "cipher"),
        im = axis_index(m, "mac");
    if (ip < 0 && ik < 0 && ic < 0 && im < 0)
        return true;
    uint16_t ver = 0;
    if (ip >= 0 && !name_id(ENGINE_FLAG_PROTOCOLS, c->values[ip], &ver))
        return false;
    /* one offered suite must carry the values together */
    for (unsigned i = 0; i < o->num_suites; i++) {
        const wire_suite *s = wire_suite_find(o->suites[i]);
        if (!s || s->export_grade)
            continue;
        if (ip >= 0 && (s->tls13 != (ver == 0x0304) || (!s->tls13 && s->min_version > ver)))
            continue;
        if (ik >= 0) {
            if (s->tls13 ? !kx_fits_tls13(o, c->values[ik])
                         : !(s->kx && strcasecmp(s->kx, c->values[ik]) == 0))
                continue;
        }
        if (ic >= 0 && !(s->cipher && strcasecmp(s->cipher, c->values[ic]) == 0))
            continue;
        if (im >= 0 && !(s->mac && strcasecmp(s->mac, c->values[im]) == 0))
            continue;
        return true;
    }
    return false;
}

bool sweep_matrix_expand(sweep_matrix *m, const sweep_offer *offer, bool include_unoffered)
{
    size_t total = 1;
    for (unsigned a = 0; a < m->num_axes; a++) {
        total *= m->num_values[a];
        if (total > 1000000)
            return false; /* a matrix nobody can sweep */
    }
    sweep_config *cfgs = calloc(total, sizeof(*cfgs));
    if (!cfgs)
        return false;
    free(m->configs);
    m->configs = cfgs;
    m->num_configs = (unsigned)total;
    m->num_run = m->num_skipped = m->num_not_offered = 0;
    unsigned idx[SWEEP_MAX_AXES] = {0};
    for (size_t n = 0; n < total; n++) {
        sweep_config *c = &cfgs[n];
        c->index = (unsigned)n;
        for (unsigned a = 0; a < m->num_axes; a++)
            c->values[a] = m->values[a][idx[a]];
        sweep_setup su;
        sweep_config_setup(m, c, &su);
        c->offered = sweep_config_offered(m, c, offer);
        if (!engine_combo_formable(&su.combo, c->why, sizeof(c->why))) {
            c->state = SWEEP_CFG_SKIPPED;
            m->num_skipped++;
        } else if (!c->offered && !include_unoffered) {
            c->state = SWEEP_CFG_NOT_OFFERED;
            m->num_not_offered++;
        } else {
            c->state = SWEEP_CFG_RUN;
            m->num_run++;
        }
        /* odometer, last axis fastest */
        for (int a = (int)m->num_axes - 1; a >= 0; a--) {
            if (++idx[a] < m->num_values[a])
                break;
            idx[a] = 0;
        }
    }
    return true;
}

void sweep_matrix_cleanup(sweep_matrix *m)
{
    if (!m)
        return;
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (m->axes[a]->parse != quirk_parse)
            continue;
        for (unsigned i = 0; i < m->num_values[a]; i++)
            if (quirk_owned(m->values[a][i]))
                free((char *)m->values[a][i]);
        m->num_values[a] = 0;
    }
    free(m->configs);
    m->configs = NULL;
    m->num_configs = 0;
}

void sweep_config_label(const sweep_matrix *m, const sweep_config *c, char *out, size_t out_len)
{
    size_t w = 0;
    if (out_len)
        out[0] = '\0';
    for (unsigned a = 0; a < m->num_axes && w < out_len; a++) {
        int k = snprintf(out + w, out_len - w, "%s%s", a ? " " : "", c->values[a]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

void sweep_config_key(const sweep_matrix *m, const sweep_config *c, char *out, size_t out_len)
{
    size_t w = 0;
    if (out_len)
        out[0] = '\0';
    for (unsigned a = 0; a < m->num_axes && w < out_len; a++) {
        int k =
            snprintf(out + w, out_len - w, "%s%s=%s", a ? "," : "", m->axis_names[a], c->values[a]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

int sweep_matrix_find(const sweep_matrix *m, const char *const *values)
{
    for (unsigned i = 0; i < m->num_configs; i++) {
        unsigned a = 0;
        while (a < m->num_axes && values[a] && strcmp(values[a], m->configs[i].values[a]) == 0)
            a++;
        if (a == m->num_axes)
            return (int)i;
    }
    return -1;
}
