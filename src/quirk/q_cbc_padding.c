/* cbc-padding=minimal|max|random|N: the padding length of CBC records
 * (RFC 5246 6.2.3.2 allows any length up to 255 that block-aligns the
 * record; receivers must check every padding byte, whatever the length).
 *
 * Reproduces: clients that reject non-minimal padding with bad_record_mac.
 * GnuTLS before 3.1.7 padded with a random length ("random"), and its API
 * kept gnutls_record_disable_padding() / %COMPAT for "buggy clients that
 * complain if a server pads the encrypted data" (gnutls_record_disable_
 * padding(3)); 2006-era phone stacks were such clients.
 * cbc-padding-scope=first|all (q_cbc_padding_scope.c) picks the first
 * protected record (the server's Finished in TLS <= 1.2) or all of them. */
#include <openssl/rand.h>
#include <string.h>

#include "internal.h"

enum { PAD_MINIMAL, PAD_MAX, PAD_RANDOM, PAD_N };

static bool parse(const char *value, tp_quirk *q, char *err, size_t err_len)
{
    static const char *const names[] = {"minimal", "max", "random"};
    for (int i = 0; value && i < 3; i++) {
        if (strcmp(value, names[i]) == 0) {
            q->mode = i;
            return true;
        }
    }
    if (quirk_parse_uint(value, 0, 255, &q->n)) {
        q->mode = PAD_N;
        return true;
    }
    return quirk_bad_value(q->def, value, err, err_len);
}

static const char *inapplicable(const tp_quirk *q, const qr_ctx *c)
{
    (void)q;
    if (c->version == 0x0304)
        return "TLS 1.3 has no CBC records";
    if (!c->suite_known)
        return "tlsprobe's record code cannot seal the negotiated suite";
    if (c->suite.family != CRYPTO_FAMILY_CBC)
        return "the negotiated suite is not a CBC suite";
    return NULL;
}

/* Padding bytes (not counting the length byte) for len bytes of content. */
static unsigned pad_len(const tp_quirk *q, const qr_ctx *c, size_t len)
{
    unsigned bs = (unsigned)c->suite.block_len;
    size_t body = len + 1 + (c->etm ? 0 : c->suite.mac_len);
    unsigned pmin = (unsigned)((bs - body % bs) % bs);
    unsigned kmax = (255 - pmin) / bs;
    switch (q->mode) {
    case PAD_MAX:
        return pmin + kmax * bs;
    case PAD_RANDOM: {
        unsigned char r = 0;
        if (RAND_bytes(&r, 1) != 1)
            r = 0;
        return pmin + bs * (r % (kmax + 1));
    }
    case PAD_N: /* the longest valid length not above N (at least the minimum) */
        return (unsigned)q->n < pmin ? pmin : pmin + ((unsigned)q->n - pmin) / bs * bs;
    default:
        return pmin;
    }
}

static void shape(const tp_quirk *q, const tp_quirk_set *set, const qr_ctx *c, qr_list *l)
{
    if (!c->is_protected || inapplicable(q, c))
        return;
    bool first = !quirk_scope_all(set, &quirk_cbc_padding_scope, true);
    if (first && c->protected_record != 1)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        qr_piece *p = &l->p[i];
        if (p->drop || p->clear)
            continue;
        p->cbc_pad_set = true;
        p->cbc_pad_len = pad_len(q, c, p->len);
        qr_mark(p, q, set);
        if (first)
            break;
    }
}

const quirk_def quirk_cbc_padding = {
    .name = "cbc-padding",
    .values = "minimal|max|random|N (0..255)",
    .summary = "CBC padding length; GnuTLS < 3.1.7 random padding broke old phones "
               "(bad_record_mac)",
    .parse = parse,
    .inapplicable = inapplicable,
    .shape = shape,
};
