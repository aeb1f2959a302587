/* The rule finder's vocabulary and output: status names, the named value
 * groups rules may use, the grouping of failing rows into typical
 * failures (by normalised summary), and the decision as JSON. */
#include "decide.h"
#include "decide_int.h"
#include "results.h"

#include "../wire/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[SWEEP_ST_COUNT] = {"ok", "fail", "flaky", "skipped",
                                                         "timeout"};

const char *sweep_status_name(sweep_status s)
{
    return (unsigned)s < SWEEP_ST_COUNT ? status_names[s] : "unknown";
}

bool sweep_status_parse(const char *name, sweep_status *out)
{
    for (unsigned i = 0; name && i < SWEEP_ST_COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (sweep_status)i;
            return true;
        }
    }
    return false;
}

/* ---- groups ---- */

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static bool g_cbc(const char *v)
{
    return has_suffix(v, "-CBC");
}
static bool g_aead(const char *v)
{
    return strstr(v, "-GCM") || strstr(v, "-CCM") || strstr(v, "POLY1305");
}
static bool g_stream(const char *v)
{
    return strncmp(v, "ARCFOUR", 7) == 0 || !strcmp(v, "NULL");
}
static bool g_aes(const char *v)
{
    return strncmp(v, "AES-", 4) == 0;
}
static bool g_camellia(const char *v)
{
    return strncmp(v, "CAMELLIA-", 9) == 0;
}
static bool g_ecdhe(const char *v)
{
    return strncmp(v, "ECDHE", 5) == 0;
}
static bool g_dhe(const char *v)
{
    return strncmp(v, "DHE", 3) == 0;
}
static bool g_rsa_kx(const char *v)
{
    return strcmp(v, "RSA") == 0 || strcmp(v, "RSA-EXPORT") == 0;
}
static bool g_rsa_auth(const char *v)
{
    return has_suffix(v, "-RSA") || g_rsa_kx(v);
}
static bool g_ecdsa_auth(const char *v)
{
    return has_suffix(v, "-ECDSA");
}
static bool g_tls13(const char *v)
{
    return strcmp(v, "TLS1.3") == 0;
}
static bool g_legacy_proto(const char *v)
{
    return !strcmp(v, "TLS1.0") || !strcmp(v, "TLS1.1") || !strcmp(v, "SSL3.0");
}
static bool g_pre13(const char *v)
{
    return g_legacy_proto(v) || !strcmp(v, "TLS1.2");
}
static bool g_sha2_mac(const char *v)
{
    return !strcmp(v, "SHA256") || !strcmp(v, "SHA384");
}
static bool g_legacy_mac(const char *v)
{
    return !strcmp(v, "SHA1") || !strcmp(v, "MD5");
}
static bool g_hmac(const char *v)
{
    return strcmp(v, "AEAD") != 0;
}
static bool g_ec_group(const char *v)
{
    return !strncmp(v, "SECP", 4) || !strncmp(v, "X", 1);
}
static bool g_ff_group(const char *v)
{
    return strncmp(v, "FFDHE", 5) == 0;
}
static bool g_nist_group(const char *v)
{
    return strncmp(v, "SECP", 4) == 0;
}
static bool g_sig_pss(const char *v)
{
    return strncmp(v, "RSA-PSS", 7) == 0;
}
static bool g_sig_pkcs1(const char *v)
{
    return strncmp(v, "RSA-SHA", 7) == 0 || !strcmp(v, "RSA-MD5");
}
static bool g_sig_ecdsa(const char *v)
{
    return strncmp(v, "ECDSA", 5) == 0;
}
static bool g_sig_sha1(const char *v)
{
    return has_suffix(v, "SHA1");
}
static bool g_key_rsa(const char *v)
{
    return strncmp(v, "rsa", 3) == 0;
}
static bool g_key_ecdsa(const char *v)
{
    return strncmp(v, "ecdsa", 5) == 0;
}

