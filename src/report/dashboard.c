/* The --dashboard page; see dashboard.h. */
#include "dashboard.h"

#include <stdio.h>
#include <string.h>

#include "html.h"
#include "sweep_doc.h"

static const char *phase_of(json_object *live)
{
    json_object *v;
    return live && json_object_object_get_ex(live, "phase", &v) ? json_object_get_string(v)
                                                                 : "probe";
}

static int num_of(json_object *live, const char *key)
{
    json_object *v;
    return live && json_object_object_get_ex(live, key, &v) ? json_object_get_int(v) : 0;
}

static void live_section(wire_buf *b, json_object *live, const char *const *lines, size_t n,
                         const char *next)
{
    const char *phase = phase_of(live);
    int done = num_of(live, "done"), todo = num_of(live, "todo");
    wire_buf_printf(b, "<div id=\"live\" class=\"live\" data-phase=\"");
    report_html_escape_str(b, phase);
    wire_buf_printf(b, "\" data-done=\"%d\" data-todo=\"%d\">\n<p id=\"progress\">", done, todo);
    if (!strcmp(phase, "probe"))
        wire_buf_add_str(b, "probe: waiting for the client's first connection");
    else
        wire_buf_printf(b, "%s: %d of %d combinations <progress max=\"%d\" value=\"%d\">"
                           "</progress>",
                        !strcmp(phase, "done") ? "done" : "running", done, todo,
                        todo > 0 ? todo : 1, done);
    wire_buf_add_str(b, "</p>\n<p id=\"next\"><b>next:</b> ");
    if (!strcmp(phase, "done"))
        wire_buf_add_str(b, "nothing: the sweep is over; the rule and the grid below are final");
    else
        report_html_escape_str(b, next ? next : "wait: the client command runs by itself");
    wire_buf_add_str(b, "</p>\n<ul id=\"last\">\n");
    for (size_t i = 0; i < n; i++) {
        wire_buf_add_str(b, "<li>");
        report_html_escape_str(b, lines[i]);
        wire_buf_add_str(b, "</li>\n");
    }
    wire_buf_add_str(b, "</ul>\n</div>\n");
}

/* Copies page into b with the live section after the heading and, while
 * the sweep runs, a refresh in the head. */
static void splice(wire_buf *b, const char *page, const wire_buf *live, bool refresh)
{
    const char *head_end = strstr(page, "</head>");
    const char *h1 = strstr(page, "</h1>\n");
    if (!head_end || !h1 || h1 < head_end) {
        wire_buf_add_str(b, page);
        return;
    }
    h1 += strlen("</h1>\n");
    wire_buf_add_bytes(b, page, (size_t)(head_end - page));
    if (refresh)
        wire_buf_add_str(b, "<meta http-equiv=\"refresh\" content=\"1\">");
    wire_buf_add_bytes(b, head_end, (size_t)(h1 - head_end));
    wire_buf_add_bytes(b, wire_buf_data(live), wire_buf_len(live));
    wire_buf_add_str(b, h1);
}

void report_dashboard_serve_html(wire_buf *b, json_object *const *verdicts, size_t n,
                                 const unsigned counts[3])
{
    wire_buf page, sec;
    wire_buf_init(&page, 0);
    wire_buf_init(&sec, 0);
    report_trace_doc_html(&page, verdicts, n);
    wire_buf_printf(&sec, "<div id=\"live\" class=\"live\" data-ok=\"%u\" data-fail=\"%u\" "
                          "data-unused=\"%u\">\n<p id=\"progress\">serving: %u ok, %u failed, "
                          "%u unused (the last %zu verdicts below)</p>\n</div>\n",
                    counts[0], counts[1], counts[2], counts[0], counts[1], counts[2], n);
    if (wire_buf_ok(&page) && wire_buf_ok(&sec))
        splice(b, wire_buf_str(&page), &sec, true);
    wire_buf_cleanup(&page);
    wire_buf_cleanup(&sec);
}

void report_dashboard_html(wire_buf *b, json_object *sweep, const char *const *lines,
                           size_t num_lines, const char *next)
{
    json_object *live = NULL;
    if (sweep)
        json_object_object_get_ex(sweep, "live", &live);
    wire_buf page, sec;
    wire_buf_init(&page, 0);
    wire_buf_init(&sec, 0);
    if (sweep)
        report_sweep_doc_html(&page, sweep);
    else {
        report_html_begin(&page, "tlsprobe sweep", "body{font-family:sans-serif}");
        wire_buf_add_str(&page, "<h1>tlsprobe sweep</h1>\n");
        report_html_end(&page);
    }
    live_section(&sec, live, lines, num_lines, next);
    if (wire_buf_ok(&page) && wire_buf_ok(&sec))
        splice(b, wire_buf_str(&page), &sec, strcmp(phase_of(live), "done") != 0);
    wire_buf_cleanup(&page);
    wire_buf_cleanup(&sec);
}
