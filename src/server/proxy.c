/* The proxy mode (proxy.h): a connection's upstream leg on the
 * connection's own libev loop.  The upstream connection is opened when the
 * client's is accepted, so the real server's greeting is ready when the
 * client's handshake completes; what the upstream sends before that is held
 * (bounded) and goes out right after the handshake.  The client's plaintext
 * is queued to the upstream; the upstream's bytes go to the client through
 * the connection's write.  What happens on the upstream leg is written into
 * the session's facts (analysis/upstream.h) for the verdict: a refused,
 * unreachable, closing or silent upstream is named there and the client is
 * not blamed.  Acts on its connection only through the tp_mode_conn handle
 * (mode.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analysis/addr.h"
#include "../engine/upstream.h"
#include "../wire/buf.h"
#include "mode.h"
#include "proxy_mail.h"

/* Client bytes waiting for a slow upstream, and upstream bytes held until
 * the client's handshake is done: bounded, so neither side can make a
 * connection grow without limit. */
#define PROXY_QUEUE_MAX (4 * 1024 * 1024)
#define PROXY_COMPACT (256 * 1024)
#define PROXY_HOLD_MAX (64 * 1024)
#define PROXY_CHUNK 16384
/* Backpressure from a slow upstream: above HIGH queued for it, the client's
 * input is held (its TCP window closes), and read again below LOW. */
#define PROXY_OUT_HIGH (1024 * 1024)
#define PROXY_OUT_LOW (256 * 1024)

typedef enum { UP_CONNECTING, UP_TLS, UP_OPEN, UP_DONE } up_phase;

typedef struct {
    const tp_mode_conn *mc;
    int fd;
    up_phase phase;
    ev_io rio, wio;
    ev_timer timer;
    bool watchers; /* rio/wio/timer initialised */
    tp_upstream_tls *tls;
    wire_buf out; /* client -> upstream, from out_off */
    size_t out_off;
    wire_buf hold; /* upstream -> client before the client's handshake is done */
    bool client_open; /* the client's handshake is done */
    bool close_due;   /* close the client's session once it is open */
    bool mail;         /* a mail preamble to mediate (proxy_mail.h) */
    bool client_plain; /* the client's plaintext phase (--starttls), until STARTTLS */
    bool held, held_noted; /* the client's input is held (PROXY_OUT_HIGH) */
    proxy_mail pm;
} proxy_st;

/* ---- parameters ---- */

static bool split_hostport(const char *hp, char *host, size_t host_len, const char **out_port)
{
    const char *colon = strrchr(hp, ':');
    if (!colon || !colon[1] || colon == hp)
        return false;
    const char *h = hp;
    size_t n = (size_t)(colon - hp);
    if (hp[0] == '[') { /* "[::1]:25" */
        if (n < 3 || hp[n - 1] != ']')
            return false;
        h = hp + 1;
        n -= 2;
    }
    if (n >= host_len)
        return false;
    memcpy(host, h, n);
    host[n] = '\0';
    *out_port = colon + 1;
    return true;
}

bool tp_proxy_params_init(tp_proxy_params *p, const char *hostport, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    const char *port;
    char *end;
    if (!split_hostport(hostport, p->host, sizeof p->host, &port) ||
        strtoul(port, &end, 10) > 65535 || *end || end == port) {
        snprintf(err, err_len, "--upstream %s: not HOST:PORT (e.g. 127.0.0.1:25, [::1]:993, "
                 "mail.example:587)", hostport);
        return false;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    int rc = getaddrinfo(p->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_len, "--upstream %s: cannot resolve %s: %s", hostport, p->host,
                 gai_strerror(rc));
        return false;
    }
    memcpy(&p->sa, res->ai_addr, res->ai_addrlen);
    p->sa_len = res->ai_addrlen;
    freeaddrinfo(res);
    tp_addr_format((struct sockaddr *)&p->sa, p->addr_text, sizeof p->addr_text);
    p->timeout = 30;
    return true;
}

/* ---- facts for the verdict ---- */

static tp_upstream_facts *up_facts(const proxy_st *st)
{
    return &tp_session_facts(st->mc->sess)->up;
}

static double up_t(const proxy_st *st)
{
    return st->mc->ops->t(st->mc->conn);
}

/* ---- the client side ---- */

/* Ends the client's session (close_notify) now, or once its handshake is done. */
static void client_close(proxy_st *st)
{
    if (st->client_open)
        tp_mode_conn_close(st->mc);
    else
        st->close_due = true;
}

