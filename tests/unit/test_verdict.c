/* Every verdict rule on hand-made observations: each test builds the
 * situation its rule is for and asserts the cause, outcome, phase, actor and
 * the key words, so a rule removed or with its condition flipped fails here
 * (tests/mutants/run checks that).  `test_verdict --list-rules` prints the
 * causes of the table in order (for the mutation script). */
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

/* ---- building observations ------------------------------------------- */

static tp_observation o;
static tp_verdict v;

static void base(void)
{
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = -1;
    o.end = TP_END_PEER_CLOSED;
    o.t_end = 1.0;
}

/* The client sent its ClientHello (one record). */
static void hello(void)
{
    base();
    o.client_hello = true;
    o.client.bytes = 517;
    o.client.num_records = 1;
    o.client.name = "ClientHello";
}

/* ... and the server answered with a TLS 1.2 flight, its last record being
 * its first protected one (Finished), valid by our check. */
static void server_flight(void)
{
    hello();
    o.server_hello = true;
    o.server.name = "Finished";
    o.server.bytes = 3000;
    o.server.num_records = 5;
    o.server.num_protected = 1;
    o.server_last_protected = o.server_last_first_protected = true;
    o.server_last_integrity = TP_INTEGRITY_OK;
    o.server_last_client_records = 1;
    o.server_last_t = 0.99; /* the client reacts within 10 ms (t_end 1.0) */
    o.protocol = "TLS1.2";
    o.cipher = "AES-128-CBC";
    o.kx = "ECDHE-RSA";
}

/* A completed TLS 1.3 handshake, nothing else yet. */
static void done(void)
{
    server_flight();
    o.handshake_done = true;
    o.protocol = "TLS1.3";
    o.cipher = "AES-256-GCM";
    o.kx = "ECDHE-RSA";
    o.client.name = o.server.name = "Finished";
    o.client.num_records = 3;
    o.server_last_first_protected = false;
    o.server_last_client_records = 3;
}

static void client_alert(const char *desc, bool is_protected, unsigned record)
{
    o.client.has_alert = o.client.fatal_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", desc, is_protected};
    o.client.alert_record = record;
    o.client.num_records = record;
    tp_obs_note_alert(&o, &o.client.alert);
}

