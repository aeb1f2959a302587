/* tls13-padding=N: N zero bytes after the inner content type of every
 * protected TLS 1.3 record (RFC 8446 5.4), cut so the inner plaintext stays
 * within 2^14 + 1 bytes.
 *
 * Reproduces: TLS 1.3 stacks that take the last byte as the inner content
 * type instead of the last non-zero one (RFC 8446 5.4) and abort on the
 * first padded record, e.g. Eclipse ThreadX NetX Duo
 * (eclipse-threadx/netxduo#199). */
#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (!quirk_parse_uint(value, 0, 16384, &q->n))
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version == 0x0304 ? NULL : "record padding exists in TLS 1.3 only";
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    if (!c->is_protected || c->version != 0x0304)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        qr_piece *p = &l->p[i];
        if (p->drop || p->clear)
            continue;
        size_t room = 16384 - p->len;
        p->tls13_pad = (size_t)q->n < room ? (size_t)q->n : room;
        qr_mark(p, q, set);
    }
}

const quirk_def quirk_tls13_padding = {
    .name = "tls13-padding",
    .values = "N (0..16384)",
    .summary = "TLS 1.3 record padding of N zero bytes (NetX Duo took the last byte as the type, "
               "eclipse-threadx/netxduo#199)",
    .parse = parse,
    .inapplicable = inapplicable,
    .shape = shape,
};
