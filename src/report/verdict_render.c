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
    report_json_add_static(o, "from", json_object_new_string(a->from ? a->from : "?"));
    report_json_add_static(o, "level", json_object_new_string(a->level ? a->level : "?"));
    report_json_add_static(o, "description",
                           json_object_new_string(a->description ? a->description : "?"));
    if (always_protected || a->is_protected)
        report_json_add_static(o, "protected", json_object_new_boolean(a->is_protected));
}

static json_object *u64(unsigned long long n)
{
    return json_object_new_int64((int64_t)n);
}

static json_object *transport_json(const tp_layers *l)
{
    json_object *t = json_object_new_object();
    report_json_add_static(t, "opened_by",
                           json_object_new_string(tp_actor_name(l->transport.opened_by)));
    report_json_add_static(t, "closed_by",
                           json_object_new_string(tp_actor_name(l->transport.closed_by)));
    report_json_add_static(t, "how", report_json_str_or_null(tp_close_how_name(l->transport.how)));
    report_json_add_static(t, "c2s_bytes", u64(l->transport.c2s_bytes));
    report_json_add_static(t, "s2c_bytes", u64(l->transport.s2c_bytes));
    return t;
}

static json_object *handshake_json(const tp_layers *l)
{
    json_object *h = json_object_new_object();
    report_json_add_static(h, "done", json_object_new_boolean(l->handshake.done));
    report_json_add_static(h, "client_last", report_json_str_or_null(l->handshake.client_last));
    report_json_add_static(h, "server_last", report_json_str_or_null(l->handshake.server_last));
    report_json_add_static(h, "hello_retry", json_object_new_boolean(l->handshake.hello_retry));
    json_object *alerts = json_object_new_array();
    for (unsigned i = 0; i < l->handshake.num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        json_object *a = json_object_new_object();
        add_alert(a, &l->handshake.alerts[i], true);
        json_object_array_add(alerts, a);
    }
    report_json_add_static(h, "alerts", alerts);
    return h;
}

static json_object *tally_json(const tp_record_tally *t)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "total", json_object_new_int64(t->total));
    report_json_add_static(o, "protected", json_object_new_int64(t->protected_n));
    report_json_add_static(o, "ok", json_object_new_int64(t->ok));
    report_json_add_static(o, "bad", json_object_new_int64(t->bad));
    report_json_add_static(o, "unchecked", json_object_new_int64(t->unchecked));
    report_json_add_static(o, "first_bad",
                           t->first_bad ? json_object_new_int64(t->first_bad) : NULL);
    return o;
}

static json_object *layers_json(const tp_layers *l)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "transport", transport_json(l));
    report_json_add_static(o, "handshake", handshake_json(l));
    json_object *r = json_object_new_object();
    report_json_add_static(r, "c2s", tally_json(&l->records[TP_C2S]));
    report_json_add_static(r, "s2c", tally_json(&l->records[TP_S2C]));
    report_json_add_static(o, "records", r);
    json_object *a = json_object_new_object();
    report_json_add_static(a, "c2s_bytes", u64(l->app.c2s_bytes));
    report_json_add_static(a, "s2c_bytes", u64(l->app.s2c_bytes));
    report_json_add_static(a, "fit", report_json_str_or_null(l->app.fit));
    report_json_add_static(a, "note", report_json_str_or_null(l->app.note[0] ? l->app.note : NULL));
    report_upstream_json_add(a, &l->app.upstream);
    report_json_add_static(o, "app", a);
    return o;
}

void report_json_verdict_fill(json_object *o, const tp_verdict *v)
{
    report_json_add_static(o, "outcome", json_object_new_string(tp_outcome_name(v->outcome)));
    report_json_add_static(o, "phase", json_object_new_string(tp_phase_name(v->phase)));
    report_json_add_static(o, "actor", json_object_new_string(tp_actor_name(v->actor)));
    report_json_add_static(o, "cause", report_json_str_or_null(v->cause));
    report_json_add_static(o, "protocol", report_json_str_or_null(v->protocol));
    report_json_add_static(o, "kx", report_json_str_or_null(v->kx));
    report_json_add_static(o, "cipher", report_json_str_or_null(v->cipher));
    report_json_add_static(o, "mac", report_json_str_or_null(v->mac));
    report_json_add_static(o, "group", report_json_str_or_null(v->group));
    report_json_add_static(o, "sigalg", report_json_str_or_null(v->sigalg));
    json_object *a = NULL;
    if (v->has_alert) {
        a = json_object_new_object();
        add_alert(a, &v->alert, false);
    }
    report_json_add_static(o, "alert", a);
    report_json_add_static(o, "summary", json_object_new_string(v->summary));
    report_json_add_static(o, "layers", layers_json(&v->layers));
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
