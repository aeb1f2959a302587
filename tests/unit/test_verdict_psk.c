/* The PSK and post-handshake rules (analysis/verdict_psk.c) on hand-made
 * observations, each next to the condition that must make it not apply, the
 * words for the on-demand actions, and the facts relations_psk.c takes from
 * handshake messages built here byte by byte. */
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

static tp_observation o;
static tp_verdict v;

/* A TLS 1.3 ClientHello offering PSK identity 'dev' to a server with 'dev'
 * and 'lab', which refused it with a fatal alert before any ServerHello. */
static void psk_refused(const char *identity, const char *alert)
{
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = -1;
    o.end = TP_END_SERVER_CLOSED;
    o.t_end = 0.01;
    o.client_hello = true;
    o.client.num_records = 1;
    o.client.name = "ClientHello";
    o.server.num_records = 1;
    o.server.has_alert = o.server.fatal_alert = true;
    o.server.alert = (tp_alert_info){"server", "fatal", alert, false};
    o.engine_error_name = "GNUTLS_E_SRP_PWD_ERROR";
    tp_rel_psk *p = &o.facts.rel.psk;
    p->offered = p->printable = true;
    snprintf(p->identity, sizeof p->identity, "%s", identity);
    p->server_ids = "'dev', 'lab'";
    p->binder_ok = -1;
}

/* A TLS 1.2 ECDHE-PSK handshake whose client Finished (record 4) fails our
 * check; the server answered bad_record_mac. */
static void psk12_bad_finished(void)
{
    psk_refused("dev", "bad_record_mac");
    o.server_hello = true;
    o.protocol = "TLS1.2";
    o.kx = "ECDHE-PSK";
    o.client.bad_record = true;
    o.client.bad_record_index = 4;
    snprintf(o.client.bad_record_detail, sizeof o.client.bad_record_detail, "GCM tag mismatch");
    o.engine_error_name = "GNUTLS_E_DECRYPTION_FAILED";
}

/* A TLS 1.3 session that worked (data both ways, the client closed). */
static void session_worked(void)
{
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = 1;
    o.end = TP_END_PEER_CLOSED;
    o.t_end = 1.0;
    o.client_hello = o.server_hello = o.handshake_done = o.app_exchanged = true;
    o.protocol = "TLS1.3";
    o.kx = "ECDHE-RSA";
    o.cipher = "AES-256-GCM";
    o.client.name = o.server.name = "Finished";
    o.client.num_records = 5;
    o.server.num_records = 8;
    o.client.sent_appdata = o.server.sent_appdata = true;
    o.client.app_bytes = o.server.app_bytes = 6;
}

static void decide(void)
{
    tp_verdict_decide(&o, &v);
}

static void says(const char *word)
{
    if (!strstr(v.summary, word))
        fail_msg("summary lacks \"%s\": %s", word, v.summary);
}

static void never_says(const char *word)
{
    if (strstr(v.summary, word))
        fail_msg("summary says \"%s\": %s", word, v.summary);
}

static void is(const char *cause, tp_outcome out, tp_phase phase, tp_actor actor)
{
    assert_string_equal(v.cause, cause);
    assert_int_equal(v.outcome, out);
    assert_int_equal(v.phase, phase);
    assert_int_equal(v.actor, actor);
}

