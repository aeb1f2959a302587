/* See relations_json.h. */
#include "relations_json.h"

#include "json_util.h"

static json_object *string_array(const char *base, unsigned n, size_t stride)
{
    json_object *a = json_object_new_array();
    for (unsigned i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(base + i * stride));
    return a;
}

static json_object *sni_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "offered", r->sni_offered ? json_object_new_string(r->sni) : NULL);
    json_object_object_add(o, "certificate_names",
                           r->cert_seen ? string_array(r->cert_names[0], r->num_cert_names,
                                                       TP_REL_NAME_LEN)
                                        : NULL);
    json_object_object_add(o, "match",
                           r->sni_match < 0 ? NULL : json_object_new_boolean(r->sni_match == 1));
    return o;
}

static json_object *alpn_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(
        o, "offered", string_array(r->alpn_offered[0], r->num_alpn_offered, TP_REL_ALPN_LEN));
    json_object_object_add(o, "selected",
                           r->alpn_selected[0] ? json_object_new_string(r->alpn_selected) : NULL);
    return o;
}

static json_object *client_cert_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "mode", report_json_str_or_null(r->client_cert_mode));
    json_object_object_add(o, "requested", json_object_new_boolean(r->cert_requested));
    json_object_object_add(o, "sent", r->client_certs_sent < 0
                                          ? NULL
                                          : json_object_new_int(r->client_certs_sent));
    return o;
}

static json_object *reneg_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client_hellos", json_object_new_int((int)r->reneg_client_hellos));
    json_object_object_add(o, "hello_request", json_object_new_boolean(r->hello_request));
    json_object_object_add(o, "secure", json_object_new_boolean(r->reneg_secure));
    json_object_object_add(o, "allowed", r->reneg_allowed < 0
                                             ? NULL
                                             : json_object_new_boolean(r->reneg_allowed == 1));
    return o;
}

static json_object *relations_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    if (r->sni_offered || r->cert_seen)
        json_object_object_add(o, "sni", sni_object(r));
    if (r->num_alpn_offered || r->alpn_selected[0])
        json_object_object_add(o, "alpn", alpn_object(r));
    if ((r->client_cert_mode && r->client_cert_mode[0] != 'n') || r->cert_requested ||
        r->client_certs_sent >= 0)
        json_object_object_add(o, "client_cert", client_cert_object(r));
    if (r->reneg_client_hellos || r->hello_request)
        json_object_object_add(o, "renegotiation", reneg_object(r));
    if (json_object_object_length(o) == 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

void report_json_verdict_relations(json_object *o, const tp_verdict *v)
{
    json_object *rel = relations_object(&v->relations);
    if (rel)
        json_object_object_add(o, "relations", rel);
}
