/* The sweep's --report page (sweep_html.h). */
#include "sweep_html.h"
#include "html.h"

static const char sweep_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}\n"
    "h1{font-size:20px;margin:0 0 8px}h2{font-size:15px;margin:24px 0 6px}\n"
    ".rule{font-size:18px;padding:10px 14px;border-left:6px solid #c62828;background:#fdecea;"
    "margin:8px 0}\n.rule.exact{border-color:#2e7d32;background:#e8f5e9}\n"
    ".typical{color:#555;margin:4px 0}\n"
    "table.grid{border-collapse:collapse;margin:4px 0 12px}\n"
    ".grid th,.grid td{border:1px solid #bbb;padding:3px 8px;text-align:center;min-width:54px}\n"
    ".grid th{background:#f2f2f2;font-weight:600}.grid th.row{text-align:left}\n"
    "td.ok{background:#66bb6a;color:#fff}td.fail{background:#e53935;color:#fff}\n"
    "td.timeout{background:#8e24aa}td.flaky{background:#ffb300}\n"
    "td.skipped{background:#eeeeee;color:#999}td.not-offered{background:#fafafa;color:#bbb}\n"
    "td.pending{background:#b0bec5}\n"
    "td.inferred{opacity:.45;border:2px dashed #555;font-style:italic}\n"
    ".legend span{display:inline-block;padding:2px 8px;margin-right:6px}\n"
    "table.counts td,table.counts th{padding:2px 8px;text-align:right}\n"
    "table.counts td:first-child,table.counts td:nth-child(2){text-align:left}\n";

static const struct {
    const char *cls, *html, *word;
} cells[] = {
    [REPORT_CELL_OK] = {"ok", "ok", "ok"},
    [REPORT_CELL_FAIL] = {"fail", "fail", "fail"},
    [REPORT_CELL_TIMEOUT] = {"fail timeout", "timeout", "timeout"},
    [REPORT_CELL_FLAKY] = {"flaky", "flaky", "flaky"},
    [REPORT_CELL_SKIPPED] = {"skipped", "", ""},
    [REPORT_CELL_NOT_OFFERED] = {"not-offered", "&middot;", ""},
    [REPORT_CELL_PENDING] = {"pending", "?", "?"},
    [REPORT_CELL_INFERRED_OK] = {"ok inferred", "(ok)", "inferred ok"},
    [REPORT_CELL_INFERRED_FAIL] = {"fail inferred", "(fail)", "inferred fail"},
};

const char *report_sweep_cell_word(report_cell cell)
{
    return cells[cell].word;
}

void report_sweep_html_begin(wire_buf *b, const char *rule, bool exact)
{
    report_html_begin(b, "tlsprobe sweep", sweep_style);
    wire_buf_add_str(b, "<h1>tlsprobe sweep</h1>\n");
    wire_buf_printf(b, "<div class=\"rule%s\" id=\"rule\">", exact ? " exact" : "");
    report_html_escape_str(b, rule);
    wire_buf_add_str(b, "</div>\n");
}

void report_sweep_html_alt_rule(wire_buf *b, const char *rule)
{
    wire_buf_add_str(b, "<div class=\"rule alt\">or: ");
    report_html_escape_str(b, rule);
    wire_buf_add_str(b, "</div>\n");
}

void report_sweep_html_hint(wire_buf *b, const char *hint)
{
    wire_buf_add_str(b, "<div class=\"hint\" id=\"hint\">hint: ");
    report_html_escape_str(b, hint);
    wire_buf_add_str(b, "</div>\n");
}

void report_sweep_html_typical(wire_buf *b, const char *phrase, unsigned count,
                               unsigned num_failing)
{
    wire_buf_add_str(b, "<div class=\"typical\">typical failure: &ldquo;");
    report_html_escape_str(b, phrase);
    wire_buf_printf(b, "&rdquo; in %u of %u</div>\n", count, num_failing);
}

