/* Relations (relations.c) from real handshake bytes, the application
 * layer's fit, and the verdict rules that use them, each on a hand-made
 * observation with the condition that must make it fail next to it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/relations.h"
#include "analysis/session.h"
#include "analysis/verdict.h"
#include "report/relations_render.h"
#include "verdict_fixture.h"

static uint8_t *read_fixture(const char *name, size_t *out_len)
{
    const char *dir = getenv("TP_TEST_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[65536];
    *out_len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t *copy = malloc(*out_len);
    assert_non_null(copy);
    memcpy(copy, buf, *out_len);
    return copy;
}

static tp_session *session_fed(const char *c2s, const char *s2c)
{
    tp_session_params p;
    memset(&p, 0, sizeof p);
    p.conn = 1;
    tp_session *s = tp_session_new(&p);
    assert_non_null(s);
    size_t n;
    uint8_t *b = read_fixture(c2s, &n);
    tp_session_feed(s, TP_C2S, 0.001, b, n);
    free(b);
    if (s2c) {
        b = read_fixture(s2c, &n);
        tp_session_feed(s, TP_S2C, 0.002, b, n);
        free(b);
    }
    return s;
}

static void test_relations_from_real_hellos(void **state)
{
    (void)state;
    /* Python: SNI localhost, ALPN h2,http/1.1; the server's TLS 1.2 flight */
    tp_session *s = session_fed("clienthello-python.bin", "flight-tls12-ecdhe-rsa-s2c.bin");
    const tp_facts *f = tp_session_facts(s);
    assert_true(f->rel.sni_offered);
    assert_string_equal(f->rel.sni, "localhost");
    assert_int_equal(f->rel.num_alpn_offered, 2);
    assert_string_equal(f->rel.alpn_offered[0], "h2");
    assert_string_equal(f->rel.alpn_offered[1], "http/1.1");
    assert_false(tp_rel_alpn_without_http11(&f->rel));
    assert_true(f->rel.alpn_answer_seen);     /* the TLS 1.2 ServerHello answered */
    assert_string_equal(f->rel.alpn_selected, "");
    assert_true(f->rel.cert_seen);
    assert_true(f->rel.num_cert_names > 0);
    assert_int_equal(f->rel.sni_match, 1);    /* make_fixtures' server cert names localhost */
    assert_int_equal(f->c2s_feeds, 1);
    tp_session_end(s, 0.01, TP_END_PEER_CLOSED);
    const tp_verdict *v = tp_session_verdict(s);
    assert_string_equal(v->relations.sni, "localhost");
    /* the same certificate again: the same names (from the per-thread cache) */
    tp_session *again = session_fed("clienthello-python.bin", "flight-tls12-ecdhe-rsa-s2c.bin");
    const tp_relations *r1 = &v->relations, *r2 = &tp_session_facts(again)->rel;
    assert_int_equal(r2->num_cert_names, r1->num_cert_names);
    for (unsigned i = 0; i < r1->num_cert_names; i++)
        assert_string_equal(r2->cert_names[i], r1->cert_names[i]);
    tp_session_end(again, 0.01, TP_END_PEER_CLOSED);
    tp_session_free(again);
    tp_session_free(s);

    /* curl to an IP literal: no SNI, so nothing to compare */
    s = session_fed("clienthello-curl.bin", NULL);
    assert_false(tp_session_facts(s)->rel.sni_offered);
    assert_int_equal(tp_session_facts(s)->rel.sni_match, -1);
    assert_true(tp_session_facts(s)->rel.reneg_secure);
    tp_session_end(s, 0.01, TP_END_PEER_CLOSED);
    tp_session_free(s);
}

static void test_renegotiation(void **state)
{
    (void)state;
    size_t n;
    uint8_t *rec = read_fixture("clienthello-openssl-tls12.bin", &n);
    static wire_handshake m;
    wire_hs_ctx ctx = {0};
    assert_int_equal(wire_hs_parse(&ctx, rec + 5, n - 5, &m), TP_OK); /* after the record header */
    tp_facts f;
    tp_facts_init(&f);
    assert_int_equal(f.rel.reneg_allowed, -1);
    tp_facts_on_handshake(&f, 0, &m);
    assert_int_equal(f.rel.reneg_client_hellos, 0); /* the first hello */
    assert_true(f.rel.reneg_secure);
    f.finished[0] = f.finished[1] = true;
    tp_facts_on_handshake(&f, 0, &m);
    assert_int_equal(f.rel.reneg_client_hellos, 1); /* a hello after the handshake */
    free(rec);
}

