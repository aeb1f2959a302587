/* See resumption_render.h. */
#include "resumption_render.h"

#include <stdio.h>

#include "json_util.h"

static bool worth_saying(const tp_resumption *r)
{
    return r->offered_id || r->offered_ticket || r->offered_psk || r->resumed ||
           (r->external_psk && r->early);
}

/* --resumption as the server had it: "id,ticket,psk", "none". */
static json_object *server_modes(unsigned m)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s%s%s", m & TP_RES_ID ? ",id" : "", m & TP_RES_TICKET ? ",ticket" : "",
             m & TP_RES_PSK ? ",psk" : "");
    return json_object_new_string(buf[0] ? buf + 1 : "none");
}

static json_object *relation_json(const tp_resumption *r)
{
    json_object *o = json_object_new_object();
    const char *offered = r->offered_psk      ? "psk"
                          : r->offered_ticket ? "ticket"
                          : r->offered_id     ? "session-id"
                                              : NULL;
    report_json_add_static(o, "offered", report_json_str_or_null(offered));
    report_json_add_static(o, "resumed", json_object_new_boolean(r->resumed));
    report_json_add_static(o, "how", report_json_str_or_null(r->how));
    report_json_add_static(o, "psk_mode", report_json_str_or_null(r->psk_mode));
    report_json_add_static(o, "external_psk", json_object_new_boolean(r->external_psk));
    report_json_add_static(o, "why", report_json_str_or_null(tp_resumption_why(r)));
    report_json_add_static(o, "server", r->server_known ? server_modes(r->server_modes) : NULL);
    report_json_add_static(o, "early_data", report_json_str_or_null(r->early));
    report_json_add_static(o, "early_records", json_object_new_int((int)r->early_records));
    report_json_add_static(o, "early_replay", json_object_new_boolean(r->early_replay));
    report_json_add_static(o, "tickets", json_object_new_int((int)r->tickets));
    return o;
}

void report_json_resumption(json_object *o, const tp_verdict *v)
{
    const tp_resumption *r = &v->relations.resumption;
    json_object *layers, *hs;
    if (json_object_object_get_ex(o, "layers", &layers) &&
        json_object_object_get_ex(layers, "handshake", &hs)) {
        report_json_add_static(hs, "resumed", json_object_new_boolean(r->resumed));
        report_json_add_static(hs, "resumption", report_json_str_or_null(r->how));
        report_json_add_static(hs, "early_data", report_json_str_or_null(r->early));
    }
    if (!worth_saying(r))
        return;
    json_object *rel;
    if (!json_object_object_get_ex(o, "relations", &rel)) {
        rel = json_object_new_object();
        report_json_add_static(o, "relations", rel);
    }
    report_json_add_static(rel, "resumption", relation_json(r));
}

void report_text_resumption(wire_buf *b, const tp_resumption *r)
{
    char say[240];
    tp_resumption_say(r, say, sizeof say);
    if (say[0])
        wire_buf_printf(b, "; resumption: %s", say);
    else if (r->offered_psk || r->offered_ticket || r->offered_id)
        wire_buf_printf(b, "; resumption offered, not decided");
}
