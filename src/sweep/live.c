/* --dashboard: the sweep object of the moment (sweep_int.h), built the way
 * sweep.c builds --json (results.c), so the live page and the saved
 * report are rendered from the same objects.  Calls results.c and
 * decide.c only (below it in sweep_int.h's order: sched.c and sweep.c
 * call it). */
#include "sweep_int.h"

#include <stdlib.h>

static void add_pending(sweep_ctx *c, json_object *results)
{
    for (unsigned i = 0; i < c->m.num_configs; i++) {
        if (c->m.configs[i].state != SWEEP_CFG_RUN || c->res[i].done)
            continue;
        sweep_result none = {0};
        json_object *o = sweep_result_to_json(&c->m, &c->m.configs[i], &none);
        json_object_object_add(o, "status", json_object_new_string("pending"));
        json_object_array_add(results, o);
    }
}

static void add_progress(sweep_ctx *c, json_object *o, bool final)
{
    json_object *live = json_object_new_object();
    const char *phase = final                    ? "done"
                        : c->phase == PHASE_PROBE ? "probe"
                                                  : "running";
    json_object_object_add(live, "phase", json_object_new_string(phase));
    json_object_object_add(live, "mode",
                           json_object_new_string(c->o->client_cmd ? "driven" : "device"));
    json_object_object_add(live, "done", json_object_new_int((int)c->done_configs));
    json_object_object_add(live, "todo", json_object_new_int((int)c->todo_configs));
    json_object_object_add(live, "elapsed", json_object_new_double(sweep_now() - c->t0));
    json_object_object_add(o, "live", live);
}

void sweep_live_state(sweep_ctx *c, const sweep_decision *final, const sweep_row *final_rows)
{
    if (!c->o->live_state)
        return;
    sweep_row *rows = NULL;
    unsigned *map = NULL, n = 0;
    sweep_decision own;
    const sweep_decision *d = final;
    if (!final) {
        if (!sweep_rows_build(&c->m, c->res, &rows, &map, &n))
            return;
        if (!sweep_decide(&own, c->m.axis_names, c->m.num_axes, rows, n)) {
            sweep_decision_cleanup(&own);
            free(rows);
            free(map);
            return;
        }
        d = &own;
    }
    json_object *o = sweep_report_json(&c->m, c->res, d, final ? final_rows : rows);
    if (final)
        sweep_strategy_report(c, NULL, o);
    json_object *results;
    if (!final && json_object_object_get_ex(o, "results", &results))
        add_pending(c, results);
    add_progress(c, o, final != NULL);
    c->o->live_state(c->o->live_arg, o);
    json_object_put(o);
    if (!final) {
        sweep_decision_cleanup(&own);
        free(rows);
        free(map);
    }
}
