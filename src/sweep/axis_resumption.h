/* The sweep's resumption axis (axis_resumption.c): none, id, ticket, psk
 * (what the slot's server offers); a row of matrix.c's axis table, what it
 * sets in a connection's engine configuration, and which way a connection
 * must have resumed for its attempt to count ok. */
#ifndef TP_SWEEP_AXIS_RESUMPTION_H
#define TP_SWEEP_AXIS_RESUMPTION_H

#include <stdbool.h>
#include <stddef.h>

#include "../engine/engine.h"
#include "matrix.h"

unsigned sweep_resumption_values(const char **out, unsigned max);
bool sweep_resumption_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                            char *err, size_t err_len);
void sweep_resumption_apply(sweep_setup *s, const char *value);

/* The axis value ("id") as the verdict names the way ("session-id"); NULL
 * for none or no value. */
const char *sweep_resumption_how(const char *axis_value);

/* --resumption (bits off; the sweep's default is all off), --tickets,
 * --early-data. */
struct sweep_options_resume {
    unsigned off, tickets;
    bool tickets_set, early_data;
};
/* The resumption part of an engine configuration: the options with what
 * the configuration's axes set (su; NULL for the probe).  A hello-request
 * quirk turns TLS 1.2 tickets off (GnuTLS cannot issue one in a
 * renegotiation, engine/resume.c). */
void sweep_resumption_config(tp_engine_config *ec, const struct sweep_options_resume *o,
                             const sweep_setup *su);

#endif
