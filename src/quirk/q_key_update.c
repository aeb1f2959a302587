/* key-update: a KeyUpdate (update_not_requested) right after the server's
 * first application data record in TLS 1.3 (RFC 8446 4.6.3); the records
 * after it are sealed with the next server application traffic secret.
 *
 * Reproduces: peers that reject a post-handshake KeyUpdate as
 * unexpected_message (Mbed-TLS/mbedtls#10881) or break on it; Chromium had
 * to stop sending KeyUpdates when peers failed on them (crbug 923685,
 * haproxy/haproxy#24). */
#include "internal.h"

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version == 0x0304 ? NULL : "KeyUpdate exists in TLS 1.3 only";
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    static const uint8_t key_update[5] = {24, 0, 0, 1, 0}; /* update_not_requested */
    if (c->version != 0x0304 || !c->is_protected || !c->handshake_done || c->appdata_records)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->p[i].type != 23 || l->p[i].drop)
            continue;
        qr_piece p = {
            .type = 22, .data = key_update, .len = 5, .version = l->p[i].version, .rekey = true};
        qr_mark(&p, q, set);
        (void)qr_insert(l, l->n, &p);
        return;
    }
}

const quirk_def quirk_key_update = {
    .name = "key-update",
    .summary = "TLS 1.3 KeyUpdate after the first application data (peers that reject it, "
               "Mbed-TLS/mbedtls#10881)",
    .parse = quirk_parse_none,
    .inapplicable = inapplicable,
    .shape = shape,
};
