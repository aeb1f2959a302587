/* Listeners and worker event loops.
 *
 * Each worker thread owns one libev loop and its own listening socket per
 * address.  With more than one worker the sockets share the port through
 * SO_REUSEPORT, so the kernel spreads new connections over the workers (and
 * cores) without a hand-off between threads.  Worker 0 runs on the thread
 * that calls tp_server_run and also watches SIGINT/SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analysis/addr.h"
#include "server_int.h"

#define SRV_BACKLOG 1024
#define SRV_ACCEPT_BURST 64
#define SRV_MAX_WORKERS 256
/* Descriptors kept free beside the per-worker ones (see fd_margin): stdio
 * (3), the trace, key log and pcapng files (3), the signal pipe, the main
 * loop's epoll and eventfd when workers run in threads, and one spare.  A
 * connection costs one descriptor, its socket (measured in /proc/PID/fd). */
#define SRV_FD_MARGIN 10
#define SRV_MAX_CONNS_UNLIMITED 1000000u
/* Pause of accepting when even the reserve descriptor is gone. */
#define SRV_ACCEPT_BACKOFF 0.1

static const char *const default_listen[] = {"0.0.0.0", "::"};

/* ---- addresses ---- */

static bool addr_parse(const char *text, unsigned port, struct sockaddr_storage *out,
                       socklen_t *out_len)
{
    char buf[64];
    size_t n = strlen(text);
    /* Accept "[::1]" as well as "::1". */
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, text + 1, n - 2);
        buf[n - 2] = '\0';
    } else if (n < sizeof buf) {
        memcpy(buf, text, n + 1);
    } else {
        return false;
    }
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *out_len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *out_len = sizeof *v6;
        return true;
    }
    return false;
}

static void addr_set_port(struct sockaddr_storage *sa, unsigned port)
{
    if (sa->ss_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

/* ---- listening sockets ---- */

static int listener_open(const struct sockaddr_storage *sa, socklen_t len, bool reuseport,
                         unsigned *out_port, int *out_errno)
{
    int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *out_errno = errno;
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Only when several workers share the port: with one worker a second
     * tlsprobe on the same port must fail instead of silently sharing. */
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        goto fail;
    /* So "0.0.0.0" and "::" can both be bound on one port. */
    if (sa->ss_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        goto fail;
    if (bind(fd, (const struct sockaddr *)sa, len) < 0 || listen(fd, SRV_BACKLOG) < 0)
        goto fail;
    struct sockaddr_storage got;
    socklen_t got_len = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &got_len) < 0)
        goto fail;
    *out_port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                               : ((struct sockaddr_in6 *)&got)->sin6_port);
    return fd;
fail:
    *out_errno = errno;
    close(fd);
    return -1;
}

/* ---- capacity ---- */

/* Descriptors the server needs beside its connections: SRV_FD_MARGIN, and
 * per worker its event loop, wake-up and two reserve descriptors and one
 * listener per address. */
static unsigned fd_margin(unsigned workers, unsigned addresses)
{
    return SRV_FD_MARGIN + workers * (addresses + 4);
}

/* Default --max-conns: what the open-file limit leaves after the margin. */
static unsigned default_max_conns(unsigned workers, unsigned addresses)
{
    unsigned long limit = srv_fd_limit();
    unsigned margin = fd_margin(workers, addresses);
    if (!limit)
        return SRV_MAX_CONNS_UNLIMITED;
    if (limit <= margin)
        return 1;
    return limit - margin > SRV_MAX_CONNS_UNLIMITED ? SRV_MAX_CONNS_UNLIMITED
                                                    : (unsigned)(limit - margin);
}

/* ---- accepting ---- */

/* Out of descriptors (accept() says so even when no connection waits):
 * free the reserve, accept the waiting connection and refuse it with a
 * verdict, take the reserve back.  1: one refused, 0: none was waiting,
 * -1: not possible (no reserve, or accept failed again): back off. */
