/* JSON lines trace: one object per event, keys in the order of
 * docs/trace-format.md ("event", "conn", "t" first). */
#include "json_sink.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/outfile.h"
#include "../wire/buf.h"
#include "../wire/record.h"
#include "json_util.h"
#include "json_write.h"
#include "mail_render.h"
#include "verdict_render.h"
#include "wire_json.h"

typedef struct {
    tp_sink base;
    FILE *out;             /* a stream (stdout, memstream), or */
    capture_outfile *file; /* a file written in whole lines, or */
    bool records;
    pthread_mutex_t lock;
    char *batch; /* report_json_sink_batch: lines held for the next flush */
    size_t batch_len;
} json_sink;

enum { BATCH_CAP = 64 * 1024 };

static void batch_flush_locked(json_sink *s)
{
    if (s->batch_len)
        (void)capture_outfile_write(s->file, s->batch, s->batch_len);
    s->batch_len = 0;
}

/* One line and its newline out in one piece (or held whole in the batch);
 * called with the lock held. */
static void put_line(json_sink *s, const char *line, size_t len)
{
    if (s->batch) {
        if (s->batch_len + len + 1 > BATCH_CAP)
            batch_flush_locked(s);
        if (len + 1 <= BATCH_CAP) {
            memcpy(s->batch + s->batch_len, line, len);
            s->batch[s->batch_len + len] = '\n';
            s->batch_len += len + 1;
            return;
        }
    }
    if (s->file) { /* the file reports its error */
        char stack[2048];
        char *copy = len < sizeof stack ? stack : malloc(len + 1);
        if (copy) {
            memcpy(copy, line, len);
            copy[len] = '\n';
            (void)capture_outfile_write(s->file, copy, len + 1);
        }
        if (copy != stack)
            free(copy);
    } else {
        fwrite(line, 1, len, s->out);
        fputc('\n', s->out);
    }
}

static const char *content_name(unsigned type, char *buf, size_t len)
{
    const char *n = wire_content_type_name(type);
    if (!n)
        snprintf(buf, len, "unknown(%u)", type);
    return n ? n : buf;
}

static const char *version_name(uint16_t v, char *buf, size_t len)
{
    const char *n = wire_version_name(v);
    if (!n)
        snprintf(buf, len, "0x%04x", v);
    return n ? n : buf;
}

/* A TLS 1.3 record opened with zero bytes after its inner type: the
 * verifier counts them in padding_len without has_padding (CBC only). */
static bool tls13_padding(const tp_record_check *c)
{
    return c->is_protected && c->integrity == TP_INTEGRITY_OK && !c->has_padding && c->padding_len;
}

static void add_record(json_object *o, const tp_event *ev, bool records)
{
    const wire_record *r = ev->u.record.rec;
    const tp_record_check *c = ev->u.record.check;
    char b1[24], b2[24];
    report_json_add_static(o, "type", json_object_new_string(content_name(r->type, b1, sizeof b1)));
    report_json_add_static(o, "version",
                           json_object_new_string(version_name(r->version, b2, sizeof b2)));
    report_json_add_static(o, "length", json_object_new_int(r->length));
    report_json_add_static(o, "protected", json_object_new_boolean(c->is_protected));
    if (c->is_protected) {
        static const char *const integrity[] = {"unchecked", "ok", "bad"};
        if (c->integrity == TP_INTEGRITY_OK) {
            report_json_add_static(
                o, "inner_type",
                json_object_new_string(content_name(c->inner_type, b1, sizeof b1)));
            report_json_add_static(o, "plaintext_length",
                                   json_object_new_int64((int64_t)c->plaintext_len));
        }
        report_json_add_static(o, "integrity", json_object_new_string(integrity[c->integrity]));
        if (c->has_padding) {
            json_object *pad = json_object_new_object();
            report_json_add_static(pad, "length", json_object_new_int64((int64_t)c->padding_len));
            report_json_add_static(pad, "valid", json_object_new_boolean(c->padding_valid));
            report_json_add_static(pad, "minimal", json_object_new_boolean(c->padding_minimal));
            report_json_add_static(o, "padding", pad);
        }
        if (tls13_padding(c))
            report_json_add_static(o, "tls13_padding",
                                   json_object_new_int64((int64_t)c->padding_len));
        if (c->detail && c->integrity != TP_INTEGRITY_OK)
            report_json_add_static(o, "detail", json_object_new_string(c->detail));
    }
    if (ev->u.record.quirk)
        report_json_add_static(o, "quirk", json_object_new_string(ev->u.record.quirk));
    if (records) {
        report_json_add_static(o, "ciphertext",
                               report_json_hex(cur_data(&r->fragment), cur_len(&r->fragment)));
        if (c->is_protected && c->integrity == TP_INTEGRITY_OK && c->plaintext)
            report_json_add_static(o, "plaintext", report_json_hex(c->plaintext, c->plaintext_len));
    }
}

