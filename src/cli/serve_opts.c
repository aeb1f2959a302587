/* Option handling shared by serve and sweep; see serve_opts.h. */
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

FILE *serve_opts_open_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fd >= 0) {
        int saved = errno; /* the caller reports why fdopen failed */
        close(fd);
        errno = saved;
    }
    return f;
}
