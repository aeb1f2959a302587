/* The session model, one whole record: protected ones opened by the
 * independent verifier (crypto/conn.h) when keys are known, noted for the
 * verdict, emitted, and their content handed on by type (handshake bytes and
 * alerts to session_hs.c). */
#include "session_int.h"

#include <stdio.h>

static void note_server_record(tp_session *s, const tp_record_check *chk)
{
    tp_observation *o = &s->obs;
    if (s->server_frozen)
        return;
    o->server_last_protected = chk->is_protected;
    o->server_last_client_records = o->client.num_records;
    o->server_last_first_protected = chk->is_protected && o->server.num_protected == 1;
    o->server_last_integrity = chk->integrity;
    o->server_last_has_padding = chk->has_padding;
    o->server_last_padding_len = chk->padding_len;
    o->server_last_padding_valid = chk->padding_valid;
    o->server_last_padding_minimal = chk->padding_minimal;
    if (chk->detail) {
        snprintf(s->bad_detail_buf[TP_S2C], sizeof s->bad_detail_buf[TP_S2C], "%s", chk->detail);
        o->server_last_detail = s->bad_detail_buf[TP_S2C];
    } else {
        o->server_last_detail = NULL;
    }
}

/* Whether rec is protected: dir switched (CCS in TLS <= 1.2, ServerHello in
 * 1.3) and it is not a CCS.  In TLS 1.3 every protected record is
 * application_data outside (RFC 8446 5.2): an alert record (type 21) is a
 * plaintext alert, e.g. a client rejecting the certificate before it has
 * handshake keys. */
bool sess_record_protected(const tp_session *s, tp_dir dir, const wire_record *rec)
{
    if (!s->d[dir].is_protected || rec->type == WIRE_CT_CHANGE_CIPHER_SPEC ||
        rec->type == WIRE_CT_SSLV2_CLIENT_HELLO)
        return false;
    return !s->tls13 || rec->type == WIRE_CT_APPLICATION_DATA;
}

/* After the record that carried a KeyUpdate: the next generation of keys. */
static void apply_key_update(tp_session *s, tp_dir dir, double t)
{
    dir_state *d = &s->d[dir];
    unsigned gen = 0;
    for (; d->key_updates > 0; d->key_updates--) {
        if (crypto_conn_key_update(s->cc, dir) != TP_OK) {
            /* no keys yet: the update is applied when they come */
        }
        gen = crypto_conn_key_generation(s->cc, dir);
    }
    char text[200];
    snprintf(text, sizeof text,
             "key update: the %s's records after #%u use application traffic secret %u "
             "(RFC 8446 7.2)%s",
             dir == TP_C2S ? "client" : "server", d->records, gen,
             d->key_update_requested ? "; it asked the peer to update its keys too" : "");
    sess_note(s, t, dir, text);
}

/* A protected record that could not be opened: what its outer type still tells. */
static void note_unopened(tp_session *s, tp_dir dir, double t, const wire_record *rec)
{
    tp_obs_side *me = sess_side(s, dir);
    /* a protected alert in TLS <= 1.2 is still recognisable */
    if (rec->type == WIRE_CT_ALERT && !s->tls13) {
        tp_alert_info a = {.from = dir == TP_C2S ? "client" : "server",
                           .level = "unknown",
                           .description = "encrypted",
                           .is_protected = true};
        /* an encrypted alert at this point is nearly always fatal; after
         * application data both ways, nearly always close_notify */
        bool data_both = s->obs.client.sent_appdata && s->obs.server.sent_appdata;
        sess_alert(s, dir, t, &a, !data_both, s->d[dir].records);
    }
    if (rec->type == WIRE_CT_APPLICATION_DATA && !s->tls13)
        me->sent_appdata = true;
    if (rec->type == WIRE_CT_APPLICATION_DATA && s->tls13 && s->client_finished &&
        s->server_finished)
        me->sent_appdata = true;
}

