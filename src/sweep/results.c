/* Result objects, decide rows and the reports (text, JSON, HTML). */
#include "results.h"

#include <stdlib.h>
#include <string.h>

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

void sweep_typical_phrase(const sweep_decision *d, const sweep_typical *t, char *out,
                          size_t out_len)
{
    if (out_len == 0)
        return;
    snprintf(out, out_len, "%s", t->example ? t->example : "");
    if (t->all_same)
        return;
    char differ[256] = "";
    size_t w = 0;
    unsigned n = 0;
    for (unsigned a = 0; a < d->num_axes && w < sizeof differ; a++) {
        if (!(t->differs >> a & 1))
            continue;
        int k = snprintf(differ + w, sizeof differ - w, "%s%s", n++ ? ", " : "", d->axes[a]);
        w = k > 0 ? w + (size_t)k : w;
    }
    size_t used = strlen(out);
    if (used + 1 < out_len)
        snprintf(out + used, out_len - used, " (one example of %u; they differ in %s)", t->count,
                 n ? differ : "numbers only");
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

/* ---- HTML ---- */

void sweep_html_escape(char *out, size_t out_len, const char *s)
{
    size_t w = 0;
    if (out_len == 0)
        return;
    for (const char *p = s ? s : ""; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        size_t need = rep ? strlen(rep) : 1;
        if (w + need >= out_len)
            break;
        if (rep) {
            memcpy(out + w, rep, need);
        } else {
            /* control bytes from a client's output would break the page */
            out[w] = ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') ? '?' : *p;
        }
        w += need;
    }
    out[w] = '\0';
}

static void put_esc(FILE *out, const char *s)
{
    char buf[4096];
    sweep_html_escape(buf, sizeof(buf), s);
    fputs(buf, out);
}

static int axis_of(const sweep_matrix *m, const char *name)
{
    for (unsigned a = 0; a < m->num_axes; a++) {
        if (strcmp(m->axis_names[a], name) == 0)
            return (int)a;
    }
    return -1;
}

static const char *cell_class(const sweep_config *c, const sweep_result *r)
{
    if (c->state == SWEEP_CFG_SKIPPED)
        return "skipped";
    if (c->state == SWEEP_CFG_NOT_OFFERED)
        return "not-offered";
    if (!r->done)
        return "pending";
    switch (r->status) {
    case SWEEP_ST_OK:
        return "ok";
    case SWEEP_ST_FAIL:
        return "fail";
    case SWEEP_ST_FLAKY:
        return "flaky";
    case SWEEP_ST_TIMEOUT:
        return "fail timeout";
    default:
        return "skipped";
    }
}

static const char *cell_text(const char *cls)
{
    if (!strcmp(cls, "ok"))
        return "ok";
    if (!strcmp(cls, "fail"))
        return "fail";
    if (!strcmp(cls, "fail timeout"))
        return "timeout";
    if (!strcmp(cls, "flaky"))
        return "flaky";
    if (!strcmp(cls, "not-offered"))
        return "&middot;";
    if (!strcmp(cls, "pending"))
        return "?";
    return "";
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
    const char *cls = cell_class(c, r);
    int w;
    if (c->state == SWEEP_CFG_SKIPPED)
        w = snprintf(out, len, "%s: skipped: %s", label, c->why);
    else if (c->state == SWEEP_CFG_NOT_OFFERED)
        w = snprintf(out, len, "%s: not offered by the client", label);
    else
        w = snprintf(out, len, "%s: %s%s%s", label, cell_text(cls), summary ? " \xe2\x80\x94 " : "",
                     summary ? summary : "");
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

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>tlsprobe sweep</title>\n<style>\n"
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
    ".legend span{display:inline-block;padding:2px 8px;margin-right:6px}\n"
    "table.counts td,table.counts th{padding:2px 8px;text-align:right}\n"
    "table.counts td:first-child,table.counts td:nth-child(2){text-align:left}\n"
    "</style></head><body>\n";

void sweep_report_html(FILE *out, const sweep_matrix *m, const sweep_result *res,
                       const sweep_decision *d, const sweep_row *rows)
{
    (void)rows;
    fputs(html_head, out);
    fputs("<h1>tlsprobe sweep</h1>\n", out);
    const char *rule =
        d->num_rules ? d->rules[0].text : "nothing to decide: no combination succeeded or failed";
    fprintf(out, "<div class=\"rule%s\" id=\"rule\">", d->exact ? " exact" : "");
    put_esc(out, rule);
    fputs("</div>\n", out);
    for (unsigned i = 1; i < d->num_rules; i++) {
        fputs("<div class=\"rule alt\">or: ", out);
        put_esc(out, d->rules[i].text);
        fputs("</div>\n", out);
    }
    const char *hint = sweep_quirk_hint(m, d);
    if (hint) {
        fputs("<div class=\"hint\" id=\"hint\">hint: ", out);
        put_esc(out, hint);
        fputs("</div>\n", out);
    }
    for (unsigned i = 0; i < d->num_typical; i++) {
        fputs("<div class=\"typical\">typical failure: &ldquo;", out);
        char phrase[900];
        sweep_typical_phrase(d, &d->typical[i], phrase, sizeof phrase);
        put_esc(out, phrase);
        fprintf(out, "&rdquo; in %u of %u</div>\n", d->typical[i].count, d->num_failing);
    }
    fprintf(out,
            "<p>%u combinations: %u ok, %u failed, %u timed out, %u flaky, %u skipped (engine "
            "cannot form), %u not offered by the client.</p>\n",
            m->num_configs, d->num_status[SWEEP_ST_OK], d->num_status[SWEEP_ST_FAIL],
            d->num_status[SWEEP_ST_TIMEOUT], d->num_status[SWEEP_ST_FLAKY],
            d->num_status[SWEEP_ST_SKIPPED], m->num_not_offered);
    fputs("<p class=\"legend\"><span class=\"ok\" style=\"background:#66bb6a;color:#fff\">ok</span>"
          "<span style=\"background:#e53935;color:#fff\">fail</span>"
          "<span style=\"background:#8e24aa;color:#fff\">timeout</span>"
          "<span style=\"background:#ffb300\">flaky</span>"
          "<span style=\"background:#eee;color:#999\">skipped</span>"
          "<span style=\"background:#fafafa;color:#bbb\">not offered</span></p>\n",
          out);

    /* grids: rows = cipher values, columns = mac values, one grid per
       combination of the other axes (protocol x kx first) */
    int ic = axis_of(m, "cipher"), im = axis_of(m, "mac");
    unsigned nrow = ic >= 0 ? m->num_values[ic] : 1, ncol = im >= 0 ? m->num_values[im] : 1;
    unsigned other[SWEEP_MAX_AXES], nother = 0;
    for (unsigned a = 0; a < m->num_axes; a++) {
        if ((int)a != ic && (int)a != im)
            other[nother++] = a;
    }
    unsigned idx[SWEEP_MAX_AXES] = {0};
    for (;;) {
        /* configurations of this grid, by (row, col) */
        const sweep_config *cells[SWEEP_MAX_VALUES][SWEEP_MAX_VALUES];
        memset(cells, 0, sizeof(cells));
        bool any = false;
        for (unsigned i = 0; i < m->num_configs; i++) {
            const sweep_config *c = &m->configs[i];
            bool match = true;
            for (unsigned k = 0; k < nother && match; k++)
                match = strcmp(c->values[other[k]], m->values[other[k]][idx[k]]) == 0;
            if (!match)
                continue;
            unsigned r = 0, col = 0;
            while (ic >= 0 && strcmp(m->values[ic][r], c->values[ic]) != 0)
                r++;
            while (im >= 0 && strcmp(m->values[im][col], c->values[im]) != 0)
                col++;
            cells[r][col] = c;
            if (c->state != SWEEP_CFG_SKIPPED)
                any = true;
        }
        if (any) {
            fputs("<h2>", out);
            for (unsigned k = 0; k < nother; k++) {
                if (k)
                    fputs(" &middot; ", out);
                put_esc(out, m->values[other[k]][idx[k]]);
            }
            if (nother == 0)
                fputs("all", out);
            fputs("</h2>\n<table class=\"grid\"><tr><th class=\"row\">", out);
            put_esc(out, ic >= 0 ? "cipher \\ mac" : "");
            fputs("</th>", out);
            for (unsigned col = 0; col < ncol; col++) {
                fputs("<th>", out);
                put_esc(out, im >= 0 ? m->values[im][col] : "result");
                fputs("</th>", out);
            }
            fputs("</tr>\n", out);
            for (unsigned r = 0; r < nrow; r++) {
                bool row_any = false;
                for (unsigned col = 0; col < ncol; col++)
                    row_any |= cells[r][col] && cells[r][col]->state != SWEEP_CFG_SKIPPED;
                if (!row_any)
                    continue; /* nothing this engine can form in this row */
                fputs("<tr><th class=\"row\">", out);
                put_esc(out, ic >= 0 ? m->values[ic][r] : "");
                fputs("</th>", out);
                for (unsigned col = 0; col < ncol; col++) {
                    const sweep_config *c = cells[r][col];
                    if (!c) {
                        fputs("<td></td>", out);
                        continue;
                    }
                    const sweep_result *rr = &res[c->index];
                    const char *cls = cell_class(c, rr);
                    char title[1200];
                    cell_title(m, c, rr, title, sizeof(title));
                    fprintf(out, "<td class=\"%s\" title=\"", cls);
                    put_esc(out, title);
                    fprintf(out, "\">%s</td>", cell_text(cls));
                }
                fputs("</tr>\n", out);
            }
            fputs("</table>\n", out);
        }
        /* next combination of the other axes */
        int k = (int)nother - 1;
        for (; k >= 0; k--) {
            if (++idx[k] < m->num_values[other[k]])
                break;
            idx[k] = 0;
        }
        if (k < 0)
            break;
    }

    if (d->num_counts) {
        fputs("<h2>Per value</h2>\n<table class=\"counts grid\"><tr><th>axis</th><th>value</th>"
              "<th>ok</th><th>fail</th><th>timeout</th><th>flaky</th><th>skipped</th></tr>\n",
              out);
        for (unsigned i = 0; i < d->num_counts; i++) {
            const sweep_value_count *c = &d->counts[i];
            if (c->n[SWEEP_ST_SKIPPED] && !c->n[SWEEP_ST_OK] && !c->n[SWEEP_ST_FAIL] &&
                !c->n[SWEEP_ST_TIMEOUT] && !c->n[SWEEP_ST_FLAKY])
                continue;
            fputs("<tr><td>", out);
            put_esc(out, d->axes[c->axis]);
            fputs("</td><td>", out);
            put_esc(out, c->value);
            fprintf(out, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n",
                    c->n[SWEEP_ST_OK], c->n[SWEEP_ST_FAIL], c->n[SWEEP_ST_TIMEOUT],
                    c->n[SWEEP_ST_FLAKY], c->n[SWEEP_ST_SKIPPED]);
        }
        fputs("</table>\n", out);
    }
    fputs("</body></html>\n", out);
}
