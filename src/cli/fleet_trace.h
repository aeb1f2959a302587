/* A JSON lines trace (docs/trace-format.md) as fleet input: the accept,
 * the ClientHello and the verdict of each connection, through the fleet
 * sink's per-connection state (analysis/fleet.h). */
#ifndef TP_CLI_FLEET_TRACE_H
#define TP_CLI_FLEET_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/fleet.h"

typedef struct {
    unsigned long long lines, bad_lines, verdicts;
    unsigned long long first_bad; /* line number of the first line that is no JSON object */
} fleet_trace_counts;

/* Reads f to its end; false on a read error (errno set). */
bool fleet_trace_read(FILE *f, tp_sink *fleet, fleet_trace_counts *out);

#endif
