/* The session model, resumption side: what the client offered, whether the
 * server resumed (TLS <= 1.2: an abbreviated handshake, RFC 5246 7.3 and
 * RFC 5077 3.1; TLS 1.3: pre_shared_key in the ServerHello, RFC 8446
 * 4.2.11), and the client's 0-RTT records (RFC 8446 4.2.10): under the
 * early traffic keys until EndOfEarlyData when the server took them; when
 * it did not, tried with the early keys and then the handshake keys, since
 * the client switches at a point only its records show. */
#include <stdio.h>
#include <string.h>

#include "../wire/ext.h"
#include "session_int.h"

static tp_resumption *res(tp_session *s)
{
    return &s->obs.facts.rel.resumption;
}

void sess_resume_client_hello(tp_session *s, const wire_client_hello *ch)
{
    tp_resumption *r = res(s);
    cur_t body;
    size_t sid = cur_len(&ch->session_id);
    if (ch->sslv2)
        return;
    /* a TLS 1.3 client's legacy_session_id is random (RFC 8446 4.1.2,
     * compatibility mode): an offer only beside a ticket or from a client
     * without TLS 1.3 */
    r->offered_id = sid > 0 && sid <= sizeof r->client_sid;
    r->offered_ticket =
        wire_ch_find_ext(ch, WIRE_EXT_SESSION_TICKET, &body) && cur_len(&body) > 0;
    if (s->obs.client_max_version >= 0x0304 && !r->offered_ticket)
        r->offered_id = false;
    if (r->offered_id) {
        memcpy(r->client_sid, cur_data(&ch->session_id), sid);
        r->client_sid_len = sid;
    }
    r->offered_psk = wire_ch_find_ext(ch, WIRE_EXT_PRE_SHARED_KEY, &body);
    /* RFC 8446 4.2.10: early data comes with a PSK only */
    r->early_offered = r->offered_psk && wire_ch_find_ext(ch, WIRE_EXT_EARLY_DATA, &body);
    /* an external PSK's identity is a name; a ticket's is opaque bytes (the
     * ClientHello's facts are in before this) */
    if (r->offered_psk && s->obs.facts.rel.psk.printable) {
        r->external_psk = true;
        r->offered_psk = false;
    }
    if (r->early_offered) {
        /* the client's application_data records are 0-RTT from here on */
        s->tls13 = true;
        s->d[TP_C2S].is_protected = true;
        crypto_conn_activate(s->cc, TP_C2S, CRYPTO_EPOCH_EARLY);
        r->c2s_early = true;
        r->release_c2s = true;
    }
}

bool sess_resume_keep_early(const tp_session *s)
{
    return s->obs.facts.rel.resumption.early_offered;
}

bool sess_resume_holds(const tp_session *s, tp_dir dir)
{
    /* 0-RTT records wait for the ServerHello: its suite opens them */
    return dir == TP_C2S && s->obs.facts.rel.resumption.release_c2s && !s->obs.server_hello;
}

bool sess_resume_release_now(tp_session *s)
{
    tp_resumption *r = res(s);
    if (!r->release_c2s || !s->obs.server_hello)
        return false;
    r->release_c2s = false;
    return s->d[TP_C2S].num_held > 0;
}

static bool has_ext(bool present, cur_t exts, uint16_t type)
{
    cur_t body;
    return present && wire_ext_find(exts, type, &body);
}

static void on_server_hello(tp_session *s, tp_resumption *r, const wire_server_hello *sh)
{
    if (sh->hello_retry_request) { /* RFC 8446 4.1.4: 0-RTT is not taken after a retry */
        r->c2s_trial = r->early_offered;
        return;
    }
    if (sh->selected_version == 0x0304) {
        r->decided = true;
        r->offered_id = r->offered_ticket = false; /* TLS 1.3 resumes by PSK only */
        bool psk = has_ext(sh->has_extensions, sh->extensions, WIRE_EXT_PRE_SHARED_KEY);
        r->resumed = psk && !r->external_psk;
        if (psk) {
            r->how = r->resumed ? "psk" : NULL;
            r->psk_mode = has_ext(sh->has_extensions, sh->extensions, WIRE_EXT_KEY_SHARE)
                              ? "psk_dhe_ke"
                              : "psk_ke";
        }
        if (r->early_offered && !psk) {
            r->early = "rejected";
            r->c2s_trial = true;
        }
        return;
    }
    size_t n = cur_len(&sh->session_id);
    r->sid_echoed = n > 0 && n == r->client_sid_len &&
                    memcmp(cur_data(&sh->session_id), r->client_sid, n) == 0;
    r->after_sh = true;
    (void)s;
}

