/* The PSK and post-handshake authentication relations as JSON
 * (docs/trace-format.md, verdict relations "psk", "post_handshake_auth"). */
#include "relations_render.h"

#include "json_util.h"

static json_object *tristate(int v)
{
    return v < 0 ? NULL : json_object_new_boolean(v == 1);
}

/* {"offered":"dev","server":"'dev', 'lab'","known":true,"binder":true,"selected":true} */
static json_object *psk_object(const tp_rel_psk *p)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "offered",
                           p->printable ? json_object_new_string(p->identity) : NULL);
    report_json_add_static(o, "server", report_json_str_or_null(p->server_ids));
    report_json_add_static(o, "known", tristate(tp_rel_psk_known(p)));
    report_json_add_static(o, "binder", tristate(p->binder_ok));
    report_json_add_static(o, "selected", json_object_new_boolean(p->selected));
    return o;
}

/* {"offered":true,"requests":1,"certificates":1,"finished":true} */
static json_object *pha_object(const tp_rel_psk *p)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "offered", json_object_new_boolean(p->pha_offered));
    report_json_add_static(o, "requests", json_object_new_int((int)p->pha_requests));
    report_json_add_static(o, "certificates",
                           p->pha_answered ? json_object_new_int((int)p->pha_certs) : NULL);
    report_json_add_static(o, "finished", json_object_new_boolean(p->pha_finished));
    return o;
}

void report_json_psk_relations(json_object *rel, const tp_relations *r)
{
    if (r->psk.offered)
        report_json_add_static(rel, "psk", psk_object(&r->psk));
    if (r->psk.pha_requests)
        report_json_add_static(rel, "post_handshake_auth", pha_object(&r->psk));
}
