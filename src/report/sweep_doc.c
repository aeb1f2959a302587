/* A saved sweep or trace as HTML or Markdown; see sweep_doc.h. */
#include "sweep_doc.h"

#include <stdio.h>
#include <string.h>

#include "html.h"
#include "sweep_html.h"

#define DOC_MAX_AXES 16
#define DOC_MAX_VALUES 64

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int int_of(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : 0;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

bool report_sweep_doc_is_sweep(json_object *o)
{
    return json_object_is_type(get(o, "axes"), json_type_array) &&
           json_object_is_type(get(o, "results"), json_type_array);
}

/* The layout: the axes, each axis' values in order of first appearance. */
typedef struct {
    const char *axis[DOC_MAX_AXES];
    const char *value[DOC_MAX_AXES][DOC_MAX_VALUES];
    unsigned naxes, nvalues[DOC_MAX_AXES];
    int ic, im; /* the cipher and mac axes, -1: none */
    unsigned other[DOC_MAX_AXES], nother;
} doc_layout;

static void layout_init(doc_layout *l, json_object *sweep)
{
    memset(l, 0, sizeof *l);
    json_object *axes = get(sweep, "axes"), *res = get(sweep, "results");
    l->ic = l->im = -1;
    for (size_t a = 0; a < json_object_array_length(axes) && l->naxes < DOC_MAX_AXES; a++) {
        const char *name = json_object_get_string(json_object_array_get_idx(axes, a));
        l->ic = name && !strcmp(name, "cipher") ? (int)l->naxes : l->ic;
        l->im = name && !strcmp(name, "mac") ? (int)l->naxes : l->im;
        l->axis[l->naxes++] = name ? name : "?";
    }
    for (unsigned a = 0; a < l->naxes; a++) {
        if ((int)a != l->ic && (int)a != l->im)
            l->other[l->nother++] = a;
        for (size_t i = 0; i < json_object_array_length(res); i++) {
            const char *v = str_of(get(json_object_array_get_idx(res, i), "config"), l->axis[a]);
            unsigned k = 0;
            while (v && k < l->nvalues[a] && strcmp(l->value[a][k], v))
                k++;
            if (v && k == l->nvalues[a] && k < DOC_MAX_VALUES)
                l->value[a][l->nvalues[a]++] = v;
        }
    }
}

static report_cell cell_of(const char *status)
{
    static const struct {
        const char *name;
        report_cell cell;
    } map[] = {{"ok", REPORT_CELL_OK},           {"fail", REPORT_CELL_FAIL},
               {"timeout", REPORT_CELL_TIMEOUT}, {"flaky", REPORT_CELL_FLAKY},
               {"skipped", REPORT_CELL_SKIPPED}, {"not-offered", REPORT_CELL_NOT_OFFERED}};
    for (size_t i = 0; status && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(status, map[i].name))
            return map[i].cell;
    return REPORT_CELL_PENDING;
}

/* The result at the row and column of the grid whose other axes have the
 * values idx; NULL when there is none. */
static json_object *find(const doc_layout *l, json_object *res, const unsigned *idx, unsigned r,
                         unsigned c)
{
    for (size_t i = 0; i < json_object_array_length(res); i++) {
        json_object *o = json_object_array_get_idx(res, i), *cfg = get(o, "config");
        bool match = true;
        for (unsigned k = 0; k < l->nother && match; k++) {
            const char *v = str_of(cfg, l->axis[l->other[k]]);
            match = v && !strcmp(v, l->value[l->other[k]][idx[k]]);
        }
        if (match && l->ic >= 0)
            match = !strcmp(str_of(cfg, "cipher") ? str_of(cfg, "cipher") : "",
                            l->value[l->ic][r]);
        if (match && l->im >= 0)
            match = !strcmp(str_of(cfg, "mac") ? str_of(cfg, "mac") : "", l->value[l->im][c]);
        if (match)
            return o;
    }
    return NULL;
}

/* "TLS1.2 AES-128-GCM: fail — summary" */
static void cell_title(const doc_layout *l, json_object *o, char *out, size_t len)
{
    size_t w = 0;
    out[0] = '\0';
    for (unsigned a = 0; a < l->naxes && w < len; a++) {
        const char *v = str_of(get(o, "config"), l->axis[a]);
        w += (size_t)snprintf(out + w, len - w, "%s%s", a ? " " : "", v ? v : "?");
    }
    const char *status = str_of(o, "status"), *summary = str_of(get(o, "verdict"), "summary");
    const char *reason = str_of(o, "reason");
    if (w < len)
        w += (size_t)snprintf(out + w, len - w, ": %s%s%s", status ? status : "?",
                              summary || reason ? " \xe2\x80\x94 " : "",
                              summary ? summary : reason ? reason : "");
    json_object *client = get(o, "client");
    if (w < len && get(client, "exit"))
        w += (size_t)snprintf(out + w, len - w, " (client exit %d%s)", int_of(client, "exit"),
                              int_of(o, "attempts") > 1 ? ", last attempt" : "");
    if (w < len && str_of(o, "note"))
        snprintf(out + w, len - w, "; %s", str_of(o, "note"));
}

static void grid_row(wire_buf *b, const doc_layout *l, json_object *res, const unsigned *idx,
                     unsigned r)
{
    unsigned ncol = l->im >= 0 ? l->nvalues[l->im] : 1;
    bool any = false; /* as the live report: a row of only skipped cells is left out */
    for (unsigned c = 0; c < ncol && !any; c++) {
        json_object *o = find(l, res, idx, r, c);
        any = o && cell_of(str_of(o, "status")) != REPORT_CELL_SKIPPED;
    }
    if (!any)
        return;
    report_sweep_html_row_begin(b, l->ic >= 0 ? l->value[l->ic][r] : "");
    for (unsigned c = 0; c < ncol; c++) {
        json_object *o = find(l, res, idx, r, c);
        char title[1200];
        if (o)
            cell_title(l, o, title, sizeof title);
        report_sweep_html_cell(b, o ? cell_of(str_of(o, "status")) : REPORT_CELL_SKIPPED,
                               o ? title : NULL);
    }
    report_sweep_html_row_end(b);
}

static void grid(wire_buf *b, const doc_layout *l, json_object *res, const unsigned *idx)
{
    unsigned nrow = l->ic >= 0 ? l->nvalues[l->ic] : 1, ncol = l->im >= 0 ? l->nvalues[l->im] : 1;
    bool any = false;
    for (unsigned r = 0; r < nrow && !any; r++)
        for (unsigned c = 0; c < ncol && !any; c++)
            any = find(l, res, idx, r, c) != NULL;
    if (!any)
        return;
    const char *heading[DOC_MAX_AXES];
    for (unsigned k = 0; k < l->nother; k++)
        heading[k] = l->value[l->other[k]][idx[k]];
    static const char *const result_col[] = {"result"};
    report_sweep_html_grid_begin(b, heading, l->nother,
                                 l->ic >= 0 && l->im >= 0 ? "cipher \\ mac"
                                 : l->ic >= 0             ? "cipher"
                                                          : "",
                                 l->im >= 0 ? l->value[l->im] : result_col, ncol);
    for (unsigned r = 0; r < nrow; r++)
        grid_row(b, l, res, idx, r);
    report_sweep_html_grid_end(b);
}

static void html_head(wire_buf *b, json_object *sweep)
{
    json_object *d = get(sweep, "decides"), *alt = get(d, "alternatives"),
                *typ = get(d, "typical_failure"), *sum = get(sweep, "summary");
    const char *rule = str_of(d, "rule");
    json_object *exact = get(d, "exact");
    report_sweep_html_begin(b, rule ? rule : "nothing to decide: no combination succeeded or failed",
                            exact && json_object_get_boolean(exact));
    for (size_t i = 0; alt && i < json_object_array_length(alt); i++)
        report_sweep_html_alt_rule(b, str_of(json_object_array_get_idx(alt, i), "rule"));
    if (str_of(sweep, "hint"))
        report_sweep_html_hint(b, str_of(sweep, "hint"));
    for (size_t i = 0; typ && i < json_object_array_length(typ); i++) {
        json_object *t = json_object_array_get_idx(typ, i);
        report_sweep_html_typical(b, str_of(t, "summary"), (unsigned)int_of(t, "count"),
                                  (unsigned)int_of(t, "of"));
    }
    report_sweep_totals t = {
        .num_configs = (unsigned)int_of(sum, "combinations"),
        .num_ok = (unsigned)int_of(sum, "ok"),
        .num_fail = (unsigned)int_of(sum, "fail"),
        .num_timeout = (unsigned)int_of(sum, "timeout"),
        .num_flaky = (unsigned)int_of(sum, "flaky"),
        .num_skipped = (unsigned)int_of(sum, "skipped"),
        .num_not_offered = (unsigned)int_of(sum, "not_offered"),
    };
    report_sweep_html_totals(b, &t);
}

/* The counts of one value in the order of the per-value table. */
static void value_counts(json_object *jc, unsigned counts[5])
{
    static const char *const names[5] = {"ok", "fail", "timeout", "flaky", "skipped"};
    for (int i = 0; i < 5; i++)
        counts[i] = (unsigned)int_of(jc, names[i]);
}

static void html_counts(wire_buf *b, json_object *sweep)
{
    json_object *counts = get(get(sweep, "decides"), "counts");
    if (!counts || !json_object_is_type(counts, json_type_object))
        return;
    report_sweep_html_counts_begin(b);
    json_object_object_foreach(counts, axis, values)
    {
        json_object_object_foreach(values, value, jc)
        {
            unsigned n[5];
            value_counts(jc, n);
            if (n[0] || n[1] || n[2] || n[3])
                report_sweep_html_count_row(b, axis, value, n);
        }
    }
    report_sweep_html_counts_end(b);
}

void report_sweep_doc_html(wire_buf *b, json_object *sweep)
{
    static _Thread_local doc_layout l; /* large for a stack */
    layout_init(&l, sweep);
    html_head(b, sweep);
    json_object *res = get(sweep, "results");
    unsigned idx[DOC_MAX_AXES] = {0};
    for (;;) {
        grid(b, &l, res, idx);
        int k = (int)l.nother - 1;
        for (; k >= 0; k--) {
            if (++idx[k] < l.nvalues[l.other[k]])
                break;
            idx[k] = 0;
        }
        if (k < 0)
            break;
    }
    html_counts(b, sweep);
    report_sweep_html_end(b);
}

/* ---- Markdown ---- */

void report_md_cell(wire_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '<')
            wire_buf_add_char(b, '\\');
        wire_buf_add_char(b, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
    }
}