static const sweep_group groups[] = {
    {"cipher", "CBC", "is a CBC cipher", g_cbc},
    {"cipher", "AEAD", "is an AEAD cipher", g_aead},
    {"cipher", "stream", "is a stream cipher", g_stream},
    {"cipher", "AES", "is an AES cipher", g_aes},
    {"cipher", "Camellia", "is a Camellia cipher", g_camellia},
    {"kx", "ECDHE", "is ECDHE", g_ecdhe},
    {"kx", "DHE", "is DHE", g_dhe},
    {"kx", "RSA kx", "is RSA key transport", g_rsa_kx},
    {"kx", "RSA-authenticated", "is RSA-authenticated", g_rsa_auth},
    {"kx", "ECDSA-authenticated", "is ECDSA-authenticated", g_ecdsa_auth},
    {"protocol", "TLS1.3", "is TLS1.3", g_tls13},
    {"protocol", "legacy protocols", "is a legacy protocol (TLS1.0/1.1)", g_legacy_proto},
    {"protocol", "TLS1.2 and older", "is TLS1.2 or older", g_pre13},
    {"mac", "SHA-2 MACs", "is a SHA-2 HMAC", g_sha2_mac},
    {"mac", "legacy MACs", "is a legacy HMAC (SHA1/MD5)", g_legacy_mac},
    {"mac", "HMAC", "is an HMAC (not AEAD)", g_hmac},
    {"group", "EC groups", "is an elliptic curve", g_ec_group},
    {"group", "FFDHE groups", "is a finite-field group", g_ff_group},
    {"group", "NIST curves", "is a NIST curve", g_nist_group},
    {"sigalg", "RSA-PSS", "is RSA-PSS", g_sig_pss},
    {"sigalg", "RSA PKCS#1", "is RSA PKCS#1 v1.5", g_sig_pkcs1},
    {"sigalg", "ECDSA", "is ECDSA", g_sig_ecdsa},
    {"sigalg", "SHA1 signatures", "uses SHA1", g_sig_sha1},
    {"key-type", "RSA keys", "is an RSA key", g_key_rsa},
    {"key-type", "ECDSA keys", "is an ECDSA key", g_key_ecdsa},
};

const sweep_group *sweep_groups(unsigned *out_n)
{
    *out_n = sizeof(groups) / sizeof(groups[0]);
    return groups;
}

/* ---- typical failures ---- */

void sweep_typical_fill(sweep_decision *d, const sweep_row *rows, unsigned num_rows)
{
    /* small n (failing rows of one sweep): quadratic grouping is fine */
    char norm[640];
    for (unsigned r = 0; r < num_rows; r++) {
        if (rows[r].status != SWEEP_ST_FAIL && rows[r].status != SWEEP_ST_TIMEOUT)
            continue;
        const char *sum = rows[r].summary;
        if (!sum || !*sum)
            sum =
                rows[r].status == SWEEP_ST_TIMEOUT ? "the client command timed out" : "no verdict";
        sweep_summary_normalise(norm, sizeof(norm), sum, d->axes, d->num_axes, rows[r].values);
        unsigned i = 0;
        while (i < d->num_typical && strcmp(d->typical[i].normalised, norm) != 0)
            i++;
        if (i == d->num_typical) {
            if (d->num_typical == sizeof(d->typical) / sizeof(d->typical[0])) {
                /* full: replace the rarest single-count entry, if any */
                unsigned j = d->num_typical - 1;
                if (d->typical[j].count > 1)
                    continue;
                i = j;
            } else {
                d->num_typical++;
            }
            d->typical[i] = (sweep_typical){.example = sum, .all_same = true, .first_row = r};
            snprintf(d->typical[i].normalised, sizeof(d->typical[i].normalised), "%s", norm);
        }
        if (strcmp(d->typical[i].example, sum) != 0)
            d->typical[i].all_same = false;
        for (unsigned a = 0; a < d->num_axes; a++)
            if (strcmp(rows[r].values[a], rows[d->typical[i].first_row].values[a]) != 0)
                d->typical[i].differs |= 1u << a;
        d->typical[i].count++;
        /* keep sorted by count, most frequent first (stable) */
        while (i > 0 && d->typical[i - 1].count < d->typical[i].count) {
            sweep_typical t = d->typical[i - 1];
            d->typical[i - 1] = d->typical[i];
            d->typical[i] = t;
            i--;
        }
    }
}

