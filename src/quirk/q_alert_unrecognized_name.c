/* alert-unrecognized-name: a warning unrecognized_name alert (RFC 6066 3)
 * before the ServerHello, as servers without a certificate for the SNI name
 * sent it (Apache httpd with ServerName not matching).
 *
 * Reproduces: Java 7's JSSE, which treated this warning as fatal
 * ("SSLProtocolException: handshake alert: unrecognized_name", JDK-7127374).
 * TLS <= 1.2 only: in TLS 1.3 every alert but close_notify/user_canceled is
 * fatal (RFC 8446 6). */
#include "internal.h"

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version == 0x0304 ? "a warning alert is fatal in TLS 1.3 (RFC 8446 6)" : NULL;
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    static const uint8_t alert[2] = {1, 112}; /* warning, unrecognized_name */
    if (c->record != 1 || c->version == 0x0304 || l->n == 0 || c->coalesced)
        return;
    qr_piece p = {.type = 21, .data = alert, .len = 2, .version = l->p[0].version, .clear = true};
    qr_mark(&p, q, set);
    (void)qr_insert(l, 0, &p);
}

const quirk_def quirk_alert_unrecognized_name = {
    .name = "alert-unrecognized-name",
    .summary = "warning unrecognized_name alert before the ServerHello (Java 7 treated it "
               "as fatal, JDK-7127374)",
    .parse = quirk_parse_none,
    .inapplicable = inapplicable,
    .shape = shape,
};
