/* What a connection does once the handshake is done: echo, the http status
 * page, or interactive (stdin to the client, the client to stdout). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "report/wire_text.h"
#include "server_int.h"
#include "wire/handshake.h"
#include "wire/ja.h"

/* The page is built in memory: bounded, so a ClientHello with thousands of
 * entries cannot make it grow without limit. */
#define PAGE_MAX (512 * 1024)
/* The decoded ClientHello (a 64 KiB hello decodes to well under this). */
#define HELLO_TEXT_MAX (256 * 1024)

/* ---- a bounded string builder with a sticky error ---- */

typedef struct {
    char *data;
    size_t len, cap;
    bool err;
} sb_t;

static bool sb_reserve(sb_t *b, size_t extra)
{
    if (b->err)
        return false;
    if (b->len + extra + 1 > PAGE_MAX) {
        b->err = true;
        return false;
    }
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 8192;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *nd = realloc(b->data, cap);
    if (!nd) {
        b->err = true;
        return false;
    }
    b->data = nd;
    b->cap = cap;
    return true;
}

static void sb_putn(sb_t *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(sb_t *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(sb_t *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = true;
        return;
    }
    sb_putn(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text as HTML: everything that comes from the client (headers, SNI, ALPN)
 * passes through here. */
static void sb_html_n(sb_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && !b->err; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '&':
            sb_puts(b, "&amp;");
            break;
        case '<':
            sb_puts(b, "&lt;");
            break;
        case '>':
            sb_puts(b, "&gt;");
            break;
        case '"':
            sb_puts(b, "&quot;");
            break;
        case '\'':
            sb_puts(b, "&#39;");
            break;
        case '\r':
            break; /* line ends shown as plain newlines */
        default:
            if (ch < 0x20 && ch != '\n' && ch != '\t')
                sb_printf(b, "\\x%02x", ch);
            else
                sb_putn(b, (const char *)&ch, 1);
        }
    }
}

static void sb_html(sb_t *b, const char *s)
{
    sb_html_n(b, s, strlen(s));
}

/* Plain text: control characters shown escaped, so a header cannot move the
 * reader's terminal. */
static void sb_text_n(sb_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && !b->err; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r')
            continue;
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
            sb_printf(b, "\\x%02x", ch);
        else
            sb_putn(b, (const char *)&ch, 1);
    }
}

/* ---- echo ---- */

static void echo_on_data(tp_conn *c, const uint8_t *data, size_t len)
{
    (void)conn_write_app(c, data, len);
}

/* ---- http ---- */

typedef struct {
    char method[16];
    const char *target;
    size_t target_len;
    const char *version; /* "HTTP/1.0" / "HTTP/1.1" */
    bool want_plain;
    const char *head; /* request line + headers */
    size_t head_len;
} http_req;

/* Case-insensitive compare of a token against a literal. */
static bool tok_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static const char *trim(const char *s, const char *end, const char **out_end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *out_end = end;
    return s;
}

/* How well one media range matches a type: 3 exact, 2 type/wildcard,
 * 1 any, 0 none (RFC 9110 12.5.1: the most specific range decides). */
static int media_match(const char *r, size_t n, const char *type)
{
    if (tok_eq(r, n, type))
        return 3;
    if (tok_eq(r, n, "*/*"))
        return 1;
    const char *slash = strchr(type, '/');
    size_t tl = (size_t)(slash - type);
    if (n == tl + 2 && strncasecmp(r, type, tl + 1) == 0 && r[tl + 1] == '*')
        return 2;
    return 0;
}

