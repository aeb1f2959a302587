/* Mail protocol lines (SMTP RFC 5321 + RFC 3207, IMAP RFC 3501, POP3
 * RFC 1939 + RFC 2449 + RFC 2595): framing and the few words tlsprobe needs.
 * No I/O, no allocation. */
#include <string.h>

#include "mail.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const proto_names[] = {"none", "smtp", "imap", "pop3"};

bool wire_mail_proto_parse(const char *name, tp_mail_proto *out)
{
    for (size_t i = 1; name && i < N_ELEMS(proto_names); i++) {
        if (strcmp(name, proto_names[i]) == 0) {
            *out = (tp_mail_proto)i;
            return true;
        }
    }
    return false;
}

const char *wire_mail_proto_name(tp_mail_proto p)
{
    return (unsigned)p < N_ELEMS(proto_names) ? proto_names[p] : "none";
}

const char *wire_mail_proto_names(void)
{
    return "smtp, imap, pop3";
}

size_t wire_mail_line_len(const uint8_t *buf, size_t len)
{
    const uint8_t *lf = len ? memchr(buf, '\n', len) : NULL;
    return lf ? (size_t)(lf - buf) + 1 : 0;
}

size_t wire_mail_line_trim(const uint8_t *line, size_t len)
{
    if (len && line[len - 1] == '\n')
        len--;
    if (len && line[len - 1] == '\r')
        len--;
    return len;
}

size_t wire_mail_max_line(tp_mail_proto p)
{
    switch (p) {
    case TP_MAIL_SMTP:
        return 512; /* RFC 5321 4.5.3.1.4 */
    case TP_MAIL_IMAP:
        return 8192; /* RFC 7162 3.2.1 */
    case TP_MAIL_POP3:
        return 255; /* RFC 2449 4 */
    default:
        return 0;
    }
}

static int up(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Whether the n bytes at s equal the upper-case word w, case-insensitively. */
static bool word_eq(const uint8_t *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (up(s[i]) != (uint8_t)w[i])
            return false;
    return true;
}

/* Whether the line (trimmed) starts with the upper-case prefix w. */
static bool starts_with(const uint8_t *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    return n >= wl && word_eq(s, wl, w);
}

/* A line cut into space-separated words (at most 4 are kept). */
typedef struct {
    const uint8_t *w[4];
    size_t n[4];
    unsigned num;
} words;

static void split(words *ws, const uint8_t *line, size_t len)
{
    size_t i = 0;
    len = wire_mail_line_trim(line, len);
    ws->num = 0;
    while (i < len && ws->num < N_ELEMS(ws->w)) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        ws->w[ws->num] = line + start;
        ws->n[ws->num++] = i - start;
    }
}

/* The verb's index: IMAP commands start with a tag. */
static unsigned verb_at(tp_mail_proto p)
{
    return p == TP_MAIL_IMAP ? 1 : 0;
}

bool wire_mail_is_starttls_cmd(tp_mail_proto p, const uint8_t *line, size_t len, char *tag,
                               size_t tag_cap)
{
    words ws;
    split(&ws, line, len);
    unsigned v = verb_at(p);
    if (p == TP_MAIL_NONE || ws.num != v + 1)
        return false;
    if (!word_eq(ws.w[v], ws.n[v], p == TP_MAIL_POP3 ? "STLS" : "STARTTLS"))
        return false;
    if (p == TP_MAIL_IMAP && tag && tag_cap) {
        size_t n = ws.n[0] < tag_cap - 1 ? ws.n[0] : tag_cap - 1;
        memcpy(tag, ws.w[0], n);
        tag[n] = '\0';
    }
    return true;
}

bool wire_mail_is_starttls_ok(tp_mail_proto p, const uint8_t *line, size_t len, const char *tag)
{
    size_t n = wire_mail_line_trim(line, len);
    words ws;
    switch (p) {
    case TP_MAIL_SMTP: /* RFC 3207 4: "220 Ready to start TLS"; "220-" is not final */
        return n >= 3 && memcmp(line, "220", 3) == 0 && (n == 3 || line[3] == ' ');
    case TP_MAIL_POP3:
        return starts_with(line, n, "+OK");
    case TP_MAIL_IMAP:
        split(&ws, line, len);
        if (ws.num < 2 || !word_eq(ws.w[1], ws.n[1], "OK"))
            return false;
        if (tag && *tag)
            return ws.n[0] == strlen(tag) && memcmp(ws.w[0], tag, ws.n[0]) == 0;
        return !(ws.n[0] == 1 && ws.w[0][0] == '*') && !(ws.n[0] == 1 && ws.w[0][0] == '+');
    default:
        return false;
    }
}

