/* Session rows: text or hex for bytes that are not TLS, HelloRetryRequest
 * framing, KeyUpdate in the verifier, and the verdict rules for a rejected
 * certificate, a refused renegotiation and a server that ended first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/session.h"
#include "analysis/verdict.h"
#include "crypto/conn.h"

/* ---- a sink that keeps what the tests look at ------------------------- */

typedef struct {
    tp_sink base;
    char note[200];
    unsigned num_hs;
    uint8_t hs_type[16];
    bool hs_protected[16];
    unsigned num_rec;
    bool rec_protected[32];
    tp_verdict verdict;
    double t_max, secret_t; /* the latest t so far; the last secret's t */
    bool t_went_back;
} rows_sink;

static void rows_on_event(tp_sink *self, const tp_event *ev)
{
    rows_sink *c = (rows_sink *)self;
    c->t_went_back |= ev->t < c->t_max;
    c->t_max = ev->t > c->t_max ? ev->t : c->t_max;
    if (ev->type == TP_EV_SECRET)
        c->secret_t = ev->t;
    if (ev->type == TP_EV_NOTE)
        snprintf(c->note, sizeof c->note, "%s", ev->u.note.text);
    if (ev->type == TP_EV_HANDSHAKE && c->num_hs < 16) {
        c->hs_protected[c->num_hs] = ev->u.handshake.is_protected;
        c->hs_type[c->num_hs++] = ev->u.handshake.msg->type;
    }
    if (ev->type == TP_EV_RECORD && c->num_rec < 32)
        c->rec_protected[c->num_rec++] = ev->u.record.check->is_protected;
    if (ev->type == TP_EV_VERDICT)
        c->verdict = *ev->u.verdict;
}

static tp_session *rows_session_with(rows_sink *c, bool expect_secrets)
{
    memset(c, 0, sizeof *c);
    c->base.on_event = rows_on_event;
    tp_session_params p = {.conn = 1, .peer = "127.0.0.1:1", .local = "127.0.0.1:2",
                           .expect_secrets = expect_secrets};
    p.sinks[p.num_sinks++] = &c->base;
    tp_session *s = tp_session_new(&p);
    assert_non_null(s);
    return s;
}

static tp_session *rows_session(rows_sink *c) { return rows_session_with(c, false); }

/* ---- not TLS: text or hex --------------------------------------------- */

static void test_is_text(void **state)
{
    (void)state;
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_true(tp_session_is_text((const uint8_t *)http, strlen(http)));
    assert_true(tp_session_is_text((const uint8_t *)"EHLO mail\r\n", 11));
    /* printable start, binary right after */
    assert_false(tp_session_is_text((const uint8_t *)"HELLO\0\1\2", 8));
    /* a printable first line, then binary */
    assert_false(tp_session_is_text((const uint8_t *)"GET / HTTP/1.1\r\n\0\1\2", 19));
    /* a long printable line with a control byte past the 30 quoted bytes */
    assert_false(
        tp_session_is_text((const uint8_t *)"0123456789012345678901234567890123456789\x01", 41));
    assert_false(tp_session_is_text((const uint8_t *)"\x80\x81", 2));
    assert_false(tp_session_is_text((const uint8_t *)"", 0));
    /* UTF-8 after the first line is text, not binary */
    assert_true(tp_session_is_text((const uint8_t *)"HELO x\r\n\xc3\xa9t\xc3\xa9\r\n", 14));
}

static void not_tls_summary(const char *bytes, size_t len, rows_sink *c)
{
    tp_session *s = rows_session(c);
    tp_session_feed(s, TP_C2S, 0.01, (const uint8_t *)bytes, len);
    tp_session_end(s, 0.02, TP_END_PEER_CLOSED);
    tp_session_free(s);
    assert_int_equal(c->verdict.phase, TP_PHASE_NOT_TLS);
    assert_int_equal(c->verdict.actor, TP_ACTOR_CLIENT);
}

static void test_not_tls_rendering(void **state)
{
    (void)state;
    rows_sink c;
    not_tls_summary("HELLO\0\1\2\xfe\xff", 10, &c);
    assert_non_null(strstr(c.verdict.summary, "48 45 4c 4c 4f 00 01 02"));
    assert_non_null(strstr(c.note, "not TLS: 48 45"));
    /* an HTTP-looking line followed by binary is not called plain HTTP */
    not_tls_summary("GET / HTTP/1.1\r\n\0\1\2\3", 20, &c);
    assert_null(strstr(c.verdict.summary, "plain HTTP"));
    assert_non_null(strstr(c.verdict.summary, "47 45 54 20"));
    const char *text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    not_tls_summary(text, strlen(text), &c);
    assert_non_null(strstr(c.verdict.summary, "plain HTTP (\"GET / HTTP/1.1\")"));
}

