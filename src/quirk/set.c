/* The quirk table, --quirk parsing and `tlsprobe list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const quirk_def *const table[] = {
    &quirk_hs_coalesce,          &quirk_hs_separate,
    &quirk_big_records,          &quirk_hs_fragment,
    &quirk_max_record,           &quirk_appdata_split,
    &quirk_empty_records,        &quirk_alert_unrecognized_name,
    &quirk_ccs_compat,           &quirk_key_update,
    &quirk_hello_request,        &quirk_empty_ticket,
    &quirk_cbc_padding,          &quirk_cbc_padding_scope,
    &quirk_tls13_padding,        &quirk_record_version,
    &quirk_record_version_scope,
};

const quirk_def *const *quirk_table(unsigned *out_n)
{
    *out_n = sizeof table / sizeof table[0];
    return table;
}

static void valid_names(char *out, size_t len)
{
    size_t w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof table / sizeof table[0] && w < len; i++) {
        const quirk_def *d = table[i];
        int k = snprintf(out + w, len - w, "%s%s%s%s", i ? ", " : "", d->name, d->values ? "=" : "",
                         d->values ? d->values : "");
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

static void relabel(tp_quirk_set *s)
{
    size_t w = 0;
    s->all_label[0] = '\0';
    for (unsigned i = 0; i < s->num && w < sizeof s->all_label; i++) {
        int k = snprintf(s->all_label + w, sizeof s->all_label - w, "%s%s", i ? "," : "",
                         s->q[i].label);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

bool tp_quirk_set_add(tp_quirk_set *s, const char *arg, char *err, size_t err_len)
{
    if (strcmp(arg, "none") == 0)
        return true; /* the sweep axis' baseline: no quirk */
    const char *eq = strchr(arg, '=');
    size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *value = eq ? eq + 1 : NULL;
    const quirk_def *d = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i]->name) == nl && strncmp(table[i]->name, arg, nl) == 0)
            d = table[i];
    if (!d) {
        char valid[768];
        valid_names(valid, sizeof valid);
        snprintf(err, err_len, "unknown quirk '%.*s'; valid: %s", (int)nl, arg, valid);
        return false;
    }
    if (s->num >= TP_QUIRK_MAX) {
        snprintf(err, err_len, "too many quirks (at most %d)", TP_QUIRK_MAX);
        return false;
    }
    tp_quirk q = {.def = d};
    if (!d->parse(value, &q, err, err_len))
        return false;
    snprintf(q.label, sizeof q.label, "%s%s%s", d->name, value ? "=" : "", value ? value : "");
    for (unsigned i = 0; i < s->num; i++) {
        if (s->q[i].def == d) { /* the later one wins, as with any option */
            s->q[i] = q;
            relabel(s);
            return true;
        }
    }
    s->q[s->num++] = q;
    relabel(s);
    return true;
}

void tp_quirk_list(FILE *out)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const quirk_def *d = table[i];
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", d->name, d->values ? "=" : "",
                 d->values ? d->values : "");
        fprintf(out, "  %-42s %s%s\n", head, d->summary, d->out_of_spec ? " [out of spec]" : "");
    }
}

unsigned tp_quirk_axis_values(const char **out, unsigned max)
{
    static const char *const values[] = {
        /* one value per property, so a rule can name it exactly (random
         * padding is sometimes minimal: --quirks adds it) */
        "none",
        "cbc-padding=max",
        "hs-fragment=64",
        "max-record=1024",
        "appdata-split=1/n-1",
        "empty-records",
        "record-version=0x0301",
        "tls13-padding=200",
    };
    unsigned n = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0] && n < max; i++)
        out[n++] = values[i];
    return n;
}

/* ---- value helpers ---- */

bool quirk_parse_uint(const char *value, long lo, long hi, long *out)
{
    if (!value || !*value)
        return false;
    char *end = NULL;
    long v = strtol(value, &end, 0);
    if (!end || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool quirk_bad_value(const quirk_def *d, const char *value, char *err, size_t err_len)
{
    if (!value)
        snprintf(err, err_len, "quirk %s needs a value; valid: %s", d->name, d->values);
    else
        snprintf(err, err_len, "bad value '%s' for quirk %s; valid: %s", value, d->name,
                 d->values ? d->values : "none (it takes no value)");
    return false;
}

bool quirk_parse_none(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value)
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

bool quirk_parse_size(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (!quirk_parse_uint(value, 1, 16384, &q->n))
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

bool quirk_scope_all(const tp_quirk_set *set, const quirk_def *scope, bool all_by_default)
{
    for (unsigned i = 0; i < set->num; i++)
        if (set->q[i].def == scope)
            return set->q[i].mode == 1;
    return all_by_default;
}

bool quirk_parse_scope(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value && strcmp(value, "first") == 0)
        q->mode = 0;
    else if (value && strcmp(value, "all") == 0)
        q->mode = 1;
    else
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

void quirk_shape_none(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)q, (void)set, (void)c, (void)l;
}
