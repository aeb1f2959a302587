/* See certs_opts.h. */
#include "certs_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int certs_take_chain(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)cmd;
    (void)row;
    (void)arg;
    s->chain = true;
    return 0;
}

void certs_variants_print(FILE *f)
{
    const char *const *v;
    unsigned n = tp_engine_cert_variants(&v);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", v[i]);
}

int certs_take_variant(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    if (!tp_engine_cert_variant_help(arg)) {
        fprintf(stderr, "tlsprobe %s: --cert-variant %s: unknown; valid: ", cmd, arg);
        certs_variants_print(stderr);
        fprintf(stderr, "\n(tlsprobe %s --help for the options)\n", cmd);
        return 2;
    }
    s->cert_variant = arg;
    return 0;
}

int certs_take_ocsp(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg)
{
    (void)row;
    struct stat st;
    if (strcmp(arg, "good") && strcmp(arg, "revoked") && strcmp(arg, "unknown") &&
        (stat(arg, &st) != 0 || !S_ISREG(st.st_mode)))
        return serve_opts_usage_error(cmd,
                                      "--ocsp %s: neither good, revoked, unknown nor a response "
                                      "file (%s); valid: good, revoked, unknown or FILE",
                                      arg, strerror(errno ? errno : EINVAL));
    s->ocsp = arg;
    return 0;
}

int certs_opts_check(const serve_shape *s, const char *cmd)
{
    if (s->cert && (s->chain || s->cert_variant))
        return serve_opts_usage_error(cmd, "--%s is a generated chain: not with --cert %s",
                                      s->chain ? "chain" : "cert-variant", s->cert);
    if (s->save_client_cert && !s->save_ca && !s->client_ca)
        return serve_opts_usage_error(cmd, "--save-client-cert %s: its CA is the generated one: "
                                           "use --client-ca generated (or --save-ca)",
                                      s->save_client_cert);
    if (s->cert && s->save_ca)
        return serve_opts_usage_error(cmd, "--save-ca %s: only for the generated chain, not with "
                                           "--cert",
                                      s->save_ca);
    return 0;
}

bool certs_write_public(const char *opt, const char *path, const char *pem, size_t len,
                        char *err, size_t err_len)
{
    size_t off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    while (fd >= 0 && off < len) {
        ssize_t n = write(fd, pem + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    int saved = errno;
    if (fd < 0 || off < len || close(fd) < 0) {
        snprintf(err, err_len, "%s: cannot write '%s': %s", opt, path,
                 fd < 0 && saved == ELOOP ? "it is a symbolic link" : strerror(saved));
        if (fd >= 0 && off < len)
            close(fd);
        return false;
    }
    return true;
}

bool certs_save_ca(const char *path, const tp_engine *e, char *err, size_t err_len)
{
    size_t len = 0;
    const char *pem = tp_engine_ca_pem(e, &len);
    if (!pem) {
        snprintf(err, err_len, "--save-ca %s: no generated CA to save", path);
        return false;
    }
    return certs_write_public("--save-ca", path, pem, len, err, err_len);
}

bool certs_save_client_cert(const char *path, const char *cmd)
{
    char err[1024], label[64];
    size_t len = 0;
    char *pem = tp_engine_client_cert_pem(&len, err, sizeof err);
    if (!pem) {
        fprintf(stderr, "tlsprobe %s: --save-client-cert: %s\n", cmd, err);
        return false;
    }
    capture_outfile f = {.fd = -1};
    snprintf(label, sizeof label, "tlsprobe %s: --save-client-cert", cmd);
    bool ok = serve_opts_open_output(&f, label, path, false);
    if (ok && (capture_outfile_write(&f, pem, len) != 0 || capture_outfile_close(&f) != 0))
        ok = false; /* named on stderr by the writer */
    else if (!ok)
        capture_outfile_close(&f);
    memset(pem, 0, len);
    free(pem);
    if (ok)
        fprintf(stderr, "client certificate and key written to %s\n", path);
    return ok;
}

int certs_save_ca_first(const serve_shape *s, const char *cmd)
{
    char err[1024];
    tp_engine_config ec = {.chain = true, .key_type = s->key_type};
    tp_engine *e = tp_engine_new(&ec, err, sizeof err);
    bool ok = e && (!s->save_ca || certs_save_ca(s->save_ca, e, err, sizeof err));
    tp_engine_free(e);
    if (!ok) {
        fprintf(stderr, "tlsprobe %s: %s\n", cmd, err);
        return 1;
    }
    if (s->save_ca)
        fprintf(stderr, "CA certificate written to %s\n", s->save_ca);
    return s->save_client_cert && !certs_save_client_cert(s->save_client_cert, cmd) ? 1 : 0;
}

void certs_list(FILE *f)
{
    const char *const *v;
    unsigned n = tp_engine_cert_variants(&v);
    fprintf(f, "\n--cert-variant (the generated chain; the sweep's cert axis)\n");
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "  * %-22s ", v[i]);
        for (const char *p = tp_engine_cert_variant_help(v[i]); *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "%27s", "");
        }
        fputc('\n', f);
    }
    fprintf(f, "\n--ocsp (the sweep's ocsp axis: none and the first three)\n  * good\n  * revoked\n"
               "  * unknown\n  * FILE (a DER or PEM OCSP response for the certificate)\n");
}
