/* The session model: bytes in, events out.  One direction at a time, records
 * are framed (wire/record), protected ones opened when keys are known
 * (verify.c → crypto/), handshake messages reassembled across records and
 * split out of shared ones, and what the verdict rules need is noted in a
 * tp_observation as it goes by. */
#include "session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/keylog.h"
#include "../wire/ext.h"
#include "../wire/iana.h"
#include "../wire/ja.h"
#include "verdict.h"
#include "verify.h"

/* At most this much is held back per direction waiting for keys: the
 * engine logs a secret as soon as it derives it, so in practice one flight. */
#define TP_HELD_MAX 16
#define TP_HELD_BYTES_MAX (64 * 1024)

typedef struct {
    uint8_t *buf; /* pending bytes of an incomplete record */
    size_t len, cap;
    uint8_t *hs; /* pending bytes of an incomplete handshake message */
    size_t hs_len, hs_cap;
    unsigned records;
    bool is_protected; /* records from now on are protected */
    bool dead;         /* stream unparseable: stop framing it */
    const char *quirk; /* records framed now were shaped by this quirk */
    unsigned long long bytes;
    /* protected records held back until their keys arrive (live only) */
    struct held_record {
        double t;
        uint8_t *bytes; /* header + fragment */
        size_t len;
        char *quirk; /* the quirk that shaped it (live, s2c), or NULL */
    } held[TP_HELD_MAX];
    unsigned num_held;
    size_t held_bytes;
} dir_state;

struct tp_session {
    unsigned conn;
    char *peer, *local;
    tp_sink *sinks[TP_MAX_SINKS];
    unsigned num_sinks;
    bool want_data, want_record_bytes, expect_secrets;
    const tp_server_config *server;

    dir_state d[2];
    wire_hs_ctx ctx;
    bool tls13;
    uint8_t *client_hello; /* first ClientHello, raw */
    size_t client_hello_len;
    uint8_t client_random[32];
    bool have_client_random;
    char pending_secrets[8][200];
    unsigned num_pending_secrets;
    tp_verify *verify;
    const crypto_keylog_store *store;
    bool client_finished, server_finished;
    bool engine_done;
    bool server_frozen; /* client gave up: server_last_* describe its last record before that */

    tp_observation obs;
    char neg_protocol[16], neg_kx[24], neg_cipher[32], neg_mac[16], neg_group[32], neg_sigalg[40];
    char err_name[64], err_text[160];
    char alert_desc[2][32];
    char bad_detail_buf[2][96];
    bool ended;
    double t_last;
    tp_verdict verdict;
};

static void emit(tp_session *s, tp_event *ev)
{
    ev->conn = s->conn;
    for (unsigned i = 0; i < s->num_sinks; i++)
        s->sinks[i]->on_event(s->sinks[i], ev);
}

static void emit_note(tp_session *s, double t, tp_dir dir, const char *text)
{
    tp_event ev = {.type = TP_EV_NOTE, .t = t, .dir = dir};
    ev.u.note.text = text;
    emit(s, &ev);
}

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
    s->verify = tp_verify_new();
    if (!s->peer || !s->local || !s->verify) {
        tp_session_free(s);
        return NULL;
    }
    tp_event ev = {.type = TP_EV_ACCEPT, .t = 0};
    ev.u.accept.peer = s->peer;
    ev.u.accept.local = s->local;
    ev.u.accept.peer_sa = p->peer_sa;
    ev.u.accept.local_sa = p->local_sa;
    ev.u.accept.wall = p->wall;
    emit(s, &ev);
    return s;
}

static tp_obs_side *side(tp_session *s, tp_dir dir)
{
    return dir == TP_C2S ? &s->obs.client : &s->obs.server;
}

/* ---- not TLS ---------------------------------------------------------- */

static bool starts_with(const uint8_t *p, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(p, word, n) == 0;
}

