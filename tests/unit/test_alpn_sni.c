/* ALPN and SNI: the verdict rules of verdict_alpn_sni.c on hand-made
 * observations, the relations' server side in the text and JSON renderings,
 * the option values the engine checks (alpn_sni.c), an engine with
 * per-name certificates, and the sweep's alpn and sni-mode axes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "analysis/relations.h"
#include "analysis/verdict.h"
#include "engine/engine.h"
#include "report/relations_render.h"
#include "sweep/axis_names.h"
#include "sweep/matrix.h"
#include "verdict_fixture.h"

static void obs_init_hello(tp_observation *o)
{
    obs_init(o);
    o->client_hello = true;
}

/* ---- no_application_protocol ---- */

static void alpn_obs(tp_observation *o, bool live)
{
    obs_init_hello(o);
    o->server.has_alert = o->server.fatal_alert = true;
    o->server.alert = (tp_alert_info){"server", "fatal", "no_application_protocol", false};
    o->engine_error_name = "GNUTLS_E_NO_APPLICATION_PROTOCOL";
    tp_relations *r = &o->facts.rel;
    r->num_alpn_offered = 1;
    strcpy(r->alpn_offered[0], "spdy/3");
    if (live) {
        strcpy(r->alpn_server, "h2, http/1.1");
        r->alpn_mode = "strict";
    }
}

static void test_no_application_protocol(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    alpn_obs(&o, true);
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "no-application-protocol",
                   "the server sent fatal no_application_protocol: the client offered ALPN "
                   "spdy/3 only; the server has h2, http/1.1 (--alpn h2,http/1.1 --alpn-mode "
                   "strict) and none of them is in the client's list");
    alpn_obs(&o, false); /* offline: the server's list is not known */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "no-application-protocol",
                   "spdy/3 only; the server found none of them acceptable");
    assert_null(strstr(v.summary, "--alpn"));
    /* the client's alert: the client acted */
    alpn_obs(&o, true);
    o.server.has_alert = o.server.fatal_alert = false;
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "no_application_protocol", false};
    strcpy(o.facts.rel.alpn_selected, "h2");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "no-application-protocol",
                   "the client sent fatal no_application_protocol: it offered ALPN spdy/3 only "
                   "and the server selected h2");
    /* another alert: not this rule */
    alpn_obs(&o, true);
    o.server.alert.description = "handshake_failure";
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "no-application-protocol"));
}

/* ---- SNI ---- */

static void sni_obs(tp_observation *o, bool fatal)
{
    obs_init_hello(o);
    o->server.has_alert = true;
    o->server.fatal_alert = fatal;
    o->server.alert =
        (tp_alert_info){"server", fatal ? "fatal" : "warning", "unrecognized_name", false};
    tp_relations *r = &o->facts.rel;
    r->sni_offered = true;
    strcpy(r->sni, "other.example");
    r->sni_mode = fatal ? "strict" : "warn";
    strcpy(r->sni_names, "www.example, *.api.example");
    strcpy(r->sni_cert, fatal ? "none" : "default");
}

static void test_sni_unrecognized(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    sni_obs(&o, true);
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "sni-unrecognized-name",
                   "the server sent fatal unrecognized_name: the client asked for other.example, "
                   "which neither an --sni-cert (www.example, *.api.example) nor the default "
                   "certificate covers, and --sni-mode strict refuses it");
    sni_obs(&o, true);
    o.facts.rel.sni_names[0] = '\0';
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "sni-unrecognized-name",
                   "which the default certificate does not cover (no --sni-cert given)");
    sni_obs(&o, true);
    o.facts.rel.sni_mode = NULL; /* offline */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER, "sni-unrecognized-name",
                   "other.example, which the server does not recognize");
}

