/* tlsprobe sweep: one configuration per connection over a matrix of
 * protocols, key exchanges, ciphers, MACs (...), then what decides the
 * failure.  Parses options and hands them to sweep_run. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "engine/names.h"
#include "report/json_sink.h"
#include "report/text_sink.h"
#include "certs_opts.h"
#include "engine_opts.h"
#include "serve_opts.h"
#include "dashboard.h"
#include "serve_opts_names.h"
#include "sweep/sweep.h"

static const char *const sweep_usage =
    "usage: tlsprobe sweep [serve options] [sweep options]\n"
    "\n"
    "Gives each connection the next configuration of a matrix (one value per\n"
    "axis), then says what decides the failure.  The first connection is a\n"
    "probe with the default configuration: its ClientHello tells which values\n"
    "the client offers, and by default only those are tried.\n"
    "\n"
    "Matrix:\n"
    "  --axes L              axes to sweep (default protocol,kx,cipher,mac); also\n"
    "                        group, sigalg, key-type, quirk (record quirks),\n"
    "                        cert, ocsp, client-cert (certificates: --cert-variants),\n"
    "                        engine (gnutls, openssl: the library that serves),\n"
    "                        alpn, sni-mode,\n"
    "                        resumption (none,id,ticket,psk: the client connects\n"
    "                        twice, e.g. s_client -reconnect; ok when it resumed)\n"
    "  --protocols L --kx L --ciphers L --macs L --groups L --sigalgs L\n"
    "                        limit an axis (or fix a non-swept one) to these values\n"
    "  --key-types L         values of the key-type axis (rsa:2048,ecdsa:p256,...)\n"
    "  --quirks L            values of the quirk axis (none,cbc-padding=max,...;\n"
    "                        default: one of each, see `tlsprobe list`)\n"
    "  --alpns L             values of the alpn axis, the server's ALPN list:\n"
    "                        none,http/1.1,h2,h2+http/1.1,http/1.1+h2 (default all)\n"
    "  --sni-modes L         values of the sni-mode axis: strict,warn,ignore\n"
    "  --resumptions L       values of the resumption axis (none,id,ticket,psk)\n"
    "  --include-unoffered   also try what the client did not offer\n"
    "\n"
    "Driving (default: device mode, reconnect the client for each combination):\n"
    "  --client CMD          run CMD per combination via /bin/sh -c, with {host}\n"
    "                        and {port} substituted (driven mode)\n"
    "  --client-timeout S    kill a client still running after S seconds (default 20)\n"
    "  -j N                  N clients at once, each with its own server (driven)\n"
    "  --repeat N            try each combination N times; disagreeing tries: flaky\n"
    "  --strategy S          adaptive: try only the combinations that best split the\n"
    "                        rules still possible, stop when one is left (default in\n"
    "                        device mode); full: every combination (default driven)\n"
    "  --per-attempt-window S  device mode: connections from one address within S\n"
    "                        seconds are one attempt (browsers open several)\n"
    "\n"
    "Results:\n"
    "  --journal FILE        append each result (JSON line, fsync'ed)\n"
    "  --resume              skip what the journal already holds\n"
    "  --json FILE           every combination and the analysis (docs/design.md format)\n"
    "  --report FILE.html    self-contained HTML grid\n"
    "  --dashboard [ADDR:]PORT  a live page of the sweep at http://127.0.0.1:PORT/\n"
    "                        (0: any free port, printed): progress, the grid filling\n"
    "                        in, the rule so far, the last results, what to connect\n"
    "                        next; after the sweep it stays until Ctrl-C (10 min)\n"
    "  --bundle FILE.tar.gz  a bug-report bundle of the outputs (tlsprobe bundle --help)\n"
    "\n"
    "Serve options: --port N|LO-HI (device mode: default 5556; driven: slot k\n"
    "  listens on N+k or on a free port of LO-HI, default kernel-chosen),\n"
    "  --listen ADDR (device mode), --http (default) | --echo, --trace FILE,\n"
    "  --keylog FILE, -v, -q, -h, and (as in tlsprobe serve):\n";

enum {
    OPT_AXES = 300,
    OPT_CLIENT,
    OPT_CLIENT_TIMEOUT,
    OPT_REPEAT,
    OPT_WINDOW,
    OPT_UNOFFERED,
    OPT_JOURNAL,
    OPT_RESUME,
    OPT_REPORT,
    OPT_JSON,
    OPT_PORT,
    OPT_LISTEN,
    OPT_HTTP,
    OPT_ECHO,
    OPT_INTERACTIVE,
    OPT_PRIORITY,
    OPT_KEY_TYPES,
    OPT_QUIRKS,
    OPT_ALPNS,
    OPT_SNI_MODES,
    OPT_RESUMPTIONS,
    OPT_TRACE,
    OPT_KEYLOG,
    OPT_WORKERS,
    OPT_STRATEGY,
    OPT_DASHBOARD,
};

/* sweep's own options; the shared ones (serve_opts.h) are added to them. */
static const struct option own_opts[] = {
    {"axes", required_argument, NULL, OPT_AXES},
    {"client", required_argument, NULL, OPT_CLIENT},
    {"client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT},
    {"jobs", required_argument, NULL, 'j'},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"per-attempt-window", required_argument, NULL, OPT_WINDOW},
    {"include-unoffered", no_argument, NULL, OPT_UNOFFERED},
    {"journal", required_argument, NULL, OPT_JOURNAL},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"report", required_argument, NULL, OPT_REPORT},
    {"json", required_argument, NULL, OPT_JSON},
    {"port", required_argument, NULL, OPT_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"http", no_argument, NULL, OPT_HTTP},
    {"echo", no_argument, NULL, OPT_ECHO},
    {"interactive", no_argument, NULL, OPT_INTERACTIVE},
    {"priority", required_argument, NULL, OPT_PRIORITY},
    {"key-types", required_argument, NULL, OPT_KEY_TYPES},
    {"quirks", required_argument, NULL, OPT_QUIRKS},
    {"alpns", required_argument, NULL, OPT_ALPNS},
    {"sni-modes", required_argument, NULL, OPT_SNI_MODES},
    {"resumptions", required_argument, NULL, OPT_RESUMPTIONS},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"strategy", required_argument, NULL, OPT_STRATEGY},
    {"dashboard", required_argument, NULL, OPT_DASHBOARD},
    {"help", no_argument, NULL, 'h'},
};
#define NUM_OWN_OPTS (sizeof own_opts / sizeof own_opts[0])