static void note_not_tls(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len)
{
    tp_observation *o = &s->obs;
    o->not_tls = true;
    o->not_tls_dir_c2s = dir == TP_C2S;
    static const char *const http[] = {"GET ",     "POST ",   "HEAD ",  "PUT ", "OPTIONS ",
                                       "CONNECT ", "DELETE ", "PRI * ", "HTTP/"};
    static const char *const smtp[] = {"EHLO", "HELO", "ehlo", "helo", "220 ", "QUIT", "STARTTLS"};
    for (size_t i = 0; i < sizeof http / sizeof http[0]; i++)
        o->looks_http |= starts_with(p, len, http[i]);
    for (size_t i = 0; i < sizeof smtp / sizeof smtp[0]; i++)
        o->looks_smtp |= starts_with(p, len, smtp[i]);
    size_t n = 0;
    bool printable = true;
    for (size_t i = 0; i < len && i < 30 && p[i] != '\r' && p[i] != '\n'; i++, n++)
        printable &= isprint(p[i]) != 0;
    if (printable && n > 0) {
        memcpy(o->first_bytes, p, n);
        o->first_bytes[n] = '\0';
    } else {
        size_t used = 0;
        for (size_t i = 0; i < len && i < 8; i++)
            used += (size_t)snprintf(o->first_bytes + used, sizeof o->first_bytes - used, "%s%02x",
                                     i ? " " : "", p[i]);
    }
    char text[96];
    snprintf(text, sizeof text, "not TLS: %s", o->first_bytes);
    emit_note(s, t, dir, text);
}

static void note_broken(tp_session *s, tp_dir dir, double t, const char *detail)
{
    if (dir == TP_C2S && !s->obs.broken_stream) {
        s->obs.broken_stream = true;
        snprintf(s->obs.broken_detail, sizeof s->obs.broken_detail, "%s", detail);
    }
    emit_note(s, t, dir, detail);
    s->d[dir].dead = true;
}

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
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        const char *name = wire_group_name(ids[i]);
        char num[12];
        snprintf(num, sizeof num, "0x%04x", ids[i]);
        int w = snprintf(out + used, out_len - used, "%s%s", i ? "," : "", name ? name : num);
        if (w < 0 || (size_t)w >= out_len - used)
            return;
        used += (size_t)w;
    }
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
        if (!e || !tp_verify_add_entry(s->verify, e))
            continue;
        char line[300];
        if (crypto_keylog_entry_format(e, line, sizeof line) == 0)
            continue;
        tp_event ev = {.type = TP_EV_SECRET, .t = s->t_last};
        ev.u.secret.line = line;
        emit(s, &ev);
    }
}

static void on_client_hello(tp_session *s, const wire_handshake *m)
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
        }
    }
    if (!ch->sslv2 && cur_len(&ch->random) == 32 && !s->have_client_random) {
        memcpy(s->client_random, cur_data(&ch->random), 32);
        s->have_client_random = true;
        tp_verify_client_random(s->verify, s->client_random);
        for (unsigned i = 0; i < s->num_pending_secrets; i++)
            (void)tp_verify_add_secret(s->verify, s->pending_secrets[i]);
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
        s->obs.hello_retry = true;
        return;
    }
    s->obs.server_hello = true;
    s->ctx.version = sh->selected_version;
    s->ctx.cipher_suite = sh->cipher_suite;
    s->tls13 = sh->selected_version == 0x0304;
    cur_t body;
    bool etm =
        sh->has_extensions && wire_ext_find(sh->extensions, WIRE_EXT_ENCRYPT_THEN_MAC, &body);
    if (cur_len(&sh->random) == 32)
        tp_verify_server_hello(s->verify, cur_data(&sh->random), sh->selected_version,
                               sh->cipher_suite, etm);
    const wire_suite *suite = wire_suite_find(sh->cipher_suite);
    if (!s->neg_protocol[0]) {
        const char *v = wire_version_name(sh->selected_version);
        snprintf(s->neg_protocol, sizeof s->neg_protocol, "%s", v ? v : "unknown");
    }
    if (suite && !s->neg_cipher[0]) {
        snprintf(s->neg_cipher, sizeof s->neg_cipher, "%s", suite->cipher);
        snprintf(s->neg_mac, sizeof s->neg_mac, "%s", suite->mac);
        if (suite->kx)
            snprintf(s->neg_kx, sizeof s->neg_kx, "%s", suite->kx);
    }
    wire_ext_key_share ks;
    if (s->tls13 && !s->neg_group[0] && sh->has_extensions &&
        wire_ext_find(sh->extensions, WIRE_EXT_KEY_SHARE, &body) &&
        wire_ext_key_share_parse(body, WIRE_EXT_FROM_SERVER_HELLO, &ks) == TP_OK) {
        const char *gn = wire_group_name(ks.selected_group);
        snprintf(s->neg_group, sizeof s->neg_group, "%s", gn ? gn : "unknown");
    }
    if (s->tls13) {
        /* RFC 8446 2: everything after ServerHello is protected */
        s->d[TP_C2S].is_protected = s->d[TP_S2C].is_protected = true;
        tp_verify_switch(s->verify, TP_C2S, TP_EPOCH_HANDSHAKE);
        tp_verify_switch(s->verify, TP_S2C, TP_EPOCH_HANDSHAKE);
    }
}