static int accept_on_reserve(tp_worker *w, srv_listener *l, int accept_errno)
{
    if (w->reserve_fd < 0)
        return -1;
    close(w->reserve_fd);
    w->reserve_fd = -1;
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof peer;
    int fd = accept4(l->fd, (struct sockaddr *)&peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int e = errno;
    if (fd >= 0)
        conn_accept(w, fd, (struct sockaddr *)&peer, peer_len, l, accept_errno);
    w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        return 1;
    return e == EAGAIN || e == EWOULDBLOCK ? 0 : -1;
}

static void accept_back_off(tp_worker *w, int e)
{
    double now = srv_now();
    if (w->refusal_logged_at <= 0 || now - w->refusal_logged_at >= 1.0) {
        w->refusal_logged_at = now;
        fprintf(stderr, "tlsprobe: accept() failed: %s (%s); not accepting for %.1f s\n",
                e == EMFILE   ? "EMFILE"
                : e == ENFILE ? "ENFILE"
                : e == ENOMEM ? "ENOMEM"
                              : "ENOBUFS",
                strerror(e), SRV_ACCEPT_BACKOFF);
        fflush(stderr);
    }
    /* Level-triggered accept would spin: existing connections keep running. */
    srv_accept_pause(w);
    ev_timer_set(&w->accept_retry, SRV_ACCEPT_BACKOFF, 0.);
    ev_timer_start(w->loop, &w->accept_retry);
}

static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    srv_listener *l = io->data;
    tp_worker *w = l->w;
    /* A bounded burst, so a flood of new connections cannot starve the
     * established ones of this loop. */
    for (int i = 0; i < SRV_ACCEPT_BURST && w->accepting; i++) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        int fd = accept4(l->fd, (struct sockaddr *)&peer, &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            int e = errno;
            int refused = e == EMFILE || e == ENFILE ? accept_on_reserve(w, l, e) : -1;
            if (refused > 0)
                continue;
            if (refused < 0 && (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM))
                accept_back_off(w, e);
            return;
        }
        conn_accept(w, fd, (struct sockaddr *)&peer, peer_len, l, 0);
    }
}

void srv_accept_pause(tp_worker *w)
{
    if (!w->accepting)
        return;
    w->accepting = false;
    for (unsigned i = 0; i < w->num_listeners; i++)
        ev_io_stop(w->loop, &w->listeners[i].io);
}

void srv_accept_resume(tp_worker *w)
{
    if (w->accepting || atomic_load(&w->srv->stopping))
        return;
    w->accepting = true;
    for (unsigned i = 0; i < w->num_listeners; i++)
        ev_io_start(w->loop, &w->listeners[i].io);
}

static void accept_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    srv_accept_resume(t->data);
}

/* ---- stopping ---- */

static void worker_stop_all(tp_worker *w)
{
    if (w->refusals_unlogged) { /* the rate limit held some back: say how many */
        fprintf(stderr, "tlsprobe: %u more connection%s refused since the last message\n",
                w->refusals_unlogged, w->refusals_unlogged == 1 ? "" : "s");
        w->refusals_unlogged = 0;
    }
    srv_accept_pause(w);
    ev_timer_stop(w->loop, &w->accept_retry);
    while (w->conns)
        conn_shutdown(w->conns);
    if (w->index == 0) {
        ev_signal_stop(w->loop, &w->sig_int);
        ev_signal_stop(w->loop, &w->sig_term);
    }
    ev_async_stop(w->loop, &w->wake);
    ev_break(w->loop, EVBREAK_ALL);
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    (void)loop;
    (void)revents;
    tp_worker *w = a->data;
    if (atomic_load(&w->srv->stopping))
        worker_stop_all(w);
}

static void signal_cb(struct ev_loop *loop, ev_signal *sig, int revents)
{
    (void)loop;
    (void)revents;
    tp_server_stop(sig->data);
}

