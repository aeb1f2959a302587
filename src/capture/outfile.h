/* Output files that hold secrets or client data: key logs, traces, pcapng
 * files, the sweep's journal and reports.
 *
 * capture_outfile_open() opens with O_NOFOLLOW (a symbolic link is refused:
 * a secret must not be written through a link someone else planted), creates
 * mode 0600 and sets 0600 on the descriptor of an existing regular file,
 * saying so on stderr when it had wider permissions (a browser-made
 * SSLKEYLOGFILE is often 0644).  Character devices and pipes (/dev/null,
 * /dev/full, a FIFO) keep their mode.
 *
 * capture_outfile_write() writes one line (or any block) with one write();
 * a write that fails part way through a regular file is cut back to where it
 * started, so readers never see a torn line.  The first error is kept and
 * reported on stderr once, when it happens, naming the file and errno.
 *
 * Writes are serialised by the file's own lock: one file may be shared by
 * threads (the servers of `sweep -j N` share the key log).
 *
 * Messages start with the label the caller gives ("tlsprobe serve: --trace"),
 * then the path. */
#ifndef TP_CAPTURE_OUTFILE_H
#define TP_CAPTURE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>

typedef struct {
    int fd;            /* -1 when not open */
    const char *label; /* borrowed: "tlsprobe serve: --keylog" */
    char *path;        /* owned copy */
    int err;           /* first write error (errno), 0: none */
    bool borrowed;     /* capture_outfile_attach: close leaves fd open */
    bool has_lock;     /* lock initialised (open or attach succeeded) */
    pthread_mutex_t lock; /* writes may come from several threads (sweep -j) */
} capture_outfile;

enum {
    CAPTURE_OUTFILE_TRUNC = 0,  /* create or truncate */
    CAPTURE_OUTFILE_APPEND = 1, /* create or append (key logs) */
    CAPTURE_OUTFILE_KEEP = 2,   /* create, keep the contents, write at the end (journal --resume) */
};

/* Opens path; false with a message in err ("<label> <path>: ...") on
 * failure.  *f is then closed (fd -1) and safe to close again. */
bool capture_outfile_open(capture_outfile *f, const char *label, const char *path, int how,
                          char *err, size_t err_len);

/* Uses an open descriptor (standard output) the same way; name is what
 * messages call it ("standard output").  Close does not close fd.  False
 * on allocation failure. */
bool capture_outfile_attach(capture_outfile *f, const char *label, int fd, const char *name);

/* Writes n bytes with one write() (retried only for the rest of a short
 * write).  0, or the errno of the first failure (sticky: later calls fail
 * with it without writing). */
int capture_outfile_write(capture_outfile *f, const void *p, size_t n);

/* A stdio stream on the descriptor (for the pcapng writer and the sweep
 * reports); the stream then owns the descriptor (fd becomes -1).  NULL with
 * errno set on failure. */
FILE *capture_outfile_stream(capture_outfile *f, const char *mode);

/* Reports a write error found elsewhere (a stdio stream on the file) once,
 * like capture_outfile_write does; keeps the first. */
void capture_outfile_fail(capture_outfile *f, int err);

/* Closes; returns the first error (a write error, or close's own), 0 when
 * all went well.  Frees the path. */
int capture_outfile_close(capture_outfile *f);

#endif
