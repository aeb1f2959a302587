/* record-version-scope=first|all: which records record-version relabels.
 * "first" (the default) is the server's first record, the one carrying the
 * ServerHello: RFC 5246 E.1 says a client SHOULD accept any {03,xx} there,
 * so that one is in spec.  "all" relabels every record of the server, also
 * the protected ones (their MAC or AEAD additional data then carries the
 * header version as written, so they stay valid records of that header).
 * That is out of spec: RFC 5246 6.2.1 wants the negotiated version on every
 * later record, and RFC 8446 5.1 wants 0x0303 (which receivers MUST ignore).
 *
 * Reproduces: servers and middleboxes that kept writing the version of the
 * first flight on every record, against clients that check every header
 * (OpenSSL's "wrong version number", the alert clients send then), and
 * TLS 1.3 clients that do not ignore legacy_record_version as they must. */
#include <string.h>

#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (value && strcmp(value, "first") == 0)
        q->mode = 0;
    else if (value && strcmp(value, "all") == 0)
        q->mode = 1;
    else
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)q, (void)set, (void)c, (void)l; /* read by record-version */
}

const quirk_def quirk_record_version_scope = {
    .name = "record-version-scope",
    .values = "first|all",
    .summary = "which records record-version relabels: the ServerHello's (in spec) or all "
               "(clients that check every header: OpenSSL \"wrong version number\")",
    .out_of_spec = true,
    .parse = parse,
    .shape = shape,
};
