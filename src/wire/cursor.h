/* Read-only byte cursor: every parser in tlsprobe reads through it.
 *
 * A cursor is a borrowed view {data, len} into a caller-owned buffer.  Every
 * getter checks bounds once, advances on success and leaves the cursor
 * unchanged on failure.  Views returned through out parameters point into the
 * same buffer: never freed, valid as long as the buffer is. */
#ifndef TP_WIRE_CURSOR_H
#define TP_WIRE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TP_MUST_CHECK __attribute__((warn_unused_result))

typedef struct {
    const uint8_t *data;
    size_t len;
} cur_t;

static inline void cur_init(cur_t *c, const uint8_t *data, size_t len)
{
    c->data = data;
    c->len = len;
}

static inline size_t cur_len(const cur_t *c)
{
    return c->len;
}
static inline const uint8_t *cur_data(const cur_t *c)
{
    return c->data;
}

TP_MUST_CHECK static inline bool cur_skip(cur_t *c, size_t n)
{
    if (c->len < n)
        return false;
    c->data += n;
    c->len -= n;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_bytes(cur_t *c, cur_t *out, size_t n)
{
    if (c->len < n)
        return false;
    out->data = c->data;
    out->len = n;
    c->data += n;
    c->len -= n;
    return true;
}

TP_MUST_CHECK static inline bool cur_copy(cur_t *c, uint8_t *out, size_t n)
{
    if (c->len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = c->data[i];
    c->data += n;
    c->len -= n;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_uN(cur_t *c, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    if (c->len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | c->data[i];
    c->data += n;
    c->len -= n;
    *out = v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u8(cur_t *c, uint8_t *out)
{
    uint32_t v;
    if (!cur_get_uN(c, 1, &v))
        return false;
    *out = (uint8_t)v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u16(cur_t *c, uint16_t *out)
{
    uint32_t v;
    if (!cur_get_uN(c, 2, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u24(cur_t *c, uint32_t *out)
{
    return cur_get_uN(c, 3, out);
}

TP_MUST_CHECK static inline bool cur_get_u32(cur_t *c, uint32_t *out)
{
    return cur_get_uN(c, 4, out);
}

TP_MUST_CHECK static inline bool cur_get_u64(cur_t *c, uint64_t *out)
{
    uint32_t hi, lo;
    cur_t save = *c;
    if (!cur_get_u32(c, &hi) || !cur_get_u32(c, &lo)) {
        *c = save;
        return false;
    }
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

/* Little-endian getters (pcap and pcapng files written on little-endian
 * machines); same contract as the big-endian ones. */
TP_MUST_CHECK static inline bool cur_get_uNle(cur_t *c, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (c->len < n || n > 8)
        return false;
    for (size_t i = n; i > 0; i--)
        v = (v << 8) | c->data[i - 1];
    c->data += n;
    c->len -= n;
    *out = v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u16le(cur_t *c, uint16_t *out)
{
    uint64_t v;
    if (!cur_get_uNle(c, 2, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u32le(cur_t *c, uint32_t *out)
{
    uint64_t v;
    if (!cur_get_uNle(c, 4, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u64le(cur_t *c, uint64_t *out)
{
    return cur_get_uNle(c, 8, out);
}

/* Either byte order, chosen at run time (a capture file's header decides). */
TP_MUST_CHECK static inline bool cur_get_u16_order(cur_t *c, bool big_endian, uint16_t *out)
{
    return big_endian ? cur_get_u16(c, out) : cur_get_u16le(c, out);
}

TP_MUST_CHECK static inline bool cur_get_u32_order(cur_t *c, bool big_endian, uint32_t *out)
{
    return big_endian ? cur_get_u32(c, out) : cur_get_u32le(c, out);
}

TP_MUST_CHECK static inline bool cur_get_u64_order(cur_t *c, bool big_endian, uint64_t *out)
{
    return big_endian ? cur_get_u64(c, out) : cur_get_u64le(c, out);
}

/* Length-prefixed sub-views: the prefix is N bytes, big-endian.  On failure
 * (short prefix or short body) the cursor is left where it was. */
TP_MUST_CHECK static inline bool cur_get_prefixed(cur_t *c, size_t n, cur_t *out)
{
    cur_t save = *c;
    uint32_t l;
    if (!cur_get_uN(c, n, &l) || !cur_get_bytes(c, out, l)) {
        *c = save;
        return false;
    }
    return true;
}

TP_MUST_CHECK static inline bool cur_get_u8_prefixed(cur_t *c, cur_t *out)
{
    return cur_get_prefixed(c, 1, out);
}

TP_MUST_CHECK static inline bool cur_get_u16_prefixed(cur_t *c, cur_t *out)
{
    return cur_get_prefixed(c, 2, out);
}

TP_MUST_CHECK static inline bool cur_get_u24_prefixed(cur_t *c, cur_t *out)
{
    return cur_get_prefixed(c, 3, out);
}

#endif
