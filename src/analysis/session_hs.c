/* The session model, handshake side: messages reassembled across records,
 * what the ClientHello offers against the server's configuration, the
 * hello parameters handed to the verifier, and alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/ext.h"
#include "../wire/iana.h"
#include "../wire/ja.h"
#include "session_int.h"

/* ---- handshake messages ----------------------------------------------- */

static const char *hs_display_name(const wire_handshake *m)
{
    if (m->type == WIRE_HS_SERVER_HELLO && m->status == TP_OK &&
        m->u.server_hello.hello_retry_request)
        return "HelloRetryRequest";
    const char *n = wire_hs_type_name(m->type);
    return n ? n : "unknown handshake message";
}

static void copy_groups(char *out, size_t out_len, const uint16_t *ids, unsigned n)
{
    wire_names_join(out, out_len, ids, n, ",", wire_group_name);
    if (n == 0)
        snprintf(out, out_len, "none");
}

/* "TLS1.2,TLS1.3" into out (truncated to fit). */
static void join_versions(char *out, size_t out_len, const uint16_t *vers, unsigned n)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n && used < out_len; i++) {
        const char *name = wire_version_name(vers[i]);
        used +=
            (size_t)snprintf(out + used, out_len - used, "%s%s", i ? "," : "", name ? name : "?");
    }
}

/* The versions the client can speak (RFC 8446 4.2.1: supported_versions
 * when present, else every version up to legacy_version), against the
 * server's. */
static void note_offered_versions(tp_session *s, const wire_client_hello *ch)
{
    tp_observation *o = &s->obs;
    uint16_t vers[16];
    unsigned n = 0;
    cur_t body;
    wire_ext_versions sv;
    bool has_sv = wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_VERSIONS, &body);
    if (has_sv) {
        if (wire_ext_versions_parse(body, false, &sv) == TP_OK)
            for (unsigned i = 0; i < sv.versions.num && n < 16; i++)
                if (!wire_is_grease(wire_list_get(&sv.versions, i)))
                    vers[n++] = wire_list_get(&sv.versions, i);
    } else {
        for (uint16_t v = 0x0300; v <= ch->legacy_version && v <= 0x0303 && n < 16; v++)
            vers[n++] = v;
    }
    o->client_max_version = 0;
    for (unsigned i = 0; i < n; i++)
        if (vers[i] > o->client_max_version && vers[i] <= 0x0304)
            o->client_max_version = vers[i];
    if (!s->server || !s->server->versions || !s->server->num_versions)
        return;
    bool overlap = false;
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < s->server->num_versions; j++)
            overlap |= vers[i] == s->server->versions[j];
    o->version_overlap_known = true;
    o->version_overlap = overlap;
    if (has_sv) {
        join_versions(o->client_versions, sizeof o->client_versions, vers, n);
    } else {
        const char *name = wire_version_name(o->client_max_version);
        snprintf(o->client_versions, sizeof o->client_versions, "up to %s (no supported_versions)",
                 name ? name : "?");
    }
    join_versions(o->server_versions, sizeof o->server_versions, s->server->versions,
                  s->server->num_versions);
}

/* Offline: this connection's lines from the key log store. */
static void take_stored_secrets(tp_session *s)
{
    if (!s->store)
        return;
    for (int l = CRYPTO_KL_NONE + 1; l < CRYPTO_KL_COUNT; l++) {
        const crypto_keylog_entry *e =
            crypto_keylog_store_find(s->store, (crypto_keylog_label)l, s->client_random);
        if (!e || crypto_conn_add_secret(s->cc, e) != TP_OK)
            continue;
        char line[300];
        if (crypto_keylog_entry_format(e, line, sizeof line) == 0)
            continue;
        tp_event ev = {.type = TP_EV_SECRET, .t = s->t_last};
        ev.u.secret.line = line;
        sess_emit(s, &ev);
    }
}

