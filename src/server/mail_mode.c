/* What the mail modes share: lines in, replies out, STARTTLS and the close
 * (mail_mode.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail_mode.h"

#define SMTP_TEXT_LINE_MAX 1000 /* RFC 5321 4.5.3.1.6, CRLF included */

const tp_mode_ops *tp_mail_mode_ops(tp_mode mode)
{
    switch (mode) {
    case TP_MODE_SMTP:
        return &tp_mode_smtp;
    case TP_MODE_IMAP:
        return &tp_mode_imap;
    case TP_MODE_POP3:
        return &tp_mode_pop3;
    default:
        return NULL;
    }
}

void mail_open(void *st, const tp_mode_conn *mc, const mail_proto *p)
{
    mail_st *m = st;
    m->mc = mc;
    m->p = p;
    m->plain = mc->starttls;
    if (m->plain)
        m->p->greet(m);
}

void mail_on_handshake_done(void *st, const tp_mode_conn *mc)
{
    mail_st *m = st;
    m->mc = mc;
    if (!mc->starttls)
        m->p->greet(m); /* implicit TLS: the greeting is the first data */
    /* after STARTTLS the client speaks first (EHLO / CAPABILITY / CAPA again) */
}

void mail_reply(mail_st *m, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line - 2 ? (size_t)n : sizeof line - 3;
    memcpy(line + len, "\r\n", 2);
    len += 2;
    if (m->plain)
        (void)m->mc->ops->write_plain(m->mc->conn, (const uint8_t *)line, len);
    else
        (void)tp_mode_conn_write(m->mc, (const uint8_t *)line, len);
}

void mail_start_tls(mail_st *m)
{
    m->plain = false;
    m->len = 0;
    m->skipping = false;
    m->step = 0;
    m->mc->ops->start_tls(m->mc->conn);
}

void mail_close(mail_st *m)
{
    m->closed = true;
    tp_mode_conn_close(m->mc);
}

size_t mail_line_limit(const mail_st *m)
{
    if (m->p->proto == TP_MAIL_SMTP && m->step == SMTP_STEP_DATA)
        return SMTP_TEXT_LINE_MAX;
    return wire_mail_max_line(m->p->proto);
}

bool mail_word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

char *mail_rest(char *line)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return line + strlen(line);
    *sp = '\0';
    return sp + 1;
}

/* One complete line in m->buf (len bytes, LF included). */
static void mail_dispatch(mail_st *m)
{
    size_t n = wire_mail_line_trim((const uint8_t *)m->buf, m->len);
    m->buf[n] = '\0';
    m->len = 0;
    m->p->line(m, m->buf, n);
}

void mail_on_bytes(void *st, const tp_mode_conn *mc, const uint8_t *data, size_t len)
{
    mail_st *m = st;
    m->mc = mc;
    /* An implicit-TLS client on the STARTTLS port starts with a handshake
     * record: no line will come; say so and close. */
    if (m->plain && m->len == 0 && !m->skipping && len && !wire_mail_line_is_text(data, 1)) {
        mail_reply(m, "%s", m->p->not_text);
        mail_close(m);
        return;
    }
    while (len && !m->closed) {
        bool plain_before = m->plain;
        size_t line_len = wire_mail_line_len(data, len);
        size_t take = line_len ? line_len : len;
        size_t limit = mail_line_limit(m);
        if (!m->skipping && m->len + take > limit) {
            /* RFC 5321 4.5.3.1.4 / RFC 2449 4: too long; skip to its end */
            mail_reply(m, "%s", m->p->too_long);
            m->skipping = true;
            m->len = 0;
        }
        if (!m->skipping) {
            memcpy(m->buf + m->len, data, take);
            m->len += take;
        }
        data += take;
        len -= take;
        if (!line_len)
            break;
        if (m->skipping)
            m->skipping = false;
        else
            mail_dispatch(m);
        if (plain_before && !m->plain)
            break; /* STARTTLS: what followed in this read is discarded */
    }
}