/* ---- HelloRetryRequest: the compatibility CCS does not protect anything --- */

static uint8_t *read_data(const char *name, size_t *out_len)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 16);
    assert_non_null(buf);
    *out_len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* Length of the first n records of p. */
static size_t records_len(const uint8_t *p, size_t len, unsigned n)
{
    size_t off = 0;
    for (unsigned i = 0; i < n && off + 5 <= len; i++)
        off += 5 + ((size_t)p[off + 3] << 8 | p[off + 4]);
    assert_true(off <= len);
    return off;
}

static void test_hrr_framing(void **state)
{
    (void)state;
    size_t clen, slen;
    uint8_t *c2s = read_data("flight-tls13-hrr-c2s.bin", &clen);
    uint8_t *s2c = read_data("flight-tls13-hrr-s2c.bin", &slen);
    rows_sink c;
    tp_session *s = rows_session(&c);
    /* wire order: ClientHello1; HRR, CCS; CCS, ClientHello2; ServerHello ... */
    size_t c1 = records_len(c2s, clen, 1), c3 = records_len(c2s, clen, 3);
    size_t s2 = records_len(s2c, slen, 2);
    tp_session_feed(s, TP_C2S, 0.001, c2s, c1);
    tp_session_feed(s, TP_S2C, 0.002, s2c, s2);
    tp_session_feed(s, TP_C2S, 0.003, c2s + c1, c3 - c1);
    tp_session_feed(s, TP_S2C, 0.004, s2c + s2, slen - s2);
    tp_session_end(s, 0.01, TP_END_PEER_CLOSED);
    tp_session_free(s);
    assert_true(c.num_hs >= 4);
    assert_int_equal(c.hs_type[0], 1); /* ClientHello1 */
    assert_int_equal(c.hs_type[1], 2); /* HelloRetryRequest */
    assert_int_equal(c.hs_type[2], 1); /* ClientHello2, in the clear */
    assert_false(c.hs_protected[2]);
    assert_int_equal(c.hs_type[3], 2); /* the ServerHello, parsed */
    assert_false(c.hs_protected[3]);
    /* records: CH1, HRR, CCS, CCS, CH2, SH: none protected; then the encrypted ones */
    assert_true(c.num_rec >= 7);
    for (unsigned i = 0; i < 6; i++)
        assert_false(c.rec_protected[i]);
    assert_true(c.rec_protected[6]);
    free(c2s);
    free(s2c);
}

/* ---- KeyUpdate in the verifier --------------------------------------- */

static crypto_conn *tls13_conn(bool with_secret, const crypto_keylog_entry *e)
{
    uint8_t cr[32], sr[32];
    memset(cr, 0x11, sizeof cr);
    memset(sr, 0x22, sizeof sr);
    crypto_conn *c = crypto_conn_new();
    assert_non_null(c);
    crypto_conn_set_hello(c, cr, sr, 0x0304, 0x1301, false);
    if (with_secret)
        assert_int_equal(crypto_conn_add_secret(c, e), TP_OK);
    crypto_conn_activate(c, TP_C2S, CRYPTO_EPOCH_APPLICATION);
    return c;
}

static tp_integrity open_one(crypto_conn *c, const uint8_t *rec, size_t len)
{
    uint8_t buf[256];
    tp_record_check chk;
    (void)crypto_conn_open(c, TP_C2S, 23, 0x0303, rec, len, buf, sizeof buf, &chk);
    return chk.integrity;
}

