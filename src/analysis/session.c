/* The session model: bytes in, events out.  One direction at a time, records
 * are framed (wire/record), protected ones opened when keys are known
 * (by the independent verifier, crypto/conn.h), handshake messages reassembled across records and
 * split out of shared ones, and what the verdict rules need is noted in a
 * tp_observation as it goes by. */
#include "session_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/iana.h"

static char *dup_str(const char *p)
{
    return p ? strdup(p) : NULL;
}

tp_session *tp_session_new(const tp_session_params *p)
{
    tp_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->conn = p->conn;
    s->peer = dup_str(p->peer ? p->peer : "?");
    s->local = dup_str(p->local ? p->local : "?");
    s->num_sinks = p->num_sinks > TP_MAX_SINKS ? TP_MAX_SINKS : p->num_sinks;
    memcpy(s->sinks, p->sinks, s->num_sinks * sizeof s->sinks[0]);
    s->want_data = p->want_data_events;
    s->want_record_bytes = p->want_record_bytes;
    s->expect_secrets = p->expect_secrets;
    s->server = p->server;
    s->obs.server_cfg = p->server;
    s->obs.client.finished_verified = s->obs.server.finished_verified = -1;
    tp_facts_init(&s->obs.facts);
    s->cc = crypto_conn_new();
    if (!s->peer || !s->local || !s->cc) {
        tp_session_free(s);
        return NULL;
    }
    crypto_conn_set_no_key_source(s->cc, !s->expect_secrets); /* until a key log comes */
    sess_mail_init(s, p);
    tp_event ev = {.type = TP_EV_ACCEPT, .t = 0};
    ev.u.accept.peer = s->peer;
    ev.u.accept.local = s->local;
    ev.u.accept.peer_sa = p->peer_sa;
    ev.u.accept.local_sa = p->local_sa;
    ev.u.accept.wall = p->wall;
    sess_emit(s, &ev);
    return s;
}

/* ---- not TLS ---------------------------------------------------------- */

static bool starts_with(const uint8_t *p, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(p, word, n) == 0;
}

/* Whether bytes that are not TLS read as text: the quoted first line is
 * printable ASCII up to its end, and nothing binary (control bytes other
 * than whitespace) follows in what arrived, up to 256 bytes. */
