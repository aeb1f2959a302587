/* {"event":"mail","dir":"c2s","proto":"smtp","tls":false,"line":"EHLO x",
 *  "length":8,"command":"EHLO"[,"user":"bob","masked":true][,"too_long":true]} */
#include "mail_render.h"

void report_json_mail_fill(json_object *o, const tp_event *ev)
{
    json_object_object_add(o, "dir", json_object_new_string(tp_dir_name(ev->dir)));
    json_object_object_add(o, "proto",
                           json_object_new_string(wire_mail_proto_name(ev->u.mail.proto)));
    json_object_object_add(o, "tls", json_object_new_boolean(ev->u.mail.tls));
    json_object_object_add(o, "line", json_object_new_string(ev->u.mail.line));
    json_object_object_add(o, "length", json_object_new_int64((int64_t)ev->u.mail.len));
    if (ev->u.mail.command)
        json_object_object_add(o, "command", json_object_new_string(ev->u.mail.command));
    if (ev->u.mail.user)
        json_object_object_add(o, "user", json_object_new_string(ev->u.mail.user));
    if (ev->u.mail.masked)
        json_object_object_add(o, "masked", json_object_new_boolean(true));
    if (ev->u.mail.too_long)
        json_object_object_add(o, "too_long", json_object_new_boolean(true));
}