static void add_handshake(json_object *o, const tp_event *ev)
{
    const wire_handshake *m = ev->u.handshake.msg;
    report_json_handshake_fill(o, m);
    if (ev->u.handshake.is_protected)
        report_json_add_static(o, "protected", json_object_new_boolean(true));
    if (m->type == WIRE_HS_FINISHED && ev->u.handshake.verified >= 0) {
        report_json_add_static(o, "verified",
                               json_object_new_boolean(ev->u.handshake.verified == 1));
        if (ev->u.handshake.verified == 0 && ev->u.handshake.expected)
            report_json_add_static(
                o, "expected",
                report_json_hex(ev->u.handshake.expected, ev->u.handshake.expected_len));
    }
    if (ev->u.handshake.ja3_md5) {
        report_json_add_static(o, "ja3", json_object_new_string(ev->u.handshake.ja3_md5));
        report_json_add_static(o, "ja3_string", json_object_new_string(ev->u.handshake.ja3));
    }
    if (ev->u.handshake.ja4)
        report_json_add_static(o, "ja4", json_object_new_string(ev->u.handshake.ja4));
}

json_object *report_json_event(const tp_event *ev, bool records)
{
    static const char *const names[] = {
        [TP_EV_ACCEPT] = "accept", [TP_EV_RECORD] = "record",   [TP_EV_HANDSHAKE] = "handshake",
        [TP_EV_ALERT] = "alert",   [TP_EV_APPDATA] = "appdata", [TP_EV_SECRET] = "secret",
        [TP_EV_NOTE] = "note",     [TP_EV_VERDICT] = "verdict", [TP_EV_MAIL] = "mail",
    };
    if (ev->type == TP_EV_DATA || ev->type == TP_EV_CLOSE)
        return NULL;
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    report_json_add_static(o, "event", json_object_new_string(names[ev->type]));
    report_json_add_static(o, "conn", json_object_new_int64(ev->conn));
    report_json_add_static(o, "t", report_json_seconds(ev->t));
    switch (ev->type) {
    case TP_EV_ACCEPT:
        report_json_add_static(o, "peer", json_object_new_string(ev->u.accept.peer));
        report_json_add_static(o, "local", json_object_new_string(ev->u.accept.local));
        if (ev->u.accept.wall > 0)
            report_json_add_static(o, "wall", json_object_new_double(ev->u.accept.wall));
        break;
    case TP_EV_RECORD:
        report_json_add_static(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
        add_record(o, ev, records);
        break;
    case TP_EV_HANDSHAKE:
        report_json_add_static(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
        add_handshake(o, ev);
        break;
    case TP_EV_ALERT:
        report_json_add_static(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
        report_json_add_static(o, "level", json_object_new_string(ev->u.alert.level));
        report_json_add_static(o, "description", json_object_new_string(ev->u.alert.description));
        report_json_add_static(o, "protected", json_object_new_boolean(ev->u.alert.is_protected));
        break;
    case TP_EV_APPDATA:
        report_json_add_static(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
        report_json_add_static(o, "length", json_object_new_int64((int64_t)ev->u.appdata.len));
        if (records)
            report_json_add_static(o, "data",
                                   report_json_hex(ev->u.appdata.bytes, ev->u.appdata.len));
        break;
    case TP_EV_SECRET: {
        /* the label only: the secrets themselves go to the key log */
        const char *line = ev->u.secret.line;
        const char *sp = strchr(line, ' ');
        report_json_add_static(
            o, "label",
            json_object_new_string_len(line, sp ? (int)(sp - line) : (int)strlen(line)));
        break;
    }
    case TP_EV_NOTE:
        report_json_add_static(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
        report_json_add_static(o, "text", json_object_new_string(ev->u.note.text));
        break;
    case TP_EV_VERDICT:
        report_json_verdict_fill(o, ev->u.verdict);
        break;
    case TP_EV_MAIL:
        report_json_mail_fill(o, ev);
        break;
    default:
        break;
    }
    return o;
}

/* ---- the per-record fast path ------------------------------------------
 * Record and appdata events are most of a long trace (decode of a large
 * capture writes two per record).  Without --records they hold only names,
 * numbers and a short detail, so they are written straight into a line
 * buffer; the bytes are the same as the json-c rendering above (a unit test
 * compares the two). */

static void lb_head(wire_buf *b, const char *event, const tp_event *ev)
{
    char t[40];
    size_t tl = report_json_format_seconds(t, sizeof t, ev->t);
    wire_buf_add_str(b, "{\"event\":\"");
    wire_buf_add_str(b, event);
    wire_buf_add_str(b, "\",\"conn\":");
    wire_buf_add_uint(b, ev->conn);
    wire_buf_add_str(b, ",\"t\":");
    wire_buf_add_bytes(b, t, tl);
    wire_buf_add_str(b, ",\"dir\":\"");
    wire_buf_add_str(b, tp_dir_name(ev->dir));
    wire_buf_add_str(b, "\"");
}

bool report_json_event_fast(const tp_event *ev, bool records, char *buf, size_t cap,
                            size_t *out_len)
{
    if (records || (ev->type != TP_EV_RECORD && ev->type != TP_EV_APPDATA))
        return false;
    wire_buf b;
    wire_buf_init_fixed(&b, buf, cap);
    char n1[24], n2[24];
    if (ev->type == TP_EV_APPDATA) {
        lb_head(&b, "appdata", ev);
        wire_buf_add_str(&b, ",\"length\":");
        wire_buf_add_uint(&b, ev->u.appdata.len);
    } else {
        const wire_record *r = ev->u.record.rec;
        const tp_record_check *c = ev->u.record.check;
        lb_head(&b, "record", ev);
        wire_buf_add_str(&b, ",\"type\":");
        wire_buf_add_json_str(&b, content_name(r->type, n1, sizeof n1));
        wire_buf_add_str(&b, ",\"version\":");
        wire_buf_add_json_str(&b, version_name(r->version, n2, sizeof n2));
        wire_buf_add_str(&b, ",\"length\":");
        wire_buf_add_uint(&b, r->length);
        wire_buf_add_str(&b, c->is_protected ? ",\"protected\":true" : ",\"protected\":false");
        if (c->is_protected) {
            static const char *const integrity[] = {"unchecked", "ok", "bad"};
            if (c->integrity == TP_INTEGRITY_OK) {
                wire_buf_add_str(&b, ",\"inner_type\":");
                wire_buf_add_json_str(&b, content_name(c->inner_type, n1, sizeof n1));
                wire_buf_add_str(&b, ",\"plaintext_length\":");
                wire_buf_add_uint(&b, c->plaintext_len);
            }
            wire_buf_add_str(&b, ",\"integrity\":\"");
            wire_buf_add_str(&b, integrity[c->integrity]);
            wire_buf_add_str(&b, "\"");
            if (c->has_padding) {
                wire_buf_add_str(&b, ",\"padding\":{\"length\":");
                wire_buf_add_uint(&b, c->padding_len);
                wire_buf_add_str(&b, c->padding_valid ? ",\"valid\":true" : ",\"valid\":false");
                wire_buf_add_str(&b,
                                 c->padding_minimal ? ",\"minimal\":true}" : ",\"minimal\":false}");
            }
            if (tls13_padding(c)) {
                wire_buf_add_str(&b, ",\"tls13_padding\":");
                wire_buf_add_uint(&b, c->padding_len);
            }
            if (c->detail && c->integrity != TP_INTEGRITY_OK) {
                wire_buf_add_str(&b, ",\"detail\":");
                wire_buf_add_json_str(&b, c->detail);
            }
        }
        if (ev->u.record.quirk) {
            wire_buf_add_str(&b, ",\"quirk\":");
            wire_buf_add_json_str(&b, ev->u.record.quirk);
        }
    }
    wire_buf_add_char(&b, '}');
    if (!wire_buf_ok(&b))
        return false;
    *out_len = wire_buf_len(&b);
    return true;
}

static void json_on_event(tp_sink *self, const tp_event *ev)
{
    json_sink *s = (json_sink *)self;
    char fast[1024];
    size_t fast_len;
    if (report_json_event_fast(ev, s->records, fast, sizeof fast, &fast_len)) {
        pthread_mutex_lock(&s->lock);
        put_line(s, fast, fast_len);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    if (ev->type == TP_EV_CLOSE) {
        pthread_mutex_lock(&s->lock);
        if (s->out)
            fflush(s->out);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    json_object *o = report_json_event(ev, s->records);
    if (!o)
        return;
    char stack[8192]; /* a ClientHello's line is about 2 KB */
    wire_buf b;
    wire_buf_init_fixed(&b, stack, sizeof stack);
    report_json_write(&b, o);
    size_t len = wire_buf_len(&b);
    const char *line = wire_buf_ok(&b) ? stack : report_json_line_len(o, &len);
    if (line) {
        pthread_mutex_lock(&s->lock);
        put_line(s, line, len);
        if (ev->type == TP_EV_VERDICT && s->out)
            fflush(s->out);
        pthread_mutex_unlock(&s->lock);
    }
    json_object_put(o);
}

static tp_sink *sink_new(FILE *out, capture_outfile *file, bool records)
{
    json_sink *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    *s = (json_sink){.base.on_event = json_on_event, .out = out, .file = file, .records = records};
    pthread_mutex_init(&s->lock, NULL);
    return &s->base;
}

tp_sink *report_json_sink_new(FILE *out, bool records)
{
    return sink_new(out, NULL, records);
}

tp_sink *report_json_sink_new_file(capture_outfile *file, bool records)
{
    return sink_new(NULL, file, records);
}

bool report_json_sink_batch(tp_sink *base)
{
    json_sink *s = (json_sink *)base;
    if (!s->file || s->batch)
        return s->batch != NULL;
    s->batch = malloc(BATCH_CAP);
    return s->batch != NULL;
}

void report_json_sink_flush(tp_sink *base)
{
    json_sink *s = (json_sink *)base;
    if (!s || !s->batch)
        return;
    pthread_mutex_lock(&s->lock);
    batch_flush_locked(s);
    pthread_mutex_unlock(&s->lock);
}

void report_json_sink_free(tp_sink *base)
{
    if (!base)
        return;
    json_sink *s = (json_sink *)base;
    report_json_sink_flush(base);
    if (s->out)
        fflush(s->out);
    pthread_mutex_destroy(&s->lock);
    free(s->batch);
    free(s);
}
