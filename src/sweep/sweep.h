/* Driving a sweep: a probe connection with the default configuration, then
 * one configuration per connection (device mode: a person reconnects the
 * client) or per run of a client command (driven mode, -j N slots, each with
 * its own server on a loopback port (kernel-chosen, or from --port) so a connection is always
 * matched to its configuration).  Every result goes to the journal before
 * the next combination starts; the reports are written at the end (also
 * after SIGINT/SIGTERM, with what was done). */
#ifndef TP_SWEEP_SWEEP_H
#define TP_SWEEP_SWEEP_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/events.h"
#include "../engine/engine.h"
#include "../engine/names.h"
#include "../server/server.h"
#include "axes_certs.h"
#include "axis_resumption.h"
#include "matrix.h"

#define SWEEP_MAX_LIMITS 16

/* --strategy: every combination, or the fewest that name the rule
 * (adaptive.h).  AUTO: adaptive in device mode, full in driven mode. */
typedef enum { SWEEP_STRATEGY_AUTO = 0, SWEEP_STRATEGY_FULL, SWEEP_STRATEGY_ADAPTIVE } sweep_strategy;

typedef struct {
    /* matrix */
    const char *axes;                     /* csv, NULL: protocol,kx,cipher,mac */
    sweep_limit limits[SWEEP_MAX_LIMITS]; /* --protocols ... --key-types */
    unsigned num_limits;
    engine_lists base; /* the serve lists, for flags that are not axes */
    bool include_unoffered;
    /* engine */
    const char *key_type; /* --key-type (when key-type is not an axis) */
    const char *engine;   /* --engine (when engine is not an axis); NULL: gnutls */
    const char *cert_file, *key_file;
    tp_client_cert client_cert;
    const char *const *psk, *const *srp; /* --psk, --srp values (engine/psk.h) */
    unsigned num_psk, num_srp;
    tp_engine_names names; /* --alpn, --alpn-mode, --sni-cert, --sni-mode */
    struct sweep_options_certs certs; /* --chain ... --client-ca (axes_certs.h) */
    struct sweep_options_resume resumption; /* --resumption, --tickets, --early-data (axis_resumption.h) */
    /* server */
    const char *listen; /* device mode; NULL: 0.0.0.0 and :: */
    unsigned port;      /* device mode; driven: only with port_set (else kernel-chosen) */
    unsigned port_hi;   /* --port LO-HI: the last port of the range; 0: one port */
    bool port_set;      /* --port given: driven slots listen on port + slot (or in the range) */
    double timeout;     /* per connection */
    tp_mode mode;
    const tp_proxy_params *proxy; /* TP_MODE_PROXY (--upstream): the upstream */
    bool starttls; /* mail modes: the plaintext preamble first (--starttls P) */
    tp_sink *sinks[TP_MAX_SINKS]; /* --trace, -v */
    unsigned num_sinks;
    capture_outfile *keylog; /* NSS key log, opened by the caller, or NULL */
    /* driving */
    const char *client_cmd; /* NULL: device mode */
    double client_timeout;  /* seconds */
    unsigned jobs;          /* parallel slots (driven) */
    unsigned repeat;        /* tries per combination */
    sweep_strategy strategy;
    double window;          /* --per-attempt-window (device) */
    /* output */
    const char *journal;
    bool resume;
    const char *report_html;
    const char *json_out;
    bool quiet;
    FILE *out; /* progress and text summary (stdout) */
    /* --dashboard (live.c): every line the sweep says (-q too), and the
     * sweep object of the moment (--json's, not-tried combinations with
     * status "pending", and "live": progress) after each result and at
     * the end; called with the sweep's lock held; NULL: none. */
    void (*live_line)(void *arg, const char *line);
    void (*live_state)(void *arg, json_object *sweep);
    void *live_arg;
} sweep_options;

/* Runs the sweep.  Returns the exit code: 0 done (whatever the results),
 * 1 runtime failure (cannot listen, journal unwritable, probe failed),
 * 2 usage error (unknown axis or value: message on stderr names it and the
 * valid ones). */
int sweep_run(const sweep_options *o);

/* Sweep status of one connection's verdict: the verdict's outcome is ok
 * (the TLS session worked; the client command's exit is reported beside),
 * or unused after a completed handshake.  A connection unused without a
 * handshake (no byte sent) is not part of an attempt at all. */
bool sweep_verdict_ok(const tp_verdict *v);
/* The verdict event as JSON, without conn and t (a result is about a
 * configuration, the trace has the rest).  New reference. */
json_object *sweep_verdict_json(const tp_verdict *v);

#endif