static void on_server_key_exchange(tp_session *s, const wire_handshake *m)
{
    const wire_server_key_exchange *ske = &m->u.server_key_exchange;
    if (!s->neg_group[0]) {
        if (ske->named_group) {
            const char *gn = wire_group_name(ske->named_group);
            snprintf(s->neg_group, sizeof s->neg_group, "%s", gn ? gn : "unknown");
        } else if (ske->dh_p_bits) {
            snprintf(s->neg_group, sizeof s->neg_group, "DH-%u", ske->dh_p_bits);
        }
    }
    if (ske->has_sigalg && !s->neg_sigalg[0]) {
        const char *n = wire_sigalg_name(ske->sigalg);
        snprintf(s->neg_sigalg, sizeof s->neg_sigalg, "%s", n ? n : "unknown");
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
    tp_event ev = {.type = TP_EV_HANDSHAKE, .t = t, .dir = dir};
    ev.u.handshake.msg = &m;
    ev.u.handshake.is_protected = is_protected;
    ev.u.handshake.verified = -1;
    char ja3[2048], ja3_md5[33], ja4[64];
    uint8_t expected[64];
    size_t expected_len = 0;

    if (m.status == TP_OK) {
        switch (m.type) {
        case WIRE_HS_CLIENT_HELLO:
            if (dir != TP_C2S)
                break;
            on_client_hello(s, &m);
            if (wire_ja3(&m.u.client_hello, ja3, sizeof ja3, ja3_md5) == TP_OK) {
                ev.u.handshake.ja3 = ja3;
                ev.u.handshake.ja3_md5 = ja3_md5;
            }
            if (wire_ja4(&m.u.client_hello, ja4) == TP_OK)
                ev.u.handshake.ja4 = ja4;
            break;
        case WIRE_HS_SERVER_HELLO:
            if (dir == TP_S2C)
                on_server_hello(s, &m);
            break;
        case WIRE_HS_SERVER_KEY_EXCHANGE:
            on_server_key_exchange(s, &m);
            break;
        case WIRE_HS_CERTIFICATE:
            /* RFC 8446 B.4: TLS 1.3 suites name no key exchange; name it as the
             * engine does, from the group's kind and the certificate's key */
            if (dir == TP_S2C && s->tls13 && !s->neg_kx[0] && s->neg_group[0] &&
                m.u.certificate.num_summaries > 0 && m.u.certificate.certs[0].parsed) {
                const char *kt = m.u.certificate.certs[0].key_type;
                snprintf(s->neg_kx, sizeof s->neg_kx, "%s-%s",
                         strncmp(s->neg_group, "FFDHE", 5) == 0 ? "DHE" : "ECDHE",
                         strncmp(kt, "RSA", 3) == 0 ? "RSA" : "ECDSA");
            }
            break;
        case WIRE_HS_CERTIFICATE_VERIFY:
            if (dir == TP_S2C && s->tls13 && !s->neg_sigalg[0]) {
                const char *n = wire_sigalg_name(m.u.certificate_verify.sigalg);
                snprintf(s->neg_sigalg, sizeof s->neg_sigalg, "%s", n ? n : "unknown");
            }
            break;
        default:
            break;
        }
    }
    tp_verify_handshake(s->verify, dir, msg, len, m.type == WIRE_HS_FINISHED,
                        &ev.u.handshake.verified, expected, &expected_len);
    if (m.type == WIRE_HS_FINISHED) {
        side(s, dir)->finished_verified = ev.u.handshake.verified;
        if (ev.u.handshake.verified >= 0) {
            ev.u.handshake.expected = expected;
            ev.u.handshake.expected_len = expected_len;
        }
        if (dir == TP_C2S)
            s->client_finished = true;
        else
            s->server_finished = true;
        if (s->tls13)
            tp_verify_switch(s->verify, dir, TP_EPOCH_APPLICATION);
    }
    if (m.type == WIRE_HS_KEY_UPDATE && s->tls13 && is_protected)
        tp_verify_key_update(s->verify, dir); /* for the records after this one */
    side(s, dir)->name = hs_display_name(&m);
    emit(s, &ev);
}

/* Splits handshake bytes of one record into messages, keeping a partial
 * message for the next record (RFC 5246 6.2.1: messages may span records). */
static void handle_handshake_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p,
                                   size_t len, bool is_protected)
{
    dir_state *d = &s->d[dir];
    while (len > 0 || d->hs_len >= WIRE_HS_HEADER_LEN) {
        if (d->hs_len == 0) {
            /* fast path: whole messages straight from the record */
            cur_t c;
            cur_init(&c, p, len);
            uint8_t type;
            uint32_t body_len;
            if (wire_hs_peek_header(&c, &type, &body_len) == TP_OK &&
                len >= WIRE_HS_HEADER_LEN + (size_t)body_len) {
                size_t n = WIRE_HS_HEADER_LEN + body_len;
                handle_message(s, dir, t, p, n, is_protected);
                p += n;
                len -= n;
                continue;
            }
        }
        /* slow path: accumulate */
        size_t want = WIRE_HS_HEADER_LEN;
        if (d->hs_len >= WIRE_HS_HEADER_LEN) {
            cur_t c;
            cur_init(&c, d->hs, d->hs_len);
            uint8_t type;
            uint32_t body_len;
            if (wire_hs_peek_header(&c, &type, &body_len) != TP_OK)
                return;
            if (body_len > WIRE_HS_MAX_LEN) {
                char detail[112];
                snprintf(detail, sizeof detail,
                         "handshake message of %u bytes is over tlsprobe's limit of %u", body_len,
                         (unsigned)WIRE_HS_MAX_LEN);
                note_broken(s, dir, t, detail);
                return;
            }
            want = WIRE_HS_HEADER_LEN + body_len;
        }
        if (d->hs_len >= want) {
            handle_message(s, dir, t, d->hs, want, is_protected);
            memmove(d->hs, d->hs + want, d->hs_len - want);
            d->hs_len -= want;
            if (d->hs_len == 0) {
                free(d->hs);
                d->hs = NULL;
                d->hs_cap = 0;
            }
            continue;
        }
        if (len == 0)
            return;
        size_t take = want - d->hs_len;
        if (take > len)
            take = len;
        if (d->hs_len + take > d->hs_cap) {
            size_t cap = d->hs_cap ? d->hs_cap : 256;
            while (cap < d->hs_len + take)
                cap *= 2;
            uint8_t *nb = realloc(d->hs, cap);
            if (!nb) {
                note_broken(s, dir, t, "out of memory reassembling a handshake message");
                return;
            }
            d->hs = nb;
            d->hs_cap = cap;
        }
        memcpy(d->hs + d->hs_len, p, take);
        d->hs_len += take;
        p += take;
        len -= take;
    }
}

