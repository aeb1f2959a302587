/* The fleet view as an HTML section and page (fleet_render.h); every text
 * passes through the escaper of html.h. */
#include "fleet_render.h"
#include "html.h"

#include <stdio.h>

static const char fleet_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}\n"
    "h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:24px 0 6px}\n"
    ".rule{font-size:16px;padding:8px 12px;border-left:6px solid #c62828;background:#fdecea}\n"
    "table.fleet{border-collapse:collapse}\n"
    ".fleet th,.fleet td{border:1px solid #bbb;padding:3px 8px;vertical-align:top}\n"
    ".fleet th{background:#f2f2f2}tr.fail td.outcome{background:#e53935;color:#fff}\n"
    "tr.ok td.outcome{background:#66bb6a;color:#fff}tr.unused td.outcome{background:#eee}\n"
    ".fp{font-family:monospace;font-size:12px}\n";

static void cell(wire_buf *b, const char *cls, const char *text)
{
    if (cls)
        wire_buf_printf(b, "<td class=\"%s\">", cls);
    else
        wire_buf_add_str(b, "<td>");
    report_html_escape_str(b, text);
    wire_buf_add_str(b, "</td>");
}

static void row(wire_buf *b, const report_fleet *f, const fleet_group *g)
{
    char buf[160], first[40], last[40];
    const char *outcome = tp_outcome_name(fleet_group_outcome(g));
    wire_buf_printf(b, "<tr class=\"%s\">", outcome);
    cell(b, "outcome", outcome);
    cell(b, NULL, g->cause);
    wire_buf_printf(b, "<td>%u</td><td>%u</td>", g->count, g->num_peers);
    wire_buf_add_str(b, "<td class=\"fp\">");
    report_html_escape_str(b, g->ja4[0] ? g->ja4 : "no ClientHello");
    wire_buf_add_str(b, "<br>");
    report_html_escape_str(b, g->ja3);
    wire_buf_add_str(b, "</td>");
    cell(b, NULL, g->offer);
    snprintf(buf, sizeof buf, "%u ok, %u fail, %u unused", g->num_outcome[TP_OUTCOME_OK],
             g->num_outcome[TP_OUTCOME_FAIL], g->num_outcome[TP_OUTCOME_UNUSED]);
    cell(b, NULL, buf);
    const fleet_typical *t = fleet_group_typical(g);
    cell(b, NULL, t ? t->example : "");
    report_fleet_time(first, sizeof first, g->first);
    report_fleet_time(last, sizeof last, g->last);
    snprintf(buf, sizeof buf, "%s .. %s", first, last);
    cell(b, NULL, buf);
    snprintf(buf, sizeof buf, "%u (%s)", g->example_conn,
             f->sources && g->example_source < f->num_sources ? f->sources[g->example_source]
                                                               : "live");
    cell(b, NULL, buf);
    wire_buf_add_str(b, "</tr>\n");
}

void report_fleet_html_section(wire_buf *b, const report_fleet *f)
{
    wire_buf_add_str(b, "<section id=\"fleet\">\n<h2>Fleet: clients by fingerprint and verdict</h2>\n");
    wire_buf_printf(b, "<p>%llu connections in %u groups</p>\n",
                    (unsigned long long)f->table->num_conns, f->num_groups);
    if (f->rule) {
        wire_buf_add_str(b, "<div class=\"rule\" id=\"fleet-rule\">What distinguishes the "
                            "failing groups: ");
        report_html_escape_str(b, f->rule);
        wire_buf_add_str(b, "</div>\n");
    }
    wire_buf_add_str(b, "<table class=\"fleet\"><tr><th>outcome</th><th>cause</th>"
                        "<th>connections</th><th>peers</th><th>JA4 / JA3</th><th>offer</th>"
                        "<th>outcomes</th><th>typical verdict</th><th>seen</th>"
                        "<th>example</th></tr>\n");
    for (unsigned i = 0; i < f->num_groups; i++)
        row(b, f, &f->groups[i]);
    wire_buf_add_str(b, "</table>\n</section>\n");
}

void report_fleet_html_page(wire_buf *b, const report_fleet *f)
{
    report_html_begin(b, "tlsprobe fleet", fleet_style);
    wire_buf_add_str(b, "<h1>tlsprobe fleet</h1>\n");
    report_fleet_html_section(b, f);
    report_html_end(b);
}
