/* Long-running outputs: `--keep failing` (trace and pcapng detail only for
 * connections whose verdict is a failure; an ok or unused connection keeps
 * its verdict line) and `--rotate SIZE[,N]` (an output file over SIZE bytes
 * is moved to FILE.1 ... FILE.N and started afresh, between connections).
 *
 * Both work per connection: its output is held in memory (at most
 * REPORT_KEEP_CONN_MAX bytes of detail; beyond that the detail is cut and a
 * note says so) until it closes, then written in one piece, so the memory
 * held is that of the open connections only.
 *
 *  - lines: a line sink (JSON trace, text) made per connection on a memory
 *    stream by the caller's factory;
 *  - pcapng: copies of the events a pcapng file is made of (accept, bytes,
 *    secrets, close), replayed into the pcapng sink when the connection is
 *    kept. */
#ifndef TP_REPORT_KEEP_SINK_H
#define TP_REPORT_KEEP_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/events.h"
#include "../capture/outfile.h"

#define REPORT_KEEP_CONN_MAX (4u * 1024 * 1024)

typedef struct {
    bool failing_only;              /* --keep failing */
    unsigned long long rotate_size; /* --rotate SIZE; 0: never */
    unsigned rotate_keep;           /* --rotate SIZE,N: older files kept */
} report_keep_opts;

typedef tp_sink *(*report_keep_make_fn)(FILE *f, void *arg);
typedef void (*report_keep_free_fn)(tp_sink *s);

/* Line output to file (rotated; borrowed, open) or, when file is NULL, to
 * the stream out (stdout; never rotated). */
tp_sink *report_keep_lines_new(report_keep_make_fn make, report_keep_free_fn free_fn, void *arg,
                               capture_outfile *file, FILE *out, const report_keep_opts *o);
/* pcapng output to path (created 0600; rotated); NULL with a message in err. */
tp_sink *report_keep_pcapng_new(const char *label, const char *path, const report_keep_opts *o,
                                char *err, size_t err_len);
/* Writes what is held (connections still open: as failing), frees; 0 or a
 * write error. */
int report_keep_free(tp_sink *s);

#endif
