/* The IMAP dialogue (RFC 3501, STARTTLS 6.2.1, LOGINDISABLED): minimal but
 * honest.  Before STARTTLS: CAPABILITY, STARTTLS, NOOP, LOGOUT (LOGIN and
 * AUTHENTICATE are refused, RFC 3501 6.2.3); inside TLS any credentials are
 * taken and the one mailbox, INBOX, is empty. */
#include <stdlib.h>
#include <string.h>

#include "mail_mode.h"

enum { STEP_NONE = 0, STEP_LITERAL = 5, STEP_SASL = 6, STEP_SASL_PASS = 7 };

static const char *caps(const mail_st *m)
{
    return m->plain ? "IMAP4rev1 STARTTLS LOGINDISABLED" : "IMAP4rev1 AUTH=PLAIN AUTH=LOGIN";
}

static void imap_greet(mail_st *m)
{
    mail_reply(m, "* OK [CAPABILITY %s] tlsprobe IMAP test server ready", caps(m));
}

static void imap_select(mail_st *m, const char *tag, const char *verb)
{
    mail_reply(m, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    mail_reply(m, "* 0 EXISTS");
    mail_reply(m, "* 0 RECENT");
    mail_reply(m, "* OK [UIDVALIDITY 1] UIDs valid");
    mail_reply(m, "* OK [UIDNEXT 1] Predicted next UID");
    bool ro = mail_word_is(verb, strlen(verb), "EXAMINE");
    mail_reply(m, "%s OK [%s] %s completed", tag, ro ? "READ-ONLY" : "READ-WRITE", verb);
}

/* The commands that do the same before and inside TLS. */
static bool imap_common(mail_st *m, const char *tag, const char *verb, size_t vl)
{
    if (mail_word_is(verb, vl, "CAPABILITY")) {
        mail_reply(m, "* CAPABILITY %s", caps(m));
        mail_reply(m, "%s OK CAPABILITY completed", tag);
    } else if (mail_word_is(verb, vl, "NOOP")) {
        mail_reply(m, "%s OK NOOP completed", tag);
    } else if (mail_word_is(verb, vl, "LOGOUT")) {
        mail_reply(m, "* BYE tlsprobe logging out");
        mail_reply(m, "%s OK LOGOUT completed", tag);
        mail_close(m);
    } else if (mail_word_is(verb, vl, "ID")) {
        mail_reply(m, "* ID (\"name\" \"tlsprobe\")");
        mail_reply(m, "%s OK ID completed", tag);
    } else {
        return false;
    }
    return true;
}

/* Inside TLS: the empty INBOX. */
static void imap_tls(mail_st *m, const char *tag, const char *verb, size_t vl, const char *rest)
{
    if (mail_word_is(verb, vl, "LOGIN")) {
        mail_reply(m, "%s OK [CAPABILITY IMAP4rev1] LOGIN completed", tag);
    } else if (mail_word_is(verb, vl, "AUTHENTICATE")) {
        bool login = strncasecmp(rest, "LOGIN", 5) == 0;
        bool ir = strchr(rest, ' ') != NULL;
        if (ir && !login) {
            mail_reply(m, "%s OK AUTHENTICATE completed", tag);
            return;
        }
        snprintf(m->tag, sizeof m->tag, "%s", tag);
        m->step = login && !ir ? STEP_SASL : STEP_SASL_PASS;
        mail_reply(m, login ? (ir ? "+ UGFzc3dvcmQ6" : "+ VXNlcm5hbWU6") : "+ ");
    } else if (mail_word_is(verb, vl, "SELECT") || mail_word_is(verb, vl, "EXAMINE")) {
        imap_select(m, tag, verb);
    } else if (mail_word_is(verb, vl, "LIST") || mail_word_is(verb, vl, "LSUB")) {
        mail_reply(m, "* %s (\\HasNoChildren) \"/\" INBOX", mail_word_is(verb, vl, "LSUB") ? "LSUB" : "LIST");
        mail_reply(m, "%s OK %s completed", tag, verb);
    } else if (mail_word_is(verb, vl, "STATUS")) {
        mail_reply(m, "* STATUS INBOX (MESSAGES 0 RECENT 0 UNSEEN 0 UIDNEXT 1 UIDVALIDITY 1)");
        mail_reply(m, "%s OK STATUS completed", tag);
    } else if (mail_word_is(verb, vl, "SEARCH") ||
               (mail_word_is(verb, vl, "UID") && strncasecmp(rest, "SEARCH", 6) == 0)) {
        mail_reply(m, "* SEARCH");
        mail_reply(m, "%s OK SEARCH completed", tag);
    } else if (mail_word_is(verb, vl, "NAMESPACE")) {
        mail_reply(m, "* NAMESPACE ((\"\" \"/\")) NIL NIL");
        mail_reply(m, "%s OK NAMESPACE completed", tag);
    } else if (mail_word_is(verb, vl, "STARTTLS")) {
        mail_reply(m, "%s BAD TLS already active", tag);
    } else {
        /* FETCH, UID, CHECK, CLOSE, EXPUNGE, ENABLE, SUBSCRIBE...: nothing to do in an
         * empty mailbox */
        mail_reply(m, "%s OK %s completed", tag, verb);
    }
}

/* A command line that ends in a literal ({N}, RFC 3501 4.3): the client
 * waits for "+" (not for {N+}, RFC 7888); the command goes on in the next line. */
static bool imap_literal(mail_st *m, const char *line, size_t len, const char *tag,
                         const char *verb)
{
    if (len < 3 || line[len - 1] != '}')
        return false;
    const char *open = strrchr(line, '{');
    if (!open)
        return false;
    if (tag) {
        snprintf(m->tag, sizeof m->tag, "%s", tag);
        snprintf(m->verb, sizeof m->verb, "%s", verb);
    }
    m->step = STEP_LITERAL;
    if (line[len - 2] != '+')
        mail_reply(m, "+ Ready for literal data");
    return true;
}

/* A continuation: SASL responses, or the rest of a command after a literal. */
static bool imap_step(mail_st *m, char *line, size_t len)
{
    if (m->step == STEP_LITERAL) {
        if (imap_literal(m, line, len, NULL, NULL))
            return true;
        m->step = STEP_NONE;
        char tag[64], verb[16];
        snprintf(tag, sizeof tag, "%s", m->tag);
        snprintf(verb, sizeof verb, "%s", m->verb);
        if (!m->plain)
            imap_tls(m, tag, verb, strlen(verb), "");
        else
            mail_reply(m, "%s NO [PRIVACYREQUIRED] STARTTLS first", tag);
        return true;
    }
    if (m->step == STEP_SASL || m->step == STEP_SASL_PASS) {
        if (len == 1 && line[0] == '*') {
            m->step = STEP_NONE;
            mail_reply(m, "%s BAD AUTHENTICATE cancelled", m->tag);
        } else if (m->step == STEP_SASL) {
            m->step = STEP_SASL_PASS;
            mail_reply(m, "+ UGFzc3dvcmQ6");
        } else {
            m->step = STEP_NONE;
            mail_reply(m, "%s OK AUTHENTICATE completed", m->tag);
        }
        return true;
    }
    return false;
}

static void imap_line(mail_st *m, char *line, size_t len)
{
    if (imap_step(m, line, len))
        return;
    char *rest = mail_rest(line);
    const char *tag = line;
    char *args = mail_rest(rest);
    const char *verb = rest;
    size_t vl = strlen(verb);
    if (!*tag || !vl) {
        mail_reply(m, "* BAD no tag and command (RFC 3501 2.2.1: \"a001 CAPABILITY\")");
        return;
    }
    size_t al = strlen(args);
    if (al && imap_literal(m, args, al, tag, verb))
        return;
    if (imap_common(m, tag, verb, vl))
        return;
    if (!m->plain) {
        imap_tls(m, tag, verb, vl, args);
    } else if (mail_word_is(verb, vl, "STARTTLS")) {
        mail_reply(m, "%s OK Begin TLS negotiation now", tag);
        mail_start_tls(m);
    } else if (mail_word_is(verb, vl, "LOGIN") || mail_word_is(verb, vl, "AUTHENTICATE")) {
        mail_reply(m, "%s NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS (LOGINDISABLED)",
                   tag);
    } else {
        mail_reply(m, "%s BAD %s: STARTTLS first (this port speaks TLS after STARTTLS)", tag, verb);
    }
}

static const mail_proto imap_proto = {
    .proto = TP_MAIL_IMAP,
    .greet = imap_greet,
    .line = imap_line,
    .too_long = "* BAD line too long (over 8192 octets)",
    .not_text = "* BYE not IMAP: this port speaks plaintext IMAP first; TLS starts after "
                "STARTTLS (an implicit-TLS client belongs on a port like 993)",
};

static void imap_on_open(void *st, const tp_mode_conn *mc)
{
    mail_open(st, mc, &imap_proto);
}

const tp_mode_ops tp_mode_imap = {
    .name = "imap",
    .state_size = sizeof(mail_st),
    .idle_timeout = true,
    .mail = TP_MAIL_IMAP,
    .on_open = imap_on_open,
    .on_plain = mail_on_bytes,
    .on_handshake_done = mail_on_handshake_done,
    .on_appdata = mail_on_bytes,
};
