/* The record rewriter: frames what the engine pushes, opens protected
 * records with the engine's keys, lets each quirk of the set reshape the
 * record into pieces, and writes the pieces out (sealed with the rewriter's
 * own write state when protected).
 *
 * Two crypto_conns, fed the same secrets: `cc` opens the engine's records
 * (the engine's sequence numbers and IV chain), `sc` seals the records
 * actually written (ours).  Both change epoch together (CCS in TLS <= 1.2;
 * ServerHello and the server's Finished in TLS 1.3), which the rewriter
 * learns from the engine's own plaintext; only a KeyUpdate that a quirk
 * injects moves `sc` alone.  A renegotiation (TLS <= 1.2): the second
 * ServerHello goes by inside the protected epoch; the new handshake's
 * client random comes with the engine's next key log line, and the
 * server's next ChangeCipherSpec moves both to the new keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/conn.h"
#include "../crypto/keylog.h"
#include "../wire/ext.h"
#include "../wire/handshake.h"
#include "../wire/record.h"
#include "internal.h"

/* Scratch space of one record being rewritten (nothing in it outlives a
 * call): per thread, so an idle connection costs no 36 KiB. */
static _Thread_local uint8_t plain[WIRE_MAX_CIPHERTEXT];
static _Thread_local uint8_t sealed[WIRE_RECORD_HEADER_LEN + WIRE_MAX_CIPHERTEXT];

struct tp_rewriter {
    const tp_quirk_set *set;
    tp_rewriter_out out;
    crypto_conn *cc, *sc;
    uint8_t *in; /* a partial record from the engine */
    size_t in_len, in_cap;
    uint8_t *hs; /* a partial handshake message of the engine */
    size_t hs_len, hs_cap;
    bool have_cr, hello_pending, hello_set, is_protected;
    uint8_t cr[32], sr[32];
    uint16_t suite_id;
    bool tls13_finished; /* the record carried the server's Finished (1.3) */
    bool key_update;     /* the record carried a KeyUpdate (1.3) */
    bool hello_in_record;
    bool passthrough; /* given up: the engine's bytes go out as they are */
    bool checked;     /* applicability reported */
    bool reneg_wait;  /* a renegotiation's ServerHello: its client random comes with the key log */
    bool hello_request_sent; /* hello-request: asked for once */
    char early_line[200];    /* a renegotiation's line that came before its ServerHello */
    qr_ctx ctx;
    qr_list pieces;
    qr_list joined; /* the pieces of a flushed coalesced record */
    uint8_t *pend;  /* handshake pieces waiting to share a record (allocated when used) */
    size_t pend_len;
    uint16_t pend_version;
    unsigned pend_quirks;
    char label[sizeof(((tp_quirk_set *)0)->all_label)]; /* of the record being written */
};

tp_rewriter *tp_rewriter_new(const tp_quirk_set *set, const tp_rewriter_out *out)
{
    tp_rewriter *rw = calloc(1, sizeof *rw);
    if (!rw)
        return NULL;
    rw->set = set;
    rw->out = *out;
    rw->cc = crypto_conn_new();
    rw->sc = crypto_conn_new();
    if (!rw->cc || !rw->sc) {
        crypto_conn_free(rw->cc);
        crypto_conn_free(rw->sc);
        free(rw);
        return NULL;
    }
    return rw;
}

void tp_rewriter_free(tp_rewriter *rw)
{
    if (!rw)
        return;
    crypto_conn_free(rw->cc);
    crypto_conn_free(rw->sc);
    free(rw->in);
    free(rw->hs);
    free(rw->pend);
    free(rw->pieces.p);
    free(rw->joined.p);
    free(rw);
}

static void note(tp_rewriter *rw, const char *fmt, const char *a, const char *b)
{
    char text[256];
    snprintf(text, sizeof text, fmt, a, b);
    if (rw->out.note)
        rw->out.note(rw->out.ctx, text);
}

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    uint8_t *nb = realloc(*buf, c);
    if (!nb)
        return false;
    *buf = nb;
    *cap = c;
    return true;
}

static void hello_apply(tp_rewriter *rw)
{
    if (!rw->hello_pending || !rw->have_cr || rw->reneg_wait)
        return;
    crypto_conn_set_hello(rw->cc, rw->cr, rw->sr, rw->ctx.version, rw->suite_id, rw->ctx.etm);
    crypto_conn_set_hello(rw->sc, rw->cr, rw->sr, rw->ctx.version, rw->suite_id, rw->ctx.etm);
    rw->hello_pending = false;
    rw->hello_set = true;
}

