/* hs-fragment=N: handshake messages split across records of at most N
 * bytes of content (RFC 5246 6.2.1 and RFC 8446 5.1 allow a message to
 * span records), in the clear and inside encrypted TLS 1.3 records.
 *
 * Reproduces: clients that expect one handshake message per record, e.g.
 * Mbed TLS releases without handshake defragmentation ("TLS handshake
 * fragmentation not supported", Mbed-TLS/mbedtls#1840, #9269). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)c;
    for (unsigned i = 0; i < l->n; i++)
        if (l->p[i].type == 22 && !l->p[i].drop)
            i += qr_split(l, i, (size_t)q->n, q, set) - 1;
}

const quirk_def quirk_hs_fragment = {
    .name = "hs-fragment",
    .values = "N (1..16384)",
    .summary = "handshake messages in records of at most N bytes (Mbed TLS: "
               "\"handshake fragmentation not supported\")",
    .parse = quirk_parse_size,
    .shape = shape,
};
