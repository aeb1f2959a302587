/* One connection: socket I/O, the transport shim between the socket and the
 * engine, and the session that traces it.
 *
 * Received bytes go to the session first (so even bytes the engine rejects
 * are traced), then to the engine through pull.  What the engine pushes goes
 * to the session and into an output queue that is flushed at the end of
 * each callback, so a whole server flight leaves in one send().  Nothing
 * here blocks; a connection is freed only at the end of a callback
 * (conn_settle), never from inside the engine. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "../analysis/addr.h"
#include "../engine/psk.h"
#include "names_facts.h"
#include "server_int.h"

/* ---- time ---- */

double conn_t(const tp_conn *c)
{
    double t = srv_now() - c->t0;
    return t < 0 ? 0 : t;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- helpers ---- */

static void conn_timer_arm(tp_conn *c, double after)
{
    ev_timer_stop(c->w->loop, &c->timer);
    ev_timer_set(&c->timer, after, 0.);
    ev_timer_start(c->w->loop, &c->timer);
}

/* Traffic after the handshake re-arms the idle timer (modes that have one). */
static void conn_touch(tp_conn *c)
{
    if (c->state == CONN_OPEN && !c->finished && c->mode->idle_timeout)
        conn_timer_arm(c, c->w->srv->cfg.timeout);
}

/* The mode's flow changed (backpressure, finish). */
static void conn_flow(tp_conn *c)
{
    if (c->mode_started && c->mode->on_flow)
        c->mode->on_flow(c->mode_state, &c->mode_conn);
}

void conn_finish(tp_conn *c, tp_end_reason why)
{
    if (c->finished)
        return;
    if (why == TP_END_PEER_CLOSED || why == TP_END_PEER_RESET)
        conn_note_close(c, TP_ACTOR_CLIENT, why == TP_END_PEER_RESET);
    c->finished = true;
    c->end_reason = why;
    c->t_end = conn_t(c);
    conn_read_stop(c);
    conn_flow(c);
}

/* ---- the transport shim ---- */

static ssize_t transport_pull(void *ctx, uint8_t *buf, size_t len)
{
    tp_conn *c = ctx;
    size_t n;
    /* Older bytes first: the queue holds what an earlier pass left. */
    if (c->in.len) {
        n = c->in.len < len ? c->in.len : len;
        memcpy(buf, srv_buf_data(&c->in), n);
        srv_buf_consume(&c->in, n);
        return (ssize_t)n;
    }
    if (c->chunk_len) {
        n = c->chunk_len < len ? c->chunk_len : len;
        memcpy(buf, c->chunk, n);
        c->chunk += n;
        c->chunk_len -= n;
        return (ssize_t)n;
    }
    errno = EAGAIN;
    return -1;
}

/* Bytes for the socket: queued, then traced (after any rewriting, so the
 * trace shows what went on the wire).  false when the queue is full. */
bool conn_queue(tp_conn *c, const uint8_t *data, size_t len, const char *quirk)
{
    if (!c->io_dead) {
        if (!srv_buf_append(&c->out, data, len, SRV_OUT_MAX))
            return false;
        /* Backpressure: stop taking input while the client does not read. */
        if (c->out.len > SRV_OUT_HIGH && !c->read_paused) {
            c->read_paused = true;
            conn_read_stop(c);
            conn_flow(c);
        }
    }
    c->t_fed = conn_t(c);
    tp_session_feed_shaped(c->sess, TP_S2C, c->t_fed, data, len, quirk);
    return true;
}

static void rewriter_emit(void *ctx, const uint8_t *data, size_t len, const char *quirk)
{
    (void)conn_queue(ctx, data, len, quirk);
}

static void rewriter_note(void *ctx, const char *text)
{
    tp_conn *c = ctx;
    tp_session_note(c->sess, conn_t(c), text);
}

static ssize_t transport_push(void *ctx, const uint8_t *data, size_t len)
{
    tp_conn *c = ctx;
    /* with --quirk, room for what the rewriter makes of it (padding, split
     * records), checked before it takes the bytes */
    bool full = c->rw ? !c->io_dead && c->out.len + 2 * len + 4096 > SRV_OUT_MAX
                      : !conn_queue(c, data, len, NULL);
    if (full) {
        errno = ENOBUFS;
        return -1;
    }
    if (c->rw)
        tp_rewriter_push(c->rw, data, len);
    return (ssize_t)len;
}

static void transport_keylog(void *ctx, const char *line)
{
    tp_conn *c = ctx;
    tp_session_add_secret(c->sess, conn_t(c), line);
    tp_rewriter_add_secret(c->rw, line);
    srv_keylog_write(c->w->srv, line);
}

/* ---- driving the engine ---- */

/* What the engine's certificates are (--cert-variant, --ocsp, --client-ca)
 * and, once the handshake ended, its check of the client's certificate:
 * facts for the verdict. */
static void conn_cert_facts(tp_conn *c, bool ended)
{
    tp_facts *f = c->sess ? tp_session_facts(c->sess) : NULL;
    if (!f || !c->engine)
        return;
    if (ended) {
        f->rel.certs.client_verify = c->ec ? tp_engine_conn_client_verify(c->ec) : NULL;
        return;
    }
    const char *detail = NULL;
    f->rel.certs.variant = tp_engine_cert_variant(c->engine, &detail);
    snprintf(f->rel.certs.detail, sizeof f->rel.certs.detail, "%s", detail ? detail : "");
    f->rel.certs.ocsp = tp_engine_ocsp(c->engine);
    f->rel.certs.client_ca = tp_engine_client_ca(c->engine);
}

static void conn_engine_failed(tp_conn *c)
{
    conn_cert_facts(c, true);
    tp_session_engine_error(c->sess, conn_t(c), tp_engine_conn_error_name(c->ec),
                            tp_engine_conn_error_text(c->ec));
    /* Whatever alert the engine queued still goes out before the close. */
    conn_finish(c, TP_END_SERVER_CLOSED);
}

static void conn_handshake_done(tp_conn *c)
{
    tp_engine_info info;
    memset(&info, 0, sizeof info);
    tp_engine_conn_info(c->ec, &info);
    conn_cert_facts(c, true);
    tp_negotiated n = {
        .protocol = info.protocol[0] ? info.protocol : NULL,
        .kx = info.kx[0] ? info.kx : NULL,
        .cipher = info.cipher[0] ? info.cipher : NULL,
        .mac = info.mac[0] ? info.mac : NULL,
        .group = info.group[0] ? info.group : NULL,
        .sigalg = info.sigalg[0] ? info.sigalg : NULL,
    };
    tp_session_set_negotiated(c->sess, &n);
    tp_resumption *res = &tp_session_facts(c->sess)->rel.resumption;
    res->early_replay = info.early_replay;
    res->cache_miss = info.cache_miss;
    tp_session_handshake_done(c->sess, conn_t(c));
    c->state = CONN_OPEN;
    if (c->mode->no_timer)
        ev_timer_stop(c->w->loop, &c->timer); /* a person types at their pace */
    else
        conn_timer_arm(c, c->w->srv->cfg.timeout); /* idle (echo), request deadline (http) */
    if (c->mode->on_handshake_done)
        c->mode->on_handshake_done(c->mode_state, &c->mode_conn);
}

/* Received bytes the engine has not pulled yet. */
static size_t conn_input_len(const tp_conn *c)
{
    return c->in.len + c->chunk_len;
}

/* Data went both ways: in echo and http the connection counts ok. */
static void conn_note_exchange(tp_conn *c)
{
    if (c->got_app && c->sent_app && !c->exchanged) {
        c->exchanged = true;
        tp_session_app_exchanged(c->sess);
    }
}

/* After the engine returned AGAIN: whether to call it again at once.
 * GnuTLS returns AGAIN after each record that leaves a handshake message
 * incomplete, even with the next record already here: go on while it makes
 * progress (each round consumes at least one byte, so this ends). */
static bool conn_engine_progressed(const tp_conn *c, size_t before)
{
    size_t now = conn_input_len(c);
    return now && now < before;
}

/* The engine stopped with rc (AGAIN, EOF or ERROR): AGAIN waits for more
 * bytes; EOF (the client's close_notify or EOF) ends the connection, after
 * answering a close_notify when answer_close (RFC 8446 6.1); anything else
 * is the engine's failure. */
static void conn_engine_stopped(tp_conn *c, tp_engine_rc rc, bool answer_close)
{
    if (rc == TP_ENGINE_AGAIN)
        return;
    if (rc != TP_ENGINE_EOF) {
        conn_engine_failed(c);
        return;
    }
    if (answer_close)
        tp_engine_conn_close(c->ec);
    conn_finish(c, TP_END_PEER_CLOSED);
}

static void conn_drive(tp_conn *c)
{
    if (c->finished || !c->ec)
        return;
    while (c->state == CONN_HANDSHAKE) {
        size_t before = conn_input_len(c);
        tp_engine_rc rc = tp_engine_conn_handshake(c->ec);
        if (rc == TP_ENGINE_OK) {
            conn_handshake_done(c);
            continue;
        }
        if (rc == TP_ENGINE_AGAIN && conn_engine_progressed(c, before))
            continue;
        conn_engine_stopped(c, rc, false);
        return;
    }
    uint8_t buf[SRV_IO_CHUNK];
    while (c->state == CONN_OPEN && !c->finished && !c->read_paused) {
        size_t n = 0;
        size_t before = conn_input_len(c);
        tp_engine_rc rc = tp_engine_conn_read(c->ec, buf, sizeof buf, &n);
        if (rc == TP_ENGINE_OK) {
            if (!n)
                return;
            c->got_app = true;
            conn_touch(c);
            if (c->mode->on_appdata)
                c->mode->on_appdata(c->mode_state, &c->mode_conn, buf, n);
            conn_note_exchange(c);
            continue;
        }
        if (rc == TP_ENGINE_AGAIN && conn_engine_progressed(c, before))
            continue; /* more records are already here */
        conn_engine_stopped(c, rc, true);
        return;
    }
}

bool conn_write_app(tp_conn *c, const uint8_t *data, size_t len)
{
    if (c->finished || c->state != CONN_OPEN)
        return false;
    while (len) {
        size_t n = len < SRV_IO_CHUNK ? len : SRV_IO_CHUNK;
        if (tp_engine_conn_write(c->ec, data, n) != TP_ENGINE_OK) {
            conn_engine_failed(c);
            return false;
        }
        data += n;
        len -= n;
    }
    c->sent_app = true;
    (void)(tp_rewriter_take_hello_request(c->rw) && tp_engine_conn_request_renegotiation(c->ec));
    conn_note_exchange(c);
    conn_touch(c);
    return true;
}

void conn_close_gracefully(tp_conn *c)
{
    if (c->finished)
        return;
    if (c->ec && c->state == CONN_OPEN)
        tp_engine_conn_close(c->ec);
    conn_finish(c, TP_END_SERVER_CLOSED);
}

/* ---- the handle a mode is given (its ops: conn_api.c) ---- */

static void conn_mode_init(tp_conn *c, const tp_mode_ops *mode)
{
    c->mode = mode;
    c->mode_conn.ops = &conn_api;
    c->mode_conn.conn = c;
    c->mode_conn.id = c->id;
    c->mode_conn.peer = c->peer;
    c->mode_conn.loop = c->w->loop;
    c->mode_conn.proxy = c->w->srv->cfg.proxy;
}

/* ---- socket I/O ---- */

static void conn_flush(tp_conn *c)
{
    if (c->rw)
        tp_rewriter_flush(c->rw);
    while (c->out.len && !c->io_dead) {
        ssize_t n = send(c->fd, srv_buf_data(&c->out), c->out.len, MSG_NOSIGNAL);
        if (n > 0) {
            c->tx_bytes += (unsigned long long)n;
            srv_buf_consume(&c->out, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ev_io_start(c->w->loop, &c->wio);
            return;
        }
        /* The peer is gone (EPIPE, ECONNRESET): nothing more can be sent. */
        c->io_dead = true;
        srv_buf_free(&c->out);
        conn_finish(c, TP_END_PEER_RESET);
    }
    ev_io_stop(c->w->loop, &c->wio);
}

static void conn_destroy(tp_conn *c)
{
    tp_worker *w = c->w;
    tp_server *s = w->srv;
    bool was_sole = w->sole == c;
    bool was_open = c->state == CONN_OPEN;

    ev_io_stop(w->loop, &c->rio);
    ev_io_stop(w->loop, &c->wio);
    ev_timer_stop(w->loop, &c->timer);
    if (was_sole)
        w->sole = NULL;
    if (!c->finished)
        conn_finish(c, TP_END_SERVER_CLOSED);
    conn_note_our_close(c);
    if (c->mode_started && c->mode->on_close)
        c->mode->on_close(c->mode_state, &c->mode_conn);

    /* Exactly one end, one verdict, one callback per connection. */
    /* Bytes read while lingering came after the end was decided; the
     * verdict must not go back in time behind them. */
    if (c->ec)
        srv_names_facts_end(tp_session_facts(c->sess), c->ec);
    tp_session_end(c->sess, c->t_fed > c->t_end ? c->t_fed : c->t_end, c->end_reason);
    const tp_verdict *v = tp_session_verdict(c->sess);
    atomic_fetch_add(&s->total_conns, 1);
    if (v && v->outcome == TP_OUTCOME_OK)
        atomic_fetch_add(&s->total_ok, 1);
    else if (v && v->outcome == TP_OUTCOME_UNUSED)
        atomic_fetch_add(&s->total_unused, 1);
    else
        atomic_fetch_add(&s->total_failed, 1);
    if (s->cfg.on_verdict && v) {
        pthread_mutex_lock(&s->cb_lock);
        s->cfg.on_verdict(s->cfg.cb_ctx, c->id, c->peer, c->tag, v);
        pthread_mutex_unlock(&s->cb_lock);
    }

    tp_engine_conn_free(c->ec);
    tp_rewriter_free(c->rw);
    tp_session_free(c->sess);
    close(c->fd);
    srv_buf_free(&c->in);
    srv_buf_free(&c->out);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->num_conns--;
    free(c);
    atomic_fetch_sub(&s->open_conns, 1);

    /* One-client modes (interactive): the server's job ends with its
     * client (one that got through the handshake; a failed attempt may be
     * retried). */
    if (was_sole && was_open)
        tp_server_stop(s);
}

/* After the session ended on our side (we sent close_notify or an alert):
 * half-close and read until the client closes too, so our last bytes are
 * not lost to a reset caused by unread input (RFC 7230 6.6). */
static void conn_linger(tp_conn *c)
{
    conn_note_our_close(c);
    shutdown(c->fd, SHUT_WR);
    c->linger_armed = true;
    conn_timer_arm(c, SRV_LINGER_SECONDS);
    c->read_paused = false;
    ev_io_start(c->w->loop, &c->rio);
    c->reading = true;
}

void conn_settle(tp_conn *c)
{
    if (c->drive_due && !c->input_held) { /* the mode let go of the input (conn_read.c) */
        c->drive_due = false;
        conn_drive(c);
    }
    conn_flush(c);
    /* Backpressure ends once the queue drained: here or after a write
     * event (a mode writing from its own callbacks, the proxy's upstream,
     * may fill and drain it in one pass, with no write event between);
     * after a few rounds the write event takes over (fairness). */
    for (int i = 0; !c->finished && c->read_paused && c->out.len < SRV_OUT_LOW; i++) {
        if (i == 8) {
            ev_io_start(c->w->loop, &c->wio);
            break;
        }
        c->read_paused = false;
        conn_read_start(c);
        conn_flow(c);
        conn_drive(c); /* the engine may hold records it already read */
        conn_flush(c);
    }
    if (!c->finished)
        return;
    if (c->io_dead || c->end_reason == TP_END_TIMEOUT || c->end_reason == TP_END_SHUTDOWN) {
        conn_destroy(c);
        return;
    }
    if (c->out.len) {
        if (!c->linger_armed) {
            /* Bounded wait for the rest to leave. */
            c->linger_armed = true;
            conn_timer_arm(c, SRV_LINGER_SECONDS);
        }
        return;
    }
    if (c->end_reason == TP_END_SERVER_CLOSED && !c->reading) {
        conn_linger(c);
        return;
    }
    if (c->end_reason != TP_END_SERVER_CLOSED)
        conn_destroy(c);
}

void conn_shutdown(tp_conn *c)
{
    conn_finish(c, TP_END_SHUTDOWN);
    /* One best-effort attempt; then the socket closes regardless. */
    conn_flush(c);
    c->io_dead = true;
    conn_destroy(c);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    tp_conn *c = io->data;
    uint8_t buf[SRV_IO_CHUNK];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        c->io_dead = true;
        conn_finish(c, TP_END_PEER_RESET);
        conn_settle(c);
        return;
    }
    if (n == 0) {
        if (c->finished) {
            c->io_dead = true; /* lingering close: the client closed too */
        } else {
            conn_finish(c, TP_END_PEER_CLOSED);
        }
        conn_settle(c);
        return;
    }
    /* Every byte is traced, also what the engine will reject. */
    c->rx_bytes += (unsigned long long)n;
    c->t_fed = conn_t(c);
    tp_session_feed(c->sess, TP_C2S, c->t_fed, buf, (size_t)n);
    if (c->finished) {
        conn_settle(c); /* lingering: traced, not processed */
        return;
    }
    conn_touch(c);
    if (c->state == CONN_PLAIN) {
        c->mode->on_plain(c->mode_state, &c->mode_conn, buf, (size_t)n); /* mail preamble */
        conn_settle(c);
        return;
    }
    c->chunk = buf;
    c->chunk_len = (size_t)n;
    bool in_handshake = c->state == CONN_HANDSHAKE;
    conn_drive(c);
    /* A half-close right behind the handshake bytes came before the answer
     * the engine just queued (it leaves in conn_settle). */
    if (in_handshake && !c->finished && conn_peer_fin_pending(c))
        conn_note_close(c, TP_ACTOR_CLIENT, false);
    if (c->chunk_len && !c->finished &&
        !srv_buf_append(&c->in, c->chunk, c->chunk_len, SRV_IN_MAX)) {
        /* Only reachable when the engine stops consuming (backpressure). */
        tp_session_engine_error(c->sess, conn_t(c), "INPUT_LIMIT",
                                "too many unprocessed bytes from the client");
        conn_finish(c, TP_END_SERVER_CLOSED);
    }
    c->chunk = NULL;
    c->chunk_len = 0;
    conn_settle(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    tp_conn *c = io->data;
    conn_settle(c); /* flushes, and ends the backpressure once drained */
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    tp_conn *c = t->data;
    if (!c->finished)
        conn_finish(c, TP_END_TIMEOUT);
    /* Timed out, or done lingering: close now. */
    c->io_dead = true;
    srv_buf_free(&c->out);
    conn_settle(c);
}

/* ---- accept ---- */

static const char *client_cert_name(tp_client_cert m)
{
    return m == TP_CLIENT_CERT_REQUIRE ? "require" : m == TP_CLIENT_CERT_REQUEST ? "request" : "none";
}

/* The session of a new connection, with what the server knows up front. */
static bool conn_session_new(tp_conn *c, const char *peer_text, const struct sockaddr *peer,
                             const char *local_text, const struct sockaddr *local_sa,
                             bool refused)
{
    tp_server *s = c->w->srv;
    tp_session_params p;
    memset(&p, 0, sizeof p);
    p.conn = c->id;
    p.peer = peer_text;
    p.local = local_text;
    p.peer_sa = peer;
    p.local_sa = local_sa;
    p.wall = wall_now();
    for (unsigned i = 0; i < s->cfg.num_sinks && i < TP_MAX_SINKS; i++)
        p.sinks[i] = s->cfg.sinks[i];
    p.num_sinks = s->cfg.num_sinks < TP_MAX_SINKS ? s->cfg.num_sinks : TP_MAX_SINKS;
    p.server = c->engine && !refused ? &c->allowed : NULL;
    p.want_data_events = s->cfg.want_data_events;
    p.want_record_bytes = s->cfg.want_record_bytes;
    p.expect_secrets = true; /* the engine logs each secret as it derives it */
    p.mail = c->mode->mail ? c->mode->mail : s->cfg.proxy ? s->cfg.proxy->mail : TP_MAIL_NONE;
    p.mail_starttls = s->cfg.starttls && p.mail != TP_MAIL_NONE;
    c->sess = tp_session_new(&p);
    if (!c->sess)
        return false;
    c->mode_conn.sess = c->sess;
    tp_facts *f = tp_session_facts(c->sess);
    f->mode = c->mode->name;
    if (c->engine) {
        f->rel.client_cert_mode = client_cert_name(tp_engine_client_cert(c->engine));
        f->rel.reneg_allowed = tp_engine_renegotiation_allowed(c->engine);
        f->rel.psk.server_ids = tp_engine_psk_identities(c->engine);
        f->rel.psk.key_of = tp_engine_psk_key;
        f->rel.psk.key_ctx = c->engine;
        srv_names_facts_init(f, c->engine);
        _Static_assert((int)TP_RESUME_ID == (int)TP_RES_ID &&
                           (int)TP_RESUME_TICKET == (int)TP_RES_TICKET &&
                           (int)TP_RESUME_PSK == (int)TP_RES_PSK,
                       "the engine's resumption bits are the analysis' ones");
        f->rel.resumption.server_known = true;
        f->rel.resumption.server_modes = tp_engine_resumption(c->engine);
    }
    conn_cert_facts(c, false);
    return true;
}

static void conn_link(tp_conn *c)
{
    tp_worker *w = c->w;
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->num_conns++;
    atomic_fetch_add(&w->srv->open_conns, 1);
    ev_io_init(&c->rio, conn_read_cb, c->fd, EV_READ);
    c->rio.data = c;
    ev_io_init(&c->wio, conn_write_cb, c->fd, EV_WRITE);
    c->wio.data = c;
    ev_init(&c->timer, conn_timer_cb);
    c->timer.data = c;
}

/* Refused before TLS: the connection still gets its accept and verdict in
 * the trace, and the server says so on stderr. */
static void conn_refuse(tp_conn *c, tp_refusal why, unsigned open, int accept_errno)
{
    tp_facts *f = tp_session_facts(c->sess);
    f->refused = why;
    f->max_conns = c->w->srv->cfg.max_conns;
    f->max_conns_default = c->w->srv->max_conns_default;
    f->open_conns = open;
    f->accept_errno = accept_errno;
    f->fd_limit = srv_fd_limit();
    srv_log_refusal(c->w, c->id, c->peer, f);
    c->io_dead = true;
    conn_finish(c, TP_END_CAPACITY);
    conn_settle(c);
}

static tp_refusal conn_refusal(tp_worker *w, unsigned open, int accept_errno)
{
    tp_server *s = w->srv;
    if (accept_errno)
        return TP_REFUSED_NO_FDS;
    if (open >= s->cfg.max_conns)
        return TP_REFUSED_AT_CAPACITY;
    if (tp_mode_ops_get(s->cfg.mode)->one_client && w->sole)
        return TP_REFUSED_INTERACTIVE;
    return TP_REFUSED_NONE;
}

void conn_start_tls(tp_conn *c, const tp_quirk_set *quirks)
{
    tp_server *s = c->w->srv;
    c->transport.push = transport_push;
    c->transport.pull = transport_pull;
    c->transport.keylog = transport_keylog;
    c->transport.ctx = c;
    if ((quirks = conn_act_rewriting(c, quirks))) {
        tp_rewriter_out ro = {.emit = rewriter_emit, .note = rewriter_note, .ctx = c};
        c->rw = tp_rewriter_new(quirks, &ro);
        if (!c->rw)
            tp_session_note(c->sess, 0, "quirks: out of memory; records go out unchanged");
    }
    c->ec = tp_engine_conn_new(c->engine, &c->transport);
    if (!c->ec) {
        tp_session_engine_error(c->sess, conn_t(c), "ENGINE_CONN_NEW",
                                "the engine could not create a session");
        c->io_dead = true;
        conn_finish(c, TP_END_SERVER_CLOSED); /* freed by the caller's conn_settle */
        return;
    }
    if (c->mode->one_client)
        c->w->sole = c;
    bool first = !c->mode_started; /* after a plaintext phase on_open was called at accept */
    c->mode_started = true;
    if (first && c->mode->on_open)
        c->mode->on_open(c->mode_state, &c->mode_conn);
    /* Handshake deadline: not re-armed by traffic, so a client trickling
     * bytes cannot hold the connection open. */
    conn_timer_arm(c, s->cfg.timeout);
    conn_read_start(c);
}

/* --starttls: the mode's plaintext phase first (its write_plain and
 * start_tls: conn_api.c); one deadline for the whole preamble. */
static void conn_begin_plain(tp_conn *c, const tp_quirk_set *quirks)
{
    c->state = CONN_PLAIN;
    c->plain_quirks = quirks;
    c->mode_conn.starttls = c->mode_started = true;
    if (c->mode->on_open)
        c->mode->on_open(c->mode_state, &c->mode_conn);
    conn_timer_arm(c, c->w->srv->cfg.timeout);
    conn_read_start(c);
    conn_settle(c);
}

void conn_accept(tp_worker *w, int fd, const struct sockaddr *peer, socklen_t peer_len,
                 const srv_listener *l, int accept_errno)
{
    (void)peer_len;
    tp_server *s = w->srv;
    unsigned id = atomic_fetch_add(&s->next_conn, 1) + 1;
    int one = 1;
    /* A flight is sent in one send() anyway; don't let Nagle hold the
     * last segment of it for an ACK. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    char peer_text[64];
    tp_addr_format(peer, peer_text, sizeof peer_text);
    struct sockaddr_storage local_sa;
    socklen_t local_len = sizeof local_sa;
    char local_text[80];
    if (getsockname(fd, (struct sockaddr *)&local_sa, &local_len) == 0)
        tp_addr_format((struct sockaddr *)&local_sa, local_text, sizeof local_text);
    else
        snprintf(local_text, sizeof local_text, "%s", l->local);

    unsigned open = atomic_load(&s->open_conns);
    tp_refusal refusal = conn_refusal(w, open, accept_errno);
    tp_engine *engine = s->cfg.engine;
    void *tag = NULL;
    const tp_quirk_set *quirks = s->cfg.quirks;
    if (!refusal && s->cfg.choose) {
        pthread_mutex_lock(&s->cb_lock);
        engine = s->cfg.choose(s->cfg.cb_ctx, id, peer_text, &tag);
        if (engine && s->cfg.choose_quirks)
            quirks = s->cfg.choose_quirks(s->cfg.cb_ctx, tag);
        pthread_mutex_unlock(&s->cb_lock);
        if (!engine) {
            close(fd);
            return;
        }
    }

    const tp_mode_ops *mode = tp_mode_ops_get(s->cfg.mode);
    tp_conn *c = calloc(1, sizeof *c + mode->state_size);
    if (!c) {
        close(fd);
        return;
    }
    c->w = w;
    c->fd = fd;
    c->id = id;
    c->engine = engine;
    c->tag = tag;
    c->t0 = srv_now();
    snprintf(c->peer, sizeof c->peer, "%s", peer_text);
    conn_mode_init(c, mode);
    if (engine && !refusal) {
        c->allowed.num_suites = tp_engine_allowed_suites(engine, &c->allowed.suites);
        c->allowed.num_groups = tp_engine_allowed_groups(engine, &c->allowed.groups);
        c->allowed.num_versions = tp_engine_allowed_versions(engine, &c->allowed.versions);
    }
    if (!conn_session_new(c, peer_text, peer, local_text, (struct sockaddr *)&local_sa,
                          refusal != TP_REFUSED_NONE)) {
        close(fd);
        free(c);
        return;
    }
    conn_link(c);
    if (refusal) {
        conn_refuse(c, refusal, open, accept_errno);
    } else if (s->cfg.starttls && mode->on_plain) {
        conn_begin_plain(c, quirks);
    } else {
        conn_start_tls(c, quirks);
        conn_settle(c); /* frees it when the engine could not start */
    }
}
