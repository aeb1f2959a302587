/* loadgen: TLS handshake load generator for bench/handshakes.
 *
 * One thread, one epoll set, N non-blocking client connections kept in
 * flight.  Each connection does a full TLS 1.2 handshake (no session
 * resumption, no tickets), sends close_notify and is dropped; a new one takes
 * its slot.  The same program drives every server under test so the client
 * side costs the same in each measurement.
 *
 *   loadgen -p PORT [-H 127.0.0.1] [-c 32] [-d 10] [-C ECDHE-RSA-AES128-GCM-SHA256]
 *           [-e]            echo a line after each handshake before closing
 *           [-i N]          idle mode: open N connections, finish their
 *                           handshakes, print "ready N", hold them until
 *                           stdin closes, then close them all
 *
 * Prints one line: "handshakes N seconds S rate R errors E". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

enum conn_state { ST_FREE, ST_CONNECTING, ST_HANDSHAKE, ST_ECHO_WRITE, ST_ECHO_READ, ST_IDLE };

typedef struct {
    int fd;
    SSL *ssl;
    enum conn_state state;
    size_t echo_got;
} lg_conn;

typedef struct {
    SSL_CTX *ctx;
    struct sockaddr_in addr;
    int ep;
    lg_conn *conns;
    unsigned num_conns;
    bool echo;
    unsigned long done, errors, started;
} lg_state;

static const char echo_line[] = "loadgen ping\n";

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void conn_drop(lg_state *st, lg_conn *c, bool failed)
{
    if (c->ssl) {
        if (!failed)
            (void)SSL_shutdown(c->ssl); /* one close_notify, not waiting for the reply */
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        /* RST instead of FIN: thousands of short connections per second
         * must not exhaust loopback ephemeral ports in TIME_WAIT. */
        struct linger lg = {1, 0};
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        epoll_ctl(st->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    c->state = ST_FREE;
    if (failed)
        st->errors++;
}

static int conn_watch(lg_state *st, lg_conn *c, uint32_t events, int op)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    return epoll_ctl(st->ep, op, c->fd, &ev);
}

static bool conn_start(lg_state *st, lg_conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return false;
    int one = 1;
    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->ssl = NULL;
    c->echo_got = 0;
    st->started++;
    if (connect(c->fd, (struct sockaddr *)&st->addr, sizeof st->addr) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        st->errors++;
        return false;
    }
    c->state = ST_CONNECTING;
    if (conn_watch(st, c, EPOLLOUT, EPOLL_CTL_ADD) < 0) {
        conn_drop(st, c, true);
        return false;
    }
    return true;
}

/* Maps an SSL_ERROR_WANT_* onto the epoll interest; false on a real error. */
static bool conn_want(lg_state *st, lg_conn *c, int ret)
{
    switch (SSL_get_error(c->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return conn_watch(st, c, EPOLLIN, EPOLL_CTL_MOD) == 0;
    case SSL_ERROR_WANT_WRITE:
        return conn_watch(st, c, EPOLLOUT, EPOLL_CTL_MOD) == 0;
    default:
        ERR_clear_error();
        return false;
    }
}

/* Advances one connection as far as it can go without blocking.  Returns
 * true when the connection finished (successfully or not) and its slot is free. */
static bool conn_step(lg_state *st, lg_conn *c, bool idle_mode)
{
    int ret;
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
            conn_drop(st, c, true);
            return true;
        }
        c->ssl = SSL_new(st->ctx);
        if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
            conn_drop(st, c, true);
            return true;
        }
        SSL_set_tlsext_host_name(c->ssl, "localhost");
        c->state = ST_HANDSHAKE;
    }
    if (c->state == ST_HANDSHAKE) {
        ret = SSL_connect(c->ssl);
        if (ret != 1) {
            if (!conn_want(st, c, ret)) {
                conn_drop(st, c, true);
                return true;
            }
            return false;
        }
        st->done++;
        if (idle_mode) {
            c->state = ST_IDLE;
            /* watch for the server closing on us, nothing else */
            (void)conn_watch(st, c, EPOLLIN, EPOLL_CTL_MOD);
            return false;
        }
        if (!st->echo) {
            conn_drop(st, c, false);
            return true;
        }
        c->state = ST_ECHO_WRITE;
    }
    if (c->state == ST_ECHO_WRITE) {
        ret = SSL_write(c->ssl, echo_line, sizeof echo_line - 1);
        if (ret <= 0) {
            if (!conn_want(st, c, ret)) {
                conn_drop(st, c, true);
                return true;
            }
            return false;
        }
        c->state = ST_ECHO_READ;
    }
    if (c->state == ST_ECHO_READ) {
        char buf[256];
        for (;;) {
            ret = SSL_read(c->ssl, buf, sizeof buf);
            if (ret <= 0) {
                if (!conn_want(st, c, ret)) {
                    conn_drop(st, c, true);
                    return true;
                }
                return false;
            }
            c->echo_got += (size_t)ret;
            if (c->echo_got >= sizeof echo_line - 1) {
                conn_drop(st, c, false);
                return true;
            }
        }
    }
    if (c->state == ST_IDLE) {
        char buf[256];
        ret = SSL_read(c->ssl, buf, sizeof buf);
        if (ret <= 0 && !conn_want(st, c, ret)) {
            conn_drop(st, c, true); /* server dropped an idle connection */
            return true;
        }
    }
    return false;
}

