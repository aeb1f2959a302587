/* The mail dialogue of a session (session_mail.h): the plaintext preamble
 * of a STARTTLS port, and the lines inside TLS, each a TP_EV_MAIL event;
 * what the verdict needs goes to obs.mail (mail_obs.h). */
#include "session_int.h"

#include <stdio.h>
#include <string.h>

#define SHOW_MAX 200

void sess_mail_init(tp_session *s, const tp_session_params *p)
{
    sess_mail *m = &s->mail;
    tp_mail_obs *o = &s->obs.mail;
    m->proto = o->proto = p->mail;
    if (p->mail && p->mail_starttls) {
        m->plain[TP_C2S] = m->plain[TP_S2C] = true;
        m->inner = m->inner_decided = true;
        o->starttls_port = true;
    } else if (p->mail) {
        o->implicit_port = true;
        m->inner = m->inner_decided = true;
    } else {
        m->detect = true; /* a server that speaks first with a mail greeting */
        m->plain[TP_C2S] = m->plain[TP_S2C] = true;
    }
    o->limit = wire_mail_max_line(p->mail);
}

bool sess_mail_plain(const tp_session *s, tp_dir dir)
{
    return s->mail.plain[dir];
}

/* No protocol given: the connection's first bytes decide.  A server
 * greeting before any client byte opens a preamble; anything else is TLS. */
static bool detect(tp_session *s, tp_dir dir, const uint8_t *data, size_t len)
{
    sess_mail *m = &s->mail;
    m->detect = false;
    size_t n = wire_mail_line_len(data, len);
    tp_mail_proto g = dir == TP_S2C && s->d[TP_C2S].bytes == 0 && n
                          ? wire_mail_greeting_proto(data, n)
                          : TP_MAIL_NONE;
    /* "220 " is also FTP's greeting: recognised as SMTP only when it says so
     * ("ESMTP", "SMTP"), as exim, Postfix, sendmail and Exchange do */
    if (g == TP_MAIL_SMTP && !memmem(data, n, "SMTP", 4))
        g = TP_MAIL_NONE;
    if (g == TP_MAIL_NONE) {
        m->plain[TP_C2S] = m->plain[TP_S2C] = false;
        return false;
    }
    m->proto = s->obs.mail.proto = g;
    m->inner = m->inner_decided = true;
    s->obs.mail.starttls_port = true;
    s->obs.mail.limit = wire_mail_max_line(g);
    return true;
}

