/* The mail verdict rules (src/analysis/verdict_mail.c) on hand-made
 * observations: each test builds the situation of one rule and asserts its
 * cause, outcome, phase, actor and key words, so a rule removed or with its
 * condition flipped fails here (tests/mutants/run runs this test too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/verdict.h"

static tp_observation o;
static tp_verdict v;

/* A STARTTLS SMTP port: the greeting and the EHLO answer with STARTTLS. */
static void preamble(tp_mail_proto p)
{
    memset(&o, 0, sizeof o);
    o.client.finished_verified = o.server.finished_verified = -1;
    o.end = TP_END_PEER_CLOSED;
    o.t_end = 1.5;
    o.timeout = 30;
    o.mail.proto = p;
    o.mail.starttls_port = true;
    o.mail.greeting = true;
    snprintf(o.mail.greeting_line, sizeof o.mail.greeting_line, "220 tlsprobe ESMTP");
    o.server.bytes = 40;
    o.mail.limit = wire_mail_max_line(p);
}

static void sent(const char *first, const char *cmds)
{
    o.mail.c2s_lines = 2;
    snprintf(o.mail.first_line, sizeof o.mail.first_line, "%s", first);
    snprintf(o.mail.cmds, sizeof o.mail.cmds, "%s", cmds);
    o.client.bytes = 30;
    o.mail.hello = true;
    o.mail.advertised = true;
}

/* TLS 1.3 done after STARTTLS, the dialogue inside it both ways. */
static void tls_dialogue(void)
{
    preamble(TP_MAIL_SMTP);
    sent("EHLO x", "EHLO, STARTTLS");
    o.mail.starttls_sent = o.mail.starttls_ok = true;
    o.client_hello = o.server_hello = o.handshake_done = o.app_exchanged = true;
    o.protocol = "TLS1.3";
    o.cipher = "AES-256-GCM";
    o.client.name = o.server.name = "Finished";
    o.mail.tls_dialogue = true;
    o.mail.tls_c2s_lines = 5;
    snprintf(o.mail.tls_cmds, sizeof o.mail.tls_cmds, "EHLO, AUTH, MAIL, RCPT, DATA, QUIT");
    o.mail.hello_after_tls = true;
    o.mail.credentials = true;
    snprintf(o.mail.user, sizeof o.mail.user, "bob");
    o.mail.messages = 1;
    o.mail.quit_tls = true;
    o.closed_by = TP_ACTOR_SERVER;
    o.end = TP_END_SERVER_CLOSED;
}