void sess_client_hello(tp_session *s, const wire_handshake *m)
{
    const wire_client_hello *ch = &m->u.client_hello;
    tp_observation *o = &s->obs;
    o->client_hello = true;
    note_offered_versions(s, ch);
    if (!s->client_hello && cur_len(&m->raw) > 0) {
        s->client_hello = malloc(cur_len(&m->raw));
        if (s->client_hello) {
            memcpy(s->client_hello, cur_data(&m->raw), cur_len(&m->raw));
            s->client_hello_len = cur_len(&m->raw);
            /* Parsed once, here: kept for the status page and the sweep. */
            s->hello = *ch;
            wire_ch_rebase(&s->hello, cur_data(&m->raw), cur_len(&m->raw), s->client_hello);
        }
    }
    if (!ch->sslv2 && cur_len(&ch->random) == 32 && !s->have_client_random) {
        memcpy(s->client_random, cur_data(&ch->random), 32);
        s->have_client_random = true;
        crypto_conn_set_client_random(s->cc, s->client_random);
        sess_resume_client_hello(s, ch);
        for (unsigned i = 0; i < s->num_pending_secrets; i++)
            (void)sess_add_secret_line(s, s->pending_secrets[i]);
        s->num_pending_secrets = 0;
        take_stored_secrets(s);
    }
    /* What the client offers, against what the server allows. */
    bool overlap = false;
    o->num_offered_suites = o->num_offered_total = 0;
    for (unsigned k = 0, num = wire_ch_num_suites(ch); k < num; k++) {
        uint32_t id = wire_ch_suite_at(ch, k);
        if (ch->sslv2 && id > 0xffff)
            continue; /* SSLv2-only cipher spec */
        /* signalling values, not suites: RFC 5746 3.3, RFC 7507 */
        if (id == 0x00ff || id == 0x5600 || wire_is_grease((uint16_t)id))
            continue;
        o->num_offered_total++;
        if (o->num_offered_suites < TP_OBS_MAX_SUITES && !wire_is_grease((uint16_t)id))
            o->offered_suites[o->num_offered_suites++] = (uint16_t)id;
        if (s->server && s->server->suites)
            for (unsigned i = 0; i < s->server->num_suites; i++)
                overlap |= s->server->suites[i] == id;
    }
    if (s->server && s->server->suites && s->server->num_suites) {
        o->suite_overlap_known = true;
        o->suite_overlap = overlap;
    }
    /* Groups: only meaningful when the client sends supported_groups. */
    cur_t body;
    wire_list groups;
    if (wire_ch_find_ext(ch, WIRE_EXT_SUPPORTED_GROUPS, &body) && s->server && s->server->groups &&
        s->server->num_groups && wire_ext_u16_list_parse(body, &groups) == TP_OK) {
        uint16_t ids[32];
        unsigned n = 0;
        bool g_overlap = false;
        for (unsigned k = 0; k < groups.num; k++) {
            uint16_t g = wire_list_get(&groups, k);
            if (wire_is_grease(g))
                continue;
            if (n < 32)
                ids[n++] = g;
            for (unsigned i = 0; i < s->server->num_groups; i++)
                g_overlap |= s->server->groups[i] == g;
        }
        if (n > 0) {
            o->group_overlap_known = true;
            o->group_overlap = g_overlap;
            copy_groups(o->offered_groups, sizeof o->offered_groups, ids, n);
            copy_groups(o->allowed_groups, sizeof o->allowed_groups, s->server->groups,
                        s->server->num_groups);
        }
    }
}

