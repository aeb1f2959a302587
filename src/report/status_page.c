/* The http status page (status_page.h). */
#include <string.h>

#include "html.h"
#include "status_page.h"

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void text_str(wire_buf *b, const char *s)
{
    report_text_escape(b, s, strlen(s));
}

void report_status_page_text(wire_buf *b, const report_status_page *p)
{
    wire_buf_printf(b, "tlsprobe: connection %u from %s\n\nNegotiated\n", p->conn, p->peer);
    for (unsigned i = 0; i < p->num; i++)
        wire_buf_printf(b, "  %-20s %s\n", p->labels[i], or_dash(p->values[i]));
    wire_buf_add_str(b, "\nFingerprints\n  JA3      ");
    text_str(b, or_dash(p->ja3));
    wire_buf_printf(b, "\n  JA3 MD5  %s\n  JA4      %s\n", or_dash(p->ja3_md5), or_dash(p->ja4));
    wire_buf_add_str(b, "\nYour ClientHello\n");
    report_text_escape(b, p->hello, p->hello_len);
    wire_buf_add_str(b, "\nYour request\n");
    report_text_escape(b, p->request, p->request_len);
}

static const char page_style[] =
    "body{font-family:sans-serif;margin:1.5em;max-width:70em}"
    "th{text-align:left;padding-right:1em;font-weight:normal;color:#555}"
    "td{font-family:monospace}pre{background:#f4f4f4;padding:.8em;"
    "overflow-x:auto}code{word-break:break-all}\n";

/* One row of a two-column table; the value in <code> when code. */
static void html_row(wire_buf *b, const char *label, const char *value, bool code)
{
    wire_buf_add_str(b, "<tr><th>");
    report_html_escape_str(b, label);
    wire_buf_add_str(b, code ? "</th><td><code>" : "</th><td>");
    report_html_escape_str(b, or_dash(value));
    wire_buf_add_str(b, code ? "</code></td></tr>\n" : "</td></tr>\n");
}

void report_status_page_html(wire_buf *b, const report_status_page *p)
{
    report_html_begin(b, "tlsprobe", page_style);
    wire_buf_printf(b, "<h1>tlsprobe</h1>\n<p>Connection %u from <code>", p->conn);
    report_html_escape_str(b, p->peer);
    wire_buf_add_str(b, "</code></p>\n<h2>Negotiated</h2>\n<table>\n");
    for (unsigned i = 0; i < p->num; i++)
        html_row(b, p->labels[i], p->values[i], false);
    wire_buf_add_str(b, "</table>\n<h2>Fingerprints</h2>\n<table>\n");
    html_row(b, "JA3", p->ja3, true);
    html_row(b, "JA3 MD5", p->ja3_md5, false);
    html_row(b, "JA4", p->ja4, false);
    wire_buf_add_str(b, "</table>\n<h2>Your ClientHello</h2>\n<pre>");
    /* As on the text page (control bytes as \xNN), then as HTML. */
    wire_buf hello;
    wire_buf_init(&hello, 0);
    report_text_escape(&hello, p->hello, p->hello_len);
    if (!wire_buf_ok(&hello))
        wire_buf_add_str(b, "(the ClientHello is too large to show)");
    report_html_escape(b, wire_buf_str(&hello), wire_buf_len(&hello));
    wire_buf_cleanup(&hello);
    wire_buf_add_str(b, "</pre>\n<h2>Your request</h2>\n<pre>");
    report_html_escape(b, p->request, p->request_len);
    wire_buf_add_str(b, "</pre>\n");
    report_html_end(b);
}
