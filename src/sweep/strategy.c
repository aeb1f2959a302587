/* The adaptive strategy's side of the sweep (sweep_int.h): the queue gets
 * one combination at a time, chosen by adaptive.c from the results so far;
 * a resumed journal is replayed into the rule set; the reports name the
 * rule through the rule finder and say what was inferred.  Calls no other
 * file of the driver back (sched.c calls it; the prompt is device.c's). */
#include "sweep_int.h"

#include <stdlib.h>
#include <string.h>

#include "adaptive.h"

struct sweep_adaptive_run {
    sweep_space sp;
    sweep_adaptive *ad;
    int *cell_of;     /* per configuration: its cell, -1 when not runnable */
    int last;         /* the configuration whose result came last, -1 */
    unsigned retries; /* tries of combinations already tried (repeats) */
};

static bool wants_adaptive(const sweep_options *o)
{
    return o->strategy == SWEEP_STRATEGY_ADAPTIVE ||
           (o->strategy == SWEEP_STRATEGY_AUTO && !o->client_cmd);
}

void sweep_strategy_free(sweep_ctx *c)
{
    sweep_adaptive_run *r = c->adapt;
    if (!r)
        return;
    sweep_adaptive_free(r->ad);
    sweep_space_cleanup(&r->sp);
    free(r->cell_of);
    free(r);
    c->adapt = NULL;
}

static void push(sweep_ctx *c, unsigned idx, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        c->queue[c->qlen++] = idx;
}

/* Queues what the strategy wants next: a new combination --repeat times,
 * or one more try of one already tried. */
static void queue_next(sweep_ctx *c)
{
    sweep_adaptive_run *r = c->adapt;
    int cell = sweep_adaptive_next(r->ad);
    if (cell < 0)
        return;
    unsigned idx = r->sp.cfg[cell];
    if (c->res[idx].done) {
        c->tal[idx].extra++;
        r->retries++;
        push(c, idx, 1);
    } else {
        push(c, idx, c->o->repeat ? c->o->repeat : 1);
    }
}

/* tries that failed / worked as a result says them (the journal keeps the
 * status and the number of attempts) */
static void result_counts(const sweep_result *res, unsigned *out_fail, unsigned *out_ok)
{
    unsigned n = res->attempts ? res->attempts : 1;
    *out_fail = res->status == SWEEP_ST_OK ? 0 : res->status == SWEEP_ST_FLAKY ? 1 : n;
    *out_ok = n - *out_fail;
    if (res->status == SWEEP_ST_FLAKY && n < 2)
        *out_ok = 1;
}

/* A resumed result into the rule set, and into the tally so that a repeat
 * adds to its tries. */
static void replay(sweep_ctx *c, unsigned idx)
{
    sweep_adaptive_run *r = c->adapt;
    const sweep_result *res = &c->res[idx];
    unsigned nf, no;
    result_counts(res, &nf, &no);
    if (res->status == SWEEP_ST_SKIPPED) {
        sweep_adaptive_exclude(r->ad, (unsigned)r->cell_of[idx]);
        return;
    }
    sweep_adaptive_observe(r->ad, (unsigned)r->cell_of[idx], nf, no);
    tally *t = &c->tal[idx];
    t->tries = nf + no;
    t->ok = no;
    t->timeout = res->status == SWEEP_ST_TIMEOUT ? nf : 0;
    t->fail = nf - t->timeout;
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    t->extra = t->tries > rep ? t->tries - rep : 0;
    t->verdict = res->verdict ? json_object_get(res->verdict) : NULL;
    t->client = res->client ? json_object_get(res->client) : NULL;
    t->rep_is_ok = res->status == SWEEP_ST_OK;
    t->conns = res->connections;
    r->last = (int)idx;
}

