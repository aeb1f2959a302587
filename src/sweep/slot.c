/* The servers of a sweep (sweep_int.h): one per slot, each on a thread of
 * its own with its own loop; their callbacks choose each connection's
 * engine, collect its verdict and the probe's ClientHello, and wake the
 * main thread. */
#include "sweep_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/handshake.h"

static tp_engine *cb_choose(void *ctx, unsigned conn, const char *peer, void **out_tag)
{
    slot *sl = ctx;
    sweep_ctx *c = sl->ctx;
    tp_engine *e = NULL;
    pthread_mutex_lock(&c->lock);
    attempt *a = NULL;
    if (c->o->client_cmd) {
        a = sl->cur;
        if (a && a->finalized)
            a = NULL;
    } else {
        a = sweep_device_choose(c, sl, peer);
    }
    if (a) {
        a->accepted++;
        if (!a->first_conn)
            a->first_conn = conn;
        *out_tag = a;
        e = a->engine;
    }
    pthread_mutex_unlock(&c->lock);
    ev_async_send(c->loop, &c->wake); /* device: a window may have opened */
    return e;
}

static const tp_quirk_set *cb_quirks(void *ctx, void *tag)
{
    (void)ctx;
    attempt *a = tag;
    return a && a->quirks.num ? &a->quirks : NULL;
}

static void cb_verdict(void *ctx, unsigned conn, const char *peer, void *tag, const tp_verdict *v)
{
    (void)conn, (void)peer;
    slot *sl = ctx;
    sweep_ctx *c = sl->ctx;
    attempt *a = tag;
    if (!a)
        return;
    pthread_mutex_lock(&c->lock);
    if (v->outcome == TP_OUTCOME_UNUSED && !v->layers.handshake.done) {
        /* a socket opened and closed without a byte: not part of the attempt */
        if (a->accepted > 0)
            a->accepted--;
        if (!c->o->client_cmd && !a->finalized && !a->open && a->accepted > 0 &&
            a->verdicts == a->accepted)
            sweep_attempt_finalize(c, a);
        pthread_mutex_unlock(&c->lock);
        ev_async_send(c->loop, &c->wake);
        return;
    }
    a->verdicts++;
    bool ok = sweep_verdict_ok(v);
    const tp_resumption *res = &v->relations.resumption;
    /* the resumption axis: only a connection resumed that way counts ok */
    bool resumed = a->resume_need && res->resumed && res->how && !strcmp(res->how, a->resume_need);
    if (a->resume_need)
        ok = ok && resumed;
    if (!a->finalized) {
        /* the attempt's verdict: an ok one before an unused handshake
         * (a preconnect), before anything else; with the resumption axis
         * the resumed connection, else the last that offered resumption */
        int rank = v->outcome == TP_OUTCOME_OK ? 2 : ok ? 1 : 0;
        if (a->resume_need)
            rank = resumed ? 4 : (res->offered_psk || res->offered_ticket || res->offered_id) ? 3 : 0;
        if (!a->verdict || rank > a->verdict_rank) {
            json_object_put(a->verdict);
            a->verdict = sweep_verdict_json(v);
            a->verdict_rank = rank;
        }
        a->any_ok |= ok;
        /* device mode: a one-connection attempt ends with its verdict */
        if (!c->o->client_cmd && !a->open && a->verdicts == a->accepted)
            sweep_attempt_finalize(c, a);
    }
    pthread_mutex_unlock(&c->lock);
    ev_async_send(c->loop, &c->wake); /* an attempt may be complete */
}

static void sink_event(tp_sink *self, const tp_event *ev)
{
    probe_sink *ps = (probe_sink *)self;
    if (ev->type != TP_EV_HANDSHAKE || ev->dir != TP_C2S || !ev->u.handshake.msg ||
        ev->u.handshake.msg->type != WIRE_HS_CLIENT_HELLO)
        return;
    sweep_ctx *c = ps->sl->ctx;
    pthread_mutex_lock(&c->lock);
    attempt *a = c->probe;
    /* the probe's first ClientHello (an unused preconnect may have come first) */
    if (a && a->sl == ps->sl && !a->offer && a->first_conn && ev->conn >= a->first_conn) {
        /* The session parsed it: take the offer from that parse. */
        a->offer = malloc(sizeof *a->offer);
        if (a->offer)
            (void)sweep_offer_from_hello(a->offer, ev->u.handshake.msg);
    }
    pthread_mutex_unlock(&c->lock);
}

