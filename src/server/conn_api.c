/* What a mode may do with its connection (tp_conn_ops, mode.h): the table
 * conn.c hands every mode, and the plaintext phase's write_plain and
 * start_tls.  Calls go one way: these call conn.c, conn.c calls nothing
 * here (it only takes the table's address).
 *
 * The plaintext phase of a mail mode with --starttls: the connection is
 * accepted in CONN_PLAIN (conn.c), the mode greets the client and reads its
 * commands (on_plain) until it answers STARTTLS and calls start_tls (here);
 * the TLS handshake then runs on the same socket.  Every byte both ways is fed
 * to the session like any other (conn_queue, conn_read_cb), so the trace
 * and the pcapng hold the preamble. */
#include <string.h>

#include "server_int.h"

static bool conn_plain_write(void *conn, const uint8_t *data, size_t len)
{
    tp_conn *c = conn;
    if (c->finished || c->state != CONN_PLAIN)
        return false;
    return conn_queue(c, data, len, NULL);
}

static void conn_plain_start_tls(void *conn)
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

static bool api_write(void *conn, const uint8_t *data, size_t len)
{
    return conn_write_app(conn, data, len);
}

static void api_close(void *conn)
{
    conn_close_gracefully(conn);
}

static void api_settle(void *conn)
{
    conn_settle(conn);
}

static bool api_writable(void *conn)
{
    const tp_conn *c = conn;
    return c->state == CONN_OPEN && !c->finished && !c->read_paused;
}

static void api_engine_info(void *conn, tp_engine_info *out)
{
    const tp_conn *c = conn;
    memset(out, 0, sizeof *out);
    if (c->ec)
        tp_engine_conn_info(c->ec, out);
}

static double api_t(void *conn)
{
    return conn_t(conn);
}

const tp_conn_ops conn_api = {
    .write = api_write,
    .close = api_close,
    .settle = api_settle,
    .writable = api_writable,
    .engine_info = api_engine_info,
    .t = api_t,
    .write_plain = conn_plain_write,
    .start_tls = conn_plain_start_tls,
    .act = conn_api_act, /* conn_act.c: --interactive's /commands */
    .hold_input = conn_hold_input, /* conn_read.c: the proxy's slow upstream */
};