static void on_server_hello(tp_session *s, const wire_handshake *m)
{
    const wire_server_hello *sh = &m->u.server_hello;
    if (sh->hello_retry_request) {
        /* RFC 8446 4.1.4: only TLS 1.3 retries; the CCS that may follow is
         * the compatibility no-op, not a switch to protected records */
        s->obs.hello_retry = true;
        s->tls13 = true;
        return;
    }
    s->obs.server_hello = true;
    s->ctx.version = sh->selected_version;
    s->ctx.cipher_suite = sh->cipher_suite;
    s->tls13 = sh->selected_version == 0x0304;
    cur_t body;
    bool etm =
        sh->has_extensions && wire_ext_find(sh->extensions, WIRE_EXT_ENCRYPT_THEN_MAC, &body);
    if (cur_len(&sh->random) == 32 && s->have_client_random)
        crypto_conn_set_hello(s->cc, s->client_random, cur_data(&sh->random), sh->selected_version,
                              sh->cipher_suite, etm);
    sess_name_server_hello(s, sh);
    sess_name_tls13_psk(s);
    if (s->tls13) {
        /* RFC 8446 2: everything after ServerHello is protected */
        s->d[TP_C2S].is_protected = s->d[TP_S2C].is_protected = true;
        if (!sess_resume_keep_early(s)) /* 0-RTT records: session_resume.c */
            crypto_conn_activate(s->cc, TP_C2S, CRYPTO_EPOCH_HANDSHAKE);
        crypto_conn_activate(s->cc, TP_S2C, CRYPTO_EPOCH_HANDSHAKE);
    }
}

/* A renegotiation ClientHello: its random is kept until the server takes
 * it up; the keys of the running epoch stay until the new ChangeCipherSpec. */
static void renegotiation_hello(tp_session *s, const wire_handshake *m)
{
    const wire_client_hello *ch = &m->u.client_hello;
    s->have_reneg_random = !ch->sslv2 && cur_len(&ch->random) == 32;
    if (s->have_reneg_random)
        memcpy(s->reneg_random, cur_data(&ch->random), 32);
}

/* A key log line for the renegotiation's ClientHello that comes before the
 * server's ServerHello (an engine that resumes the session in the
 * renegotiation logs the resumed master secret as it takes the ClientHello):
 * kept until the server takes the renegotiation up. */
bool sess_reneg_secret_keep(tp_session *s, const char *nss_line)
{
    crypto_keylog_entry e;
    if (!s->have_reneg_random || !memcmp(s->client_random, s->reneg_random, 32) ||
        s->num_pending_secrets >= 8 ||
        crypto_keylog_parse_line(nss_line, strlen(nss_line), &e) != TP_OK ||
        e.label == CRYPTO_KL_NONE || memcmp(e.client_random, s->reneg_random, 32) != 0)
        return false;
    snprintf(s->pending_secrets[s->num_pending_secrets++], sizeof s->pending_secrets[0], "%s",
             nss_line);
    return true;
}

/* The server took the renegotiation up: the verifier follows the new
 * handshake (new randoms, suite and CLIENT_RANDOM line). */
static void renegotiation_accepted(tp_session *s, const wire_handshake *m)
{
    const wire_server_hello *sh = &m->u.server_hello;
    s->obs.renegotiation_accepted = true;
    s->obs.renegotiation_resumed = s->reneg_hello_done = false;
    if (!s->have_reneg_random || cur_len(&sh->random) != 32)
        return;
    memcpy(s->client_random, s->reneg_random, 32);
    crypto_conn_set_client_random(s->cc, s->client_random);
    for (unsigned i = 0; i < s->num_pending_secrets; i++) /* lines that came first */
        (void)sess_add_secret_line(s, s->pending_secrets[i]);
    s->num_pending_secrets = 0;
    take_stored_secrets(s);
    cur_t body;
    bool etm =
        sh->has_extensions && wire_ext_find(sh->extensions, WIRE_EXT_ENCRYPT_THEN_MAC, &body);
    crypto_conn_set_hello(s->cc, s->client_random, cur_data(&sh->random), sh->selected_version,
                          sh->cipher_suite, etm);
}