static double accept_quality(const char *v, const char *end, const char *type)
{
    int best_spec = 0;
    double best_q = 0;
    while (v < end) {
        const char *item_end = memchr(v, ',', (size_t)(end - v));
        if (!item_end)
            item_end = end;
        const char *semi = memchr(v, ';', (size_t)(item_end - v));
        const char *range_end;
        const char *range = trim(v, semi ? semi : item_end, &range_end);
        double q = 1.0;
        for (const char *p = semi; p && p < item_end;) {
            const char *pe = memchr(p + 1, ';', (size_t)(item_end - p - 1));
            if (!pe)
                pe = item_end;
            const char *pend;
            const char *param = trim(p + 1, pe, &pend);
            if (pend - param >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                char num[16];
                size_t nl = (size_t)(pend - param - 2);
                if (nl < sizeof num) {
                    memcpy(num, param + 2, nl);
                    num[nl] = '\0';
                    q = strtod(num, NULL);
                }
            }
            p = pe < item_end ? pe : NULL;
        }
        int spec = media_match(range, (size_t)(range_end - range), type);
        if (spec > best_spec) {
            best_spec = spec;
            best_q = q;
        }
        v = item_end + (item_end < end);
    }
    return best_q;
}

/* Parses the request head.  false: malformed (400). */
static bool http_parse(const char *head, size_t len, http_req *r)
{
    memset(r, 0, sizeof *r);
    r->head = head;
    r->head_len = len;
    const char *end = head + len;
    const char *eol = memchr(head, '\n', len);
    if (!eol)
        return false;
    const char *line_end;
    const char *line = trim(head, eol, &line_end);
    const char *sp1 = memchr(line, ' ', (size_t)(line_end - line));
    if (!sp1 || sp1 == line || (size_t)(sp1 - line) >= sizeof r->method)
        return false;
    memcpy(r->method, line, (size_t)(sp1 - line));
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1)
        return false;
    r->target = sp1 + 1;
    r->target_len = (size_t)(sp2 - sp1 - 1);
    if (line_end - sp2 - 1 != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
        return false;
    r->version = sp2[8] == '0' ? "HTTP/1.0" : "HTTP/1.1";

    double q_html = 1.0, q_plain = 0.0;
    for (const char *p = eol + 1; p < end;) {
        const char *le = memchr(p, '\n', (size_t)(end - p));
        if (!le)
            le = end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon && tok_eq(p, (size_t)(colon - p), "Accept")) {
            const char *vend;
            const char *v = trim(colon + 1, le, &vend);
            q_html = accept_quality(v, vend, "text/html");
            q_plain = accept_quality(v, vend, "text/plain");
        }
        p = le + 1;
    }
    /* HTML unless text/plain is strictly preferred: curl's default (any
     * type) gets HTML, `curl -H 'Accept: text/plain'` gets text. */
    r->want_plain = q_plain > q_html;
    return true;
}

static void http_send(tp_conn *c, const char *status, const char *type, const sb_t *body,
                      bool head_only)
{
    sb_t h = {0};
    sb_printf(&h,
              "HTTP/1.1 %s\r\nServer: tlsprobe\r\nContent-Type: %s\r\n"
              "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
              status, type, body ? body->len : 0);
    if (!h.err) {
        bool ok = conn_write_app(c, (const uint8_t *)h.data, h.len);
        if (ok && body && body->len && !head_only)
            (void)conn_write_app(c, (const uint8_t *)body->data, body->len);
    }
    free(h.data);
    conn_close_gracefully(c);
}

static void http_simple(tp_conn *c, const char *status)
{
    sb_t b = {0};
    sb_printf(&b, "%s\n", status);
    http_send(c, status, "text/plain; charset=utf-8", &b, false);
    free(b.data);
}

