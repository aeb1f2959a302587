/* Once per pass of a worker's event loop, before it waits: the caller's
 * on_pass (serve: the --trace lines of that pass go out in one write). */
#include "server_int.h"

static void pass_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
    (void)loop;
    (void)revents;
    tp_worker *w = p->data;
    w->srv->cfg.on_pass(w->srv->cfg.on_pass_ctx);
}

void srv_pass_init(tp_worker *w)
{
    if (!w->srv->cfg.on_pass)
        return;
    ev_prepare_init(&w->pass, pass_cb);
    w->pass.data = w;
    ev_prepare_start(w->loop, &w->pass);
    ev_unref(w->loop); /* never what keeps the loop running */
}