/* What one parsed message (other than ClientHello) tells the session. */
static void note_message(tp_session *s, tp_dir dir, const wire_handshake *m, const uint8_t *msg,
                         size_t len, bool is_protected)
{
    switch (m->type) {
    case WIRE_HS_SERVER_HELLO:
        if (dir == TP_S2C && s->obs.renegotiation)
            renegotiation_accepted(s, m);
        else if (dir == TP_S2C)
            on_server_hello(s, m);
        break;
    case WIRE_HS_SERVER_KEY_EXCHANGE:
        sess_name_server_key_exchange(s, &m->u.server_key_exchange);
        break;
    case WIRE_HS_CERTIFICATE:
        if (dir == TP_S2C)
            sess_name_tls13_kx(s, &m->u.certificate);
        break;
    case WIRE_HS_KEY_UPDATE:
        /* RFC 8446 7.2: applies to the records after the one carrying it;
         * only after the sender's Finished (4.6.3) */
        if (s->tls13 && is_protected && (dir == TP_C2S ? s->client_finished : s->server_finished)) {
            s->d[dir].key_updates++;
            s->d[dir].key_update_requested = len > 4 && msg[4] == 1;
        }
        break;
    case WIRE_HS_CERTIFICATE_VERIFY:
        if (dir == TP_S2C && s->tls13)
            sess_name_sigalg(s, m->u.certificate_verify.sigalg);
        break;
    case WIRE_HS_SERVER_HELLO_DONE:
        s->reneg_hello_done = true;
        break;
    case WIRE_HS_FINISHED: /* RFC 5246 7.3: resumed, the server's Finished comes first */
        if (dir == TP_S2C && s->obs.renegotiation_accepted && !s->reneg_hello_done)
            s->obs.renegotiation_resumed = true;
        break;
    default:
        break;
    }
}

static void handle_message(tp_session *s, tp_dir dir, double t, const uint8_t *msg, size_t len,
                           bool is_protected)
{
    static _Thread_local wire_handshake m;
    /* m.status keeps the outcome: a message that did not parse is still
     * reported (as far as it parsed) and still joins the transcript */
    tp_status parsed = wire_hs_parse(&s->ctx, msg, len, &m);
    (void)parsed;
    /* RFC 8446 4.6.1: lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>
     * (an empty ticket does not parse: told from the raw bytes) */
    if (dir == TP_S2C && s->tls13 && msg[0] == WIRE_HS_NEW_SESSION_TICKET && len >= 15 &&
        (size_t)msg[12] + 15 <= len && msg[13 + msg[12]] == 0 && msg[14 + msg[12]] == 0)
        s->obs.server_empty_ticket = true;
    tp_facts_on_handshake(&s->obs.facts, dir, &m);
    tp_event ev = {.type = TP_EV_HANDSHAKE, .t = t, .dir = dir};
    ev.u.handshake.msg = &m;
    ev.u.handshake.is_protected = is_protected;
    ev.u.handshake.verified = -1;
    char ja3[2048], ja3_md5[33], ja4[64];
    uint8_t expected[64];
    size_t expected_len = 0;

    if (m.status == TP_OK && m.type == WIRE_HS_CLIENT_HELLO && dir == TP_C2S) {
        if (s->client_finished && s->server_finished && !s->tls13) {
            /* RFC 5246 7.4.1.2: a client-initiated renegotiation; what the
             * first hello offered stays the connection's offer */
            s->obs.renegotiation = true;
            renegotiation_hello(s, &m);
        } else {
            sess_client_hello(s, &m);
            tp_facts_psk_binder(&s->obs.facts, msg, len, &m.u.client_hello);
        }
        if (wire_ja3(&m.u.client_hello, ja3, sizeof ja3, ja3_md5) == TP_OK) {
            ev.u.handshake.ja3 = ja3;
            ev.u.handshake.ja3_md5 = ja3_md5;
        }
        if (wire_ja4(&m.u.client_hello, ja4) == TP_OK)
            ev.u.handshake.ja4 = ja4;
    } else if (m.status == TP_OK) {
        note_message(s, dir, &m, msg, len, is_protected);
    }
    if (m.status == TP_OK)
        sess_resume_message(s, dir, &m);
    /* a Finished is checked before it joins the transcript */
    if (m.type == WIRE_HS_FINISHED && len >= WIRE_HS_HEADER_LEN)
        ev.u.handshake.verified =
            crypto_conn_check_finished(s->cc, dir, msg + WIRE_HS_HEADER_LEN,
                                       len - WIRE_HS_HEADER_LEN, expected, &expected_len);
    crypto_conn_add_handshake(s->cc, msg, len);
    if (m.type == WIRE_HS_FINISHED) {
        sess_side(s, dir)->finished_verified = ev.u.handshake.verified;
        if (ev.u.handshake.verified >= 0) {
            ev.u.handshake.expected = expected;
            ev.u.handshake.expected_len = expected_len;
        }
        bool *done = dir == TP_C2S ? &s->client_finished : &s->server_finished;
        /* a post-handshake authentication's Finished changes no keys (RFC 8446 4.6.2) */
        if (s->tls13 && !*done)
            crypto_conn_activate(s->cc, dir, CRYPTO_EPOCH_APPLICATION);
        *done = true;
    }
    sess_side(s, dir)->name = hs_display_name(&m);
    sess_emit(s, &ev);
}

