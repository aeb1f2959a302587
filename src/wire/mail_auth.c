/* Credentials in mail command lines (mail_auth.h).  No I/O. */
#include <string.h>
#include <strings.h>

#include "mail_auth.h"

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

size_t wire_mail_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    unsigned acc = 0, bits = 0;
    size_t n = 0, pad = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (in[i] == '=') {
            pad++;
            continue;
        }
        int v = b64_value(in[i]);
        if (v < 0 || pad)
            return (size_t)-1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= out_cap)
                return (size_t)-1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return pad > 2 ? (size_t)-1 : n;
}

/* Copies s (n bytes) as a C string, cut to cap - 1; quotes of an IMAP
 * quoted string are dropped. */
static void copy_text(char *out, size_t cap, const char *s, size_t n)
{
    if (!cap)
        return;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    size_t k = n < cap - 1 ? n : cap - 1;
    for (size_t i = 0; i < k; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    out[k] = '\0';
}

/* The user name of a base64 SASL message: PLAIN's authcid (RFC 4616 2:
 * authzid NUL authcid NUL passwd), or LOGIN's whole user name. */
static void b64_user(const char *b64, size_t n, bool plain, char *user, size_t cap)
{
    uint8_t dec[512];
    size_t dl = wire_mail_b64_decode(b64, n, dec, sizeof dec);
    if (dl == (size_t)-1)
        return;
    if (!plain) {
        copy_text(user, cap, (const char *)dec, dl);
        return;
    }
    const uint8_t *nul = memchr(dec, 0, dl);
    const uint8_t *end = nul ? memchr(nul + 1, 0, dl - (size_t)(nul + 1 - dec)) : NULL;
    if (nul && end)
        copy_text(user, cap, (const char *)nul + 1, (size_t)(end - nul - 1));
}

typedef struct {
    const char *w[5];
    size_t n[5];
    unsigned num;
} words;

static void split(words *ws, const char *s, size_t len)
{
    size_t i = 0;
    ws->num = 0;
    while (i < len && ws->num < 5) {
        while (i < len && s[i] == ' ')
            i++;
        if (i == len)
            break;
        ws->w[ws->num] = s + i;
        while (i < len && s[i] != ' ')
            i++;
        ws->n[ws->num] = (size_t)(s + i - ws->w[ws->num]);
        ws->num++;
    }
}

static bool is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* shown = the line up to word k, then "****" (the secret). */
static void mask_from(char *shown, size_t cap, const char *line, const words *ws, unsigned k)
{
    size_t keep = (size_t)(ws->w[k] - line);
    copy_text(shown, cap, line, keep);
    size_t used = strlen(shown);
    if (used + 4 < cap)
        memcpy(shown + used, "****", 5);
}

/* Whether the line ends in an IMAP literal's announcement, {N} or {N+}
 * (RFC 3501 4.3, RFC 7888): its next bytes are the literal. */
static bool ends_in_literal(const char *s, size_t n)
{
    if (n < 3 || s[n - 1] != '}')
        return false;
    size_t i = n - 1;
    if (s[i - 1] == '+')
        i--;
    size_t digits = 0;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') {
        i--;
        digits++;
    }
    return digits > 0 && i > 0 && s[i - 1] == '{';
}

/* A line inside a SASL exchange (after AUTH / AUTHENTICATE). */
static bool auth_step(wire_mail_auth_step *step, const char *s, size_t n, char *shown,
                      size_t shown_cap, char *user, size_t user_cap)
{
    wire_mail_auth_step was = *step;
    *step = was == WIRE_MAIL_AUTH_LOGIN_USER ? WIRE_MAIL_AUTH_LOGIN_PASS : WIRE_MAIL_AUTH_NONE;
    if (was == WIRE_MAIL_AUTH_LITERAL) { /* LOGIN's user or password as a literal */
        if (ends_in_literal(s, n))
            *step = WIRE_MAIL_AUTH_LITERAL;
        copy_text(shown, shown_cap, "****", 4);
        return true;
    }
    if (n == 1 && s[0] == '*') { /* cancelled (RFC 4954 4) */
        *step = WIRE_MAIL_AUTH_NONE;
        copy_text(shown, shown_cap, s, n);
        return false;
    }
    if (was == WIRE_MAIL_AUTH_LOGIN_USER) {
        b64_user(s, n, false, user, user_cap);
        copy_text(shown, shown_cap, s, n);
    } else {
        if (was == WIRE_MAIL_AUTH_PLAIN_RESP)
            b64_user(s, n, true, user, user_cap);
        copy_text(shown, shown_cap, "****", 4);
    }
    return true;
}

