/* The verdict rules and phrases over the certificate facts
 * (analysis/verdict_certs.c) and their rendering (report/relations_certs.c),
 * each on a hand-made observation with the condition that must make it
 * fail next to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/relations.h"
#include "analysis/verdict.h"
#include "report/relations_render.h"
#include "verdict_fixture.h"

/* The server's --client-ca check failed and it sent bad_certificate. */
static void client_cert_obs(tp_observation *o, const char *status)
{
    obs_init(o);
    o->client_hello = o->server_hello = true;
    o->end = TP_END_SERVER_CLOSED;
    o->server.has_alert = o->server.fatal_alert = true;
    o->server.alert = (tp_alert_info){"server", "fatal", "bad_certificate", false};
    o->engine_error_name = "GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR";
    o->engine_error_text = "Error in the certificate verification.";
    tp_relations *r = &o->facts.rel;
    r->client_cert_mode = "require";
    r->cert_requested = true;
    r->client_certs_sent = 1;
    r->certs.client_ca = "clients.pem";
    r->certs.client_verify = status;
}

static void test_client_cert_rejected(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    static const struct {
        const char *status, *words;
    } cases[] = {
        {"unknown-ca", "the server rejected the client's certificate: unknown CA (no CA of "
                       "--client-ca clients.pem issued it); the server sent fatal bad_certificate"},
        {"bad-signature", "bad signature (it does not verify with its issuer's key; --client-ca "
                          "clients.pem)"},
        {"expired", "the server rejected the client's certificate: expired (checked against "
                    "--client-ca clients.pem)"},
        {"not-yet-valid", "not yet valid"},
        {"invalid", "invalid (it does not verify against --client-ca clients.pem)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        client_cert_obs(&o, cases[i].status);
        tp_verdict_decide(&o, &v);
        assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "client-cert-rejected",
                       cases[i].words);
    }
    client_cert_obs(&o, "ok"); /* the check passed: something else failed */
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-cert-rejected"));
    client_cert_obs(&o, NULL); /* no check made (no certificate) */
    o.facts.rel.client_certs_sent = 0;
    tp_verdict_decide(&o, &v);
    assert_string_equal(v.cause, "client-cert-missing");
    client_cert_obs(&o, "unknown-ca"); /* the client alerted first: its act leads */
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "decrypt_error", true};
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-cert-rejected"));
    client_cert_obs(&o, "unknown-ca"); /* nothing failed on the server's side */
    o.server.has_alert = o.server.fatal_alert = false;
    o.engine_error_name = o.engine_error_text = NULL;
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-cert-rejected"));
}

/* The client rejected the generated certificate with a fatal alert. */
static void rejected_obs(tp_observation *o, const char *variant, const char *detail,
                         const char *alert)
{
    obs_init(o);
    o->client_hello = o->server_hello = true;
    o->server.name = "Finished";
    o->client.has_alert = o->client.fatal_alert = true;
    o->client.alert = (tp_alert_info){"client", "fatal", alert, false};
    o->facts.rel.certs.variant = variant;
    snprintf(o->facts.rel.certs.detail, sizeof o->facts.rel.certs.detail, "%s", detail);
}

