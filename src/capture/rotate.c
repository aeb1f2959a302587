/* See rotate.h. */
#include "rotate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int capture_rotate_shift(const char *path, unsigned keep)
{
    size_t n = strlen(path) + 16;
    char *from = malloc(n), *to = malloc(n);
    int err = from && to ? 0 : ENOMEM;
    for (unsigned i = keep; !err && i >= 1; i--) {
        if (i == 1)
            snprintf(from, n, "%s", path);
        else
            snprintf(from, n, "%s.%u", path, i - 1);
        snprintf(to, n, "%s.%u", path, i);
        if (rename(from, to) != 0 && errno != ENOENT)
            err = errno;
    }
    if (!err && keep == 0 && unlink(path) != 0 && errno != ENOENT)
        err = errno;
    free(from);
    free(to);
    return err;
}

bool capture_rotate_outfile(capture_outfile *f, unsigned keep)
{
    char *path = f->path ? strdup(f->path) : NULL;
    const char *label = f->label;
    if (!path)
        return false;
    (void)capture_outfile_close(f);
    int err = capture_rotate_shift(path, keep);
    if (err)
        fprintf(stderr, "%s %s: cannot rotate: %s\n", label, path, strerror(err));
    char msg[512];
    bool ok = capture_outfile_open(f, label, path, CAPTURE_OUTFILE_TRUNC, msg, sizeof msg);
    if (!ok)
        fprintf(stderr, "%s\n", msg);
    free(path);
    return ok;
}