static void test_name_matching(void **state)
{
    (void)state;
    assert_true(tp_rel_name_matches("localhost", "LocalHost"));
    assert_true(tp_rel_name_matches("a.example.com", "*.example.com"));
    assert_false(tp_rel_name_matches("example.com", "*.example.com"));
    assert_false(tp_rel_name_matches("a.b.example.com", "*.example.com"));
    assert_false(tp_rel_name_matches("wrong.example", "localhost"));
    assert_false(tp_rel_name_matches("xexample.com", "*example.com"));
}

static void facts_with_app(tp_facts *f, const char *mode, const char *c2s)
{
    tp_facts_init(f);
    f->mode = mode;
    f->finished[0] = f->finished[1] = true;
    if (c2s)
        tp_facts_on_appdata(f, 0, (const uint8_t *)c2s, strlen(c2s));
}

static void test_app_fit(void **state)
{
    (void)state;
    tp_facts f;
    tp_app_layer a;
    facts_with_app(&f, "http", "hello\n");
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "not-http");
    assert_int_equal(a.c2s_bytes, 6);
    assert_non_null(strstr(a.note, "6 bytes that are not an HTTP request (\"hello\")"));
    assert_non_null(strstr(a.note, "try --echo"));

    facts_with_app(&f, "http", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "http");
    assert_string_equal(a.note, "");

    facts_with_app(&f, "http", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "h2-preface");
    assert_non_null(strstr(a.note, "speaks HTTP/1.1"));

    facts_with_app(&f, "echo", "hello\n"); /* a line is what --echo wants */
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "echo");

    /* curl against --echo: its request comes back as the "answer" */
    facts_with_app(&f, "echo", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "http-to-echo");
    assert_non_null(strstr(a.note, "the client sent an HTTP request; --echo sends the client's "
                                   "bytes back"));
    assert_non_null(strstr(a.note, "try --http"));

    facts_with_app(&f, "http", "\n"); /* one byte: not "1 bytes" */
    tp_facts_app_fit(&f, &a);
    assert_non_null(strstr(a.note, "the client sent 1 byte that is not an HTTP request"));

    facts_with_app(&f, "http", NULL);
    tp_facts_app_fit(&f, &a);
    assert_string_equal(a.fit, "no-data");

    facts_with_app(&f, NULL, "hello\n"); /* offline: the mode is not known */
    tp_facts_app_fit(&f, &a);
    assert_null(a.fit);
}

/* ---- rules ---- */

static void test_rule_refused(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    obs_init(&o);
    o.end = TP_END_SERVER_CLOSED;
    o.facts.refused = TP_REFUSED_AT_CAPACITY;
    o.facts.max_conns = 2;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER, "at-capacity",
                   "the server was at capacity (--max-conns 2): it accepted the connection and "
                   "closed it at once");
    /* no --max-conns given: the default and where it came from */
    o.facts.max_conns_default = true;
    o.facts.fd_limit = 40;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER, "at-capacity",
                   "the server was at capacity (2 connections, the default limit from the "
                   "open-file limit 40)");
    assert_null(strstr(v.summary, "--max-conns"));
    o.facts.max_conns_default = false;
    o.facts.refused = TP_REFUSED_NO_FDS;
    o.facts.accept_errno = EMFILE;
    o.facts.fd_limit = 40;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER, "at-capacity",
                   "accept() failed with EMFILE; open-file limit 40");
    o.facts.refused = TP_REFUSED_INTERACTIVE;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER, "interactive-busy",
                   "already has one");
    o.facts.refused = TP_REFUSED_NONE; /* not refused: the client's silence speaks */
    tp_verdict_decide(&o, &v);
    assert_int_not_equal(v.phase, TP_PHASE_TRANSPORT);
    assert_null(strstr(v.summary, "capacity"));
}

