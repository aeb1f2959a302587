/* The plaintext phase of a mail mode with --starttls: the connection is
 * accepted in CONN_PLAIN, the mode greets the client and reads its
 * commands (on_plain) until it answers STARTTLS and calls start_tls; the
 * TLS handshake then runs on the same socket.  Every byte both ways is fed
 * to the session like any other (conn_queue, conn_read_cb), so the trace
 * and the pcapng hold the preamble. */
#include "server_int.h"

void conn_plain_start(tp_conn *c, const tp_quirk_set *quirks)
{
    c->state = CONN_PLAIN;
    c->plain_quirks = quirks;
    c->mode_conn.starttls = true;
    c->mode_started = true;
    if (c->mode->on_open)
        c->mode->on_open(c->mode_state, &c->mode_conn);
    /* One deadline for the whole preamble: a client that never sends
     * STARTTLS cannot hold the connection open (traffic does not re-arm it). */
    ev_timer_stop(c->w->loop, &c->timer);
    ev_timer_set(&c->timer, c->w->srv->cfg.timeout, 0.);
    ev_timer_start(c->w->loop, &c->timer);
    if (!c->reading && !c->finished) {
        ev_io_start(c->w->loop, &c->rio);
        c->reading = true;
    }
    conn_settle(c);
}

void conn_plain_input(tp_conn *c, const uint8_t *data, size_t len)
{
    if (c->mode->on_plain)
        c->mode->on_plain(c->mode_state, &c->mode_conn, data, len);
}

bool conn_plain_write(void *conn, const uint8_t *data, size_t len)
{
    tp_conn *c = conn;
    if (c->finished || c->state != CONN_PLAIN)
        return false;
    return conn_queue(c, data, len, NULL);
}

void conn_plain_start_tls(void *conn)
{
    tp_conn *c = conn;
    if (c->finished || c->state != CONN_PLAIN)
        return;
    /* Bytes the client sent after STARTTLS in the same read are not
     * handed on (RFC 3207 4.2: pipelined commands are discarded); the
     * handshake starts with what arrives next. */
    c->state = CONN_HANDSHAKE;
    conn_start_tls(c, c->plain_quirks);
}