/* src into dst (cap bytes), cut to fit. */
static void keep(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void line_add(sess_mail_line *l, const uint8_t *p, size_t n)
{
    size_t room = sizeof l->buf - l->kept;
    size_t k = n < room ? n : room;
    memcpy(l->buf + l->kept, p, k);
    l->kept += k;
    l->line_len += n;
}

/* Appends ", VERB" (not a repeat of the last one) while it fits. */
static void add_verb_to(char *list, size_t cap, const char *verb)
{
    size_t used = strlen(list), vl = strlen(verb);
    if (used >= vl && strcmp(list + used - vl, verb) == 0)
        return;
    if (*verb && used + vl + 3 < cap)
        snprintf(list + used, cap - used, "%s%s", used ? ", " : "", verb);
}

static void copy_shown(char *out, size_t cap, const sess_mail_line *l)
{
    size_t n = wire_mail_line_trim(l->buf, l->kept);
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = l->buf[i] >= 0x20 && l->buf[i] < 0x7f ? (char)l->buf[i] : '.';
    out[n] = '\0';
}

typedef struct {
    char shown[SHOW_MAX + 1];
    char verb[16];
    char user[64];
    bool creds, too_long;
} mail_line_info;

/* Classifies a client line: its verb, credentials (masked unless
 * --records), and the line limit. */
static void client_info(tp_session *s, const sess_mail_line *l, mail_line_info *li)
{
    sess_mail *m = &s->mail;
    memset(li, 0, sizeof *li);
    if (m->auth == WIRE_MAIL_AUTH_NONE) /* a SASL response is no command */
        (void)wire_mail_cmd_verb(m->proto, l->buf, l->kept, li->verb, sizeof li->verb);
    li->creds = wire_mail_auth_line(m->proto, &m->auth, l->buf, l->kept, li->shown,
                                    sizeof li->shown, li->user, sizeof li->user);
    if (s->want_record_bytes) /* --records: the line as it was */
        copy_shown(li->shown, sizeof li->shown, l);
    size_t limit = m->in_data ? 1000 : wire_mail_max_line(m->proto); /* RFC 5321 4.5.3.1.6 */
    li->too_long = l->line_len > limit;
    if (li->too_long && !s->obs.mail.too_long) {
        s->obs.mail.too_long = true;
        s->obs.mail.too_long_len = l->line_len;
        s->obs.mail.limit = limit;
    }
}

static void emit(tp_session *s, tp_dir dir, double t, bool tls, const sess_mail_line *l,
                 const mail_line_info *li)
{
    tp_event ev = {.type = TP_EV_MAIL, .t = t, .dir = dir};
    ev.u.mail.proto = s->mail.proto;
    ev.u.mail.tls = tls;
    ev.u.mail.line = li->shown;
    ev.u.mail.len = l->line_len;
    ev.u.mail.command = dir == TP_C2S && li->verb[0] ? li->verb : NULL;
    ev.u.mail.user = li->creds && li->user[0] ? li->user : NULL;
    ev.u.mail.masked = li->creds && strstr(li->shown, "****") != NULL;
    ev.u.mail.too_long = li->too_long;
    sess_emit(s, &ev);
}

static void server_preamble_line(tp_session *s, const sess_mail_line *l, mail_line_info *li)
{
    sess_mail *m = &s->mail;
    tp_mail_obs *o = &s->obs.mail;
    memset(li, 0, sizeof *li);
    copy_shown(li->shown, sizeof li->shown, l);
    if (!o->greeting && o->c2s_lines == 0 && wire_mail_greeting_proto(l->buf, l->kept) == m->proto) {
        o->greeting = true;
        keep(o->greeting_line, sizeof o->greeting_line, li->shown);
    }
    if (wire_mail_advertises_starttls(m->proto, l->buf, l->kept))
        o->advertised = true;
    if (o->auth_plain && !o->auth_answer[0])
        keep(o->auth_answer, sizeof o->auth_answer, li->shown);
    if (o->starttls_sent && !o->starttls_ok) {
        if (wire_mail_is_starttls_ok(m->proto, l->buf, l->kept, m->tag)) {
            o->starttls_ok = true;
            m->plain[TP_S2C] = false; /* RFC 3207 4: TLS starts after this line */
        } else if (!o->starttls_answer[0]) {
            keep(o->starttls_answer, sizeof o->starttls_answer, li->shown);
        }
    }
}

static void client_preamble_line(tp_session *s, const sess_mail_line *l, mail_line_info *li)
{
    sess_mail *m = &s->mail;
    tp_mail_obs *o = &s->obs.mail;
    client_info(s, l, li);
    if (o->c2s_lines++ == 0) {
        keep(o->first_line, sizeof o->first_line, li->shown);
        o->first_unknown = !wire_mail_cmd_known(m->proto, l->buf, l->kept);
    }
    add_verb_to(o->cmds, sizeof o->cmds, li->verb);
    switch (li->verb[0] ? wire_mail_cmd_kind(m->proto, l->buf, l->kept) : TP_MAIL_CMD_OTHER) {
    case TP_MAIL_CMD_HELLO:
        o->hello = true;
        break;
    case TP_MAIL_CMD_STARTTLS:
        o->starttls_sent = true;
        (void)wire_mail_is_starttls_cmd(m->proto, l->buf, l->kept, m->tag, sizeof m->tag);
        break;
    case TP_MAIL_CMD_AUTH:
        if (!o->auth_plain)
            keep(o->auth_verb, sizeof o->auth_verb, li->verb);
        o->auth_plain = true;
        break;
    case TP_MAIL_CMD_QUIT:
        o->quit_plain = true;
        break;
    default:
        break;
    }
}

/* The client's first byte of a line is no text: TLS. */
static void client_tls(tp_session *s, double t, const uint8_t *p, size_t len)
{
    tp_mail_obs *o = &s->obs.mail;
    s->mail.plain[TP_C2S] = false;
    if (o->starttls_sent)
        return; /* the handshake after STARTTLS */
    if (p[0] == WIRE_CT_HANDSHAKE || (p[0] & 0x80)) {
        o->tls_early = true;
        o->tls_early_bytes = len;
        sess_note(s, t, TP_C2S,
                  "the client started TLS without STARTTLS (an implicit-TLS client on a "
                  "STARTTLS port)");
    } else if (o->c2s_lines == 0) {
        o->first_unknown = true;
        snprintf(o->first_line, sizeof o->first_line, "%02x %02x %02x (binary)", p[0],
                 len > 1 ? p[1] : 0, len > 2 ? p[2] : 0);
    }
}

size_t sess_mail_feed(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len)
{
    sess_mail *m = &s->mail;
    if (m->detect && !detect(s, dir, data, len))
        return 0;
    size_t used = 0;
    while (used < len && m->plain[dir]) {
        sess_mail_line *l = &m->pl[dir];
        if (dir == TP_C2S && l->line_len == 0 && !wire_mail_line_is_text(data + used, 1)) {
            client_tls(s, t, data + used, len - used);
            break;
        }
        size_t n = wire_mail_line_len(data + used, len - used);
        size_t take = n ? n : len - used;
        line_add(l, data + used, take);
        used += take;
        if (!n)
            break;
        mail_line_info li;
        if (dir == TP_C2S)
            client_preamble_line(s, l, &li);
        else
            server_preamble_line(s, l, &li);
        emit(s, dir, t, false, l, &li);
        memset(l, 0, sizeof *l);
    }
    return used;
}

/* ---- inside TLS ---- */

static void server_tls_line(tp_session *s, const sess_mail_line *l, mail_line_info *li)
{
    sess_mail *m = &s->mail;
    memset(li, 0, sizeof *li);
    copy_shown(li->shown, sizeof li->shown, l);
    if (s->obs.mail.tls_c2s_lines == 0 && wire_mail_greeting_proto(l->buf, l->kept) == m->proto)
        s->obs.mail.tls_greeting = true;
    if (m->data_asked && l->kept >= 3 && memcmp(l->buf, "354", 3) == 0)
        m->in_data = true; /* RFC 5321 4.1.1.4: the message text follows */
    m->data_asked = false;
}

/* A client line inside TLS; false when it is message text (not shown). */
static bool client_tls_line(tp_session *s, const sess_mail_line *l, mail_line_info *li)
{
    sess_mail *m = &s->mail;
    tp_mail_obs *o = &s->obs.mail;
    if (m->in_data) {
        m->data_bytes += l->line_len;
        if (wire_mail_line_trim(l->buf, l->kept) != 1 || l->buf[0] != '.')
            return false;
        m->in_data = false;
        o->messages++;
        memset(li, 0, sizeof *li);
        snprintf(li->shown, sizeof li->shown, ". (end of the message text: %llu bytes, not shown)",
                 m->data_bytes);
        m->data_bytes = 0;
        return true;
    }
    client_info(s, l, li);
    o->tls_c2s_lines++;
    add_verb_to(o->tls_cmds, sizeof o->tls_cmds, li->verb);
    if (li->too_long)
        o->too_long_tls = true;
    if (li->creds && li->user[0]) {
        o->credentials = true;
        keep(o->user, sizeof o->user, li->user);
    }
    tp_mail_cmd kind = li->verb[0] ? wire_mail_cmd_kind(m->proto, l->buf, l->kept) : TP_MAIL_CMD_OTHER;
    if (kind == TP_MAIL_CMD_HELLO && o->starttls_ok)
        o->hello_after_tls = true;
    if (kind == TP_MAIL_CMD_QUIT)
        o->quit_tls = true;
    if (m->proto == TP_MAIL_SMTP && strcmp(li->verb, "DATA") == 0)
        m->data_asked = true;
    return true;
}

/* No protocol given: the server's first data inside TLS may be a greeting
 * (implicit TLS, offline). */
static bool inner_detect(tp_session *s, tp_dir dir, const uint8_t *p, size_t len)
{
    sess_mail *m = &s->mail;
    if (m->inner_decided)
        return m->inner;
    m->inner_decided = true;
    size_t n = wire_mail_line_len(p, len);
    tp_mail_proto g = dir == TP_S2C && n ? wire_mail_greeting_proto(p, n) : TP_MAIL_NONE;
    if (g == TP_MAIL_NONE || (m->proto && g != m->proto))
        return false;
    m->proto = s->obs.mail.proto = g;
    m->inner = true;
    return true;
}

void sess_mail_appdata(tp_session *s, tp_dir dir, double t, const uint8_t *p, size_t len)
{
    sess_mail *m = &s->mail;
    if (!m->inner && !inner_detect(s, dir, p, len))
        return;
    s->obs.mail.tls_dialogue = true;
    while (len) {
        sess_mail_line *l = &m->in[dir];
        size_t n = wire_mail_line_len(p, len);
        size_t take = n ? n : len;
        line_add(l, p, take);
        p += take;
        len -= take;
        if (!n)
            break;
        mail_line_info li;
        bool show = true;
        if (dir == TP_C2S)
            show = client_tls_line(s, l, &li);
        else
            server_tls_line(s, l, &li);
        if (show)
            emit(s, dir, t, true, l, &li);
        memset(l, 0, sizeof *l);
    }
}
