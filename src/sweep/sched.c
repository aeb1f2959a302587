/* Scheduling (sweep_int.h): the queue of combinations (each repeated
 * --repeat times), attempts, the tally of repeats and each combination's
 * result, journalled as soon as it is known; in device mode, the attempt a
 * connection belongs to. */
#include "sweep_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"

/* ---- one attempt ---- */

static sweep_status attempt_status(const sweep_ctx *c, const attempt *a)
{
    /* the status is the verdict's; the client's exit is reported beside it */
    if (a->any_ok)
        return SWEEP_ST_OK;
    return c->o->client_cmd && a->timed_out ? SWEEP_ST_TIMEOUT : SWEEP_ST_FAIL;
}

static json_object *attempt_client_json(const attempt *a)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "exit", json_object_new_int(a->exit_code));
    if (a->term_signal)
        json_object_object_add(o, "signal", json_object_new_int(a->term_signal));
    json_object_object_add(o, "timed_out", json_object_new_boolean(a->timed_out));
    json_object_object_add(o, "connections", json_object_new_int((int)a->accepted));
    /* the journal and reports keep this: no key material (mask.h) */
    char out[TAIL_LEN + 1];
    memcpy(out, a->tail, a->tail_len);
    sweep_mask_secrets(out, a->tail_len, a->tail_len == TAIL_LEN);
    json_object_object_add(o, "output", json_object_new_string_len(out, (int)a->tail_len));
    return o;
}

/* ---- results ---- */

/* Lock held. */
static void result_finish(sweep_ctx *c, unsigned idx)
{
    tally *t = &c->tal[idx];
    sweep_result *r = &c->res[idx];
    bool again = r->done; /* the adaptive strategy tried it once more */
    sweep_result_cleanup(r);
    r->done = true;
    r->attempts = t->tries;
    if (t->ok == t->tries)
        r->status = SWEEP_ST_OK;
    else if (t->ok > 0)
        r->status = SWEEP_ST_FLAKY;
    else if (t->timeout == t->tries)
        r->status = SWEEP_ST_TIMEOUT;
    else
        r->status = SWEEP_ST_FAIL;
    /* the tally keeps its references: a later try may still add to it */
    r->verdict = t->verdict ? json_object_get(t->verdict) : NULL;
    r->client = t->client ? json_object_get(t->client) : NULL;
    r->connections = t->conns;
    c->done_configs += !again;
    if (c->journal) {
        json_object *j = sweep_result_to_json(&c->m, &c->m.configs[idx], r);
        if (!sweep_journal_append(c->journal, j) && !c->journal_failed) {
            c->journal_failed = true;
            fprintf(stderr, "tlsprobe sweep: cannot write the journal %s: %s\n", c->o->journal,
                    strerror(errno));
        }
        json_object_put(j);
    }
    char label[256];
    sweep_config_label(&c->m, &c->m.configs[idx], label, sizeof(label));
    json_object *s = NULL;
    const char *summary =
        r->verdict && json_object_object_get_ex(r->verdict, "summary", &s)
            ? json_object_get_string(s)
            : (r->status == SWEEP_ST_TIMEOUT ? "the client command timed out" : "no connection");
    char note[160];
    sweep_result_client_note(r, note, sizeof note);
    sweep_say(c, "[%u/%u] %s: %s%s%s%s%s%s", c->done_configs, c->todo_configs, label,
              sweep_status_name(r->status), summary ? " \xe2\x80\x94 " : "", summary ? summary : "",
              note[0] ? " (" : "", note, note[0] ? ")" : "");
    sweep_progress_bar(c);
    if (c->adapt) {
        sweep_strategy_result(c, idx); /* queues the next combination */
        if (!c->o->client_cmd)
            sweep_device_prompt(c);
    }
    sweep_live_state(c, NULL, NULL); /* --dashboard */
}

void sweep_build_queue(sweep_ctx *c)
{
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    free(c->queue);
    c->queue = calloc((size_t)c->m.num_configs * rep + 1, sizeof(*c->queue));
    c->qlen = c->qpos = 0;
    c->todo_configs = c->done_configs = 0;
    for (unsigned i = 0; c->queue && i < c->m.num_configs; i++) {
        if (c->m.configs[i].state != SWEEP_CFG_RUN || c->res[i].done)
            continue;
        for (unsigned k = 0; k < rep; k++)
            c->queue[c->qlen++] = i;
        c->todo_configs++;
    }
}

/* Lock held.  The probe is done: learn the offer, lay out the matrix. */
static void probe_finish(sweep_ctx *c, attempt *a)
{
    if (a->offer && a->offer->valid) {
        c->offer = *a->offer;
        c->have_offer = true;
    } else {
        sweep_say(c, "probe: no ClientHello from the client; every combination counts as offered");
    }
    json_object *s;
    if (a->verdict && json_object_object_get_ex(a->verdict, "summary", &s))
        sweep_say(c, "probe (default configuration): %s", json_object_get_string(s));
    sweep_matrix_expand(&c->m, c->have_offer ? &c->offer : NULL, c->o->include_unoffered);
    sweep_build_queue(c);
    sweep_strategy_start(c); /* --strategy adaptive: one combination at a time */
    unsigned resumed = 0;
    for (unsigned i = 0; i < c->m.num_configs; i++)
        resumed += c->m.configs[i].state == SWEEP_CFG_RUN && c->res[i].done;
    sweep_say(
        c,
        "%u combinations: %u to try%s, %u skipped (the engine cannot form them), %u not offered "
        "by the client%s",
        c->m.num_configs, c->todo_configs, resumed ? " (more already in the journal)" : "",
        c->m.num_skipped, c->m.num_not_offered,
        c->m.num_not_offered && !c->o->include_unoffered ? " (--include-unoffered tries them)"
                                                         : "");
    if (resumed)
        sweep_say(c, "resume: %u combinations already in the journal", resumed);
    c->phase = PHASE_RUNNING;
    c->t0 = sweep_now();
    sweep_live_state(c, NULL, NULL); /* --dashboard: the grid, every cell pending */
    if (!c->o->client_cmd)
        sweep_device_prompt(c); /* the queue starts: what to connect first */
}