static void md_row(wire_buf *b, const char *const *cells, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        wire_buf_add_str(b, "| ");
        report_md_cell(b, cells[i]);
        wire_buf_add_char(b, ' ');
    }
    wire_buf_add_str(b, "|\n");
}

static void md_rule(wire_buf *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        wire_buf_add_str(b, "|---");
    wire_buf_add_str(b, "|\n");
}

static void md_totals(wire_buf *b, json_object *sum)
{
    static const char *const keys[] = {"combinations", "ok", "fail", "timeout", "flaky",
                                       "skipped", "not_offered"};
    enum { NK = sizeof keys / sizeof keys[0] };
    char num[NK][16];
    const char *cells[NK];
    for (unsigned i = 0; i < NK; i++) {
        snprintf(num[i], sizeof num[i], "%d", int_of(sum, keys[i]));
        cells[i] = num[i];
    }
    md_row(b, keys, NK);
    md_rule(b, NK);
    md_row(b, cells, NK);
}

/* Every combination tried: its axis values, status and verdict summary
 * (skipped ones only count, in the totals). */
static void md_results(wire_buf *b, const doc_layout *l, json_object *res)
{
    const char *head[DOC_MAX_AXES + 2];
    for (unsigned a = 0; a < l->naxes; a++)
        head[a] = l->axis[a];
    head[l->naxes] = "status";
    head[l->naxes + 1] = "verdict";
    md_row(b, head, l->naxes + 2);
    md_rule(b, l->naxes + 2);
    for (size_t i = 0; i < json_object_array_length(res); i++) {
        json_object *o = json_object_array_get_idx(res, i);
        const char *status = str_of(o, "status"), *cells[DOC_MAX_AXES + 2];
        if (status && !strcmp(status, "skipped"))
            continue;
        for (unsigned a = 0; a < l->naxes; a++) {
            const char *v = str_of(get(o, "config"), l->axis[a]);
            cells[a] = v ? v : "";
        }
        const char *summary = str_of(get(o, "verdict"), "summary");
        cells[l->naxes] = status ? status : "?";
        cells[l->naxes + 1] = summary ? summary : "";
        md_row(b, cells, l->naxes + 2);
    }
}