static void test_key_update(void **state)
{
    (void)state;
    crypto_keylog_entry e = {.label = CRYPTO_KL_CLIENT_TRAFFIC_SECRET_0, .secret_len = 32};
    memset(e.client_random, 0x11, 32);
    for (int i = 0; i < 32; i++)
        e.secret[i] = (uint8_t)(i * 7 + 1);
    crypto_conn *sender = tls13_conn(true, &e);
    uint8_t r1[64], r2[64];
    size_t n1, n2;
    const uint8_t pt[] = "hello";
    assert_int_equal(crypto_conn_seal(sender, TP_C2S, 23, 0x0303, pt, 5, NULL, r1, sizeof r1, &n1),
                     TP_OK);
    assert_int_equal(crypto_conn_key_update(sender, TP_C2S), TP_OK);
    assert_int_equal(crypto_conn_seal(sender, TP_C2S, 23, 0x0303, pt, 5, NULL, r2, sizeof r2, &n2),
                     TP_OK);
    assert_int_equal(crypto_conn_key_generation(sender, TP_C2S), 1);

    /* the record after the update needs the next generation of keys */
    crypto_conn *plain = tls13_conn(true, &e);
    assert_int_equal(open_one(plain, r1, n1), TP_INTEGRITY_OK);
    assert_int_equal(open_one(plain, r2, n2), TP_INTEGRITY_BAD);
    crypto_conn *updated = tls13_conn(true, &e);
    assert_int_equal(open_one(updated, r1, n1), TP_INTEGRITY_OK);
    assert_int_equal(crypto_conn_key_update(updated, TP_C2S), TP_OK);
    assert_int_equal(open_one(updated, r2, n2), TP_INTEGRITY_OK);
    /* an update seen before the secret is applied when the secret comes */
    crypto_conn *late = tls13_conn(false, &e);
    assert_int_equal(crypto_conn_key_update(late, TP_C2S), TP_ERR_NO_KEYS);
    assert_int_equal(crypto_conn_key_generation(late, TP_C2S), 1);
    assert_int_equal(crypto_conn_add_secret(late, &e), TP_OK);
    assert_int_equal(open_one(late, r2, n2), TP_INTEGRITY_OK);
    crypto_conn_free(sender);
    crypto_conn_free(plain);
    crypto_conn_free(updated);
    crypto_conn_free(late);
}

/* ---- a plaintext alert in TLS 1.3 --------------------------------------- */

/* OpenSSL rejecting the certificate in TLS 1.3 before it has handshake
 * keys: its alert record (type 21) after the server's encrypted flight is a
 * plaintext alert, not a protected record (RFC 8446 5.2). */
static void test_tls13_clear_alert(void **state)
{
    (void)state;
    size_t clen, slen;
    uint8_t *c2s = read_data("flight-tls13-c2s.bin", &clen);
    uint8_t *s2c = read_data("flight-tls13-s2c.bin", &slen);
    rows_sink c;
    tp_session *s = rows_session(&c);
    tp_session_feed(s, TP_C2S, 0.001, c2s, records_len(c2s, clen, 1));
    tp_session_feed(s, TP_S2C, 0.002, s2c, records_len(s2c, slen, 6));
    const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30}; /* fatal unknown_ca */
    unsigned before = c.num_rec;
    tp_session_feed(s, TP_C2S, 0.003, alert, sizeof alert);
    tp_session_end(s, 0.004, TP_END_PEER_CLOSED);
    tp_session_free(s);
    assert_int_equal(c.num_rec, before + 1);
    assert_false(c.rec_protected[before]);
    assert_true(c.rec_protected[before - 1]); /* the server's encrypted flight */
    assert_true(c.verdict.has_alert);
    assert_string_equal(c.verdict.alert.description, "unknown_ca");
    assert_false(c.verdict.alert.is_protected);
    assert_true(c.verdict.cause && strcmp(c.verdict.cause, "client-rejected-certificate") == 0);
    assert_int_equal(c.verdict.actor, TP_ACTOR_CLIENT);
    /* no keys: the ServerHello is the last message read, the rest is encrypted */
    assert_non_null(strstr(c.verdict.summary,
                           "unencrypted after the server's ServerHello and its encrypted flight"));
    assert_null(strstr(c.verdict.summary, "(last: ServerHello)"));
    free(c2s);
    free(s2c);
}

/* ---- a secret that opens held records ---------------------------------- */

/* Live, the server's encrypted flight waits for its keys; libssl may log a
 * secret well after the bytes it opens arrived (CLIENT_TRAFFIC_SECRET_0 after
 * the client's Finished).  The secret is stamped at the first record it
 * opens, so the trace's t never goes back. */
