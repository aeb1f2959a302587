/* The verdict's relations as JSON (docs/trace-format.md, verdict). */
#ifndef TP_REPORT_RELATIONS_JSON_H
#define TP_REPORT_RELATIONS_JSON_H

#include <json-c/json.h>

#include "../analysis/events.h"

/* Adds "relations" to a verdict object when there is something to relate. */
void report_json_verdict_relations(json_object *o, const tp_verdict *v);

#endif