void report_sweep_html_totals(wire_buf *b, const report_sweep_totals *t)
{
    wire_buf_printf(b,
                    "<p>%u combinations: %u ok, %u failed, %u timed out, %u flaky, %u skipped "
                    "(engine cannot form), %u not offered by the client.</p>\n",
                    t->num_configs, t->num_ok, t->num_fail, t->num_timeout, t->num_flaky,
                    t->num_skipped, t->num_not_offered);
    wire_buf_add_str(b, "<p class=\"legend\"><span class=\"ok\" "
                        "style=\"background:#66bb6a;color:#fff\">ok</span>"
                        "<span style=\"background:#e53935;color:#fff\">fail</span>"
                        "<span style=\"background:#8e24aa;color:#fff\">timeout</span>"
                        "<span style=\"background:#ffb300\">flaky</span>"
                        "<span style=\"background:#eee;color:#999\">skipped</span>"
                        "<span style=\"background:#fafafa;color:#bbb\">not offered</span>");
    if (t->num_inferred)
        wire_buf_add_str(b, "<span style=\"background:#66bb6a;color:#fff;opacity:.45;"
                            "border:2px dashed #555;font-style:italic\">(inferred)</span>");
    wire_buf_add_str(b, "</p>\n");
    if (t->num_inferred)
        wire_buf_printf(b,
                        "<p class=\"strategy\" id=\"strategy\">adaptive: named in %u "
                        "connections; the full matrix is %u. %u combinations were not tried: "
                        "their cells (faded, dashed) show what the rule infers.</p>\n",
                        t->num_connections, t->num_formable, t->num_inferred);
}

void report_sweep_html_grid_begin(wire_buf *b, const char *const *heading, unsigned num_heading,
                                  const char *corner, const char *const *cols, unsigned num_cols)
{
    wire_buf_add_str(b, "<h2>");
    for (unsigned k = 0; k < num_heading; k++) {
        if (k)
            wire_buf_add_str(b, " &middot; ");
        report_html_escape_str(b, heading[k]);
    }
    if (num_heading == 0)
        wire_buf_add_str(b, "all");
    wire_buf_add_str(b, "</h2>\n<table class=\"grid\"><tr><th class=\"row\">");
    report_html_escape_str(b, corner);
    wire_buf_add_str(b, "</th>");
    for (unsigned col = 0; col < num_cols; col++) {
        wire_buf_add_str(b, "<th>");
        report_html_escape_str(b, cols[col]);
        wire_buf_add_str(b, "</th>");
    }
    wire_buf_add_str(b, "</tr>\n");
}

void report_sweep_html_row_begin(wire_buf *b, const char *row)
{
    wire_buf_add_str(b, "<tr><th class=\"row\">");
    report_html_escape_str(b, row);
    wire_buf_add_str(b, "</th>");
}

void report_sweep_html_cell(wire_buf *b, report_cell cell, const char *title)
{
    if (!title) {
        wire_buf_add_str(b, "<td></td>");
        return;
    }
    wire_buf_printf(b, "<td class=\"%s\" title=\"", cells[cell].cls);
    report_html_escape_str(b, title);
    wire_buf_printf(b, "\">%s</td>", cells[cell].html);
}

void report_sweep_html_row_end(wire_buf *b)
{
    wire_buf_add_str(b, "</tr>\n");
}

void report_sweep_html_grid_end(wire_buf *b)
{
    wire_buf_add_str(b, "</table>\n");
}

void report_sweep_html_counts_begin(wire_buf *b)
{
    wire_buf_add_str(b, "<h2>Per value</h2>\n<table class=\"counts grid\"><tr><th>axis</th>"
                        "<th>value</th><th>ok</th><th>fail</th><th>timeout</th><th>flaky</th>"
                        "<th>skipped</th></tr>\n");
}

void report_sweep_html_count_row(wire_buf *b, const char *axis, const char *value,
                                 const unsigned counts[5])
{
    wire_buf_add_str(b, "<tr><td>");
    report_html_escape_str(b, axis);
    wire_buf_add_str(b, "</td><td>");
    report_html_escape_str(b, value);
    wire_buf_printf(b, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n",
                    counts[0], counts[1], counts[2], counts[3], counts[4]);
}

void report_sweep_html_counts_end(wire_buf *b)
{
    wire_buf_add_str(b, "</table>\n");
}

void report_sweep_html_end(wire_buf *b)
{
    report_html_end(b);
}