static void *server_thread(void *arg)
{
    slot *sl = arg;
    tp_server_run(sl->srv);
    return NULL;
}

/* A slot's server on the ports the user allowed (firewalls): --port N gives
 * slot k port N + k; --port LO-HI the first free port of the range from
 * LO + k on; without --port a driven slot takes a kernel-chosen one. */
static tp_server *server_in_range(const sweep_options *o, tp_server_params *p, unsigned id,
                                  bool driven, char *err, size_t err_len)
{
    if (!o->port_hi && (!driven || !o->port_set)) {
        p->port = driven ? 0 : o->port; /* device mode: one port, 0 = kernel-chosen */
        return tp_server_new(p, err, err_len);
    }
    unsigned lo = o->port, hi = o->port_hi ? o->port_hi : o->port;
    if (!o->port_hi)
        lo = hi = o->port + id;
    if (hi > 65535) {
        snprintf(err, err_len, "--port %u: slot %u would need port %u, above 65535", o->port,
                 id + 1, hi);
        return NULL;
    }
    unsigned span = hi - lo + 1, start = driven ? id % span : 0;
    for (unsigned i = 0; i < span; i++) {
        p->port = lo + (start + i) % span;
        tp_server *s = tp_server_new(p, err, err_len);
        if (s || !o->port_hi)
            return s;
    }
    char last[160];
    snprintf(last, sizeof last, "%.150s", err);
    snprintf(err, err_len, "--port %u-%u: no free port in the range for slot %u (last: %s)", lo, hi,
             id + 1, last);
    return NULL;
}

bool sweep_slot_start(sweep_ctx *c, slot *sl, unsigned id, bool driven)
{
    const sweep_options *o = c->o;
    sl->ctx = c;
    sl->id = id;
    sl->sink.base.on_event = sink_event;
    sl->sink.sl = sl;
    tp_server_params p;
    memset(&p, 0, sizeof(p));
    static const char *const loop4[] = {"127.0.0.1"};
    sl->listen_one[0] = o->listen;
    if (driven) {
        p.listen = loop4;
        p.num_listen = 1;
        p.port = 0; /* see server_in_range */
    } else {
        p.listen = o->listen ? sl->listen_one : NULL;
        p.num_listen = o->listen ? 1 : 0;
        p.port = o->port;
    }
    p.workers = 1;
    p.mode = o->mode;
    p.proxy = o->proxy;
    p.starttls = o->starttls;
    p.timeout = o->timeout > 0 ? o->timeout : 30;
    p.choose = cb_choose;
    p.choose_quirks = cb_quirks;
    p.on_verdict = cb_verdict;
    p.cb_ctx = sl;
    for (unsigned i = 0; i < o->num_sinks && p.num_sinks < TP_MAX_SINKS - 1; i++)
        p.sinks[p.num_sinks++] = o->sinks[i];
    p.sinks[p.num_sinks++] = &sl->sink.base;
    p.keylog = o->keylog;
    p.no_signals = true;
    char err[256];
    sl->srv = server_in_range(o, &p, id, driven, err, sizeof(err));
    if (!sl->srv) {
        fprintf(stderr, "tlsprobe sweep: %s\n", err);
        return false;
    }
    const char *const *bound;
    unsigned nb = tp_server_bound(sl->srv, &bound);
    if (nb > 0) {
        const char *b = bound[0];
        const char *colon = strrchr(b, ':');
        sl->port = colon ? (unsigned)atoi(colon + 1) : 0;
        snprintf(sl->host, sizeof(sl->host), "%.*s", colon ? (int)(colon - b) : (int)strlen(b), b);
        if (sl->host[0] == '[') { /* "[::1]" -> "::1" */
            memmove(sl->host, sl->host + 1, strlen(sl->host));
            char *e = strchr(sl->host, ']');
            if (e)
                *e = '\0';
        }
    }
    /* server threads leave SIGINT/SIGTERM to the main thread */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    sl->thread_started = pthread_create(&sl->thread, NULL, server_thread, sl) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!sl->thread_started) {
        fprintf(stderr, "tlsprobe sweep: cannot start a server thread\n");
        return false;
    }
    return true;
}
