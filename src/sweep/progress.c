/* What a person running a sweep sees between results: the progress bar and
 * ETA after each result and, in device mode, the prompt saying what to
 * connect next whenever the queue advances (called by sched.c). */
#include "sweep_int.h"

#include <math.h>
#include <stdio.h>

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
