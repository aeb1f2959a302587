/* The certificate part of the verdict's relations (relations_certs.c):
 * the generated chain's variant, OCSP stapling, the --client-ca check. */
#ifndef TP_REPORT_RELATIONS_CERTS_H
#define TP_REPORT_RELATIONS_CERTS_H

#include <json-c/json.h>

#include "../analysis/relations.h"
#include "../wire/buf.h"

/* Adds "certificate" and "ocsp" to the relations object o, and "ca" and
 * "verify" to its "client_cert" when the server checked one. */
void report_json_rel_certs(json_object *o, const tp_relations *r);
/* "; certificate variant expired (notAfter ...); OCSP ..." */
void report_text_rel_certs(wire_buf *b, const tp_relations *r);

#endif
