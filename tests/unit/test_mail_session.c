/* The session's mail preamble and dialogue (src/analysis/session_mail.c)
 * and the credential masking under it (src/wire/mail_auth.h): bytes in,
 * TP_EV_MAIL events and the verdict out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/session.h"
#include "wire/mail_auth.h"

/* ---- a sink that keeps the mail lines and the verdict ---- */

typedef struct {
    tp_sink base;
    unsigned num_mail, num_notes;
    char lines[32][210];
    tp_dir dirs[32];
    bool tls[32];
    char users[32][64];
    char all_notes[1024];
    tp_verdict verdict;
    bool got_verdict;
} rec_sink;

static void rec_on_event(tp_sink *self, const tp_event *ev)
{
    rec_sink *r = (rec_sink *)self;
    if (ev->type == TP_EV_MAIL && r->num_mail < 32) {
        unsigned i = r->num_mail++;
        snprintf(r->lines[i], sizeof r->lines[i], "%s", ev->u.mail.line);
        r->dirs[i] = ev->dir;
        r->tls[i] = ev->u.mail.tls;
        snprintf(r->users[i], sizeof r->users[i], "%s", ev->u.mail.user ? ev->u.mail.user : "");
    } else if (ev->type == TP_EV_NOTE) {
        size_t used = strlen(r->all_notes);
        snprintf(r->all_notes + used, sizeof r->all_notes - used, "%s|", ev->u.note.text);
        r->num_notes++;
    } else if (ev->type == TP_EV_VERDICT) {
        r->verdict = *ev->u.verdict;
        r->got_verdict = true;
    }
}

static rec_sink sink;

static tp_session *open_session(tp_mail_proto p, bool starttls)
{
    memset(&sink, 0, sizeof sink);
    sink.base.on_event = rec_on_event;
    tp_session_params sp;
    memset(&sp, 0, sizeof sp);
    sp.conn = 1;
    sp.sinks[0] = &sink.base;
    sp.num_sinks = 1;
    sp.mail = p;
    sp.mail_starttls = starttls;
    return tp_session_new(&sp);
}

static void feed(tp_session *s, tp_dir dir, const char *text)
{
    tp_session_feed(s, dir, 0.1, (const uint8_t *)text, strlen(text));
}

static bool has_line(const char *line, tp_dir dir)
{
    for (unsigned i = 0; i < sink.num_mail; i++)
        if (strcmp(sink.lines[i], line) == 0 && sink.dirs[i] == dir)
            return true;
    return false;
}

/* ---- tests ---- */

static void test_preamble_no_starttls(void **state)
{
    (void)state;
    tp_session *s = open_session(TP_MAIL_SMTP, true);
    feed(s, TP_S2C, "220 mx ESMTP\r\n");
    feed(s, TP_C2S, "EHLO client\r\n");
    feed(s, TP_S2C, "250-mx\r\n250 STARTTLS\r\n");
    feed(s, TP_C2S, "MAIL FROM:<a@b>\r\nQU"); /* a line split across reads */
    feed(s, TP_C2S, "IT\r\n");
    feed(s, TP_S2C, "530 5.7.0 Must issue a STARTTLS command first\r\n221 bye\r\n");
    tp_session_end(s, 1.0, TP_END_PEER_CLOSED);
    assert_int_equal(sink.num_mail, 8);
    assert_true(has_line("220 mx ESMTP", TP_S2C));
    assert_true(has_line("250 STARTTLS", TP_S2C));
    assert_true(has_line("QUIT", TP_C2S));
    assert_true(sink.got_verdict);
    assert_string_equal(sink.verdict.cause, "mail-no-starttls");
    assert_string_equal(tp_phase_name(sink.verdict.phase), "preamble");
    assert_non_null(strstr(sink.verdict.summary, "it sent EHLO, MAIL, QUIT in plaintext and quit"));
    assert_null(strstr(sink.all_notes, "not TLS")); /* the text never reached the record layer */
    tp_session_free(s);
}

/* An implicit-TLS client on the STARTTLS port: its ClientHello is framed
 * as TLS (the record layer gets it), the verdict names the port mix-up. */
