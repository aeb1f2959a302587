/* The proxy's mail preamble filter (src/server/proxy_mail.c), pure: the
 * lines each side sends and what it makes of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/proxy_mail.h"

static proxy_mail pm;
static wire_buf a, b;

static void start(tp_mail_proto p, bool client_plain, bool up_starttls)
{
    proxy_mail_init(&pm, p, client_plain, up_starttls);
    wire_buf_init(&a, 0);
    wire_buf_init(&b, 0);
}

static void stop(void)
{
    proxy_mail_cleanup(&pm);
    wire_buf_cleanup(&a);
    wire_buf_cleanup(&b);
}

/* Upstream bytes: a is what the client gets, b what tlsprobe tells the upstream. */
static unsigned up(const char *s)
{
    wire_buf_reset(&a);
    wire_buf_reset(&b);
    return proxy_mail_from_upstream(&pm, (const uint8_t *)s, strlen(s), &a, &b);
}

/* Client bytes: a is what goes to the upstream, b tlsprobe's own answer. */
static unsigned cl(const char *s)
{
    wire_buf_reset(&a);
    wire_buf_reset(&b);
    return proxy_mail_from_client(&pm, (const uint8_t *)s, strlen(s), &a, &b);
}

static void test_smtp_answered_and_added(void **state)
{
    (void)state;
    start(TP_MAIL_SMTP, true, false);
    assert_int_equal(up("220 mx ESMTP\r\n"), 0);
    assert_string_equal(wire_buf_str(&a), "220 mx ESMTP\r\n");
    assert_int_equal(cl("EHLO c\r\n"), 0);
    assert_string_equal(wire_buf_str(&a), "EHLO c\r\n");
    /* an EHLO answer without STARTTLS gets it before its last line (RFC 3207 4) */
    up("250-mx\r\n250-SIZE 1000\r\n");
    assert_string_equal(wire_buf_str(&a), "250-mx\r\n250-SIZE 1000\r\n");
    up("250 HELP\r\n");
    assert_string_equal(wire_buf_str(&a), "250-STARTTLS\r\n250 HELP\r\n");
    /* tlsprobe answers STARTTLS; the rest of that read is not handed on */
    assert_int_equal(cl("STARTTLS\r\nNOOP\r\n"), PM_CLIENT_TLS);
    assert_string_equal(wire_buf_str(&a), "");
    assert_string_equal(wire_buf_str(&b), "220 2.0.0 Ready to start TLS\r\n");
    /* after TLS the upstream's own advertisement is taken out (RFC 3207 4.2) */
    up("250-mx\r\n250-STARTTLS\r\n250 HELP\r\n");
    assert_string_equal(wire_buf_str(&a), "250-mx\r\n250 HELP\r\n");
    assert_true(proxy_mail_upstream_ready(&pm));
    stop();
}

static void test_smtp_advertised_not_doubled(void **state)
{
    (void)state;
    start(TP_MAIL_SMTP, true, false);
    cl("EH");
    assert_string_equal(wire_buf_str(&a), ""); /* a partial line is held */
    cl("LO c\r\n");
    assert_string_equal(wire_buf_str(&a), "EHLO c\r\n");
    up("250-mx\r\n250-STARTTLS\r\n250 HELP\r\n");
    assert_string_equal(wire_buf_str(&a), "250-mx\r\n250-STARTTLS\r\n250 HELP\r\n");
    stop();
}