static bool run_new(sweep_ctx *c)
{
    sweep_adaptive_run *r = calloc(1, sizeof(*r));
    if (!r)
        return false;
    c->adapt = r;
    r->last = -1;
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    r->cell_of = malloc(((size_t)c->m.num_configs + 1) * sizeof(int));
    unsigned *q = calloc((size_t)c->m.num_configs * (rep + 3) + 8, sizeof(*q));
    if (!r->cell_of || !q || !sweep_space_from_matrix(&r->sp, &c->m) ||
        !(r->ad = sweep_adaptive_new(&r->sp))) {
        free(q);
        sweep_strategy_free(c);
        return false;
    }
    for (unsigned i = 0; i < c->m.num_configs; i++)
        r->cell_of[i] = -1;
    for (unsigned k = 0; k < r->sp.num_cells; k++)
        r->cell_of[r->sp.cfg[k]] = (int)k;
    free(c->queue);
    c->queue = q;
    c->qlen = c->qpos = 0;
    return true;
}

bool sweep_strategy_start(sweep_ctx *c)
{
    if (!wants_adaptive(c->o))
        return true;
    if (!run_new(c)) {
        sweep_say(c, "adaptive strategy: out of memory; trying every combination");
        return false;
    }
    sweep_adaptive_run *r = c->adapt;
    for (unsigned k = 0; k < r->sp.num_cells; k++) {
        if (c->res[r->sp.cfg[k]].done)
            replay(c, r->sp.cfg[k]);
    }
    sweep_adaptive_replayed(r->ad);
    sweep_ad_status st;
    sweep_adaptive_status(r->ad, &st);
    sweep_say(c,
              "strategy adaptive: %u rules over one or two terms fit the %u combinations; each "
              "connection tries the one that best splits the rules left (--strategy full: all)",
              st.num_rules, r->sp.num_cells);
    queue_next(c);
    return true;
}

void sweep_strategy_result(sweep_ctx *c, unsigned idx)
{
    sweep_adaptive_run *r = c->adapt;
    if (!r || r->cell_of[idx] < 0)
        return;
    const tally *t = &c->tal[idx];
    if (sweep_adaptive_observe(r->ad, (unsigned)r->cell_of[idx], t->fail + t->timeout, t->ok))
        sweep_say(c, "that result contradicts every rule left: trying it again before it counts");
    r->last = (int)idx;
    queue_next(c);
}

void sweep_strategy_skipped(sweep_ctx *c, unsigned idx)
{
    sweep_adaptive_run *r = c->adapt;
    if (!r || r->cell_of[idx] < 0)
        return;
    sweep_adaptive_exclude(r->ad, (unsigned)r->cell_of[idx]);
    queue_next(c);
}

void sweep_strategy_prompt(const sweep_ctx *c, unsigned idx, char *out, size_t len)
{
    const sweep_adaptive_run *r = c->adapt;
    out[0] = '\0';
    if (!r || r->cell_of[idx] < 0 || len == 0)
        return;
    size_t w = 0;
    const sweep_config *now = &c->m.configs[idx];
    if (r->last < 0)
        w = (size_t)snprintf(out, len, "first");
    else if ((unsigned)r->last == idx)
        w = (size_t)snprintf(out, len, "next: the same again");
    else {
        const sweep_config *prev = &c->m.configs[r->last];
        w = (size_t)snprintf(out, len, "next: same as before but");
        for (unsigned a = 0, n = 0; a < c->m.num_axes && w < len; a++) {
            if (strcmp(prev->values[a], now->values[a]) != 0)
                w += (size_t)snprintf(out + w, len - w, "%s %s %s \xe2\x86\x92 %s", n++ ? "," : "",
                                      c->m.axis_names[a], prev->values[a], now->values[a]);
        }
    }
    unsigned nf, no;
    sweep_adaptive_split(r->ad, (unsigned)r->cell_of[idx], &nf, &no);
    if (w < len && nf + no == 1)
        snprintf(out + w, len - w, "; the one rule left says it %s", nf ? "fails" : "works");
    else if (w < len)
        snprintf(out + w, len - w, "; %u of the %u rules left say it fails", nf, nf + no);
}

/* ---- reports ---- */

/* The rule finder's words for rows (a rule's view of every cell). */
static bool name_rows(const sweep_ctx *c, sweep_row *rows, unsigned n, sweep_decision *out)
{
    bool ok = sweep_decide(out, c->m.axis_names, c->m.num_axes, rows, n) && out->exact &&
              out->num_rules > 0;
    if (!ok)
        sweep_decision_cleanup(out);
    return ok;
}

