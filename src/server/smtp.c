/* The SMTP dialogue (RFC 5321, STARTTLS RFC 3207, AUTH RFC 4954): minimal
 * but honest.  Before STARTTLS only EHLO/HELO, STARTTLS, NOOP, RSET and
 * QUIT are served (530 to the rest, RFC 3207 4); inside TLS AUTH PLAIN and
 * LOGIN take any credentials, MAIL/RCPT/DATA are accepted and the message
 * is discarded.  The session traces the lines (credentials masked). */
#include <string.h>

#include "mail_mode.h"

enum { STEP_NONE = 0, STEP_DATA = SMTP_STEP_DATA, STEP_PLAIN, STEP_LOGIN_USER, STEP_LOGIN_PASS };

static void smtp_greet(mail_st *m)
{
    mail_reply(m, "220 tlsprobe ESMTP test server%s", m->plain ? " (STARTTLS)" : "");
}

static void smtp_ehlo(mail_st *m, const char *verb, const char *arg)
{
    if (mail_word_is(verb, strlen(verb), "HELO")) {
        mail_reply(m, "250 tlsprobe");
        return;
    }
    mail_reply(m, "250-tlsprobe greets %.64s", *arg ? arg : "you");
    mail_reply(m, "250-8BITMIME");
    mail_reply(m, "250-SIZE 10485760");
    if (m->plain)
        mail_reply(m, "250 STARTTLS");
    else
        mail_reply(m, "250 AUTH PLAIN LOGIN");
}

static void smtp_auth(mail_st *m, char *arg)
{
    char *ir = mail_rest(arg);
    if (mail_word_is(arg, strlen(arg), "PLAIN")) {
        if (*ir) {
            mail_reply(m, "235 2.7.0 Authentication successful");
        } else {
            m->step = STEP_PLAIN;
            mail_reply(m, "334 ");
        }
    } else if (mail_word_is(arg, strlen(arg), "LOGIN")) {
        m->step = *ir ? STEP_LOGIN_PASS : STEP_LOGIN_USER;
        mail_reply(m, *ir ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6"); /* Password: / Username: */
    } else {
        mail_reply(m, "504 5.5.4 Unrecognized authentication type (PLAIN, LOGIN)");
    }
}

/* A line inside a SASL exchange or the message text. */
static bool smtp_step(mail_st *m, const char *line, size_t len)
{
    switch (m->step) {
    case STEP_DATA:
        if (len == 1 && line[0] == '.') {
            m->step = STEP_NONE;
            mail_reply(m, "250 2.0.0 Ok: accepted and discarded (tlsprobe keeps no mail)");
        }
        return true;
    case STEP_PLAIN:
    case STEP_LOGIN_PASS:
    case STEP_LOGIN_USER:
        if (len == 1 && line[0] == '*') {
            m->step = STEP_NONE;
            mail_reply(m, "501 5.7.0 Authentication cancelled");
        } else if (m->step == STEP_LOGIN_USER) {
            m->step = STEP_LOGIN_PASS;
            mail_reply(m, "334 UGFzc3dvcmQ6");
        } else {
            m->step = STEP_NONE;
            mail_reply(m, "235 2.7.0 Authentication successful");
        }
        return true;
    default:
        return false;
    }
}

/* Commands that need TLS first (RFC 3207 4: "530 Must issue a STARTTLS
 * command first"). */
static bool smtp_needs_tls(const char *verb)
{
    static const char *const verbs[] = {"AUTH", "MAIL", "RCPT", "DATA", "VRFY", "EXPN"};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (mail_word_is(verb, strlen(verb), verbs[i]))
            return true;
    return false;
}

static void smtp_line(mail_st *m, char *line, size_t len)
{
    if (smtp_step(m, line, len))
        return;
    char *arg = mail_rest(line);
    size_t vl = strlen(line);
    if (mail_word_is(line, vl, "EHLO") || mail_word_is(line, vl, "HELO") ||
        mail_word_is(line, vl, "LHLO")) {
        smtp_ehlo(m, line, arg);
    } else if (mail_word_is(line, vl, "STARTTLS")) {
        if (!m->plain) {
            mail_reply(m, "503 5.5.1 TLS already active");
            return;
        }
        mail_reply(m, "220 2.0.0 Ready to start TLS");
        mail_start_tls(m);
    } else if (mail_word_is(line, vl, "QUIT")) {
        mail_reply(m, "221 2.0.0 Bye");
        mail_close(m);
    } else if (mail_word_is(line, vl, "NOOP") || mail_word_is(line, vl, "RSET")) {
        mail_reply(m, "250 2.0.0 Ok");
    } else if (mail_word_is(line, vl, "HELP")) {
        mail_reply(m, "214 2.0.0 tlsprobe: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT");
    } else if (m->plain && smtp_needs_tls(line)) {
        mail_reply(m, "530 5.7.0 Must issue a STARTTLS command first");
    } else if (mail_word_is(line, vl, "AUTH")) {
        smtp_auth(m, arg);
    } else if (mail_word_is(line, vl, "MAIL")) {
        mail_reply(m, "250 2.1.0 Ok");
    } else if (mail_word_is(line, vl, "RCPT")) {
        mail_reply(m, "250 2.1.5 Ok");
    } else if (mail_word_is(line, vl, "DATA")) {
        m->step = STEP_DATA;
        mail_reply(m, "354 End data with <CR><LF>.<CR><LF>");
    } else if (mail_word_is(line, vl, "VRFY")) {
        mail_reply(m, "252 2.0.0 Cannot VRFY user");
    } else {
        mail_reply(m, "500 5.5.2 Error: command not recognized");
    }
}

static const mail_proto smtp_proto = {
    .proto = TP_MAIL_SMTP,
    .greet = smtp_greet,
    .line = smtp_line,
    .too_long = "500 5.5.2 Line too long (RFC 5321 4.5.3.1: 512 octets per command line)",
    .not_text = "554 5.5.1 Not SMTP: this port speaks plaintext SMTP first; TLS starts after "
                "STARTTLS (an implicit-TLS client belongs on a port like 465)",
};

static void smtp_on_open(void *st, const tp_mode_conn *mc)
{
    mail_open(st, mc, &smtp_proto);
}

const tp_mode_ops tp_mode_smtp = {
    .name = "smtp",
    .state_size = sizeof(mail_st),
    .idle_timeout = true,
    .mail = TP_MAIL_SMTP,
    .on_open = smtp_on_open,
    .on_plain = mail_on_bytes,
    .on_handshake_done = mail_on_handshake_done,
    .on_appdata = mail_on_bytes,
};
