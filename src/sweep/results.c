/* Result objects, decide rows and the reports (text, JSON, HTML). */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "../report/sweep_html.h"
#include "../wire/buf.h"

void sweep_result_cleanup(sweep_result *r)
{
    if (!r)
        return;
    json_object_put(r->verdict);
    json_object_put(r->client);
    memset(r, 0, sizeof(*r));
}

static json_object *config_json(const sweep_matrix *m, const sweep_config *c)
{
    json_object *o = json_object_new_object();
    for (unsigned a = 0; a < m->num_axes; a++)
        json_object_object_add(o, m->axis_names[a], json_object_new_string(c->values[a]));
    return o;
}

json_object *sweep_result_to_json(const sweep_matrix *m, const sweep_config *c,
                                  const sweep_result *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "config", config_json(m, c));
    sweep_status st = c->state == SWEEP_CFG_SKIPPED ? SWEEP_ST_SKIPPED : r->status;
    json_object_object_add(o, "status", json_object_new_string(sweep_status_name(st)));
    json_object_object_add(o, "attempts", json_object_new_int((int)r->attempts));
    if (r->connections)
        json_object_object_add(o, "connections", json_object_new_int((int)r->connections));
    if (c->state == SWEEP_CFG_SKIPPED && c->why[0])
        json_object_object_add(o, "reason", json_object_new_string(c->why));
    if (r->verdict)
        json_object_object_add(o, "verdict", json_object_get(r->verdict));
    if (r->client)
        json_object_object_add(o, "client", json_object_get(r->client));
    char note[160];
    sweep_result_client_note(r, note, sizeof note);
    if (note[0])
        json_object_object_add(o, "note", json_object_new_string(note));
    return o;
}

bool sweep_result_from_json(const sweep_matrix *m, json_object *o, unsigned *out_index,
                            sweep_result *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    json_object *cfg, *v;
    if (!json_object_object_get_ex(o, "config", &cfg) ||
        !json_object_is_type(cfg, json_type_object)) {
        snprintf(why, why_len, "no \"config\" object");
        return false;
    }
    const char *values[SWEEP_MAX_AXES] = {0};
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (!json_object_object_get_ex(cfg, m->axis_names[a], &v) ||
            !json_object_is_type(v, json_type_string)) {
            snprintf(why, why_len, "config has no %s (the journal is from a sweep over other axes)",
                     m->axis_names[a]);
            return false;
        }
        values[a] = json_object_get_string(v);
    }
    if ((unsigned)json_object_object_length(cfg) != m->num_axes) {
        snprintf(why, why_len, "config has other axes than this sweep");
        return false;
    }
    int idx = sweep_matrix_find(m, values);
    if (idx < 0) {
        snprintf(why, why_len, "configuration not in this sweep's matrix");
        return false;
    }
    if (!json_object_object_get_ex(o, "status", &v) ||
        !sweep_status_parse(json_object_get_string(v), &out->status)) {
        snprintf(why, why_len, "unknown status");
        return false;
    }
    if (json_object_object_get_ex(o, "attempts", &v))
        out->attempts = (unsigned)json_object_get_int(v);
    if (json_object_object_get_ex(o, "connections", &v))
        out->connections = (unsigned)json_object_get_int(v);
    if (json_object_object_get_ex(o, "verdict", &v) && json_object_is_type(v, json_type_object))
        out->verdict = json_object_get(v);
    if (json_object_object_get_ex(o, "client", &v) && json_object_is_type(v, json_type_object))
        out->client = json_object_get(v);
    out->done = true;
    *out_index = (unsigned)idx;
    return true;
}

void sweep_result_client_note(const sweep_result *r, char *out, size_t out_len)
{
    out[0] = '\0';
    json_object *v;
    if (!r->client || (r->status != SWEEP_ST_OK && r->status != SWEEP_ST_FAIL))
        return;
    int code = json_object_object_get_ex(r->client, "exit", &v) ? json_object_get_int(v) : 0;
    int sig = json_object_object_get_ex(r->client, "signal", &v) ? json_object_get_int(v) : 0;
    bool timed_out =
        json_object_object_get_ex(r->client, "timed_out", &v) && json_object_get_boolean(v);
    const char *tls = r->status == SWEEP_ST_OK ? "worked" : "failed";
    if (timed_out)
        snprintf(out, out_len, "the client command timed out although the TLS session %s", tls);
    else if (sig)
        snprintf(out, out_len, "the client was killed by signal %d; the TLS session %s", sig, tls);
    else if (code != 0 && r->status == SWEEP_ST_OK)
        snprintf(out, out_len, "client exited %d although the TLS session worked", code);
    else if (code == 0 && r->status == SWEEP_ST_FAIL)
        snprintf(out, out_len, "client exited 0 although the TLS session failed");
}

