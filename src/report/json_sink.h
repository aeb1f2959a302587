/* JSON lines trace (the format of docs/trace-format.md): one object per
 * event, "event" first.  Thread-safe: one sink may serve several worker
 * threads; each line is written whole. */
#ifndef TP_REPORT_JSON_SINK_H
#define TP_REPORT_JSON_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/events.h"

/* Writes to `out` (not closed by free).  records: also put ciphertext and
 * plaintext hex in record events (--records). */
tp_sink *report_json_sink_new(FILE *out, bool records);
void report_json_sink_free(tp_sink *s);

#endif
