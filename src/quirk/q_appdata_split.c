/* appdata-split=1/n-1|N: application data records split, either the
 * 1/n-1 way (one byte, then the rest: the BEAST countermeasure for TLS 1.0
 * CBC) or into records of at most N bytes.
 *
 * Reproduces: clients that expect a whole message in the first record;
 * Chrome's 1/n-1 rollout broke many such peers
 * (https://www.imperialviolet.org/2012/01/15/beastfollowup.html), and
 * s2n-tls turned it off in server mode for that reason (aws/s2n-tls#270). */
#include <string.h>

#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value && strcmp(value, "1/n-1") == 0) {
        q->mode = 0;
        return true;
    }
    if (quirk_parse_uint(value, 1, 16384, &q->n)) {
        q->mode = 1;
        return true;
    }
    return quirk_bad_value(q->def, value, err, err_len);
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)c;
    for (unsigned i = 0; i < l->n; i++) {
        qr_piece *p = &l->p[i];
        if (p->type != 23 || p->drop || p->len < 2)
            continue;
        if (q->mode == 1) {
            i += qr_split(l, i, (size_t)q->n, q, set) - 1;
            continue;
        }
        qr_piece rest = *p;
        p->len = 1;
        qr_mark(p, q, set);
        rest.data++;
        rest.len--;
        qr_mark(&rest, q, set);
        (void)qr_insert(l, i + 1, &rest);
        return; /* the engine's record: one byte, then the rest */
    }
}

const quirk_def quirk_appdata_split = {
    .name = "appdata-split",
    .values = "1/n-1|N (1..16384)",
    .summary = "application data split 1/n-1 (BEAST countermeasure) or into N-byte records",
    .parse = parse,
    .shape = shape,
};
