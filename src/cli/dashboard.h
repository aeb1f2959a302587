/* --dashboard [ADDR:]PORT: a small HTTP server (127.0.0.1 unless ADDR)
 * on a thread of its own that serves the live page of report/dashboard.h,
 * rendered again whenever the sweep says a line or hands over its state
 * (sweep_options.live_line / live_state).  GET / is the page, GET
 * /state.json the sweep object of the moment; anything else 404. */
#ifndef TP_CLI_DASHBOARD_H
#define TP_CLI_DASHBOARD_H

#include <json-c/json.h>

#include "analysis/events.h"

typedef struct cli_dashboard cli_dashboard;

/* Listens and starts the thread; prints "dashboard: http://ADDR:PORT/" on
 * stderr.  NULL after a message ("tlsprobe CMD: --dashboard ...") when
 * the value is bad or it cannot listen. */
cli_dashboard *cli_dashboard_start(const char *cmd, const char *spec);
void cli_dashboard_line(void *arg, const char *line);
/* serve --dashboard: a sink whose verdicts make the page (the last 50). */
tp_sink *cli_dashboard_sink(cli_dashboard *d);
void cli_dashboard_state(void *arg, json_object *sweep);
/* After the sweep: keeps serving the final page until SIGINT or SIGTERM
 * (at most max_seconds), saying so on stderr. */
void cli_dashboard_hold(cli_dashboard *d, int max_seconds);
void cli_dashboard_stop(cli_dashboard *d);

#endif
