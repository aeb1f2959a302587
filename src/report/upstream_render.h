/* The proxy's upstream leg (analysis/upstream.h) as layers.app.upstream in
 * the JSON verdict and as the "; upstream ..." part of the -v layers line. */
#ifndef TP_REPORT_UPSTREAM_RENDER_H
#define TP_REPORT_UPSTREAM_RENDER_H

#include <json-c/json.h>

#include "../analysis/upstream.h"
#include "../wire/buf.h"

/* Adds "upstream" to the app object (nothing when there is no upstream). */
void report_upstream_json_add(json_object *app, const tp_upstream_facts *u);
/* Appends "; upstream 127.0.0.1:25 connected, 120 bytes to it, 300 back,
 * closed first" (nothing when there is no upstream). */
void report_upstream_text(wire_buf *b, const tp_upstream_facts *u);

#endif
