/* ccs-compat=on|off: TLS 1.3 middlebox-compatibility ChangeCipherSpec
 * (RFC 8446 D.4).  on: one CCS right after the record of the server's first
 * ServerHello/HelloRetryRequest, whether or not the client sent a
 * session id; off: the engine's CCS records are dropped.  RFC 8446 5: a
 * peer MUST drop such a CCS, at any time before the Finished.
 *
 * Reproduces: TLS 1.3 clients whose state machine insists on where the
 * compatibility CCS comes, e.g. Erlang/OTP's client failing with
 * unexpected_message in hello_retry_middlebox_assert (erlang/otp#11237);
 * the mode itself exists because middleboxes broke without it. */
#include <string.h>

#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value && strcmp(value, "off") == 0)
        q->mode = 0;
    else if (value && strcmp(value, "on") == 0)
        q->mode = 1;
    else
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version == 0x0304 ? NULL : "the compatibility CCS exists in TLS 1.3 only";
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    static const uint8_t ccs[1] = {1};
    if (c->version != 0x0304)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        if (l->p[i].type == 20 && l->p[i].clear) {
            l->p[i].drop = true; /* ours replaces it (on) or none (off) */
            qr_mark(&l->p[i], q, set);
        }
    }
    if (q->mode == 1 && c->record == 1 && !c->coalesced) {
        qr_piece p = {.type = 20, .data = ccs, .len = 1, .version = 0x0303, .clear = true};
        qr_mark(&p, q, set);
        (void)qr_insert(l, l->n, &p);
    }
}

const quirk_def quirk_ccs_compat = {
    .name = "ccs-compat",
    .values = "on|off",
    .summary =
        "TLS 1.3 middlebox-compatibility CCS forced on or off (Erlang/OTP unexpected_message, "
        "erlang/otp#11237)",
    .parse = parse,
    .inapplicable = inapplicable,
    .shape = shape,
};
