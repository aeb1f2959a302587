/* See relations_certs.h. */
#include "relations_certs.h"

#include "json_util.h"

void report_json_rel_certs(json_object *o, const tp_relations *r)
{
    if (r->certs.variant) {
        json_object *c = json_object_new_object();
        report_json_add_static(c, "variant", json_object_new_string(r->certs.variant));
        report_json_add_static(c, "detail", json_object_new_string(r->certs.detail));
        report_json_add_static(o, "certificate", c);
    }
    /* an offer alone is in the ClientHello's trace already */
    if (r->certs.ocsp || r->certs.ocsp_stapled) {
        json_object *c = json_object_new_object();
        report_json_add_static(c, "config", report_json_str_or_null(r->certs.ocsp));
        report_json_add_static(c, "offered", json_object_new_boolean(r->certs.ocsp_offered));
        report_json_add_static(c, "stapled", json_object_new_boolean(r->certs.ocsp_stapled));
        report_json_add_static(o, "ocsp", c);
    }
    json_object *cc;
    if (r->certs.client_ca && json_object_object_get_ex(o, "client_cert", &cc)) {
        report_json_add_static(cc, "ca", json_object_new_string(r->certs.client_ca));
        report_json_add_static(cc, "verify", report_json_str_or_null(r->certs.client_verify));
    }
}

void report_text_rel_certs(wire_buf *b, const tp_relations *r)
{
    if (r->certs.variant)
        wire_buf_printf(b, "; certificate variant %s (%s)", r->certs.variant, r->certs.detail);
    if (r->certs.ocsp || r->certs.ocsp_stapled)
        wire_buf_printf(b, "; OCSP status_request %s, %s%s%s",
                        r->certs.ocsp_offered ? "offered" : "not offered",
                        r->certs.ocsp_stapled ? "response stapled" : "nothing stapled",
                        r->certs.ocsp ? " (--ocsp " : "", r->certs.ocsp ? r->certs.ocsp : "");
    if (r->certs.ocsp)
        wire_buf_add_str(b, ")");
    if (r->certs.client_ca)
        wire_buf_printf(b, "; client certificate check against %s: %s", r->certs.client_ca,
                        r->certs.client_verify ? r->certs.client_verify : "none made");
}
