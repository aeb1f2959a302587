/* Verdict rendering shared by the JSON trace, the text trace and the
 * sweep's results, so all say the same. */
#include "verdict_render.h"

#include <stdio.h>
#include <string.h>

#include "../wire/buf.h"
#include "json_util.h"
#include "relations_render.h"
#include "upstream_render.h"
#include "resumption_render.h"

static void add_alert(json_object *o, const tp_alert_info *a, bool always_protected)
{
    json_object_object_add(o, "from", json_object_new_string(a->from ? a->from : "?"));
    json_object_object_add(o, "level", json_object_new_string(a->level ? a->level : "?"));
    json_object_object_add(o, "description",
                           json_object_new_string(a->description ? a->description : "?"));
    if (always_protected || a->is_protected)
        json_object_object_add(o, "protected", json_object_new_boolean(a->is_protected));
}

static json_object *u64(unsigned long long n)
{
    return json_object_new_int64((int64_t)n);
}

static json_object *transport_json(const tp_layers *l)
{
    json_object *t = json_object_new_object();
    json_object_object_add(t, "opened_by",
                           json_object_new_string(tp_actor_name(l->transport.opened_by)));
    json_object_object_add(t, "closed_by",
                           json_object_new_string(tp_actor_name(l->transport.closed_by)));
    json_object_object_add(t, "how", report_json_str_or_null(tp_close_how_name(l->transport.how)));
    json_object_object_add(t, "c2s_bytes", u64(l->transport.c2s_bytes));
    json_object_object_add(t, "s2c_bytes", u64(l->transport.s2c_bytes));
    return t;
}

static json_object *handshake_json(const tp_layers *l)
{
    json_object *h = json_object_new_object();
    json_object_object_add(h, "done", json_object_new_boolean(l->handshake.done));
    json_object_object_add(h, "client_last", report_json_str_or_null(l->handshake.client_last));
    json_object_object_add(h, "server_last", report_json_str_or_null(l->handshake.server_last));
    json_object_object_add(h, "hello_retry", json_object_new_boolean(l->handshake.hello_retry));
    json_object *alerts = json_object_new_array();
    for (unsigned i = 0; i < l->handshake.num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        json_object *a = json_object_new_object();
        add_alert(a, &l->handshake.alerts[i], true);
        json_object_array_add(alerts, a);
    }
    json_object_object_add(h, "alerts", alerts);
    return h;
}

static json_object *tally_json(const tp_record_tally *t)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "total", json_object_new_int64(t->total));
    json_object_object_add(o, "protected", json_object_new_int64(t->protected_n));
    json_object_object_add(o, "ok", json_object_new_int64(t->ok));
    json_object_object_add(o, "bad", json_object_new_int64(t->bad));
    json_object_object_add(o, "unchecked", json_object_new_int64(t->unchecked));
    json_object_object_add(o, "first_bad",
                           t->first_bad ? json_object_new_int64(t->first_bad) : NULL);
    return o;
}

static json_object *layers_json(const tp_layers *l)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "transport", transport_json(l));
    json_object_object_add(o, "handshake", handshake_json(l));
    json_object *r = json_object_new_object();
    json_object_object_add(r, "c2s", tally_json(&l->records[TP_C2S]));
    json_object_object_add(r, "s2c", tally_json(&l->records[TP_S2C]));
    json_object_object_add(o, "records", r);
    json_object *a = json_object_new_object();
    json_object_object_add(a, "c2s_bytes", u64(l->app.c2s_bytes));
    json_object_object_add(a, "s2c_bytes", u64(l->app.s2c_bytes));
    json_object_object_add(a, "fit", report_json_str_or_null(l->app.fit));
    json_object_object_add(a, "note", report_json_str_or_null(l->app.note[0] ? l->app.note : NULL));
    report_upstream_json_add(a, &l->app.upstream);
    json_object_object_add(o, "app", a);
    return o;
}

