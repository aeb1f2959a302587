/* The fleet summary written out, for tlsprobe fleet and serve
 * --fleet-summary: the groups sorted, the rule found (fleet_rule.h), text
 * or JSON on out, the HTML page to a file (0600, capture/outfile.h). */
#ifndef TP_CLI_FLEET_OUT_H
#define TP_CLI_FLEET_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/fleet.h"

typedef struct {
    const char *cmd;            /* "tlsprobe fleet" */
    const char *const *sources; /* NULL: live */
    unsigned num_sources;
    bool keys;
    bool json;             /* JSON on out instead of text */
    const char *html_path; /* or NULL */
} fleet_out_params;

/* 0, or 1 after a message naming the file that could not be written. */
int fleet_out_write(fleet_table *t, const fleet_out_params *p, FILE *out);

#endif
