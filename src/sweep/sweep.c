/* The sweep driver.  Threads: one per server (slot), each running its
 * event loop; the main thread schedules (device: watches attempt windows
 * and prints what to connect next; driven: runs the client commands).  One
 * mutex (ctx->lock) guards the shared state; the server callbacks take it
 * inside the server's own callback lock, and the main thread never calls
 * into a server while holding it. */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../report/verdict_render.h"
#include "../wire/buf.h"
#include "../wire/handshake.h"
#include "journal.h"
#include "mask.h"
#include "results.h"

#define SWEEP_MAX_JOBS 64
#define TAIL_LEN 400
/* after a client exits, how long its connections get to deliver verdicts */
#define VERDICT_GRACE 3.0

/* ---- verdicts ---- */

bool sweep_verdict_ok(const tp_verdict *v)
{
    /* an unused connection whose handshake completed did what a
     * handshake-only client asks of the combination */
    return v && (v->outcome == TP_OUTCOME_OK ||
                 (v->outcome == TP_OUTCOME_UNUSED && v->layers.handshake.done));
}

json_object *sweep_verdict_json(const tp_verdict *v)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string("verdict"));
    report_json_verdict_fill(o, v);
    return o;
}

/* ---- state ---- */

typedef struct sweep_ctx sweep_ctx;
typedef struct slot slot;

typedef struct attempt {
    struct attempt *next_all;
    int cfg; /* -1: the probe */
    slot *sl;
    tp_engine *engine;
    tp_quirk_set quirks; /* the quirk axis' value (empty: none) */
    bool open;           /* device: still taking connections (window) */
    bool finalized;
    double start;
    char host[64];
    unsigned accepted, verdicts;
    unsigned first_conn;
    bool any_ok;
    int verdict_rank; /* of a->verdict: 2 ok, 1 unused after a handshake, 0 other */
    json_object *verdict;
    sweep_offer *offer; /* of the first ClientHello (valid: it said one) */
    /* driven */
    bool exited, timed_out;
    double exit_time;
    int exit_code, term_signal;
    char tail[TAIL_LEN + 1];
    size_t tail_len;
} attempt;

typedef struct {
    tp_sink base;
    slot *sl;
} probe_sink;

struct slot {
    sweep_ctx *ctx;
    unsigned id;
    tp_server *srv;
    pthread_t thread;
    bool thread_started;
    char host[64];
    unsigned port;
    attempt *cur;
    probe_sink sink;
    pid_t pid; /* running client, 0 when none */
    int out_fd;
    const char *listen_one[1];
};

typedef struct {
    unsigned tries, ok, fail, timeout;
    json_object *verdict, *client; /* of the attempt that represents the result */
    unsigned conns;
    bool rep_is_ok;
} tally;

enum { PHASE_PROBE, PHASE_RUNNING, PHASE_DONE };

struct sweep_ctx {
    const sweep_options *o;
    pthread_mutex_t lock;
    sweep_matrix m;
    sweep_result *res;
    tally *tal;
    unsigned *queue; /* config indices, each repeated `repeat` times */
    unsigned qlen, qpos;
    unsigned todo_configs, done_configs; /* this run */
    int phase;
    attempt *all; /* every attempt, freed at the end */
    attempt *probe;
    attempt *dev_cur; /* device: the open attempt */
    sweep_offer offer;
    bool have_offer;
    sweep_journal *journal;
    bool journal_failed;
    slot slots[SWEEP_MAX_JOBS];
    unsigned num_slots;
    double t0;
    bool tty;
    int prompted;                           /* device: last queue position prompted for */
    char base_csv[ENGINE_FLAG_COUNT][1024]; /* probe: every axis value allowed */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(sweep_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(sweep_ctx *c, const char *fmt, ...)
{
    if (c->o->quiet)
        return;
    FILE *out = c->o->out;
    if (c->tty)
        fputs("\r\033[K", out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

/* ---- engines ---- */

static engine_flag flag_of_axis(const char *axis)
{
    static const struct {
        const char *axis;
        engine_flag flag;
    } map[] = {{"protocol", ENGINE_FLAG_PROTOCOLS}, {"kx", ENGINE_FLAG_KX},
               {"cipher", ENGINE_FLAG_CIPHERS},     {"mac", ENGINE_FLAG_MACS},
               {"group", ENGINE_FLAG_GROUPS},       {"sigalg", ENGINE_FLAG_SIGALGS}};
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].axis, axis) == 0)
            return map[i].flag;
    }
    return ENGINE_FLAG_COUNT;
}