/* The client's ClientHello, decoded by our own parser, as text. */
static void page_client_hello(tp_conn *c, sb_t *out_text, char *ja3, size_t ja3_len,
                              char ja3_md5[33], char ja4[40])
{
    ja3[0] = ja3_md5[0] = ja4[0] = '\0';
    size_t len = 0;
    const uint8_t *raw = tp_session_client_hello(c->sess, &len);
    if (!raw) {
        sb_puts(out_text, "(no ClientHello was recorded)\n");
        return;
    }
    static _Thread_local wire_handshake hs;
    wire_hs_ctx ctx = {0};
    tp_status st = wire_hs_parse(&ctx, raw, len, &hs);
    if (st != TP_OK || hs.type != WIRE_HS_CLIENT_HELLO)
        st = wire_hs_parse_sslv2(raw, len, &hs);
    if (st != TP_OK) {
        sb_printf(out_text, "(the ClientHello did not decode: %s)\n", tp_status_name(st));
        return;
    }
    /* Transient: freed before the page goes out. */
    size_t cap = HELLO_TEXT_MAX;
    char *text = malloc(cap);
    if (text) {
        size_t n = report_text_client_hello_full(text, cap, &hs.u.client_hello);
        sb_text_n(out_text, text, n < cap ? n : cap - 1);
    }
    free(text);
    if (wire_ja3(&hs.u.client_hello, ja3, ja3_len, ja3_md5) != TP_OK && !ja3_md5[0])
        ja3[0] = '\0';
    if (wire_ja4(&hs.u.client_hello, ja4) != TP_OK)
        ja4[0] = '\0';
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void http_status_page(tp_conn *c, const http_req *r, bool head_only)
{
    tp_engine_info info;
    memset(&info, 0, sizeof info);
    tp_engine_conn_info(c->ec, &info);
    sb_t hello = {0};
    static _Thread_local char ja3[WIRE_JA3_STR_MAX];
    char ja3_md5[33], ja4[40];
    page_client_hello(c, &hello, ja3, sizeof ja3, ja3_md5, ja4);

    const char *labels[] = {
        "protocol",          "key exchange", "cipher", "MAC", "group", "signature algorithm",
        "client certificate"};
    const char *values[] = {info.protocol, info.kx,     info.cipher,     info.mac,
                            info.group,    info.sigalg, info.client_cert};
    unsigned num = sizeof labels / sizeof labels[0];
    sb_t b = {0};
    if (r->want_plain) {
        sb_printf(&b, "tlsprobe: connection %u from %s\n\nNegotiated\n", c->id, c->peer);
        for (unsigned i = 0; i < num; i++)
            sb_printf(&b, "  %-20s %s\n", labels[i], or_dash(values[i]));
        sb_puts(&b, "\nFingerprints\n  JA3      ");
        sb_text_n(&b, ja3[0] ? ja3 : "-", strlen(ja3[0] ? ja3 : "-"));
        sb_printf(&b, "\n  JA3 MD5  %s\n  JA4      %s\n", or_dash(ja3_md5), or_dash(ja4));
        sb_puts(&b, "\nYour ClientHello\n");
        if (hello.data)
            sb_putn(&b, hello.data, hello.len);
        sb_puts(&b, "\nYour request\n");
        sb_text_n(&b, r->head, r->head_len);
        http_send(c, "200 OK", "text/plain; charset=utf-8", &b, head_only);
    } else {
        sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width\">"
                    "<title>tlsprobe</title><style>"
                    "body{font-family:sans-serif;margin:1.5em;max-width:70em}"
                    "th{text-align:left;padding-right:1em;font-weight:normal;color:#555}"
                    "td{font-family:monospace}pre{background:#f4f4f4;padding:.8em;"
                    "overflow-x:auto}code{word-break:break-all}"
                    "</style></head><body>\n<h1>tlsprobe</h1>\n");
        sb_printf(&b, "<p>Connection %u from <code>", c->id);
        sb_html(&b, c->peer);
        sb_puts(&b, "</code></p>\n<h2>Negotiated</h2>\n<table>\n");
        for (unsigned i = 0; i < num; i++) {
            sb_printf(&b, "<tr><th>%s</th><td>", labels[i]);
            sb_html(&b, or_dash(values[i]));
            sb_puts(&b, "</td></tr>\n");
        }
        sb_puts(&b, "</table>\n<h2>Fingerprints</h2>\n<table>\n<tr><th>JA3</th><td><code>");
        sb_html(&b, or_dash(ja3));
        sb_puts(&b, "</code></td></tr>\n<tr><th>JA3 MD5</th><td>");
        sb_html(&b, or_dash(ja3_md5));
        sb_puts(&b, "</td></tr>\n<tr><th>JA4</th><td>");
        sb_html(&b, or_dash(ja4));
        sb_puts(&b, "</td></tr>\n</table>\n<h2>Your ClientHello</h2>\n<pre>");
        if (hello.data)
            sb_html_n(&b, hello.data, hello.len);
        sb_puts(&b, "</pre>\n<h2>Your request</h2>\n<pre>");
        sb_html_n(&b, r->head, r->head_len);
        sb_puts(&b, "</pre>\n</body></html>\n");
        http_send(c, "200 OK", "text/html; charset=utf-8", &b, head_only);
    }
    if (b.err)
        tp_session_engine_error(c->sess, conn_t(c), "PAGE_LIMIT", "status page truncated");
    free(b.data);
    free(hello.data);
}

