/* Unit tests for the mail protocol lines (src/wire/mail.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/mail.h"

#define L(s) (const uint8_t *)(s), strlen(s)

static void test_proto_names(void **state)
{
    (void)state;
    tp_mail_proto p = TP_MAIL_NONE;
    assert_true(wire_mail_proto_parse("smtp", &p));
    assert_int_equal(p, TP_MAIL_SMTP);
    assert_true(wire_mail_proto_parse("imap", &p));
    assert_int_equal(p, TP_MAIL_IMAP);
    assert_true(wire_mail_proto_parse("pop3", &p));
    assert_int_equal(p, TP_MAIL_POP3);
    p = TP_MAIL_SMTP;
    assert_false(wire_mail_proto_parse("ftp", &p));
    assert_false(wire_mail_proto_parse("SMTP", &p));
    assert_false(wire_mail_proto_parse("", &p));
    assert_false(wire_mail_proto_parse(NULL, &p));
    assert_int_equal(p, TP_MAIL_SMTP);
    assert_string_equal(wire_mail_proto_name(TP_MAIL_POP3), "pop3");
    assert_string_equal(wire_mail_proto_name(TP_MAIL_IMAP), "imap");
    assert_string_equal(wire_mail_proto_name(TP_MAIL_NONE), "none");
    assert_string_equal(wire_mail_proto_name((tp_mail_proto)42), "none");
}

static void test_line_len(void **state)
{
    (void)state;
    assert_int_equal(wire_mail_line_len(L("EHLO x\r\nQUIT\r\n")), 8);
    assert_int_equal(wire_mail_line_len(L("EHLO x\nQUIT")), 7);
    assert_int_equal(wire_mail_line_len(L("EHLO x\r")), 0);
    assert_int_equal(wire_mail_line_len(L("")), 0);
    assert_int_equal(wire_mail_line_len(NULL, 0), 0);
    assert_int_equal(wire_mail_line_trim(L("QUIT\r\n")), 4);
    assert_int_equal(wire_mail_line_trim(L("QUIT\n")), 4);
    assert_int_equal(wire_mail_line_trim(L("QUIT")), 4);
    assert_int_equal(wire_mail_max_line(TP_MAIL_SMTP), 512);
    assert_int_equal(wire_mail_max_line(TP_MAIL_POP3), 255);
    assert_int_equal(wire_mail_max_line(TP_MAIL_IMAP), 8192);
    assert_int_equal(wire_mail_max_line(TP_MAIL_NONE), 0);
}

static void test_starttls_cmd(void **state)
{
    (void)state;
    char tag[8] = "x";
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_SMTP, L("STARTTLS\r\n"), NULL, 0));
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_SMTP, L("starttls\n"), tag, sizeof tag));
    assert_string_equal(tag, "x"); /* SMTP has no tag */
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_SMTP, L("STARTTLSX\r\n"), NULL, 0));
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_SMTP, L("EHLO STARTTLS\r\n"), NULL, 0));
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_SMTP, L("STLS\r\n"), NULL, 0));
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_IMAP, L("a001 StartTLS\r\n"), tag, sizeof tag));
    assert_string_equal(tag, "a001");
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_IMAP, L("verylongtag STARTTLS\r\n"), tag, 5));
    assert_string_equal(tag, "very");
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_IMAP, L("STARTTLS\r\n"), tag, sizeof tag));
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_POP3, L("STLS\r\n"), NULL, 0));
    assert_true(wire_mail_is_starttls_cmd(TP_MAIL_POP3, L("stls\r\n"), NULL, 0));
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_POP3, L("STARTTLS\r\n"), NULL, 0));
    assert_false(wire_mail_is_starttls_cmd(TP_MAIL_NONE, L("STARTTLS\r\n"), NULL, 0));
}