static tp_engine *engine_for(sweep_ctx *c, const engine_lists *lists, const char *key_type,
                             char *err, size_t err_len)
{
    char prio[2048];
    if (engine_build_priority(lists, prio, sizeof(prio), err, err_len) != TP_OK)
        return NULL;
    tp_engine_config ec = {0};
    ec.priority = prio;
    ec.cert_file = c->o->cert_file;
    ec.key_file = c->o->key_file;
    ec.key_type = key_type ? key_type : "rsa:2048";
    ec.client_cert = c->o->client_cert;
    static const char *const san_dns[] = {"localhost", NULL};
    static const char *const san_ip[] = {"127.0.0.1", "::1", NULL};
    ec.san_dns = san_dns;
    ec.san_ip = san_ip;
    return tp_engine_new(&ec, err, err_len);
}

static tp_engine *engine_for_config(sweep_ctx *c, unsigned idx, char *err, size_t err_len)
{
    sweep_setup su;
    sweep_config_setup(&c->m, &c->m.configs[idx], &su);
    engine_lists combo, lists = c->o->base;
    engine_lists_from_combo(&combo, &su.combo);
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        if (combo.csv[f])
            lists.csv[f] = combo.csv[f];
    }
    return engine_for(c, &lists, su.combo.key_type ? su.combo.key_type : c->o->key_type, err,
                      err_len);
}

/* The probe's engine allows every value of every axis (legacy ones too),
 * so that whatever the client offers within the matrix can connect. */
static tp_engine *engine_for_probe(sweep_ctx *c, char *err, size_t err_len)
{
    engine_lists lists = c->o->base;
    const char *key_type = c->o->key_type;
    for (unsigned a = 0; a < c->m.num_axes; a++) {
        if (strcmp(c->m.axis_names[a], "key-type") == 0) {
            if (!key_type)
                key_type = c->m.values[a][0];
            continue;
        }
        engine_flag f = flag_of_axis(c->m.axis_names[a]);
        if (f == ENGINE_FLAG_COUNT)
            continue;
        char *buf = c->base_csv[f];
        size_t w = 0;
        buf[0] = '\0';
        for (unsigned k = 0; k < c->m.num_values[a]; k++) {
            /* the kx list must fit the certificate, or GnuTLS has no suite */
            if (f == ENGINE_FLAG_KX) {
                engine_combo t = {.kx = c->m.values[a][k], .key_type = key_type};
                if (!engine_combo_formable(&t, NULL, 0))
                    continue;
            }
            int n = snprintf(buf + w, sizeof(c->base_csv[f]) - w, "%s%s", w ? "," : "",
                             c->m.values[a][k]);
            if (n < 0 || (size_t)n >= sizeof(c->base_csv[f]) - w)
                break;
            w += (size_t)n;
        }
        if (w)
            lists.csv[f] = buf;
    }
    return engine_for(c, &lists, key_type, err, err_len);
}

/* ---- results ---- */

static sweep_status attempt_status(const sweep_ctx *c, const attempt *a)
{
    /* the status is the verdict's; the client's exit is reported beside it */
    if (a->any_ok)
        return SWEEP_ST_OK;
    return c->o->client_cmd && a->timed_out ? SWEEP_ST_TIMEOUT : SWEEP_ST_FAIL;
}

