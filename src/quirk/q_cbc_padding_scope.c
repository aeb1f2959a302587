/* cbc-padding-scope=first|all: which records cbc-padding shapes.  "first"
 * is the server's first protected record, its Finished in TLS <= 1.2: the
 * record the 2006 phones answered with bad_record_mac (see q_cbc_padding.c).
 * Default: all. */
#include <string.h>

#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value && strcmp(value, "first") == 0)
        q->mode = 0;
    else if (value && strcmp(value, "all") == 0)
        q->mode = 1;
    else
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)q, (void)set, (void)c, (void)l; /* read by cbc-padding */
}

const quirk_def quirk_cbc_padding_scope = {
    .name = "cbc-padding-scope",
    .values = "first|all",
    .summary = "which records cbc-padding shapes: the first protected one (Finished) or all",
    .parse = parse,
    .shape = shape,
};