void tp_rewriter_add_secret(tp_rewriter *rw, const char *nss_line)
{
    crypto_keylog_entry e;
    if (!rw || crypto_keylog_parse_line(nss_line, strlen(nss_line), &e) != TP_OK ||
        e.label == CRYPTO_KL_NONE)
        return;
    if (rw->ctx.handshake_done && !rw->reneg_wait && rw->have_cr &&
        memcmp(rw->cr, e.client_random, 32) != 0 && rw->ctx.version <= 0x0303) {
        /* the next handshake's line before its ServerHello (an engine that
         * resumes the session in the renegotiation logs it at the
         * ClientHello): kept until the ServerHello goes by */
        snprintf(rw->early_line, sizeof rw->early_line, "%s", nss_line);
        return;
    }
    if (rw->reneg_wait && memcmp(rw->cr, e.client_random, 32) != 0) {
        /* the renegotiation's line: new hello, the active keys stay */
        memcpy(rw->cr, e.client_random, 32);
        rw->reneg_wait = false;
        hello_apply(rw);
    } else if (!rw->have_cr) {
        memcpy(rw->cr, e.client_random, 32);
        rw->have_cr = true;
        crypto_conn_set_client_random(rw->cc, rw->cr);
        crypto_conn_set_client_random(rw->sc, rw->cr);
    }
    if (crypto_conn_add_secret(rw->cc, &e) != TP_OK || crypto_conn_add_secret(rw->sc, &e) != TP_OK)
        return; /* another connection's line, or a label with no use here */
    hello_apply(rw);
}

/* ---- the engine's handshake messages ---- */

static void on_server_hello(tp_rewriter *rw, const uint8_t *msg, size_t len)
{
    static _Thread_local wire_handshake m;
    wire_hs_ctx hctx = {0};
    if (wire_hs_parse(&hctx, msg, len, &m) != TP_OK || m.type != WIRE_HS_SERVER_HELLO)
        return;
    const wire_server_hello *sh = &m.u.server_hello;
    rw->ctx.version = sh->selected_version;
    rw->hello_in_record = true;
    if (sh->hello_retry_request || cur_len(&sh->random) != 32)
        return;
    cur_t body;
    memcpy(rw->sr, cur_data(&sh->random), 32);
    rw->suite_id = sh->cipher_suite;
    rw->ctx.hello_seen = true;
    rw->ctx.suite_known = crypto_suite_lookup(sh->cipher_suite, &rw->ctx.suite) == TP_OK;
    rw->ctx.etm = sh->has_extensions &&
                  wire_ext_find(sh->extensions, WIRE_EXT_ENCRYPT_THEN_MAC, &body) &&
                  rw->ctx.suite_known && rw->ctx.suite.family == CRYPTO_FAMILY_CBC;
    rw->hello_pending = true;
    rw->reneg_wait = rw->ctx.handshake_done && rw->ctx.version <= 0x0303;
    if (rw->reneg_wait && rw->early_line[0]) {
        char line[sizeof rw->early_line];
        memcpy(line, rw->early_line, sizeof line);
        rw->early_line[0] = '\0';
        tp_rewriter_add_secret(rw, line);
    }
    hello_apply(rw);
}

static void on_message(tp_rewriter *rw, const uint8_t *msg, size_t len)
{
    switch (msg[0]) {
    case WIRE_HS_SERVER_HELLO:
        on_server_hello(rw, msg, len);
        break;
    case WIRE_HS_FINISHED:
        if (rw->ctx.version == 0x0304)
            rw->tls13_finished = true;
        break;
    case WIRE_HS_KEY_UPDATE:
        if (rw->ctx.version == 0x0304 && rw->ctx.handshake_done)
            rw->key_update = true;
        break;
    default:
        break;
    }
}

/* Follows the engine's handshake stream (messages may span records). */
static void track_handshake(tp_rewriter *rw, const uint8_t *p, size_t len)
{
    if (len == 0)
        return; /* an empty handshake record: nothing to follow (and no buffer yet) */
    if (!grow(&rw->hs, &rw->hs_cap, rw->hs_len + len))
        return;
    memcpy(rw->hs + rw->hs_len, p, len);
    rw->hs_len += len;
    size_t off = 0;
    while (rw->hs_len - off >= WIRE_HS_HEADER_LEN) {
        const uint8_t *m = rw->hs + off;
        size_t body = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
        if (rw->hs_len - off < WIRE_HS_HEADER_LEN + body)
            break;
        on_message(rw, m, WIRE_HS_HEADER_LEN + body);
        off += WIRE_HS_HEADER_LEN + body;
    }
    memmove(rw->hs, rw->hs + off, rw->hs_len - off);
    rw->hs_len -= off;
}

