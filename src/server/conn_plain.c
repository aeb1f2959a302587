/* The plaintext phase of a mail mode with --starttls: the connection is
 * accepted in CONN_PLAIN (conn.c), the mode greets the client and reads its
 * commands (on_plain) until it answers STARTTLS and calls start_tls (here);
 * the TLS handshake then runs on the same socket.  Every byte both ways is fed
 * to the session like any other (conn_queue, conn_read_cb), so the trace
 * and the pcapng hold the preamble. */
#include "server_int.h"

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
