/* Internal to the rule finder (decide.c, decide_text.c). */
#ifndef TP_SWEEP_DECIDE_INT_H
#define TP_SWEEP_DECIDE_INT_H

#include "decide.h"

/* a row's value on axis a, "" when it has none */
static inline const char *row_value(const sweep_row *r, unsigned a)
{
    return r->values[a] ? r->values[a] : "";
}

/* Groups the failing rows (fail, timeout) of rows into d->typical by
 * normalised summary, most frequent first. */
void sweep_typical_fill(sweep_decision *d, const sweep_row *rows, unsigned num_rows);

#endif