static json_object *attempt_client_json(const attempt *a)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "exit", json_object_new_int(a->exit_code));
    if (a->term_signal)
        json_object_object_add(o, "signal", json_object_new_int(a->term_signal));
    json_object_object_add(o, "timed_out", json_object_new_boolean(a->timed_out));
    json_object_object_add(o, "connections", json_object_new_int((int)a->accepted));
    /* the journal and reports keep this: no key material (mask.h) */
    char out[TAIL_LEN + 1];
    memcpy(out, a->tail, a->tail_len);
    sweep_mask_secrets(out, a->tail_len, a->tail_len == TAIL_LEN);
    json_object_object_add(o, "output", json_object_new_string_len(out, (int)a->tail_len));
    return o;
}

static void progress_bar(sweep_ctx *c)
{
    if (!c->tty || c->o->quiet || c->todo_configs == 0)
        return;
    unsigned done = c->done_configs, total = c->todo_configs;
    double el = now_mono() - c->t0;
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
static void result_finish(sweep_ctx *c, unsigned idx)
{
    tally *t = &c->tal[idx];
    sweep_result *r = &c->res[idx];
    sweep_result_cleanup(r);
    r->done = true;
    r->attempts = t->tries;
    if (t->ok == t->tries)
        r->status = SWEEP_ST_OK;
    else if (t->ok > 0)
        r->status = SWEEP_ST_FLAKY;
    else if (t->timeout == t->tries)
        r->status = SWEEP_ST_TIMEOUT;
    else
        r->status = SWEEP_ST_FAIL;
    r->verdict = t->verdict;
    r->client = t->client;
    r->connections = t->conns;
    t->verdict = t->client = NULL;
    c->done_configs++;
    if (c->journal) {
        json_object *j = sweep_result_to_json(&c->m, &c->m.configs[idx], r);
        if (!sweep_journal_append(c->journal, j) && !c->journal_failed) {
            c->journal_failed = true;
            fprintf(stderr, "tlsprobe sweep: cannot write the journal %s: %s\n", c->o->journal,
                    strerror(errno));
        }
        json_object_put(j);
    }
    char label[256];
    sweep_config_label(&c->m, &c->m.configs[idx], label, sizeof(label));
    json_object *s = NULL;
    const char *summary =
        r->verdict && json_object_object_get_ex(r->verdict, "summary", &s)
            ? json_object_get_string(s)
            : (r->status == SWEEP_ST_TIMEOUT ? "the client command timed out" : "no connection");
    char note[160];
    sweep_result_client_note(r, note, sizeof note);
    say(c, "[%u/%u] %s: %s%s%s%s%s%s", c->done_configs, c->todo_configs, label,
        sweep_status_name(r->status), summary ? " \xe2\x80\x94 " : "", summary ? summary : "",
        note[0] ? " (" : "", note, note[0] ? ")" : "");
    progress_bar(c);
}

static void build_queue(sweep_ctx *c)
{
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    free(c->queue);
    c->queue = calloc((size_t)c->m.num_configs * rep + 1, sizeof(*c->queue));
    c->qlen = c->qpos = 0;
    c->todo_configs = c->done_configs = 0;
    for (unsigned i = 0; c->queue && i < c->m.num_configs; i++) {
        if (c->m.configs[i].state != SWEEP_CFG_RUN || c->res[i].done)
            continue;
        for (unsigned k = 0; k < rep; k++)
            c->queue[c->qlen++] = i;
        c->todo_configs++;
    }
}

/* Lock held.  The probe is done: learn the offer, lay out the matrix. */
static void probe_finish(sweep_ctx *c, attempt *a)
{
    if (a->offer && a->offer->valid) {
        c->offer = *a->offer;
        c->have_offer = true;
    } else {
        say(c, "probe: no ClientHello from the client; every combination counts as offered");
    }
    json_object *s;
    if (a->verdict && json_object_object_get_ex(a->verdict, "summary", &s))
        say(c, "probe (default configuration): %s", json_object_get_string(s));
    sweep_matrix_expand(&c->m, c->have_offer ? &c->offer : NULL, c->o->include_unoffered);
    build_queue(c);
    unsigned resumed = 0;
    for (unsigned i = 0; i < c->m.num_configs; i++)
        resumed += c->m.configs[i].state == SWEEP_CFG_RUN && c->res[i].done;
    say(c,
        "%u combinations: %u to try%s, %u skipped (the engine cannot form them), %u not offered "
        "by the client%s",
        c->m.num_configs, c->todo_configs, resumed ? " (more already in the journal)" : "",
        c->m.num_skipped, c->m.num_not_offered,
        c->m.num_not_offered && !c->o->include_unoffered ? " (--include-unoffered tries them)"
                                                         : "");
    if (resumed)
        say(c, "resume: %u combinations already in the journal", resumed);
    c->phase = PHASE_RUNNING;
    c->t0 = now_mono();
}

/* Lock held. */
static void attempt_finalize(sweep_ctx *c, attempt *a)
{
    if (a->finalized)
        return;
    a->finalized = true;
    a->open = false;
    if (a->cfg < 0) {
        probe_finish(c, a);
        return;
    }
    tally *t = &c->tal[a->cfg];
    sweep_status st = attempt_status(c, a);
    t->tries++;
    if (st == SWEEP_ST_OK)
        t->ok++;
    else if (st == SWEEP_ST_TIMEOUT)
        t->timeout++;
    else
        t->fail++;
    /* the representative attempt: the first failing one, else the first */
    bool take = t->tries == 1 || (t->rep_is_ok && st != SWEEP_ST_OK);
    if (take) {
        json_object_put(t->verdict);
        json_object_put(t->client);
        t->verdict = a->verdict ? json_object_get(a->verdict) : NULL;
        t->client = c->o->client_cmd ? attempt_client_json(a) : NULL;
        t->rep_is_ok = st == SWEEP_ST_OK;
        t->conns = a->accepted;
    }
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    if (t->tries == rep)
        result_finish(c, (unsigned)a->cfg);
}

static attempt *attempt_new(sweep_ctx *c, int cfg, slot *sl, tp_engine *e)
{
    attempt *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->cfg = cfg;
    a->sl = sl;
    a->engine = e;
    a->open = true;
    a->start = now_mono();
    a->next_all = c->all;
    c->all = a;
    return a;
}

/* Lock held: the next configuration's engine; a configuration whose
 * engine cannot be made is recorded as failing with the reason. */
static attempt *next_attempt(sweep_ctx *c, slot *sl)
{
    while (c->qpos < c->qlen) {
        unsigned idx = c->queue[c->qpos++];
        char err[512];
        tp_engine *e = engine_for_config(c, idx, err, sizeof(err));
        if (e) {
            attempt *a = attempt_new(c, (int)idx, sl, e);
            sweep_setup su;
            sweep_config_setup(&c->m, &c->m.configs[idx], &su);
            /* values were checked when the matrix was set up */
            if (a && su.quirk && !tp_quirk_set_add(&a->quirks, su.quirk, err, sizeof(err)))
                say(c, "quirk %s: %s", su.quirk, err);
            return a;
        }
        /* the engine refused what formable() allowed: say so, don't stop */
        c->m.configs[idx].state = SWEEP_CFG_SKIPPED;
        snprintf(c->m.configs[idx].why, sizeof(c->m.configs[idx].why), "%.120s", err);
        c->res[idx].done = true;
        c->res[idx].status = SWEEP_ST_SKIPPED;
        while (c->qpos < c->qlen && c->queue[c->qpos] == idx)
            c->qpos++;
        c->done_configs++;
        say(c, "skipped: %s", err);
    }
    return NULL;
}

/* ---- server callbacks ---- */

static void device_prompt(sweep_ctx *c);

static void host_of(const char *peer, char *out, size_t len)
{
    snprintf(out, len, "%s", peer ? peer : "");
    char *colon = strrchr(out, ':');
    if (colon && (out[0] != '[' || (colon > out && colon[-1] == ']')))
        *colon = '\0';
}

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
        char host[64];
        host_of(peer, host, sizeof(host));
        double t = now_mono();
        a = c->dev_cur;
        /* a browser's burst of connections is one attempt; an attempt whose
         * connections were all unused (preconnects) takes the next one */
        bool keep = a && !a->finalized && a->accepted == 0;
        if (a && !keep &&
            !(a->open && c->o->window > 0 && strcmp(a->host, host) == 0 &&
              t - a->start <= c->o->window)) {
            a->open = false;
            if (a->verdicts == a->accepted)
                attempt_finalize(c, a);
            a = NULL;
        }
        if (!a) {
            if (c->phase == PHASE_PROBE) {
                /* the probe's one attempt; others wait for the matrix */
                a = c->probe->accepted == 0 ? c->probe : NULL;
            } else if (c->phase == PHASE_RUNNING) {
                /* the prompt for this configuration, if the polling loop has
                 * not printed it yet: a quick client can connect between two
                 * of its rounds */
                device_prompt(c);
                a = next_attempt(c, sl);
            }
            if (a) {
                snprintf(a->host, sizeof(a->host), "%s", host);
                a->start = t;
                a->open = c->o->window > 0;
            }
            c->dev_cur = a;
        }
    }
    if (a) {
        a->accepted++;
        if (!a->first_conn)
            a->first_conn = conn;
        *out_tag = a;
        e = a->engine;
    }
    pthread_mutex_unlock(&c->lock);
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
            attempt_finalize(c, a);
        pthread_mutex_unlock(&c->lock);
        return;
    }
    a->verdicts++;
    bool ok = sweep_verdict_ok(v);
    if (!a->finalized) {
        /* the attempt's verdict: an ok one before an unused handshake
         * (a preconnect), before anything else */
        int rank = v->outcome == TP_OUTCOME_OK ? 2 : ok ? 1 : 0;
        if (!a->verdict || rank > a->verdict_rank) {
            json_object_put(a->verdict);
            a->verdict = sweep_verdict_json(v);
            a->verdict_rank = rank;
        }
        a->any_ok |= ok;
        /* device mode: a one-connection attempt ends with its verdict */
        if (!c->o->client_cmd && !a->open && a->verdicts == a->accepted)
            attempt_finalize(c, a);
    }
    pthread_mutex_unlock(&c->lock);
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