void report_json_verdict_fill(json_object *o, const tp_verdict *v)
{
    json_object_object_add(o, "outcome", json_object_new_string(tp_outcome_name(v->outcome)));
    json_object_object_add(o, "phase", json_object_new_string(tp_phase_name(v->phase)));
    json_object_object_add(o, "actor", json_object_new_string(tp_actor_name(v->actor)));
    json_object_object_add(o, "cause", report_json_str_or_null(v->cause));
    json_object_object_add(o, "protocol", report_json_str_or_null(v->protocol));
    json_object_object_add(o, "kx", report_json_str_or_null(v->kx));
    json_object_object_add(o, "cipher", report_json_str_or_null(v->cipher));
    json_object_object_add(o, "mac", report_json_str_or_null(v->mac));
    json_object_object_add(o, "group", report_json_str_or_null(v->group));
    json_object_object_add(o, "sigalg", report_json_str_or_null(v->sigalg));
    json_object *a = NULL;
    if (v->has_alert) {
        a = json_object_new_object();
        add_alert(a, &v->alert, false);
    }
    json_object_object_add(o, "alert", a);
    json_object_object_add(o, "summary", json_object_new_string(v->summary));
    json_object_object_add(o, "layers", layers_json(&v->layers));
    report_json_verdict_relations(o, v);
    report_json_resumption(o, v);
}

const char *report_verdict_word(const tp_verdict *v)
{
    switch (v->outcome) {
    case TP_OUTCOME_OK:
        return "OK";
    case TP_OUTCOME_UNUSED:
        return "UNUSED";
    case TP_OUTCOME_FAIL:
        break;
    }
    return "FAIL";
}

void report_text_verdict_head(char *buf, size_t cap, const tp_verdict *v, double t)
{
    if (v->actor == TP_ACTOR_NONE)
        snprintf(buf, cap, "%s, %.3f s", tp_phase_name(v->phase), t);
    else
        snprintf(buf, cap, "%s, %s, %.3f s", tp_phase_name(v->phase), tp_actor_name(v->actor), t);
}

static void put_tally(wire_buf *b, const char *dir, const tp_record_tally *t)
{
    wire_buf_printf(b, " %s %u", dir, t->total);
    if (t->protected_n)
        wire_buf_printf(b, " (%u protected: %u ok, %u bad, %u unchecked)", t->protected_n, t->ok,
                        t->bad, t->unchecked);
    if (t->first_bad)
        wire_buf_printf(b, " first bad #%u", t->first_bad);
}

void report_text_layers(char *buf, size_t cap, const tp_verdict *v)
{
    const tp_layers *l = &v->layers;
    wire_buf b;
    wire_buf_init(&b, 0);
    const char *how = tp_close_how_name(l->transport.how);
    wire_buf_printf(&b,
                    "layers: transport opened by %s, closed by %s (%s), %llu bytes c2s, %llu s2c",
                    tp_actor_name(l->transport.opened_by), tp_actor_name(l->transport.closed_by),
                    how ? how : "-", l->transport.c2s_bytes, l->transport.s2c_bytes);
    wire_buf_printf(&b, "; handshake %s (client: %s, server: %s%s)",
                    l->handshake.done ? "done" : "not done",
                    l->handshake.client_last ? l->handshake.client_last : "-",
                    l->handshake.server_last ? l->handshake.server_last : "-",
                    l->handshake.hello_retry ? ", HelloRetryRequest" : "");
    for (unsigned i = 0; i < l->handshake.num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        const tp_alert_info *a = &l->handshake.alerts[i];
        wire_buf_printf(&b, "%s%s %s %s (%s)", i ? ", " : ", alerts: ", a->from, a->level,
                        a->description, a->is_protected ? "protected" : "in the clear");
    }
    wire_buf_printf(&b, "; records");
    put_tally(&b, "c2s", &l->records[TP_C2S]);
    wire_buf_printf(&b, ",");
    put_tally(&b, "s2c", &l->records[TP_S2C]);
    wire_buf_printf(&b, "; app %llu bytes c2s, %llu s2c", l->app.c2s_bytes, l->app.s2c_bytes);
    if (l->app.fit)
        wire_buf_printf(&b, ", %s", l->app.fit);
    if (l->app.note[0])
        wire_buf_printf(&b, " (%s)", l->app.note);
    report_upstream_text(&b, &l->app.upstream);
    /* a line longer than buf is cut short, without a mark */
    wire_buf_copy_out(&b, buf, cap, "");
    wire_buf_cleanup(&b);
}