bool tp_session_is_text(const uint8_t *p, size_t len)
{
    size_t n = len < 256 ? len : 256;
    bool first_line = true;
    if (n == 0 || !isprint(p[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (b == '\r' || b == '\n') {
            first_line = false;
            continue;
        }
        bool space = b == '\t' || b == '\f' || b == '\v';
        if (first_line ? !(isprint(b) || space) : ((b < 0x20 && !space) || b == 0x7f))
            return false;
    }
    return true;
}

static void note_not_tls(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len)
{
    tp_observation *o = &s->obs;
    o->not_tls = true;
    o->not_tls_dir_c2s = dir == TP_C2S;
    static const char *const http[] = {"GET ",     "POST ",   "HEAD ",  "PUT ", "OPTIONS ",
                                       "CONNECT ", "DELETE ", "PRI * ", "HTTP/"};
    static const char *const smtp[] = {"EHLO", "HELO", "ehlo", "helo", "220 ", "QUIT", "STARTTLS"};
    bool text = tp_session_is_text(p, len);
    for (size_t i = 0; text && i < sizeof http / sizeof http[0]; i++)
        o->looks_http |= starts_with(p, len, http[i]);
    for (size_t i = 0; text && i < sizeof smtp / sizeof smtp[0]; i++)
        o->looks_smtp |= starts_with(p, len, smtp[i]);
    size_t n = 0;
    while (text && n < len && n < 30 && p[n] != '\r' && p[n] != '\n')
        n++;
    if (text) {
        memcpy(o->first_bytes, p, n);
        o->first_bytes[n] = '\0';
    } else {
        size_t used = 0;
        for (size_t i = 0; i < len && i < 8; i++)
            used += (size_t)snprintf(o->first_bytes + used, sizeof o->first_bytes - used, "%s%02x",
                                     i ? " " : "", p[i]);
    }
    char text_buf[96];
    snprintf(text_buf, sizeof text_buf, "not TLS: %s", o->first_bytes);
    sess_note(s, t, dir, text_buf);
}

static void handle_record(tp_session *s, tp_dir dir, double t, const wire_record *rec)
{
    dir_state *d = &s->d[dir];
    /* the other side moved on: what it holds will not get keys in time */
    if (s->d[!dir].num_held && !sess_resume_holds(s, !dir))
        sess_release_held(s, !dir, true);
    bool wants_keys = sess_record_protected(s, dir, rec);
    bool may_hold = s->expect_secrets || sess_resume_holds(s, dir); /* offline: 0-RTT */
    if (may_hold && (d->num_held > 0 || (wants_keys && !sess_keys_known(s, dir)))) {
        if (sess_hold_record(s, dir, t, rec))
            return;
        sess_release_held(s, dir, true);
    }
    sess_process_record(s, dir, t, rec, d->quirk);
    if (sess_resume_release_now(s)) /* 0-RTT records waited for the ServerHello */
        sess_release_held(s, TP_C2S, !s->expect_secrets);
}

/* The framer gave up on dir's stream: name why. */
static void frame_error(tp_session *s, tp_dir dir, double t, tp_status st, const cur_t *bad)
{
    dir_state *d = &s->d[dir];
    const uint8_t *start = cur_data(bad);
    size_t len = cur_len(bad);
    if (st == TP_ERR_NOMEM) {
        sess_broken(s, dir, t, "out of memory buffering a record");
        return;
    }
    if (st == TP_ERR_NOT_TLS && d->records == 0) {
        note_not_tls(s, dir, t, start, len);
        d->dead = true;
        return;
    }
    char detail[128];
    if (st == TP_ERR_OVERSIZED && len >= 5)
        snprintf(detail, sizeof detail,
                 "record #%u declares %u bytes, over the 2^14+2048 limit (RFC 5246 6.2.3)",
                 d->records + 1, (unsigned)start[3] << 8 | start[4]);
    else
        snprintf(detail, sizeof detail, "record #%u has a header that is not TLS (%02x %02x %02x)",
                 d->records + 1, start[0], len > 1 ? start[1] : 0, len > 2 ? start[2] : 0);
    sess_broken(s, dir, t, detail);
}

void tp_session_feed(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len)
{
    if (!s || s->ended || len == 0)
        return;
    dir_state *d = &s->d[dir];
    s->t_last = t;
    d->bytes += len;
    sess_side(s, dir)->bytes += len;
    tp_facts_on_bytes(&s->obs.facts, dir, t, len);
    if (s->want_data) {
        tp_event ev = {.type = TP_EV_DATA, .t = t, .dir = dir};
        ev.u.data.bytes = data;
        ev.u.data.len = len;
        sess_emit(s, &ev);
    }
    if (d->dead)
        return;
    if (sess_mail_plain(s, dir)) { /* a mail preamble before STARTTLS (session_mail.c) */
        size_t used = sess_mail_feed(s, dir, t, data, len);
        data += used;
        len -= used;
        if (!len)
            return;
    }
    wire_reasm_push(&d->fr, data, len);
    while (!d->dead) {
        wire_record rec;
        cur_t bad;
        tp_status st = wire_framer_pull(&d->fr, &rec, &bad);
        if (st == TP_OK) {
            handle_record(s, dir, t, &rec);
            continue;
        }
        if (st != TP_ERR_TRUNCATED)
            frame_error(s, dir, t, st, &bad);
        break;
    }
}

void tp_session_feed_shaped(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len,
                            const char *quirk)
{
    if (!s)
        return;
    s->d[dir].quirk = quirk;
    tp_session_feed(s, dir, t, data, len);
    s->d[dir].quirk = NULL;
}

void tp_session_note(tp_session *s, double t, const char *text)
{
    if (s && !s->ended)
        sess_note(s, t, TP_S2C, text);
}

void tp_session_gap(tp_session *s, tp_dir dir, double t, size_t len)
{
    if (!s || s->ended)
        return;
    char text[96];
    snprintf(text, sizeof text, "%zu bytes missing from the capture (%s)", len, tp_dir_name(dir));
    sess_note(s, t, dir, text);
    /* After a gap record framing is lost for good in this direction. */
    s->d[dir].dead = true;
}

void tp_session_add_secret(tp_session *s, double t, const char *nss_line)
{
    if (!s || s->ended)
        return;
    crypto_conn_set_no_key_source(s->cc, false);
    if (!s->have_client_random) {
        if (s->num_pending_secrets < 8)
            snprintf(s->pending_secrets[s->num_pending_secrets++], sizeof s->pending_secrets[0],
                     "%s", nss_line);
    } else if (!sess_add_secret_line(s, nss_line) && !sess_reneg_secret_keep(s, nss_line)) {
        return;
    }
    /* a secret that opens held records comes before them in the trace,
     * whose t never goes back (libssl logs CLIENT_TRAFFIC_SECRET_0 after
     * reading the client's Finished) */
    tp_event ev = {.type = TP_EV_SECRET, .t = sess_held_secret_t(s, t)};
    ev.u.secret.line = nss_line;
    sess_emit(s, &ev);
    sess_release_held(s, TP_C2S, false);
    sess_release_held(s, TP_S2C, false);
}

void tp_session_set_keylog_store(tp_session *s, const struct crypto_keylog_store *store)
{
    if (!s)
        return;
    s->store = store;
    crypto_conn_set_no_key_source(s->cc, !store && !s->expect_secrets);
}

void tp_session_engine_error(tp_session *s, double t, const char *error_name,
                             const char *error_text)
{
    (void)t;
    if (!s || s->err_name[0])
        return;
    snprintf(s->err_name, sizeof s->err_name, "%s", error_name ? error_name : "error");
    snprintf(s->err_text, sizeof s->err_text, "%s", error_text ? error_text : "");
    s->obs.engine_error_name = s->err_name;
    s->obs.engine_error_text = s->err_text;
}

void tp_session_handshake_done(tp_session *s, double t)
{
    (void)t;
    if (s)
        s->engine_done = true;
}

void tp_session_app_exchanged(tp_session *s)
{
    if (s)
        s->obs.app_exchanged = true;
}

void tp_session_note_close(tp_session *s, const tp_close_note *n)
{
    if (!s || s->ended || s->obs.first_close_known || !n || n->who == TP_ACTOR_NONE)
        return;
    tp_observation *o = &s->obs;
    o->first_close_known = true;
    o->closed_by = n->who;
    o->first_close_t = n->t;
    o->first_close_rst = n->rst;
    o->first_close_c2s = n->bytes_given ? n->c2s_bytes : o->client.bytes;
    o->first_close_s2c = n->bytes_given ? n->s2c_bytes : o->server.bytes;
    o->closer_reset_later = n->later_reset;
}

void tp_session_end(tp_session *s, double t, tp_end_reason why)
{
    if (!s || s->ended)
        return;
    if (t < s->t_last)
        t = s->t_last; /* bytes traced while closing: the verdict comes last */
    sess_release_held(s, TP_C2S, true);
    sess_release_held(s, TP_S2C, true);
    tp_observation *o = &s->obs;
    o->end = why;
    o->t_end = t;
    o->handshake_done = s->engine_done || (s->client_finished && s->server_finished);
    /* TLS <= 1.2 without keys: application_data records (their outer type
     * is visible) both ways after both ChangeCipherSpecs prove the
     * handshake completed: none is sent before it (RFC 5246 7.4.9, 10). */
    if (!o->handshake_done && o->server_hello && !s->tls13 && s->d[TP_C2S].is_protected &&
        s->d[TP_S2C].is_protected && o->client.sent_appdata && o->server.sent_appdata) {
        o->handshake_done = true;
        o->handshake_unchecked = true;
    }
    if (!s->engine_done && o->handshake_done && o->client.sent_appdata && o->server.sent_appdata)
        o->app_exchanged = true; /* offline: data both ways */
    sess_naming_to_obs(s);
    if (wire_reasm_pending(&s->d[TP_C2S].fr) > 0 && !s->d[TP_C2S].dead) {
        char text[96];
        snprintf(text, sizeof text, "the client's last record is incomplete (%zu bytes buffered)",
                 wire_reasm_pending(&s->d[TP_C2S].fr));
        sess_note(s, t, TP_C2S, text);
    }
    tp_verdict_decide(o, &s->verdict);
    s->ended = true;
    tp_event ev = {.type = TP_EV_VERDICT, .t = t};
    ev.u.verdict = &s->verdict;
    sess_emit(s, &ev);
    tp_event cev = {.type = TP_EV_CLOSE, .t = t};
    sess_emit(s, &cev);
}

void tp_session_set_timeout(tp_session *s, double timeout)
{
    if (s)
        s->obs.timeout = timeout;
}

tp_facts *tp_session_facts(tp_session *s)
{
    return s ? &s->obs.facts : NULL;
}

const tp_verdict *tp_session_verdict(const tp_session *s)
{
    return s && s->ended ? &s->verdict : NULL;
}

const uint8_t *tp_session_client_hello(const tp_session *s, size_t *out_len)
{
    if (!s || !s->client_hello) {
        if (out_len)
            *out_len = 0;
        return NULL;
    }
    if (out_len)
        *out_len = s->client_hello_len;
    return s->client_hello;
}

const wire_client_hello *tp_session_client_hello_parsed(const tp_session *s)
{
    return s && s->client_hello ? &s->hello : NULL;
}

void tp_session_free(tp_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        wire_reasm_free(&s->d[i].fr);
        wire_reasm_free(&s->d[i].hs);
        sess_held_free(&s->d[i]);
    }
    free(s->client_hello);
    free(s->peer);
    free(s->local);
    crypto_conn_free(s->cc);
    free(s);
}