static void to_client(proxy_st *st, const uint8_t *p, size_t n)
{
    up_facts(st)->u2c_bytes += n;
    up_facts(st)->last_u2c_t = up_t(st);
    if (st->client_plain)
        (void)st->mc->ops->write_plain(st->mc->conn, p, n);
    else if (st->client_open)
        (void)tp_mode_conn_write(st->mc, p, n);
    else
        wire_buf_add_bytes(&st->hold, p, n);
}

/* ---- the upstream socket ---- */

static void up_stop(proxy_st *st)
{
    if (st->watchers) {
        ev_io_stop(st->mc->loop, &st->rio);
        ev_io_stop(st->mc->loop, &st->wio);
        ev_timer_stop(st->mc->loop, &st->timer);
    }
}

/* The upstream leg is over (its facts say why). */
static void up_end(proxy_st *st)
{
    up_stop(st);
    st->phase = UP_DONE;
    client_close(st);
}

static void up_failed(proxy_st *st, tp_upstream_state state, const char *why)
{
    tp_upstream_facts *u = up_facts(st);
    u->state = state;
    u->connect_t = up_t(st);
    snprintf(u->error, sizeof u->error, "%s", why ? why : "");
    up_end(st);
}

static tp_upstream_state connect_state(int err)
{
    return err == ECONNREFUSED ? TP_UP_REFUSED : TP_UP_UNREACHABLE;
}

/* The upstream closed or reset its side while the client was still on. */
static void up_closed(proxy_st *st, bool reset)
{
    tp_upstream_facts *u = up_facts(st);
    u->closed = true;
    u->reset = reset;
    u->closed_t = up_t(st);
    up_end(st);
}

static tp_engine_rc up_send(proxy_st *st, const uint8_t *p, size_t len, size_t *out_n)
{
    if (st->tls)
        return tp_upstream_tls_write(st->tls, p, len, out_n);
    ssize_t n = send(st->fd, p, len, MSG_NOSIGNAL);
    *out_n = n > 0 ? (size_t)n : 0;
    if (n >= 0)
        return TP_ENGINE_OK;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? TP_ENGINE_AGAIN
                                                                     : TP_ENGINE_ERROR;
}

static tp_engine_rc up_recv(proxy_st *st, uint8_t *p, size_t len, size_t *out_n)
{
    if (st->tls)
        return tp_upstream_tls_read(st->tls, p, len, out_n);
    ssize_t n = recv(st->fd, p, len, 0);
    *out_n = n > 0 ? (size_t)n : 0;
    if (n > 0)
        return TP_ENGINE_OK;
    if (n == 0)
        return TP_ENGINE_EOF;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? TP_ENGINE_AGAIN
                                                                     : TP_ENGINE_ERROR;
}

/* Holds the client's input above PROXY_OUT_HIGH queued, lets go below
 * PROXY_OUT_LOW or when the upstream is gone. */
static void out_mark(proxy_st *st)
{
    size_t queued = wire_buf_len(&st->out) - st->out_off;
    bool hold = st->phase != UP_DONE && queued > (st->held ? PROXY_OUT_LOW : PROXY_OUT_HIGH);
    if (hold == st->held)
        return;
    if (hold && !st->held_noted)
        tp_session_note(st->mc->sess, up_t(st),
                        "proxy: the upstream takes the client's data slowly: more than 1 MiB "
                        "queued, the client's input is held until less than 256 KiB is");
    st->held_noted |= hold;
    st->held = hold;
    st->mc->ops->hold_input(st->mc->conn, hold);
}

static void up_send_queued(proxy_st *st);

/* Sends what the client queued, then holds or lets go of its input. */
static void up_flush(proxy_st *st)
{
    up_send_queued(st);
    out_mark(st);
}

/* Sends what the client queued; the queue owns no memory once empty. */
static void up_send_queued(proxy_st *st)
{
    if (st->mail && !proxy_mail_upstream_ready(&st->pm))
        return; /* the upstream's preamble or STARTTLS first */
    while (st->phase == UP_OPEN && st->out_off < wire_buf_len(&st->out)) {
        size_t n = 0;
        tp_engine_rc rc = up_send(st, wire_buf_data(&st->out) + st->out_off,
                                  wire_buf_len(&st->out) - st->out_off, &n);
        if (rc == TP_ENGINE_AGAIN)
            return;
        if (rc != TP_ENGINE_OK) {
            up_closed(st, true);
            return;
        }
        st->out_off += n;
    }
    if (st->out_off >= wire_buf_len(&st->out)) {
        wire_buf_cleanup(&st->out);
        st->out_off = 0;
    } else if (st->out_off >= PROXY_COMPACT) { /* what was sent leaves the queue */
        wire_buf rest;
        wire_buf_init(&rest, PROXY_QUEUE_MAX);
        wire_buf_add_bytes(&rest, wire_buf_data(&st->out) + st->out_off,
                           wire_buf_len(&st->out) - st->out_off);
        wire_buf_cleanup(&st->out);
        st->out = rest;
        st->out_off = 0;
    }
}