/* ---- alerts ----------------------------------------------------------- */

static void handle_alert_bytes(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len,
                               bool is_protected, unsigned record_index)
{
    tp_obs_side *me = side(s, dir);
    for (size_t i = 0; i + 1 < len; i += 2) {
        const char *level = wire_alert_level_name(p[i]);
        const char *desc = wire_alert_description_name(p[i + 1]);
        tp_alert_info a = {.from = dir == TP_C2S ? "client" : "server",
                           .level = level ? level : "unknown",
                           .description = desc,
                           .is_protected = is_protected};
        if (!desc) {
            snprintf(s->alert_desc[dir], sizeof s->alert_desc[dir], "unknown(%u)", p[i + 1]);
            a.description = s->alert_desc[dir];
        }
        if (p[i + 1] == 0)
            me->close_notify = true;
        bool fatal = p[i] == 2;
        if (!me->has_alert || (fatal && !me->fatal_alert)) {
            me->has_alert = true;
            me->fatal_alert = fatal;
            me->alert = a;
            me->alert_record = record_index;
            if (dir == TP_C2S && fatal)
                s->server_frozen = true;
        }
        tp_obs_note_alert(&s->obs, &a);
        tp_event ev = {.type = TP_EV_ALERT, .t = t, .dir = dir};
        ev.u.alert = a;
        emit(s, &ev);
    }
}

