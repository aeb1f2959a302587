/* "What distinguishes the failing groups": the fleet's groups as rows of
 * the sweep's rule finder (decide.h), one row per group, the offered
 * properties (analysis/fleet.h) as axes.  In sweep/, beside the rule
 * finder, because analysis/ and report/ may not include sweep/; cli/ calls
 * it and hands the text to report/.  Pure: no I/O. */
#ifndef TP_SWEEP_FLEET_RULE_H
#define TP_SWEEP_FLEET_RULE_H

#include <stdbool.h>

#include "../analysis/fleet.h"

typedef struct {
    char rule[768]; /* "" when there is none */
    bool exact;
    const char *why; /* why there is none, or NULL */
} sweep_fleet_rule;

/* Groups without a ClientHello, the overflow group and groups of unused
 * connections take no part. */
void sweep_fleet_rule_find(const fleet_group *groups, unsigned n, sweep_fleet_rule *out);

#endif