static void up_start_tls(proxy_st *st);

/* What the preamble filter decided (proxy_mail.h): bytes each way, then
 * the switches to TLS. */
static void mail_act(proxy_st *st, wire_buf *tc, wire_buf *tu, unsigned acts)
{
    if (wire_buf_len(tc))
        to_client(st, wire_buf_data(tc), wire_buf_len(tc));
    size_t n = 0; /* tlsprobe's own lines (EHLO, STARTTLS): a few bytes on an idle socket */
    if (wire_buf_len(tu))
        (void)up_send(st, wire_buf_data(tu), wire_buf_len(tu), &n);
    wire_buf_cleanup(tc);
    wire_buf_cleanup(tu);
    if (acts & PM_CLIENT_TLS) {
        st->client_plain = false;
        st->mc->ops->start_tls(st->mc->conn);
    }
    if (acts & PM_UPSTREAM_TLS)
        up_start_tls(st);
    if (acts & PM_FAIL)
        up_failed(st, TP_UP_TLS_FAILED, st->pm.error);
}

static void mail_from_upstream(proxy_st *st, const uint8_t *p, size_t n)
{
    wire_buf tc, tu;
    wire_buf_init(&tc, 0);
    wire_buf_init(&tu, 0);
    mail_act(st, &tc, &tu, proxy_mail_from_upstream(&st->pm, p, n, &tc, &tu));
}

static void up_read(proxy_st *st)
{
    uint8_t buf[PROXY_CHUNK];
    while (st->phase == UP_OPEN) {
        if (st->client_open && !st->mc->ops->writable(st->mc->conn))
            return; /* the client does not read: on_flow resumes */
        if (!st->client_open && wire_buf_len(&st->hold) >= PROXY_HOLD_MAX)
            return; /* held until the handshake is done */
        size_t n = 0;
        tp_engine_rc rc = up_recv(st, buf, sizeof buf, &n);
        if (rc == TP_ENGINE_AGAIN)
            return;
        if (rc != TP_ENGINE_OK) {
            up_closed(st, rc == TP_ENGINE_ERROR);
            return;
        }
        if (st->mail)
            mail_from_upstream(st, buf, n);
        else
            to_client(st, buf, n);
    }
}

/* The watchers the leg needs now. */
static void up_arm(proxy_st *st)
{
    struct ev_loop *loop = st->mc->loop;
    bool want_w = st->phase == UP_CONNECTING ||
                  (st->phase == UP_TLS && tp_upstream_tls_wants_write(st->tls)) ||
                  (st->phase == UP_OPEN && st->out_off < wire_buf_len(&st->out));
    bool want_r = (st->phase == UP_TLS && !tp_upstream_tls_wants_write(st->tls)) ||
                  (st->phase == UP_OPEN && (st->client_open ? st->mc->ops->writable(st->mc->conn)
                                                            : wire_buf_len(&st->hold) <
                                                                  PROXY_HOLD_MAX));
    if (want_w)
        ev_io_start(loop, &st->wio);
    else
        ev_io_stop(loop, &st->wio);
    if (want_r)
        ev_io_start(loop, &st->rio);
    else
        ev_io_stop(loop, &st->rio);
}

static void up_opened(proxy_st *st)
{
    st->phase = UP_OPEN;
    ev_timer_stop(st->mc->loop, &st->timer);
    tp_upstream_facts *u = up_facts(st);
    u->state = TP_UP_CONNECTED;
    u->connect_t = up_t(st);
    if (st->tls)
        tp_upstream_tls_describe(st->tls, u->tls, sizeof u->tls);
}

static void up_tls_step(proxy_st *st)
{
    tp_engine_rc rc = tp_upstream_tls_handshake(st->tls);
    if (rc == TP_ENGINE_OK)
        up_opened(st);
    else if (rc != TP_ENGINE_AGAIN)
        up_failed(st, TP_UP_TLS_FAILED,
                  rc == TP_ENGINE_EOF ? "the upstream closed during the handshake"
                                      : tp_upstream_tls_error(st->tls));
}