static void test_certificate_variant_named(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    rejected_obs(&o, "expired", "notAfter 2026-10-31 10:00 UTC", "certificate_expired");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "client-rejected-certificate",
                   "the client rejected the server's certificate (variant expired: notAfter "
                   "2026-10-31 10:00 UTC): fatal certificate_expired");
    /* a revoked staple beside the variant */
    rejected_obs(&o, "none", "the valid chain", "certificate_revoked");
    o.facts.rel.certs.ocsp = "revoked";
    o.facts.rel.certs.ocsp_offered = o.facts.rel.certs.ocsp_stapled = true;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "client-rejected-certificate",
                   "the client rejected the server's certificate (stapled OCSP response: "
                   "revoked): fatal certificate_revoked");
    /* configured but not stapled (the client did not ask): not named */
    o.facts.rel.certs.ocsp_stapled = false;
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "stapled OCSP response"));
    assert_non_null(strstr(v.summary, "(the valid generated chain, no OCSP response stapled to "
                                      "the client's status_request: does the client trust its "
                                      "CA (--save-ca), or want a staple (--ocsp)?): fatal"));
    o.facts.rel.certs.ocsp_offered = false; /* it did not ask: only the CA */
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, "(the valid generated chain: does the client trust its CA "
                                      "(--save-ca)?): fatal"));
    /* no generated chain: the plain sentence */
    rejected_obs(&o, NULL, "", "unknown_ca");
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, "the client rejected the server's certificate: fatal "
                                      "unknown_ca"));
    /* the name rule names the variant too */
    rejected_obs(&o, "wrong-name", "the leaf names wrong.example only", "bad_certificate");
    tp_relations *r = &o.facts.rel;
    r->sni_offered = r->cert_seen = true;
    strcpy(r->sni, "localhost");
    strcpy(r->cert_names[0], "wrong.example");
    r->num_cert_names = 1;
    r->sni_match = 0;
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "certificate-name-mismatch",
                   "(variant wrong-name: the leaf names wrong.example only): fatal "
                   "bad_certificate");
}

/* The handshake completed and the client sent close_notify at once. */
static void left_obs(tp_observation *o, const char *variant)
{
    obs_init(o);
    o->client_hello = o->server_hello = o->handshake_done = true;
    o->protocol = "TLS1.3";
    o->cipher = "AES-256-GCM";
    o->client.name = o->server.name = "Finished";
    o->client.has_alert = o->client.close_notify = true;
    o->client.alert = (tp_alert_info){"client", "warning", "close_notify", true};
    o->t_end = 0.02;
    o->server_last_t = 0.01;
    o->facts.rel.certs.variant = variant;
    strcpy(o->facts.rel.certs.detail, "the leaf names wrong.example only");
}

static void test_client_left_flawed_cert(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    left_obs(&o, "wrong-name");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT,
                   "client-left-flawed-certificate",
                   "the client then sent close_notify at once without sending data or a fatal "
                   "alert: it did not take the server's certificate (variant wrong-name: the "
                   "leaf names wrong.example only)");
    left_obs(&o, "none"); /* the valid chain: a handshake-only client */
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-left-flawed-certificate"));
    left_obs(&o, "wrong-name"); /* it sent a request: it took the certificate */
    o.facts.app_bytes[0] = 18;
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-left-flawed-certificate"));
    left_obs(&o, "wrong-name"); /* it idled before leaving: no reaction */
    o.t_end = 5.0;
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-left-flawed-certificate"));
}

static void test_certs_rendered(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    client_cert_obs(&o, "expired");
    o.facts.rel.certs.variant = "none";
    strcpy(o.facts.rel.certs.detail, "the valid chain");
    o.facts.rel.certs.ocsp = "good";
    o.facts.rel.certs.ocsp_offered = true;
    tp_verdict_decide(&o, &v);
    char line[2048];
    assert_true(report_text_relations(line, sizeof line, &v));
    assert_non_null(strstr(line, "certificate variant none (the valid chain)"));
    assert_non_null(strstr(line, "OCSP status_request offered, nothing stapled (--ocsp good)"));
    assert_non_null(strstr(line, "client certificate check against clients.pem: expired"));
    json_object *j = json_object_new_object();
    report_json_verdict_relations(j, &v);
    const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(s, "\"certificate\":{\"variant\":\"none\",\"detail\":\"the valid "
                              "chain\"}"));
    assert_non_null(strstr(s, "\"ocsp\":{\"config\":\"good\",\"offered\":true,\"stapled\":false}"));
    assert_non_null(strstr(s, "\"ca\":\"clients.pem\",\"verify\":\"expired\""));
    json_object_put(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_cert_rejected),
        cmocka_unit_test(test_certificate_variant_named),
        cmocka_unit_test(test_client_left_flawed_cert),
        cmocka_unit_test(test_certs_rendered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
