/* A json-c tree written compactly into a wire_buf: the same bytes as
 * json_object_to_json_string_ext(o, PLAIN | NOSLASHESCAPE) (report_json_line),
 * without json-c's per-object print buffers and snprintf for each integer.
 * The trace's hot path (json_sink.c); doubles, and integers json-c keeps
 * as unsigned, are handed to json-c itself. */
#ifndef TP_REPORT_JSON_WRITE_H
#define TP_REPORT_JSON_WRITE_H

#include <json-c/json.h>

#include "../wire/buf.h"

/* Appends o (NULL: null); the buffer's first failure sticks as usual. */
void report_json_write(wire_buf *b, json_object *o);

#endif
