/* The one writer: a growable byte and string builder with a sticky error
 * (in the spirit of BoringSSL's CBB; the cursor in cursor.h is its reader).
 *
 * A builder either owns a heap buffer that grows up to a ceiling
 * (wire_buf_init) or writes into caller storage that never grows
 * (wire_buf_init_fixed).  The bytes are always followed by a NUL, so text
 * built here is a C string.  When an append cannot be made (allocation
 * failure, ceiling reached, storage full, printf error) the builder records
 * the error and every later call is a no-op: a writer appends without
 * checking and asks once at the end (wire_buf_status, wire_buf_finish).
 * No I/O. */
#ifndef TP_WIRE_BUF_H
#define TP_WIRE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "status.h"

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;   /* bytes of storage (len + 1 at most, for the NUL) */
    size_t limit; /* ceiling on cap */
    bool fixed;   /* caller storage: never grown, never freed */
    tp_status status;
} wire_buf;

/* Growable builder; max_len bounds the content (0: no bound beyond memory).
 * Allocates nothing until the first append. */
void wire_buf_init(wire_buf *b, size_t max_len);
/* Builder over caller storage of size bytes: at most size - 1 bytes of
 * content and a NUL (size 0: every append fails). */
void wire_buf_init_fixed(wire_buf *b, void *storage, size_t size);
/* Frees an owned buffer; the builder is then empty (and still usable). */
void wire_buf_cleanup(wire_buf *b);
/* Empties the builder and clears its error; keeps the storage. */
void wire_buf_reset(wire_buf *b);

/* TP_OK, TP_ERR_NOMEM (allocation failed) or TP_ERR_LIMIT (ceiling or
 * storage reached, or a printf format failed). */
static inline tp_status wire_buf_status(const wire_buf *b)
{
    return b->status;
}
static inline bool wire_buf_ok(const wire_buf *b)
{
    return b->status == TP_OK;
}
static inline size_t wire_buf_len(const wire_buf *b)
{
    return b->len;
}
/* The content, NUL-terminated ("" while empty); valid until the next append. */
const char *wire_buf_str(const wire_buf *b);
static inline const uint8_t *wire_buf_data(const wire_buf *b)
{
    return (const uint8_t *)wire_buf_str(b);
}
/* Hands the owned heap content to the caller (free() it) with its length;
 * NULL (and the builder freed) when the builder failed or is fixed. */
TP_MUST_CHECK char *wire_buf_finish(wire_buf *b, size_t *out_len);

/* Copies the content into caller storage of cap bytes, NUL-terminated:
 * at most cap - 1 characters.  When it does not all fit, or the builder
 * failed, the copy ends in cut_mark (e.g. "...", or "" for a silent cut) so
 * a reader knows.  Returns the characters written. */
size_t wire_buf_copy_out(const wire_buf *b, char *out, size_t cap, const char *cut_mark);

/* Room for n more bytes at the end (not yet counted in the length), or
 * NULL when it cannot be had (the error is then recorded).  Follow with
 * wire_buf_commit(b, used) for used <= n. */
uint8_t *wire_buf_space(wire_buf *b, size_t n);
void wire_buf_commit(wire_buf *b, size_t used);

void wire_buf_add_bytes(wire_buf *b, const void *p, size_t n);
/* The same, inlined when the bytes fit the storage there is (the JSON
 * writers' many short appends); otherwise wire_buf_add_bytes. */
static inline void wire_buf_put(wire_buf *b, const void *p, size_t n)
{
    if (n && b->status == TP_OK && b->len + n < b->cap) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        wire_buf_add_bytes(b, p, n);
    }
}
void wire_buf_add_str(wire_buf *b, const char *s);
void wire_buf_add_char(wire_buf *b, char ch);
/* Big-endian integers, as on the wire. */
void wire_buf_add_u8(wire_buf *b, uint8_t v);
void wire_buf_add_u16(wire_buf *b, uint16_t v);
void wire_buf_add_u24(wire_buf *b, uint32_t v);
void wire_buf_add_u32(wire_buf *b, uint32_t v);
/* Little-endian integers (pcapng as tlsprobe writes it). */
void wire_buf_add_u16le(wire_buf *b, uint16_t v);
void wire_buf_add_u32le(wire_buf *b, uint32_t v);
/* Decimal text of v. */
void wire_buf_add_uint(wire_buf *b, unsigned long long v);
/* printf-style text (the whole rendering or nothing). */
__attribute__((format(printf, 2, 3))) void wire_buf_printf(wire_buf *b, const char *fmt, ...);
/* Lower-case hex of the bytes of c. */
void wire_buf_add_hex(wire_buf *b, cur_t c);
/* Peer-chosen bytes as printable ASCII, anything else (and, when
 * escape_backslash, '\') as \xNN, so the result is valid UTF-8. */
void wire_buf_add_escaped(wire_buf *b, cur_t c, bool escape_backslash);
/* s as a quoted JSON string, escaped as json-c does with
 * JSON_C_TO_STRING_NOSLASHESCAPE (", \, \b \f \n \r \t, other controls
 * as \u00XX; bytes >= 0x20 as they are). */
void wire_buf_add_json_str(wire_buf *b, const char *s);

#endif
