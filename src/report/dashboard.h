/* The --dashboard page: the sweep's HTML report of the moment
 * (sweep_doc.h: the same markup as --report and `tlsprobe report`) with a
 * live section above it: progress, what to do next on the device, the
 * last lines the sweep said; while the sweep runs the page reloads itself
 * every second (polling: no script, no external asset).  No I/O; every
 * text passes through html.h's escaper. */
#ifndef TP_REPORT_DASHBOARD_H
#define TP_REPORT_DASHBOARD_H

#include <stddef.h>

#include <json-c/json.h>

#include "../wire/buf.h"

/* sweep: the sweep object with "live" ({"phase","mode","done","todo"}),
 * or NULL before the first one; lines: the last lines said, oldest first;
 * next: the last device prompt ("connect the client now — ..."), or NULL. */
void report_dashboard_html(wire_buf *b, json_object *sweep, const char *const *lines,
                           size_t num_lines, const char *next);

/* serve --dashboard: the last verdicts (JSON verdict events, oldest first)
 * as `tlsprobe report` shows a trace, with the counts so far above them. */
void report_dashboard_serve_html(wire_buf *b, json_object *const *verdicts, size_t n,
                                 const unsigned counts[3]);

#endif