static const char *verdict_summary(const sweep_result *r)
{
    json_object *v;
    if (r->verdict && json_object_object_get_ex(r->verdict, "summary", &v))
        return json_object_get_string(v);
    return NULL;
}

bool sweep_rows_build(const sweep_matrix *m, const sweep_result *res, sweep_row **out_rows,
                      unsigned **out_cfg, unsigned *out_n)
{
    sweep_row *rows = calloc(m->num_configs + 1, sizeof(*rows));
    unsigned *map = calloc(m->num_configs + 1, sizeof(*map));
    if (!rows || !map) {
        free(rows);
        free(map);
        return false;
    }
    unsigned n = 0;
    for (unsigned i = 0; i < m->num_configs; i++) {
        const sweep_config *c = &m->configs[i];
        if (c->state == SWEEP_CFG_NOT_OFFERED)
            continue;
        if (c->state == SWEEP_CFG_RUN && !res[i].done)
            continue;
        for (unsigned a = 0; a < m->num_axes; a++)
            rows[n].values[a] = c->values[a];
        rows[n].status = c->state == SWEEP_CFG_SKIPPED ? SWEEP_ST_SKIPPED : res[i].status;
        rows[n].summary = verdict_summary(&res[i]);
        map[n++] = i;
    }
    *out_rows = rows;
    *out_cfg = map;
    *out_n = n;
    return true;
}

json_object *sweep_report_json(const sweep_matrix *m, const sweep_result *res,
                               const sweep_decision *d, const sweep_row *rows)
{
    json_object *o = json_object_new_object();
    json_object *axes = json_object_new_array();
    for (unsigned a = 0; a < m->num_axes; a++)
        json_object_array_add(axes, json_object_new_string(m->axis_names[a]));
    json_object_object_add(o, "axes", axes);
    json_object *results = json_object_new_array();
    unsigned pending = 0;
    for (unsigned i = 0; i < m->num_configs; i++) {
        const sweep_config *c = &m->configs[i];
        if (c->state == SWEEP_CFG_NOT_OFFERED)
            continue;
        if (c->state == SWEEP_CFG_RUN && !res[i].done) {
            pending++;
            continue;
        }
        json_object_array_add(results, sweep_result_to_json(m, c, &res[i]));
    }
    json_object_object_add(o, "results", results);
    json_object_object_add(o, "decides", sweep_decision_to_json(d, rows));
    const char *hint = sweep_quirk_hint(m, d);
    if (hint)
        json_object_object_add(o, "hint", json_object_new_string(hint));
    json_object *sum = json_object_new_object();
    json_object_object_add(sum, "combinations", json_object_new_int((int)m->num_configs));
    for (unsigned st = 0; st < SWEEP_ST_COUNT; st++)
        json_object_object_add(sum, sweep_status_name((sweep_status)st),
                               json_object_new_int((int)d->num_status[st]));
    json_object_object_add(sum, "not_offered", json_object_new_int((int)m->num_not_offered));
    json_object_object_add(sum, "not_tried", json_object_new_int((int)pending));
    json_object_object_add(o, "summary", sum);
    return o;
}

/* ---- text ---- */