/* The content of a plaintext or opened record, by its (inner) type. */
static void handle_content(tp_session *s, tp_dir dir, double t, unsigned type,
                           const uint8_t *content, size_t content_len, const tp_record_check *chk)
{
    dir_state *d = &s->d[dir];
    tp_obs_side *me = sess_side(s, dir);
    switch (type) {
    case WIRE_CT_HANDSHAKE:
        sess_handshake_bytes(s, dir, t, content, content_len, chk->is_protected);
        if (d->key_updates)
            apply_key_update(s, dir, t);
        break;
    case WIRE_CT_SSLV2_CLIENT_HELLO: {
        static _Thread_local wire_handshake m;
        if (wire_hs_parse_sslv2(content, content_len, &m) == TP_OK) {
            sess_client_hello(s, &m);
            me->name = "ClientHello (SSLv2 format)";
        }
        tp_event hev = {.type = TP_EV_HANDSHAKE, .t = t, .dir = dir};
        hev.u.handshake.msg = &m;
        hev.u.handshake.verified = -1;
        sess_emit(s, &hev);
        break;
    }
    case WIRE_CT_CHANGE_CIPHER_SPEC:
        if (!s->tls13) {
            d->is_protected = true; /* RFC 5246 7.1 */
            crypto_conn_activate(s->cc, dir, CRYPTO_EPOCH_APPLICATION);
        }
        break;
    case WIRE_CT_ALERT:
        sess_alert_bytes(s, dir, t, content, content_len, chk->is_protected, d->records);
        break;
    case WIRE_CT_APPLICATION_DATA:
        me->sent_appdata = true;
        if (chk->integrity == TP_INTEGRITY_OK) {
            tp_obs_note_appdata(&s->obs, dir, content_len);
            tp_facts_on_appdata(&s->obs.facts, dir, content, content_len);
            tp_event aev = {.type = TP_EV_APPDATA, .t = t, .dir = dir};
            aev.u.appdata.bytes = content;
            aev.u.appdata.len = content_len;
            sess_emit(s, &aev);
            sess_mail_appdata(s, dir, t, content, content_len);
        }
        break;
    default:
        break;
    }
}

void sess_process_record(tp_session *s, tp_dir dir, double t, const wire_record *rec,
                         const char *quirk)
{
    static _Thread_local uint8_t plain[WIRE_MAX_CIPHERTEXT];
    dir_state *d = &s->d[dir];
    tp_obs_side *me = sess_side(s, dir);
    d->records++;
    me->num_records++;
    tp_record_check chk = {0};
    const uint8_t *content = cur_data(&rec->fragment);
    size_t content_len = cur_len(&rec->fragment);
    unsigned type = rec->type;

    if (sess_record_protected(s, dir, rec)) {
        chk.is_protected = true;
        me->num_protected++;
        sess_resume_open(s, dir, rec, plain, sizeof plain, &chk); /* 0-RTT aware */
        chk.is_protected = true; /* also when the verifier's epoch is still clear */
        if (chk.integrity == TP_INTEGRITY_OK) {
            content = chk.plaintext;
            content_len = chk.plaintext_len;
            type = chk.inner_type;
        } else if (chk.integrity == TP_INTEGRITY_BAD && !me->bad_record) {
            me->bad_record = true;
            me->bad_record_index = d->records;
            snprintf(me->bad_record_detail, sizeof me->bad_record_detail, "%s",
                     chk.detail ? chk.detail : "integrity check failed");
        }
    }
    tp_obs_note_record(&s->obs, dir, &chk, d->records);
    if (dir == TP_S2C && !s->server_frozen)
        s->obs.server_last_t = t;
    if (dir == TP_S2C)
        note_server_record(s, &chk);
    if (dir == TP_S2C && !s->server_frozen)
        snprintf(s->obs.server_last_quirk, sizeof s->obs.server_last_quirk, "%s", quirk ? quirk : "");
    tp_event ev = {.type = TP_EV_RECORD, .t = t, .dir = dir};
    ev.u.record.rec = rec;
    ev.u.record.check = &chk;
    ev.u.record.index = d->records;
    ev.u.record.quirk = quirk;
    sess_emit(s, &ev);

    if (chk.is_protected && chk.integrity != TP_INTEGRITY_OK)
        note_unopened(s, dir, t, rec);
    else
        handle_content(s, dir, t, type, content, content_len, &chk);
}
