/* The engine options; see engine_opts.h. */
#include <string.h>

#include "engine_opts.h"

int engine_take_engine(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    for (unsigned i = 0; tp_engine_kinds[i]; i++)
        if (!strcmp(arg, tp_engine_kinds[i])) {
            s->engine = tp_engine_kinds[i];
            return 0;
        }
    return serve_opts_usage_error(cmd, "--engine %s: unknown engine; valid: gnutls, openssl", arg);
}

bool engine_opts_openssl(const serve_shape *s)
{
    return s->engine && !strcmp(s->engine, "openssl");
}

int engine_opts_check(const serve_shape *s, const char *cmd)
{
    bool ossl = engine_opts_openssl(s);
    if (ossl && s->priority)
        return serve_opts_usage_error(cmd, "--priority is a GnuTLS priority string; the openssl "
                                           "engine takes --cipher-string and --ciphersuites");
    if (!ossl && (s->cipher_string || s->ciphersuites))
        return serve_opts_usage_error(cmd, "--%s is for the openssl engine (--engine openssl); "
                                           "the gnutls engine takes --priority",
                                      s->cipher_string ? "cipher-string" : "ciphersuites");
    return 0;
}

void engine_opts_config(tp_engine_config *ec, const serve_shape *s)
{
    ec->engine = s->engine;
    ec->lists = s->lists;
    ec->cipher_string = s->cipher_string;
    ec->ciphersuites = s->ciphersuites;
}