static int run_load(lg_state *st, double seconds)
{
    double t0 = now_sec(), end = t0 + seconds;
    for (unsigned i = 0; i < st->num_conns; i++)
        (void)conn_start(st, &st->conns[i]);
    struct epoll_event evs[256];
    while (now_sec() < end) {
        int n = epoll_wait(st->ep, evs, 256, 100);
        if (n < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < n; i++) {
            lg_conn *c = evs[i].data.ptr;
            if (conn_step(st, c, false) && now_sec() < end)
                (void)conn_start(st, c);
        }
        /* slots whose connect() failed outright: retry */
        for (unsigned i = 0; i < st->num_conns; i++)
            if (st->conns[i].state == ST_FREE && now_sec() < end)
                (void)conn_start(st, &st->conns[i]);
    }
    double secs = now_sec() - t0;
    printf("handshakes %lu seconds %.3f rate %.1f errors %lu\n", st->done, secs,
           (double)st->done / secs, st->errors);
    for (unsigned i = 0; i < st->num_conns; i++)
        if (st->conns[i].state != ST_FREE)
            conn_drop(st, &st->conns[i], true);
    return 0;
}

/* Opens `total` connections, at most st->num_conns handshaking at a time. */
static int run_idle(lg_state *st, unsigned total)
{
    lg_conn *all = calloc(total, sizeof *all);
    if (!all)
        return 1;
    for (unsigned i = 0; i < total; i++)
        all[i].fd = -1;
    unsigned next = 0, in_flight = 0, idle = 0;
    double deadline = now_sec() + 120;
    struct epoll_event evs[256];
    while (idle + st->errors < total && now_sec() < deadline) {
        while (next < total && in_flight < st->num_conns) {
            if (conn_start(st, &all[next]))
                in_flight++;
            next++;
        }
        int n = epoll_wait(st->ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            lg_conn *c = evs[i].data.ptr;
            enum conn_state before = c->state;
            bool ended = conn_step(st, c, true);
            if (before != ST_IDLE && (ended || c->state == ST_IDLE))
                in_flight--;
            if (before != ST_IDLE && c->state == ST_IDLE)
                idle++;
            if (before == ST_IDLE && ended)
                idle--;
        }
    }
    printf("ready %u errors %lu\n", idle, st->errors);
    fflush(stdout);
    /* hold until stdin closes; keep answering epoll so closes are noticed */
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    for (;;) {
        int r = poll(&pfd, 1, 200);
        if (r > 0) {
            char b[64];
            if (read(0, b, sizeof b) <= 0)
                break;
        }
        int n = epoll_wait(st->ep, evs, 256, 0);
        for (int i = 0; i < n; i++)
            if (conn_step(st, evs[i].data.ptr, true))
                idle--;
    }
    unsigned still = 0;
    for (unsigned i = 0; i < total; i++)
        if (all[i].state == ST_IDLE) {
            still++;
            conn_drop(st, &all[i], false);
        }
    printf("closed %u\n", still);
    free(all);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen -p PORT [-H ADDR] [-c CONC] [-d SECONDS] [-C CIPHERS] [-e] [-i N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *ciphers = "ECDHE-RSA-AES128-GCM-SHA256";
    unsigned port = 0, conc = 32, idle_n = 0;
    double seconds = 10;
    bool echo = false;
    int opt;
    while ((opt = getopt(argc, argv, "p:H:c:d:C:ei:")) != -1) {
        switch (opt) {
        case 'p':
            port = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'H':
            host = optarg;
            break;
        case 'c':
            conc = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'd':
            seconds = strtod(optarg, NULL);
            break;
        case 'C':
            ciphers = optarg;
            break;
        case 'e':
            echo = true;
            break;
        case 'i':
            idle_n = (unsigned)strtoul(optarg, NULL, 10);
            break;
        default:
            usage();
        }
    }
    if (port == 0 || port > 65535 || conc == 0 || seconds <= 0)
        usage();
    signal(SIGPIPE, SIG_IGN);

    lg_state st = {.num_conns = conc, .echo = echo};
    st.addr.sin_family = AF_INET;
    st.addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &st.addr.sin_addr) != 1)
        usage();

    st.ctx = SSL_CTX_new(TLS_client_method());
    if (!st.ctx || !SSL_CTX_set_min_proto_version(st.ctx, TLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(st.ctx, TLS1_2_VERSION) ||
        !SSL_CTX_set_cipher_list(st.ctx, ciphers)) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    /* every handshake full: no session cache, no tickets */
    SSL_CTX_set_session_cache_mode(st.ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(st.ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_verify(st.ctx, SSL_VERIFY_NONE, NULL);

    st.ep = epoll_create1(EPOLL_CLOEXEC);
    if (st.ep < 0)
        return 1;
    int rc;
    if (idle_n) {
        rc = run_idle(&st, idle_n);
    } else {
        st.conns = calloc(conc, sizeof *st.conns);
        if (!st.conns)
            return 1;
        for (unsigned i = 0; i < conc; i++)
            st.conns[i].fd = -1;
        rc = run_load(&st, seconds);
        free(st.conns);
    }
    close(st.ep);
    SSL_CTX_free(st.ctx);
    return rc;
}
