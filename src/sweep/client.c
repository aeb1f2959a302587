/* Driven mode (sweep_int.h): each attempt runs the client command once
 * against its slot's server.  The main loop watches each client with
 * ev_child (its exit), ev_io (its output, whose tail the results keep,
 * masked: mask.h) and ev_timer (--client-timeout, then the grace its
 * connections get to deliver their verdicts). */
#include "sweep_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../wire/buf.h"

/* ---- the client command ---- */

static char *command_for(const char *tmpl, const char *host, unsigned port)
{
    char portbuf[16];
    snprintf(portbuf, sizeof(portbuf), "%u", port);
    wire_buf b;
    wire_buf_init(&b, 0);
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{host}", 6) == 0) {
            wire_buf_add_str(&b, host);
            p += 6;
        } else if (strncmp(p, "{port}", 6) == 0) {
            wire_buf_add_str(&b, portbuf);
            p += 6;
        } else {
            wire_buf_add_char(&b, *p++);
        }
    }
    return wire_buf_finish(&b, NULL);
}

static bool client_spawn(sweep_ctx *c, slot *sl)
{
    char *cmd = command_for(c->o->client_cmd, sl->host, sl->port);
    int pfd[2];
    if (!cmd || pipe2(pfd, O_CLOEXEC) != 0) {
        free(cmd);
        return false;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    if (devnull >= 0)
        close(devnull);
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        return false;
    }
    setpgid(pid, pid); /* both sides, so the group exists before we may kill it */
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    sl->pid = pid;
    sl->out_fd = pfd[0];
    ev_io_set(&sl->out_w, sl->out_fd, EV_READ);
    ev_io_start(c->loop, &sl->out_w);
    ev_child_set(&sl->child_w, pid, 0);
    ev_child_start(c->loop, &sl->child_w);
    if (c->o->client_timeout > 0) {
        ev_timer_set(&sl->kill_w, c->o->client_timeout, 0.);
        ev_timer_start(c->loop, &sl->kill_w);
    }
    return true;
}

static void tail_add(attempt *a, const char *buf, size_t n)
{
    if (n >= TAIL_LEN) {
        memcpy(a->tail, buf + n - TAIL_LEN, TAIL_LEN);
        a->tail_len = TAIL_LEN;
    } else {
        size_t keep = a->tail_len + n > TAIL_LEN ? TAIL_LEN - n : a->tail_len;
        memmove(a->tail, a->tail + a->tail_len - keep, keep);
        memcpy(a->tail + keep, buf, n);
        a->tail_len = keep + n;
    }
    a->tail[a->tail_len] = '\0';
}

/* Reads what the client wrote so far; false at the end of its output. */
static bool client_drain(slot *sl, attempt *a)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(sl->out_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        if (n == 0)
            return false;
        if (a)
            tail_add(a, buf, (size_t)n);
    }
}

static void on_output(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    slot *sl = w->data;
    if (!client_drain(sl, sl->cur))
        ev_io_stop(loop, w); /* end of output; the exit follows */
}

/* Stops the slot's watchers and closes the client's output. */
static void client_release(sweep_ctx *c, slot *sl)
{
    ev_io_stop(c->loop, &sl->out_w);
    ev_child_stop(c->loop, &sl->child_w);
    ev_timer_stop(c->loop, &sl->kill_w);
    if (sl->out_fd >= 0)
        close(sl->out_fd);
    sl->out_fd = -1;
    sl->pid = 0;
}

static void driven_step(sweep_ctx *c);

/* The client exited (ev_child reaped it): its status, the rest of its output. */
static void on_client_exit(struct ev_loop *loop, ev_child *w, int revents)
{
    (void)loop, (void)revents;
    slot *sl = w->data;
    sweep_ctx *c = sl->ctx;
    attempt *a = sl->cur;
    int st = w->rstatus;
    /* stray children of the command would hold its connections open */
    kill(-sl->pid, SIGKILL);
    client_drain(sl, a);
    client_release(c, sl);
    pthread_mutex_lock(&c->lock);
    a->exited = true;
    a->exit_time = sweep_now();
    if (WIFEXITED(st))
        a->exit_code = WEXITSTATUS(st);
    else if (WIFSIGNALED(st)) {
        a->term_signal = WTERMSIG(st);
        a->exit_code = 128 + a->term_signal;
    }
    pthread_mutex_unlock(&c->lock);
    driven_step(c);
}

/* --client-timeout: the command's whole group goes; its exit follows. */
static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)revents;
    slot *sl = w->data;
    sweep_ctx *c = sl->ctx;
    if (!sl->pid)
        return;
    kill(-sl->pid, SIGKILL);
    pthread_mutex_lock(&c->lock);
    sl->cur->timed_out = true;
    pthread_mutex_unlock(&c->lock);
}