/* ---- records ---------------------------------------------------------- */

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

static void process_record(tp_session *s, tp_dir dir, double t, const wire_record *rec,
                           const char *quirk)
{
    static _Thread_local uint8_t plain[WIRE_MAX_CIPHERTEXT];
    dir_state *d = &s->d[dir];
    tp_obs_side *me = side(s, dir);
    d->records++;
    me->num_records++;
    tp_record_check chk = {0};
    const uint8_t *content = cur_data(&rec->fragment);
    size_t content_len = cur_len(&rec->fragment);
    unsigned type = rec->type;

    /* CCS is never protected; in TLS 1.3 it is only a compatibility no-op */
    if (d->is_protected && rec->type != WIRE_CT_CHANGE_CIPHER_SPEC) {
        chk.is_protected = true;
        me->num_protected++;
        tp_verify_open(s->verify, dir, rec, plain, sizeof plain, &chk);
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
    if (dir == TP_S2C)
        note_server_record(s, &chk);
    tp_event ev = {.type = TP_EV_RECORD, .t = t, .dir = dir};
    ev.u.record.rec = rec;
    ev.u.record.check = &chk;
    ev.u.record.index = d->records;
    ev.u.record.quirk = quirk;
    emit(s, &ev);

    if (chk.is_protected && chk.integrity != TP_INTEGRITY_OK) {
        /* Unopened: a protected alert in TLS <= 1.2 is still recognisable */
        if (rec->type == WIRE_CT_ALERT && !s->tls13) {
            tp_alert_info a = {.from = dir == TP_C2S ? "client" : "server",
                               .level = "unknown",
                               .description = "encrypted",
                               .is_protected = true};
            if (!me->has_alert) {
                me->has_alert = true;
                me->fatal_alert =
                    true; /* an encrypted alert at this point is nearly always fatal */
                me->alert = a;
                me->alert_record = d->records;
                if (dir == TP_C2S)
                    s->server_frozen = true;
            }
            tp_obs_note_alert(&s->obs, &a);
            tp_event aev = {.type = TP_EV_ALERT, .t = t, .dir = dir};
            aev.u.alert = a;
            emit(s, &aev);
        }
        if (rec->type == WIRE_CT_APPLICATION_DATA && !s->tls13)
            me->sent_appdata = true;
        if (rec->type == WIRE_CT_APPLICATION_DATA && s->tls13 && s->client_finished &&
            s->server_finished)
            me->sent_appdata = true;
        return;
    }
    switch (type) {
    case WIRE_CT_HANDSHAKE:
        handle_handshake_bytes(s, dir, t, content, content_len, chk.is_protected);
        break;
    case WIRE_CT_SSLV2_CLIENT_HELLO: {
        static _Thread_local wire_handshake m;
        if (wire_hs_parse_sslv2(content, content_len, &m) == TP_OK) {
            on_client_hello(s, &m);
            me->name = "ClientHello (SSLv2 format)";
        }
        tp_event hev = {.type = TP_EV_HANDSHAKE, .t = t, .dir = dir};
        hev.u.handshake.msg = &m;
        hev.u.handshake.verified = -1;
        emit(s, &hev);
        break;
    }
    case WIRE_CT_CHANGE_CIPHER_SPEC:
        if (!s->tls13) {
            d->is_protected = true; /* RFC 5246 7.1 */
            tp_verify_switch(s->verify, dir, TP_EPOCH_APPLICATION);
        }
        break;
    case WIRE_CT_ALERT:
        handle_alert_bytes(s, dir, t, content, content_len, chk.is_protected, d->records);
        break;
    case WIRE_CT_APPLICATION_DATA:
        me->sent_appdata = true;
        if (chk.integrity == TP_INTEGRITY_OK) {
            tp_obs_note_appdata(&s->obs, dir, content_len);
            tp_event aev = {.type = TP_EV_APPDATA, .t = t, .dir = dir};
            aev.u.appdata.bytes = content;
            aev.u.appdata.len = content_len;
            emit(s, &aev);
        }
        break;
    default:
        break;
    }
}

/* Processes the held records of dir; with `force`, also those whose keys
 * are still missing (they are then reported unchecked). */
static void release_held(tp_session *s, tp_dir dir, bool force)
{
    dir_state *d = &s->d[dir];
    unsigned done = 0;
    while (done < d->num_held && (force || tp_verify_has_keys(s->verify, dir))) {
        struct held_record *h = &d->held[done];
        cur_t in;
        cur_init(&in, h->bytes, h->len);
        wire_record rec;
        size_t need;
        if (wire_record_parse(&in, &rec, &need) == TP_OK)
            process_record(s, dir, h->t, &rec, h->quirk);
        free(h->bytes);
        free(h->quirk);
        d->held_bytes -= h->len;
        done++;
    }
    if (done > 0) {
        memmove(d->held, d->held + done, (d->num_held - done) * sizeof d->held[0]);
        d->num_held -= done;
    }
}

static bool hold_record(tp_session *s, tp_dir dir, double t, const wire_record *rec)
{
    dir_state *d = &s->d[dir];
    size_t len = cur_len(&rec->header) + cur_len(&rec->fragment);
    if (d->num_held >= TP_HELD_MAX || d->held_bytes + len > TP_HELD_BYTES_MAX)
        return false;
    uint8_t *copy = malloc(len);
    if (!copy)
        return false;
    memcpy(copy, cur_data(&rec->header), cur_len(&rec->header));
    memcpy(copy + cur_len(&rec->header), cur_data(&rec->fragment), cur_len(&rec->fragment));
    d->held[d->num_held++] =
        (struct held_record){.t = t, .bytes = copy, .len = len, .quirk = dup_str(d->quirk)};
    d->held_bytes += len;
    return true;
}

static void handle_record(tp_session *s, tp_dir dir, double t, const wire_record *rec)
{
    dir_state *d = &s->d[dir];
    /* the other side moved on: what it holds will not get keys in time */
    if (s->d[!dir].num_held)
        release_held(s, !dir, true);
    bool wants_keys = d->is_protected && rec->type != WIRE_CT_CHANGE_CIPHER_SPEC &&
                      rec->type != WIRE_CT_SSLV2_CLIENT_HELLO;
    if (s->expect_secrets &&
        (d->num_held > 0 || (wants_keys && !tp_verify_has_keys(s->verify, dir)))) {
        if (hold_record(s, dir, t, rec))
            return;
        release_held(s, dir, true);
    }
    process_record(s, dir, t, rec, d->quirk);
}

/* Frames records out of `p`; returns bytes consumed (the rest is a partial record). */
static size_t frame_records(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len)
{
    dir_state *d = &s->d[dir];
    cur_t in;
    cur_init(&in, p, len);
    while (cur_len(&in) > 0 && !d->dead) {
        wire_record rec;
        size_t need = 0;
        const uint8_t *start = cur_data(&in);
        tp_status st = wire_record_parse(&in, &rec, &need);
        if (st == TP_OK) {
            handle_record(s, dir, t, &rec);
            continue;
        }
        if (st == TP_ERR_TRUNCATED)
            break;
        if (st == TP_ERR_NOT_TLS && d->records == 0) {
            note_not_tls(s, dir, t, start, cur_len(&in));
            d->dead = true;
            break;
        }
        char detail[128];
        if (st == TP_ERR_OVERSIZED && cur_len(&in) >= 5)
            snprintf(detail, sizeof detail,
                     "record #%u declares %u bytes, over the 2^14+2048 limit (RFC 5246 6.2.3)",
                     d->records + 1, (unsigned)start[3] << 8 | start[4]);
        else
            snprintf(detail, sizeof detail,
                     "record #%u has a header that is not TLS (%02x %02x %02x)", d->records + 1,
                     start[0], cur_len(&in) > 1 ? start[1] : 0, cur_len(&in) > 2 ? start[2] : 0);
        note_broken(s, dir, t, detail);
        break;
    }
    return len - cur_len(&in);
}

void tp_session_feed(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len)
{
    if (!s || s->ended || len == 0)
        return;
    dir_state *d = &s->d[dir];
    s->t_last = t;
    d->bytes += len;
    side(s, dir)->bytes += len;
    if (s->want_data) {
        tp_event ev = {.type = TP_EV_DATA, .t = t, .dir = dir};
        ev.u.data.bytes = data;
        ev.u.data.len = len;
        emit(s, &ev);
    }
    if (d->dead)
        return;
    while (len > 0 && !d->dead) {
        if (d->len == 0) {
            size_t used = frame_records(s, dir, t, data, len);
            data += used;
            len -= used;
            if (len == 0 || d->dead)
                break;
        }
        /* Partial record: gather exactly one record's bytes, then frame it. */
        size_t want = WIRE_RECORD_HEADER_LEN;
        if (d->len >= 3 && (d->buf[0] & 0x80) && d->buf[2] == 1)
            want = 2 + (((size_t)d->buf[0] & 0x7f) << 8 | d->buf[1]); /* SSLv2 framing */
        else if (d->len >= WIRE_RECORD_HEADER_LEN)
            want = WIRE_RECORD_HEADER_LEN + ((size_t)d->buf[3] << 8 | d->buf[4]);
        if (want > WIRE_RECORD_HEADER_LEN + WIRE_MAX_CIPHERTEXT)
            want = WIRE_RECORD_HEADER_LEN; /* let the framer name the problem */
        size_t take = want > d->len ? want - d->len : 0;
        if (take > len)
            take = len;
        if (d->len + take > d->cap) {
            size_t cap = d->cap ? d->cap : 64;
            while (cap < d->len + take)
                cap *= 2;
            uint8_t *nb = realloc(d->buf, cap);
            if (!nb) {
                note_broken(s, dir, t, "out of memory buffering a record");
                return;
            }
            d->buf = nb;
            d->cap = cap;
        }
        memcpy(d->buf + d->len, data, take);
        d->len += take;
        data += take;
        len -= take;
        size_t used = frame_records(s, dir, t, d->buf, d->len);
        if (used > 0 || d->dead) {
            memmove(d->buf, d->buf + used, d->len - used);
            d->len -= used;
            if (d->len == 0) {
                free(d->buf);
                d->buf = NULL;
                d->cap = 0;
            }
        } else if (take == 0) {
            break; /* cannot progress: wait for more */
        }
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
        emit_note(s, t, TP_S2C, text);
}

void tp_session_gap(tp_session *s, tp_dir dir, double t, size_t len)
{
    if (!s || s->ended)
        return;
    char text[96];
    snprintf(text, sizeof text, "%zu bytes missing from the capture (%s)", len, tp_dir_name(dir));
    emit_note(s, t, dir, text);
    /* After a gap record framing is lost for good in this direction. */
    s->d[dir].dead = true;
}

void tp_session_add_secret(tp_session *s, double t, const char *nss_line)
{
    if (!s || s->ended)
        return;
    if (!s->have_client_random) {
        if (s->num_pending_secrets < 8)
            snprintf(s->pending_secrets[s->num_pending_secrets++], sizeof s->pending_secrets[0],
                     "%s", nss_line);
    } else if (!tp_verify_add_secret(s->verify, nss_line)) {
        return;
    }
    tp_event ev = {.type = TP_EV_SECRET, .t = t};
    ev.u.secret.line = nss_line;
    emit(s, &ev);
    release_held(s, TP_C2S, false);
    release_held(s, TP_S2C, false);
}

void tp_session_set_keylog_store(tp_session *s, const struct crypto_keylog_store *store)
{
    if (s)
        s->store = store;
}

void tp_session_set_negotiated(tp_session *s, const tp_negotiated *n)
{
#define TP_SET(field, value)                                                                       \
    if ((value) && *(value))                                                                       \
    snprintf(s->field, sizeof s->field, "%s", (value))
    TP_SET(neg_protocol, n->protocol);
    TP_SET(neg_kx, n->kx);
    TP_SET(neg_cipher, n->cipher);
    TP_SET(neg_mac, n->mac);
    TP_SET(neg_group, n->group);
    TP_SET(neg_sigalg, n->sigalg);
#undef TP_SET
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

static const char *opt(const char *field)
{
    return field[0] ? field : NULL;
}

void tp_session_end(tp_session *s, double t, tp_end_reason why)
{
    if (!s || s->ended)
        return;
    if (t < s->t_last)
        t = s->t_last; /* bytes traced while closing: the verdict comes last */
    release_held(s, TP_C2S, true);
    release_held(s, TP_S2C, true);
    tp_observation *o = &s->obs;
    o->end = why;
    o->t_end = t;
    o->handshake_done = s->engine_done || (s->client_finished && s->server_finished);
    if (!s->engine_done && o->handshake_done && o->client.sent_appdata && o->server.sent_appdata)
        o->app_exchanged = true; /* offline: data both ways */
    o->protocol = opt(s->neg_protocol);
    o->kx = opt(s->neg_kx);
    o->cipher = opt(s->neg_cipher);
    o->mac = opt(s->neg_mac);
    o->group = opt(s->neg_group);
    o->sigalg = opt(s->neg_sigalg);
    if (s->d[TP_C2S].len > 0 && !s->d[TP_C2S].dead) {
        char text[96];
        snprintf(text, sizeof text, "the client's last record is incomplete (%zu bytes buffered)",
                 s->d[TP_C2S].len);
        emit_note(s, t, TP_C2S, text);
    }
    tp_verdict_decide(o, &s->verdict);
    s->ended = true;
    tp_event ev = {.type = TP_EV_VERDICT, .t = t};
    ev.u.verdict = &s->verdict;
    emit(s, &ev);
    tp_event cev = {.type = TP_EV_CLOSE, .t = t};
    emit(s, &cev);
}

void tp_session_set_timeout(tp_session *s, double timeout)
{
    if (s)
        s->obs.timeout = timeout;
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

void tp_session_free(tp_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        free(s->d[i].buf);
        free(s->d[i].hs);
        for (unsigned j = 0; j < s->d[i].num_held; j++) {
            free(s->d[i].held[j].bytes);
            free(s->d[i].held[j].quirk);
        }
    }
    free(s->client_hello);
    free(s->peer);
    free(s->local);
    tp_verify_free(s->verify);
    free(s);
}