static void test_secret_before_held(void **state)
{
    (void)state;
    size_t clen, slen;
    uint8_t *c2s = read_data("flight-tls13-c2s.bin", &clen);
    uint8_t *s2c = read_data("flight-tls13-s2c.bin", &slen);
    rows_sink c;
    tp_session *s = rows_session_with(&c, true);
    tp_session_feed(s, TP_C2S, 0.001, c2s, records_len(c2s, clen, 1));
    tp_session_feed(s, TP_S2C, 0.002, s2c, records_len(s2c, slen, 6));
    unsigned before = c.num_rec; /* the encrypted flight is held */
    char line[200] = "SERVER_HANDSHAKE_TRAFFIC_SECRET ";
    size_t n = strlen(line);
    for (int i = 0; i < 32; i++) /* the ClientHello's random: record, handshake, version */
        n += (size_t)snprintf(line + n, sizeof line - n, "%02x", c2s[11 + i]);
    snprintf(line + n, sizeof line - n, " %064x", 7);
    tp_session_add_secret(s, 0.005, line);
    assert_true(c.secret_t > 0.0019 && c.secret_t < 0.0021);
    tp_session_end(s, 0.006, TP_END_PEER_CLOSED);
    tp_session_free(s);
    assert_true(c.num_rec > before); /* the held records, after the secret */
    assert_false(c.t_went_back);
    free(c2s);
    free(s2c);
}

/* ---- verdict rules ---------------------------------------------------- */

static void obs_base(tp_observation *o)
{
    memset(o, 0, sizeof *o);
    o->client.finished_verified = o->server.finished_verified = -1;
    o->end = TP_END_PEER_CLOSED;
    o->t_end = 0.01;
    o->client_hello = o->server_hello = true;
    o->client.name = "ClientHello";
    o->client.bytes = 300;
    o->client.num_records = 1;
}

static void set_alert(tp_obs_side *side, const char *from, const char *level, const char *desc,
                      bool prot)
{
    side->has_alert = true;
    side->fatal_alert = strcmp(level, "fatal") == 0;
    side->alert = (tp_alert_info){
        .from = from, .level = level, .description = desc, .is_protected = prot};
}

static bool has_cause(const tp_verdict *v, const char *cause)
{
    return v->cause && strcmp(v->cause, cause) == 0;
}

/* s_client's `R` against the engine: warning no_renegotiation, then fatal
 * unexpected_message; OpenSSL gives up with handshake_failure. */
static void obs_reneg(tp_observation *o)
{
    obs_base(o);
    o->handshake_done = true;
    o->client.sent_appdata = o->server.sent_appdata = true;
    o->app_exchanged = true;
    o->server.name = "Finished";
    o->renegotiation = true;
    o->server_no_renegotiation = true;
    set_alert(&o->server, "server", "fatal", "unexpected_message", true);
    set_alert(&o->client, "client", "fatal", "handshake_failure", true);
}

static void test_rule_renegotiation_refused(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    obs_reneg(&o);
    tp_verdict_decide(&o, &v);
    assert_false(v.ok);
    assert_true(has_cause(&v, "renegotiation-refused"));
    assert_int_equal(v.actor, TP_ACTOR_SERVER);
    assert_int_equal(v.phase, TP_PHASE_AFTER_HANDSHAKE);
    assert_non_null(strstr(v.summary, "the client asked to renegotiate"));
    assert_non_null(strstr(v.summary, "renegotiation not allowed by the server"));
    assert_non_null(strstr(v.summary, "warning no_renegotiation, then fatal unexpected_message"));
    assert_non_null(strstr(v.summary, "the client then sent encrypted fatal handshake_failure"));
    assert_null(strstr(v.summary, "rejected a valid record"));
    /* flipped: no renegotiation, or the server took it up */
    obs_reneg(&o);
    o.renegotiation = false;
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "renegotiation-refused"));
    obs_reneg(&o);
    o.renegotiation_accepted = true;
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "renegotiation-refused"));
    /* refused politely and the connection went on: not a failure of it */
    obs_reneg(&o);
    o.client.has_alert = o.client.fatal_alert = false;
    o.server.has_alert = o.server.fatal_alert = false;
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "renegotiation-refused"));
}

/* --quirk hello-request on the openssl engine: a client that declines
 * (warning no_renegotiation) and libssl's fatal handshake_failure after it. */
static void obs_declined(tp_observation *o)
{
    obs_base(o);
    o->handshake_done = o->app_exchanged = true;
    o->client.sent_appdata = o->server.sent_appdata = true;
    o->server.name = "HelloRequest";
    o->client.name = "Finished";
    o->facts.rel.hello_request = true;
    o->client_no_renegotiation = true;
    set_alert(&o->client, "client", "warning", "no_renegotiation", true);
    set_alert(&o->server, "server", "fatal", "handshake_failure", true);
    o->engine_error_text = "no renegotiation";
}

