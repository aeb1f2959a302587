/* hello-request: the server asks for a renegotiation (HelloRequest, RFC
 * 5246 7.4.1.1) right after its first application data record, TLS <= 1.2.
 * The engine sends the HelloRequest and runs the new handshake (the server
 * calls tp_rewriter_take_hello_request() after each write); the rewriter
 * marks the record that carried it and follows the new handshake's keys
 * (rewriter.c).
 *
 * Reproduces: clients that break on a server-requested renegotiation:
 * Bouncy Castle's JSSE client answered an IIS server's HelloRequest with
 * no_renegotiation and the connection then failed (bcgit/bc-java#593);
 * clients that decline it (OpenSSL with SSL_OP_NO_RENEGOTIATION, RFC 5246
 * 7.4.1.1 allows that) meet servers that require it. */
#include "internal.h"

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    return c->version && c->version <= 0x0303 ? NULL
                                               : "HelloRequest exists in TLS 1.2 and earlier only";
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    if (!c->handshake_done || !c->is_protected || c->version > 0x0303)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        const qr_piece *p = &l->p[i];
        if (p->type == 22 && p->len >= 4 && p->data[0] == 0 && p->data[1] == 0 &&
            p->data[2] == 0 && p->data[3] == 0)
            qr_mark(&l->p[i], q, set);
    }
}

const quirk_def quirk_hello_request = {
    .name = "hello-request",
    .summary = "HelloRequest after the first application data, TLS <= 1.2: the server renegotiates "
               "(clients that refuse or fail, bcgit/bc-java#593)",
    .parse = quirk_parse_none,
    .inapplicable = inapplicable,
    .shape = shape,
};