/* End of the request head: the blank line (RFC 9112 2.1; bare LF
 * tolerated as 2.2 allows). */
static size_t http_head_end(const srv_buf *req)
{
    const char *p = (const char *)srv_buf_data(req);
    for (size_t i = 0; i + 1 < req->len; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (p[i + 1] == '\r' && i + 2 < req->len && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* RFC 9113 3.4: the client connection preface of HTTP/2. */
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* An HTTP/2 client (prior knowledge, or ALPN h2 that was not selected):
 * answer as an HTTP/2 server that needs HTTP/1.1 would, with its SETTINGS
 * and a GOAWAY HTTP_1_1_REQUIRED (RFC 9113 3.4, 6.8, 7), so the client
 * reports that instead of a framing error. */
static void http2_goaway(tp_conn *c)
{
    static const char debug[] = "tlsprobe --http speaks HTTP/1.1 only";
    uint8_t out[9 + 9 + 8 + sizeof debug];
    size_t goaway_len = 8 + sizeof debug - 1;
    size_t n = 0;
    static const uint8_t settings[9] = {0, 0, 0, 0x04, 0, 0, 0, 0, 0};
    memcpy(out, settings, sizeof settings);
    n += sizeof settings;
    uint8_t head[17] = {0, 0, (uint8_t)goaway_len, 0x07, 0, 0, 0, 0, 0, /* frame header */
                        0, 0, 0, 0,                                    /* last stream id */
                        0, 0, 0, 0x0d};                                /* HTTP_1_1_REQUIRED */
    memcpy(out + n, head, sizeof head);
    n += sizeof head;
    memcpy(out + n, debug, sizeof debug - 1);
    n += sizeof debug - 1;
    (void)conn_write_app(c, out, n);
    conn_close_gracefully(c);
}

/* Bytes that cannot become an HTTP/1.x request: a complete first line that
 * is no request line, or a method with bytes no method has (RFC 9110 9.1:
 * a token), or binary. */
static bool http_cannot_be_request(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && p[i] > 0x20 && p[i] < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", p[i]))
        i++;
    if (i < len && p[i] != ' ')
        return true;
    const uint8_t *eol = memchr(p, '\n', len);
    if (!eol)
        return false;
    size_t line = (size_t)(eol - p);
    if (line && p[line - 1] == '\r')
        line--;
    return line < 14 || memcmp(p + line - 8, "HTTP/1.", 7) != 0;
}

static void http_not_http(tp_conn *c)
{
    sb_t b = {0};
    sb_puts(&b, "400 Bad Request\n\ntlsprobe serve --http answers HTTP/1.x requests; what "
                "the client sent is not one.\nFor a line echo, run tlsprobe serve --echo.\n");
    http_send(c, "400 Bad Request", "text/plain; charset=utf-8", &b, false);
    free(b.data);
}

static void http_on_data(tp_conn *c, const uint8_t *data, size_t len)
{
    if (c->exchanged)
        return; /* one request per connection; the rest is ignored */
    if (!srv_buf_append(&c->req, data, len, SRV_HTTP_MAX_REQUEST)) {
        srv_buf_free(&c->req);
        http_simple(c, "431 Request Header Fields Too Large"); /* RFC 6585 5 */
        return;
    }
    const uint8_t *got = srv_buf_data(&c->req);
    size_t got_len = c->req.len;
    size_t pre = got_len < sizeof h2_preface - 1 ? got_len : sizeof h2_preface - 1;
    if (memcmp(got, h2_preface, pre) == 0) {
        if (pre == sizeof h2_preface - 1) {
            srv_buf_free(&c->req);
            http2_goaway(c);
        }
        return; /* the preface so far: wait for the rest */
    }
    if (http_cannot_be_request(got, got_len)) {
        srv_buf_free(&c->req);
        http_not_http(c);
        return;
    }
    size_t head_len = http_head_end(&c->req);
    if (!head_len)
        return;
    http_req r;
    if (!http_parse((const char *)srv_buf_data(&c->req), head_len, &r)) {
        http_simple(c, "400 Bad Request");
    } else if (strcmp(r.method, "GET") != 0 && strcmp(r.method, "HEAD") != 0) {
        http_simple(c, "405 Method Not Allowed");
    } else if (tok_eq(r.target, r.target_len, "/favicon.ico")) {
        http_simple(c, "404 Not Found");
    } else {
        http_status_page(c, &r, strcmp(r.method, "HEAD") == 0);
    }
    srv_buf_free(&c->req);
}

/* ---- interactive ---- */

static void interactive_on_data(tp_conn *c, const uint8_t *data, size_t len)
{
    /* Each line the client sends appears prefixed with "< "; a partial line
     * continues on the next chunk. */
    for (size_t i = 0; i < len; i++) {
        if (c->line_start)
            fputs("< ", stdout);
        unsigned char ch = data[i];
        if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch != 0x7f) || ch == '\r')
            fputc(ch, stdout);
        else
            fprintf(stdout, "\\x%02x", ch);
        c->line_start = ch == '\n';
    }
    fflush(stdout);
}

void mode_stdin_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)revents;
    tp_worker *w = io->data;
    tp_conn *c = w->interactive;
    if (!c || c->finished || c->state != CONN_OPEN) {
        ev_io_stop(loop, io);
        return;
    }
    if (c->read_paused) {
        /* The client is not reading: stdin waits (restarted on drain). */
        ev_io_stop(loop, io);
        return;
    }
    uint8_t buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        /* End of input: close the TLS session properly (close_notify). */
        ev_io_stop(loop, io);
        fprintf(stderr, "tlsprobe: end of input, closing connection %u\n", c->id);
        conn_close_gracefully(c);
    } else {
        (void)conn_write_app(c, buf, (size_t)n);
    }
    conn_settle(c);
}

