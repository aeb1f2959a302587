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

#endif
