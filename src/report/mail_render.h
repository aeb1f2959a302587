/* The JSON fields of a mail dialogue line (TP_EV_MAIL, docs/trace-format.md). */
#ifndef TP_REPORT_MAIL_RENDER_H
#define TP_REPORT_MAIL_RENDER_H

#include <json-c/json.h>

#include "../analysis/events.h"

void report_json_mail_fill(json_object *o, const tp_event *ev);

#endif
