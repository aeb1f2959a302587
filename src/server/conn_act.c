/* An on-demand action of the connection's mode (mode.h tp_conn_ops.act;
 * --interactive's /commands): handed to the engine, and a fatal alert ends
 * the connection (an engine whose library cannot send an alert of one's
 * choice: conn_rewrite.c). */
#include <stdio.h>

#include "server_int.h"

bool conn_api_act(void *conn, tp_engine_action a, uint8_t level, uint8_t desc, char *why,
                  size_t why_len)
{
    tp_conn *c = conn;
    bool end = false;
    if (c->finished || c->state != CONN_OPEN || !c->ec) {
        snprintf(why, why_len, "the connection is not open");
        return false;
    }
    bool ok = tp_engine_conn_act(c->ec, a, level, desc, &end, why, why_len);
    if (end) /* a fatal alert: no close_notify after it */
        conn_finish(c, TP_END_SERVER_CLOSED);
    return ok;
}
