/* The sweep driver: its entry, journal resume and the reports.  The rest is
 * in files of their own (sweep_int.h): scheduling (sched.c), the servers
 * (slot.c), driven clients (client.c), device mode (device.c), progress
 * (progress.c), verdicts, clock and engines (common.c). */
#include "sweep_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    sweep_strategy_decide(c, &d); /* adaptive: the named rule, the inferred cells */
    if (!o->quiet) {
        sweep_report_text(o->out, &c->m, c->res, &d, rows);
        sweep_strategy_report(c, o->out, NULL);
    }
    if (o->json_out) {
        json_object *j = sweep_report_json(&c->m, c->res, &d, rows);
        sweep_strategy_report(c, NULL, j);
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
    sweep_live_state(c, &d, rows); /* --dashboard: the final page */
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
    tp_engine *pe = sweep_engine_for_probe(c, err, sizeof(err));
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
    sweep_strategy_free(c);
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
