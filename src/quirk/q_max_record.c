/* max-record=N: no record carries more than N bytes of content (handshake
 * and application data; alerts and ChangeCipherSpec are one unit each), as
 * a server honouring max_fragment_length (RFC 6066 4) or record_size_limit
 * (RFC 8449) would write.
 *
 * Reproduces: embedded clients that ask for small records but cannot
 * reassemble the handshake messages a compliant server then splits (Mbed TLS
 * without handshake defragmentation, Mbed-TLS/mbedtls#1840; its own
 * max_fragment_length support covered application data only, #387). */
#include "internal.h"

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    (void)c;
    for (unsigned i = 0; i < l->n; i++) {
        unsigned t = l->p[i].type;
        if ((t == 22 || t == 23) && !l->p[i].drop)
            i += qr_split(l, i, (size_t)q->n, q, set) - 1;
    }
}

const quirk_def quirk_max_record = {
    .name = "max-record",
    .values = "N (1..16384)",
    .summary = "records of at most N content bytes, as for max_fragment_length (stacks without "
               "reassembly, Mbed-TLS/mbedtls#1840)",
    .parse = quirk_parse_size,
    .shape = shape,
};