/* ---- writing ---- */

static void emit(tp_rewriter *rw, const uint8_t *data, size_t len, const char *quirk)
{
    rw->out.emit(rw->out.ctx, data, len, quirk);
}

static void put_header(uint8_t *h, unsigned type, uint16_t version, size_t len)
{
    h[0] = (uint8_t)type;
    h[1] = (uint8_t)(version >> 8);
    h[2] = (uint8_t)version;
    h[3] = (uint8_t)(len >> 8);
    h[4] = (uint8_t)len;
}

/* "hs-fragment=50,cbc-padding=max": the quirks that shaped a piece, in the
 * order given; NULL for none. */
static const char *label_of(tp_rewriter *rw, unsigned quirks)
{
    size_t w = 0;
    rw->label[0] = '\0';
    for (unsigned i = 0; i < rw->set->num && w < sizeof rw->label; i++) {
        if (!(quirks & (1u << i)))
            continue;
        int k = snprintf(rw->label + w, sizeof rw->label - w, "%s%s", w ? "," : "",
                         rw->set->q[i].label);
        if (k < 0)
            break;
        w += (size_t)k;
    }
    return w ? rw->label : NULL;
}

/* One piece out; false when it could not be sealed. */
static bool write_piece(tp_rewriter *rw, const qr_piece *p)
{
    uint8_t *h = sealed;
    const char *label = label_of(rw, p->quirks);
    if (!rw->ctx.is_protected || p->clear) {
        put_header(h, p->type, p->version, p->len);
        memcpy(h + WIRE_RECORD_HEADER_LEN, p->data, p->len);
        emit(rw, h, WIRE_RECORD_HEADER_LEN + p->len, label);
        return true;
    }
    crypto_seal_opts o = {.cbc_pad_set = p->cbc_pad_set,
                          .cbc_pad_len = p->cbc_pad_len,
                          .tls13_pad_len = p->tls13_pad};
    size_t n = 0;
    tp_status st = crypto_conn_seal(rw->sc, TP_S2C, p->type, p->version, p->data, p->len, &o,
                                    h + WIRE_RECORD_HEADER_LEN, WIRE_MAX_CIPHERTEXT, &n);
    if (st != TP_OK)
        return false;
    put_header(h, rw->ctx.version == 0x0304 ? WIRE_CT_APPLICATION_DATA : p->type, p->version, n);
    emit(rw, h, WIRE_RECORD_HEADER_LEN + n, label);
    return true;
}

/* Once per connection, after the ServerHello: quirks that cannot apply. */
static void check_applicable(tp_rewriter *rw)
{
    if (rw->checked || !rw->ctx.hello_seen)
        return;
    rw->checked = true;
    for (unsigned i = 0; i < rw->set->num; i++) {
        const tp_quirk *q = &rw->set->q[i];
        const char *why = q->def->inapplicable ? q->def->inapplicable(q, &rw->ctx) : NULL;
        if (why)
            note(rw, "quirk %s does not apply to this connection: %s", q->label, why);
    }
}

/* One record's content into pieces of l, shaped by every quirk of the set. */
static bool shape_record(tp_rewriter *rw, qr_list *l, unsigned type, uint16_t version,
                         const uint8_t *pt, size_t len)
{
    l->n = 0;
    l->failed = false;
    qr_piece whole = {.type = type,
                      .data = pt,
                      .len = len,
                      .version = version,
                      .clear = type == WIRE_CT_CHANGE_CIPHER_SPEC};
    if (qr_insert(l, 0, &whole) < 0)
        return false;
    unsigned n = 0;
    const quirk_def *const *table = quirk_table(&n);
    for (unsigned k = 0; k < n; k++)
        for (unsigned i = 0; i < rw->set->num; i++)
            if (rw->set->q[i].def == table[k])
                table[k]->shape(&rw->set->q[i], rw->set, &rw->ctx, l);
    return !l->failed;
}

