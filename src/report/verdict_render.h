/* The verdict, rendered once for every output: the JSON fields of a verdict
 * event (trace format version 2, docs/trace-format.md) and the text lines
 * (`FAIL (handshake, client, 0.012 s): ...` and, at -v, the layers). */
#ifndef TP_REPORT_VERDICT_RENDER_H
#define TP_REPORT_VERDICT_RENDER_H

#include <json-c/json.h>
#include <stddef.h>

#include "../analysis/events.h"

/* Adds outcome, phase, actor, cause, the negotiated values, alert, summary
 * and layers to o (a verdict event or a sweep result's verdict). */
void report_json_verdict_fill(json_object *o, const tp_verdict *v);

/* "FAIL", "OK" or "UNUSED". */
const char *report_verdict_word(const tp_verdict *v);

/* "handshake, client, 0.012 s" (the actor is left out when none). */
void report_text_verdict_head(char *buf, size_t cap, const tp_verdict *v, double t);

/* One line: what each layer did ("transport: ...; handshake: ...; records:
 * ...; app: ..."). */
void report_text_layers(char *buf, size_t cap, const tp_verdict *v);

#endif