static void test_starttls_ok(void **state)
{
    (void)state;
    assert_true(wire_mail_is_starttls_ok(TP_MAIL_SMTP, L("220 2.0.0 Ready to start TLS\r\n"), NULL));
    assert_true(wire_mail_is_starttls_ok(TP_MAIL_SMTP, L("220\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_SMTP, L("220-more\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_SMTP, L("454 TLS not available\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_SMTP, L("2201 x\r\n"), NULL));
    assert_true(wire_mail_is_starttls_ok(TP_MAIL_IMAP, L("a1 OK Begin TLS\r\n"), "a1"));
    assert_true(wire_mail_is_starttls_ok(TP_MAIL_IMAP, L("a1 ok go\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_IMAP, L("a2 OK Begin TLS\r\n"), "a1"));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_IMAP, L("a1 BAD no\r\n"), "a1"));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_IMAP, L("* OK hello\r\n"), NULL));
    assert_true(wire_mail_is_starttls_ok(TP_MAIL_POP3, L("+OK Begin TLS\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_POP3, L("-ERR no\r\n"), NULL));
    assert_false(wire_mail_is_starttls_ok(TP_MAIL_NONE, L("+OK\r\n"), NULL));
}

static void test_advertises(void **state)
{
    (void)state;
    assert_true(wire_mail_advertises_starttls(TP_MAIL_SMTP, L("250-STARTTLS\r\n")));
    assert_true(wire_mail_advertises_starttls(TP_MAIL_SMTP, L("250 starttls\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_SMTP, L("250-STARTTLSX\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_SMTP, L("250-AUTH PLAIN\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_SMTP, L("220 STARTTLS\r\n")));
    assert_true(wire_mail_advertises_starttls(TP_MAIL_IMAP,
                                              L("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n")));
    assert_true(wire_mail_advertises_starttls(
        TP_MAIL_IMAP, L("* OK [CAPABILITY IMAP4rev1 STARTTLS] tlsprobe ready\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_IMAP,
                                               L("* OK [CAPABILITY IMAP4rev1] STARTTLS\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_IMAP, L("* CAPABILITY IMAP4rev1\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_IMAP, L("a1 CAPABILITY STARTTLS\r\n")));
    assert_true(wire_mail_advertises_starttls(TP_MAIL_POP3, L("STLS\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_POP3, L("USER\r\n")));
    assert_false(wire_mail_advertises_starttls(TP_MAIL_NONE, L("STLS\r\n")));
}

static void test_greeting(void **state)
{
    (void)state;
    assert_int_equal(wire_mail_greeting_proto(L("220 mx ESMTP\r\n")), TP_MAIL_SMTP);
    assert_int_equal(wire_mail_greeting_proto(L("220-mx ESMTP\r\n")), TP_MAIL_SMTP);
    assert_int_equal(wire_mail_greeting_proto(L("* OK [CAPABILITY IMAP4rev1] hi\r\n")),
                     TP_MAIL_IMAP);
    assert_int_equal(wire_mail_greeting_proto(L("* PREAUTH hi\r\n")), TP_MAIL_IMAP);
    assert_int_equal(wire_mail_greeting_proto(L("+OK POP3 ready\r\n")), TP_MAIL_POP3);
    assert_int_equal(wire_mail_greeting_proto(L("HTTP/1.1 200 OK\r\n")), TP_MAIL_NONE);
    assert_int_equal(wire_mail_greeting_proto(L("554 go away\r\n")), TP_MAIL_NONE);
    const uint8_t rec[] = {0x16, 0x03, 0x01, 0x00, 0x05, '\n'};
    assert_int_equal(wire_mail_greeting_proto(rec, sizeof rec), TP_MAIL_NONE);
}

static void test_cmd_kind(void **state)
{
    (void)state;
    char verb[8];
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("ehlo client\r\n")), TP_MAIL_CMD_HELLO);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("AUTH PLAIN AGZvbwBiYXI=\r\n")),
                     TP_MAIL_CMD_AUTH);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("MAIL FROM:<a@b>\r\n")), TP_MAIL_CMD_DATA);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("QUIT\r\n")), TP_MAIL_CMD_QUIT);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("STARTTLS\r\n")), TP_MAIL_CMD_STARTTLS);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, L("GET / HTTP/1.1\r\n")), TP_MAIL_CMD_OTHER);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_IMAP, L("a1 LOGIN bob secret\r\n")),
                     TP_MAIL_CMD_AUTH);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_IMAP, L("LOGIN bob secret\r\n")),
                     TP_MAIL_CMD_OTHER);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_IMAP, L("a2 logout\r\n")), TP_MAIL_CMD_QUIT);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_POP3, L("USER bob\r\n")), TP_MAIL_CMD_AUTH);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_POP3, L("CAPA\r\n")), TP_MAIL_CMD_HELLO);
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_POP3, L("EHLO x\r\n")), TP_MAIL_CMD_OTHER);
    const uint8_t bin[] = {'A', 'U', 'T', 'H', 0x01, '\n'};
    assert_int_equal(wire_mail_cmd_kind(TP_MAIL_SMTP, bin, sizeof bin), TP_MAIL_CMD_OTHER);
    assert_int_equal(wire_mail_cmd_verb(TP_MAIL_IMAP, L("a1 select INBOX\r\n"), verb, sizeof verb),
                     6);
    assert_string_equal(verb, "SELECT");
    assert_int_equal(wire_mail_cmd_verb(TP_MAIL_SMTP, L("AUTHENTICATION x\r\n"), verb, 5), 14);
    assert_string_equal(verb, "AUTH");
    assert_int_equal(wire_mail_cmd_verb(TP_MAIL_SMTP, L("\r\n"), verb, sizeof verb), 0);
    assert_string_equal(verb, "");
    assert_string_equal(wire_mail_cmd_name(TP_MAIL_CMD_AUTH), "auth");
    assert_string_equal(wire_mail_cmd_name((tp_mail_cmd)99), "other");
    assert_true(wire_mail_line_is_text(L("a\tb\r\n")));
    assert_false(wire_mail_line_is_text(bin, sizeof bin));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_names), cmocka_unit_test(test_line_len),
        cmocka_unit_test(test_starttls_cmd), cmocka_unit_test(test_starttls_ok),
        cmocka_unit_test(test_advertises),  cmocka_unit_test(test_greeting),
        cmocka_unit_test(test_cmd_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