/* Whether the IMAP line holds CAPABILITY followed by the atom STARTTLS
 * (RFC 3501 7.2.1 response, or 7.1 response code "[CAPABILITY ...]"). */
static bool imap_caps_starttls(const uint8_t *s, size_t n)
{
    bool in_caps = false;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '[' || s[i] == ']'))
            i++;
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '[' && s[i] != ']')
            i++;
        if (word_eq(s + start, i - start, "CAPABILITY"))
            in_caps = true;
        else if (in_caps && word_eq(s + start, i - start, "STARTTLS"))
            return true;
        if (i < n && s[i] == ']')
            in_caps = false;
    }
    return false;
}

bool wire_mail_advertises_starttls(tp_mail_proto p, const uint8_t *line, size_t len)
{
    size_t n = wire_mail_line_trim(line, len);
    words ws;
    switch (p) {
    case TP_MAIL_SMTP:
        return n >= 12 && memcmp(line, "250", 3) == 0 && (line[3] == '-' || line[3] == ' ') &&
               word_eq(line + 4, n - 4, "STARTTLS");
    case TP_MAIL_IMAP:
        return starts_with(line, n, "* ") && imap_caps_starttls(line + 2, n - 2);
    case TP_MAIL_POP3:
        split(&ws, line, len);
        return ws.num >= 1 && word_eq(ws.w[0], ws.n[0], "STLS");
    default:
        return false;
    }
}

tp_mail_proto wire_mail_greeting_proto(const uint8_t *line, size_t len)
{
    size_t n = wire_mail_line_trim(line, len);
    if (!wire_mail_line_is_text(line, len))
        return TP_MAIL_NONE;
    if (n >= 4 && memcmp(line, "220", 3) == 0 && (line[3] == ' ' || line[3] == '-'))
        return TP_MAIL_SMTP;
    if (starts_with(line, n, "* OK") || starts_with(line, n, "* PREAUTH"))
        return TP_MAIL_IMAP;
    if (starts_with(line, n, "+OK"))
        return TP_MAIL_POP3;
    return TP_MAIL_NONE;
}

/* One row per verb the verdicts name. */
static const struct {
    tp_mail_proto proto;
    const char *verb;
    tp_mail_cmd kind;
} cmd_rows[] = {
    {TP_MAIL_SMTP, "EHLO", TP_MAIL_CMD_HELLO},     {TP_MAIL_SMTP, "HELO", TP_MAIL_CMD_HELLO},
    {TP_MAIL_SMTP, "LHLO", TP_MAIL_CMD_HELLO},     {TP_MAIL_SMTP, "STARTTLS", TP_MAIL_CMD_STARTTLS},
    {TP_MAIL_SMTP, "AUTH", TP_MAIL_CMD_AUTH},      {TP_MAIL_SMTP, "QUIT", TP_MAIL_CMD_QUIT},
    {TP_MAIL_SMTP, "MAIL", TP_MAIL_CMD_DATA},      {TP_MAIL_SMTP, "RCPT", TP_MAIL_CMD_DATA},
    {TP_MAIL_SMTP, "DATA", TP_MAIL_CMD_DATA},      {TP_MAIL_IMAP, "CAPABILITY", TP_MAIL_CMD_HELLO},
    {TP_MAIL_IMAP, "STARTTLS", TP_MAIL_CMD_STARTTLS}, {TP_MAIL_IMAP, "LOGIN", TP_MAIL_CMD_AUTH},
    {TP_MAIL_IMAP, "AUTHENTICATE", TP_MAIL_CMD_AUTH}, {TP_MAIL_IMAP, "LOGOUT", TP_MAIL_CMD_QUIT},
    {TP_MAIL_IMAP, "SELECT", TP_MAIL_CMD_DATA},    {TP_MAIL_IMAP, "EXAMINE", TP_MAIL_CMD_DATA},
    {TP_MAIL_IMAP, "FETCH", TP_MAIL_CMD_DATA},     {TP_MAIL_IMAP, "LIST", TP_MAIL_CMD_DATA},
    {TP_MAIL_POP3, "CAPA", TP_MAIL_CMD_HELLO},     {TP_MAIL_POP3, "STLS", TP_MAIL_CMD_STARTTLS},
    {TP_MAIL_POP3, "USER", TP_MAIL_CMD_AUTH},      {TP_MAIL_POP3, "PASS", TP_MAIL_CMD_AUTH},
    {TP_MAIL_POP3, "APOP", TP_MAIL_CMD_AUTH},      {TP_MAIL_POP3, "AUTH", TP_MAIL_CMD_AUTH},
    {TP_MAIL_POP3, "QUIT", TP_MAIL_CMD_QUIT},      {TP_MAIL_POP3, "STAT", TP_MAIL_CMD_DATA},
    {TP_MAIL_POP3, "LIST", TP_MAIL_CMD_DATA},      {TP_MAIL_POP3, "RETR", TP_MAIL_CMD_DATA},
    {TP_MAIL_POP3, "UIDL", TP_MAIL_CMD_DATA},
};

