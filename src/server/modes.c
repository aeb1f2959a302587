/* What a connection does once the handshake is done: echo, the http status
 * page, or interactive (interactive.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_mode.h"
#include "mode.h"
#include "report/status_page.h"
#include "report/wire_text.h"
#include "wire/buf.h"
#include "wire/ja.h"

/* The page is built in memory: bounded, so a ClientHello with thousands of
 * entries cannot make it grow without limit. */
#define PAGE_MAX (512 * 1024 - 1)
/* The decoded ClientHello (a 64 KiB hello decodes to well under this). */
#define HELLO_TEXT_MAX (256 * 1024)
/* Largest HTTP request head we read (RFC 6585 5: 431 above it). */
#define HTTP_MAX_REQUEST (16 * 1024)

/* ---- echo ---- */

static void echo_on_data(void *st, const tp_mode_conn *c, const uint8_t *data, size_t len)
{
    (void)st;
    (void)tp_mode_conn_write(c, data, len);
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

static void http_send(const tp_mode_conn *c, const char *status, const char *type,
                      const wire_buf *body, bool head_only)
{
    wire_buf h;
    wire_buf_init(&h, 0);
    wire_buf_printf(&h,
                    "HTTP/1.1 %s\r\nServer: tlsprobe\r\nContent-Type: %s\r\n"
                    "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: "
                    "close\r\n\r\n",
                    status, type, body ? wire_buf_len(body) : 0);
    if (wire_buf_ok(&h)) {
        bool ok = tp_mode_conn_write(c, wire_buf_data(&h), wire_buf_len(&h));
        if (ok && body && wire_buf_len(body) && !head_only)
            (void)tp_mode_conn_write(c, wire_buf_data(body), wire_buf_len(body));
    }
    wire_buf_cleanup(&h);
    tp_mode_conn_close(c);
}

static void http_text(const tp_mode_conn *c, const char *status, const char *text)
{
    wire_buf b;
    wire_buf_init(&b, 0);
    wire_buf_add_str(&b, text);
    http_send(c, status, "text/plain; charset=utf-8", &b, false);
    wire_buf_cleanup(&b);
}

static void http_simple(const tp_mode_conn *c, const char *status)
{
    char line[128];
    snprintf(line, sizeof line, "%s\n", status);
    http_text(c, status, line);
}

/* The client's ClientHello as the session parsed it, decoded as text, and
 * its fingerprints. */
static void page_client_hello(const tp_mode_conn *c, wire_buf *out_text, char *ja3,
                              size_t ja3_len, char ja3_md5[33], char ja4[40])
{
    ja3[0] = ja3_md5[0] = ja4[0] = '\0';
    const wire_client_hello *ch = tp_session_client_hello_parsed(c->sess);
    if (!ch) {
        wire_buf_add_str(out_text, "(no ClientHello was recorded)\n");
        return;
    }
    /* Transient: freed before the page goes out. */
    uint8_t *text = wire_buf_space(out_text, HELLO_TEXT_MAX);
    if (text) {
        size_t n = report_text_client_hello_full((char *)text, HELLO_TEXT_MAX, ch);
        wire_buf_commit(out_text, n < HELLO_TEXT_MAX ? n : HELLO_TEXT_MAX - 1);
    }
    if (wire_ja3(ch, ja3, ja3_len, ja3_md5) != TP_OK && !ja3_md5[0])
        ja3[0] = '\0';
    if (wire_ja4(ch, ja4) != TP_OK)
        ja4[0] = '\0';
}

static void http_status_page(const tp_mode_conn *c, const http_req *r, bool head_only)
{
    tp_engine_info info;
    c->ops->engine_info(c->conn, &info);
    wire_buf hello;
    wire_buf_init(&hello, HELLO_TEXT_MAX);
    static _Thread_local char ja3[WIRE_JA3_STR_MAX];
    char ja3_md5[33], ja4[40];
    page_client_hello(c, &hello, ja3, sizeof ja3, ja3_md5, ja4);

    static const char *const labels[] = {
        "protocol",          "key exchange", "cipher", "MAC", "group", "signature algorithm",
        "client certificate"};
    const char *values[] = {info.protocol, info.kx,     info.cipher,     info.mac,
                            info.group,    info.sigalg, info.client_cert};
    report_status_page page = {
        .conn = c->id,
        .peer = c->peer,
        .labels = labels,
        .values = values,
        .num = sizeof labels / sizeof labels[0],
        .ja3 = ja3,
        .ja3_md5 = ja3_md5,
        .ja4 = ja4,
        .hello = wire_buf_str(&hello),
        .hello_len = wire_buf_len(&hello),
        .request = r->head,
        .request_len = r->head_len,
    };
    wire_buf b;
    wire_buf_init(&b, PAGE_MAX);
    if (r->want_plain) {
        report_status_page_text(&b, &page);
        http_send(c, "200 OK", "text/plain; charset=utf-8", &b, head_only);
    } else {
        report_status_page_html(&b, &page);
        http_send(c, "200 OK", "text/html; charset=utf-8", &b, head_only);
    }
    if (!wire_buf_ok(&b))
        tp_session_engine_error(c->sess, c->ops->t(c->conn), "PAGE_LIMIT",
                                "status page truncated");
    wire_buf_cleanup(&b);
    wire_buf_cleanup(&hello);
}

/* End of the request head: the blank line (RFC 9112 2.1; bare LF
 * tolerated as 2.2 allows). */
static size_t http_head_end(const char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
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
static void http2_goaway(const tp_mode_conn *c)
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
    (void)tp_mode_conn_write(c, out, n);
    tp_mode_conn_close(c);
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

static void http_not_http(const tp_mode_conn *c)
{
    http_text(c, "400 Bad Request",
              "400 Bad Request\n\ntlsprobe serve --http answers HTTP/1.x requests; what "
              "the client sent is not one.\nFor a line echo, run tlsprobe serve --echo.\n");
}

/* One request per connection. */
typedef struct {
    wire_buf req; /* the request head so far */
    bool answered;
} http_state;

static void http_on_open(void *st, const tp_mode_conn *c)
{
    (void)c;
    wire_buf_init(&((http_state *)st)->req, HTTP_MAX_REQUEST);
}

static void http_on_close(void *st, const tp_mode_conn *c)
{
    (void)c;
    wire_buf_cleanup(&((http_state *)st)->req);
}

/* What the request so far asks for; false while it is incomplete. */
static bool http_answer(const tp_mode_conn *c, const uint8_t *got, size_t got_len)
{
    size_t pre = got_len < sizeof h2_preface - 1 ? got_len : sizeof h2_preface - 1;
    if (memcmp(got, h2_preface, pre) == 0) {
        if (pre < sizeof h2_preface - 1)
            return false; /* the preface so far: wait for the rest */
        http2_goaway(c);
        return true;
    }
    if (http_cannot_be_request(got, got_len)) {
        http_not_http(c);
        return true;
    }
    size_t head_len = http_head_end((const char *)got, got_len);
    if (!head_len)
        return false;
    http_req r;
    if (!http_parse((const char *)got, head_len, &r)) {
        http_simple(c, "400 Bad Request");
    } else if (strcmp(r.method, "GET") != 0 && strcmp(r.method, "HEAD") != 0) {
        http_simple(c, "405 Method Not Allowed");
    } else if (tok_eq(r.target, r.target_len, "/favicon.ico")) {
        http_simple(c, "404 Not Found");
    } else {
        http_status_page(c, &r, strcmp(r.method, "HEAD") == 0);
    }
    return true;
}

static void http_on_data(void *st, const tp_mode_conn *c, const uint8_t *data, size_t len)
{
    http_state *h = st;
    if (h->answered)
        return; /* one request per connection; the rest is ignored */
    wire_buf_add_bytes(&h->req, data, len);
    if (!wire_buf_ok(&h->req)) {
        h->answered = true;
        wire_buf_cleanup(&h->req);
        http_simple(c, "431 Request Header Fields Too Large"); /* RFC 6585 5 */
        return;
    }
    if (http_answer(c, wire_buf_data(&h->req), wire_buf_len(&h->req))) {
        h->answered = true;
        wire_buf_cleanup(&h->req);
    }
}

/* ---- the tables ---- */

static const tp_mode_ops mode_echo = {
    .name = "echo",
    .idle_timeout = true,
    .on_appdata = echo_on_data,
};

static const tp_mode_ops mode_http = {
    .name = "http",
    .state_size = sizeof(http_state),
    .on_open = http_on_open,
    .on_appdata = http_on_data,
    .on_close = http_on_close,
};


const tp_mode_ops *tp_mode_ops_get(tp_mode mode)
{
    switch (mode) {
    case TP_MODE_ECHO:
        return &mode_echo;
    case TP_MODE_INTERACTIVE:
        return &tp_mode_interactive;
    case TP_MODE_SMTP:
    case TP_MODE_IMAP:
    case TP_MODE_POP3:
        return tp_mail_mode_ops(mode);
    case TP_MODE_PROXY:
        return &tp_mode_proxy;
    case TP_MODE_HTTP:
    default:
        return &mode_http;
    }
}
