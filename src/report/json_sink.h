/* JSON lines trace (the format of docs/trace-format.md): one object per
 * event, "event" first.  Thread-safe: one sink may serve several worker
 * threads; each line is written whole. */
#ifndef TP_REPORT_JSON_SINK_H
#define TP_REPORT_JSON_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/events.h"
#include "../capture/outfile.h"

/* Writes to the stream `out` (not closed by free).  records: also put
 * ciphertext and plaintext hex in record events (--records). */
tp_sink *report_json_sink_new(FILE *out, bool records);
/* Writes to an open file (borrowed, not closed by free), whole lines in each
 * write() (one line, or a batch), so a killed process leaves no torn line; a write error is
 * reported by the file when it happens and kept in file->err. */
tp_sink *report_json_sink_new_file(capture_outfile *file, bool records);
/* serve: a sink made by report_json_sink_new_file holds its lines (whole,
 * in order) until report_json_sink_flush, which the server calls once per
 * pass of each event loop; a batch that would pass 64 KiB goes out first.
 * false when out of memory (the sink then writes each line at once). */
bool report_json_sink_batch(tp_sink *s);
void report_json_sink_flush(tp_sink *s);
/* Flushes a batch first. */
void report_json_sink_free(tp_sink *s);

/* The event as one JSON object built with json-c (NULL for events the trace
 * does not carry); the caller puts it. */
struct json_object *report_json_event(const tp_event *ev, bool records);
/* The fast path for record and appdata events without --records: the same
 * text as report_json_event would serialise to, written into buf (no
 * newline).  false when it does not apply or buf is too small. */
bool report_json_event_fast(const tp_event *ev, bool records, char *buf, size_t cap,
                            size_t *out_len);

#endif
