/* Who closed a connection first, for layers.transport.closed_by and for
 * the order of a client's half-close against the server's flight: told to
 * the session once (tp_session_note_close), when the client's FIN or RST is
 * read, or when the server's own FIN is about to leave. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "server_int.h"

/* The first FIN or RST, for layers.transport.closed_by and the order of a
 * half-close against the server's flight.  `who` closed first at `t`. */
void conn_note_close(tp_conn *c, tp_actor who, bool rst)
{
    if (c->close_noted)
        return;
    c->close_noted = true;
    double t = srv_now() - c->t0; /* conn_t(), without calling back into conn.c */
    tp_close_note n = {.who = who, .t = t < 0 ? 0 : t, .rst = rst};
    if (who == TP_ACTOR_CLIENT) {
        /* what was on the wire when its FIN came: not what is still queued */
        n.bytes_given = true;
        n.c2s_bytes = c->rx_bytes;
        n.s2c_bytes = c->tx_bytes;
    }
    tp_session_note_close(c->sess, &n);
}

/* The client's FIN has arrived (maybe behind bytes not read yet): the
 * kernel's TCP state says so before we send ours (RFC 9293 3.3.2). */
bool conn_peer_fin_pending(const tp_conn *c)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
        return ti.tcpi_state == TCP_CLOSE_WAIT || ti.tcpi_state == TCP_LAST_ACK;
    uint8_t b;
    return recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Our FIN (or close) is about to leave: who closed first is decided now. */
void conn_note_our_close(tp_conn *c)
{
    if (!c->close_noted)
        conn_note_close(c, conn_peer_fin_pending(c) ? TP_ACTOR_CLIENT : TP_ACTOR_SERVER, false);
}