#define usage_error(...) serve_opts_usage_error("sweep", __VA_ARGS__)

unsigned cmd_sweep_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    *out_shorts = ":j:vqh";
    if (cap < NUM_OWN_OPTS + 1)
        return 0;
    memcpy(opts, own_opts, sizeof own_opts);
    return serve_opts_long_opts(opts, NUM_OWN_OPTS, cap, SERVE_OPTS_SWEEP);
}

/* "N" or "LO-HI"; *hi is 0 for a single port. */
static bool parse_port_range(const char *s, unsigned *lo, unsigned *hi)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10), b = 0;
    if (errno || end == s || !isdigit((unsigned char)s[0]) || a > 65535)
        return false;
    if (*end == '-') {
        const char *t = end + 1;
        b = strtoul(t, &end, 10);
        if (errno || end == t || !isdigit((unsigned char)t[0]) || b > 65535 || a == 0 || b < a)
            return false;
    }
    if (*end)
        return false;
    *lo = (unsigned)a;
    *hi = (unsigned)b;
    return true;
}

static bool parse_num(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void add_limit(sweep_options *o, const char *option, const char *csv)
{
    for (unsigned i = 0; i < o->num_limits; i++) {
        if (strcmp(o->limits[i].option, option) == 0) {
            o->limits[i].csv = csv; /* the last one given wins */
            return;
        }
    }
    if (o->num_limits < SWEEP_MAX_LIMITS)
        o->limits[o->num_limits++] = (sweep_limit){option, csv};
}

/* The shared options into the sweep's: each negotiation list is checked
 * here, so a typo fails before anything starts, and limits its axis (or
 * fixes a flag that is no axis). */
static int take_shape(sweep_options *o, serve_shape *sh)
{
    int rc = serve_opts_check(sh, "sweep");
    if (!rc)
        rc = certs_opts_check(sh, "sweep");
    if (!rc)
        rc = engine_opts_check(sh, "sweep");
    if (rc)
        return rc;
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        const char *csv = sh->lists.csv[f];
        if (!csv)
            continue;
        const engine_name *names[64];
        unsigned n;
        char err[1024];
        if (engine_list_parse((engine_flag)f, csv, names, 64, &n, err, sizeof(err)) != TP_OK) {
            fprintf(stderr, "tlsprobe sweep: %s\n", err);
            return 2;
        }
        o->base.csv[f] = csv;
        add_limit(o, engine_flag_option((engine_flag)f), csv);
    }
    o->key_type = sh->key_type;
    o->engine = sh->engine;
    o->cert_file = sh->cert;
    o->key_file = sh->key;
    o->client_cert = sh->client_cert;
    o->psk = sh->psk;
    o->num_psk = sh->num_psk;
    o->srp = sh->srp;
    o->num_srp = sh->num_srp;
    serve_opts_names_for_mode(&o->names, &sh->names, o->mode == TP_MODE_HTTP);
    serve_opts_names_note(&o->names, o->mode == TP_MODE_HTTP, "sweep");
    o->certs = (struct sweep_options_certs){sh->chain, sh->cert_variant, sh->ocsp, sh->client_ca,
                                            sh->client_cert};
    if (sh->cert_variants)
        add_limit(o, "--cert-variants", sh->cert_variants);
    /* the certificate axes vary the generated chain: the probe has it too */
    o->certs.chain |= o->axes && (strstr(o->axes, "cert") || strstr(o->axes, "ocsp"));
    /* each attempt has an engine of its own: no resumption unless asked for
     * (the resumption axis, or --resumption) */
    o->resumption = (struct sweep_options_resume){sh->resumption_set ? sh->resumption_off
                                                                 : TP_RESUME_ALL,
                                              sh->tickets, sh->tickets_set, sh->early_data};
    o->timeout = sh->timeout;
    if (sh->mail) { /* --starttls P / --smtp ...: the servers speak that mail dialogue */
        o->mode = (tp_mode)tp_mode_for_mail(sh->mail);
        o->starttls = sh->starttls;
    }
    if ((o->proxy = serve_opts_upstream(sh)) != NULL)
        o->mode = TP_MODE_PROXY; /* the sweep's configuration is the client-facing side */
    return 0;
}

