/* See relations_render.h. */
#include "relations_render.h"

#include <stdio.h>
#include <string.h>

#include "../wire/buf.h"
#include "json_util.h"
#include "relations_certs.h"
#include "resumption_render.h"

static json_object *string_array(const char *base, unsigned n, size_t stride)
{
    json_object *a = json_object_new_array();
    for (unsigned i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(base + i * stride));
    return a;
}

/* "h2, http/1.1" as ["h2","http/1.1"]; NULL for "" */
static json_object *text_list(const char *text)
{
    if (!text[0])
        return NULL;
    json_object *a = json_object_new_array();
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        json_object_array_add(a, json_object_new_string_len(p, (int)n));
        p += n;
        p += strspn(p, ", ");
    }
    return a;
}

/* The server's side (live): mode, its names or list, the certificate chosen. */
static void server_side(json_object *o, const char *mode, const char *key, const char *list,
                        const char *chosen)
{
    if (!mode)
        return;
    report_json_add_static(o, "mode", json_object_new_string(mode));
    json_object_object_add(o, key, text_list(list));
    if (chosen)
        report_json_add_static(o, "certificate", chosen[0] ? json_object_new_string(chosen) : NULL);
}

static json_object *sni_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "offered", r->sni_offered ? json_object_new_string(r->sni) : NULL);
    report_json_add_static(
        o, "certificate_names",
        r->cert_seen ? string_array(r->cert_names[0], r->num_cert_names, TP_REL_NAME_LEN) : NULL);
    report_json_add_static(o, "match",
                           r->sni_match < 0 ? NULL : json_object_new_boolean(r->sni_match == 1));
    server_side(o, r->sni_mode, "server_names", r->sni_names, r->sni_cert);
    return o;
}

static json_object *alpn_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "offered",
                           string_array(r->alpn_offered[0], r->num_alpn_offered, TP_REL_ALPN_LEN));
    report_json_add_static(o, "selected",
                           r->alpn_selected[0] ? json_object_new_string(r->alpn_selected) : NULL);
    server_side(o, r->alpn_mode, "server", r->alpn_server, NULL);
    return o;
}

static json_object *client_cert_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "mode", report_json_str_or_null(r->client_cert_mode));
    report_json_add_static(o, "requested", json_object_new_boolean(r->cert_requested));
    report_json_add_static(
        o, "sent", r->client_certs_sent < 0 ? NULL : json_object_new_int(r->client_certs_sent));
    return o;
}

static json_object *reneg_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    report_json_add_static(o, "client_hellos", json_object_new_int((int)r->reneg_client_hellos));
    report_json_add_static(o, "hello_request", json_object_new_boolean(r->hello_request));
    report_json_add_static(o, "secure", json_object_new_boolean(r->reneg_secure));
    report_json_add_static(
        o, "allowed", r->reneg_allowed < 0 ? NULL : json_object_new_boolean(r->reneg_allowed == 1));
    return o;
}

static json_object *relations_object(const tp_relations *r)
{
    json_object *o = json_object_new_object();
    if (r->sni_offered || r->cert_seen)
        report_json_add_static(o, "sni", sni_object(r));
    if (r->num_alpn_offered || r->alpn_selected[0] || r->alpn_server[0])
        report_json_add_static(o, "alpn", alpn_object(r));
    if ((r->client_cert_mode && r->client_cert_mode[0] != 'n') || r->cert_requested ||
        r->client_certs_sent >= 0)
        report_json_add_static(o, "client_cert", client_cert_object(r));
    if (r->reneg_client_hellos || r->hello_request)
        report_json_add_static(o, "renegotiation", reneg_object(r));
    report_json_psk_relations(o, r);
    report_json_rel_certs(o, r);
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
        report_json_add_static(o, "relations", rel);
}

/* ---- text ---- */

static void text_sni(wire_buf *b, const tp_relations *r)
{
    char names[300];
    tp_rel_cert_names(r, names, sizeof names);
    if (r->sni_offered && r->cert_seen)
        wire_buf_printf(b, "; SNI %s against the certificate's %s: %s", r->sni, names,
                        r->sni_match == 1 ? "match" : "no match");
    else if (r->cert_seen)
        wire_buf_printf(b, "; no SNI; the certificate names %s", names);
    else
        wire_buf_printf(b, "; SNI %s", r->sni);
    if (r->sni_cert[0] && r->sni_offered)
        wire_buf_printf(b, " (certificate %s, --sni-mode %s)", r->sni_cert,
                        r->sni_mode ? r->sni_mode : "ignore");
}

static void text_client_cert(wire_buf *b, const tp_relations *r)
{
    wire_buf_printf(b, "; client certificate %s%s, %s, ",
                    r->client_cert_mode ? "--client-cert " : "",
                    r->client_cert_mode ? r->client_cert_mode : "",
                    r->cert_requested ? "requested" : "not requested");
    if (r->client_certs_sent < 0)
        wire_buf_add_str(b, "none sent");
    else
        wire_buf_printf(b, "%d sent", r->client_certs_sent);
}

bool report_text_relations(char *buf, size_t cap, const tp_verdict *v)
{
    const tp_relations *r = &v->relations;
    char items[1024];
    wire_buf b;
    wire_buf_init_fixed(&b, items, sizeof items);
    if (r->sni_offered || r->cert_seen)
        text_sni(&b, r);
    if (r->num_alpn_offered || r->alpn_selected[0]) {
        char offered[200];
        tp_rel_alpn_offered(r, offered, sizeof offered);
        wire_buf_printf(&b, "; ALPN offered %s, selected %s",
                        r->num_alpn_offered ? offered : "none",
                        r->alpn_selected[0] ? r->alpn_selected : "none");
        if (r->alpn_server[0])
            wire_buf_printf(&b, " (server %s, --alpn-mode %s)", r->alpn_server,
                            r->alpn_mode ? r->alpn_mode : "ignore");
    }
    if ((r->client_cert_mode && r->client_cert_mode[0] != 'n') || r->cert_requested ||
        r->client_certs_sent >= 0)
        text_client_cert(&b, r);
    if (r->reneg_client_hellos || r->hello_request)
        wire_buf_printf(&b, "; renegotiation asked %u time%s, %s", r->reneg_client_hellos,
                        r->reneg_client_hellos == 1 ? "" : "s",
                        r->reneg_allowed < 0 ? "policy not known"
                        : r->reneg_allowed   ? "allowed"
                                             : "declined");
    report_text_rel_certs(&b, r);
    report_text_resumption(&b, &r->resumption);
    buf[0] = '\0';
    if (wire_buf_len(&b) < 2)
        return false;
    /* the first item's "; " gives way to the line's head */
    snprintf(buf, cap, "relations: %s", wire_buf_str(&b) + 2);
    return true;
}
