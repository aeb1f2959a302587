/* The POP3 dialogue (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC
 * 5034): minimal but honest.  Before STLS: CAPA, STLS, NOOP, QUIT (USER,
 * PASS, AUTH refused, RFC 2595 4); inside TLS any credentials open an empty
 * maildrop. */
#include <string.h>
#include <strings.h>

#include "mail_mode.h"

enum { STEP_NONE = 0, STEP_SASL = 6, STEP_SASL_PASS = 7 };

static void pop3_greet(mail_st *m)
{
    mail_reply(m, "+OK tlsprobe POP3 test server ready");
}

static void pop3_capa(mail_st *m)
{
    mail_reply(m, "+OK Capability list follows");
    mail_reply(m, "USER");
    mail_reply(m, "UIDL");
    mail_reply(m, "TOP");
    mail_reply(m, "%s", m->plain ? "STLS" : "SASL PLAIN LOGIN");
    mail_reply(m, ".");
}

static void pop3_auth(mail_st *m, const char *arg)
{
    bool login = strncasecmp(arg, "LOGIN", 5) == 0;
    bool ir = strchr(arg, ' ') != NULL;
    if (!*arg) {
        mail_reply(m, "+OK mechanisms follow");
        mail_reply(m, "PLAIN");
        mail_reply(m, "LOGIN");
        mail_reply(m, ".");
    } else if (ir && !login) {
        mail_reply(m, "+OK maildrop has 0 messages");
    } else {
        m->step = login && !ir ? STEP_SASL : STEP_SASL_PASS;
        mail_reply(m, login ? (ir ? "+ UGFzc3dvcmQ6" : "+ VXNlcm5hbWU6") : "+ ");
    }
}

static bool pop3_step(mail_st *m, const char *line, size_t len)
{
    if (m->step != STEP_SASL && m->step != STEP_SASL_PASS)
        return false;
    if (len == 1 && line[0] == '*') {
        m->step = STEP_NONE;
        mail_reply(m, "-ERR AUTH cancelled");
    } else if (m->step == STEP_SASL) {
        m->step = STEP_SASL_PASS;
        mail_reply(m, "+ UGFzc3dvcmQ6");
    } else {
        m->step = STEP_NONE;
        mail_reply(m, "+OK maildrop has 0 messages");
    }
    return true;
}

/* Inside TLS: the empty maildrop. */
static void pop3_tls(mail_st *m, const char *verb, size_t vl, const char *arg)
{
    if (mail_word_is(verb, vl, "USER")) {
        mail_reply(m, "+OK send PASS");
    } else if (mail_word_is(verb, vl, "PASS") || mail_word_is(verb, vl, "APOP")) {
        mail_reply(m, "+OK maildrop has 0 messages");
    } else if (mail_word_is(verb, vl, "AUTH")) {
        pop3_auth(m, arg);
    } else if (mail_word_is(verb, vl, "STAT")) {
        mail_reply(m, "+OK 0 0");
    } else if ((mail_word_is(verb, vl, "LIST") || mail_word_is(verb, vl, "UIDL")) && !*arg) {
        mail_reply(m, "+OK 0 messages");
        mail_reply(m, ".");
    } else if (mail_word_is(verb, vl, "LIST") || mail_word_is(verb, vl, "UIDL") ||
               mail_word_is(verb, vl, "RETR") || mail_word_is(verb, vl, "TOP") ||
               mail_word_is(verb, vl, "DELE")) {
        mail_reply(m, "-ERR no such message (the maildrop is empty)");
    } else if (mail_word_is(verb, vl, "RSET")) {
        mail_reply(m, "+OK");
    } else if (mail_word_is(verb, vl, "STLS")) {
        mail_reply(m, "-ERR TLS already active");
    } else {
        mail_reply(m, "-ERR unknown command");
    }
}

static void pop3_line(mail_st *m, char *line, size_t len)
{
    if (pop3_step(m, line, len))
        return;
    const char *arg = mail_rest(line);
    size_t vl = strlen(line);
    if (mail_word_is(line, vl, "CAPA")) {
        pop3_capa(m);
    } else if (mail_word_is(line, vl, "QUIT")) {
        mail_reply(m, "+OK tlsprobe signing off");
        mail_close(m);
    } else if (mail_word_is(line, vl, "NOOP")) {
        mail_reply(m, "+OK");
    } else if (!m->plain) {
        pop3_tls(m, line, vl, arg);
    } else if (mail_word_is(line, vl, "STLS")) {
        mail_reply(m, "+OK Begin TLS negotiation");
        mail_start_tls(m);
    } else if (mail_word_is(line, vl, "USER") || mail_word_is(line, vl, "PASS") ||
               mail_word_is(line, vl, "APOP") || mail_word_is(line, vl, "AUTH")) {
        mail_reply(m, "-ERR [AUTH] STLS first: no credentials in plaintext (RFC 2595 4)");
    } else {
        mail_reply(m, "-ERR STLS first (this port speaks TLS after STLS)");
    }
}

static const mail_proto pop3_proto = {
    .proto = TP_MAIL_POP3,
    .greet = pop3_greet,
    .line = pop3_line,
    .too_long = "-ERR line too long (RFC 2449 4: 255 octets per command line)",
    .not_text = "-ERR not POP3: this port speaks plaintext POP3 first; TLS starts after STLS (an "
                "implicit-TLS client belongs on a port like 995)",
};

static void pop3_on_open(void *st, const tp_mode_conn *mc)
{
    mail_open(st, mc, &pop3_proto);
}

const tp_mode_ops tp_mode_pop3 = {
    .name = "pop3",
    .state_size = sizeof(mail_st),
    .idle_timeout = true,
    .mail = TP_MAIL_POP3,
    .on_open = pop3_on_open,
    .on_plain = mail_on_bytes,
    .on_handshake_done = mail_on_handshake_done,
    .on_appdata = mail_on_bytes,
};