/* At the end, lock not held: nothing may outlive the sweep. */
static void client_kill(sweep_ctx *c, slot *sl)
{
    if (!sl->pid)
        return;
    kill(-sl->pid, SIGKILL);
    int st;
    waitpid(sl->pid, &st, 0);
    client_release(c, sl);
}

/* Lock held: the slot's attempt is over when its client exited and every
 * connection it made has its verdict (or the grace ran out: the grace
 * timer comes back then). */
static bool slot_try_finish(sweep_ctx *c, slot *sl)
{
    attempt *a = sl->cur;
    if (!a)
        return true;
    if (!a->exited)
        return false;
    double left = VERDICT_GRACE - (sweep_now() - a->exit_time);
    if (a->verdicts < a->accepted && left > 0) {
        if (!ev_is_active(&sl->grace_w)) {
            ev_timer_set(&sl->grace_w, left, 0.);
            ev_timer_start(c->loop, &sl->grace_w);
        }
        return false;
    }
    ev_timer_stop(c->loop, &sl->grace_w);
    sweep_attempt_finalize(c, a);
    sl->cur = NULL;
    return true;
}

/* Lock held: a free slot runs the next combination's client.  True when
 * something changed that the other slots should see (the probe ended, a
 * spawn failed and its attempt is over at once). */
static bool slot_advance(sweep_ctx *c, slot *sl, bool *idle)
{
    int phase = c->phase;
    if (sl->pid || !slot_try_finish(c, sl)) {
        *idle = false;
        return false;
    }
    if (c->phase != PHASE_RUNNING)
        return false;
    attempt *a = sweep_next_attempt(c, sl);
    if (!a)
        return phase != c->phase;
    sl->cur = a;
    *idle = false;
    pthread_mutex_unlock(&c->lock);
    bool ok = client_spawn(c, sl);
    pthread_mutex_lock(&c->lock);
    if (!ok) {
        a->exited = true;
        a->exit_code = 127;
        a->exit_time = sweep_now();
    }
    return !ok || phase != c->phase;
}

/* Main thread, after every event: attempts that are over end, free slots
 * take the next combinations, the loop ends when the queue is done. */
static void driven_step(sweep_ctx *c)
{
    bool again = true, done = false;
    pthread_mutex_lock(&c->lock);
    while (again && !sweep_stop_requested) {
        bool idle = true;
        again = false;
        for (unsigned i = 0; i < c->num_slots; i++)
            again |= slot_advance(c, &c->slots[i], &idle);
        done = c->phase == PHASE_RUNNING && idle && c->qpos >= c->qlen;
    }
    pthread_mutex_unlock(&c->lock);
    if (done || sweep_stop_requested)
        ev_break(c->loop, EVBREAK_ALL);
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)loop, (void)revents;
    driven_step(w->data);
}

static void on_grace(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)revents;
    slot *sl = w->data;
    driven_step(sl->ctx);
}

static void slot_watchers_init(slot *sl)
{
    sl->out_fd = -1;
    ev_init(&sl->out_w, on_output);
    ev_init(&sl->child_w, on_client_exit);
    ev_init(&sl->kill_w, on_timeout);
    ev_init(&sl->grace_w, on_grace);
    sl->out_w.data = sl->child_w.data = sl->kill_w.data = sl->grace_w.data = sl;
}

int sweep_run_driven(sweep_ctx *c)
{
    const sweep_options *o = c->o;
    unsigned jobs = o->jobs ? o->jobs : 1;
    if (jobs > SWEEP_MAX_JOBS)
        jobs = SWEEP_MAX_JOBS;
    ev_async_init(&c->wake, on_wake);
    c->wake.data = c;
    ev_async_start(c->loop, &c->wake);
    for (unsigned i = 0; i < jobs; i++) {
        slot_watchers_init(&c->slots[i]);
        if (!sweep_slot_start(c, &c->slots[i], i, true))
            return 1;
        c->num_slots++;
    }
    if (!o->quiet)
        sweep_say(c, "tlsprobe sweep: %u server%s on %s, ports %u..%u; client: %s", jobs,
                  jobs > 1 ? "s" : "", c->slots[0].host, c->slots[0].port, c->slots[jobs - 1].port,
                  o->client_cmd);

    /* the probe */
    pthread_mutex_lock(&c->lock);
    c->slots[0].cur = c->probe;
    c->probe->sl = &c->slots[0];
    c->probe->start = sweep_now();
    pthread_mutex_unlock(&c->lock);
    if (!client_spawn(c, &c->slots[0])) {
        fprintf(stderr, "tlsprobe sweep: cannot run the client command: %s\n", strerror(errno));
        return 1;
    }
    if (!sweep_stop_requested)
        ev_run(c->loop, 0);
    for (unsigned i = 0; i < c->num_slots; i++) {
        client_kill(c, &c->slots[i]);
        ev_timer_stop(c->loop, &c->slots[i].grace_w);
    }
    return sweep_stop_requested ? 130 : 0;
}