static void test_sni_warning_rejected(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    sni_obs(&o, false); /* the client closed after the warning */
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "client-rejected-sni-warning",
                   "the client gave up after the server's warning unrecognized_name");
    assert_non_null(strstr(v.summary, "it asked for other.example, which no certificate covers "
                                      "(--sni-mode warn)"));
    sni_obs(&o, false);
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "unrecognized_name", false};
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "client-rejected-sni-warning",
                   "(it sent fatal unrecognized_name)");
    /* a certificate alert is about the certificate */
    o.client.alert.description = "bad_certificate";
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-rejected-sni-warning"));
    /* the handshake completed: the client went on */
    sni_obs(&o, false);
    o.handshake_done = true;
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "client-rejected-sni-warning"));
}

static void test_sni_choice_in_name_mismatch(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    obs_init_hello(&o);
    o.server_hello = true;
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "bad_certificate", false};
    tp_relations *r = &o.facts.rel;
    r->sni_offered = r->cert_seen = true;
    strcpy(r->sni, "other.example");
    strcpy(r->cert_names[0], "api.example");
    r->num_cert_names = 1;
    r->sni_match = 0;
    r->sni_mode = "ignore";
    strcpy(r->sni_names, "*.example");
    strcpy(r->sni_cert, "*.example");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, false, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT, "certificate-name-mismatch",
                   "the client asked for other.example; the certificate is for api.example; "
                   "the server sent the certificate of --sni-cert *.example");
    strcpy(r->sni_cert, "default");
    strcpy(r->sni_names, "www.example");
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, "; the server sent its default certificate (no --sni-cert "
                                      "covers other.example)"));
    r->sni_cert[0] = '\0'; /* offline: not known, not said */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "--sni-cert"));
    assert_null(strstr(v.summary, "default certificate"));
}

/* ---- h2 for --http ---- */

static void h2_obs(tp_observation *o, const char *mode, const char *first)
{
    obs_init_hello(o);
    o->server_hello = o->handshake_done = true;
    o->protocol = "TLS1.3";
    o->cipher = "AES-128-GCM";
    o->facts.mode = mode;
    o->facts.finished[0] = o->facts.finished[1] = true;
    strcpy(o->facts.rel.alpn_selected, "h2");
    strcpy(o->facts.rel.alpn_server, "h2, http/1.1");
    o->facts.rel.alpn_mode = "ignore";
    if (first)
        tp_facts_on_appdata(&o->facts, 0, (const uint8_t *)first, strlen(first));
}

static void test_alpn_h2_in_http(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    h2_obs(&o, "http", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER, "alpn-h2-in-http",
                   "handshake completed (TLS1.3, AES-128-GCM); the server selected ALPN h2 "
                   "(--alpn h2,http/1.1), but tlsprobe's --http speaks HTTP/1.1 only; the "
                   "client spoke HTTP/2 (connection preface) and tlsprobe answered with HTTP/2 "
                   "GOAWAY HTTP_1_1_REQUIRED");
    h2_obs(&o, "http", NULL); /* no data: a preconnect, not this rule */
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "alpn-h2-in-http"));
    h2_obs(&o, "echo", "hello\n"); /* echo speaks whatever comes */
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "alpn-h2-in-http"));
    h2_obs(&o, "http", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    strcpy(o.facts.rel.alpn_selected, "http/1.1");
    tp_verdict_decide(&o, &v);
    assert_false(cause_is(&v, "alpn-h2-in-http"));
}

/* "the server selected none" says what the server had, live */
static void test_alpn_not_selected_server_side(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    h2_obs(&o, "http", NULL);
    o.client.close_notify = true;
    tp_relations *r = &o.facts.rel;
    r->alpn_selected[0] = '\0';
    r->alpn_answer_seen = true;
    r->num_alpn_offered = 1;
    strcpy(r->alpn_offered[0], "h2");
    strcpy(r->alpn_server, "http/1.1");
    tp_verdict_decide(&o, &v);
    assert_verdict(&v, true, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT, "alpn-not-selected",
                   "the client offered ALPN h2 only; the server selected none (the server has "
                   "http/1.1)");
    r->alpn_server[0] = '\0';
    tp_verdict_decide(&o, &v);
    assert_non_null(strstr(v.summary, "selected none (the server has no ALPN list)"));
    r->alpn_mode = NULL; /* offline */
    tp_verdict_decide(&o, &v);
    assert_null(strstr(v.summary, "the server has"));
}