static bool slot_start(sweep_ctx *c, slot *sl, unsigned id, bool driven)
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

/* ---- driven: client commands ---- */

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

static void client_drain(slot *sl, attempt *a)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(sl->out_fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (a)
            tail_add(a, buf, (size_t)n);
    }
}

/* Main thread, lock not held: reaps, times out. */
static void client_poll(sweep_ctx *c, slot *sl)
{
    attempt *a = sl->cur;
    if (!sl->pid || !a)
        return;
    client_drain(sl, a);
    int st;
    pid_t r = waitpid(sl->pid, &st, WNOHANG);
    double t = now_mono();
    if (r == 0 && c->o->client_timeout > 0 && t - a->start > c->o->client_timeout) {
        kill(-sl->pid, SIGKILL);
        r = waitpid(sl->pid, &st, 0);
        pthread_mutex_lock(&c->lock);
        a->timed_out = true;
        pthread_mutex_unlock(&c->lock);
    }
    if (r == sl->pid) {
        /* stray children of the command would hold its connections open */
        kill(-sl->pid, SIGKILL);
        client_drain(sl, a);
        close(sl->out_fd);
        sl->out_fd = -1;
        sl->pid = 0;
        pthread_mutex_lock(&c->lock);
        a->exited = true;
        a->exit_time = t;
        if (WIFEXITED(st))
            a->exit_code = WEXITSTATUS(st);
        else if (WIFSIGNALED(st)) {
            a->term_signal = WTERMSIG(st);
            a->exit_code = 128 + a->term_signal;
        }
        pthread_mutex_unlock(&c->lock);
    }
}

