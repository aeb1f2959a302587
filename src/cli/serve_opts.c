/* Option handling shared by serve and sweep; see serve_opts.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "serve_opts.h"

engine_flag serve_opts_list_flag(int ch)
{
    if (ch < SERVE_OPT_LIST || ch >= SERVE_OPT_LIST + ENGINE_FLAG_COUNT)
        return ENGINE_FLAG_COUNT;
    return (engine_flag)(ch - SERVE_OPT_LIST);
}

bool serve_opts_client_cert(const char *value, tp_client_cert *out)
{
    if (!strcmp(value, "none"))
        *out = TP_CLIENT_CERT_NONE;
    else if (!strcmp(value, "request"))
        *out = TP_CLIENT_CERT_REQUEST;
    else if (!strcmp(value, "require"))
        *out = TP_CLIENT_CERT_REQUIRE;
    else
        return false;
    return true;
}

void serve_opts_key_types_print(FILE *f)
{
    const char *const *types;
    unsigned n = engine_key_types(&types);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", types[i]);
}

bool serve_opts_open_output(capture_outfile *f, const char *label, const char *path, bool append)
{
    char err[512];
    if (capture_outfile_open(f, label, path,
                             append ? CAPTURE_OUTFILE_APPEND : CAPTURE_OUTFILE_TRUNC, err,
                             sizeof err))
        return true;
    fprintf(stderr, "%s\n", err);
    return false;
}

bool serve_opts_listen_valid(const char *addr)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(addr);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, addr, n + 1);
    if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') { /* "[::1]" */
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    unsigned char sa[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, buf, sa) == 1 || inet_pton(AF_INET6, buf, sa) == 1;
}