static void test_imap_capability(void **state)
{
    (void)state;
    start(TP_MAIL_IMAP, true, false);
    up("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    assert_string_equal(wire_buf_str(&a), "* OK [CAPABILITY STARTTLS IMAP4rev1 AUTH=PLAIN] ready\r\n");
    up("* CAPABILITY IMAP4rev1 STARTTLS\r\n");
    assert_string_equal(wire_buf_str(&a), "* CAPABILITY IMAP4rev1 STARTTLS\r\n");
    assert_int_equal(cl("a7 STARTTLS\r\n"), PM_CLIENT_TLS);
    assert_string_equal(wire_buf_str(&b), "a7 OK Begin TLS negotiation now\r\n");
    up("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n");
    assert_string_equal(wire_buf_str(&a), "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    stop();
}

static void test_pop3_capa(void **state)
{
    (void)state;
    start(TP_MAIL_POP3, true, false);
    up("+OK ready\r\n");
    cl("CAPA\r\n");
    up("+OK\r\nUSER\r\n.\r\n");
    assert_string_equal(wire_buf_str(&a), "+OK\r\nUSER\r\nSTLS\r\n.\r\n");
    assert_int_equal(cl("STLS\r\n"), PM_CLIENT_TLS);
    assert_string_equal(wire_buf_str(&b), "+OK Begin TLS negotiation\r\n");
    stop();
}

/* An upstream that advertises STLS itself: after the client's STLS the
 * CAPA answer loses it (RFC 2595 4), a message line "STLS" does not. */
static void test_pop3_no_stls_after_tls(void **state)
{
    (void)state;
    start(TP_MAIL_POP3, true, false);
    up("+OK ready\r\n");
    cl("CAPA\r\n");
    up("+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    assert_string_equal(wire_buf_str(&a), "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    assert_int_equal(cl("STLS\r\n"), PM_CLIENT_TLS);
    const char *capa = "CA", *rest = "PA\r\nRETR 1\r\n"; /* split inside TLS */
    proxy_mail_client_tls(&pm, (const uint8_t *)capa, strlen(capa));
    proxy_mail_client_tls(&pm, (const uint8_t *)rest, strlen(rest));
    up("+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    assert_string_equal(wire_buf_str(&a), "+OK\r\nUSER\r\n.\r\n");
    up("+OK message\r\nSTLS\r\n.\r\n");
    assert_string_equal(wire_buf_str(&a), "+OK message\r\nSTLS\r\n.\r\n");
    stop();
}

static void test_forwarded_starttls(void **state)
{
    (void)state;
    start(TP_MAIL_SMTP, true, true);
    up("250-mx\r\n250 HELP\r\n"); /* the upstream speaks for itself: nothing added */
    assert_string_equal(wire_buf_str(&a), "250-mx\r\n250 HELP\r\n");
    assert_int_equal(cl("STARTTLS\r\n"), 0);
    assert_string_equal(wire_buf_str(&a), "STARTTLS\r\n");
    assert_false(proxy_mail_upstream_ready(&pm));
    assert_int_equal(up("454 TLS not available\r\n"), 0); /* refused: the client hears it */
    assert_string_equal(wire_buf_str(&a), "454 TLS not available\r\n");
    assert_true(proxy_mail_upstream_ready(&pm));
    cl("STARTTLS\r\n");
    assert_int_equal(up("220 go ahead\r\n"), PM_CLIENT_TLS | PM_UPSTREAM_TLS);
    assert_string_equal(wire_buf_str(&a), "220 go ahead\r\n");
    stop();
}

static void test_own_preamble(void **state)
{
    (void)state;
    start(TP_MAIL_SMTP, false, true);
    assert_false(proxy_mail_upstream_ready(&pm));
    assert_int_equal(up("220 mx ESMTP\r\n"), 0);
    assert_string_equal(wire_buf_str(&a), "220 mx ESMTP\r\n"); /* for the client, inside TLS */
    assert_string_equal(wire_buf_str(&b), "EHLO tlsprobe.invalid\r\n");
    up("250-mx\r\n");
    assert_string_equal(wire_buf_str(&b), "");
    up("250 STARTTLS\r\n");
    assert_string_equal(wire_buf_str(&b), "STARTTLS\r\n");
    assert_int_equal(up("220 ready\r\n"), PM_UPSTREAM_TLS);
    assert_true(proxy_mail_upstream_ready(&pm));
    stop();
    start(TP_MAIL_IMAP, false, true);
    up("* OK ready\r\n");
    assert_string_equal(wire_buf_str(&b), "tp0 STARTTLS\r\n");
    assert_int_equal(up("tp0 NO not now\r\n"), PM_FAIL);
    assert_non_null(strstr(pm.error, "refused STARTTLS"));
    assert_non_null(strstr(pm.error, "tp0 NO not now"));
    stop();
    start(TP_MAIL_POP3, false, true);
    assert_int_equal(up("220 mx ESMTP\r\n"), PM_FAIL); /* an SMTP server on the POP3 upstream */
    assert_non_null(strstr(pm.error, "greeting"));
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp_answered_and_added),
        cmocka_unit_test(test_smtp_advertised_not_doubled),
        cmocka_unit_test(test_imap_capability),
        cmocka_unit_test(test_pop3_capa),
        cmocka_unit_test(test_pop3_no_stls_after_tls),
        cmocka_unit_test(test_forwarded_starttls),
        cmocka_unit_test(test_own_preamble),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
