/* Whether a connection's record rewriter runs, and with which quirks.  An
 * engine whose library cannot send an alert of one's choice (libssl:
 * tp_engine_sends_alerts) gets --interactive's /alert written by the record
 * rewriter (tp_rewriter_inject_alert: sealed with the rewriter's own write
 * state, the engine's later records resealed after it), which then runs on
 * the connection even without --quirk. */
#include "mode.h"
#include "server_int.h"

/* tp_transport.alert: the alert after what the engine pushed so far. */
static bool conn_transport_alert(void *ctx, uint8_t level, uint8_t desc)
{
    tp_conn *c = ctx;
    return tp_rewriter_inject_alert(c->rw, level, desc);
}

const tp_quirk_set *conn_act_rewriting(tp_conn *c, const tp_quirk_set *quirks)
{
    static const tp_quirk_set none; /* re-sealed, reshaped by no quirk */
    if (c->mode == &tp_mode_interactive && !tp_engine_sends_alerts(c->engine)) {
        c->transport.alert = conn_transport_alert;
        return quirks && quirks->num ? quirks : &none;
    }
    return quirks && quirks->num ? quirks : NULL;
}