static void test_tls_early(void **state)
{
    (void)state;
    tp_session *s = open_session(TP_MAIL_POP3, true);
    feed(s, TP_S2C, "+OK ready\r\n");
    const uint8_t rec[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
    tp_session_feed(s, TP_C2S, 0.2, rec, sizeof rec);
    feed(s, TP_S2C, "-ERR not POP3\r\n");
    tp_session_note_close(s, &(tp_close_note){.who = TP_ACTOR_SERVER, .t = 0.3});
    tp_session_end(s, 0.3, TP_END_SERVER_CLOSED);
    assert_int_equal(sink.num_mail, 2);
    assert_non_null(strstr(sink.all_notes, "without STARTTLS"));
    assert_string_equal(sink.verdict.cause, "mail-tls-without-starttls");
    assert_string_equal(tp_actor_name(sink.verdict.actor), "client");
    assert_non_null(strstr(sink.verdict.summary, "9 bytes"));
    tp_session_free(s);
}

/* No protocol given (decode): a server greeting before any client byte
 * opens the preamble; a ClientHello first leaves the session TLS only. */
static void test_detect(void **state)
{
    (void)state;
    tp_session *s = open_session(TP_MAIL_NONE, false);
    feed(s, TP_S2C, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    feed(s, TP_C2S, "a1 LOGIN bob hunter2\r\n");
    feed(s, TP_S2C, "a1 NO [PRIVACYREQUIRED] STARTTLS first\r\n");
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_true(has_line("a1 LOGIN bob ****", TP_C2S));
    assert_string_equal(sink.users[1], "bob");
    assert_string_equal(sink.verdict.cause, "mail-auth-before-starttls");
    assert_non_null(strstr(sink.verdict.summary, "sent LOGIN (credentials) before STARTTLS"));
    tp_session_free(s);

    /* an FTP greeting is no SMTP one: the server's text is not TLS */
    s = open_session(TP_MAIL_NONE, false);
    feed(s, TP_S2C, "220 ProFTPD Server ready\r\n");
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_int_equal(sink.num_mail, 0);
    assert_string_equal(sink.verdict.cause, "not-tls");
    tp_session_free(s);

    s = open_session(TP_MAIL_NONE, false);
    const uint8_t rec[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
    tp_session_feed(s, TP_C2S, 0.1, rec, sizeof rec);
    feed(s, TP_S2C, "220 not a greeting after the client spoke\r\n");
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_int_equal(sink.num_mail, 0);
    assert_string_not_equal(sink.verdict.cause, "mail-tls-without-starttls");
    tp_session_free(s);
}

static void test_overlong_and_other(void **state)
{
    (void)state;
    char line[700];
    memset(line, 'x', sizeof line);
    memcpy(line, "EHLO ", 5);
    memcpy(line + sizeof line - 3, "\r\n", 3);
    tp_session *s = open_session(TP_MAIL_SMTP, true);
    feed(s, TP_S2C, "220 mx\r\n");
    feed(s, TP_C2S, line);
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_string_equal(sink.verdict.cause, "mail-line-too-long");
    assert_non_null(strstr(sink.verdict.summary, "a SMTP line of 699 bytes, over the limit of 512"));
    assert_int_equal(strlen(sink.lines[1]), 200); /* shown cut */
    tp_session_free(s);

    s = open_session(TP_MAIL_SMTP, true);
    feed(s, TP_S2C, "220 mx\r\n");
    feed(s, TP_C2S, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    tp_session_end(s, 0.5, TP_END_PEER_CLOSED);
    assert_string_equal(sink.verdict.cause, "mail-other-protocol");
    assert_non_null(strstr(sink.verdict.summary, "\"GET / HTTP/1.1\""));
    tp_session_free(s);
}

static void test_auth_lines(void **state)
{
    (void)state;
    wire_mail_auth_step st = WIRE_MAIL_AUTH_NONE;
    char shown[80], user[32];
    const char *l1 = "AUTH PLAIN AGJvYgBodW50ZXIy\r\n"; /* \0bob\0hunter2 */
    assert_true(wire_mail_auth_line(TP_MAIL_SMTP, &st, (const uint8_t *)l1, strlen(l1), shown,
                                    sizeof shown, user, sizeof user));
    assert_string_equal(shown, "AUTH PLAIN ****");
    assert_string_equal(user, "bob");
    const char *l2 = "AUTH LOGIN\r\n";
    assert_true(wire_mail_auth_line(TP_MAIL_SMTP, &st, (const uint8_t *)l2, strlen(l2), shown,
                                    sizeof shown, user, sizeof user));
    assert_int_equal(st, WIRE_MAIL_AUTH_LOGIN_USER);
    const char *u = "Ym9i\r\n", *pw = "aHVudGVyMg==\r\n";
    assert_true(wire_mail_auth_line(TP_MAIL_SMTP, &st, (const uint8_t *)u, strlen(u), shown,
                                    sizeof shown, user, sizeof user));
    assert_string_equal(user, "bob");
    assert_true(wire_mail_auth_line(TP_MAIL_SMTP, &st, (const uint8_t *)pw, strlen(pw), shown,
                                    sizeof shown, user, sizeof user));
    assert_string_equal(shown, "****");
    assert_int_equal(st, WIRE_MAIL_AUTH_NONE);
    const char *l3 = "PASS hunter 2\r\n";
    assert_true(wire_mail_auth_line(TP_MAIL_POP3, &st, (const uint8_t *)l3, strlen(l3), shown,
                                    sizeof shown, user, sizeof user));
    assert_string_equal(shown, "PASS ****");
    const char *l4 = "a2 LOGIN \"bob\" \"pw\"\r\n";
    assert_true(wire_mail_auth_line(TP_MAIL_IMAP, &st, (const uint8_t *)l4, strlen(l4), shown,
                                    sizeof shown, user, sizeof user));
    assert_string_equal(shown, "a2 LOGIN \"bob\" ****");
    assert_string_equal(user, "bob");
    /* IMAP LOGIN with literals (RFC 3501 4.3): what follows is masked */
    const char *lit[] = {"a3 LOGIN bob {7}\r\n", "hunter2\r\n"};
    assert_true(wire_mail_auth_line(TP_MAIL_IMAP, &st, (const uint8_t *)lit[0], strlen(lit[0]),
                                    shown, sizeof shown, user, sizeof user));
    assert_string_equal(user, "bob");
    assert_string_equal(shown, "a3 LOGIN bob {7}");
    assert_true(wire_mail_auth_line(TP_MAIL_IMAP, &st, (const uint8_t *)lit[1], strlen(lit[1]),
                                    shown, sizeof shown, user, sizeof user));
    assert_string_equal(shown, "****");
    assert_int_equal(st, WIRE_MAIL_AUTH_NONE);
    const char *lit2[] = {"a4 LOGIN {3}\r\n", "bob {7+}\r\n", "hunter2\r\n"};
    for (int i = 0; i < 3; i++) {
        assert_true(wire_mail_auth_line(TP_MAIL_IMAP, &st, (const uint8_t *)lit2[i],
                                        strlen(lit2[i]), shown, sizeof shown, user, sizeof user));
        assert_null(strstr(shown, "hunter2"));
    }
    assert_int_equal(st, WIRE_MAIL_AUTH_NONE);
    const char *l5 = "MAIL FROM:<a@b>\r\n";
    assert_false(wire_mail_auth_line(TP_MAIL_SMTP, &st, (const uint8_t *)l5, strlen(l5), shown,
                                     sizeof shown, user, sizeof user));
    assert_string_equal(shown, "MAIL FROM:<a@b>");
    uint8_t out[8];
    assert_int_equal(wire_mail_b64_decode("Ym9i", 4, out, sizeof out), 3);
    assert_memory_equal(out, "bob", 3);
    assert_int_equal(wire_mail_b64_decode("Ym9*", 4, out, sizeof out), (size_t)-1);
    assert_int_equal(wire_mail_b64_decode("aHVudGVyMg==", 12, out, 4), (size_t)-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preamble_no_starttls),
        cmocka_unit_test(test_tls_early),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_overlong_and_other),
        cmocka_unit_test(test_auth_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
