/* The sweep driver: its entry, the engine of each configuration, journal
 * resume and the reports.  The rest is in files of their own (sweep_int.h):
 * scheduling (sched.c), the servers (slot.c), driven clients (client.c),
 * device mode (device.c). */
#include "sweep_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../report/verdict_render.h"

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

/* ---- shared helpers ---- */

volatile sig_atomic_t sweep_stop_requested;

double sweep_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sweep_say(sweep_ctx *c, const char *fmt, ...)
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

static unsigned resumption_off(const char *axis_value, unsigned base_off);

static tp_engine *engine_for(sweep_ctx *c, const engine_lists *lists, const char *key_type,
                             unsigned resumption_off_bits, char *err, size_t err_len)
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
    ec.resumption_off = resumption_off_bits;
    ec.tickets = c->o->tickets;
    ec.tickets_set = c->o->tickets_set;
    ec.early_data = c->o->early_data;
    static const char *const san_dns[] = {"localhost", NULL};
    static const char *const san_ip[] = {"127.0.0.1", "::1", NULL};
    ec.san_dns = san_dns;
    ec.san_ip = san_ip;
    return tp_engine_new(&ec, err, err_len);
}

tp_engine *sweep_engine_for_config(sweep_ctx *c, unsigned idx, char *err, size_t err_len)
{
    sweep_setup su;
    sweep_config_setup(&c->m, &c->m.configs[idx], &su);
    engine_lists combo, lists = c->o->base;
    engine_lists_from_combo(&combo, &su.combo);
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        if (combo.csv[f])
            lists.csv[f] = combo.csv[f];
    }
    /* a renegotiation (hello-request) and GnuTLS's TLS 1.2 tickets do not mix (resume.c) */
    unsigned off = resumption_off(su.resumption, c->o->resumption_off);
    if (su.quirk && strstr(su.quirk, "hello-request"))
        off |= TP_RESUME_TICKET;
    return engine_for(c, &lists, su.combo.key_type ? su.combo.key_type : c->o->key_type, off, err,
                      err_len);
}

const char *sweep_resumption_how(const char *axis_value)
{
    static const char *const map[][2] = {{"id", "session-id"}, {"ticket", "ticket"}, {"psk", "psk"}};
    for (unsigned i = 0; axis_value && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], axis_value))
            return map[i][1];
    return NULL;
}

/* The resumption axis' value as the TP_RESUME_* bits switched off. */
static unsigned resumption_off(const char *axis_value, unsigned base_off)
{
    static const struct {
        const char *v;
        unsigned on;
    } map[] = {{"none", 0}, {"id", TP_RESUME_ID}, {"ticket", TP_RESUME_TICKET}, {"psk", TP_RESUME_PSK}};
    for (unsigned i = 0; axis_value && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].v, axis_value))
            return TP_RESUME_ALL & ~map[i].on;
    return base_off;
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
    return engine_for(c, &lists, key_type, c->o->resumption_off, err, err_len);
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

/* The matrix, the results, the journal (resumed).  0, or the exit code. */
static int sweep_prepare(sweep_ctx *c)
{
    const sweep_options *o = c->o;
    char err[1024];
    if (!sweep_matrix_init(&c->m, o->axes, o->limits, o->num_limits, o->key_type, err,
                           sizeof(err))) {
        fprintf(stderr, "tlsprobe sweep: %s\n", err);
        return 2;
    }
    if (!sweep_matrix_expand(&c->m, NULL, true)) {
        fprintf(stderr, "tlsprobe sweep: the matrix is too large; limit the axes or values\n");
        return 2;
    }
    c->res = calloc(c->m.num_configs, sizeof(*c->res));
    c->tal = calloc(c->m.num_configs, sizeof(*c->tal));
    if (!c->res || !c->tal)
        return 1;
    if (o->journal) {
        sweep_journal_stats st = {0};
        if (o->resume) {
            load_ctx lc = {c};
            if (!sweep_journal_load(o->journal, on_loaded, &lc, on_journal_warn, NULL, &st, err,
                                    sizeof(err))) {
                fprintf(stderr, "tlsprobe sweep: %s\n", err);
                return 1;
            }
        }
        c->journal = sweep_journal_open(o->journal, o->resume, st.good_len, err, sizeof(err));
        if (!c->journal) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    return 0;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)w, (void)revents;
    sweep_stop_requested = 1;
    ev_break(loop, EVBREAK_ALL);
}

/* The probe, then every combination; the servers stopped at the end. */
static int sweep_drive(sweep_ctx *c)
{
    const sweep_options *o = c->o;
    char err[1024];
    tp_engine *pe = engine_for_probe(c, err, sizeof(err));
    if (!pe) {
        fprintf(stderr, "tlsprobe sweep: cannot set up the probe's engine: %s\n", err);
        return 1;
    }
    c->probe = sweep_attempt_new(c, -1, NULL, pe);
    c->phase = PHASE_PROBE;
    if (!o->quiet)
        sweep_say(c, "certificate SHA-256 fingerprint %s", tp_engine_cert_fingerprint(pe));

    /* the main thread's loop: the default one, which watches children */
    c->loop = ev_default_loop(0);
    if (!c->loop) {
        fprintf(stderr, "tlsprobe sweep: cannot create an event loop\n");
        return 1;
    }
    struct sigaction old_int, old_term;
    sigaction(SIGINT, NULL, &old_int);
    sigaction(SIGTERM, NULL, &old_term);
    sweep_stop_requested = 0;
    ev_signal_init(&c->sig_int, on_signal, SIGINT);
    ev_signal_init(&c->sig_term, on_signal, SIGTERM);
    ev_signal_start(c->loop, &c->sig_int);
    ev_signal_start(c->loop, &c->sig_term);
    signal(SIGPIPE, SIG_IGN);

    int rc = o->client_cmd ? sweep_run_driven(c) : sweep_run_device(c);

    for (unsigned i = 0; i < c->num_slots; i++) {
        if (c->slots[i].srv)
            tp_server_stop(c->slots[i].srv);
    }
    for (unsigned i = 0; i < c->num_slots; i++) {
        if (c->slots[i].thread_started)
            pthread_join(c->slots[i].thread, NULL);
    }
    ev_async_stop(c->loop, &c->wake);
    ev_signal_stop(c->loop, &c->sig_int);
    ev_signal_stop(c->loop, &c->sig_term);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

/* What was done goes to the reports, also after an interruption. */
static int sweep_finish(sweep_ctx *c, int rc)
{
    const sweep_options *o = c->o;
    if (c->phase == PHASE_PROBE) {
        /* interrupted before the probe: lay out the matrix anyway */
        sweep_matrix_expand(&c->m, NULL, o->include_unoffered);
    }
    if (rc == 130)
        sweep_say(c, "interrupted: %u of %u combinations done%s", c->done_configs, c->todo_configs,
                  o->journal ? "; --resume continues from the journal" : "");
    if (rc == 0 || rc == 130) {
        int r2 = write_reports(c);
        if (rc == 0)
            rc = r2;
    }
    if (c->journal_failed && rc == 0)
        rc = 1;
    return rc;
}

static void sweep_free(sweep_ctx *c)
{
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
}

int sweep_run(const sweep_options *o)
{
    sweep_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return 1;
    c->o = o;
    pthread_mutex_init(&c->lock, NULL);
    c->tty = !o->quiet && isatty(fileno(o->out));
    int rc = sweep_prepare(c);
    if (rc == 0) {
        rc = sweep_drive(c);
        if (rc != 1)
            rc = sweep_finish(c, rc);
    }
    sweep_free(c);
    return rc;
}