/* Lock held. */
void sweep_attempt_finalize(sweep_ctx *c, attempt *a)
{
    if (a->finalized)
        return;
    a->finalized = true;
    a->open = false;
    if (a->cfg < 0) {
        probe_finish(c, a);
        return;
    }
    tally *t = &c->tal[a->cfg];
    sweep_status st = attempt_status(c, a);
    t->tries++;
    if (st == SWEEP_ST_OK)
        t->ok++;
    else if (st == SWEEP_ST_TIMEOUT)
        t->timeout++;
    else
        t->fail++;
    /* the representative attempt: the first failing one, else the first */
    bool take = t->tries == 1 || (t->rep_is_ok && st != SWEEP_ST_OK);
    if (take) {
        json_object_put(t->verdict);
        json_object_put(t->client);
        t->verdict = a->verdict ? json_object_get(a->verdict) : NULL;
        t->client = c->o->client_cmd ? attempt_client_json(a) : NULL;
        t->rep_is_ok = st == SWEEP_ST_OK;
        t->conns = a->accepted;
    }
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    if (t->tries == rep + t->extra)
        result_finish(c, (unsigned)a->cfg);
}

attempt *sweep_attempt_new(sweep_ctx *c, int cfg, slot *sl, tp_engine *e)
{
    attempt *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->cfg = cfg;
    a->sl = sl;
    a->engine = e;
    a->open = true;
    a->start = sweep_now();
    a->next_all = c->all;
    c->all = a;
    return a;
}

/* Lock held: the next configuration's engine; a configuration whose
 * engine cannot be made is recorded as failing with the reason.  Device
 * mode: the queue advanced, so the prompt names what to connect next. */
attempt *sweep_next_attempt(sweep_ctx *c, slot *sl)
{
    while (c->qpos < c->qlen) {
        unsigned idx = c->queue[c->qpos++];
        char err[512];
        tp_engine *e = sweep_engine_for_config(c, idx, err, sizeof(err));
        if (e) {
            attempt *a = sweep_attempt_new(c, (int)idx, sl, e);
            sweep_setup su;
            sweep_config_setup(&c->m, &c->m.configs[idx], &su);
            /* values were checked when the matrix was set up */
            if (a && su.quirk && !tp_quirk_set_add(&a->quirks, su.quirk, err, sizeof(err)))
                sweep_say(c, "quirk %s: %s", su.quirk, err);
            if (a && su.resumption)
                a->resume_need = sweep_resumption_how(su.resumption);
            if (!c->o->client_cmd)
                sweep_device_prompt(c);
            return a;
        }
        /* the engine refused what formable() allowed: say so, don't stop */
        c->m.configs[idx].state = SWEEP_CFG_SKIPPED;
        snprintf(c->m.configs[idx].why, sizeof(c->m.configs[idx].why), "%.120s", err);
        c->res[idx].done = true;
        c->res[idx].status = SWEEP_ST_SKIPPED;
        while (c->qpos < c->qlen && c->queue[c->qpos] == idx)
            c->qpos++;
        c->done_configs++;
        sweep_say(c, "skipped: %s", err);
        sweep_strategy_skipped(c, idx); /* adaptive: queues another */
    }
    return NULL;
}

static void host_of(const char *peer, char *out, size_t len)
{
    snprintf(out, len, "%s", peer ? peer : "");
    char *colon = strrchr(out, ':');
    if (colon && (out[0] != '[' || (colon > out && colon[-1] == ']')))
        *colon = '\0';
}

/* Lock held: the attempt a device connection from peer belongs to. */
attempt *sweep_device_choose(sweep_ctx *c, slot *sl, const char *peer)
{
    attempt *a;
    char host[64];
    host_of(peer, host, sizeof(host));
    double t = sweep_now();
    a = c->dev_cur;
    /* a browser's burst of connections is one attempt; an attempt whose
     * connections were all unused (preconnects) takes the next one */
    bool keep = a && !a->finalized && a->accepted == 0;
    if (a && !keep &&
        !(a->open && c->o->window > 0 && strcmp(a->host, host) == 0 &&
          t - a->start <= c->o->window)) {
        a->open = false;
        if (a->verdicts == a->accepted)
            sweep_attempt_finalize(c, a);
        a = NULL;
    }
    if (!a) {
        if (c->phase == PHASE_PROBE) {
            /* the probe's one attempt; others wait for the matrix */
            a = c->probe->accepted == 0 ? c->probe : NULL;
        } else if (c->phase == PHASE_RUNNING) {
            a = sweep_next_attempt(c, sl); /* prompts for the one after it */
        }
        if (a) {
            snprintf(a->host, sizeof(a->host), "%s", host);
            a->start = t;
            a->open = c->o->window > 0;
        }
        c->dev_cur = a;
    }
    return a;
}