/* ---- dispatch ---- */

void mode_on_open(tp_conn *c)
{
    if (c->w->srv->cfg.mode != TP_MODE_INTERACTIVE || c->w->interactive != c)
        return;
    fprintf(stderr,
            "tlsprobe: client %s connected (connection %u); lines you type go to it, "
            "end of input (Ctrl-D) closes\n",
            c->peer, c->id);
    c->line_start = true;
    ev_io_start(c->w->loop, &c->w->stdin_io);
}

void mode_on_data(tp_conn *c, const uint8_t *data, size_t len)
{
    switch (c->w->srv->cfg.mode) {
    case TP_MODE_ECHO:
        echo_on_data(c, data, len);
        break;
    case TP_MODE_INTERACTIVE:
        interactive_on_data(c, data, len);
        break;
    case TP_MODE_HTTP:
    default:
        http_on_data(c, data, len);
        break;
    }
}

void mode_on_close(tp_conn *c)
{
    if (c->w->srv->cfg.mode == TP_MODE_INTERACTIVE && !c->line_start) {
        fputc('\n', stdout);
        fflush(stdout);
    }
}

bool mode_idle_timeout(const tp_conn *c)
{
    /* http: the request must arrive within one timeout of the handshake,
     * however slowly it trickles; interactive: a person may think. */
    return c->w->srv->cfg.mode == TP_MODE_ECHO;
}