/* What the command line says beside the sweep's own options. */
typedef struct {
    sweep_options o;
    serve_shape shape;
    const char *trace, *keylog;
    bool keylog_opt;
    int verbosity; /* sweep prints its own lines; -v adds the trace */
    bool mode_set;
    const char *dashboard; /* --dashboard [ADDR:]PORT */
} sweep_cli;

enum { PARSE_HELP = -2 };

/* A sweep option whose value is checked: 0, the exit code after a message,
 * or -1 when ch is none of them. */
static int parse_checked(sweep_cli *x, int ch, const char *arg)
{
    double d;
    switch (ch) {
    case OPT_CLIENT_TIMEOUT:
        if (!parse_num(arg, 0.1, 86400, &x->o.client_timeout))
            return usage_error("--client-timeout wants seconds (0.1 to 86400), not '%s'", arg);
        break;
    case 'j':
        if (!parse_num(arg, 1, 64, &d) || d != (unsigned)d)
            return usage_error("-j wants a number of parallel clients (1 to 64), not '%s'", arg);
        x->o.jobs = (unsigned)d;
        break;
    case OPT_REPEAT:
        if (!parse_num(arg, 1, 100, &d) || d != (unsigned)d)
            return usage_error("--repeat wants a count (1 to 100), not '%s'", arg);
        x->o.repeat = (unsigned)d;
        break;
    case OPT_STRATEGY:
        if (strcmp(arg, "adaptive") != 0 && strcmp(arg, "full") != 0)
            return usage_error("--strategy wants adaptive or full, not '%s'", arg);
        x->o.strategy = arg[0] == 'a' ? SWEEP_STRATEGY_ADAPTIVE : SWEEP_STRATEGY_FULL;
        break;
    case OPT_WINDOW:
        if (!parse_num(arg, 0, 600, &x->o.window))
            return usage_error("--per-attempt-window wants seconds (0 to 600), not '%s'", arg);
        break;
    case OPT_PORT:
        if (!parse_port_range(arg, &x->o.port, &x->o.port_hi))
            return usage_error("--port wants a port number or a range LO-HI (1-65535, "
                               "LO <= HI), not '%s'",
                               arg);
        x->o.port_set = x->o.port != 0;
        break;
    case OPT_LISTEN:
        if (!serve_opts_listen_valid(arg))
            return usage_error(
                "--listen %s: not an address to listen on (" SERVE_OPTS_LISTEN_HINT ")", arg);
        x->o.listen = arg;
        break;
    case OPT_HTTP:
    case OPT_ECHO:
        if (x->mode_set && x->o.mode != (ch == OPT_HTTP ? TP_MODE_HTTP : TP_MODE_ECHO))
            return usage_error("--http and --echo exclude each other");
        x->o.mode = ch == OPT_HTTP ? TP_MODE_HTTP : TP_MODE_ECHO;
        x->mode_set = true;
        break;
    case OPT_INTERACTIVE:
        return usage_error(
            "--interactive serves one client by hand; a sweep needs --http or --echo");
    case OPT_PRIORITY:
        return usage_error("--priority fixes one configuration; a sweep builds one per "
                           "combination: use --protocols, --ciphers, --macs, --kx, --groups, "
                           "--sigalgs");
    default:
        return -1;
    }
    return 0;
}