static void cert_missing_obs(tp_observation *o)
{
    obs_init(o);
    o->client_hello = o->server_hello = true;
    o->client.name = "ClientKeyExchange";
    o->server.has_alert = o->server.fatal_alert = true;
    o->server.alert = (tp_alert_info){"server", "fatal", "decode_error", false};
    o->engine_error_name = "GNUTLS_E_NO_CERTIFICATE_FOUND";
    o->engine_error_text = "No certificate was found.";
    o->facts.rel.client_cert_mode = "require";
    o->facts.rel.cert_requested = true;
    o->facts.rel.client_certs_sent = 0;
}

static void test_rule_client_cert_missing(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    cert_missing_obs(&o);
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "client-cert-missing",
                   "the server requires a client certificate (--client-cert require) and the "
                   "client sent none (Certificate with 0 certificates); the server then sent "
                   "fatal decode_error (engine: No certificate was found.)");
    cert_missing_obs(&o);
    o.facts.rel.client_cert_mode = NULL; /* offline */
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, "asked for a client certificate (CertificateRequest)"));
    cert_missing_obs(&o);
    o.facts.rel.client_certs_sent = 1; /* it sent one: some other reason */
    tp_verdict_decide(&o, &v);
    assert_true(v.cause == NULL || strcmp(v.cause, "client-cert-missing") != 0);
    cert_missing_obs(&o);
    o.facts.rel.cert_requested = false; /* not asked for */
    tp_verdict_decide(&o, &v);
    assert_true(v.cause == NULL || strcmp(v.cause, "client-cert-missing") != 0);
}

static void name_obs(tp_observation *o, int match)
{
    obs_init(o);
    o->client_hello = o->server_hello = true;
    o->server.name = "ServerHelloDone";
    o->client.has_alert = o->client.fatal_alert = true;
    o->client.alert = (tp_alert_info){"client", "fatal", "bad_certificate", false};
    tp_relations *r = &o->facts.rel;
    r->sni_offered = r->cert_seen = true;
    strcpy(r->sni, "wrong.example");
    strcpy(r->cert_names[0], "localhost");
    strcpy(r->cert_names[1], "127.0.0.1");
    r->num_cert_names = 2;
    r->sni_match = match;
}

static void test_rule_certificate_name(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    name_obs(&o, 0);
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "certificate-name-mismatch",
                   "the client asked for wrong.example; the certificate is for localhost, "
                   "127.0.0.1");
    assert_non_null(strstr(v.summary, "bad_certificate"));
    name_obs(&o, 1); /* the name matched: the client rejected something else */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "asked for"));
    name_obs(&o, 0);
    o.client.alert.description = "decrypt_error"; /* not about the certificate */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "asked for"));
}

static void timeout_obs(tp_observation *o, unsigned feeds, double first, double last)
{
    obs_init(o);
    o->end = TP_END_TIMEOUT;
    o->timeout = o->t_end = 30;
    o->client.bytes = 30;
    o->facts.c2s_feeds = feeds;
    o->facts.c2s_first_t = first;
    o->facts.c2s_last_t = last;
}

static void test_rule_handshake_timeout(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    timeout_obs(&o, 30, 0.0, 29.5); /* one byte a second */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT, "client-still-sending",
                   "the client was still sending: 30 bytes over 30 s (about 1 byte/s), last byte "
                   "0.5 s before the 30 s handshake timeout");
    timeout_obs(&o, 3, 0.0, 0.2); /* three quick sends, then silence */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT, "client-stalled",
                   "nothing more came for 30 s");
    assert_non_null(strstr(v.summary, "stalled after 30 bytes"));
    timeout_obs(&o, 3, 0.0, 10.0); /* quick sends, then 20 s of silence */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT, "client-stalled",
                   "nothing more came for 20 s before the 30 s handshake timeout");
    timeout_obs(&o, 30, 0.0, 29.5);
    o.handshake_done = true; /* after the handshake: not this rule */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "still sending"));
}

static void app_obs(tp_observation *o, const char *mode, const char *c2s)
{
    obs_init(o);
    o->client_hello = o->server_hello = o->handshake_done = true;
    o->protocol = "TLS1.3";
    o->cipher = "AES-256-GCM";
    o->facts.mode = mode;
    o->facts.finished[0] = o->facts.finished[1] = true;
    if (c2s) {
        tp_facts_on_appdata(&o->facts, 0, (const uint8_t *)c2s, strlen(c2s));
        tp_facts_on_appdata(&o->facts, 1, (const uint8_t *)"x", 1);
        o->client.app_bytes = strlen(c2s);
        o->server.app_bytes = 1;
        o->app_exchanged = true;
    }
}

