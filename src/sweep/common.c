/* The lowest file of the sweep: what every other file of it calls and that
 * calls none of them (sweep_int.h: the calls go one way, sweep.c ->
 * client.c, device.c -> slot.c -> sched.c -> progress.c, results.c ->
 * decide_text.c, and all of them -> common.c): a verdict's status and JSON,
 * the clock, the status line, the engine of a configuration and the
 * probe's. */
#include "axis_names.h"
#include "sweep_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
    if (c->o->live_line) { /* --dashboard */
        char line[1024];
        va_list aq;
        va_start(aq, fmt);
        vsnprintf(line, sizeof line, fmt, aq);
        va_end(aq);
        c->o->live_line(c->o->live_arg, line);
    }
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

static const struct {
    const char *axis;
    engine_flag flag;
} map[] = {{"protocol", ENGINE_FLAG_PROTOCOLS}, {"kx", ENGINE_FLAG_KX},
           {"cipher", ENGINE_FLAG_CIPHERS},     {"mac", ENGINE_FLAG_MACS},
           {"group", ENGINE_FLAG_GROUPS},       {"sigalg", ENGINE_FLAG_SIGALGS}};

static engine_flag flag_of_axis(const char *axis)
{
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].axis, axis) == 0)
            return map[i].flag;
    }
    return ENGINE_FLAG_COUNT;
}

static tp_engine *engine_for(sweep_ctx *c, const engine_lists *lists, const char *key_type,
                             const sweep_setup *su, char *err, size_t err_len)
{
    char prio[2048] = "";
    tp_engine_config ec = {0};
    ec.engine = su && su->engine ? su->engine : c->o->engine;
    ec.lists = *lists; /* the openssl engine takes the lists as they are */
    if ((!ec.engine || strcmp(ec.engine, "openssl")) &&
        engine_build_priority(lists, prio, sizeof(prio), err, err_len) != TP_OK)
        return NULL;
    ec.priority = prio;
    ec.cert_file = c->o->cert_file;
    ec.key_file = c->o->key_file;
    ec.key_type = key_type ? key_type : "rsa:2048";
    ec.client_cert = c->o->client_cert;
    ec.psk = c->o->psk;
    ec.num_psk = c->o->num_psk;
    ec.srp = c->o->srp;
    ec.num_srp = c->o->num_srp;
    struct sweep_options_certs certs = c->o->certs;
    certs.client_cert = c->o->client_cert;
    sweep_certs_config(&ec, &certs, su);
    sweep_resumption_config(&ec, &c->o->resumption, su);
    static const char *const san_dns[] = {"localhost", NULL};
    static const char *const san_ip[] = {"127.0.0.1", "::1", NULL};
    ec.san_dns = san_dns;
    ec.san_ip = san_ip;
    sweep_names_config(&ec.names, &c->o->names, su);
    return tp_engine_new(&ec, err, err_len);
}

/* An axis value the engine cannot negotiate, said as the cell's reason to
 * be skipped (short: it goes in the report's cell); true if so. */
static bool engine_lacks(const char *engine, const engine_lists *combo, char *err, size_t err_len)
{
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        const char *v = combo->csv[map[i].flag];
        if (v && !strchr(v, ',') && !tp_engine_kind_negotiable(engine, map[i].flag, v)) {
            snprintf(err, err_len, "the %s engine cannot negotiate %s %s (tlsprobe list "
                     "--engine %s)", engine, map[i].axis, v, engine);
            return true;
        }
    }
    return false;
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
    const char *engine = su.engine ? su.engine : c->o->engine;
    if (engine_lacks(engine, &combo, err, err_len))
        return NULL;
    return engine_for(c, &lists, su.combo.key_type ? su.combo.key_type : c->o->key_type, &su,
                      err, err_len);
}

/* The probe's engine allows every value of every axis (legacy ones too),
 * so that whatever the client offers within the matrix can connect; on the
 * openssl engine, every value that engine can negotiate (its cells of the
 * others are skipped with the engine's reason, sched.c). */
tp_engine *sweep_engine_for_probe(sweep_ctx *c, char *err, size_t err_len)
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
            if (!tp_engine_kind_negotiable(c->o->engine, f, c->m.values[a][k]))
                continue;
            int n = snprintf(buf + w, sizeof(c->base_csv[f]) - w, "%s%s", w ? "," : "",
                             c->m.values[a][k]);
            if (n < 0 || (size_t)n >= sizeof(c->base_csv[f]) - w)
                break;
            w += (size_t)n;
        }
        if (w)
            lists.csv[f] = buf;
    }
    return engine_for(c, &lists, key_type, NULL, err, err_len);
}