/* One of the sweep's own options: 0, PARSE_HELP, or the exit code after a
 * message. */
static int parse_own(sweep_cli *x, int ch, const char *arg, char **argv)
{
    int rc = parse_checked(x, ch, arg);
    if (rc >= 0)
        return rc;
    switch (ch) {
    case OPT_AXES:
        x->o.axes = arg;
        break;
    case OPT_CLIENT:
        x->o.client_cmd = arg;
        break;
    case OPT_UNOFFERED:
        x->o.include_unoffered = true;
        break;
    case OPT_JOURNAL:
        x->o.journal = arg;
        break;
    case OPT_RESUME:
        x->o.resume = true;
        break;
    case OPT_REPORT:
        x->o.report_html = arg;
        break;
    case OPT_JSON:
        x->o.json_out = arg;
        break;
    case OPT_DASHBOARD:
        x->dashboard = arg;
        break;
    case OPT_KEY_TYPES:
        add_limit(&x->o, "--key-types", arg);
        break;
    case OPT_QUIRKS:
        add_limit(&x->o, "--quirks", arg);
        break;
    case OPT_ALPNS: /* the alpn and sni-mode axes (sweep/axis_names.c) */
        add_limit(&x->o, "--alpns", arg);
        break;
    case OPT_SNI_MODES:
        add_limit(&x->o, "--sni-modes", arg);
        break;
    case OPT_RESUMPTIONS:
        add_limit(&x->o, "--resumptions", arg);
        break;
    case OPT_TRACE:
        x->trace = arg;
        break;
    case OPT_KEYLOG:
        x->keylog = arg;
        x->keylog_opt = true;
        break;
    case OPT_WORKERS:
        break; /* one event loop per slot */
    case 'v':
        x->verbosity = x->verbosity < 0 ? 0 : x->verbosity + 1;
        break;
    case 'q':
        x->o.quiet = true;
        break;
    case 'h':
        fputs(sweep_usage, stdout);
        serve_opts_help(stdout, SERVE_OPTS_SWEEP);
        return PARSE_HELP;
    case ':':
        return usage_error("%s needs a value", argv[optind - 1]);
    default:
        return usage_error("unknown option '%s'", argv[optind - 1]);
    }
    return 0;
}

