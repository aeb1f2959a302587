/* Device mode (sweep_int.h): a person reconnects the client once per
 * combination.  The prompt says what to connect next whenever the queue
 * advances (progress.c); an attempt stays open for --per-attempt-window
 * seconds (a browser's burst of connections is one attempt: sched.c's
 * sweep_device_choose).  This file runs the main loop of device mode. */
#include "sweep_int.h"

#include <stdio.h>

/* Main thread: closes the open attempt's window when it is over, ends the
 * attempt when every connection has its verdict, ends the loop when the
 * queue is done; arms the window timer for what is left of the window. */
static void device_step(sweep_ctx *c)
{
    if (sweep_stop_requested) {
        ev_break(c->loop, EVBREAK_ALL);
        return;
    }
    pthread_mutex_lock(&c->lock);
    attempt *a = c->dev_cur;
    double t = sweep_now(), left = 0;
    if (a && a->open && t - a->start > c->o->window)
        a->open = false;
    if (a && !a->open && !a->finalized && a->verdicts == a->accepted && a->accepted > 0)
        sweep_attempt_finalize(c, a);
    if (a && a->open)
        left = a->start + c->o->window - t;
    bool done =
        c->phase == PHASE_RUNNING && c->qpos >= c->qlen && (!c->dev_cur || c->dev_cur->finalized);
    pthread_mutex_unlock(&c->lock);
    ev_timer_stop(c->loop, &c->window_w);
    if (done) {
        ev_break(c->loop, EVBREAK_ALL);
    } else if (left > 0) {
        ev_timer_set(&c->window_w, left + 0.001, 0.);
        ev_timer_start(c->loop, &c->window_w);
    }
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)loop, (void)revents;
    device_step(w->data);
}

static void on_window(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)revents;
    device_step(w->data);
}

int sweep_run_device(sweep_ctx *c)
{
    ev_async_init(&c->wake, on_wake);
    c->wake.data = c;
    ev_async_start(c->loop, &c->wake);
    ev_init(&c->window_w, on_window);
    c->window_w.data = c;
    if (!sweep_slot_start(c, &c->slots[0], 0, false))
        return 1;
    c->num_slots = 1;
    c->probe->sl = &c->slots[0];
    const char *const *bound;
    unsigned nb = tp_server_bound(c->slots[0].srv, &bound);
    for (unsigned i = 0; i < nb; i++)
        sweep_say(c, "listening on %s", bound[i]);
    pthread_mutex_lock(&c->lock);
    c->prompted = -1;
    sweep_device_prompt(c); /* the probe; the queue prompts for the rest */
    pthread_mutex_unlock(&c->lock);
    device_step(c);
    if (!sweep_stop_requested)
        ev_run(c->loop, 0);
    ev_timer_stop(c->loop, &c->window_w);
    return sweep_stop_requested ? 130 : 0;
}
