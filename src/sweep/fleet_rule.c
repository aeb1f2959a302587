/* The fleet's rule (fleet_rule.h) through the sweep's rule finder. */
#include "fleet_rule.h"

#include <stdio.h>
#include <stdlib.h>

#include "decide.h"

static unsigned rows_fill(sweep_row *rows, const fleet_group *groups, unsigned n,
                          unsigned *out_fail)
{
    unsigned k = 0;
    *out_fail = 0;
    for (unsigned i = 0; i < n; i++) {
        const fleet_group *g = &groups[i];
        tp_outcome o = fleet_group_outcome(g);
        if (g->other || !g->ja4[0] || !g->props[0] || o == TP_OUTCOME_UNUSED ||
            fleet_group_undecided(g))
            continue;
        for (unsigned a = 0; a < FLEET_NUM_PROPS; a++)
            rows[k].values[a] = g->props[a];
        rows[k].status = o == TP_OUTCOME_FAIL ? SWEEP_ST_FAIL : SWEEP_ST_OK;
        rows[k].summary = NULL;
        *out_fail += o == TP_OUTCOME_FAIL;
        k++;
    }
    return k;
}

void sweep_fleet_rule_find(const fleet_group *groups, unsigned n, sweep_fleet_rule *out)
{
    *out = (sweep_fleet_rule){.why = NULL};
    sweep_row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        out->why = "out of memory";
        return;
    }
    unsigned num_fail, k = rows_fill(rows, groups, n, &num_fail);
    if (num_fail == 0)
        out->why = "no group of clients failed";
    else if (num_fail == k)
        out->why = "every group of clients failed";
    if (out->why) {
        free(rows);
        return;
    }
    sweep_decision d;
    if (sweep_decide(&d, fleet_prop_names, FLEET_NUM_PROPS, rows, k) && d.num_rules > 0 &&
        d.rules[0].num_terms > 0) {
        snprintf(out->rule, sizeof out->rule, "%s", d.rules[0].text);
        out->exact = d.exact;
    } else {
        out->why = "no offered property tells them apart";
    }
    sweep_decision_cleanup(&d);
    free(rows);
}
