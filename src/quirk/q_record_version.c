/* record-version=0x0300..0x0303: the version field of the header of the
 * server's first record (the one carrying the ServerHello), or of every
 * record with record-version-scope=all.  RFC 5246 E.1:
 * the record-layer version of the first flight is not a commitment; the
 * ServerHello body says what was negotiated.
 *
 * Reproduces: clients that check the header version of the server's first
 * record instead of ignoring it, e.g. wolfSSL's TLS 1.3 client aborting with
 * "record layer version error" on a 0x0301 header (wolfSSL/wolfssl#11080). */
#include "internal.h"

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    if (!quirk_parse_uint(value, 0x0300, 0x0303, &q->n))
        return quirk_bad_value(q->def, value, err, err_len);
    return true;
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    /* record-version-scope=all (q_record_version_scope.c): every record */
    if (c->record != 1 && !quirk_scope_all(set, &quirk_record_version_scope, false))
        return;
    for (unsigned i = 0; i < l->n; i++) {
        l->p[i].version = (uint16_t)q->n;
        qr_mark(&l->p[i], q, set);
    }
}

const quirk_def quirk_record_version = {
    .name = "record-version",
    .values = "0x0300..0x0303",
    .summary = "header version of the ServerHello record (wolfSSL \"record layer version error\", "
               "wolfSSL/wolfssl#11080)",
    .parse = parse,
    .shape = shape,
};
