/* See upstream_render.h. */
#include "upstream_render.h"

#include "json_util.h"

void report_upstream_json_add(json_object *app, const tp_upstream_facts *u)
{
    if (u->state == TP_UP_NONE)
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "addr", json_object_new_string(u->addr));
    json_object_object_add(o, "leg", json_object_new_string(u->leg ? u->leg : "plain"));
    json_object_object_add(o, "state", json_object_new_string(tp_upstream_state_name(u->state)));
    json_object_object_add(o, "error", report_json_str_or_null(u->error[0] ? u->error : NULL));
    json_object_object_add(o, "tls", report_json_str_or_null(u->tls[0] ? u->tls : NULL));
    json_object_object_add(o, "connect_t", report_json_seconds(u->connect_t));
    json_object_object_add(o, "c2u_bytes", json_object_new_int64((int64_t)u->c2u_bytes));
    json_object_object_add(o, "u2c_bytes", json_object_new_int64((int64_t)u->u2c_bytes));
    json_object_object_add(o, "closed_first", json_object_new_boolean(u->closed));
    if (u->closed) {
        json_object_object_add(o, "closed_t", report_json_seconds(u->closed_t));
        json_object_object_add(o, "reset", json_object_new_boolean(u->reset));
    }
    json_object_object_add(app, "upstream", o);
}

void report_upstream_text(wire_buf *b, const tp_upstream_facts *u)
{
    if (u->state == TP_UP_NONE)
        return;
    wire_buf_printf(b, "; upstream %s %s", u->addr, tp_upstream_state_name(u->state));
    if (u->error[0])
        wire_buf_printf(b, " (%s)", u->error);
    if (u->tls[0])
        wire_buf_printf(b, ", %s", u->tls);
    wire_buf_printf(b, ", %llu bytes to it, %llu back", u->c2u_bytes, u->u2c_bytes);
    if (u->closed)
        wire_buf_printf(b, ", it %s first", u->reset ? "reset" : "closed");
}