static void md_counts(wire_buf *b, json_object *counts)
{
    static const char *const head[] = {"axis", "value", "ok", "fail", "timeout", "flaky",
                                       "skipped"};
    md_row(b, head, 7);
    md_rule(b, 7);
    json_object_object_foreach(counts, axis, values)
    {
        json_object_object_foreach(values, value, jc)
        {
            unsigned n[5];
            char num[5][16];
            const char *cells[7] = {axis, value};
            value_counts(jc, n);
            for (int i = 0; i < 5; i++) {
                snprintf(num[i], sizeof num[i], "%u", n[i]);
                cells[2 + i] = num[i];
            }
            md_row(b, cells, 7);
        }
    }
}

void report_sweep_doc_markdown(wire_buf *b, json_object *sweep)
{
    static _Thread_local doc_layout l;
    layout_init(&l, sweep);
    json_object *d = get(sweep, "decides"), *typ = get(d, "typical_failure");
    const char *rule = str_of(d, "rule");
    json_object *exact = get(d, "exact");
    wire_buf_add_str(b, "### tlsprobe sweep\n\n**Decides:** ");
    report_md_cell(b, rule ? rule : "nothing to decide");
    wire_buf_add_str(b, exact && json_object_get_boolean(exact)
                            ? " (exact: the rule explains every result)\n\n"
                            : "\n\n");
    if (str_of(sweep, "hint")) {
        wire_buf_add_str(b, "**Hint:** ");
        report_md_cell(b, str_of(sweep, "hint"));
        wire_buf_add_str(b, "\n\n");
    }
    for (size_t i = 0; typ && i < json_object_array_length(typ); i++) {
        json_object *t = json_object_array_get_idx(typ, i);
        wire_buf_add_str(b, "**Typical failure:** ");
        report_md_cell(b, str_of(t, "summary"));
        wire_buf_printf(b, " (%d of %d)\n\n", int_of(t, "count"), int_of(t, "of"));
    }
    md_totals(b, get(sweep, "summary"));
    wire_buf_add_str(b, "\n#### Combinations\n\n");
    md_results(b, &l, get(sweep, "results"));
    if (json_object_is_type(get(d, "counts"), json_type_object)) {
        wire_buf_add_str(b, "\n#### Per value\n\n");
        md_counts(b, get(d, "counts"));
    }
    wire_buf_add_str(b, "\n<sub>made by `tlsprobe report --markdown`</sub>\n");
}

