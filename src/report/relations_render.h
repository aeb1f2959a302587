/* The verdict's relations as JSON (docs/trace-format.md, verdict) and as
 * the text trace's -v line. */
#ifndef TP_REPORT_RELATIONS_RENDER_H
#define TP_REPORT_RELATIONS_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "../analysis/events.h"

/* Adds "relations" to a verdict object when there is something to relate. */
void report_json_verdict_relations(json_object *o, const tp_verdict *v);

/* "relations: SNI wrong.example against localhost, 127.0.0.1: no match; ..."
 * into buf; false (buf "") when there is nothing to relate. */
bool report_text_relations(char *buf, size_t cap, const tp_verdict *v);

/* Adds "psk" and "post_handshake_auth" to a relations object when they
 * apply (relations_psk_render.c). */
void report_json_psk_relations(json_object *rel, const tp_relations *r);

#endif
