/* See axis_resumption.h. */
#include "axis_resumption.h"

#include <string.h>

#include "axes_certs.h"

static const char *const names[] = {"none", "id", "ticket", "psk"};
static const unsigned bits[] = {0, TP_RESUME_ID, TP_RESUME_TICKET, TP_RESUME_PSK};
static const char *const hows[] = {NULL, "session-id", "ticket", "psk"};
#define NUM_NAMES (sizeof names / sizeof names[0])

unsigned sweep_resumption_values(const char **out, unsigned max)
{
    unsigned k = 0;
    for (; k < NUM_NAMES && k < max; k++)
        out[k] = names[k];
    return k;
}

bool sweep_resumption_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                            char *err, size_t err_len)
{
    return sweep_names_parse(csv, names, NUM_NAMES, "resumption", out, max, out_n, err, err_len);
}

void sweep_resumption_apply(sweep_setup *s, const char *value)
{
    s->resumption = value;
}

static int find(const char *v)
{
    for (unsigned i = 0; v && i < NUM_NAMES; i++)
        if (!strcmp(names[i], v))
            return (int)i;
    return -1;
}

const char *sweep_resumption_how(const char *axis_value)
{
    int i = find(axis_value);
    return i < 0 ? NULL : hows[i];
}

void sweep_resumption_config(tp_engine_config *ec, const struct sweep_options_resume *o,
                             const sweep_setup *su)
{
    int i = find(su ? su->resumption : NULL);
    ec->resumption_off = i < 0 ? o->off : TP_RESUME_ALL & ~bits[i];
    if (su && su->quirk && strstr(su->quirk, "hello-request"))
        ec->resumption_off |= TP_RESUME_TICKET;
    ec->tickets = o->tickets;
    ec->tickets_set = o->tickets_set;
    ec->early_data = o->early_data;
}