/* ---- a trace: its verdicts ---- */

static void verdict_cells(json_object *v, const char *cells[6], char *conn, size_t conn_len)
{
    snprintf(conn, conn_len, "%d", int_of(v, "conn"));
    static const char *const keys[] = {"outcome", "phase", "actor", "cause", "summary"};
    cells[0] = conn;
    for (int i = 0; i < 5; i++) {
        const char *s = str_of(v, keys[i]);
        cells[1 + i] = s ? s : "";
    }
}

static const char *const verdict_head[6] = {"conn", "outcome", "phase", "actor", "cause",
                                            "summary"};

void report_trace_doc_markdown(wire_buf *b, json_object *const *verdicts, size_t n)
{
    wire_buf_printf(b, "### tlsprobe trace: %zu verdict%s\n\n", n, n == 1 ? "" : "s");
    md_row(b, verdict_head, 6);
    md_rule(b, 6);
    for (size_t i = 0; i < n; i++) {
        const char *cells[6];
        char conn[16];
        verdict_cells(verdicts[i], cells, conn, sizeof conn);
        md_row(b, cells, 6);
    }
    wire_buf_add_str(b, "\n<sub>made by `tlsprobe report --markdown`</sub>\n");
}

void report_trace_doc_html(wire_buf *b, json_object *const *verdicts, size_t n)
{
    report_html_begin(b, "tlsprobe trace",
                      "body{font-family:sans-serif}td,th{border:1px solid #999;padding:2px 6px}"
                      "table{border-collapse:collapse}.fail{background:#f4b6b6}"
                      ".ok{background:#b6e3b6}.unused{background:#ddd}");
    wire_buf_printf(b, "<h1>tlsprobe trace</h1>\n<p>%zu verdicts</p>\n<table id=\"verdicts\">"
                       "<tr>", n);
    for (int i = 0; i < 6; i++)
        wire_buf_printf(b, "<th>%s</th>", verdict_head[i]);
    wire_buf_add_str(b, "</tr>\n");
    for (size_t i = 0; i < n; i++) {
        const char *cells[6];
        char conn[16];
        verdict_cells(verdicts[i], cells, conn, sizeof conn);
        wire_buf_add_str(b, "<tr class=\"");
        report_html_escape_str(b, cells[1]);
        wire_buf_add_str(b, "\">");
        for (int c = 0; c < 6; c++) {
            wire_buf_add_str(b, "<td>");
            report_html_escape_str(b, cells[c]);
            wire_buf_add_str(b, "</td>");
        }
        wire_buf_add_str(b, "</tr>\n");
    }
    wire_buf_add_str(b, "</table>\n");
    report_html_end(b);
}