/* ---- JSON ---- */

json_object *sweep_row_config_json(const sweep_decision *d, const sweep_row *row)
{
    json_object *o = json_object_new_object();
    for (unsigned a = 0; a < d->num_axes; a++)
        json_object_object_add(o, d->axes[a], json_object_new_string(row_value(row, a)));
    return o;
}

static json_object *rule_json(const sweep_decision *d, const sweep_rule *r, const sweep_row *rows,
                              bool exact)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "exact", json_object_new_boolean(exact));
    json_object_object_add(o, "rule", json_object_new_string(r->text));
    if (r->succeeds) /* the terms say when it succeeds, not when it fails */
        json_object_object_add(o, "succeeds", json_object_new_boolean(true));
    json_object *terms = json_object_new_array();
    for (unsigned i = 0; i < r->num_terms; i++) {
        const sweep_term *t = &r->terms[i];
        json_object *jt = json_object_new_object();
        json_object_object_add(jt, "axis", json_object_new_string(d->axes[t->axis]));
        json_object_object_add(jt, "op", json_object_new_string(t->op == SWEEP_OP_EQ ? "=" : "in"));
        json_object *vals = json_object_new_array();
        for (unsigned k = 0; k < t->num_values; k++)
            json_object_array_add(vals, json_object_new_string(t->values[k]));
        json_object_object_add(jt, "values", vals);
        if (t->group)
            json_object_object_add(jt, "group", json_object_new_string(t->group->name));
        json_object_array_add(terms, jt);
    }
    json_object_object_add(o, "terms", terms);
    json_object *ex = json_object_new_array();
    unsigned n = r->num_exceptions;
    if (n > sizeof(r->exceptions) / sizeof(r->exceptions[0]))
        n = sizeof(r->exceptions) / sizeof(r->exceptions[0]);
    for (unsigned i = 0; i < n; i++) {
        const sweep_row *row = &rows[r->exceptions[i]];
        json_object *e = json_object_new_object();
        json_object_object_add(e, "config", sweep_row_config_json(d, row));
        json_object_object_add(e, "status", json_object_new_string(sweep_status_name(row->status)));
        json_object_array_add(ex, e);
    }
    json_object_object_add(o, "exceptions", ex);
    return o;
}

