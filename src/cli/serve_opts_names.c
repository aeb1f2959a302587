/* See serve_opts_names.h. */
#include "serve_opts_names.h"

#include <string.h>
#include <strings.h>

int serve_opts_take_alpn(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char err[1024];
    if (strcmp(arg, "none") != 0 && !tp_alpn_list_check(arg, err, sizeof err))
        return serve_opts_usage_error(cmd, "%s (or none: no ALPN)", err);
    s->names.alpn = strcmp(arg, "none") == 0 ? "" : arg;
    return 0;
}

int serve_opts_take_alpn_mode(serve_shape *s, const char *cmd, const serve_opt *row,
                              const char *arg)
{
    (void)row;
    if (strcmp(arg, "strict") && strcmp(arg, "ignore"))
        return serve_opts_usage_error(cmd, "--alpn-mode %s: valid: strict, ignore", arg);
    s->names.alpn_strict = !strcmp(arg, "strict");
    return 0;
}

int serve_opts_take_sni_cert(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    char err[1024];
    if (s->names.num_sni_certs == TP_SNI_CERTS_MAX)
        return serve_opts_usage_error(cmd, "--sni-cert %s: at most %d --sni-cert options", arg,
                                      TP_SNI_CERTS_MAX);
    tp_sni_cert *c = &s->names.sni_certs[s->names.num_sni_certs];
    if (!tp_sni_cert_parse(arg, c, err, sizeof err) || !tp_sni_cert_check(c, err, sizeof err))
        return serve_opts_usage_error(cmd, "%s", err);
    for (unsigned i = 0; i < s->names.num_sni_certs; i++)
        if (strcasecmp(s->names.sni_certs[i].name, c->name) == 0)
            return serve_opts_usage_error(cmd,
                                          "--sni-cert %s: the name %s is given twice (also in "
                                          "--sni-cert %s); one certificate per name",
                                          arg, c->name, s->names.sni_certs[i].spec);
    s->names.num_sni_certs++;
    return 0;
}

int serve_opts_take_sni_mode(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (!tp_sni_mode_parse(arg, &s->names.sni_mode))
        return serve_opts_usage_error(cmd, "--sni-mode %s: valid: strict, warn, ignore", arg);
    return 0;
}

void serve_opts_names_for_mode(tp_engine_names *out, const tp_engine_names *given, bool http)
{
    *out = *given;
    if (!out->alpn && http)
        out->alpn = "http/1.1";
}

/* Whether the csv list holds name. */
static bool list_has(const char *csv, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = csv; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n))
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

void serve_opts_names_note(const tp_engine_names *n, bool http, const char *cmd)
{
    if (http && list_has(n->alpn, "h2"))
        fprintf(stderr,
                "tlsprobe %s: note: --alpn %s lets a client choose h2, but --http speaks "
                "HTTP/1.1: a client that gets h2 is answered with an HTTP/2 GOAWAY "
                "HTTP_1_1_REQUIRED\n",
                cmd, n->alpn);
}