/* ---- rendering the server's side ---- */

static void test_relations_render(void **state)
{
    (void)state;
    tp_observation o;
    tp_verdict v;
    h2_obs(&o, "echo", "hello\n");
    tp_relations *r = &o.facts.rel;
    r->num_alpn_offered = 2;
    strcpy(r->alpn_offered[0], "h2");
    strcpy(r->alpn_offered[1], "http/1.1");
    r->sni_offered = true;
    strcpy(r->sni, "www.example");
    r->sni_mode = "strict";
    strcpy(r->sni_names, "www.example, api.example");
    strcpy(r->sni_cert, "www.example");
    tp_verdict_decide(&o, &v);
    char line[1024];
    assert_true(report_text_relations(line, sizeof line, &v));
    assert_string_equal(line, "relations: SNI www.example (certificate www.example, --sni-mode "
                              "strict); ALPN offered h2, http/1.1, selected h2 (server h2, "
                              "http/1.1, --alpn-mode ignore)");
    json_object *j = json_object_new_object();
    report_json_verdict_relations(j, &v);
    const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(s, "\"mode\":\"strict\",\"server_names\":[\"www.example\","
                              "\"api.example\"],\"certificate\":\"www.example\""));
    assert_non_null(strstr(s, "\"selected\":\"h2\",\"mode\":\"ignore\",\"server\":[\"h2\","
                              "\"http\\/1.1\"]"));
    json_object_put(j);
}

/* ---- option values ---- */

static void test_alpn_values(void **state)
{
    (void)state;
    char err[512], name[300];
    assert_true(tp_alpn_list_check("h2,http/1.1", err, sizeof err));
    assert_false(tp_alpn_list_check("h2,,http/1.1", err, sizeof err));
    assert_non_null(strstr(err, "protocol 2 is empty"));
    assert_false(tp_alpn_list_check("", err, sizeof err));
    assert_false(tp_alpn_list_check("h2,", err, sizeof err));
    memset(name, 'a', 255);
    name[255] = '\0';
    assert_true(tp_alpn_list_check(name, err, sizeof err));
    strcpy(name + 255, "a"); /* 256 bytes: too long (RFC 7301 3.1) */
    assert_false(tp_alpn_list_check(name, err, sizeof err));
    assert_non_null(strstr(err, "protocol 1 is longer than 255 bytes"));
    assert_false(tp_alpn_list_check("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", err, sizeof err));
}

static void test_sni_values(void **state)
{
    (void)state;
    char err[512];
    tp_sni_cert c;
    assert_true(tp_sni_cert_parse("www.example", &c, err, sizeof err));
    assert_string_equal(c.name, "www.example");
    assert_string_equal(c.cert_file, "");
    assert_true(tp_sni_cert_parse("*.example=a.pem,a.key", &c, err, sizeof err));
    assert_string_equal(c.name, "*.example");
    assert_string_equal(c.cert_file, "a.pem");
    assert_string_equal(c.key_file, "a.key");
    assert_true(tp_sni_cert_parse("x.example=both.pem", &c, err, sizeof err));
    assert_string_equal(c.key_file, "");
    const char *bad[] = {"",         "=a,b", "x.example=", "x.example=a,", "x.example=a,b,c",
                         "bad name", "a..b", "*x.example", "x.*.example"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (tp_sni_cert_parse(bad[i], &c, err, sizeof err))
            fail_msg("'%s' taken", bad[i]);
        assert_non_null(strstr(err, "NAME=CERT,KEY"));
    }
    tp_sni_mode m;
    assert_true(tp_sni_mode_parse("warn", &m));
    assert_int_equal(m, TP_SNI_WARN);
    assert_string_equal(tp_sni_mode_name(TP_SNI_STRICT), "strict");
    assert_false(tp_sni_mode_parse("loud", &m));
}

