/* empty-records: an empty application data record before each one the
 * engine writes (RFC 5246 6.2.1 allows zero-length application data
 * fragments; RFC 8446 5.4 too).
 *
 * Reproduces: OpenSSL 0.9.6d's CBC countermeasure, which broke peers that
 * treat an empty record as end of data; OpenSSL keeps
 * SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS for "some broken SSL implementations"
 * (SSL_CTX_set_options(3)). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)c;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->p[i].type != 23 || l->p[i].drop || l->p[i].clear)
            continue;
        qr_piece empty = l->p[i];
        empty.len = 0;
        empty.quirks = 0;
        qr_mark(&empty, q, set);
        (void)qr_insert(l, i, &empty);
        return; /* one before each of the engine's records */
    }
}

const quirk_def quirk_empty_records = {
    .name = "empty-records",
    .summary = "an empty application data record before each one (OpenSSL 0.9.6d "
               "countermeasure that broke clients)",
    .parse = quirk_parse_none,
    .shape = shape,
};
