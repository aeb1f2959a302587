/* The verdict's actor, cause, relations and application layer as JSON
 * (docs/trace-format.md, verdict). */
#ifndef TP_REPORT_RELATIONS_JSON_H
#define TP_REPORT_RELATIONS_JSON_H

#include <json-c/json.h>

#include "../analysis/events.h"

/* Adds "actor", "cause", "layers":{"app":{...}} and, when there is one,
 * "relations" to a verdict object. */
void report_json_verdict_relations(json_object *o, const tp_verdict *v);

#endif
