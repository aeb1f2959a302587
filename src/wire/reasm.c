/* Reassembly of records and handshake messages (wire/reasm.h).  No I/O;
 * the buffers hold at most one incomplete unit each. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#include "handshake.h"

/* Grows *buf to hold need bytes (doubling from `start`). */
static bool reserve(uint8_t **buf, size_t *cap, size_t need, size_t start)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : start;
    while (n < need)
        n *= 2;
    uint8_t *nb = realloc(*buf, n);
    if (!nb)
        return false;
    *buf = nb;
    *cap = n;
    return true;
}

/* Drops the first `used` bytes of a buffer (what the last pull handed out). */
static void drop_front(uint8_t **buf, size_t *len, size_t *cap, size_t *used)
{
    if (*used == 0)
        return;
    memmove(*buf, *buf + *used, *len - *used);
    *len -= *used;
    *used = 0;
    if (*len == 0) {
        free(*buf);
        *buf = NULL;
        *cap = 0;
    }
}

/* Moves up to `take` pushed bytes to the end of a buffer. */
static void take_input(const uint8_t **in, size_t *in_len, uint8_t *buf, size_t *len, size_t take)
{
    if (take > *in_len)
        take = *in_len;
    memcpy(buf + *len, *in, take);
    *len += take;
    *in += take;
    *in_len -= take;
}

void wire_reasm_init(wire_reasm *r)
{
    memset(r, 0, sizeof *r);
}

void wire_reasm_free(wire_reasm *r)
{
    free(r->buf);
    wire_reasm_init(r);
}

void wire_reasm_push(wire_reasm *r, const uint8_t *p, size_t len)
{
    r->in = p;
    r->in_len = len;
}

size_t wire_reasm_pending(const wire_reasm *r)
{
    return r->len - r->used;
}

/* ---- records ---------------------------------------------------------- */

/* The bytes one record needs, from what is buffered of it. */
static size_t record_want(const wire_framer *f)
{
    size_t want = WIRE_RECORD_HEADER_LEN;
    if (f->len >= 3 && (f->buf[0] & 0x80) && f->buf[2] == 1)
        want = 2 + (((size_t)f->buf[0] & 0x7f) << 8 | f->buf[1]); /* SSLv2 framing */
    else if (f->len >= WIRE_RECORD_HEADER_LEN)
        want = WIRE_RECORD_HEADER_LEN + ((size_t)f->buf[3] << 8 | f->buf[4]);
    if (want > WIRE_RECORD_HEADER_LEN + WIRE_MAX_CIPHERTEXT)
        want = WIRE_RECORD_HEADER_LEN; /* let wire_record_parse name the problem */
    return want;
}

tp_status wire_framer_pull(wire_framer *f, wire_record *rec, cur_t *bad)
{
    drop_front(&f->buf, &f->len, &f->cap, &f->used);
    for (;;) {
        cur_t c;
        size_t need = 0;
        if (f->len == 0) {
            /* fast path: whole records straight from the pushed bytes */
            if (f->in_len == 0)
                return TP_ERR_TRUNCATED;
            cur_init(&c, f->in, f->in_len);
            tp_status st = wire_record_parse(&c, rec, &need);
            if (st == TP_OK) {
                f->in_len = cur_len(&c);
                f->in = cur_data(&c);
                return TP_OK;
            }
            if (st != TP_ERR_TRUNCATED) {
                cur_init(bad, f->in, f->in_len);
                return st;
            }
        }
        /* a partial record: gather exactly one record's bytes, then frame it */
        size_t want = record_want(f);
        size_t take = want > f->len ? want - f->len : 0;
        if (take > f->in_len)
            take = f->in_len;
        if (!reserve(&f->buf, &f->cap, f->len + take, 64))
            return TP_ERR_NOMEM;
        take_input(&f->in, &f->in_len, f->buf, &f->len, take);
        cur_init(&c, f->buf, f->len);
        tp_status st = wire_record_parse(&c, rec, &need);
        if (st == TP_OK) {
            f->used = f->len - cur_len(&c);
            return TP_OK;
        }
        if (st != TP_ERR_TRUNCATED) {
            cur_init(bad, f->buf, f->len);
            return st;
        }
        if (take == 0 || f->in_len == 0)
            return TP_ERR_TRUNCATED; /* wait for more */
    }
}

/* ---- handshake messages ----------------------------------------------- */

/* Whether p holds a whole message; *n is its length when so, or the header's
 * declared body length when that is over WIRE_HS_MAX_LEN (then *over). */
static bool whole_message(const uint8_t *p, size_t len, size_t *n, uint32_t *body, bool *over)
{
    cur_t c;
    uint8_t type;
    cur_init(&c, p, len);
    *over = false;
    if (wire_hs_peek_header(&c, &type, body) != TP_OK)
        return false;
    *n = WIRE_HS_HEADER_LEN + (size_t)*body;
    *over = *body > WIRE_HS_MAX_LEN;
    return len >= *n;
}

tp_status wire_hs_reasm_pull(wire_hs_reasm *r, const uint8_t **msg, size_t *msg_len,
                             uint32_t *declared)
{
    drop_front(&r->buf, &r->len, &r->cap, &r->used);
    size_t n = 0;
    uint32_t body = 0;
    bool over;
    /* fast path: whole messages straight from the record */
    if (r->len == 0 && whole_message(r->in, r->in_len, &n, &body, &over)) {
        *msg = r->in;
        *msg_len = n;
        r->in += n;
        r->in_len -= n;
        return TP_OK;
    }
    for (;;) {
        size_t want = WIRE_HS_HEADER_LEN;
        if (r->len >= WIRE_HS_HEADER_LEN) {
            bool whole = whole_message(r->buf, r->len, &n, &body, &over);
            if (over) {
                if (declared)
                    *declared = body;
                return TP_ERR_OVERSIZED;
            }
            if (whole) {
                *msg = r->buf;
                *msg_len = r->used = n;
                return TP_OK;
            }
            want = n;
        }
        if (r->in_len == 0)
            return TP_ERR_TRUNCATED;
        size_t take = want - r->len;
        if (!reserve(&r->buf, &r->cap, r->len + (take < r->in_len ? take : r->in_len), 256))
            return TP_ERR_NOMEM;
        take_input(&r->in, &r->in_len, r->buf, &r->len, take);
    }
}