static void test_rule_renegotiation_declined(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    obs_declined(&o);
    tp_verdict_decide(&o, &v);
    assert_true(has_cause(&v, "server-required-renegotiation"));
    assert_int_equal(v.outcome, TP_OUTCOME_FAIL);
    assert_int_equal(v.actor, TP_ACTOR_SERVER);
    assert_int_equal(v.phase, TP_PHASE_AFTER_HANDSHAKE);
    /* cause before symptom: the client's decline first, the server's alert after */
    const char *decl = strstr(v.summary, "the client declined the server's renegotiation request "
                                         "(HelloRequest) with a warning no_renegotiation");
    const char *alert = strstr(v.summary, "encrypted fatal handshake_failure");
    assert_non_null(decl);
    assert_non_null(alert);
    assert_true(decl < alert);
    assert_non_null(strstr(v.summary, "(engine: no renegotiation)"));
    /* flipped: the session went on (GnuTLS), the server never asked, the
     * client renegotiated, or the client's own fatal alert */
    obs_declined(&o);
    o.server.has_alert = o.server.fatal_alert = false;
    tp_verdict_decide(&o, &v);
    assert_true(has_cause(&v, "session-ok"));
    obs_declined(&o);
    o.facts.rel.hello_request = false;
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "server-required-renegotiation"));
    obs_declined(&o);
    o.client_no_renegotiation = false;
    tp_verdict_decide(&o, &v);
    assert_true(has_cause(&v, "server-alert"));
    obs_declined(&o);
    o.renegotiation = true;
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "server-required-renegotiation"));
    obs_declined(&o);
    set_alert(&o.client, "client", "fatal", "handshake_failure", true);
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "server-required-renegotiation"));
}

/* session-ok names how the renegotiation went: a full handshake, or the
 * session resumed (OpenSSL) */
static void test_renegotiation_words(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    obs_declined(&o);
    o.server.has_alert = o.server.fatal_alert = o.client.has_alert = false;
    o.client_no_renegotiation = false;
    o.renegotiation = o.renegotiation_accepted = true;
    tp_verdict_decide(&o, &v);
    assert_true(has_cause(&v, "session-ok"));
    assert_non_null(strstr(v.summary, ", after a server-requested renegotiation (a second full "
                                      "handshake)"));
    o.renegotiation_resumed = true;
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, ", after a server-requested renegotiation (the session "
                                      "resumed: an abbreviated handshake)"));
}

/* decode: who ended the TCP connection (capture/tcp.c via the end reason). */
static void test_rule_server_ended_first(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = -1;
    o.end = TP_END_REFUSED;
    tp_verdict_decide(&o, &v);
    assert_true(has_cause(&v, "server-refused"));
    assert_int_equal(v.actor, TP_ACTOR_SERVER);
    assert_int_equal(v.phase, TP_PHASE_TRANSPORT);
    assert_non_null(strstr(v.summary, "the server refused the connection (RST to the client's SYN)"));
    assert_int_equal(v.layers.transport.closed_by, TP_ACTOR_SERVER);
    o.end = TP_END_PEER_RESET; /* flipped: the client reset */
    tp_verdict_decide(&o, &v);
    assert_false(has_cause(&v, "server-refused"));
    assert_int_equal(v.actor, TP_ACTOR_CLIENT);

    /* the server's FIN or RST came first, after the ClientHello */
    obs_base(&o);
    o.server_hello = false;
    o.end = TP_END_SERVER_CLOSED;
    tp_verdict_decide(&o, &v);
    assert_int_equal(v.actor, TP_ACTOR_SERVER);
    assert_non_null(strstr(v.summary, "the server closed the connection"));
    assert_non_null(strstr(v.summary, "ClientHello"));
    o.end = TP_END_SERVER_RESET;
    tp_verdict_decide(&o, &v);
    assert_int_equal(v.actor, TP_ACTOR_SERVER);
    assert_non_null(strstr(v.summary, "the server reset the connection"));
    assert_int_equal(v.layers.transport.closed_by, TP_ACTOR_SERVER);
    o.end = TP_END_PEER_RESET;
    tp_verdict_decide(&o, &v);
    assert_int_equal(v.actor, TP_ACTOR_CLIENT);
    assert_non_null(strstr(v.summary, "the client reset the connection"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_text),
        cmocka_unit_test(test_not_tls_rendering),
        cmocka_unit_test(test_hrr_framing),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_tls13_clear_alert),
        cmocka_unit_test(test_secret_before_held),
        cmocka_unit_test(test_rule_renegotiation_refused),
        cmocka_unit_test(test_rule_renegotiation_declined),
        cmocka_unit_test(test_renegotiation_words),
        cmocka_unit_test(test_rule_server_ended_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
