/* Reading the client's socket: the read watcher, paused by the
 * connection's own backpressure (read_paused: the client does not read
 * what we send) or held by its mode (input_held, tp_conn_ops.hold_input:
 * the proxy's upstream does not take the client's bytes fast enough).
 * Calls nothing in conn.c: conn.c and conn_api.c call here. */
#include "server_int.h"

void conn_read_start(tp_conn *c)
{
    if (!c->reading && !c->finished && !c->read_paused && !c->input_held) {
        ev_io_start(c->w->loop, &c->rio);
        c->reading = true;
    }
}

void conn_read_stop(tp_conn *c)
{
    if (c->reading) {
        ev_io_stop(c->w->loop, &c->rio);
        c->reading = false;
    }
}

void conn_hold_input(void *conn, bool hold)
{
    tp_conn *c = conn;
    if (c->finished || hold == c->input_held)
        return;
    c->input_held = hold;
    if (hold) {
        conn_read_stop(c);
        return;
    }
    /* what the engine or the input queue already holds is handed on at
     * the next settle (not from inside the mode's callback) */
    c->drive_due = true;
    conn_read_start(c);
}
