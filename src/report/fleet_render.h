/* The fleet view rendered: text, JSON and the HTML section, from the
 * groups of analysis/fleet.h.  The rule "what distinguishes the failing
 * groups" is found above report/ (cli/fleet_rule.c, with the sweep's rule
 * finder) and handed in as plain text.  No I/O: text and HTML go into a
 * wire_buf, JSON is a json-c object. */
#ifndef TP_REPORT_FLEET_RENDER_H
#define TP_REPORT_FLEET_RENDER_H

#include <json-c/json.h>
#include <stdbool.h>

#include "../analysis/fleet.h"
#include "../wire/buf.h"

typedef struct {
    const fleet_table *table;
    const fleet_group *groups; /* fleet_sorted() order */
    unsigned num_groups;
    const char *const *sources; /* input names by fleet_conn.source; NULL: live */
    unsigned num_sources;
    const char *rule;     /* "fails exactly when ..." or NULL (nothing to tell apart) */
    bool rule_exact;
    const char *rule_why; /* why there is no rule ("every group failed"), or NULL */
    bool keys;            /* a key log was given (or the capture carried secrets) */
} report_fleet;

/* "2026-12-01 12:00:05 UTC" (empty when t is 0). */
void report_fleet_time(char *out, size_t out_len, double t);

/* The text summary: a head line, one block per group, the rule. */
void report_fleet_text(wire_buf *b, const report_fleet *f);
/* {"connections":N,"without_hello":N,"groups":[...],"distinguishes":{...}|null}
 * (docs/trace-format.md, fleet).  New reference, NULL without memory. */
json_object *report_fleet_json(const report_fleet *f);
/* The fleet section (<section id="fleet">...</section>), every text through
 * the escaper of html.h; report_fleet_html_page wraps it in a page. */
void report_fleet_html_section(wire_buf *b, const report_fleet *f);
void report_fleet_html_page(wire_buf *b, const report_fleet *f);

#endif