static void up_connected(proxy_st *st)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err) {
        up_failed(st, connect_state(err), strerror(err));
        return;
    }
    if (st->mc->proxy->tls)
        up_start_tls(st);
    else
        up_opened(st);
}

/* --upstream-tls at connect, --upstream-starttls after the go-ahead. */
static void up_start_tls(proxy_st *st)
{
    st->tls = tp_upstream_tls_new(st->fd, st->mc->proxy->host);
    if (!st->tls) {
        up_failed(st, TP_UP_TLS_FAILED, "cannot create a TLS client session");
        return;
    }
    st->phase = UP_TLS;
    ev_timer_stop(st->mc->loop, &st->timer);
    ev_timer_set(&st->timer, st->mc->proxy->timeout, 0.);
    ev_timer_start(st->mc->loop, &st->timer);
    up_tls_step(st);
}

/* One pass over the leg, then the connection settles (it may be freed
 * there: st is not touched after). */
static void up_step(proxy_st *st, int revents)
{
    if (st->phase == UP_CONNECTING && (revents & EV_WRITE))
        up_connected(st);
    else if (st->phase == UP_TLS)
        up_tls_step(st);
    up_flush(st);
    up_read(st);
    if (st->phase != UP_DONE)
        up_arm(st);
    const tp_mode_conn *mc = st->mc;
    mc->ops->settle(mc->conn);
}

static void up_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    up_step(w->data, revents);
}

static void up_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    proxy_st *st = t->data;
    tp_upstream_facts *u = up_facts(st);
    if (st->phase == UP_TLS)
        up_failed(st, TP_UP_TLS_FAILED, "no answer to the TLS handshake in time");
    else
        up_failed(st, TP_UP_CONNECT_TIMEOUT, "no answer to the connection attempt");
    u->connect_t = st->mc->proxy->timeout;
    const tp_mode_conn *mc = st->mc;
    mc->ops->settle(mc->conn);
}

/* ---- the mode ---- */

static void proxy_start_watchers(proxy_st *st)
{
    ev_io_init(&st->rio, up_io_cb, st->fd, EV_READ);
    ev_io_init(&st->wio, up_io_cb, st->fd, EV_WRITE);
    st->rio.data = st->wio.data = st;
    ev_timer_init(&st->timer, up_timer_cb, st->mc->proxy->timeout, 0.);
    st->timer.data = st;
    st->watchers = true;
    ev_timer_start(st->mc->loop, &st->timer);
}

