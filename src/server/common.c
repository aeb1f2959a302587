/* What the listeners and workers (server.c) and the connections (conn.c)
 * share: the clock, the key log file, the open-file limit, the stderr line
 * about a refused connection, and stopping.  It calls neither, so the calls
 * inside server/ go one way: server.c -> conn.c -> the modes (mode.h), and
 * both down to here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "server_int.h"

/* ---- time ---- */

double srv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- key log: one file shared by every worker ---- */

void srv_keylog_write(tp_server *s, const char *line)
{
    if (!s->keylog)
        return;
    /* One write() per line: a reader (Wireshark, tshark) may be following
     * the file live, and other servers of a sweep append to it too. */
    size_t n = strlen(line);
    char buf[512];
    if (n + 1 > sizeof buf)
        return; /* no key log line is that long */
    memcpy(buf, line, n);
    buf[n] = '\n';
    pthread_mutex_lock(&s->keylog_lock);
    (void)capture_outfile_write(s->keylog, buf, n + 1); /* the file reports its error */
    pthread_mutex_unlock(&s->keylog_lock);
}

/* ---- capacity ---- */

unsigned long srv_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    return (unsigned long)rl.rlim_cur;
}

void srv_log_refusal(tp_worker *w, unsigned conn, const char *peer, const tp_facts *f)
{
    double now = srv_now();
    if (w->refusal_logged_at > 0 && now - w->refusal_logged_at < 1.0) {
        w->refusals_unlogged++;
        return;
    }
    char more[64] = "";
    if (w->refusals_unlogged)
        snprintf(more, sizeof more, " (and %u more refused since the last message)",
                 w->refusals_unlogged);
    w->refusal_logged_at = now;
    w->refusals_unlogged = 0;
    if (f->refused == TP_REFUSED_AT_CAPACITY)
        fprintf(stderr,
                "tlsprobe: connection %u from %s refused: at capacity (--max-conns %u, %u "
                "open)%s\n",
                conn, peer, f->max_conns, f->open_conns, more);
    else if (f->refused == TP_REFUSED_NO_FDS)
        fprintf(stderr,
                "tlsprobe: accept() failed: %s (%s; open-file limit %lu, %u connections "
                "open): connection %u from %s refused; raise the limit (ulimit -n) or set "
                "--max-conns lower%s\n",
                f->accept_errno == ENFILE ? "ENFILE" : "EMFILE", strerror(f->accept_errno),
                f->fd_limit, f->open_conns, conn, peer, more);
    else
        fprintf(stderr,
                "tlsprobe: connection %u from %s refused: --interactive already has its "
                "client%s\n",
                conn, peer, more);
    fflush(stderr);
}

/* ---- stopping ---- */

void tp_server_stop(tp_server *s)
{
    /* Only an atomic store and ev_async_send: both async-signal-safe. */
    atomic_store(&s->stopping, true);
    for (unsigned i = 0; i < s->num_workers; i++)
        if (s->workers[i].loop)
            ev_async_send(s->workers[i].loop, &s->workers[i].wake);
}