static void give_up(tp_rewriter *rw, const char *why)
{
    rw->passthrough = true;
    note(rw, "quirks: %s; the engine's records go out unchanged from here on%s", why,
         rw->ctx.protected_record > 1 ? " (the stream may be broken)" : "");
}

/* The joined handshake pieces out as one record (shaped again as a whole:
 * its padding, splitting and header depend on its length). */
static bool pend_flush(tp_rewriter *rw)
{
    if (!rw->pend_len)
        return true;
    size_t len = rw->pend_len;
    rw->pend_len = 0;
    rw->ctx.coalesced = true;
    bool ok = shape_record(rw, &rw->joined, WIRE_CT_HANDSHAKE, rw->pend_version, rw->pend, len);
    rw->ctx.coalesced = false;
    for (unsigned i = 0; ok && i < rw->joined.n; i++) {
        qr_piece *p = &rw->joined.p[i];
        p->quirks |= rw->pend_quirks;
        ok = p->drop || write_piece(rw, p);
    }
    return ok;
}

static bool pend_add(tp_rewriter *rw, const qr_piece *p)
{
    if (!rw->pend && !(rw->pend = malloc(WIRE_MAX_PLAINTEXT)))
        return false;
    if (rw->pend_len + p->len > WIRE_MAX_PLAINTEXT && !pend_flush(rw))
        return false;
    if (!rw->pend_len) {
        rw->pend_version = p->version;
        rw->pend_quirks = 0;
    }
    rw->pend_quirks |= p->quirks;
    memcpy(rw->pend + rw->pend_len, p->data, p->len);
    rw->pend_len += p->len;
    return true;
}

/* Writes the shaped pieces of one engine record; false when one could not
 * be sealed. */
static bool write_pieces(tp_rewriter *rw)
{
    for (unsigned i = 0; i < rw->pieces.n; i++) {
        const qr_piece *p = &rw->pieces.p[i];
        if (p->drop)
            continue;
        if (p->coalesce ? !pend_add(rw, p) : !pend_flush(rw) || !write_piece(rw, p))
            return false;
        /* an injected KeyUpdate: our write keys move on, the engine's stay */
        if (p->rekey && crypto_conn_key_update(rw->sc, TP_S2C) != TP_OK)
            return false;
    }
    return true;
}

static void epoch(tp_rewriter *rw, crypto_epoch e)
{
    crypto_conn_activate(rw->cc, TP_S2C, e);
    crypto_conn_activate(rw->sc, TP_S2C, e);
}

/* State changes the record implied, after it went out. */
static void after_record(tp_rewriter *rw, unsigned outer_type, unsigned inner_type)
{
    /* joined pieces never span a key change */
    if (rw->ctx.version == 0x0304 &&
        (rw->hello_in_record || rw->tls13_finished || rw->key_update) && !pend_flush(rw))
        give_up(rw, "cannot seal a record with the engine's keys");
    if (rw->ctx.version == 0x0304) {
        if (rw->hello_in_record && rw->ctx.hello_seen && !rw->is_protected) {
            rw->is_protected = true;
            epoch(rw, CRYPTO_EPOCH_HANDSHAKE);
        }
        if (rw->tls13_finished) {
            rw->ctx.handshake_done = true;
            epoch(rw, CRYPTO_EPOCH_APPLICATION);
        }
        if (rw->key_update && (crypto_conn_key_update(rw->cc, TP_S2C) != TP_OK ||
                               crypto_conn_key_update(rw->sc, TP_S2C) != TP_OK))
            give_up(rw, "the engine's KeyUpdate could not be followed");
    } else if (outer_type == WIRE_CT_CHANGE_CIPHER_SPEC) {
        rw->is_protected = true;
        epoch(rw, CRYPTO_EPOCH_APPLICATION);
    } else if (rw->is_protected && inner_type == WIRE_CT_HANDSHAKE) {
        rw->ctx.handshake_done = true; /* the server's Finished */
    }
    rw->hello_in_record = rw->tls13_finished = rw->key_update = false;
}