static void test_psk_unknown_identity(void **state)
{
    (void)state;
    psk_refused("bob", "unknown_psk_identity");
    decide();
    is("psk-unknown-identity", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client offered PSK identity 'bob'; the server has 'dev', 'lab'");
    says("fatal unknown_psk_identity");
    /* a name that is one of the server's is no unknown identity */
    psk_refused("lab", "unknown_psk_identity");
    decide();
    assert_string_not_equal(v.cause, "psk-unknown-identity");
    /* offline (the server's identities not known): no claim */
    psk_refused("bob", "unknown_psk_identity");
    o.facts.rel.psk.server_ids = NULL;
    decide();
    assert_string_not_equal(v.cause, "psk-unknown-identity");
}

static void test_psk_key_mismatch_tls13(void **state)
{
    (void)state;
    psk_refused("dev", "illegal_parameter");
    o.engine_error_name = "GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER";
    decide();
    is("psk-key-mismatch", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client's key for PSK identity 'dev' differs from the server's");
    says("binder");
    says("fatal illegal_parameter");
    never_says("our check");
    /* our own check of the binder with the server's key */
    o.facts.rel.psk.binder_ok = 0;
    decide();
    is("psk-key-mismatch", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("our check: the binder does not match the server's key");
    /* a binder that checks out: the server refused a valid one, no mismatch */
    o.facts.rel.psk.binder_ok = 1;
    decide();
    assert_string_not_equal(v.cause, "psk-key-mismatch");
    /* the server answered the hello: not a binder the server refused */
    psk_refused("dev", "illegal_parameter");
    o.server_hello = true;
    decide();
    assert_string_not_equal(v.cause, "psk-key-mismatch");
}

static void test_psk_key_mismatch_tls12(void **state)
{
    (void)state;
    psk12_bad_finished();
    decide();
    is("psk-key-mismatch", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("its Finished (record #4) fails our check with the server's keys (GCM tag mismatch)");
    says("the server noticed");
    /* a bad record with a certificate key exchange is the generic rule's */
    psk12_bad_finished();
    o.kx = "ECDHE-RSA";
    decide();
    assert_string_equal(v.cause, "client-bad-record");
    /* the client's own fatal alert comes first */
    psk12_bad_finished();
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "decrypt_error", true};
    decide();
    assert_string_not_equal(v.cause, "psk-key-mismatch");
}

/* The client answered a post-handshake CertificateRequest with a valid
 * Certificate, CertificateVerify and Finished; the engine failed anyway. */
static void pha_engine_failed(void)
{
    session_worked();
    tp_rel_psk *p = &o.facts.rel.psk;
    p->pha_offered = true;
    p->pha_requests = 1;
    p->pha_answered = p->pha_finished = true;
    p->pha_certs = 1;
    o.server.has_alert = o.server.fatal_alert = true;
    o.server.alert = (tp_alert_info){"server", "fatal", "decode_error", true};
    o.engine_error_name = "GNUTLS_E_NO_CERTIFICATE_FOUND";
    o.engine_error_text = "No certificate was found.";
}

static void test_pha_failed(void **state)
{
    (void)state;
    pha_engine_failed();
    decide();
    is("post-handshake-auth-failed", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server asked for a certificate after the handshake; the client answered (1 "
         "certificate) and its Finished checks out");
    says("fatal decode_error (engine: No certificate was found.)");
    never_says("the client sent one"); /* said once, not again by the action words */
    /* the client's Finished fails our check: the client's fault */
    pha_engine_failed();
    o.client.finished_verified = 0;
    decide();
    is("post-handshake-auth-failed", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("its Finished fails our check");
    /* no engine error: not this rule */
    pha_engine_failed();
    o.engine_error_name = NULL;
    decide();
    assert_string_not_equal(v.cause, "post-handshake-auth-failed");
}

static void test_action_words(void **state)
{
    (void)state;
    session_worked();
    tp_rel_psk *p = &o.facts.rel.psk;
    p->pha_requests = 1;
    p->pha_answered = p->pha_finished = true;
    p->pha_certs = 0;
    p->key_updates[1] = 2;
    p->ku_requested[1] = 1;
    p->key_updates[0] = 1;
    o.alerts[0] = (tp_alert_info){"server", "warning", "user_canceled", true};
    o.num_alerts = 1;
    decide();
    is("session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the server asked for a certificate after the handshake; the client sent none");
    says("the server updated its keys 2 times (KeyUpdate, update_requested) and the client "
         "updated its own 1 time");
    says("the server sent warning user_canceled");
    p->pha_certs = 2;
    p->key_updates[0] = 0;
    p->pha_answered = false;
    decide();
    says("the client did not answer");
    says("and the client did not update its own");
    p->pha_answered = true;
    decide();
    says("the client sent one (2 in its chain)");
    /* nothing on demand: no words */
    session_worked();
    decide();
    never_says("after the handshake;");
    never_says("KeyUpdate");
}

/* Handshake messages as the session hands them to the facts. */
static wire_handshake msg(uint8_t type, const uint8_t *body, size_t len)
{
    wire_handshake m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.status = TP_OK;
    cur_init(&m.body, body, len);
    return m;
}

static void test_facts(void **state)
{
    (void)state;
    tp_facts f;
    tp_facts_init(&f);
    f.finished[0] = f.finished[1] = true; /* after the handshake */
    static const uint8_t ctx[] = {1, 0x42};
    wire_handshake cr = msg(WIRE_HS_CERTIFICATE_REQUEST, ctx, sizeof ctx);
    cur_init(&cr.u.certificate_request.request_context, ctx + 1, 1);
    tp_facts_on_handshake(&f, 1, &cr);
    assert_int_equal(f.rel.psk.pha_requests, 1);
    wire_handshake cert = msg(WIRE_HS_CERTIFICATE, ctx, sizeof ctx);
    cert.u.certificate.num_certs = 0;
    tp_facts_on_handshake(&f, 0, &cert);
    assert_true(f.rel.psk.pha_answered);
    assert_int_equal(f.rel.psk.pha_certs, 0);
    static const uint8_t vd[32];
    wire_handshake fin = msg(WIRE_HS_FINISHED, vd, sizeof vd);
    tp_facts_on_handshake(&f, 0, &fin);
    assert_true(f.rel.psk.pha_finished);
    static const uint8_t req = 1, noreq = 0;
    wire_handshake ku = msg(WIRE_HS_KEY_UPDATE, &req, 1);
    tp_facts_on_handshake(&f, 1, &ku);
    ku = msg(WIRE_HS_KEY_UPDATE, &noreq, 1);
    tp_facts_on_handshake(&f, 1, &ku);
    assert_int_equal(f.rel.psk.key_updates[1], 2);
    assert_int_equal(f.rel.psk.ku_requested[1], 1);
    /* a TLS <= 1.2 CertificateRequest (no context) is no post-handshake one */
    wire_handshake cr12 = msg(WIRE_HS_CERTIFICATE_REQUEST, ctx, sizeof ctx);
    tp_facts_on_handshake(&f, 1, &cr12);
    assert_int_equal(f.rel.psk.pha_requests, 1);
    /* TLS 1.2 PSK: the identity from ClientKeyExchange */
    tp_facts_init(&f);
    static const uint8_t id[] = "dev";
    wire_handshake cke = msg(WIRE_HS_CLIENT_KEY_EXCHANGE, id, 3);
    cur_init(&cke.u.client_key_exchange.psk_identity, id, 3);
    tp_facts_on_handshake(&f, 0, &cke);
    assert_true(f.rel.psk.offered && f.rel.psk.printable);
    assert_string_equal(f.rel.psk.identity, "dev");
    f.rel.psk.server_ids = "'dev'";
    assert_int_equal(tp_rel_psk_known(&f.rel.psk), 1);
    f.rel.psk.server_ids = "'devel'";
    assert_int_equal(tp_rel_psk_known(&f.rel.psk), 0);
    /* a binary identity (a ticket) is not shown nor compared */
    static const uint8_t bin[] = {0x01, 0xff, 0x10};
    tp_facts_init(&f);
    cur_init(&cke.u.client_key_exchange.psk_identity, bin, 3);
    tp_facts_on_handshake(&f, 0, &cke);
    assert_true(f.rel.psk.offered && !f.rel.psk.printable);
    f.rel.psk.server_ids = "'dev'";
    assert_int_equal(tp_rel_psk_known(&f.rel.psk), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_unknown_identity), cmocka_unit_test(test_psk_key_mismatch_tls13),
        cmocka_unit_test(test_psk_key_mismatch_tls12), cmocka_unit_test(test_pha_failed),
        cmocka_unit_test(test_action_words),         cmocka_unit_test(test_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
