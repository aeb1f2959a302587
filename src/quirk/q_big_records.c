/* big-records: records at the 2^14 limit.  The handshake flight is joined
 * into records of up to 2^14 bytes (as hs-coalesce), and in TLS 1.3 every
 * protected record is padded up to the 2^14 + 1 inner plaintext limit
 * (RFC 8446 5.2, 5.4): ciphertext records of 16401 bytes with AES-GCM.
 *
 * Reproduces: clients built with receive buffers below the limit, e.g.
 * Mbed TLS with MBEDTLS_SSL_IN_CONTENT_LEN under 16384 (documented in its
 * mbedtls_config.h: a peer sending bigger records makes the handshake fail). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        qr_piece *p = &l->p[i];
        if (p->drop)
            continue;
        if (p->type == 22 && !c->coalesced) {
            p->coalesce = true;
            qr_mark(p, q, set);
            continue;
        }
        if (c->version == 0x0304 && c->is_protected && !p->clear) {
            p->tls13_pad = 16384 - p->len;
            qr_mark(p, q, set);
        }
    }
}

const quirk_def quirk_big_records = {
    .name = "big-records",
    .summary = "records at the 2^14 limit: joined flight, TLS 1.3 padding to the limit "
               "(small receive buffers)",
    .parse = quirk_parse_none,
    .shape = shape,
};
