/* Output files for secrets and client data; see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void closed(capture_outfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}

static bool tighten(capture_outfile *f, char *err, size_t err_len)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        snprintf(err, err_len, "%s %s: %s", f->label, f->path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode))
        return true; /* /dev/null, a pipe: not ours to change */
    if ((st.st_mode & 0777) == 0600)
        return true;
    if (fchmod(f->fd, 0600) != 0) {
        snprintf(err, err_len, "%s %s: cannot set mode 0600: %s", f->label, f->path,
                 strerror(errno));
        return false;
    }
    if (st.st_mode & 077)
        fprintf(stderr, "%s %s: the file had mode %04o (others could read it); now 0600\n",
                f->label, f->path, (unsigned)(st.st_mode & 0777));
    return true;
}

bool capture_outfile_open(capture_outfile *f, const char *label, const char *path, int how,
                          char *err, size_t err_len)
{
    f->fd = -1;
    f->label = label;
    f->err = 0;
    f->borrowed = false;
    f->has_lock = false;
    f->path = strdup(path);
    if (!f->path) {
        snprintf(err, err_len, "%s %s: out of memory", label, path);
        return false;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    flags |= how == CAPTURE_OUTFILE_APPEND ? O_APPEND : how == CAPTURE_OUTFILE_TRUNC ? O_TRUNC : 0;
    f->fd = open(path, flags, 0600);
    if (f->fd < 0) {
        if (errno == ELOOP)
            snprintf(err, err_len,
                     "%s %s: is a symbolic link; refusing to write through it (name the "
                     "target instead)",
                     label, path);
        else
            snprintf(err, err_len, "%s %s: cannot open: %s", label, path, strerror(errno));
        closed(f);
        return false;
    }
    if (!tighten(f, err, err_len)) {
        closed(f);
        return false;
    }
    f->has_lock = pthread_mutex_init(&f->lock, NULL) == 0;
    return true;
}

bool capture_outfile_attach(capture_outfile *f, const char *label, int fd, const char *name)
{
    f->label = label;
    f->err = 0;
    f->borrowed = true;
    f->path = strdup(name);
    f->fd = f->path ? fd : -1;
    f->has_lock = f->path && pthread_mutex_init(&f->lock, NULL) == 0;
    return f->path != NULL;
}

void capture_outfile_fail(capture_outfile *f, int err)
{
    if (f->err)
        return;
    f->err = err ? err : EIO;
    fprintf(stderr, "%s %s: write failed: %s; the file is incomplete from here on\n", f->label,
            f->path ? f->path : "?", strerror(f->err));
}

static int write_locked(capture_outfile *f, const void *p, size_t n);

int capture_outfile_write(capture_outfile *f, const void *p, size_t n)
{
    if (f->has_lock)
        pthread_mutex_lock(&f->lock);
    int e = write_locked(f, p, n);
    if (f->has_lock)
        pthread_mutex_unlock(&f->lock);
    return e;
}

static int write_locked(capture_outfile *f, const void *p, size_t n)
{
    if (f->err)
        return f->err;
    if (f->fd < 0)
        return EBADF;
    const char *c = p;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(f->fd, c + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            /* a partial line would glue onto the next reader's line; the
             * offset is asked only now (-1 on a pipe: nothing to cut back) */
            off_t end = done ? lseek(f->fd, 0, SEEK_CUR) : -1;
            if (end >= (off_t)done && ftruncate(f->fd, end - (off_t)done) != 0)
                e = e ? e : errno;
            capture_outfile_fail(f, e);
            return f->err;
        }
        done += (size_t)w;
    }
    return 0;
}

FILE *capture_outfile_stream(capture_outfile *f, const char *mode)
{
    FILE *s = fdopen(f->fd, mode);
    if (s)
        f->fd = -1;
    return s;
}

int capture_outfile_close(capture_outfile *f)
{
    int e = f->err;
    if (f->fd >= 0 && !f->borrowed && close(f->fd) != 0 && !e)
        e = errno;
    f->fd = -1;
    free(f->path);
    f->path = NULL;
    if (f->has_lock)
        pthread_mutex_destroy(&f->lock);
    f->has_lock = false;
    return e;
}