/* ---- lifecycle ---- */

static void worker_run(tp_worker *w)
{
    if (atomic_load(&w->srv->stopping)) {
        worker_stop_all(w);
        return;
    }
    srv_accept_resume(w);
    ev_run(w->loop, 0);
}

static void *worker_thread(void *arg)
{
    worker_run(arg);
    return NULL;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static bool add_bound(tp_server *s, const char *text)
{
    char **nb = realloc(s->bound, (s->num_bound + 1) * sizeof *nb);
    if (!nb)
        return false;
    s->bound = nb;
    if (!(s->bound[s->num_bound] = dup_str(text)))
        return false;
    s->num_bound++;
    return true;
}

/* Binds one address for every worker.  *port_hint: the port the first
 * address got when the user asked for 0, so all addresses share one port
 * where possible. */
static bool bind_address(tp_server *s, const char *text, bool is_default, unsigned *port_hint,
                         char *err, size_t err_len)
{
    struct sockaddr_storage sa;
    socklen_t len;
    if (!addr_parse(text, s->cfg.port, &sa, &len)) {
        snprintf(err, err_len, "--listen %s: not an IPv4 or IPv6 address", text);
        return false;
    }
    unsigned want = s->cfg.port ? s->cfg.port : *port_hint;
    bool reuseport = s->num_workers > 1;
    unsigned port = 0;
    int e = 0;
    addr_set_port(&sa, want);
    int fd = listener_open(&sa, len, reuseport, &port, &e);
    if (fd < 0 && !s->cfg.port && want) {
        addr_set_port(&sa, 0); /* the shared port is taken here; any will do */
        fd = listener_open(&sa, len, reuseport, &port, &e);
    }
    if (fd < 0) {
        /* A host without IPv6 still serves IPv4 by default. */
        if (is_default && sa.ss_family == AF_INET6 && (e == EAFNOSUPPORT || e == EADDRNOTAVAIL))
            return true;
        char shown[80];
        addr_set_port(&sa, want);
        tp_addr_format((const struct sockaddr *)&sa, shown, sizeof shown);
        snprintf(err, err_len, "cannot listen on %s: %s", shown, strerror(e));
        return false;
    }
    if (!s->cfg.port && !*port_hint)
        *port_hint = port;
    addr_set_port(&sa, port);
    char shown[80];
    tp_addr_format((const struct sockaddr *)&sa, shown, sizeof shown);

    for (unsigned k = 0; k < s->num_workers; k++) {
        tp_worker *w = &s->workers[k];
        if (k > 0) {
            fd = listener_open(&sa, len, reuseport, &port, &e);
            if (fd < 0) {
                snprintf(err, err_len, "cannot listen on %s (worker %u): %s", shown, k + 1,
                         strerror(e));
                return false;
            }
        }
        srv_listener *nl = realloc(w->listeners, (w->num_listeners + 1) * sizeof *nl);
        if (!nl) {
            close(fd);
            snprintf(err, err_len, "out of memory");
            return false;
        }
        w->listeners = nl;
        srv_listener *l = &w->listeners[w->num_listeners++];
        memset(l, 0, sizeof *l);
        l->fd = fd;
        l->w = w;
        snprintf(l->local, sizeof l->local, "%s", shown);
    }
    if (!add_bound(s, shown)) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    return true;
}

/* One event loop per worker, with its wake-up, retry timer and reserve
 * descriptor. */
static bool workers_init(tp_server *s, char *err, size_t err_len)
{
    s->workers = calloc(s->num_workers, sizeof *s->workers);
    if (!s->workers) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    for (unsigned k = 0; k < s->num_workers; k++)
        s->workers[k].reserve_fd = -1; /* tp_server_free closes only what was opened */
    for (unsigned k = 0; k < s->num_workers; k++) {
        tp_worker *w = &s->workers[k];
        w->srv = s;
        w->index = k;
        /* Never the default loop: it would claim SIGCHLD, which the sweep
         * needs for its client processes. */
        w->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
        if (!w->loop) {
            snprintf(err, err_len, "cannot create an event loop");
            return false;
        }
        ev_async_init(&w->wake, wake_cb);
        w->wake.data = w;
        /* Started now, not in run: a stop requested before run is kept. */
        ev_async_start(w->loop, &w->wake);
        srv_pass_init(w);
        ev_init(&w->accept_retry, accept_retry_cb);
        w->accept_retry.data = w;
        w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    return true;
}

/* Binds every address (the defaults when none) for every worker. */
static bool listeners_init(tp_server *s, const tp_server_params *cfg, char *err, size_t err_len)
{
    const char *const *addrs = cfg->listen;
    unsigned num_addrs = cfg->num_listen;
    bool is_default = !addrs || !num_addrs;
    if (is_default) {
        addrs = default_listen;
        num_addrs = 2;
    }
    s->listen_copy = calloc(num_addrs, sizeof *s->listen_copy);
    if (!s->listen_copy) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    unsigned port_hint = 0;
    for (unsigned i = 0; i < num_addrs; i++) {
        if (!(s->listen_copy[i] = dup_str(addrs[i]))) {
            snprintf(err, err_len, "out of memory");
            return false;
        }
        s->cfg.num_listen = i + 1;
        if (!bind_address(s, addrs[i], is_default, &port_hint, err, err_len))
            return false;
    }
    s->cfg.listen = (const char *const *)s->listen_copy;
    if (!s->num_bound) {
        snprintf(err, err_len, "no address to listen on");
        return false;
    }
    for (unsigned k = 0; k < s->num_workers; k++) {
        tp_worker *w = &s->workers[k];
        for (unsigned i = 0; i < w->num_listeners; i++) {
            srv_listener *l = &w->listeners[i];
            ev_io_init(&l->io, accept_cb, l->fd, EV_READ);
            l->io.data = l;
        }
    }
    return true;
}

/* Caught from here on, not only once run() starts: the caller prints
 * "listening on" next, and a SIGTERM right after it must still end in a
 * clean stop (delivered to worker 0's loop when it runs). */
static void signals_init(tp_server *s)
{
    tp_worker *w0 = &s->workers[0];
    ev_signal_init(&w0->sig_int, signal_cb, SIGINT);
    ev_signal_init(&w0->sig_term, signal_cb, SIGTERM);
    w0->sig_int.data = s;
    w0->sig_term.data = s;
    if (!s->cfg.no_signals) { /* sweep runs several servers: it watches signals itself */
        ev_signal_start(w0->loop, &w0->sig_int);
        ev_signal_start(w0->loop, &w0->sig_term);
    }
}

tp_server *tp_server_new(const tp_server_params *cfg, char *err, size_t err_len)
{
    if (err_len)
        err[0] = '\0';
    if (!cfg->engine && !cfg->choose) {
        snprintf(err, err_len, "server: no engine");
        return NULL;
    }
    tp_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->cfg.listen = NULL;
    s->cfg.num_listen = 0;
    if (s->cfg.timeout <= 0)
        s->cfg.timeout = 30;
    s->num_workers = cfg->workers ? cfg->workers : 1;
    if (s->num_workers > SRV_MAX_WORKERS)
        s->num_workers = SRV_MAX_WORKERS;
    /* One client at a time, and one stdin. */
    if (cfg->mode == TP_MODE_INTERACTIVE)
        s->num_workers = 1;
    s->cfg.workers = s->num_workers;
    atomic_init(&s->next_conn, 0);
    atomic_init(&s->open_conns, 0);
    atomic_init(&s->total_conns, 0);
    atomic_init(&s->total_ok, 0);
    atomic_init(&s->total_failed, 0);
    atomic_init(&s->total_unused, 0);
    atomic_init(&s->stopping, false);
    pthread_mutex_init(&s->cb_lock, NULL);
    pthread_mutex_init(&s->keylog_lock, NULL);
    if (!workers_init(s, err, err_len) || !listeners_init(s, cfg, err, err_len)) {
        tp_server_free(s);
        return NULL;
    }
    if (!s->cfg.max_conns) {
        s->cfg.max_conns = default_max_conns(s->num_workers, s->cfg.num_listen);
        s->max_conns_default = true;
    }
    s->keylog = cfg->keylog;
    signals_init(s);
    return s;
}

unsigned tp_server_bound(const tp_server *s, const char *const **out)
{
    *out = (const char *const *)s->bound;
    return s->num_bound;
}

int tp_server_run(tp_server *s)
{
    tp_worker *w0 = &s->workers[0];

    /* Other workers start with SIGINT/SIGTERM blocked so the signals reach
     * worker 0's watchers. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (unsigned k = 1; k < s->num_workers; k++) {
        tp_worker *w = &s->workers[k];
        if (pthread_create(&w->thread, NULL, worker_thread, w) == 0)
            w->thread_started = true;
        else
            fprintf(stderr, "tlsprobe serve: cannot start worker %u: %s\n", k + 1, strerror(errno));
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    worker_run(w0);
    /* Worker 0 returns when stopping (signal, tp_server_stop, or the end of
     * the interactive client); make sure the others follow. */
    tp_server_stop(s);
    for (unsigned k = 1; k < s->num_workers; k++) {
        tp_worker *w = &s->workers[k];
        if (w->thread_started) {
            pthread_join(w->thread, NULL);
            w->thread_started = false;
        }
    }
    return 0;
}

unsigned tp_server_max_conns(const tp_server *s)
{
    return s->cfg.max_conns;
}

void tp_server_totals(const tp_server *s, unsigned *out_conns, unsigned *out_ok,
                      unsigned *out_failed)
{
    if (out_conns)
        *out_conns = atomic_load(&s->total_conns);
    if (out_ok)
        *out_ok = atomic_load(&s->total_ok);
    if (out_failed)
        *out_failed = atomic_load(&s->total_failed);
}

unsigned tp_server_unused(const tp_server *s)
{
    return atomic_load(&s->total_unused);
}

void tp_server_free(tp_server *s)
{
    if (!s)
        return;
    if (s->workers) {
        for (unsigned k = 0; k < s->num_workers; k++) {
            tp_worker *w = &s->workers[k];
            if (w->thread_started) {
                /* run() was not allowed to finish; stop and wait. */
                tp_server_stop(s);
                pthread_join(w->thread, NULL);
            }
            if (w->loop) {
                while (w->conns)
                    conn_shutdown(w->conns);
                if (k == 0) {
                    ev_signal_stop(w->loop, &w->sig_int);
                    ev_signal_stop(w->loop, &w->sig_term);
                }
                ev_async_stop(w->loop, &w->wake);
                ev_timer_stop(w->loop, &w->accept_retry);
                        }
            for (unsigned i = 0; i < w->num_listeners; i++) {
                if (w->loop)
                    ev_io_stop(w->loop, &w->listeners[i].io);
                close(w->listeners[i].fd);
            }
            free(w->listeners);
            if (w->reserve_fd >= 0)
                close(w->reserve_fd);
            if (w->loop) {
                ev_loop_destroy(w->loop);
                w->loop = NULL; /* tp_server_stop skips it from now on */
            }
        }
        free(s->workers);
    }
    if (s->listen_copy) {
        for (unsigned i = 0; i < s->cfg.num_listen; i++)
            free(s->listen_copy[i]);
        free(s->listen_copy);
    }
    for (unsigned i = 0; i < s->num_bound; i++)
        free(s->bound[i]);
    free(s->bound);
    pthread_mutex_destroy(&s->cb_lock);
    pthread_mutex_destroy(&s->keylog_lock);
    free(s);
}
