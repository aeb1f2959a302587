/* Device mode (sweep_int.h): a person reconnects the client once per
 * combination.  The prompt says what to connect next whenever the queue
 * advances; the progress bar and ETA follow each result; an attempt stays
 * open for --per-attempt-window seconds (a browser's burst of connections
 * is one attempt). */
#include "sweep_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void sweep_progress_bar(sweep_ctx *c)
{
    if (!c->tty || c->o->quiet || c->todo_configs == 0)
        return;
    unsigned done = c->done_configs, total = c->todo_configs;
    double el = sweep_now() - c->t0;
    char eta[32] = "?";
    if (done > 0 && done < total) {
        double left = el / done * (total - done);
        snprintf(eta, sizeof(eta), "%dm%02ds", (int)(left / 60), (int)fmod(left, 60));
    } else if (done >= total) {
        snprintf(eta, sizeof(eta), "0s");
    }
    char bar[31];
    unsigned fill = total ? done * 30 / total : 0;
    for (unsigned i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(c->o->out, "\r\033[K[%s] %u/%u  ETA %s", bar, done, total, eta);
    fflush(c->o->out);
}

/* Lock held. */
void sweep_device_prompt(sweep_ctx *c)
{
    if (c->phase == PHASE_PROBE) {
        if (c->prompted != -2)
            sweep_say(c, "connect the client now \xe2\x80\x94 probe (default configuration)");
        c->prompted = -2;
        return;
    }
    if (c->qpos >= c->qlen || (int)c->qpos == c->prompted)
        return;
    c->prompted = (int)c->qpos;
    unsigned idx = c->queue[c->qpos];
    char label[256];
    sweep_config_label(&c->m, &c->m.configs[idx], label, sizeof(label));
    if (c->adapt) {
        /* adaptive: what this connection tests, against the one before */
        char note[768];
        sweep_strategy_prompt(c, idx, note, sizeof note);
        sweep_say(c, "connect the client now \xe2\x80\x94 %s (%s)", label, note);
        sweep_progress_bar(c);
        return;
    }
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    unsigned nth = c->qpos / rep + 1;
    if (rep > 1)
        sweep_say(c, "connect the client now \xe2\x80\x94 %u of %u, %s (try %u of %u)", nth,
                  c->todo_configs, label, c->qpos % rep + 1, rep);
    else
        sweep_say(c, "connect the client now \xe2\x80\x94 %u of %u, %s", nth, c->todo_configs,
                  label);
    sweep_progress_bar(c);
}

static void host_of(const char *peer, char *out, size_t len)
{
    snprintf(out, len, "%s", peer ? peer : "");
    char *colon = strrchr(out, ':');
    if (colon && (out[0] != '[' || (colon > out && colon[-1] == ']')))
        *colon = '\0';
}

/* Lock held: the attempt a device connection from peer belongs to. */
attempt *sweep_device_choose(sweep_ctx *c, slot *sl, const char *peer)
{
    attempt *a;
    char host[64];
    host_of(peer, host, sizeof(host));
    double t = sweep_now();
    a = c->dev_cur;
    /* a browser's burst of connections is one attempt; an attempt whose
     * connections were all unused (preconnects) takes the next one */
    bool keep = a && !a->finalized && a->accepted == 0;
    if (a && !keep &&
        !(a->open && c->o->window > 0 && strcmp(a->host, host) == 0 &&
          t - a->start <= c->o->window)) {
        a->open = false;
        if (a->verdicts == a->accepted)
            sweep_attempt_finalize(c, a);
        a = NULL;
    }
    if (!a) {
        if (c->phase == PHASE_PROBE) {
            /* the probe's one attempt; others wait for the matrix */
            a = c->probe->accepted == 0 ? c->probe : NULL;
        } else if (c->phase == PHASE_RUNNING) {
            a = sweep_next_attempt(c, sl); /* prompts for the one after it */
        }
        if (a) {
            snprintf(a->host, sizeof(a->host), "%s", host);
            a->start = t;
            a->open = c->o->window > 0;
        }
        c->dev_cur = a;
    }
    return a;
}

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
