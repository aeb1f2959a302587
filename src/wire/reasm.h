/* Reassembly, I/O-free: a per-direction record framer with bounded
 * buffering that hands out whole records (RFC 5246 6.2.1), and a handshake
 * message reassembler across records (messages may span records and several
 * may share one).  The caller pushes bytes and pulls whole units; what is
 * handed out stays valid until the next pull or push. */
#ifndef TP_WIRE_REASM_H
#define TP_WIRE_REASM_H

#include <stdbool.h>

#include "record.h"

/* One reassembly buffer: bytes pushed and not yet used, and the bytes of
 * one incomplete unit (a record, or a handshake message). */
typedef struct {
    uint8_t *buf; /* bytes of one incomplete unit */
    size_t len, cap;
    size_t used;       /* bytes of buf handed out by the last pull */
    const uint8_t *in; /* pushed bytes not yet handed out or buffered */
    size_t in_len;
} wire_reasm;

void wire_reasm_init(wire_reasm *r);
void wire_reasm_free(wire_reasm *r);
/* Bytes that follow the previous ones; they must stay valid until a pull
 * returns something other than TP_OK. */
void wire_reasm_push(wire_reasm *r, const uint8_t *p, size_t len);
/* Bytes of an incomplete unit held back. */
size_t wire_reasm_pending(const wire_reasm *r);

/* ---- records ---------------------------------------------------------- */

/* A per-direction record framer: buffers at most one record's bytes. */
typedef wire_reasm wire_framer;

/* The next whole record.
 * TP_OK: *rec filled (it points into pushed bytes or the framer's buffer).
 * TP_ERR_TRUNCATED: every pushed byte is used; a partial record is kept.
 * TP_ERR_NOT_TLS, TP_ERR_OVERSIZED (wire_record_parse): *bad is the bytes
 *   from the bad record on (what is known of them); the stream is lost.
 * TP_ERR_NOMEM: buffering failed. */
TP_MUST_CHECK tp_status wire_framer_pull(wire_framer *f, wire_record *rec, cur_t *bad);

/* ---- handshake messages ----------------------------------------------- */

/* A handshake message reassembler: push the handshake bytes of each record. */
typedef wire_reasm wire_hs_reasm;

/* The next whole message, header included (WIRE_HS_HEADER_LEN + body).
 * TP_OK: *msg, *msg_len set.
 * TP_ERR_TRUNCATED: every pushed byte is used; a partial message is kept.
 * TP_ERR_OVERSIZED: a message declares a body over WIRE_HS_MAX_LEN
 *   (*declared, when not NULL, is that length).
 * TP_ERR_NOMEM: buffering failed. */
TP_MUST_CHECK tp_status wire_hs_reasm_pull(wire_hs_reasm *r, const uint8_t **msg, size_t *msg_len,
                                           uint32_t *declared);

#endif