static void client_kill(slot *sl)
{
    if (!sl->pid)
        return;
    kill(-sl->pid, SIGKILL);
    int st;
    waitpid(sl->pid, &st, 0);
    if (sl->out_fd >= 0)
        close(sl->out_fd);
    sl->out_fd = -1;
    sl->pid = 0;
}

/* Lock held: the slot's attempt is over when its client exited and every
 * connection it made has its verdict (or the grace ran out). */
static bool slot_try_finish(sweep_ctx *c, slot *sl)
{
    attempt *a = sl->cur;
    if (!a)
        return true;
    if (!a->exited)
        return false;
    if (a->verdicts < a->accepted && now_mono() - a->exit_time < VERDICT_GRACE)
        return false;
    attempt_finalize(c, a);
    sl->cur = NULL;
    return true;
}

static int run_driven(sweep_ctx *c)
{
    const sweep_options *o = c->o;
    unsigned jobs = o->jobs ? o->jobs : 1;
    if (jobs > SWEEP_MAX_JOBS)
        jobs = SWEEP_MAX_JOBS;
    for (unsigned i = 0; i < jobs; i++) {
        if (!slot_start(c, &c->slots[i], i, true))
            return 1;
        c->num_slots++;
    }
    if (!o->quiet)
        say(c, "tlsprobe sweep: %u server%s on %s, ports %u..%u; client: %s", jobs,
            jobs > 1 ? "s" : "", c->slots[0].host, c->slots[0].port, c->slots[jobs - 1].port,
            o->client_cmd);

    /* the probe */
    pthread_mutex_lock(&c->lock);
    c->slots[0].cur = c->probe;
    c->probe->sl = &c->slots[0];
    c->probe->start = now_mono();
    pthread_mutex_unlock(&c->lock);
    if (!client_spawn(c, &c->slots[0])) {
        fprintf(stderr, "tlsprobe sweep: cannot run the client command: %s\n", strerror(errno));
        return 1;
    }
    for (;;) {
        if (stop_requested)
            break;
        struct pollfd pfds[SWEEP_MAX_JOBS];
        unsigned np = 0;
        for (unsigned i = 0; i < c->num_slots; i++) {
            slot *sl = &c->slots[i];
            client_poll(c, sl);
            if (sl->pid)
                pfds[np++] = (struct pollfd){.fd = sl->out_fd, .events = POLLIN};
        }
        bool idle = true;
        pthread_mutex_lock(&c->lock);
        for (unsigned i = 0; i < c->num_slots; i++) {
            slot *sl = &c->slots[i];
            if (sl->pid || !slot_try_finish(c, sl)) {
                idle = false;
                continue;
            }
            if (c->phase != PHASE_RUNNING)
                continue;
            attempt *a = next_attempt(c, sl);
            if (!a)
                continue;
            sl->cur = a;
            pthread_mutex_unlock(&c->lock);
            bool ok = client_spawn(c, sl);
            pthread_mutex_lock(&c->lock);
            if (!ok) {
                a->exited = true;
                a->exit_code = 127;
                a->exit_time = now_mono();
            }
            idle = false;
        }
        bool done = c->phase == PHASE_RUNNING && idle && c->qpos >= c->qlen;
        pthread_mutex_unlock(&c->lock);
        if (done)
            break;
        /* client output or exit wakes us; verdicts arrive within a few ms */
        poll(pfds, np, np ? 5 : 2);
    }
    for (unsigned i = 0; i < c->num_slots; i++)
        client_kill(&c->slots[i]);
    return stop_requested ? 130 : 0;
}