static void expect(const char *cause, tp_outcome outcome, tp_phase phase, tp_actor actor,
                   const char *const *words)
{
    tp_verdict_decide(&o, &v);
    if (strcmp(v.cause, cause) != 0)
        fail_msg("cause %s, expected %s: %s", v.cause, cause, v.summary);
    assert_int_equal(v.outcome, outcome);
    assert_string_equal(tp_phase_name(v.phase), tp_phase_name(phase));
    assert_string_equal(tp_actor_name(v.actor), tp_actor_name(actor));
    for (unsigned i = 0; words && words[i]; i++)
        if (!strstr(v.summary, words[i]))
            fail_msg("summary lacks \"%s\": %s", words[i], v.summary);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_tls_without_starttls(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    o.mail.tls_early = true;
    o.mail.tls_early_bytes = 517;
    o.client_hello = true;
    o.closed_by = TP_ACTOR_SERVER;
    expect("mail-tls-without-starttls", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("started TLS at once", "a ClientHello, 517 bytes", "STARTTLS SMTP port",
                 "implicit-TLS client (port 465 style)", "answered in plaintext and closed"));
    o.mail.tls_early = false; /* the same connection without it: another rule */
    tp_verdict_decide(&o, &v);
    assert_string_not_equal(v.cause, "mail-tls-without-starttls");
}

static void test_other_protocol(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("GET / HTTP/1.1", "GET");
    o.mail.hello = o.mail.advertised = false;
    o.mail.first_unknown = true;
    expect("mail-other-protocol", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("another protocol than SMTP (HTTP)", "\"GET / HTTP/1.1\" is no SMTP command"));
    preamble(TP_MAIL_POP3);
    sent("a1 CAPABILITY", "A1");
    o.mail.first_unknown = true;
    expect("mail-other-protocol", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("another protocol than POP3: ", "no POP3 command"));
}

static void test_auth_before_starttls(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("EHLO x", "EHLO, AUTH, QUIT");
    o.mail.auth_plain = true;
    snprintf(o.mail.auth_verb, sizeof o.mail.auth_verb, "AUTH");
    snprintf(o.mail.auth_answer, sizeof o.mail.auth_answer, "530 5.7.0 Must issue a STARTTLS");
    expect("mail-auth-before-starttls", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("sent AUTH (credentials) before STARTTLS, in plaintext",
                 "(STARTTLS was advertised)", "refused it: \"530 5.7.0"));
    /* AUTH refused, then STARTTLS and a working session: ok, with a note */
    tls_dialogue();
    o.mail.auth_plain = true;
    snprintf(o.mail.auth_verb, sizeof o.mail.auth_verb, "AUTH");
    expect("mail-session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE,
           WORDS("note: it sent AUTH in plaintext before STARTTLS"));
}

static void test_preamble_timeout(void **state)
{
    (void)state;
    preamble(TP_MAIL_IMAP);
    sent("a1 CAPABILITY", "CAPABILITY");
    o.end = TP_END_TIMEOUT;
    o.timeout = 5;
    expect("mail-preamble-timeout", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT,
           WORDS("never finished the plaintext IMAP preamble", "it sent CAPABILITY, then nothing",
                 "for 5 s, no STARTTLS, which was advertised"));
    preamble(TP_MAIL_SMTP);
    o.end = TP_END_TIMEOUT;
    expect("mail-preamble-timeout", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT,
           WORDS("it sent no command after the greeting"));
}

static void test_no_starttls(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("EHLO x", "EHLO, MAIL, QUIT");
    o.mail.quit_plain = true;
    expect("mail-no-starttls", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("never sent STARTTLS (it saw it advertised in the EHLO answer)",
                 "it sent EHLO, MAIL, QUIT in plaintext and quit"));
    preamble(TP_MAIL_POP3);
    sent("CAPA", "CAPA");
    expect("mail-no-starttls", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("never sent STLS", "in the CAPA answer", "closed the connection"));
}

static void test_starttls_refused(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("EHLO x", "EHLO, STARTTLS");
    o.mail.starttls_sent = true;
    snprintf(o.mail.starttls_answer, sizeof o.mail.starttls_answer, "454 4.7.0 TLS not available");
    expect("mail-starttls-refused", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_SERVER,
           WORDS("the server refused STARTTLS: \"454 4.7.0 TLS not available\""));
}

static void test_line_too_long(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("EHLO xxxx", "EHLO");
    o.mail.too_long = true;
    o.mail.too_long_len = 602;
    expect("mail-line-too-long", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("in the plaintext preamble the client sent a SMTP line of 602 bytes",
                 "over the limit of 512 (RFC 5321 4.5.3.1)", "protocol error"));
    /* inside TLS: the TLS session worked; named in the app layer */
    tls_dialogue();
    o.mail.proto = TP_MAIL_POP3;
    o.mail.too_long = o.mail.too_long_tls = true;
    o.mail.too_long_len = 300;
    o.mail.limit = 255;
    expect("mail-line-too-long", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE,
           WORDS("the TLS session worked", "a POP3 line of 300 bytes, over the limit of 255 (RFC 2449 4)"));
    assert_string_equal(v.layers.app.fit, "mail-line-too-long");
}

static void test_closed_after_greeting(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    expect("mail-closed-after-greeting", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_CLIENT,
           WORDS("the client closed after the greeting (\"220 tlsprobe ESMTP\") without sending "
                 "a command"));
    o.end = TP_END_SHUTDOWN; /* the server stopping is not the client closing */
    o.closed_by = TP_ACTOR_SERVER;
    expect("mail-closed-in-preamble", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_SERVER, NULL);
}

static void test_closed_in_preamble(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    sent("EHLO x", "EHLO");
    o.mail.advertised = false; /* decode of a server that never offered it */
    expect("mail-closed-in-preamble", TP_OUTCOME_FAIL, TP_PHASE_PREAMBLE, TP_ACTOR_SERVER,
           WORDS("the server never advertised STARTTLS in its EHLO answer", "sent EHLO"));
}

static void test_plaintext_on_implicit(void **state)
{
    (void)state;
    preamble(TP_MAIL_SMTP);
    o.mail.starttls_port = o.mail.greeting = false;
    o.mail.implicit_port = true;
    o.not_tls = o.not_tls_dir_c2s = o.looks_smtp = true;
    snprintf(o.first_bytes, sizeof o.first_bytes, "EHLO x");
    o.client.bytes = 8;
    expect("mail-plaintext-on-implicit-port", TP_OUTCOME_FAIL, TP_PHASE_NOT_TLS, TP_ACTOR_CLIENT,
           WORDS("speaks plaintext (\"EHLO x\") on an implicit-TLS SMTP port",
                 "expects STARTTLS or plain SMTP (port 587 or 25 style)"));
    o.mail.implicit_port = false; /* no mail mode: the general rule */
    tp_verdict_decide(&o, &v);
    assert_string_equal(v.cause, "not-tls");
}

static void test_waits_for_greeting(void **state)
{
    (void)state;
    preamble(TP_MAIL_IMAP);
    o.mail.starttls_port = o.mail.greeting = false;
    o.mail.implicit_port = true;
    o.server.bytes = 0;
    o.end = TP_END_TIMEOUT;
    o.t_end = 30;
    expect("mail-client-waits-for-greeting", TP_OUTCOME_FAIL, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT,
           WORDS("sent nothing in 30.0 s on an implicit-TLS IMAP port",
                 "waits for a plaintext greeting", "port 143 style"));
    o.end = TP_END_PEER_CLOSED; /* it gave up first */
    o.t_end = 5;
    expect("mail-client-waits-for-greeting", TP_OUTCOME_FAIL, TP_PHASE_TRANSPORT, TP_ACTOR_CLIENT,
           WORDS("sent nothing in 5.0 s"));
    o.t_end = 0.01; /* a port check: unused */
    tp_verdict_decide(&o, &v);
    assert_string_equal(v.cause, "unused-connection");
}

static void test_session_ok(void **state)
{
    (void)state;
    tls_dialogue();
    expect("mail-session-ok", TP_OUTCOME_OK, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_NONE,
           WORDS("handshake completed (TLS1.3, AES-256-GCM) and the SMTP dialogue worked after "
                 "STARTTLS",
                 "the client sent EHLO again after TLS: ok", "credentials offered (user bob)",
                 "1 message accepted and discarded"));
    assert_string_equal(v.layers.app.fit, "smtp");
    assert_null(strstr(v.summary, "without QUIT"));
    o.mail.quit_tls = false;
    o.client.fatal_alert = true; /* a fatal alert is no working session */
    o.client.has_alert = true;
    o.client.alert = (tp_alert_info){"client", "fatal", "decode_error", true};
    tp_verdict_decide(&o, &v);
    assert_string_not_equal(v.cause, "mail-session-ok");
}

static void test_every_mail_rule_has_a_test(void **state)
{
    (void)state;
    static const char *const tested[] = {
        "mail-tls-without-starttls", "mail-other-protocol",        "mail-auth-before-starttls",
        "mail-preamble-timeout",     "mail-no-starttls",           "mail-starttls-refused",
        "mail-line-too-long",        "mail-closed-after-greeting", "mail-closed-in-preamble",
        "mail-plaintext-on-implicit-port", "mail-client-waits-for-greeting", "mail-session-ok",
        NULL};
    unsigned mail = 0;
    for (unsigned i = 0; i < tp_verdict_num_rules(); i++) {
        const char *c = tp_verdict_rule_cause(i);
        if (strncmp(c, "mail-", 5) != 0)
            continue;
        mail++;
        bool found = false;
        for (unsigned k = 0; tested[k]; k++)
            found |= strcmp(tested[k], c) == 0;
        if (!found)
            fail_msg("rule %s has no test in test_mail_verdict.c", c);
    }
    assert_int_equal(mail, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_without_starttls),
        cmocka_unit_test(test_other_protocol),
        cmocka_unit_test(test_auth_before_starttls),
        cmocka_unit_test(test_preamble_timeout),
        cmocka_unit_test(test_no_starttls),
        cmocka_unit_test(test_starttls_refused),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_closed_after_greeting),
        cmocka_unit_test(test_closed_in_preamble),
        cmocka_unit_test(test_plaintext_on_implicit),
        cmocka_unit_test(test_waits_for_greeting),
        cmocka_unit_test(test_session_ok),
        cmocka_unit_test(test_every_mail_rule_has_a_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
