/* The sweep matrix: axes (protocol, kx, cipher, mac, group, sigalg,
 * key-type, and any later one), the values tried on each, and every
 * combination with one value per axis, marked runnable, skipped (the engine
 * cannot form it) or not offered (the probe's ClientHello did not offer it).
 *
 * An axis is a name, its values, and how a value contributes to the engine
 * configuration of a connection: a later axis (record-layer quirks, another
 * engine) is one more row in the axis table. */
#ifndef TP_SWEEP_MATRIX_H
#define TP_SWEEP_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/names.h"
#include "../wire/handshake.h"
#include "decide.h"

/* What the probe's ClientHello offered (IANA numbers; GREASE dropped). */
typedef struct {
    bool valid;
    unsigned num_suites, num_versions, num_groups, num_sigalgs;
    uint16_t suites[512];
    uint16_t versions[16];
    uint16_t groups[128];
    uint16_t sigalgs[128];
} sweep_offer;

/* The offer of a ClientHello as the session parsed it (the handshake event's
 * message: the hello is not parsed again).  Without supported_versions
 * every version up to legacy_version counts as offered (a TLS 1.2 hello
 * does not say its minimum).  false (and out->valid false) when hs is NULL,
 * is no ClientHello, did not parse completely, or came in SSLv2 framing
 * (no extensions: its offer counts as unknown, every combination as
 * offered). */
bool sweep_offer_from_hello(sweep_offer *out, const wire_handshake *hs);

/* The engine-side setup of one configuration: what the axes contributed. */
typedef struct {
    engine_combo combo; /* NULL fields: not fixed by an axis */
    const char *quirk;  /* the quirk axis' value ("cbc-padding=max", "none"), or NULL */
    const char *alpn, *sni_mode; /* the alpn axis' engine list ("" none), sni-mode's value; or NULL */
    /* certificate axes (axes_certs.c); NULL: not an axis */
    const char *cert_variant, *ocsp, *client_cert;
    const char *engine; /* the engine axis' value (axes_engine.c), or NULL */
    const char *resumption; /* the resumption axis' value ("none", "id", "ticket", "psk"), or NULL */
} sweep_setup;

typedef struct sweep_axis sweep_axis;
struct sweep_axis {
    const char *name;   /* "cipher" */
    const char *option; /* the serve flag that limits it: "--ciphers" */
    /* Every value the engine can use on this axis, in preference order. */
    unsigned (*values)(const char **out, unsigned max);
    /* Checks a user list (the option's value); false with a message that
     * names the bad value and lists the valid ones. */
    bool (*parse)(const char *csv, const char **out, unsigned max, unsigned *out_n, char *err,
                  size_t err_len);
    /* How a value contributes to the configuration. */
    void (*apply)(sweep_setup *s, const char *value);
    /* Whether the probe offered the value (NULL: the hello does not say). */
    bool (*offered)(const sweep_offer *o, const char *value);
};

/* The axis table; sweep_axis_find is case-sensitive on the name. */
const sweep_axis *sweep_axes_all(unsigned *out_n);
const sweep_axis *sweep_axis_find(const char *name);

typedef enum {
    SWEEP_CFG_RUN = 0,     /* to be tried */
    SWEEP_CFG_SKIPPED,     /* the engine cannot form it (why says so) */
    SWEEP_CFG_NOT_OFFERED, /* the client did not offer it (not tried by default) */
} sweep_cfg_state;

typedef struct {
    unsigned index;                     /* position in the matrix */
    const char *values[SWEEP_MAX_AXES]; /* borrowed from the matrix */
    sweep_cfg_state state;
    bool offered;  /* per the probe (true without one) */
    char why[128]; /* skipped: the engine's reason */
} sweep_config;

typedef struct {
    unsigned num_axes;
    const sweep_axis *axes[SWEEP_MAX_AXES];
    const char *axis_names[SWEEP_MAX_AXES];
    unsigned num_values[SWEEP_MAX_AXES];
    const char *values[SWEEP_MAX_AXES][SWEEP_MAX_VALUES];
    const char *key_type; /* fixed certificate key when key-type is not an axis */
    unsigned num_configs;
    sweep_config *configs;
    unsigned num_run, num_skipped, num_not_offered;
} sweep_matrix;

/* Limits from the serve flags: option ("--ciphers", "--key-types") → csv. */
typedef struct {
    const char *option;
    const char *csv;
} sweep_limit;

/* Sets up the axes (csv like "protocol,kx,cipher,mac"; NULL: that default)
 * and their values (all the engine's, or the limit's).  An unknown axis or
 * value: false, message in err naming it and the valid ones (exit 2). */
bool sweep_matrix_init(sweep_matrix *m, const char *axes_csv, const sweep_limit *limits,
                       unsigned num_limits, const char *key_type, char *err, size_t err_len);

/* Builds every combination, asks the engine which it can form and, with a
 * probe, which the client offered; not-offered ones are runnable only with
 * include_unoffered.  Can be called again after a probe. */
bool sweep_matrix_expand(sweep_matrix *m, const sweep_offer *offer, bool include_unoffered);

void sweep_matrix_cleanup(sweep_matrix *m);

/* The engine setup of a configuration (axis values applied in order). */
void sweep_config_setup(const sweep_matrix *m, const sweep_config *c, sweep_setup *out);

/* Whether the probe offered this combination: each value offered and, for
 * protocol/kx/cipher/mac, one offered suite carrying them together. */
bool sweep_config_offered(const sweep_matrix *m, const sweep_config *c, const sweep_offer *o);

/* "TLS1.0 RSA AES-128-CBC SHA1" */
void sweep_config_label(const sweep_matrix *m, const sweep_config *c, char *out, size_t out_len);
/* "protocol=TLS1.0,kx=RSA,..." (journal key) */
void sweep_config_key(const sweep_matrix *m, const sweep_config *c, char *out, size_t out_len);
/* Index of the configuration with these values (one per axis, in axis
 * order), or -1. */
int sweep_matrix_find(const sweep_matrix *m, const char *const *values);

#endif
