/* The sweep's certificate axes (axes_certs.c): cert (the generated
 * chain's variants), ocsp (the staple) and client-cert (none, request,
 * require); rows of matrix.c's axis table, and what they set in the
 * engine configuration of a connection. */
#ifndef TP_SWEEP_AXES_CERTS_H
#define TP_SWEEP_AXES_CERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../engine/engine.h"
#include "matrix.h"

#define SWEEP_CERT_AXIS_FNS(fn)                                                                    \
    unsigned sweep_##fn##_values(const char **out, unsigned max);                                  \
    bool sweep_##fn##_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,      \
                            char *err, size_t err_len);                                            \
    void sweep_##fn##_apply(sweep_setup *s, const char *value)

SWEEP_CERT_AXIS_FNS(cert);
SWEEP_CERT_AXIS_FNS(ocsp);
SWEEP_CERT_AXIS_FNS(client_cert);

/* One word of a fixed list (case-sensitive) per csv item into out; false
 * with "unknown <what> 'x'; valid: a, b" in err. */
bool sweep_names_parse(const char *csv, const char *const *valid, unsigned num_valid,
                       const char *what, const char **out, unsigned max, unsigned *out_n,
                       char *err, size_t err_len);

/* The certificate part of an engine configuration: the sweep's options
 * (--chain, --cert-variant, --ocsp, --client-ca, --client-cert) with what
 * the axes of the configuration set (su; NULL for the probe). */
struct sweep_options_certs {
    bool chain;
    const char *cert_variant, *ocsp, *client_ca;
    tp_client_cert client_cert;
};
void sweep_certs_config(tp_engine_config *ec, const struct sweep_options_certs *o,
                        const sweep_setup *su);

#endif