/* AUTH / AUTHENTICATE mech [initial-response]; m is the mechanism's word. */
static bool auth_cmd(wire_mail_auth_step *step, const char *s, const words *ws, unsigned m,
                     char *shown, size_t shown_cap, char *user, size_t user_cap)
{
    bool plain = is(ws->w[m], ws->n[m], "PLAIN"), login = is(ws->w[m], ws->n[m], "LOGIN");
    bool ir = ws->num > m + 1 && !(ws->n[m + 1] == 1 && ws->w[m + 1][0] == '=');
    if (!ir) {
        *step = plain ? WIRE_MAIL_AUTH_PLAIN_RESP
                : login ? WIRE_MAIL_AUTH_LOGIN_USER
                        : WIRE_MAIL_AUTH_OTHER_RESP;
        return true;
    }
    if (login) { /* the initial response is the user name (RFC 4954 4) */
        b64_user(ws->w[m + 1], ws->n[m + 1], false, user, user_cap);
        *step = WIRE_MAIL_AUTH_LOGIN_PASS;
        return true;
    }
    if (plain)
        b64_user(ws->w[m + 1], ws->n[m + 1], true, user, user_cap);
    mask_from(shown, shown_cap, s, ws, m + 1);
    return true;
}

bool wire_mail_auth_line(tp_mail_proto p, wire_mail_auth_step *step, const uint8_t *line,
                         size_t len, char *shown, size_t shown_cap, char *user, size_t user_cap)
{
    const char *s = (const char *)line;
    size_t n = wire_mail_line_trim(line, len);
    if (user_cap)
        user[0] = '\0';
    if (*step != WIRE_MAIL_AUTH_NONE)
        return auth_step(step, s, n, shown, shown_cap, user, user_cap);
    copy_text(shown, shown_cap, s, n);
    words ws;
    split(&ws, s, n);
    unsigned v = p == TP_MAIL_IMAP ? 1 : 0;
    if (ws.num <= v)
        return false;
    const char *verb = ws.w[v];
    size_t vl = ws.n[v];
    if (ws.num > v + 1 && (is(verb, vl, "AUTH") || is(verb, vl, "AUTHENTICATE")))
        return auth_cmd(step, s, &ws, v + 1, shown, shown_cap, user, user_cap);
    if (p == TP_MAIL_IMAP && is(verb, vl, "LOGIN") && ws.num > 2) {
        if (ends_in_literal(s, n)) { /* the rest comes as literals: masked */
            *step = WIRE_MAIL_AUTH_LITERAL;
            if (ws.w[2][0] != '{')
                copy_text(user, user_cap, ws.w[2], ws.n[2]);
            return true;
        }
        copy_text(user, user_cap, ws.w[2], ws.n[2]);
        if (ws.num > 3)
            mask_from(shown, shown_cap, s, &ws, 3);
        return true;
    }
    if (p == TP_MAIL_POP3 && (is(verb, vl, "USER") || is(verb, vl, "APOP")) && ws.num > 1) {
        copy_text(user, user_cap, ws.w[1], ws.n[1]);
        if (is(verb, vl, "APOP") && ws.num > 2)
            mask_from(shown, shown_cap, s, &ws, 2);
        return true;
    }
    if (p == TP_MAIL_POP3 && is(verb, vl, "PASS") && ws.num > 1) {
        mask_from(shown, shown_cap, s, &ws, 1);
        return true;
    }
    return false;
}