/* An engine with a generated per-name certificate: its side as the trace names it. */
static void test_engine_names(void **state)
{
    (void)state;
    char err[512];
    tp_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.key_type = "ecdsa:p256";
    cfg.names.alpn = "h2,http/1.1";
    cfg.names.alpn_strict = true;
    cfg.names.sni_mode = TP_SNI_WARN;
    assert_true(tp_sni_cert_parse("www.example", &cfg.names.sni_certs[0], err, sizeof err));
    assert_true(tp_sni_cert_parse("*.api.example", &cfg.names.sni_certs[1], err, sizeof err));
    cfg.names.num_sni_certs = 2;
    tp_engine *e = tp_engine_new(&cfg, err, sizeof err);
    if (!e)
        fail_msg("engine: %s", err);
    tp_engine_names_info in;
    tp_engine_names_info_get(e, &in);
    assert_string_equal(in.alpn, "h2, http/1.1");
    assert_string_equal(in.alpn_mode, "strict");
    assert_string_equal(in.sni_mode, "warn");
    assert_string_equal(in.sni_names, "www.example, *.api.example");
    tp_engine_free(e);
    cfg.names.alpn = "h2,,x"; /* the engine checks the list too */
    assert_null(tp_engine_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "protocol 2 is empty"));
    cfg.names.alpn = NULL;
    assert_true(tp_sni_cert_parse("x.example=/nonexistent.pem,/nonexistent.key",
                                  &cfg.names.sni_certs[0], err, sizeof err));
    assert_false(tp_sni_cert_check(&cfg.names.sni_certs[0], err, sizeof err));
    assert_non_null(strstr(err, "cannot read certificate file '/nonexistent.pem'"));
}

/* ---- the sweep's axes ---- */

static void test_sweep_axes(void **state)
{
    (void)state;
    char err[512];
    const char *vals[16];
    unsigned n = 0;
    assert_non_null(sweep_axis_find("alpn"));
    assert_non_null(sweep_axis_find("sni-mode"));
    assert_true(sweep_alpn_parse("none,h2+http/1.1", vals, 16, &n, err, sizeof err));
    assert_int_equal(n, 2);
    assert_string_equal(vals[1], "h2+http/1.1");
    assert_false(sweep_alpn_parse("h2,spdy", vals, 16, &n, err, sizeof err));
    assert_non_null(strstr(err, "unknown alpn axis value 'spdy'; valid: none, http/1.1, h2"));
    assert_false(sweep_sni_mode_parse("quiet", vals, 16, &n, err, sizeof err));
    assert_non_null(strstr(err, "valid: strict, warn, ignore"));
    sweep_setup su;
    memset(&su, 0, sizeof su);
    sweep_alpn_apply(&su, "h2+http/1.1");
    assert_string_equal(su.alpn, "h2,http/1.1");
    sweep_sni_mode_apply(&su, "strict");
    tp_engine_names base, out;
    memset(&base, 0, sizeof base);
    base.alpn = "http/1.1";
    sweep_names_config(&out, &base, &su);
    assert_string_equal(out.alpn, "h2,http/1.1");
    assert_int_equal(out.sni_mode, TP_SNI_STRICT);
    sweep_alpn_apply(&su, "none"); /* no ALPN, not the base's */
    sweep_names_config(&out, &base, &su);
    assert_string_equal(out.alpn, "");
    sweep_names_config(&out, &base, NULL); /* the probe: the base */
    assert_string_equal(out.alpn, "http/1.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_application_protocol),
        cmocka_unit_test(test_sni_unrecognized),
        cmocka_unit_test(test_sni_warning_rejected),
        cmocka_unit_test(test_sni_choice_in_name_mismatch),
        cmocka_unit_test(test_alpn_h2_in_http),
        cmocka_unit_test(test_alpn_not_selected_server_side),
        cmocka_unit_test(test_relations_render),
        cmocka_unit_test(test_alpn_values),
        cmocka_unit_test(test_sni_values),
        cmocka_unit_test(test_engine_names),
        cmocka_unit_test(test_sweep_axes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