/* ---- device mode ---- */

static void device_prompt(sweep_ctx *c)
{
    if (c->phase == PHASE_PROBE) {
        if (c->prompted != -2)
            say(c, "connect the client now \xe2\x80\x94 probe (default configuration)");
        c->prompted = -2;
        return;
    }
    if (c->qpos >= c->qlen || (int)c->qpos == c->prompted)
        return;
    c->prompted = (int)c->qpos;
    unsigned idx = c->queue[c->qpos];
    char label[256];
    sweep_config_label(&c->m, &c->m.configs[idx], label, sizeof(label));
    unsigned rep = c->o->repeat ? c->o->repeat : 1;
    unsigned nth = c->qpos / rep + 1;
    if (rep > 1)
        say(c, "connect the client now \xe2\x80\x94 %u of %u, %s (try %u of %u)", nth,
            c->todo_configs, label, c->qpos % rep + 1, rep);
    else
        say(c, "connect the client now \xe2\x80\x94 %u of %u, %s", nth, c->todo_configs, label);
    progress_bar(c);
}

static int run_device(sweep_ctx *c)
{
    if (!slot_start(c, &c->slots[0], 0, false))
        return 1;
    c->num_slots = 1;
    c->probe->sl = &c->slots[0];
    const char *const *bound;
    unsigned nb = tp_server_bound(c->slots[0].srv, &bound);
    for (unsigned i = 0; i < nb; i++)
        say(c, "listening on %s", bound[i]);
    c->prompted = -1;
    for (;;) {
        if (stop_requested)
            break;
        pthread_mutex_lock(&c->lock);
        attempt *a = c->dev_cur;
        if (a && a->open && now_mono() - a->start > c->o->window)
            a->open = false;
        if (a && !a->open && !a->finalized && a->verdicts == a->accepted && a->accepted > 0)
            attempt_finalize(c, a);
        device_prompt(c);
        bool done = c->phase == PHASE_RUNNING && c->qpos >= c->qlen &&
                    (!c->dev_cur || c->dev_cur->finalized);
        pthread_mutex_unlock(&c->lock);
        if (done)
            break;
        usleep(50 * 1000);
    }
    return stop_requested ? 130 : 0;
}