/* TLS <= 1.2: the server's message after its ServerHello tells an
 * abbreviated handshake (NewSessionTicket or ChangeCipherSpec + Finished)
 * from a full one (Certificate, ServerKeyExchange, ServerHelloDone, ...). */
static void after_server_hello(tp_resumption *r, uint8_t type)
{
    r->after_sh = false;
    r->decided = true;
    r->resumed = type == WIRE_HS_NEW_SESSION_TICKET || type == WIRE_HS_FINISHED;
    if (r->resumed)
        r->how = r->offered_ticket ? "ticket" : "session-id";
}

void sess_resume_message(tp_session *s, tp_dir dir, const wire_handshake *m)
{
    tp_resumption *r = res(s);
    if (dir == TP_S2C && r->after_sh && m->type != WIRE_HS_SERVER_HELLO)
        after_server_hello(r, m->type);
    switch (m->type) {
    case WIRE_HS_SERVER_HELLO:
        if (dir == TP_S2C && !s->obs.renegotiation)
            on_server_hello(s, r, &m->u.server_hello);
        break;
    case WIRE_HS_ENCRYPTED_EXTENSIONS:
        if (dir == TP_S2C && r->early_offered && !r->early) {
            cur_t body;
            bool taken = wire_ext_find(m->u.encrypted_extensions, WIRE_EXT_EARLY_DATA, &body);
            r->early = taken ? "accepted" : "rejected";
            r->c2s_trial = !taken;
        }
        break;
    case WIRE_HS_END_OF_EARLY_DATA:
        /* RFC 8446 4.5: the last message under the early keys */
        if (dir == TP_C2S && r->c2s_early) {
            r->c2s_early = false;
            crypto_conn_activate(s->cc, TP_C2S, CRYPTO_EPOCH_HANDSHAKE);
        }
        break;
    case WIRE_HS_NEW_SESSION_TICKET:
        if (dir == TP_S2C)
            r->tickets++;
        break;
    default:
        break;
    }
}

/* 0-RTT not taken: the early keys first, then the handshake keys. */
static void open_trial(tp_session *s, const wire_record *rec, uint8_t *plain, size_t cap,
                       tp_record_check *chk)
{
    tp_resumption *r = res(s);
    const uint8_t *frag = cur_data(&rec->fragment);
    size_t len = cur_len(&rec->fragment);
    bool early_keys = crypto_conn_has_keys(s->cc, TP_C2S, CRYPTO_EPOCH_EARLY);
    if (early_keys) {
        (void)crypto_conn_open(s->cc, TP_C2S, rec->type, rec->version, frag, len, plain, cap, chk);
        if (chk->integrity == TP_INTEGRITY_OK) {
            r->early_records++;
            return;
        }
    }
    crypto_conn_activate(s->cc, TP_C2S, CRYPTO_EPOCH_HANDSHAKE);
    (void)crypto_conn_open(s->cc, TP_C2S, rec->type, rec->version, frag, len, plain, cap, chk);
    if (chk->integrity == TP_INTEGRITY_OK || early_keys) {
        r->c2s_trial = r->c2s_early = false; /* the client switched (or a bad record) */
        return;
    }
    /* neither: 0-RTT whose keys the server never derived; the next record
     * is tried again from the start of the handshake epoch */
    crypto_conn_activate(s->cc, TP_C2S, CRYPTO_EPOCH_EARLY);
    memset(chk, 0, sizeof *chk);
    chk->is_protected = true;
    chk->integrity = TP_INTEGRITY_UNCHECKED;
    chk->inner_type = rec->type;
    chk->detail = "0-RTT data the server did not take (no early traffic secret; the server "
                  "skips it, RFC 8446 4.2.10)";
    r->early_records++;
}

void sess_resume_open(tp_session *s, tp_dir dir, const wire_record *rec, uint8_t *plain,
                      size_t cap, tp_record_check *chk)
{
    tp_resumption *r = res(s);
    if (dir == TP_C2S && r->c2s_trial && s->obs.server_hello) {
        open_trial(s, rec, plain, cap, chk);
        return;
    }
    (void)crypto_conn_open(s->cc, dir, rec->type, rec->version, cur_data(&rec->fragment),
                           cur_len(&rec->fragment), plain, cap, chk);
    if (dir == TP_C2S && r->c2s_early && chk->integrity == TP_INTEGRITY_OK &&
        chk->inner_type == WIRE_CT_APPLICATION_DATA)
        r->early_records++;
}
