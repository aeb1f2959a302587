/* hs-separate: one record per handshake message.  A record of the engine
 * that holds several handshake messages (a whole flight, as OpenSSL and
 * many embedded stacks write it) is cut at the message boundaries; a
 * message longer than its record still spans records as it came.  The
 * GnuTLS engine already writes one record per message, so with it this
 * changes a record only together with hs-coalesce (which joins them) or
 * not at all; it is the counterpart of hs-coalesce for a sweep's quirk
 * axis.
 *
 * Reproduces: clients whose record layer hands the handshake layer one
 * message per record and drops the rest of a record, the mirror image of
 * those that need a flight in one record (hs-coalesce). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    /* the record must start at a message boundary to find the next one */
    if (!c->hs_boundary)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        qr_piece *p = &l->p[i];
        if (p->type != 22 || p->drop || p->len < 4)
            break;
        size_t m = 4 + ((size_t)p->data[1] << 16 | (size_t)p->data[2] << 8 | p->data[3]);
        if (m >= p->len)
            break; /* one message, or the last one runs on into the next record */
        qr_piece rest = *p;
        rest.data += m;
        rest.len -= m;
        p->len = m;
        qr_mark(p, q, set);
        qr_mark(&rest, q, set);
        if (qr_insert(l, i + 1, &rest) < 0)
            return;
    }
}

const quirk_def quirk_hs_separate = {
    .name = "hs-separate",
    .summary = "one record per handshake message (clients that take one message per record; "
               "the mirror of hs-coalesce)",
    .parse = quirk_parse_none,
    .shape = shape,
};