static void proxy_on_open(void *state, const tp_mode_conn *mc)
{
    proxy_st *st = state;
    const tp_proxy_params *pp = mc->proxy;
    st->mc = mc;
    st->fd = -1;
    wire_buf_init(&st->out, PROXY_QUEUE_MAX);
    wire_buf_init(&st->hold, PROXY_HOLD_MAX + PROXY_CHUNK); /* up_read stops at HOLD_MAX */
    tp_upstream_facts *u = up_facts(st);
    snprintf(u->addr, sizeof u->addr, "%s", pp->addr_text);
    static const char *const legs[] = {[TP_MAIL_SMTP] = "starttls-smtp",
                                       [TP_MAIL_IMAP] = "starttls-imap",
                                       [TP_MAIL_POP3] = "starttls-pop3"};
    u->leg = pp->tls ? "tls" : pp->upstream_starttls ? legs[pp->upstream_starttls] : "plain";
    st->client_plain = mc->starttls;
    st->mail = pp->mail != TP_MAIL_NONE && (mc->starttls || pp->upstream_starttls);
    if (st->mail)
        proxy_mail_init(&st->pm, pp->mail, mc->starttls, pp->upstream_starttls != TP_MAIL_NONE);
    u->state = TP_UP_CONNECTING;
    st->fd = socket(pp->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (st->fd < 0) {
        up_failed(st, TP_UP_UNREACHABLE, strerror(errno));
        return;
    }
    int one = 1;
    (void)setsockopt(st->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    proxy_start_watchers(st);
    if (connect(st->fd, (const struct sockaddr *)&pp->sa, pp->sa_len) != 0 &&
        errno != EINPROGRESS) {
        up_failed(st, connect_state(errno), strerror(errno));
        return;
    }
    ev_io_start(mc->loop, &st->wio); /* the connection's outcome */
}

static void proxy_on_handshake_done(void *state, const tp_mode_conn *mc)
{
    proxy_st *st = state;
    (void)mc;
    st->client_open = true;
    if (wire_buf_len(&st->hold))
        (void)tp_mode_conn_write(st->mc, wire_buf_data(&st->hold), wire_buf_len(&st->hold));
    wire_buf_cleanup(&st->hold);
    if (st->close_due) {
        tp_mode_conn_close(st->mc);
    } else if (st->phase == UP_OPEN) {
        up_read(st); /* what the upstream's TLS may already hold */
        if (st->phase == UP_OPEN)
            up_arm(st);
    }
}

static void proxy_on_appdata(void *state, const tp_mode_conn *mc, const uint8_t *data, size_t len)
{
    proxy_st *st = state;
    (void)mc;
    if (st->phase == UP_DONE)
        return; /* the upstream is gone; the client's session is closing */
    tp_upstream_facts *u = up_facts(st);
    u->c2u_bytes += len;
    u->last_c2u_t = up_t(st);
    if (st->mail)
        proxy_mail_client_tls(&st->pm, data, len);
    wire_buf_add_bytes(&st->out, data, len);
    if (!wire_buf_ok(&st->out)) {
        tp_session_note(st->mc->sess, up_t(st),
                        "proxy: the upstream does not read the client's data (4 MiB queued)");
        up_closed(st, false);
        return;
    }
    up_flush(st);
    if (st->phase != UP_DONE)
        up_arm(st);
}

static void proxy_on_flow(void *state, const tp_mode_conn *mc)
{
    proxy_st *st = state;
    (void)mc;
    if (!st->mc || st->phase != UP_OPEN || !st->client_open)
        return;
    /* the client reads again: what the upstream's TLS already holds has no
     * socket event to come with */
    if (st->mc->ops->writable(st->mc->conn))
        up_read(st);
    if (st->phase == UP_OPEN)
        up_arm(st);
}

static void proxy_on_close(void *state, const tp_mode_conn *mc)
{
    proxy_st *st = state;
    (void)mc;
    if (!st->mc)
        return;
    up_stop(st);
    if (st->phase == UP_OPEN) {
        /* the client's last command (QUIT), best effort: the verdict is
         * about to be decided, a failure here changes no fact */
        size_t n;
        if (st->out_off < wire_buf_len(&st->out))
            (void)up_send(st, wire_buf_data(&st->out) + st->out_off,
                          wire_buf_len(&st->out) - st->out_off, &n);
        if (st->tls)
            tp_upstream_tls_bye(st->tls);
    }
    tp_upstream_tls_free(st->tls);
    if (st->fd >= 0)
        close(st->fd);
    wire_buf_cleanup(&st->out);
    wire_buf_cleanup(&st->hold);
    if (st->mail)
        proxy_mail_cleanup(&st->pm);
}

/* The client's plaintext preamble (--starttls P): to the upstream, until
 * its STARTTLS (proxy_mail.h). */
static void proxy_on_plain(void *state, const tp_mode_conn *mc, const uint8_t *data, size_t len)
{
    proxy_st *st = state;
    (void)mc;
    if (st->phase == UP_DONE)
        return;
    tp_upstream_facts *u = up_facts(st);
    u->c2u_bytes += len;
    u->last_c2u_t = up_t(st);
    wire_buf tc, tu;
    wire_buf_init(&tc, 0);
    wire_buf_init(&tu, 0);
    up_flush(st); /* what came before goes first */
    unsigned acts = st->mail ? proxy_mail_from_client(&st->pm, data, len, &tu, &tc) : 0;
    if (!st->mail)
        wire_buf_add_bytes(&tu, data, len);
    size_t n = 0;
    if (st->mail && st->pm.state == PM_AWAIT_OK) /* the STARTTLS: past the gate */
        (void)up_send(st, wire_buf_data(&tu), wire_buf_len(&tu), &n);
    else
        wire_buf_add_bytes(&st->out, wire_buf_data(&tu), wire_buf_len(&tu));
    wire_buf_cleanup(&tu);
    if (wire_buf_len(&tc)) { /* tlsprobe's own answer: not the upstream's bytes */
        (void)st->mc->ops->write_plain(st->mc->conn, wire_buf_data(&tc), wire_buf_len(&tc));
        wire_buf_cleanup(&tc);
    }
    mail_act(st, &tc, &tu, acts);
    up_flush(st);
    if (st->phase != UP_DONE)
        up_arm(st);
}

const tp_mode_ops tp_mode_proxy = {
    .name = "proxy",
    .state_size = sizeof(proxy_st),
    .idle_timeout = true,
    .on_open = proxy_on_open,
    .on_plain = proxy_on_plain,
    .on_handshake_done = proxy_on_handshake_done,
    .on_appdata = proxy_on_appdata,
    .on_flow = proxy_on_flow,
    .on_close = proxy_on_close,
};