/* Splits handshake bytes of one record into messages, keeping a partial
 * message for the next record (RFC 5246 6.2.1: messages may span records). */
void sess_handshake_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len,
                          bool is_protected)
{
    dir_state *d = &s->d[dir];
    wire_reasm_push(&d->hs, p, len);
    for (;;) {
        const uint8_t *msg;
        size_t n;
        uint32_t declared = 0;
        tp_status st = wire_hs_reasm_pull(&d->hs, &msg, &n, &declared);
        if (st == TP_OK) {
            handle_message(s, dir, t, msg, n, is_protected);
            continue;
        }
        if (st == TP_ERR_OVERSIZED) {
            char detail[112];
            snprintf(detail, sizeof detail,
                     "handshake message of %u bytes is over tlsprobe's limit of %u", declared,
                     (unsigned)WIRE_HS_MAX_LEN);
            sess_broken(s, dir, t, detail);
        } else if (st == TP_ERR_NOMEM) {
            sess_broken(s, dir, t, "out of memory reassembling a handshake message");
        }
        return;
    }
}

/* ---- alerts ----------------------------------------------------------- */

void sess_alert_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len,
                      bool is_protected, unsigned record_index)
{
    tp_obs_side *me = sess_side(s, dir);
    cur_t c;
    wire_alert al;
    cur_init(&c, p, len);
    while (wire_alert_parse(&c, &al) == TP_OK) {
        tp_alert_info a = {.from = dir == TP_C2S ? "client" : "server",
                           .level = al.level_name ? al.level_name : "unknown",
                           .description = al.description_name,
                           .is_protected = is_protected};
        if (!al.description_name) {
            snprintf(s->alert_desc[dir], sizeof s->alert_desc[dir], "unknown(%u)", al.description);
            a.description = s->alert_desc[dir];
        }
        if (al.description == WIRE_ALERT_CLOSE_NOTIFY)
            me->close_notify = true;
        if (dir == TP_S2C && al.description == WIRE_ALERT_NO_RENEGOTIATION && s->obs.renegotiation)
            s->obs.server_no_renegotiation = true;
        if (dir == TP_C2S && al.description == WIRE_ALERT_NO_RENEGOTIATION &&
            s->obs.facts.rel.hello_request)
            s->obs.client_no_renegotiation = true;
        sess_alert(s, dir, t, &a, al.fatal, record_index);
    }
}

void sess_alert(tp_session *s, tp_dir dir, double t, const tp_alert_info *a, bool fatal,
                unsigned record_index)
{
    tp_obs_side *me = sess_side(s, dir);
    if (!me->has_alert || (fatal && !me->fatal_alert)) {
        me->has_alert = true;
        me->fatal_alert = fatal;
        me->alert = *a;
        me->alert_record = record_index;
        if (dir == TP_C2S && fatal)
            s->server_frozen = true;
    }
    tp_obs_note_alert(&s->obs, a);
    tp_event ev = {.type = TP_EV_ALERT, .t = t, .dir = dir};
    ev.u.alert = *a;
    sess_emit(s, &ev);
}