static void config_label(const sweep_matrix *m, const sweep_row *r, char *out, size_t len)
{
    size_t w = 0;
    out[0] = '\0';
    for (unsigned a = 0; a < m->num_axes && w < len; a++) {
        int k = snprintf(out + w, len - w, "%s%s", a ? " " : "", r->values[a]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
}

const char *sweep_quirk_hint(const sweep_matrix *m, const sweep_decision *d)
{
    if (!d->decidable || (d->num_failing != 0 && d->num_failing != d->num_decided))
        return NULL;
    for (unsigned a = 0; a < m->num_axes; a++)
        if (strcmp(m->axis_names[a], "quirk") == 0)
            return NULL;
    return d->num_failing == 0
               ? "no negotiated parameter made a difference; a client that breaks on how the "
                 "server's records are shaped (padding, fragmentation, split records) shows with "
                 "--axes quirk (see `tlsprobe list`)"
               : "every negotiated combination failed; if the client breaks on how the server's "
                 "records are shaped, --axes quirk (with --protocols/--ciphers it accepts) "
                 "names the quirk";
}

void sweep_report_text(FILE *out, const sweep_matrix *m, const sweep_result *res,
                       const sweep_decision *d, const sweep_row *rows)
{
    (void)res;
    fprintf(out,
            "\nsweep: %u combinations: %u ok, %u failed, %u timed out, %u flaky, %u skipped "
            "(engine cannot form), %u not offered by the client\n",
            m->num_configs, d->num_status[SWEEP_ST_OK], d->num_status[SWEEP_ST_FAIL],
            d->num_status[SWEEP_ST_TIMEOUT], d->num_status[SWEEP_ST_FLAKY],
            d->num_status[SWEEP_ST_SKIPPED], m->num_not_offered);
    if (!d->decidable)
        fprintf(out, "decides: nothing to decide (no combination succeeded or failed)\n");
    for (unsigned i = 0; i < d->num_rules; i++)
        fprintf(out, "%s %s\n", i == 0 ? "decides:" : "    or:", d->rules[i].text);
    const char *hint = sweep_quirk_hint(m, d);
    if (hint)
        fprintf(out, "hint: %s\n", hint);
    for (unsigned i = 0; i < d->num_typical; i++) {
        char phrase[900];
        sweep_typical_phrase(d, &d->typical[i], phrase, sizeof phrase);
        fprintf(out, "%s \"%s\" in %u of %u\n",
                i == 0 ? "typical failure:" : "            also:", phrase, d->typical[i].count,
                d->num_failing);
    }
    if (d->num_counts) {
        fprintf(out, "\n%-10s %-24s %5s %5s %7s %5s %7s\n", "axis", "value", "ok", "fail",
                "timeout", "flaky", "skipped");
        for (unsigned i = 0; i < d->num_counts; i++) {
            const sweep_value_count *c = &d->counts[i];
            if (c->n[SWEEP_ST_SKIPPED] && !c->n[SWEEP_ST_OK] && !c->n[SWEEP_ST_FAIL] &&
                !c->n[SWEEP_ST_TIMEOUT] && !c->n[SWEEP_ST_FLAKY])
                continue; /* only skipped: nothing was tried with it */
            fprintf(out, "%-10s %-24s %5u %5u %7u %5u %7u\n", d->axes[c->axis], c->value,
                    c->n[SWEEP_ST_OK], c->n[SWEEP_ST_FAIL], c->n[SWEEP_ST_TIMEOUT],
                    c->n[SWEEP_ST_FLAKY], c->n[SWEEP_ST_SKIPPED]);
        }
    }
    unsigned shown = 0, nfail = 0;
    unsigned num_rows = d->num_status[SWEEP_ST_OK] + d->num_status[SWEEP_ST_FAIL] +
                        d->num_status[SWEEP_ST_FLAKY] + d->num_status[SWEEP_ST_SKIPPED] +
                        d->num_status[SWEEP_ST_TIMEOUT];
    for (unsigned r = 0; r < num_rows; r++) {
        sweep_status st = rows[r].status;
        if (st != SWEEP_ST_FAIL && st != SWEEP_ST_TIMEOUT && st != SWEEP_ST_FLAKY)
            continue;
        nfail++;
        if (shown == 0)
            fprintf(out, "\nfailing combinations:\n");
        if (shown++ >= 40)
            continue;
        char label[256];
        config_label(m, &rows[r], label, sizeof(label));
        fprintf(out, "  %-7s %-40s %s\n", sweep_status_name(st), label,
                rows[r].summary ? rows[r].summary : "");
    }
    if (shown > 40)
        fprintf(out, "  ... and %u more (see --json / --report)\n", nfail - 40);
}

/* ---- HTML (the markup is report/sweep_html.c's) ---- */

static int axis_of(const sweep_matrix *m, const char *name)
{
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (strcmp(m->axis_names[a], name) == 0)
            return (int)a;
    }
    return -1;
}

static report_cell cell_of(const sweep_config *c, const sweep_result *r)
{
    if (c->state == SWEEP_CFG_SKIPPED)
        return REPORT_CELL_SKIPPED;
    if (c->state == SWEEP_CFG_NOT_OFFERED)
        return REPORT_CELL_NOT_OFFERED;
    if (!r->done && r->inferred) /* adaptive: what the rule says of it */
        return r->status == SWEEP_ST_FAIL ? REPORT_CELL_INFERRED_FAIL : REPORT_CELL_INFERRED_OK;
    if (!r->done)
        return REPORT_CELL_PENDING;
    switch (r->status) {
    case SWEEP_ST_OK:
        return REPORT_CELL_OK;
    case SWEEP_ST_FAIL:
        return REPORT_CELL_FAIL;
    case SWEEP_ST_FLAKY:
        return REPORT_CELL_FLAKY;
    case SWEEP_ST_TIMEOUT:
        return REPORT_CELL_TIMEOUT;
    default:
        return REPORT_CELL_SKIPPED;
    }
}

static void cell_title(const sweep_matrix *m, const sweep_config *c, const sweep_result *r,
                       char *out, size_t len)
{
    char label[256];
    sweep_config_label(m, c, label, sizeof(label));
    json_object *v;
    const char *summary = NULL;
    if (r->verdict && json_object_object_get_ex(r->verdict, "summary", &v))
        summary = json_object_get_string(v);
    int w;
    if (c->state == SWEEP_CFG_SKIPPED)
        w = snprintf(out, len, "%s: skipped: %s", label, c->why);
    else if (c->state == SWEEP_CFG_NOT_OFFERED)
        w = snprintf(out, len, "%s: not offered by the client", label);
    else
        w = snprintf(out, len, "%s: %s%s%s", label, report_sweep_cell_word(cell_of(c, r)),
                     summary ? " \xe2\x80\x94 " : "", summary ? summary : "");
    if (w >= 0 && (size_t)w < len && r->client) {
        json_object *ex;
        if (json_object_object_get_ex(r->client, "exit", &ex))
            snprintf(out + w, len - (size_t)w, " (client exit %d%s)", json_object_get_int(ex),
                     r->attempts > 1 ? ", last attempt" : "");
        char note[160];
        sweep_result_client_note(r, note, sizeof note);
        size_t used = strlen(out);
        if (note[0] && used + 1 < len)
            snprintf(out + used, len - used, "; %s", note);
    }
}

static void html_head(wire_buf *b, const sweep_matrix *m, const sweep_result *res,
                      const sweep_decision *d)
{
    const char *rule =
        d->num_rules ? d->rules[0].text : "nothing to decide: no combination succeeded or failed";
    report_sweep_html_begin(b, rule, d->exact);
    for (unsigned i = 1; i < d->num_rules; i++)
        report_sweep_html_alt_rule(b, d->rules[i].text);
    const char *hint = sweep_quirk_hint(m, d);
    if (hint)
        report_sweep_html_hint(b, hint);
    for (unsigned i = 0; i < d->num_typical; i++) {
        char phrase[900];
        sweep_typical_phrase(d, &d->typical[i], phrase, sizeof phrase);
        report_sweep_html_typical(b, phrase, d->typical[i].count, d->num_failing);
    }
    report_sweep_totals t = {
        .num_configs = m->num_configs,
        .num_ok = d->num_status[SWEEP_ST_OK],
        .num_fail = d->num_status[SWEEP_ST_FAIL],
        .num_timeout = d->num_status[SWEEP_ST_TIMEOUT],
        .num_flaky = d->num_status[SWEEP_ST_FLAKY],
        .num_skipped = d->num_status[SWEEP_ST_SKIPPED],
        .num_not_offered = m->num_not_offered,
    };
    for (unsigned i = 0; i < m->num_configs; i++) {
        t.num_inferred += !res[i].done && res[i].inferred;
        t.num_connections += res[i].done && !res[i].inferred ? res[i].attempts : 0;
        t.num_formable += m->configs[i].state == SWEEP_CFG_RUN;
    }
    report_sweep_html_totals(b, &t);
}

/* One grid's layout: rows = cipher values, columns = mac values, for one
 * combination of the other axes. */
typedef struct {
    int ic, im;
    unsigned nrow, ncol;
    unsigned other[SWEEP_MAX_AXES], nother;
    const sweep_config *cells[SWEEP_MAX_VALUES][SWEEP_MAX_VALUES];
} grid_t;

/* Fills the cells of the grid at idx; false when it has nothing formable. */
static bool grid_fill(grid_t *g, const sweep_matrix *m, const unsigned *idx)
{
    memset(g->cells, 0, sizeof(g->cells));
    bool any = false;
    for (unsigned i = 0; i < m->num_configs; i++) {
        const sweep_config *c = &m->configs[i];
        bool match = true;
        for (unsigned k = 0; k < g->nother && match; k++)
            match = strcmp(c->values[g->other[k]], m->values[g->other[k]][idx[k]]) == 0;
        if (!match)
            continue;
        unsigned r = 0, col = 0;
        while (g->ic >= 0 && strcmp(m->values[g->ic][r], c->values[g->ic]) != 0)
            r++;
        while (g->im >= 0 && strcmp(m->values[g->im][col], c->values[g->im]) != 0)
            col++;
        g->cells[r][col] = c;
        if (c->state != SWEEP_CFG_SKIPPED)
            any = true;
    }
    return any;
}

static void grid_render(wire_buf *b, const grid_t *g, const sweep_matrix *m,
                        const sweep_result *res, const unsigned *idx)
{
    const char *heading[SWEEP_MAX_AXES];
    for (unsigned k = 0; k < g->nother; k++)
        heading[k] = m->values[g->other[k]][idx[k]];
    const char *cols[SWEEP_MAX_VALUES];
    static const char *const result_col[] = {"result"};
    for (unsigned col = 0; g->im >= 0 && col < g->ncol; col++)
        cols[col] = m->values[g->im][col];
    report_sweep_html_grid_begin(b, heading, g->nother,
                                 g->ic >= 0 && g->im >= 0 ? "cipher \\ mac"
                                 : g->ic >= 0             ? "cipher"
                                                          : "",
                                 g->im >= 0 ? cols : result_col, g->ncol);
    for (unsigned r = 0; r < g->nrow; r++) {
        bool row_any = false;
        for (unsigned col = 0; col < g->ncol; col++)
            row_any |= g->cells[r][col] && g->cells[r][col]->state != SWEEP_CFG_SKIPPED;
        if (!row_any)
            continue; /* nothing this engine can form in this row */
        report_sweep_html_row_begin(b, g->ic >= 0 ? m->values[g->ic][r] : "");
        for (unsigned col = 0; col < g->ncol; col++) {
            const sweep_config *c = g->cells[r][col];
            if (!c) {
                report_sweep_html_cell(b, REPORT_CELL_SKIPPED, NULL);
                continue;
            }
            char title[1200];
            cell_title(m, c, &res[c->index], title, sizeof(title));
            report_sweep_html_cell(b, cell_of(c, &res[c->index]), title);
        }
        report_sweep_html_row_end(b);
    }
    report_sweep_html_grid_end(b);
}

/* The grids: one per combination of the other axes (protocol x kx first). */
static void html_grids(wire_buf *b, const sweep_matrix *m, const sweep_result *res)
{
    static _Thread_local grid_t g; /* the cells are large for a stack */
    g.ic = axis_of(m, "cipher");
    g.im = axis_of(m, "mac");
    g.nrow = g.ic >= 0 ? m->num_values[g.ic] : 1;
    g.ncol = g.im >= 0 ? m->num_values[g.im] : 1;
    g.nother = 0;
    for (unsigned a = 0; a < m->num_axes; a++) {
        if ((int)a != g.ic && (int)a != g.im)
            g.other[g.nother++] = a;
    }
    unsigned idx[SWEEP_MAX_AXES] = {0};
    for (;;) {
        if (grid_fill(&g, m, idx))
            grid_render(b, &g, m, res, idx);
        /* next combination of the other axes */
        int k = (int)g.nother - 1;
        for (; k >= 0; k--) {
            if (++idx[k] < m->num_values[g.other[k]])
                break;
            idx[k] = 0;
        }
        if (k < 0)
            break;
    }
}

static void html_counts(wire_buf *b, const sweep_decision *d)
{
    if (!d->num_counts)
        return;
    report_sweep_html_counts_begin(b);
    for (unsigned i = 0; i < d->num_counts; i++) {
        const sweep_value_count *c = &d->counts[i];
        if (c->n[SWEEP_ST_SKIPPED] && !c->n[SWEEP_ST_OK] && !c->n[SWEEP_ST_FAIL] &&
            !c->n[SWEEP_ST_TIMEOUT] && !c->n[SWEEP_ST_FLAKY])
            continue;
        const unsigned counts[5] = {c->n[SWEEP_ST_OK], c->n[SWEEP_ST_FAIL],
                                    c->n[SWEEP_ST_TIMEOUT], c->n[SWEEP_ST_FLAKY],
                                    c->n[SWEEP_ST_SKIPPED]};
        report_sweep_html_count_row(b, d->axes[c->axis], c->value, counts);
    }
    report_sweep_html_counts_end(b);
}

bool sweep_report_html(FILE *out, const sweep_matrix *m, const sweep_result *res,
                       const sweep_decision *d, const sweep_row *rows)
{
    (void)rows;
    wire_buf b;
    wire_buf_init(&b, 0);
    html_head(&b, m, res, d);
    html_grids(&b, m, res);
    html_counts(&b, d);
    report_sweep_html_end(&b);
    bool ok = wire_buf_ok(&b);
    if (ok)
        fwrite(wire_buf_data(&b), 1, wire_buf_len(&b), out);
    wire_buf_cleanup(&b);
    return ok;
}