static void rewrite_record(tp_rewriter *rw, const uint8_t *rec, size_t len)
{
    unsigned type = rec[0];
    uint16_t version = (uint16_t)(rec[1] << 8 | rec[2]);
    const uint8_t *pt = rec + WIRE_RECORD_HEADER_LEN;
    size_t pt_len = len - WIRE_RECORD_HEADER_LEN;
    unsigned inner = type;
    rw->ctx.record++;
    /* RFC 8446 5: only application_data records are protected in TLS 1.3 */
    rw->ctx.is_protected =
        rw->is_protected && (rw->ctx.version == 0x0304 ? type == WIRE_CT_APPLICATION_DATA
                                                       : type != WIRE_CT_CHANGE_CIPHER_SPEC);
    if (rw->ctx.is_protected) {
        tp_record_check chk;
        crypto_conn_open(rw->cc, TP_S2C, type, version, pt, pt_len, plain, sizeof plain, &chk);
        if (chk.integrity != TP_INTEGRITY_OK) {
            (void)pend_flush(rw); /* what is joined so far goes first */
            give_up(rw, chk.detail ? chk.detail : "cannot open the engine's record");
            emit(rw, rec, len, NULL);
            return;
        }
        rw->ctx.protected_record++;
        pt = chk.plaintext;
        pt_len = chk.plaintext_len;
        inner = chk.inner_type;
    }
    rw->ctx.hs_boundary = rw->hs_len == 0; /* no message left open by the last record */
    if (inner == WIRE_CT_HANDSHAKE)
        track_handshake(rw, pt, pt_len);
    check_applicable(rw);
    if (!shape_record(rw, &rw->pieces, inner, version, pt, pt_len)) {
        give_up(rw, "out of memory shaping a record");
        emit(rw, rec, len, NULL);
        return;
    }
    if (!write_pieces(rw)) {
        give_up(rw, "cannot seal a record with the engine's keys");
        return;
    }
    if (inner == WIRE_CT_APPLICATION_DATA)
        rw->ctx.appdata_records++;
    after_record(rw, type, inner);
}

void tp_rewriter_push(tp_rewriter *rw, const uint8_t *data, size_t len)
{
    if (rw->passthrough) {
        emit(rw, data, len, NULL);
        return;
    }
    if (!grow(&rw->in, &rw->in_cap, rw->in_len + len)) {
        give_up(rw, "out of memory");
        emit(rw, rw->in, rw->in_len, NULL);
        emit(rw, data, len, NULL);
        rw->in_len = 0;
        return;
    }
    memcpy(rw->in + rw->in_len, data, len);
    rw->in_len += len;
    size_t off = 0;
    while (rw->in_len - off >= WIRE_RECORD_HEADER_LEN && !rw->passthrough) {
        const uint8_t *r = rw->in + off;
        size_t rl = WIRE_RECORD_HEADER_LEN + ((size_t)r[3] << 8 | r[4]);
        if (rl > WIRE_RECORD_HEADER_LEN + WIRE_MAX_CIPHERTEXT) {
            give_up(rw, "the engine wrote a record over the size limit");
            break;
        }
        if (rw->in_len - off < rl)
            break;
        rewrite_record(rw, r, rl);
        off += rl;
    }
    if (rw->passthrough && off < rw->in_len) {
        emit(rw, rw->in + off, rw->in_len - off, NULL);
        off = rw->in_len;
    }
    memmove(rw->in, rw->in + off, rw->in_len - off);
    rw->in_len -= off;
}

bool tp_rewriter_take_hello_request(tp_rewriter *rw)
{
    if (!rw || rw->hello_request_sent || rw->passthrough || !rw->ctx.handshake_done ||
        !rw->ctx.appdata_records || !rw->ctx.version || rw->ctx.version > 0x0303)
        return false;
    for (unsigned i = 0; i < rw->set->num; i++)
        if (rw->set->q[i].def == &quirk_hello_request)
            return rw->hello_request_sent = true;
    return false;
}

bool tp_rewriter_inject_alert(tp_rewriter *rw, uint8_t level, uint8_t desc)
{
    if (!rw || rw->passthrough || !rw->ctx.hello_seen || !pend_flush(rw))
        return false;
    const uint8_t alert[2] = {level, desc};
    /* RFC 8446 5.1: a TLS 1.3 record says TLS 1.2 outside */
    qr_piece p = {.type = WIRE_CT_ALERT, .data = alert, .len = 2,
                  .version = rw->ctx.version >= 0x0303 ? 0x0303 : rw->ctx.version};
    rw->ctx.is_protected = rw->is_protected;
    if (!write_piece(rw, &p)) {
        give_up(rw, "cannot seal the alert");
        return false;
    }
    return true;
}

void tp_rewriter_flush(tp_rewriter *rw)
{
    if (!rw->passthrough && !pend_flush(rw))
        give_up(rw, "cannot seal a record with the engine's keys");
}