size_t wire_mail_cmd_verb(tp_mail_proto p, const uint8_t *line, size_t len, char *out,
                          size_t out_cap)
{
    words ws;
    split(&ws, line, len);
    unsigned v = verb_at(p);
    if (out_cap)
        out[0] = '\0';
    if (p == TP_MAIL_NONE || ws.num <= v || !wire_mail_line_is_text(line, len))
        return 0;
    size_t n = ws.n[v];
    if (out_cap) {
        size_t k = n < out_cap - 1 ? n : out_cap - 1;
        for (size_t i = 0; i < k; i++)
            out[i] = (char)up(ws.w[v][i]);
        out[k] = '\0';
    }
    return n;
}

tp_mail_cmd wire_mail_cmd_kind(tp_mail_proto p, const uint8_t *line, size_t len)
{
    char verb[16];
    size_t n = wire_mail_cmd_verb(p, line, len, verb, sizeof verb);
    if (n == 0 || n >= sizeof verb)
        return TP_MAIL_CMD_OTHER;
    for (size_t i = 0; i < N_ELEMS(cmd_rows); i++)
        if (cmd_rows[i].proto == p && strcmp(cmd_rows[i].verb, verb) == 0)
            return cmd_rows[i].kind;
    return TP_MAIL_CMD_OTHER;
}

bool wire_mail_cmd_known(tp_mail_proto p, const uint8_t *line, size_t len)
{
    static const char *const smtp[] = {"NOOP", "RSET", "HELP", "VRFY", "EXPN", "BDAT", "ETRN", NULL};
    static const char *const imap[] = {"NOOP",   "CHECK",  "CLOSE",       "EXPUNGE", "SEARCH",
                                       "STATUS", "UID",    "LSUB",        "CREATE",  "DELETE",
                                       "RENAME", "APPEND", "SUBSCRIBE",   "STORE",   "COPY",
                                       "ID",     "ENABLE", "UNSUBSCRIBE", "IDLE",    "NAMESPACE",
                                       "MOVE",   "UNSELECT", NULL};
    static const char *const pop3[] = {"NOOP", "RSET", "DELE", "TOP", NULL};
    if (wire_mail_cmd_kind(p, line, len) != TP_MAIL_CMD_OTHER)
        return true;
    char verb[16];
    size_t n = wire_mail_cmd_verb(p, line, len, verb, sizeof verb);
    const char *const *list = p == TP_MAIL_SMTP ? smtp : p == TP_MAIL_IMAP ? imap : pop3;
    for (size_t i = 0; n && n < sizeof verb && p != TP_MAIL_NONE && list[i]; i++)
        if (strcmp(list[i], verb) == 0)
            return true;
    return false;
}

const char *wire_mail_cmd_name(tp_mail_cmd c)
{
    static const char *const names[] = {"other", "hello", "starttls", "auth", "quit", "data"};
    return (unsigned)c < N_ELEMS(names) ? names[c] : "other";
}

bool wire_mail_line_is_text(const uint8_t *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = line[i];
        if (!((c >= 0x20 && c <= 0x7e) || c == '\t' || c == '\r' || c == '\n'))
            return false;
    }
    return true;
}