void sweep_strategy_decide(sweep_ctx *c, sweep_decision *d)
{
    sweep_adaptive_run *r = c->adapt;
    sweep_ad_status st;
    if (!r)
        return;
    sweep_adaptive_status(r->ad, &st);
    if (!st.named)
        return;
    sweep_row *rows = calloc(r->sp.num_cells + 1, sizeof(*rows));
    if (!rows)
        return;
    unsigned n = sweep_adaptive_rows(r->ad, &r->sp, rows);
    sweep_decision di;
    if (name_rows(c, rows, n, &di)) {
        /* the named rule's terms point into the matrix's values */
        d->decidable = true;
        d->exact = true;
        d->num_rules = di.num_rules;
        memcpy(d->rules, di.rules, sizeof(d->rules));
        sweep_decision_cleanup(&di);
        for (unsigned k = 0; k < r->sp.num_cells; k++) {
            sweep_result *res = &c->res[r->sp.cfg[k]];
            if (res->done)
                continue;
            res->inferred = true;
            res->status = sweep_adaptive_predicts(r->ad, k) ? SWEEP_ST_FAIL : SWEEP_ST_OK;
        }
    }
    free(rows);
}

/* The nearest rival in the rule finder's words, or "" */
static void rival_text(const sweep_ctx *c, int rival, char *out, size_t len)
{
    const sweep_adaptive_run *r = c->adapt;
    out[0] = '\0';
    sweep_row *rows = calloc(r->sp.num_cells + 1, sizeof(*rows));
    if (!rows || rival < 0) {
        free(rows);
        return;
    }
    for (unsigned k = 0; k < r->sp.num_cells; k++) {
        const sweep_config *cf = &c->m.configs[r->sp.cfg[k]];
        for (unsigned a = 0; a < c->m.num_axes; a++)
            rows[k].values[a] = cf->values[a];
        rows[k].status =
            sweep_adaptive_rule_predicts(r->ad, rival, k) ? SWEEP_ST_FAIL : SWEEP_ST_OK;
    }
    sweep_decision d;
    if (name_rows(c, rows, r->sp.num_cells, &d)) {
        snprintf(out, len, "%s", d.rules[0].text);
        sweep_decision_cleanup(&d);
    }
    free(rows);
}

typedef struct {
    unsigned conns, tried, full;
    char untried[512]; /* "quirk = empty-records, ..." */
    json_object *untried_json;
} coverage;

/* The values of each axis that no tried combination had. */
static void untried_values(const sweep_ctx *c, coverage *cv)
{
    const sweep_adaptive_run *r = c->adapt;
    size_t w = 0;
    cv->untried_json = json_object_new_object();
    for (unsigned a = 0; a < c->m.num_axes; a++) {
        json_object *arr = NULL;
        for (unsigned v = 0; v < c->m.num_values[a]; v++) {
            bool seen = false, present = false;
            for (unsigned k = 0; k < r->sp.num_cells && !seen; k++) {
                bool has = r->sp.cells[(size_t)k * SWEEP_MAX_AXES + a] == v;
                present |= has;
                seen = has && sweep_adaptive_tries(r->ad, k) > 0;
            }
            if (seen || !present)
                continue;
            if (!arr)
                arr = json_object_new_array();
            json_object_array_add(arr, json_object_new_string(c->m.values[a][v]));
            if (w < sizeof(cv->untried))
                w += (size_t)snprintf(cv->untried + w, sizeof(cv->untried) - w, "%s%s = %s",
                                      w ? ", " : "", c->m.axis_names[a], c->m.values[a][v]);
        }
        if (arr)
            json_object_object_add(cv->untried_json, c->m.axis_names[a], arr);
    }
}

static void coverage_fill(const sweep_ctx *c, coverage *cv)
{
    const sweep_adaptive_run *r = c->adapt;
    memset(cv, 0, sizeof(*cv));
    cv->full = r->sp.num_cells;
    for (unsigned k = 0; k < r->sp.num_cells; k++) {
        const sweep_result *res = &c->res[r->sp.cfg[k]];
        if (res->done && !res->inferred) {
            cv->tried++;
            cv->conns += res->attempts;
        }
    }
    untried_values(c, cv);
}

