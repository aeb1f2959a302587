/* The proxy's upstream rules (src/analysis/verdict_upstream.c) on
 * hand-made observations: an upstream that refused, failed its TLS, closed
 * first or stayed silent is named, the actor is the server side and the
 * client is not blamed; a client's own failure still wins; an orderly
 * proxied session stays ok.  And layers.app.upstream in the JSON verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "analysis/verdict.h"
#include "report/verdict_render.h"

static tp_observation o;
static tp_verdict v;

/* A TLS 1.3 session with the client done, proxied to 127.0.0.1:25. */
static void proxied(tp_upstream_state state)
{
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = -1;
    o.end = TP_END_PEER_CLOSED;
    o.t_end = 2.0;
    o.client_hello = o.server_hello = o.handshake_done = true;
    o.client.name = o.server.name = "Finished";
    o.client.bytes = 600;
    o.server.bytes = 3000;
    o.protocol = "TLS1.3";
    o.cipher = "AES-256-GCM";
    o.facts.mode = "proxy";
    tp_upstream_facts *u = &o.facts.up;
    u->state = state;
    snprintf(u->addr, sizeof u->addr, "127.0.0.1:25");
    u->leg = "plain";
    u->connect_t = 0.002;
}

/* The client sent n bytes at t1, the upstream m bytes back at t2. */
static void traffic(unsigned long long n, double t1, unsigned long long m, double t2)
{
    o.client.app_bytes = o.facts.up.c2u_bytes = n;
    o.facts.up.last_c2u_t = t1;
    o.server.app_bytes = o.facts.up.u2c_bytes = m;
    o.facts.up.last_u2c_t = t2;
    o.client.sent_appdata = n > 0;
    o.server.sent_appdata = m > 0;
    o.app_exchanged = n && m;
}

static void says(const char *word)
{
    if (!strstr(v.summary, word))
        fail_msg("summary lacks \"%s\": %s", word, v.summary);
}

static void expect(const char *cause, tp_outcome outcome, tp_phase phase, tp_actor actor)
{
    tp_verdict_decide(&o, &v);
    if (strcmp(v.cause, cause) != 0)
        fail_msg("cause %s, expected %s: %s", v.cause, cause, v.summary);
    assert_int_equal(v.outcome, outcome);
    assert_int_equal(v.phase, phase);
    assert_int_equal(v.actor, actor);
}

static void test_refused(void **state)
{
    (void)state;
    proxied(TP_UP_REFUSED);
    snprintf(o.facts.up.error, sizeof o.facts.up.error, "Connection refused");
    o.end = TP_END_SERVER_CLOSED;
    expect("upstream-refused", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("upstream refused");
    says("127.0.0.1:25");
    says("Connection refused");
    says("the client is not at fault");
    says("TLS1.3, AES-256-GCM");
    assert_int_equal(v.layers.app.upstream.state, TP_UP_REFUSED);
}

static void test_connect_timeout(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECT_TIMEOUT);
    o.facts.up.connect_t = 30;
    expect("upstream-refused", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("did not answer the connection attempt within 30 s");
}

static void test_tls_failed(void **state)
{
    (void)state;
    proxied(TP_UP_TLS_FAILED);
    snprintf(o.facts.up.error, sizeof o.facts.up.error, "A TLS fatal alert has been received.");
    expect("upstream-tls-failed", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("upstream TLS failed");
    says("fatal alert");
}

static void test_closed_first_silent(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    o.facts.up.closed = true;
    o.facts.up.closed_t = 0.01;
    expect("upstream-closed-first", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("upstream closed first");
    says("without sending a byte");
}

static void test_closed_first_unanswered(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    traffic(30, 1.5, 40, 1.0);
    o.facts.up.closed = o.facts.up.reset = true;
    o.facts.up.closed_t = 1.6;
    expect("upstream-closed-first", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("reset the connection");
    says("unanswered (30 bytes forwarded to it, 40 back)");
}

/* QUIT, 221, the upstream closes: an orderly end, not a failure. */
static void test_closed_after_answer_ok(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    traffic(30, 1.0, 40, 1.2);
    o.facts.up.closed = true;
    o.facts.up.closed_t = 1.3;
    o.end = TP_END_SERVER_CLOSED;
    tp_verdict_decide(&o, &v);
    assert_int_equal(v.outcome, TP_OUTCOME_OK);
    assert_int_equal(v.actor, TP_ACTOR_NONE);
    assert_true(strncmp(v.cause, "upstream-", 9) != 0);
}

static void test_slow_answer(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    traffic(12, 1.0, 30, 0.5);
    o.end = TP_END_TIMEOUT;
    o.t_end = 31.0;
    expect("upstream-slow", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_SERVER);
    says("slow upstream");
    says("did not answer the client's last bytes (12 bytes forwarded to it, 30 back) for 30 s");
}

/* No greeting from the upstream, the client waits for it: not the
 * client's idle connection (idle-after-handshake). */
static void test_slow_no_greeting(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    o.end = TP_END_TIMEOUT;
    o.t_end = 30.0;
    expect("upstream-slow", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_SERVER);
    says("sent nothing (no greeting)");
    /* the same with an upstream that greeted: the client is the idle one */
    traffic(0, 0, 30, 0.1);
    tp_verdict_decide(&o, &v);
    assert_string_not_equal(v.cause, "upstream-slow");
}

/* The client's own handshake failure decides even with the upstream down. */
static void test_client_failure_first(void **state)
{
    (void)state;
    proxied(TP_UP_REFUSED);
    o.handshake_done = false;
    o.client.name = "ClientHello";
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "bad_certificate", false};
    tp_obs_note_alert(&o, &o.client.alert);
    tp_verdict_decide(&o, &v);
    assert_int_equal(v.actor, TP_ACTOR_CLIENT);
    assert_true(strncmp(v.cause, "upstream-", 9) != 0);
}

static void test_json_layer(void **state)
{
    (void)state;
    proxied(TP_UP_CONNECTED);
    traffic(30, 1.5, 40, 1.0);
    o.facts.up.closed = true;
    tp_verdict_decide(&o, &v);
    json_object *j = json_object_new_object();
    report_json_verdict_fill(j, &v);
    json_object *layers, *app, *up, *f;
    assert_true(json_object_object_get_ex(j, "layers", &layers));
    assert_true(json_object_object_get_ex(layers, "app", &app));
    assert_true(json_object_object_get_ex(app, "upstream", &up));
    assert_true(json_object_object_get_ex(up, "state", &f));
    assert_string_equal(json_object_get_string(f), "connected");
    assert_true(json_object_object_get_ex(up, "c2u_bytes", &f));
    assert_int_equal(json_object_get_int64(f), 30);
    assert_true(json_object_object_get_ex(up, "closed_first", &f));
    assert_true(json_object_get_boolean(f));
    json_object_put(j);
    /* no upstream: no key */
    o.facts.up.state = TP_UP_NONE;
    tp_verdict_decide(&o, &v);
    j = json_object_new_object();
    report_json_verdict_fill(j, &v);
    assert_true(json_object_object_get_ex(j, "layers", &layers));
    assert_true(json_object_object_get_ex(layers, "app", &app));
    assert_false(json_object_object_get_ex(app, "upstream", &up));
    json_object_put(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_tls_failed),
        cmocka_unit_test(test_closed_first_silent),
        cmocka_unit_test(test_closed_first_unanswered),
        cmocka_unit_test(test_closed_after_answer_ok),
        cmocka_unit_test(test_slow_answer),
        cmocka_unit_test(test_slow_no_greeting),
        cmocka_unit_test(test_client_failure_first),
        cmocka_unit_test(test_json_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
