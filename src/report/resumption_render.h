/* Resumption in the verdict (docs/trace-format.md): layers.handshake's
 * "resumed", "resumption" and "early_data", and relations.resumption; in
 * the text trace, one item of the relations line. */
#ifndef TP_REPORT_RESUMPTION_RENDER_H
#define TP_REPORT_RESUMPTION_RENDER_H

#include <json-c/json.h>

#include "../analysis/events.h"
#include "../wire/buf.h"

/* Adds the fields to a verdict object that already has "layers"; the
 * relation only when the client offered resumption or the server resumed. */
void report_json_resumption(json_object *o, const tp_verdict *v);
/* "; resumption: resumed by session ticket" (nothing when nothing to say). */
void report_text_resumption(wire_buf *b, const tp_resumption *r);

#endif
