/* See axis_names.h.  An alpn value names the server's list with '+'
 * between the protocols ("h2+http/1.1"), since the axis' own list
 * (--alpns) is comma-separated; "none" is no ALPN at all. */
#include "axis_names.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *value, *list; /* axis value, engine list */
} alpn_values[] = {
    {"none", ""},
    {"http/1.1", "http/1.1"},
    {"h2", "h2"},
    {"h2+http/1.1", "h2,http/1.1"},
    {"http/1.1+h2", "http/1.1,h2"},
};
#define NUM_ALPN (sizeof alpn_values / sizeof alpn_values[0])

static const char *const sni_values[] = {"strict", "warn", "ignore"};
#define NUM_SNI (sizeof sni_values / sizeof sni_values[0])

/* A list of values from a fixed table: each csv item must be one of them
 * (the table's own pointer goes out). */
static bool table_parse(const char *axis, const char *const *table, unsigned n, const char *csv,
                        const char **out, unsigned max, unsigned *out_n, char *err, size_t err_len)
{
    unsigned k = 0;
    for (const char *p = csv ? csv : ""; *p;) {
        size_t len = strcspn(p, ", ");
        unsigned i = 0;
        while (len && i < n && !(strlen(table[i]) == len && !strncmp(table[i], p, len)))
            i++;
        if (len && i == n) {
            int w =
                snprintf(err, err_len, "unknown %s axis value '%.*s'; valid:", axis, (int)len, p);
            for (unsigned j = 0; j < n && w >= 0 && (size_t)w < err_len; j++)
                w += snprintf(err + w, err_len - (size_t)w, "%s %s", j ? "," : "", table[j]);
            return false;
        }
        if (len && k == max) {
            snprintf(err, err_len, "too many %s axis values", axis);
            return false;
        }
        if (len)
            out[k++] = table[i];
        p += len;
        p += strspn(p, ", ");
    }
    if (!k) {
        snprintf(err, err_len, "empty %s axis list", axis);
        return false;
    }
    *out_n = k;
    return true;
}

static const char *alpn_names[NUM_ALPN];

static const char *const *alpn_table(void)
{
    for (unsigned i = 0; i < NUM_ALPN; i++)
        alpn_names[i] = alpn_values[i].value;
    return alpn_names;
}

unsigned sweep_alpn_values(const char **out, unsigned max)
{
    unsigned k = 0;
    for (; k < NUM_ALPN && k < max; k++)
        out[k] = alpn_values[k].value;
    return k;
}

bool sweep_alpn_parse(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                      size_t err_len)
{
    return table_parse("alpn", alpn_table(), NUM_ALPN, csv, out, max, out_n, err, err_len);
}

void sweep_alpn_apply(sweep_setup *s, const char *value)
{
    for (unsigned i = 0; i < NUM_ALPN; i++)
        if (!strcmp(alpn_values[i].value, value))
            s->alpn = alpn_values[i].list;
}

unsigned sweep_sni_mode_values(const char **out, unsigned max)
{
    unsigned k = 0;
    for (; k < NUM_SNI && k < max; k++)
        out[k] = sni_values[k];
    return k;
}

bool sweep_sni_mode_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                          char *err, size_t err_len)
{
    return table_parse("sni-mode", sni_values, NUM_SNI, csv, out, max, out_n, err, err_len);
}

void sweep_sni_mode_apply(sweep_setup *s, const char *value)
{
    s->sni_mode = value;
}

void sweep_names_config(tp_engine_names *out, const tp_engine_names *base, const sweep_setup *su)
{
    *out = *base;
    if (su && su->alpn)
        out->alpn = su->alpn;
    if (su && su->sni_mode)
        (void)tp_sni_mode_parse(su->sni_mode, &out->sni_mode);
}
