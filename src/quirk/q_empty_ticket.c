/* empty-ticket: in TLS 1.3, a post-handshake NewSessionTicket whose ticket
 * is empty, right before the server's first application data record.  RFC
 * 8446 4.6.1 has ticket<1..2^16-1>, so this is out of spec: a client may
 * reject it (OpenSSL answers decode_error).  TLS <= 1.2: the engine sends
 * no session tickets (RFC 5077), so there is none to empty.
 *
 * Reproduces: Mbed TLS 3.5 clients aborted the connection when a TLS 1.3
 * NewSessionTicket arrived (Mbed-TLS/mbedtls#8591); Mbed TLS clients also
 * accepted and stored an empty ticket instead of rejecting it with
 * decode_error (Mbed-TLS/mbedtls#10738), as BoringSSL did before it fixed
 * the same (aws/aws-lc#2367). */
#include "internal.h"

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version == 0x0304 ? NULL
                                : "the engine sends no session tickets before TLS 1.3 (RFC 5077 "
                                  "NewSessionTicket is not enabled)";
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    /* lifetime 7200 s, age_add 0, nonce <0>, ticket <0> (out of spec),
     * extensions <0> */
    static const uint8_t nst[4 + 13] = {4, 0, 0, 13, 0, 0, 0x1c, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (c->version != 0x0304 || !c->is_protected || !c->handshake_done || c->appdata_records)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->p[i].type != 23 || l->p[i].drop)
            continue;
        qr_piece p = {.type = 22, .data = nst, .len = sizeof nst, .version = l->p[i].version};
        qr_mark(&p, q, set);
        (void)qr_insert(l, i, &p);
        return;
    }
}

const quirk_def quirk_empty_ticket = {
    .name = "empty-ticket",
    .summary = "TLS 1.3 NewSessionTicket with an empty ticket before the first application data "
               "(Mbed TLS 3.5 aborted on tickets, Mbed-TLS/mbedtls#8591, #10738)",
    .out_of_spec = true,
    .parse = quirk_parse_none,
    .inapplicable = inapplicable,
    .shape = shape,
};
