/* The sweep's engine axis: gnutls and openssl, one per connection, so the
 * rule can name the library ("fails exactly when engine = gnutls and
 * protocol = TLS1.0").  A row of matrix.c's axis table. */
#include "axes_engine.h"

#include "axes_certs.h"

unsigned sweep_engine_values(const char **out, unsigned max)
{
    unsigned n = 0;
    for (; tp_engine_kinds[n] && n < max; n++)
        out[n] = tp_engine_kinds[n];
    return n;
}

bool sweep_engine_parse(const char *csv, const char **out, unsigned max, unsigned *out_n,
                        char *err, size_t err_len)
{
    unsigned n = 0;
    while (tp_engine_kinds[n])
        n++;
    return sweep_names_parse(csv, tp_engine_kinds, n, "engine", out, max, out_n, err, err_len);
}

void sweep_engine_apply(sweep_setup *s, const char *value)
{
    s->engine = value;
}
