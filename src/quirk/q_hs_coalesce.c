/* hs-coalesce: the handshake messages of a flight share records (as many
 * as fit in 2^14 bytes) instead of one record per message, as the GnuTLS
 * engine writes them.  RFC 5246 6.2.1 / RFC 8446 5.1 allow it, within one
 * key epoch.
 *
 * Reproduces: clients that expect one message per record, e.g. wolfSSL
 * clients allowing a downgrade from TLS 1.3, which returned OUT_OF_ORDER_E
 * for a ServerHello sharing its record with the rest of the TLS 1.2 flight
 * (wolfSSL/wolfssl#7141). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    if (c->coalesced)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->p[i].type == 22 && !l->p[i].drop) {
            l->p[i].coalesce = true;
            qr_mark(&l->p[i], q, set);
        }
    }
}

const quirk_def quirk_hs_coalesce = {
    .name = "hs-coalesce",
    .summary = "handshake messages of a flight share records (wolfSSL OUT_OF_ORDER_E, "
               "wolfSSL/wolfssl#7141)",
    .parse = quirk_parse_none,
    .shape = shape,
};