json_object *sweep_decision_to_json(const sweep_decision *d, const sweep_row *rows)
{
    json_object *o;
    if (d->num_rules > 0) {
        o = rule_json(d, &d->rules[0], rows, d->exact);
    } else {
        o = json_object_new_object();
        json_object_object_add(o, "exact", json_object_new_boolean(false));
        json_object_object_add(o, "rule",
                               json_object_new_string("nothing to decide: no combination "
                                                      "succeeded or failed"));
        json_object_object_add(o, "terms", json_object_new_array());
        json_object_object_add(o, "exceptions", json_object_new_array());
    }
    if (!d->exact && d->num_rules > 1) {
        json_object *alt = json_object_new_array();
        for (unsigned i = 1; i < d->num_rules; i++)
            json_object_array_add(alt, rule_json(d, &d->rules[i], rows, false));
        json_object_object_add(o, "alternatives", alt);
    }
    json_object *typ = json_object_new_array();
    for (unsigned i = 0; i < d->num_typical; i++) {
        json_object *t = json_object_new_object();
        char phrase[900];
        sweep_typical_phrase(d, &d->typical[i], phrase, sizeof phrase);
        json_object_object_add(t, "summary", json_object_new_string(phrase));
        json_object_object_add(t, "count", json_object_new_int((int)d->typical[i].count));
        json_object_object_add(t, "of", json_object_new_int((int)d->num_failing));
        json_object_array_add(typ, t);
    }
    json_object_object_add(o, "typical_failure", typ);
    json_object *counts = json_object_new_object();
    for (unsigned i = 0; i < d->num_counts; i++) {
        const sweep_value_count *c = &d->counts[i];
        json_object *ax;
        if (!json_object_object_get_ex(counts, d->axes[c->axis], &ax)) {
            ax = json_object_new_object();
            json_object_object_add(counts, d->axes[c->axis], ax);
        }
        json_object *jc = json_object_new_object();
        for (unsigned st = 0; st < SWEEP_ST_COUNT; st++) {
            if (c->n[st] || st <= SWEEP_ST_FAIL)
                json_object_object_add(jc, sweep_status_name((sweep_status)st),
                                       json_object_new_int((int)c->n[st]));
        }
        json_object_object_add(ax, c->value, jc);
    }
    json_object_object_add(o, "counts", counts);
    return o;
}

/* ---- summaries ---- */

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

void sweep_summary_normalise(char *out, size_t out_len, const char *summary,
                             const char *const *axes, unsigned num_axes, const char *const *values)
{
    if (out_len == 0)
        return;
    wire_buf b;
    wire_buf_init(&b, 0);
    const char *p = summary ? summary : "";
    while (*p) {
        if (!word_char(*p)) {
            wire_buf_add_char(&b, *p++);
            continue;
        }
        size_t n = 0;
        while (word_char(p[n]))
            n++;
        /* sentence punctuation is not part of the word */
        while (n > 0 && (p[n - 1] == '.' || p[n - 1] == ':'))
            n--;
        if (n == 0) {
            wire_buf_add_char(&b, *p++);
            continue;
        }
        char word[256];
        size_t wn = n < sizeof(word) - 1 ? n : sizeof(word) - 1;
        memcpy(word, p, wn);
        word[wn] = '\0';
        bool numeric = true;
        for (size_t i = 0; i < wn; i++) {
            if (!isdigit((unsigned char)word[i]) && word[i] != '.')
                numeric = false;
        }
        const char *repl = NULL;
        char axisbuf[64];
        for (unsigned a = 0; values && a < num_axes && !repl; a++) {
            if (values[a] && *values[a] && strcmp(values[a], word) == 0) {
                snprintf(axisbuf, sizeof(axisbuf), "{%s}", axes[a]);
                repl = axisbuf;
            }
        }
        if (!repl && numeric)
            repl = "N";
        wire_buf_add_str(&b, repl ? repl : word);
        p += n;
    }
    /* longer than out: cut short */
    wire_buf_copy_out(&b, out, out_len, "");
    wire_buf_cleanup(&b);
}

void sweep_typical_phrase(const sweep_decision *d, const sweep_typical *t, char *out,
                          size_t out_len)
{
    if (out_len == 0)
        return;
    snprintf(out, out_len, "%s", t->example ? t->example : "");
    if (t->all_same)
        return;
    char differ[256] = "";
    size_t w = 0;
    unsigned n = 0;
    for (unsigned a = 0; a < d->num_axes && w < sizeof differ; a++) {
        if (!(t->differs >> a & 1))
            continue;
        int k = snprintf(differ + w, sizeof differ - w, "%s%s", n++ ? ", " : "", d->axes[a]);
        w = k > 0 ? w + (size_t)k : w;
    }
    size_t used = strlen(out);
    if (used + 1 < out_len)
        snprintf(out + used, out_len - used, " (one example of %u; they differ in %s)", t->count,
                 n ? differ : "numbers only");
}
