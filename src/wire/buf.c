/* The growable builder; see buf.h for the contract. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_BUF_FIRST 256

void wire_buf_init(wire_buf *b, size_t max_len)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    /* room for the NUL; "no bound" stays clear of size_t overflow */
    b->limit = max_len && max_len < SIZE_MAX / 4 ? max_len + 1 : SIZE_MAX / 4;
    b->fixed = false;
    b->status = TP_OK;
}

void wire_buf_init_fixed(wire_buf *b, void *storage, size_t size)
{
    b->data = storage;
    b->len = 0;
    b->cap = size;
    b->limit = size;
    b->fixed = true;
    b->status = size ? TP_OK : TP_ERR_LIMIT;
    if (size)
        b->data[0] = '\0';
}

void wire_buf_cleanup(wire_buf *b)
{
    if (!b->fixed) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
    b->len = 0;
}

void wire_buf_reset(wire_buf *b)
{
    b->len = 0;
    b->status = b->cap || !b->fixed ? TP_OK : TP_ERR_LIMIT;
    if (b->cap)
        b->data[0] = '\0';
}

const char *wire_buf_str(const wire_buf *b)
{
    return b->cap ? (const char *)b->data : "";
}

static bool fail(wire_buf *b, tp_status st)
{
    if (b->status == TP_OK)
        b->status = st;
    return false;
}

/* Makes room for n more bytes and the NUL after them. */
static bool reserve(wire_buf *b, size_t n)
{
    if (b->status != TP_OK)
        return false;
    if (n >= b->limit - b->len)
        return fail(b, TP_ERR_LIMIT);
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    if (b->fixed)
        return fail(b, TP_ERR_LIMIT);
    size_t cap = b->cap ? b->cap : WIRE_BUF_FIRST;
    while (cap < need)
        cap *= 2;
    if (cap > b->limit)
        cap = b->limit;
    uint8_t *nd = realloc(b->data, cap);
    if (!nd)
        return fail(b, TP_ERR_NOMEM);
    b->data = nd;
    b->cap = cap;
    return true;
}

char *wire_buf_finish(wire_buf *b, size_t *out_len)
{
    if (b->status != TP_OK || b->fixed) {
        wire_buf_cleanup(b);
        return NULL;
    }
    if (!reserve(b, 0)) {
        wire_buf_cleanup(b);
        return NULL;
    }
    b->data[b->len] = '\0';
    char *out = (char *)b->data;
    if (out_len)
        *out_len = b->len;
    b->data = NULL;
    b->cap = 0;
    b->len = 0;
    return out;
}

size_t wire_buf_copy_out(const wire_buf *b, char *out, size_t cap, const char *cut_mark)
{
    if (cap == 0)
        return 0;
    size_t n = b->len;
    bool cut = b->status != TP_OK || n >= cap;
    if (n > cap - 1)
        n = cap - 1;
    if (n)
        memcpy(out, wire_buf_str(b), n);
    out[n] = '\0';
    size_t mark = strlen(cut_mark);
    if (cut && n >= mark)
        memcpy(out + n - mark, cut_mark, mark);
    return n;
}

uint8_t *wire_buf_space(wire_buf *b, size_t n)
{
    return reserve(b, n) ? b->data + b->len : NULL;
}

void wire_buf_commit(wire_buf *b, size_t used)
{
    if (b->status != TP_OK || used >= b->cap - b->len)
        return;
    b->len += used;
    b->data[b->len] = '\0';
}

void wire_buf_add_bytes(wire_buf *b, const void *p, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wire_buf_add_str(wire_buf *b, const char *s)
{
    wire_buf_add_bytes(b, s, strlen(s));
}

void wire_buf_add_char(wire_buf *b, char ch)
{
    wire_buf_add_bytes(b, &ch, 1);
}

static void add_be(wire_buf *b, uint32_t v, size_t n)
{
    uint8_t x[4];
    for (size_t i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    wire_buf_add_bytes(b, x, n);
}

void wire_buf_add_u8(wire_buf *b, uint8_t v)
{
    add_be(b, v, 1);
}

void wire_buf_add_u16(wire_buf *b, uint16_t v)
{
    add_be(b, v, 2);
}

void wire_buf_add_u24(wire_buf *b, uint32_t v)
{
    add_be(b, v & 0xffffffu, 3);
}

void wire_buf_add_u32(wire_buf *b, uint32_t v)
{
    add_be(b, v, 4);
}

void wire_buf_add_u16le(wire_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    wire_buf_add_bytes(b, x, 2);
}

void wire_buf_add_u32le(wire_buf *b, uint32_t v)
{
    uint8_t x[4];
    for (size_t i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    wire_buf_add_bytes(b, x, 4);
}

void wire_buf_add_uint(wire_buf *b, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    wire_buf_add_bytes(b, tmp + i, sizeof tmp - i);
}

void wire_buf_printf(wire_buf *b, const char *fmt, ...)
{
    if (b->status != TP_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fail(b, TP_ERR_LIMIT);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char hex_digits[] = "0123456789abcdef";

void wire_buf_add_hex(wire_buf *b, cur_t c)
{
    uint8_t *out = wire_buf_space(b, 2 * cur_len(&c));
    if (!out)
        return;
    const uint8_t *p = cur_data(&c);
    for (size_t i = 0; i < cur_len(&c); i++) {
        out[2 * i] = (uint8_t)hex_digits[p[i] >> 4];
        out[2 * i + 1] = (uint8_t)hex_digits[p[i] & 15];
    }
    wire_buf_commit(b, 2 * cur_len(&c));
}

void wire_buf_add_escaped(wire_buf *b, cur_t c, bool escape_backslash)
{
    uint8_t ch;
    while (cur_get_u8(&c, &ch)) {
        if (ch >= 0x20 && ch < 0x7f && !(escape_backslash && ch == '\\')) {
            wire_buf_add_char(b, (char)ch);
        } else {
            char x[4] = {'\\', 'x', hex_digits[ch >> 4], hex_digits[ch & 15]};
            wire_buf_add_bytes(b, x, 4);
        }
    }
}

/* The two-character escape of a JSON control or quote, or NULL. */
static const char *json_short_escape(unsigned char c)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        return NULL;
    }
}

void wire_buf_add_json_str(wire_buf *b, const char *s)
{
    wire_buf_put(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = json_short_escape(c);
        if (!esc && c >= 0x20)
            continue;
        wire_buf_put(b, run, (size_t)(s - run));
        run = s + 1;
        if (esc) {
            wire_buf_put(b, esc, 2);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15]};
            wire_buf_put(b, u, 6);
        }
    }
    wire_buf_put(b, run, (size_t)(s - run));
    wire_buf_put(b, "\"", 1);
}
