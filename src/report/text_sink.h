/* Human trace: a few lines per connection at verbosity 0, one line per
 * record and message at 1 (-v), hex dumps at 2 (-vv); -1 (-q): verdicts only.
 * Thread-safe; each connection's lines are written as they happen. */
#ifndef TP_REPORT_TEXT_SINK_H
#define TP_REPORT_TEXT_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/events.h"

tp_sink *report_text_sink_new(FILE *out, int verbosity, bool color, bool records);
void report_text_sink_free(tp_sink *s);

/* Colour decision: a terminal and NO_COLOR unset. */
bool report_text_want_color(FILE *out);

#endif
