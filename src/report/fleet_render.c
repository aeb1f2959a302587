/* The fleet view as text and JSON (fleet_render.h). */
#include "fleet_render.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "json_util.h"

void report_fleet_time(char *out, size_t out_len, double t)
{
    out[0] = '\0';
    if (t <= 0)
        return;
    time_t s = (time_t)t;
    struct tm tm;
    if (gmtime_r(&s, &tm))
        strftime(out, out_len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static const char *source_name(const report_fleet *f, unsigned i)
{
    return f->sources && i < f->num_sources ? f->sources[i] : "live";
}

static unsigned num_failing(const report_fleet *f)
{
    unsigned n = 0;
    for (unsigned i = 0; i < f->num_groups; i++)
        n += fleet_group_outcome(&f->groups[i]) == TP_OUTCOME_FAIL &&
             !fleet_group_undecided(&f->groups[i]);
    return n;
}

static const char *outcome_word(const fleet_group *g)
{
    tp_outcome o = fleet_group_outcome(g);
    if (fleet_group_undecided(g))
        return "NOKEYS";
    return o == TP_OUTCOME_FAIL ? "FAIL" : o == TP_OUTCOME_OK ? "OK" : "UNUSED";
}

static void text_group(wire_buf *b, const report_fleet *f, const fleet_group *g)
{
    char first[40], last[40];
    report_fleet_time(first, sizeof first, g->first);
    report_fleet_time(last, sizeof last, g->last);
    wire_buf_printf(b, "%-6s %u connection%s from %u peer%s: %s (%s, %s)\n",
                    outcome_word(g), g->count, g->count == 1 ? "" : "s",
                    g->num_peers, g->num_peers == 1 ? "" : "s", g->cause, g->phase ? g->phase : "?",
                    g->actor ? g->actor : "?");
    if (g->other)
        wire_buf_add_str(b, "       every client past the group limit\n");
    else if (g->ja4[0])
        wire_buf_printf(b, "       JA4 %s  JA3 %s\n       offers %s\n", g->ja4, g->ja3, g->offer);
    else
        wire_buf_add_str(b, "       no ClientHello\n");
    wire_buf_printf(b, "       outcomes: %u ok, %u fail, %u unused; seen %s .. %s; example: "
                       "connection %u of %s\n",
                    g->num_outcome[TP_OUTCOME_OK], g->num_outcome[TP_OUTCOME_FAIL],
                    g->num_outcome[TP_OUTCOME_UNUSED], first[0] ? first : "?",
                    last[0] ? last : "?", g->example_conn, source_name(f, g->example_source));
    const fleet_typical *t = fleet_group_typical(g);
    if (t) {
        wire_buf_printf(b, "       typical (%u of %u): ", t->count, g->count);
        report_text_escape(b, t->example, strlen(t->example));
        wire_buf_add_char(b, '\n');
    }
    if (g->num_unchecked)
        wire_buf_printf(b, "       not checked: %u connection%s with protected records tlsprobe "
                           "could not open (%s)\n",
                        g->num_unchecked, g->num_unchecked == 1 ? "" : "s",
                        f->keys ? "no key for them in the key log" : "no keys: --keylog");
}

void report_fleet_text(wire_buf *b, const report_fleet *f)
{
    unsigned long long nc = f->table->num_conns;
    wire_buf_printf(b, "tlsprobe fleet: %llu connection%s in %u group%s, %u failing", nc,
                    nc == 1 ? "" : "s", f->num_groups, f->num_groups == 1 ? "" : "s",
                    num_failing(f));
    if (f->table->num_no_hello)
        wire_buf_printf(b, "; %llu without a ClientHello",
                        (unsigned long long)f->table->num_no_hello);
    wire_buf_add_char(b, '\n');
    for (unsigned i = 0; i < f->num_groups; i++)
        text_group(b, f, &f->groups[i]);
    if (f->rule)
        wire_buf_printf(b, "what distinguishes the failing groups: %s%s\n", f->rule,
                        f->rule_exact ? "" : " (not exact)");
    else if (f->rule_why)
        wire_buf_printf(b, "what distinguishes the failing groups: nothing to tell apart (%s)\n",
                        f->rule_why);
}

/* ---- JSON ---- */

static void add(json_object *o, const char *k, json_object *v)
{
    json_object_object_add(o, k, v);
}

static json_object *time_or_null(double t)
{
    char buf[40];
    report_fleet_time(buf, sizeof buf, t);
    return buf[0] ? report_json_seconds(t) : NULL;
}

static json_object *group_json(const report_fleet *f, const fleet_group *g)
{
    json_object *o = json_object_new_object();
    add(o, "outcome", json_object_new_string(tp_outcome_name(fleet_group_outcome(g))));
    add(o, "decided", json_object_new_boolean(!fleet_group_undecided(g)));
    add(o, "cause", json_object_new_string(g->cause));
    add(o, "phase", report_json_str_or_null(g->phase));
    add(o, "actor", report_json_str_or_null(g->actor));
    add(o, "ja4", report_json_str_or_null(g->ja4[0] ? g->ja4 : NULL));
    add(o, "ja3", report_json_str_or_null(g->ja3[0] ? g->ja3 : NULL));
    add(o, "offer", report_json_str_or_null(g->offer[0] ? g->offer : NULL));
    json_object *props = json_object_new_object();
    for (unsigned i = 0; i < FLEET_NUM_PROPS && g->props[0]; i++)
        add(props, fleet_prop_names[i], json_object_new_string(g->props[i]));
    add(o, "offered", props);
    add(o, "count", json_object_new_int64(g->count));
    add(o, "peers", json_object_new_int64(g->num_peers));
    json_object *oc = json_object_new_object();
    for (tp_outcome k = TP_OUTCOME_FAIL; k <= TP_OUTCOME_UNUSED; k++)
        add(oc, tp_outcome_name(k), json_object_new_int64(g->num_outcome[k]));
    add(o, "outcomes", oc);
    const fleet_typical *t = fleet_group_typical(g);
    json_object *tj = NULL;
    if (t) {
        tj = json_object_new_object();
        add(tj, "summary", json_object_new_string(t->example));
        add(tj, "count", json_object_new_int64(t->count));
    }
    add(o, "typical", tj);
    add(o, "kinds", json_object_new_int64(g->num_typical));
    add(o, "first_seen", time_or_null(g->first));
    add(o, "last_seen", time_or_null(g->last));
    json_object *ex = json_object_new_object();
    add(ex, "conn", json_object_new_int64(g->example_conn));
    add(ex, "source", json_object_new_string(source_name(f, g->example_source)));
    add(o, "example", ex);
    add(o, "unchecked", json_object_new_int64(g->num_unchecked));
    return o;
}

json_object *report_fleet_json(const report_fleet *f)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add(o, "connections", json_object_new_int64((int64_t)f->table->num_conns));
    add(o, "without_hello", json_object_new_int64((int64_t)f->table->num_no_hello));
    add(o, "keys", json_object_new_boolean(f->keys));
    json_object *groups = json_object_new_array();
    for (unsigned i = 0; i < f->num_groups; i++)
        json_object_array_add(groups, group_json(f, &f->groups[i]));
    add(o, "groups", groups);
    json_object *d = NULL;
    if (f->rule || f->rule_why) {
        d = json_object_new_object();
        add(d, "rule", report_json_str_or_null(f->rule));
        add(d, "exact", json_object_new_boolean(f->rule && f->rule_exact));
        add(d, "why_none", report_json_str_or_null(f->rule ? NULL : f->rule_why));
    }
    add(o, "distinguishes", d);
    return o;
}