/* "sure: ..." */
static void sureness(const sweep_ad_status *st, const char *rival, char *out, size_t len)
{
    if (st->nearest < 0)
        snprintf(out, len, "no other rule over one or two terms is left");
    else if (st->margin >= 2)
        snprintf(out, len,
                 "every other rule over one or two terms (%u) is contradicted by at least %u "
                 "connections",
                 st->num_rules - 1, st->margin);
    else
        snprintf(out, len,
                 "one rule of %u over one or two terms is left; %u others rest on one "
                 "connection each, e.g. \"%s\": a client that fails at random could have "
                 "decided between them (--repeat 2 or --strategy full make sure)",
                 st->num_rules, st->num_at_margin, rival);
}

static void report_json(json_object *json, const sweep_ad_status *st, const coverage *cv,
                        unsigned retries, const char *rival)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string("adaptive"));
    json_object_object_add(o, "named", json_object_new_boolean(st->named));
    json_object_object_add(o, "connections", json_object_new_int((int)cv->conns));
    json_object_object_add(o, "combinations_tried", json_object_new_int((int)cv->tried));
    json_object_object_add(o, "repeats", json_object_new_int((int)retries));
    json_object_object_add(o, "full_matrix", json_object_new_int((int)cv->full));
    json_object_object_add(o, "inferred",
                           json_object_new_int(st->named ? (int)(cv->full - cv->tried) : 0));
    json_object_object_add(o, "rules", json_object_new_int((int)st->num_rules));
    json_object_object_add(o, "rules_left", json_object_new_int((int)st->num_left));
    json_object_object_add(o, "margin", json_object_new_int((int)st->margin));
    json_object_object_add(o, "rivals_at_margin", json_object_new_int((int)st->num_at_margin));
    if (rival[0])
        json_object_object_add(o, "nearest_rival", json_object_new_string(rival));
    json_object_object_add(o, "values_not_tried", json_object_get(cv->untried_json));
    json_object_object_add(json, "strategy", o);
}

static void report_text(FILE *out, const sweep_ad_status *st, const coverage *cv,
                        unsigned retries, const char *rival)
{
    if (cv->full == 0) {
        fprintf(out, "strategy: adaptive: no combination to try\n");
    } else if (st->named) {
        char sure[900];
        sureness(st, rival, sure, sizeof sure);
        fprintf(out,
                "strategy: adaptive: named in %u connections (%u combinations, %u repeat%s); "
                "the full matrix is %u\nsure: %s\n",
                cv->conns, cv->tried, retries, retries == 1 ? "" : "s", cv->full, sure);
        fprintf(out, "not tried: %u of %u combinations, inferred from the rule%s%s\n",
                cv->full - cv->tried, cv->full, cv->untried[0] ? "; values never tried: " : "",
                cv->untried);
    } else if (st->phase == SWEEP_AD_FULL) {
        fprintf(out,
                "strategy: adaptive: no rule over one or two terms fits every result, so it "
                "tried the rest as --strategy full does (%u connections, %u repeats; the full "
                "matrix is %u)\n",
                cv->conns, retries, cv->full);
    } else {
        fprintf(out,
                "strategy: adaptive: stopped after %u connections with %u rule%s left (the "
                "full matrix is %u); nothing is inferred\n",
                cv->conns, st->num_left, st->num_left == 1 ? "" : "s", cv->full);
    }
}

void sweep_strategy_report(sweep_ctx *c, FILE *out, json_object *json)
{
    sweep_adaptive_run *r = c->adapt;
    if (!r)
        return;
    sweep_ad_status st;
    sweep_adaptive_status(r->ad, &st);
    coverage cv;
    coverage_fill(c, &cv);
    char rival[768] = "";
    if (st.named && st.margin < 2)
        rival_text(c, st.nearest, rival, sizeof rival);
    if (out)
        report_text(out, &st, &cv, r->retries, rival);
    if (json)
        report_json(json, &st, &cv, r->retries, rival);
    json_object_put(cv.untried_json);
}