static void server_alert(const char *desc)
{
    o.server.has_alert = o.server.fatal_alert = true;
    o.server.alert = (tp_alert_info){"server", "fatal", desc, false};
    tp_obs_note_alert(&o, &o.server.alert);
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

static void expect(const char *cause, tp_outcome outcome, tp_phase phase, tp_actor actor)
{
    decide();
    if (strcmp(v.cause, cause) != 0)
        fail_msg("cause %s, expected %s: %s", v.cause, cause, v.summary);
    assert_int_equal(v.outcome, outcome);
    assert_int_equal(v.ok, outcome == TP_OUTCOME_OK);
    assert_int_equal(v.phase, phase);
    assert_int_equal(v.actor, actor);
}

/* ---- one test per rule ------------------------------------------------ */

static void test_not_tls(void **state)
{
    (void)state;
    base();
    o.not_tls = o.not_tls_dir_c2s = o.looks_http = true;
    strcpy(o.first_bytes, "GET / HTTP/1.1");
    o.client.bytes = 18;
    expect("not-tls", TP_OUTCOME_FAIL, TP_PHASE_NOT_TLS, TP_ACTOR_CLIENT);
    says("plain HTTP");
    says("GET / HTTP/1.1");
    o.not_tls_dir_c2s = o.looks_http = false;
    strcpy(o.first_bytes, "53 53 48 2d");
    expect("not-tls", TP_OUTCOME_FAIL, TP_PHASE_NOT_TLS, TP_ACTOR_SERVER);
    says("the server's bytes are not TLS (first bytes: 53 53 48 2d)");
}

static void test_unused_connection(void **state)
{
    (void)state;
    base();
    o.t_end = 0.25;
    expect("unused-connection", TP_OUTCOME_UNUSED, TP_PHASE_TRANSPORT, TP_ACTOR_CLIENT);
    says("without sending a byte");
    says("preconnect");
    assert_int_equal(v.layers.transport.how, TP_HOW_FIN);
    o.end = TP_END_PEER_RESET;
    expect("unused-connection", TP_OUTCOME_UNUSED, TP_PHASE_TRANSPORT, TP_ACTOR_CLIENT);
    says("reset it");
    /* s_server answers the close with an alert: still the client's unused socket */
    o.end = TP_END_PEER_CLOSED;
    o.server.bytes = 7;
    server_alert("decode_error");
    expect("unused-connection", TP_OUTCOME_UNUSED, TP_PHASE_TRANSPORT, TP_ACTOR_CLIENT);
    says("the server answered the close with fatal decode_error");
    /* a server that sent a handshake message was talked to */
    o.server.name = "ServerHello";
    decide();
    assert_string_not_equal(v.cause, "unused-connection");
    o.server.name = NULL;
    /* refused by the server (decode: RST to the SYN) is not the client's unused socket */
    o.closed_by = TP_ACTOR_SERVER;
    decide();
    assert_string_not_equal(v.cause, "unused-connection");
}

static void test_client_bad_record(void **state)
{
    (void)state;
    done();
    o.client.bad_record = true;
    o.client.bad_record_index = 5;
    strcpy(o.client.bad_record_detail, "GCM tag mismatch");
    server_alert("bad_record_mac");
    expect("client-bad-record", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client sent an invalid protected record (#5: GCM tag mismatch)");
    says("the server answered with fatal bad_record_mac");
}

static void test_broken_stream(void **state)
{
    (void)state;
    hello();
    o.broken_stream = true;
    strcpy(o.broken_detail, "record #2 declares 20000 bytes, over the 2^14+2048 limit");
    expect("broken-stream", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("stopped being valid TLS: record #2 declares 20000 bytes");
}

static void test_no_shared_version(void **state)
{
    (void)state;
    hello();
    o.version_overlap_known = true;
    strcpy(o.client_versions, "up to TLS1.2 (no supported_versions)");
    strcpy(o.server_versions, "TLS1.3");
    o.suite_overlap_known = true; /* a suite mismatch too: the version explains more */
    server_alert("protocol_version");
    expect("no-shared-version", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("no common protocol version");
    says("up to TLS1.2");
    says("server allows TLS1.3");
    says("the server sent fatal protocol_version");
}

static void test_no_shared_suite(void **state)
{
    (void)state;
    static const uint16_t allowed[] = {0xc02f, 0xc030};
    tp_server_config cfg = {.suites = allowed, .num_suites = 2};
    hello();
    o.server_cfg = &cfg;
    o.offered_suites[0] = 0x002f;
    o.num_offered_suites = o.num_offered_total = 1;
    o.suite_overlap_known = true;
    server_alert("handshake_failure");
    expect("no-shared-suite", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("offered no suite the server allows");
    says("server allows 2");
    assert_true(v.has_alert);
    assert_string_equal(v.alert.from, "server");
}

static void test_no_shared_group(void **state)
{
    (void)state;
    hello();
    o.group_overlap_known = true;
    strcpy(o.offered_groups, "X25519");
    strcpy(o.allowed_groups, "SECP384R1");
    server_alert("handshake_failure");
    expect("no-shared-group", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("no common group (client offered X25519; server allows SECP384R1)");
}

/* decode without keys: protected records both ways, nothing opened */
static void test_unreadable_without_keys(void **state)
{
    (void)state;
    server_flight();
    o.protocol = "TLS1.3";
    o.server.name = "ServerHello";
    o.client.recs = (tp_record_tally){.total = 5, .protected_n = 3, .unchecked = 3};
    o.server.recs = (tp_record_tally){.total = 9, .protected_n = 7, .unchecked = 7};
    o.closed_by = TP_ACTOR_SERVER;
    expect("unreadable-without-keys", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_NONE);
    says("the session went on encrypted after the server's ServerHello and tlsprobe has no keys");
    says("3 protected records from the client, 7 from the server; pass --keylog FILE");
    says("the server then closed the connection");
    never_says("without an alert"); /* it cannot know */
    /* TLS 1.2: unreadable alerts both ways do not make it readable */
    client_alert("encrypted", true, 5);
    expect("unreadable-without-keys", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_NONE);
    says("1 encrypted alert");
    /* one readable alert (unknown_ca in the clear) and the rules judge it */
    client_alert("unknown_ca", false, 5);
    decide();
    assert_string_equal(v.cause, "client-rejected-certificate");
    /* one record opened: there were keys */
    o.num_alerts = 0;
    o.client.has_alert = false;
    o.server.recs.ok = 1;
    decide();
    assert_string_not_equal(v.cause, "unreadable-without-keys");
}

/* curl/s_client without -k: unknown_ca in the clear after the server's
 * encrypted TLS 1.3 flight; the engine answers bad_record_mac. */
static void test_client_rejected_certificate(void **state)
{
    (void)state;
    server_flight();
    o.protocol = "TLS1.3";
    o.handshake_done = true; /* the engine's side is done */
    client_alert("unknown_ca", false, 2);
    server_alert("bad_record_mac");
    expect("client-rejected-certificate", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client rejected the server's certificate: fatal unknown_ca");
    says("sent unencrypted after the server's encrypted flight (last: Finished); the server's "
         "engine answered fatal bad_record_mac");
    /* the client's reaction was to the certificate, not to a record */
    never_says("rejected a valid record");
    never_says("our check");
    assert_string_equal(v.alert.description, "unknown_ca");
    assert_int_equal(v.layers.handshake.num_alerts, 2);
}

static void test_client_rejected_record(void **state)
{
    (void)state;
    server_flight();
    o.server_last_has_padding = true;
    o.server_last_padding_len = 11;
    o.server_last_padding_valid = true;
    client_alert("bad_record_mac", true, 2);
    expect("client-rejected-record", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("client sent encrypted fatal bad_record_mac right after the server's first protected "
         "record (Finished)");
    says("padding 11 bytes well-formed (not minimal)");
    says("the client rejected a valid record");
    never_says("shaped by");
    /* a --quirk shaped that record: the verdict says which, before our check */
    snprintf(o.server_last_quirk, sizeof o.server_last_quirk, "cbc-padding=max");
    decide();
    says("; the server's last record was shaped by --quirk cbc-padding=max; our check of that "
         "record: MAC ok");
    o.server_last_quirk[0] = '\0';
    /* even when the server's engine counted its side as done */
    o.handshake_done = true;
    expect("client-rejected-record", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    /* the same alert after data is a later failure */
    o.client.sent_appdata = true;
    expect("client-rejected-record", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    /* the client sent something in between: its alert does not answer that record */
    o.client.alert_record = o.client.num_records = 3;
    decide();
    never_says("our check");
    never_says("rejected a valid record");
    /* our check found the server's record bad: the server is to blame */
    o.client.alert_record = o.client.num_records = 2;
    o.server_last_integrity = TP_INTEGRITY_BAD;
    o.server_last_detail = "MAC mismatch";
    decide();
    says("our check of that record: MAC mismatch → the server sent an invalid record");
}

/* Renegotiation refused, or a fatal alert before any hello. */
static void test_client_alert(void **state)
{
    (void)state;
    done();
    o.client.sent_appdata = o.server.sent_appdata = true;
    client_alert("handshake_failure", true, 6);
    o.server_last_client_records = 5;
    expect("client-alert", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("client sent encrypted fatal handshake_failure after the server's Finished");
    never_says("rejected a valid record");
    never_says("our check");
    /* renegotiation refused: the server's warning came first, the client's answer names it */
    o.num_alerts = 0;
    tp_alert_info noreneg = {"server", "warning", "no_renegotiation", true};
    tp_obs_note_alert(&o, &noreneg);
    tp_obs_note_alert(&o, &o.client.alert);
    o.server_last_client_records = 6;
    decide();
    says("client sent encrypted fatal handshake_failure after the server's encrypted warning "
         "no_renegotiation");
    never_says("our check");
    /* an alert that could not be opened (no keys) */
    base();
    o.client.bytes = 300;
    client_alert("encrypted", true, 5);
    o.client.alert.level = "unknown";
    tp_alert_info enc = {"server", "unknown", "encrypted", true};
    o.num_alerts = 0;
    tp_obs_note_alert(&o, &enc);
    tp_obs_note_alert(&o, &o.client.alert);
    expect("client-alert", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("client sent an encrypted alert (unreadable without keys: pass --keylog) after the "
         "server's own encrypted alert");
    never_says("unknown encrypted");
    /* before any hello */
    base();
    o.client.bytes = 7;
    client_alert("handshake_failure", false, 1);
    expect("client-alert", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("client sent fatal handshake_failure before any handshake message");
    never_says("nothing");
    /* after its ClientHello, before the server answered */
    hello();
    client_alert("internal_error", false, 2);
    decide();
    says("after its ClientHello, before the server sent anything");
    never_says("nothing");
}

static void test_server_alert(void **state)
{
    (void)state;
    hello();
    server_alert("decode_error");
    o.engine_error_name = "GNUTLS_E_NO_CERTIFICATE_FOUND";
    o.engine_error_text = "No certificate was found.";
    expect("server-alert", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server sent fatal decode_error after the client's ClientHello");
    says("(engine: No certificate was found.)");
    base();
    o.client.bytes = 5;
    server_alert("decode_error");
    decide();
    says("after the client's first bytes, before any handshake message");
}

static void test_client_silent_timeout(void **state)
{
    (void)state;
    base();
    o.end = TP_END_TIMEOUT;
    o.t_end = o.timeout = 30;
    expect("client-silent-timeout", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    says("sent nothing for 30 s");
    assert_int_equal(v.layers.transport.how, TP_HOW_TIMEOUT);
}

static void test_client_stalled(void **state)
{
    (void)state;
    hello();
    o.end = TP_END_TIMEOUT;
    o.timeout = 2;
    o.server.name = "ServerHelloDone";
    expect("client-stalled", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    says("stalled after 517 bytes");
    says("last from the server: ServerHelloDone");
}

static void test_idle_after_handshake(void **state)
{
    (void)state;
    done();
    o.end = TP_END_TIMEOUT;
    o.timeout = 30;
    expect("idle-after-handshake", TP_OUTCOME_UNUSED, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    says("the client completed the handshake (TLS1.3, AES-256-GCM) and sent no application data "
         "before the server's 30 s idle timeout closed the connection: unused, not a TLS failure");
    assert_false(v.ok);
}

static void test_engine_error(void **state)
{
    (void)state;
    hello();
    o.end = TP_END_SERVER_CLOSED;
    o.engine_error_name = "GNUTLS_E_UNEXPECTED_PACKET";
    o.engine_error_text = "An unexpected TLS packet was received.";
    expect("engine-error", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server's TLS engine failed after the client's ClientHello");
    says("GNUTLS_E_UNEXPECTED_PACKET");
}

static void test_server_stopped(void **state)
{
    (void)state;
    hello();
    o.end = TP_END_SHUTDOWN;
    expect("server-stopped", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server stopped during the handshake (last from the client: ClientHello)");
    done();
    o.end = TP_END_SHUTDOWN;
    expect("server-stopped", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("handshake completed (TLS1.3, AES-256-GCM); the server stopped before data");
}

static void test_capture_ended(void **state)
{
    (void)state;
    server_flight();
    o.end = TP_END_CAPTURE_END;
    expect("capture-ended", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_NETWORK);
    says("the capture ends during the handshake (last from the client: ClientHello; from the "
         "server: Finished)");
    assert_int_equal(v.layers.transport.how, TP_HOW_CAPTURE_END);
}

static void test_closed_before_client_spoke(void **state)
{
    (void)state;
    base();
    o.end = TP_END_SERVER_CLOSED;
    expect("closed-before-client-spoke", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server closed the connection before the client sent anything");
}

static void test_closed_before_server_answered(void **state)
{
    (void)state;
    hello();
    expect("closed-before-server-answered", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client closed the connection without an alert after the client's ClientHello, "
         "before the server answered");
    /* decode: the server closed first */
    o.closed_by = TP_ACTOR_SERVER;
    expect("closed-before-server-answered", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server closed");
}

static void test_closed_after_server_flight(void **state)
{
    (void)state;
    server_flight();
    o.end = TP_END_PEER_RESET;
    expect("closed-after-server-flight", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client reset the connection without an alert right after the server's flight "
         "(last: Finished)");
    says("integrity ok → the server's record is valid; the client rejected a valid record");
    /* a close 20 s later did not answer that record */
    o.t_end = 21.0;
    decide();
    assert_string_equal(v.cause, "closed-after-server-flight");
    never_says("rejected a valid record");
    o.t_end = 1.0;
    /* the server's last record was in the clear: nothing of ours to add */
    o.server_last_protected = o.server_last_first_protected = false;
    o.server.name = "ServerHelloDone";
    decide();
    never_says("our check");
    never_says("rejected a valid record");
}

static void test_server_bad_record(void **state)
{
    (void)state;
    done();
    o.client.sent_appdata = o.server.sent_appdata = true;
    o.server.bad_record = true;
    o.server.bad_record_index = 7;
    strcpy(o.server.bad_record_detail, "padding bytes not all equal");
    expect("server-bad-record", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server sent an invalid protected record (#7: padding bytes not all equal)");
}

static void test_session_ok(void **state)
{
    (void)state;
    done();
    o.app_exchanged = true;
    o.client.has_alert = true;
    o.client.alert = (tp_alert_info){"client", "warning", "close_notify", true};
    expect("session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("handshake completed (TLS1.3, ECDHE-RSA, AES-256-GCM) and application data went both "
         "ways");
    assert_string_equal(v.protocol, "TLS1.3");
    assert_false(v.has_alert); /* close_notify is not a failure */
    assert_string_equal(v.layers.app.fit, "exchanged");
    /* offline: data both ways without the server's word */
    o.app_exchanged = false;
    o.client.app_bytes = 6;
    o.server.app_bytes = 6;
    expect("session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
}

/* decode: s_client sends a line to s_server, which answers nothing */
static void test_app_no_answer(void **state)
{
    (void)state;
    done();
    o.client.sent_appdata = true;
    o.client.app_bytes = 6;
    o.client.close_notify = true;
    expect("app-no-answer", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the TLS session worked");
    says("the client sent 6 bytes of application data and the server answered nothing");
    says("closed with close_notify");
    never_says("without sending data");
    assert_string_equal(v.layers.app.fit, "no-answer");
    assert_int_equal(v.layers.app.c2s_bytes, 6);
    /* the same, ended by the idle timeout */
    o.client.close_notify = false;
    o.end = TP_END_TIMEOUT;
    expect("app-no-answer", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("timed out");
}

static void test_app_no_request(void **state)
{
    (void)state;
    done();
    o.server.sent_appdata = true;
    expect("app-no-request", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the server sent application data, the client none");
    assert_string_equal(v.layers.app.fit, "no-request");
}

static void test_handshake_only(void **state)
{
    (void)state;
    done();
    o.client.close_notify = true;
    expect("handshake-only", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the client sent close_notify without sending data");
    assert_string_equal(v.layers.app.fit, "no-data");
    /* the server closed first (s_server), the client answered */
    tp_alert_info s_cn = {"server", "warning", "close_notify", true};
    tp_alert_info c_cn = {"client", "warning", "close_notify", true};
    tp_obs_note_alert(&o, &s_cn);
    tp_obs_note_alert(&o, &c_cn);
    expect("handshake-only", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the server sent close_notify before any application data and the client answered");
}

/* Chromium's preconnect: TLS 1.3 done, closed at exit without data */
static void test_unused_after_handshake(void **state)
{
    (void)state;
    done();
    o.client.finished_verified = 1;
    o.t_end = 0.075;
    expect("unused-after-handshake", TP_OUTCOME_UNUSED, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client completed the handshake (TLS1.3, AES-256-GCM) and closed it after 0.075 s "
         "without sending application data (as a browser's speculative connection does)");
    never_says("preconnect"); /* it sent a ClientHello: not a TCP preconnect */
    assert_false(v.ok);
    /* TLS 1.2: the server's Finished came last; leaving at once may be a rejection */
    o.protocol = "TLS1.2";
    decide();
    assert_string_equal(v.cause, "closed-after-handshake");
    /* ... leaving 2 s later is not: the client idled (Chromium, TLS 1.2 server) */
    o.t_end = 2.99;
    expect("unused-after-handshake", TP_OUTCOME_UNUSED, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client completed the handshake (TLS1.2, AES-256-GCM) and closed it after 2.990 s");
    never_says("rejected");
    o.t_end = 0.075;
    /* a wrong client Finished is no unused socket */
    o.protocol = "TLS1.3";
    o.client.finished_verified = 0;
    decide();
    assert_string_equal(v.cause, "closed-after-handshake");
}

static void test_closed_after_handshake(void **state)
{
    (void)state;
    done();
    o.protocol = "TLS1.2"; /* the client's reaction may be to the server's Finished */
    expect("closed-after-handshake", TP_OUTCOME_FAIL, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    says("handshake completed (TLS1.2, AES-256-GCM); the client closed the connection without "
         "close_notify");
    never_says("our check");
    /* TLS 1.2: the client left right after the server's Finished */
    done();
    o.server_last_first_protected = true;
    o.protocol = "TLS1.2";
    decide();
    says("right after the server's first protected record (Finished)");
    says("the client rejected a valid record");
}

/* ---- the order on the wire (tests/catalogue/scenarios/vfix_*.py) ------ */

/* The client's FIN came right after its ClientHello, before the flight. */
static void test_client_half_closed(void **state)
{
    (void)state;
    server_flight();
    o.protocol = "TLS1.3";
    o.first_close_known = true;
    o.closed_by = TP_ACTOR_CLIENT;
    o.first_close_c2s = 517;
    o.first_close_s2c = 0;
    expect("client-half-closed", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client half-closed the connection (FIN) right after its ClientHello, before the "
         "server's flight");
    says("the server still answered (last: Finished, 3000 bytes) and the client read it");
    never_says("rejected");
    never_says("right after the server's flight");
    /* a full close: the client's TCP reset the answer */
    o.end = TP_END_PEER_RESET;
    expect("client-half-closed", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    says("the client reset the connection");
    /* the FIN after the flight: that is a close after the server's flight */
    o.end = TP_END_PEER_CLOSED;
    o.first_close_s2c = 3000;
    expect("closed-after-server-flight", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
}

/* decode: the server's FIN before the ClientHello, its RST after it. */
static void test_server_closed_before_client_hello(void **state)
{
    (void)state;
    hello();
    o.end = TP_END_SERVER_CLOSED;
    o.first_close_known = true;
    o.closed_by = TP_ACTOR_SERVER;
    o.first_close_c2s = 0;
    o.closer_reset_later = true;
    expect("server-closed-before-client-hello", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE,
           TP_ACTOR_SERVER);
    says("the server closed the connection before the client's ClientHello (and reset it when "
         "the ClientHello arrived)");
    never_says("after the client's ClientHello");
    /* closed after the ClientHello: before the server answered */
    o.first_close_c2s = 517;
    expect("closed-before-server-answered", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("after the client's ClientHello");
}

/* The close named in the order on the wire (s_server closes first). */
static void test_close_order(void **state)
{
    (void)state;
    done();
    o.client.sent_appdata = true;
    o.client.app_bytes = 11;
    o.client.close_notify = o.server.close_notify = true;
    o.closed_by = TP_ACTOR_SERVER;
    o.end = TP_END_SERVER_CLOSED;
    tp_alert_info s_cn = {"server", "warning", "close_notify", true};
    tp_alert_info c_cn = {"client", "warning", "close_notify", true};
    tp_obs_note_alert(&o, &s_cn);
    tp_obs_note_alert(&o, &c_cn);
    expect("app-no-answer", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("the server then closed with close_notify and the client answered close_notify");
    never_says("the client then closed");
}

/* SIGTERM: what the client had sent, said as it was. */
static void test_server_stopped_words(void **state)
{
    (void)state;
    base();
    o.end = TP_END_SHUTDOWN;
    o.client.bytes = 4;
    expect("server-stopped", TP_OUTCOME_FAIL, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    says("the server stopped during the handshake (last from the client: 4 bytes, no complete "
         "record)");
    never_says("nothing");
    o.client.bytes = 0;
    expect("server-stopped", TP_OUTCOME_FAIL, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER);
    says("the server stopped before the client sent anything");
    never_says("during the handshake");
}

/* decode, TLS 1.2 without keys: the record types proved the handshake. */
static void test_handshake_unchecked(void **state)
{
    (void)state;
    done();
    o.protocol = "TLS1.2";
    o.handshake_unchecked = true;
    o.client.sent_appdata = o.server.sent_appdata = true;
    expect("session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("its records were not checked (no keys: pass --keylog FILE)");
    o.handshake_unchecked = false;
    decide();
    never_says("not checked");
}

/* A HelloRetryRequest is named in the ok summary; a failed handshake's
 * early data is not "a request the server ignored". */
static void test_retry_and_app_words(void **state)
{
    (void)state;
    done();
    o.hello_retry = true;
    o.group = "SECP384R1";
    o.client.sent_appdata = o.server.sent_appdata = true;
    expect("session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE);
    says("handshake completed (TLS1.3, ECDHE-RSA, AES-256-GCM) after a HelloRetryRequest for "
         "SECP384R1 and application data went both ways");
    o.hello_retry = false;
    decide();
    never_says("HelloRetryRequest");
    /* how it ended: a bare FIN is told apart from close_notify */
    says("; the client then closed the connection without close_notify");
    o.client.close_notify = true;
    decide();
    says("; the client then closed with close_notify");
    o.client.close_notify = false;
    tp_alert_info enc = {"client", "unknown", "encrypted", true};
    tp_obs_note_alert(&o, &enc); /* unread: maybe close_notify */
    decide();
    never_says("without close_notify");
    /* TLS 1.3 --client-cert require: the client's data, then the server's alert */
    done();
    o.client.sent_appdata = true;
    server_alert("certificate_required");
    decide();
    assert_string_equal(v.layers.app.fit, "no-answer");
    if (strstr(v.layers.app.note, "sent none back"))
        fail_msg("app note: %s", v.layers.app.note);
    assert_non_null(strstr(v.layers.app.note, "it ended the connection with fatal "
                                              "certificate_required"));
}

/* ---- the table and the layers ---------------------------------------- */

/* Causes with a test above.  A rule added to verdict.c without a test
 * here fails test_every_rule_has_a_test. */
static const char *const tested[] = {
    "not-tls",
    "unused-connection",
    "client-bad-record",
    "broken-stream",
    "no-shared-version",
    "no-shared-suite",
    "no-shared-group",
    "unreadable-without-keys",
    "client-rejected-certificate",
    "client-rejected-record",
    "client-alert",
    "server-alert",
    "client-silent-timeout",
    "client-stalled",
    "idle-after-handshake",
    "engine-error",
    "server-stopped",
    "capture-ended",
    "closed-before-client-spoke",
    "client-half-closed",
    "server-closed-before-client-hello",
    "closed-before-server-answered",
    "closed-after-server-flight",
    "server-bad-record",
    "session-ok",
    "app-no-answer",
    "app-no-request",
    "handshake-only",
    "unused-after-handshake",
    "closed-after-handshake",
    /* the session's rules, tested on observations the session fills in
     * tests/unit/test_session.c */
    "server-refused",
    "renegotiation-refused",
    "server-required-renegotiation",
    /* rules of verdict_relations.c, tested in test_relations.c */
    "at-capacity",
    "interactive-busy",
    "client-cert-missing",
    "certificate-name-mismatch",
    "client-still-sending",
    "app-not-http",
    "app-h2-preface",
    "app-incomplete",
    "alpn-not-selected",
    /* rules of verdict_psk.c, tested in test_verdict_psk.c */
    "psk-unknown-identity",
    "psk-key-mismatch",
    "post-handshake-auth-failed",
    /* tests/unit/test_alpn_sni.c */
    "no-application-protocol",
    "sni-unrecognized-name",
    "client-rejected-sni-warning",
    "alpn-h2-in-http",
    /* rules of verdict_upstream.c (the proxy), tested in test_verdict_upstream.c */
    "upstream-refused",
    "upstream-tls-failed",
    "upstream-closed-first",
    "upstream-slow",
    /* rules of verdict_certs.c, tested in test_verdict_certs.c */
    "client-cert-rejected",
    "client-left-flawed-certificate",
    NULL,
};

static void test_every_rule_has_a_test(void **state)
{
    (void)state;
    unsigned n = tp_verdict_num_rules();
    assert_true(n >= 20);
    assert_null(tp_verdict_rule_cause(n));
    for (unsigned i = 0; i < n; i++) {
        const char *c = tp_verdict_rule_cause(i);
        assert_non_null(c);
        if (strncmp(c, "mail-", 5) == 0)
            continue; /* the mail rules: tests/unit/test_mail_verdict.c */
        bool found = false;
        for (unsigned k = 0; tested[k]; k++)
            found |= strcmp(tested[k], c) == 0;
        if (!found)
            fail_msg("rule %u (%s) has no unit test in test_verdict.c", i, c);
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(tp_verdict_rule_cause(j), c);
    }
}

static void test_layers(void **state)
{
    (void)state;
    done();
    o.hello_retry = true;
    tp_record_check ok_chk = {.is_protected = true, .integrity = TP_INTEGRITY_OK};
    tp_record_check bad_chk = {.is_protected = true, .integrity = TP_INTEGRITY_BAD};
    tp_record_check clear = {0};
    tp_obs_note_record(&o, TP_C2S, &clear, 1);
    tp_obs_note_record(&o, TP_C2S, &ok_chk, 2);
    tp_obs_note_record(&o, TP_S2C, &clear, 1);
    tp_obs_note_record(&o, TP_S2C, &bad_chk, 2);
    tp_obs_note_record(&o, TP_S2C, &bad_chk, 3);
    tp_obs_note_appdata(&o, TP_C2S, 6);
    o.server.bytes = 1234;
    o.end = TP_END_PEER_RESET;
    decide();
    const tp_layers *l = &v.layers;
    assert_int_equal(l->transport.opened_by, TP_ACTOR_CLIENT);
    assert_int_equal(l->transport.closed_by, TP_ACTOR_CLIENT);
    assert_int_equal(l->transport.how, TP_HOW_RST);
    assert_int_equal(l->transport.c2s_bytes, 517);
    assert_int_equal(l->transport.s2c_bytes, 1234);
    assert_true(l->handshake.done);
    assert_true(l->handshake.hello_retry);
    assert_string_equal(l->handshake.server_last, "Finished");
    assert_int_equal(l->records[TP_C2S].total, 2);
    assert_int_equal(l->records[TP_C2S].ok, 1);
    assert_int_equal(l->records[TP_S2C].protected_n, 2);
    assert_int_equal(l->records[TP_S2C].bad, 2);
    assert_int_equal(l->records[TP_S2C].first_bad, 2);
    assert_int_equal(l->app.c2s_bytes, 6);
    /* every end reason has its transport words */
    static const struct {
        tp_end_reason end;
        tp_actor who;
        const char *how;
    } ends[] = {
        {TP_END_PEER_CLOSED, TP_ACTOR_CLIENT, "fin"},
        {TP_END_SERVER_CLOSED, TP_ACTOR_SERVER, "fin"},
        {TP_END_SHUTDOWN, TP_ACTOR_SERVER, "shutdown"},
        {TP_END_CAPACITY, TP_ACTOR_SERVER, "capacity"},
        {TP_END_CAPTURE_END, TP_ACTOR_NETWORK, "capture-end"},
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        o.end = ends[i].end;
        decide();
        assert_int_equal(l->transport.closed_by, ends[i].who);
        assert_string_equal(tp_close_how_name(l->transport.how), ends[i].how);
    }
    /* alert descriptions are copied: the session reuses its "unknown(N)" buffer */
    char buf[16] = "unknown(200)";
    tp_alert_info u = {"client", "warning", buf, true};
    o.num_alerts = 0;
    tp_obs_note_alert(&o, &u);
    strcpy(buf, "unknown(201)");
    tp_obs_note_alert(&o, &u);
    decide();
    assert_string_equal(l->handshake.alerts[0].description, "unknown(200)");
    assert_string_equal(l->handshake.alerts[1].description, "unknown(201)");
    /* the mode's word on the application layer wins */
    o.app_fit = "not-http";
    strcpy(o.app_note, "the client's 6 bytes are not an HTTP request");
    decide();
    assert_string_equal(l->app.fit, "not-http");
    assert_string_equal(l->app.note, "the client's 6 bytes are not an HTTP request");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tp_actor_name(TP_ACTOR_NONE), "none");
    assert_string_equal(tp_actor_name(TP_ACTOR_CLIENT), "client");
    assert_string_equal(tp_actor_name(TP_ACTOR_SERVER), "server");
    assert_string_equal(tp_actor_name(TP_ACTOR_NETWORK), "network");
    assert_string_equal(tp_outcome_name(TP_OUTCOME_OK), "ok");
    assert_string_equal(tp_outcome_name(TP_OUTCOME_FAIL), "fail");
    assert_string_equal(tp_outcome_name(TP_OUTCOME_UNUSED), "unused");
    assert_string_equal(tp_phase_name(TP_PHASE_TRANSPORT), "transport");
    assert_null(tp_close_how_name(TP_HOW_NONE));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list-rules") == 0) {
        for (unsigned i = 0; i < tp_verdict_num_rules(); i++)
            printf("%s\n", tp_verdict_rule_cause(i));
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_tls),
        cmocka_unit_test(test_unused_connection),
        cmocka_unit_test(test_client_bad_record),
        cmocka_unit_test(test_broken_stream),
        cmocka_unit_test(test_no_shared_version),
        cmocka_unit_test(test_no_shared_suite),
        cmocka_unit_test(test_no_shared_group),
        cmocka_unit_test(test_unreadable_without_keys),
        cmocka_unit_test(test_client_rejected_certificate),
        cmocka_unit_test(test_client_rejected_record),
        cmocka_unit_test(test_client_alert),
        cmocka_unit_test(test_server_alert),
        cmocka_unit_test(test_client_silent_timeout),
        cmocka_unit_test(test_client_stalled),
        cmocka_unit_test(test_idle_after_handshake),
        cmocka_unit_test(test_engine_error),
        cmocka_unit_test(test_server_stopped),
        cmocka_unit_test(test_capture_ended),
        cmocka_unit_test(test_closed_before_client_spoke),
        cmocka_unit_test(test_closed_before_server_answered),
        cmocka_unit_test(test_closed_after_server_flight),
        cmocka_unit_test(test_server_bad_record),
        cmocka_unit_test(test_session_ok),
        cmocka_unit_test(test_app_no_answer),
        cmocka_unit_test(test_app_no_request),
        cmocka_unit_test(test_handshake_only),
        cmocka_unit_test(test_unused_after_handshake),
        cmocka_unit_test(test_closed_after_handshake),
        cmocka_unit_test(test_client_half_closed),
        cmocka_unit_test(test_server_closed_before_client_hello),
        cmocka_unit_test(test_close_order),
        cmocka_unit_test(test_server_stopped_words),
        cmocka_unit_test(test_handshake_unchecked),
        cmocka_unit_test(test_retry_and_app_words),
        cmocka_unit_test(test_every_rule_has_a_test),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
