/* Human trace on a terminal or a log: every line starts with the
 * connection number so interleaved connections stay readable. */
#include "text_sink.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../wire/record.h"
#include "relations_render.h"
#include "verdict_render.h"
#include "wire_text.h"

typedef struct {
    tp_sink base;
    FILE *out;
    int verbosity;
    bool color;
    bool records;
    pthread_mutex_t lock;
} text_sink;

#define C_RESET "\033[0m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_DIM "\033[2m"

bool report_text_want_color(FILE *out)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    return isatty(fileno(out)) == 1;
}

static const char *col(const text_sink *s, const char *code)
{
    return s->color ? code : "";
}

/* Writes one line (already holding the lock). */
static void line(text_sink *s, unsigned conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line(text_sink *s, unsigned conn, const char *fmt, ...)
{
    va_list ap;
    fprintf(s->out, "%s[%u]%s ", col(s, C_DIM), conn, col(s, C_RESET));
    va_start(ap, fmt);
    vfprintf(s->out, fmt, ap);
    va_end(ap);
    fputc('\n', s->out);
}

static void hexdump(text_sink *s, const char *title, const uint8_t *p, size_t len)
{
    fprintf(s->out, "      %s (%zu bytes)\n", title, len);
    for (size_t off = 0; off < len; off += 16) {
        char hex[16 * 3 + 1], asc[17];
        size_t n = len - off < 16 ? len - off : 16;
        for (size_t i = 0; i < 16; i++) {
            if (i < n)
                snprintf(hex + 3 * i, 4, "%02x ", p[off + i]);
            else
                memcpy(hex + 3 * i, "   ", 4);
            asc[i] = i < n ? (p[off + i] >= 32 && p[off + i] < 127 ? (char)p[off + i] : '.') : '\0';
        }
        asc[16] = '\0';
        fprintf(s->out, "      %06zx  %s %s\n", off, hex, asc);
    }
}

static const char *dir_arrow(const text_sink *s, tp_dir d)
{
    (void)s;
    return d == TP_C2S ? "client → server" : "server → client";
}

static void on_record(text_sink *s, const tp_event *ev)
{
    const wire_record *r = ev->u.record.rec;
    const tp_record_check *c = ev->u.record.check;
    const char *type = wire_content_type_name(r->type);
    const char *ver = wire_version_name(r->version);
    char extra[200] = "";
    if (c->is_protected) {
        if (c->integrity == TP_INTEGRITY_OK) {
            const char *inner = wire_content_type_name(c->inner_type);
            int n = snprintf(extra, sizeof extra, ", protected → %s %zu bytes, integrity ok",
                             inner ? inner : "?", c->plaintext_len);
            if (c->has_padding && n > 0 && (size_t)n < sizeof extra)
                snprintf(extra + n, sizeof extra - (size_t)n, ", padding %zu %s%s", c->padding_len,
                         c->padding_valid ? "valid" : "INVALID",
                         c->padding_minimal ? " minimal" : " not minimal");
            else if (c->padding_len && n > 0 && (size_t)n < sizeof extra) /* TLS 1.3 zeros */
                snprintf(extra + n, sizeof extra - (size_t)n, ", TLS 1.3 padding %zu",
                         c->padding_len);
        } else if (c->integrity == TP_INTEGRITY_BAD) {
            snprintf(extra, sizeof extra, ", protected, %sintegrity BAD%s (%s)", col(s, C_RED),
                     col(s, C_RESET), c->detail ? c->detail : "check failed");
        } else {
            snprintf(extra, sizeof extra, ", protected (not checked: %s)",
                     c->detail ? c->detail : "no keys");
        }
    }
    line(s, ev->conn, "%s%s%s record #%u %s %s, %u bytes%s%s%s",
         col(s, ev->dir == TP_C2S ? C_CYAN : C_YELLOW), dir_arrow(s, ev->dir), col(s, C_RESET),
         ev->u.record.index, type ? type : "unknown", ver ? ver : "?", r->length, extra,
         ev->u.record.quirk ? ", shaped by quirk " : "",
         ev->u.record.quirk ? ev->u.record.quirk : "");
    if (s->records) {
        hexdump(s, "ciphertext", cur_data(&r->fragment), cur_len(&r->fragment));
        if (c->is_protected && c->integrity == TP_INTEGRITY_OK && c->plaintext)
            hexdump(s, "plaintext", c->plaintext, c->plaintext_len);
    }
}

static void on_handshake(text_sink *s, const tp_event *ev)
{
    char buf[2048];
    const wire_handshake *m = ev->u.handshake.msg;
    if (s->verbosity <= 0) {
        if (m->type != WIRE_HS_CLIENT_HELLO || ev->dir != TP_C2S)
            return;
        report_text_handshake(buf, sizeof buf, m, 0);
        line(s, ev->conn, "client offers %s", buf);
        return;
    }
    report_text_handshake(buf, sizeof buf, m, 1);
    const char *fin = "";
    if (m->type == WIRE_HS_FINISHED && ev->u.handshake.verified == 1)
        fin = " (verify_data checked: right)";
    else if (m->type == WIRE_HS_FINISHED && ev->u.handshake.verified == 0)
        fin = " (verify_data checked: WRONG)";
    line(s, ev->conn, "  %s %s%s%s", ev->dir == TP_C2S ? "c>" : "s>", buf, fin,
         ev->u.handshake.ja3_md5 ? "" : "");
    if (ev->u.handshake.ja3_md5)
        line(s, ev->conn, "     JA3 %s  JA4 %s", ev->u.handshake.ja3_md5,
             ev->u.handshake.ja4 ? ev->u.handshake.ja4 : "-");
}

static void on_verdict(text_sink *s, const tp_event *ev)
{
    const tp_verdict *v = ev->u.verdict;
    if (v->protocol && s->verbosity >= 0)
        line(s, ev->conn, "negotiated %s %s %s %s%s%s%s%s", v->protocol, v->kx ? v->kx : "-",
             v->cipher ? v->cipher : "-", v->mac ? v->mac : "-", v->group ? " group " : "",
             v->group ? v->group : "", v->sigalg ? " sig " : "", v->sigalg ? v->sigalg : "");
    char head[96];
    report_text_verdict_head(head, sizeof head, v, ev->t);
    const char *c = v->outcome == TP_OUTCOME_OK       ? C_GREEN
                    : v->outcome == TP_OUTCOME_UNUSED ? C_YELLOW
                                                      : C_RED;
    line(s, ev->conn, "%s%s%s (%s): %s", col(s, c), report_verdict_word(v), col(s, C_RESET), head,
         v->summary);
    if (s->verbosity >= 1) {
        char layers[1024];
        report_text_layers(layers, sizeof layers, v);
        line(s, ev->conn, "  %s", layers);
        if (report_text_relations(layers, sizeof layers, v))
            line(s, ev->conn, "  %s", layers);
    }
}

static void text_on_event(tp_sink *self, const tp_event *ev)
{
    text_sink *s = (text_sink *)self;
    pthread_mutex_lock(&s->lock);
    switch (ev->type) {
    case TP_EV_ACCEPT:
        if (s->verbosity >= 0)
            line(s, ev->conn, "connection from %s to %s", ev->u.accept.peer, ev->u.accept.local);
        break;
    case TP_EV_DATA:
        if (s->verbosity >= 2)
            hexdump(s, ev->dir == TP_C2S ? "bytes client → server" : "bytes server → client",
                    ev->u.data.bytes, ev->u.data.len);
        break;
    case TP_EV_RECORD:
        /* --records asks for every record's bytes, whatever the verbosity */
        if (s->verbosity >= 1 || (s->records && s->verbosity >= 0))
            on_record(s, ev);
        break;
    case TP_EV_HANDSHAKE:
        if (s->verbosity >= 0)
            on_handshake(s, ev);
        break;
    case TP_EV_ALERT:
        if (s->verbosity >= 1)
            line(s, ev->conn, "  %s %salert %s %s%s%s", ev->dir == TP_C2S ? "c>" : "s>",
                 col(s, C_RED), ev->u.alert.level, ev->u.alert.description,
                 ev->u.alert.is_protected ? " (protected)" : "", col(s, C_RESET));
        break;
    case TP_EV_APPDATA:
        if (s->verbosity >= 1)
            line(s, ev->conn, "  %s application data, %zu bytes", ev->dir == TP_C2S ? "c>" : "s>",
                 ev->u.appdata.len);
        if (s->records)
            hexdump(s, "application data", ev->u.appdata.bytes, ev->u.appdata.len);
        break;
    case TP_EV_SECRET:
        break;
    case TP_EV_NOTE:
        if (s->verbosity >= 0)
            line(s, ev->conn, "note (%s): %s", tp_dir_name(ev->dir), ev->u.note.text);
        break;
    case TP_EV_VERDICT:
        on_verdict(s, ev);
        break;
    case TP_EV_CLOSE:
        fflush(s->out);
        break;
    case TP_EV_MAIL: /* the mail dialogue, one line each (docs/trace-format.md) */
        if (s->verbosity >= 0)
            line(s, ev->conn, "  %s %s%s: %s%s", ev->dir == TP_C2S ? "c>" : "s>",
                 wire_mail_proto_name(ev->u.mail.proto), ev->u.mail.tls ? " (tls)" : "",
                 ev->u.mail.line, ev->u.mail.too_long ? " ... (over the line limit)" : "");
        if (s->verbosity >= 0 && ev->u.mail.user)
            line(s, ev->conn, "  credentials offered: user %s (password not shown)",
                 ev->u.mail.user);
        break;
    }
    pthread_mutex_unlock(&s->lock);
}

tp_sink *report_text_sink_new(FILE *out, int verbosity, bool color, bool records)
{
    text_sink *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    *s = (text_sink){.base.on_event = text_on_event,
                     .out = out,
                     .verbosity = verbosity,
                     .color = color,
                     .records = records};
    pthread_mutex_init(&s->lock, NULL);
    return &s->base;
}

void report_text_sink_free(tp_sink *base)
{
    if (!base)
        return;
    text_sink *s = (text_sink *)base;
    fflush(s->out);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