/* 0 to go on, PARSE_HELP, or the exit code after a message. */
static int parse_args(sweep_cli *x, int argc, char **argv)
{
    struct option long_opts[NUM_OWN_OPTS + SERVE_OPTS_ROWS_MAX + 1];
    const char *shorts;
    if (!cmd_sweep_options(long_opts, sizeof long_opts / sizeof long_opts[0], &shorts))
        return 1;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
        int rc = serve_opts_handle(&x->shape, "sweep", ch, optarg);
        if (rc < 0)
            rc = parse_own(x, ch, optarg, argv);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (x->mode_set && x->shape.mail)
        return usage_error("--%s: not with --http or --echo (one mode)", x->shape.mail_flag);
    int shape_rc = take_shape(&x->o, &x->shape);
    if (shape_rc)
        return shape_rc;
    if (x->o.resume && !x->o.journal)
        return usage_error("--resume needs --journal FILE");
    if (x->o.client_cmd && !strstr(x->o.client_cmd, "{port}"))
        return usage_error("--client command has no {port}: it could not reach the sweep's server");
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_cli x = {.shape = {.timeout = 30}, .keylog = getenv("SSLKEYLOGFILE"), .verbosity = -2};
    sweep_options *op = &x.o;
    op->port = 5556;
    op->mode = TP_MODE_HTTP;
    op->client_timeout = 20;
    op->jobs = 1;
    op->repeat = 1;
    op->out = stdout;
    int parsed = parse_args(&x, argc, argv);
    if (parsed)
        return parsed == PARSE_HELP ? 0 : parsed;
    if ((x.shape.save_ca || x.shape.save_client_cert) &&
        (parsed = certs_save_ca_first(&x.shape, "sweep")) != 0)
        return parsed;
    sweep_options o = x.o;
    int rc_dash = 0;
    const char *trace = x.trace, *keylog = x.keylog;
    bool keylog_opt = x.keylog_opt;
    int verbosity = x.verbosity;

    capture_outfile trace_f = {.fd = -1}, keylog_f = {.fd = -1};
    tp_sink *json_sink = NULL, *text_sink = NULL;
    if (trace) {
        if (!serve_opts_open_output(&trace_f, "tlsprobe sweep: --trace", trace, false))
            return 1;
        json_sink = report_json_sink_new_file(&trace_f, false);
        o.sinks[o.num_sinks++] = json_sink;
    }
    if (keylog && *keylog) {
        if (!serve_opts_open_output(&keylog_f,
                                    keylog_opt ? "tlsprobe sweep: --keylog"
                                               : "tlsprobe sweep: SSLKEYLOGFILE",
                                    keylog, true)) {
            report_json_sink_free(json_sink);
            capture_outfile_close(&trace_f);
            return 1;
        }
        o.keylog = &keylog_f;
    }
    if (verbosity >= 0) {
        text_sink =
            report_text_sink_new(stdout, verbosity - 1, report_text_want_color(stdout), false);
        o.sinks[o.num_sinks++] = text_sink;
    }

    cli_dashboard *dash = x.dashboard ? cli_dashboard_start("sweep", x.dashboard) : NULL;
    if (x.dashboard && !dash)
        rc_dash = 2;
    o.live_line = dash ? cli_dashboard_line : NULL;
    o.live_state = dash ? cli_dashboard_state : NULL;
    o.live_arg = dash;
    int rc = rc_dash ? rc_dash : sweep_run(&o);
    if (dash && !rc_dash)
        cli_dashboard_hold(dash, 600);
    cli_dashboard_stop(dash);

    if (json_sink)
        report_json_sink_free(json_sink);
    if (text_sink)
        report_text_sink_free(text_sink);
    /* a write error was named on stderr when it happened; it fails the run */
    if ((capture_outfile_close(&trace_f) != 0 || capture_outfile_close(&keylog_f) != 0) && rc == 0)
        rc = 1;
    return rc;
}