static void test_rule_app_mismatch(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    app_obs(&o, "http", "hello\n");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "app-not-http",
                   "the client sent 6 bytes that are not an HTTP request (\"hello\"); --http "
                   "answers HTTP requests only; try --echo; tlsprobe answered 400 Bad Request");
    assert_string_equal(v.layers.app.fit, "not-http");

    app_obs(&o, "http", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    o.facts.rel.num_alpn_offered = 1;
    strcpy(o.facts.rel.alpn_offered[0], "h2");
    o.facts.rel.alpn_answer_seen = true;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "app-h2-preface",
                   "the client offered ALPN h2 only; the server selected none");
    strcpy(o.facts.rel.alpn_selected, "h2"); /* selected: nothing to relate */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "selected none"));

    /* s_client -alpn h2 sending a newline: the ALPN fact before the hint */
    app_obs(&o, "http", "\n");
    o.facts.rel.num_alpn_offered = 1;
    strcpy(o.facts.rel.alpn_offered[0], "h2");
    o.facts.rel.alpn_answer_seen = true;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "app-not-http",
                   "the client offered ALPN h2 only; the server selected none; the client sent 1 "
                   "byte that is not an HTTP request");
    assert_null(strstr(v.summary, "try --echo; the client offered"));

    app_obs(&o, "http", NULL); /* an h2-only client that leaves */
    o.client.close_notify = true;
    o.facts.rel.num_alpn_offered = 1;
    strcpy(o.facts.rel.alpn_offered[0], "h2");
    o.facts.rel.alpn_answer_seen = true;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "alpn-not-selected",
                   "the client offered ALPN h2 only; the server selected none; the client then "
                   "sent close_notify without sending data");
    strcpy(o.facts.rel.alpn_offered[0], "http/1.1"); /* it could have had HTTP/1.1 */
    tp_verdict_decide(&o, &v);
    assert_true(v.cause == NULL || strcmp(v.cause, "alpn-not-selected") != 0);

    app_obs(&o, "http", "GET / HTTP/1.1\r\n\r\n"); /* a request: the usual ok */
    tp_verdict_decide(&o, &v);
    assert_true(v.ok);
    assert_true(v.cause == NULL || strncmp(v.cause, "app-", 4) != 0);
}

static void test_rule_app_timeout(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    app_obs(&o, "http", NULL);
    tp_facts_on_appdata(&o.facts, 0, (const uint8_t *)"GET / HTTP/1.1\r\n", 16);
    o.client.app_bytes = 16;
    o.end = TP_END_TIMEOUT;
    o.timeout = o.t_end = 30;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "app-incomplete",
                   "the client sent 16 bytes (\"GET / HTTP/1.1\") but no complete HTTP request");
    o.app_exchanged = true; /* answered: an idle connection that did its job */
    tp_verdict_decide(&o, &v);
    assert_true(v.cause == NULL || strcmp(v.cause, "app-incomplete") != 0);
}

static void test_relations_text(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    name_obs(&o, 0);
    o.facts.rel.num_alpn_offered = 1;
    strcpy(o.facts.rel.alpn_offered[0], "h2");
    tp_verdict_decide(&o, &v);
    char line[1024];
    assert_true(report_text_relations(line, sizeof line, &v));
    assert_string_equal(line, "relations: SNI wrong.example against the certificate's localhost, "
                              "127.0.0.1: no match; ALPN offered h2, selected none");
    obs_init(&o); /* nothing to relate: no line */
    tp_verdict_decide(&o, &v);
    assert_false(report_text_relations(line, sizeof line, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relations_from_real_hellos),
        cmocka_unit_test(test_renegotiation),
        cmocka_unit_test(test_name_matching),
        cmocka_unit_test(test_app_fit),
        cmocka_unit_test(test_rule_refused),
        cmocka_unit_test(test_rule_client_cert_missing),
        cmocka_unit_test(test_rule_certificate_name),
        cmocka_unit_test(test_rule_handshake_timeout),
        cmocka_unit_test(test_rule_app_mismatch),
        cmocka_unit_test(test_rule_app_timeout),
        cmocka_unit_test(test_relations_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
