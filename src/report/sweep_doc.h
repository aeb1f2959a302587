/* `tlsprobe report`: a saved sweep (--json) or trace (--trace) rendered
 * again, as the sweep's HTML page (the markup of sweep_html.c, the grid
 * laid out as the live report lays it: cipher rows, MAC columns, one grid
 * per combination of the other axes) or as a Markdown summary to paste
 * into an issue tracker (GitHub/GitLab tables).  Reads json-c objects;
 * no I/O.  Every text of the HTML passes through html.h's escaper; every
 * Markdown table cell has its '|' escaped and its line ends folded. */
#ifndef TP_REPORT_SWEEP_DOC_H
#define TP_REPORT_SWEEP_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "../wire/buf.h"

/* The sweep object of `sweep --json` ({"axes","results","decides",...}). */
bool report_sweep_doc_is_sweep(json_object *o);
void report_sweep_doc_html(wire_buf *b, json_object *sweep);
void report_sweep_doc_markdown(wire_buf *b, json_object *sweep);

/* A JSON lines trace: its verdict events (n of them, in order). */
void report_trace_doc_html(wire_buf *b, json_object *const *verdicts, size_t n);
void report_trace_doc_markdown(wire_buf *b, json_object *const *verdicts, size_t n);

/* Appends s as one Markdown table cell's text. */
void report_md_cell(wire_buf *b, const char *s);

#endif
