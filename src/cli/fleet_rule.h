/* "What distinguishes the failing groups": the fleet's groups as rows of
 * the sweep's rule finder (sweep/decide.h), one row per group, the offered
 * properties (analysis/fleet.h) as axes.  In cli/ because analysis/ and
 * report/ may not include sweep/; the text is handed to report/. */
#ifndef TP_CLI_FLEET_RULE_H
#define TP_CLI_FLEET_RULE_H

#include <stdbool.h>

#include "analysis/fleet.h"

typedef struct {
    char rule[768]; /* "" when there is none */
    bool exact;
    const char *why; /* why there is none, or NULL */
} fleet_rule_result;

/* Groups without a ClientHello, the overflow group and groups of unused
 * connections take no part. */
void fleet_rule_find(const fleet_group *groups, unsigned n, fleet_rule_result *out);

#endif