/* ---- journal resume ---- */

typedef struct {
    sweep_ctx *c;
} load_ctx;

static bool on_loaded(void *ctx, json_object *o, unsigned line, char *why, size_t why_len)
{
    (void)line;
    sweep_ctx *c = ((load_ctx *)ctx)->c;
    unsigned idx;
    sweep_result r;
    if (!sweep_result_from_json(&c->m, o, &idx, &r, why, why_len))
        return false;
    if (r.status == SWEEP_ST_SKIPPED) {
        sweep_result_cleanup(&r);
        snprintf(why, why_len, "a skipped combination is not journalled");
        return false;
    }
    sweep_result_cleanup(&c->res[idx]); /* a later line wins */
    c->res[idx] = r;
    return true;
}

static void on_journal_warn(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "tlsprobe sweep: %s\n", msg);
}

/* ---- reports ---- */

static int write_reports(sweep_ctx *c)
{
    const sweep_options *o = c->o;
    int rc = 0;
    sweep_row *rows = NULL;
    unsigned *map = NULL, n = 0;
    /* the skipped/not-offered marks need the final layout */
    if (!sweep_rows_build(&c->m, c->res, &rows, &map, &n))
        return 1;
    sweep_decision d;
    if (!sweep_decide(&d, c->m.axis_names, c->m.num_axes, rows, n))
        fprintf(stderr, "tlsprobe sweep: cannot decide: %s\n", d.error);
    if (!o->quiet)
        sweep_report_text(o->out, &c->m, c->res, &d, rows);
    if (o->json_out) {
        json_object *j = sweep_report_json(&c->m, c->res, &d, rows);
        FILE *f = sweep_output_open("tlsprobe sweep: --json", o->json_out);
        if (!f)
            rc = 1;
        else if (fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE),
                       f) == EOF ||
                 fputc('\n', f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "tlsprobe sweep: --json %s: write failed: %s\n", o->json_out,
                    strerror(errno));
            rc = 1;
        }
        json_object_put(j);
    }
    if (o->report_html) {
        FILE *f = sweep_output_open("tlsprobe sweep: --report", o->report_html);
        if (!f)
            rc = 1;
        else {
            sweep_report_html(f, &c->m, c->res, &d, rows);
            if (fclose(f) != 0) {
                fprintf(stderr, "tlsprobe sweep: --report %s: write failed: %s\n", o->report_html,
                        strerror(errno));
                rc = 1;
            }
        }
    }
    sweep_decision_cleanup(&d);
    free(rows);
    free(map);
    return rc;
}

/* ---- entry ---- */

int sweep_run(const sweep_options *o)
{
    sweep_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return 1;
    c->o = o;
    pthread_mutex_init(&c->lock, NULL);
    c->tty = !o->quiet && isatty(fileno(o->out));
    int rc = 0;
    char err[1024];

    if (!sweep_matrix_init(&c->m, o->axes, o->limits, o->num_limits, o->key_type, err,
                           sizeof(err))) {
        fprintf(stderr, "tlsprobe sweep: %s\n", err);
        rc = 2;
        goto out;
    }
    if (!sweep_matrix_expand(&c->m, NULL, true)) {
        fprintf(stderr, "tlsprobe sweep: the matrix is too large; limit the axes or values\n");
        rc = 2;
        goto out;
    }
    c->res = calloc(c->m.num_configs, sizeof(*c->res));
    c->tal = calloc(c->m.num_configs, sizeof(*c->tal));
    if (!c->res || !c->tal) {
        rc = 1;
        goto out;
    }
    if (o->journal) {
        sweep_journal_stats st = {0};
        if (o->resume) {
            load_ctx lc = {c};
            if (!sweep_journal_load(o->journal, on_loaded, &lc, on_journal_warn, NULL, &st, err,
                                    sizeof(err))) {
                fprintf(stderr, "tlsprobe sweep: %s\n", err);
                rc = 1;
                goto out;
            }
        }
        c->journal = sweep_journal_open(o->journal, o->resume, st.good_len, err, sizeof(err));
        if (!c->journal) {
            fprintf(stderr, "%s\n", err);
            rc = 1;
            goto out;
        }
    }

    tp_engine *pe = engine_for_probe(c, err, sizeof(err));
    if (!pe) {
        fprintf(stderr, "tlsprobe sweep: cannot set up the probe's engine: %s\n", err);
        rc = 1;
        goto out;
    }
    c->probe = attempt_new(c, -1, NULL, pe);
    c->phase = PHASE_PROBE;
    if (!o->quiet)
        say(c, "certificate SHA-256 fingerprint %s", tp_engine_cert_fingerprint(pe));

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    signal(SIGPIPE, SIG_IGN);

    rc = o->client_cmd ? run_driven(c) : run_device(c);

    for (unsigned i = 0; i < c->num_slots; i++) {
        if (c->slots[i].srv)
            tp_server_stop(c->slots[i].srv);
    }
    for (unsigned i = 0; i < c->num_slots; i++) {
        if (c->slots[i].thread_started)
            pthread_join(c->slots[i].thread, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (c->phase == PHASE_PROBE) {
        /* interrupted before the probe: lay out the matrix anyway */
        sweep_matrix_expand(&c->m, NULL, o->include_unoffered);
    }
    if (rc == 130)
        say(c, "interrupted: %u of %u combinations done%s", c->done_configs, c->todo_configs,
            o->journal ? "; --resume continues from the journal" : "");
    if (rc == 0 || rc == 130) {
        int r2 = write_reports(c);
        if (rc == 0)
            rc = r2;
    }
    if (c->journal_failed && rc == 0)
        rc = 1;

out:
    for (unsigned i = 0; i < c->num_slots; i++)
        tp_server_free(c->slots[i].srv);
    for (attempt *a = c->all, *n; a; a = n) {
        n = a->next_all;
        tp_engine_free(a->engine);
        json_object_put(a->verdict);
        free(a->offer);
        free(a);
    }
    for (unsigned i = 0; c->res && i < c->m.num_configs; i++)
        sweep_result_cleanup(&c->res[i]);
    for (unsigned i = 0; c->tal && i < c->m.num_configs; i++) {
        json_object_put(c->tal[i].verdict);
        json_object_put(c->tal[i].client);
    }
    free(c->res);
    free(c->tal);
    free(c->queue);
    sweep_journal_close(c->journal);
    sweep_matrix_cleanup(&c->m);
    pthread_mutex_destroy(&c->lock);
    free(c);
    return rc;
}
