/* tlsprobe serve: a TLS test server whose every connection ends in a trace
 * and a verdict.  Parses options, builds the engine and the sinks, runs the
 * server, prints the summary. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd.h"
#include "analysis/fleet.h"
#include "cli/fleet_out.h"
#include "engine/engine.h"
#include "engine/names.h"
#include "report/json_sink.h"
#include "report/pcapng_sink.h"
#include "report/text_sink.h"
#include "server/server.h"
#include "certs_opts.h"
#include "engine_opts.h"
#include "serve_keep.h"
#include "serve_opts.h"
#include "dashboard.h"
#include "serve_opts_names.h"

#define MAX_LISTEN 16
#define MAX_WORKERS 256
#define MAX_CONNS 1000000

static const char *const usage_head =
    "usage: tlsprobe serve [options]\n"
    "\n"
    "A TLS server for finding out why a client fails: every connection is\n"
    "traced (records, handshake messages, alerts) and ends with a verdict:\n"
    "  [N] OK|FAIL|UNUSED (phase, who acted, seconds): what happened, why\n"
    "OK: the TLS session worked; UNUSED: a connection opened and never used.\n"
    "\n"
    "Listening:\n"
    "  --port N              TCP port (default 5556; 0: any free port, printed)\n"
    "  --listen ADDR         address to listen on; repeatable\n"
    "                        (default: 0.0.0.0 and ::)\n"
    "  --workers N           event loops / threads (default 1)\n"
    "  --max-conns N         connections open at once; above it a connection is\n"
    "                        refused with a verdict and a line on stderr (default:\n"
    "                        the open-file limit, ulimit -n, minus a margin)\n"
    "\n"
    "Mode (one of):\n"
    "  --http                status page over HTTPS: HTML, or text/plain when the\n"
    "                        client prefers it (default); bytes that are no\n"
    "                        HTTP/1.x request get 400, HTTP/2 a GOAWAY\n"
    "  --echo                send back whatever the client sends\n"
    "  --interactive         one client: stdin goes to it, what it sends is printed;\n"
    "                        a line starting with '/' is a command: /renegotiate,\n"
    "                        /keyupdate, /keyupdate-request, /auth (post-handshake\n"
    "                        client auth), /close, /alert LEVEL NAME, /help\n"
    "  --smtp, --imap, --pop3, --starttls P   mail dialogues (below)\n"
    "  --upstream HOST:PORT  a terminating proxy in front of a real server (below;\n"
    "                        with --starttls P its preamble comes from the upstream;\n"
    "                        --keep failing and --rotate for long runs)\n"
    "\n"
    "Negotiation, credentials, timeout (as in tlsprobe sweep; names as printed\n"
    "by `tlsprobe list`):\n";

static const char *const usage_tail =
    "  --save-cert FILE      write the generated certificate (PEM) to FILE\n"
    "\n"
    "Record quirks (docs/quirks.md; `tlsprobe list` names them):\n"
    "  --quirk NAME[=VALUE]  reshape the server's records, e.g. cbc-padding=max,\n"
    "                        hs-fragment=64, appdata-split=1/n-1; repeatable\n"
    "\n"
    "Output:\n"
    "  --trace FILE          JSON lines trace (docs/trace-format.md), mode 0600\n"
    "  --keylog FILE         NSS key log, mode 0600 (default: $SSLKEYLOGFILE)\n"
    "  --pcap FILE           pcapng of every connection with its keys embedded\n"
    "  --fleet-summary[=FILE] at the end, the connections grouped by client\n"
    "                        fingerprint and verdict, as `tlsprobe fleet` prints them\n"
    "                        (on standard output, or to FILE, mode 0600)\n"
    "  --records             put record bytes (ciphertext, plaintext) in the trace\n"
    "  --bundle FILE.tar.gz  at the end, a bug-report bundle: text and JSON trace,\n"
    "                        pcapng with keys, certificate, versions, command line,\n"
    "                        README.md (mode 0600; tlsprobe bundle --help); keys and\n"
    "                        key logs of your own --cert only with\n"
    "                        --bundle-include-secrets\n"
    "  --dashboard [ADDR:]PORT  a live page of the last verdicts at\n"
    "                        http://127.0.0.1:PORT/ (0: any free port, printed)\n"
    "  -v, -vv               one line per record and message, and each verdict's\n"
    "                        layers; -vv adds hex\n"
    "  -q                    verdicts only\n"
    "  -h, --help            this text\n"
    "\n"
    "Stop with Ctrl-C (SIGINT) or SIGTERM: open connections end with a verdict\n"
    "and a one-line summary is printed.\n";

enum {
    OPT_PORT = 256,
    OPT_LISTEN,
    OPT_ECHO,
    OPT_HTTP,
    OPT_INTERACTIVE,
    OPT_SAVE_CERT,
    OPT_WORKERS,
    OPT_MAX_CONNS,
    OPT_TRACE,
    OPT_KEYLOG,
    OPT_PCAP,
    OPT_RECORDS,
    OPT_QUIRK,
    OPT_DASHBOARD,
    OPT_FLEET_SUMMARY,
};

/* serve's own options; the shared ones (serve_opts.h) are added to them. */
static const struct option own_opts[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"echo", no_argument, NULL, OPT_ECHO},
    {"http", no_argument, NULL, OPT_HTTP},
    {"interactive", no_argument, NULL, OPT_INTERACTIVE},
    {"save-cert", required_argument, NULL, OPT_SAVE_CERT},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"pcap", required_argument, NULL, OPT_PCAP},
    {"records", no_argument, NULL, OPT_RECORDS},
    {"quirk", required_argument, NULL, OPT_QUIRK},
    {"dashboard", required_argument, NULL, OPT_DASHBOARD},
    {"fleet-summary", optional_argument, NULL, OPT_FLEET_SUMMARY},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
};
#define NUM_OWN_OPTS (sizeof own_opts / sizeof own_opts[0])

typedef struct {
    unsigned port;
    const char *listen[MAX_LISTEN];
    unsigned num_listen;
    tp_mode mode;
    const char *mode_flag;
    serve_shape shape; /* the options shared with sweep */
    const char *save_cert;
    unsigned workers;
    unsigned max_conns; /* 0: the server's default */
    const char *trace, *keylog, *pcap;
    bool records;
    bool fleet_summary;
    const char *fleet_file; /* --fleet-summary=FILE, or NULL: standard output */
    int verbosity;
    tp_quirk_set quirks;
    const char *dashboard; /* --dashboard [ADDR:]PORT */
} serve_opts;

/* "serve", or "proxy" when tlsprobe proxy runs it (cmd_proxy.c): every
 * message starts "tlsprobe <command>:". */
static const char *serve_cmd = "serve";
static bool serve_as_proxy;
#define CMD_LABEL(opt) (serve_as_proxy ? "tlsprobe proxy: " opt : "tlsprobe serve: " opt)

#define usage_error(...) serve_opts_usage_error(serve_cmd, __VA_ARGS__)

unsigned cmd_serve_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    *out_shorts = ":vqh";
    if (cap < NUM_OWN_OPTS + 1)
        return 0;
    memcpy(opts, own_opts, sizeof own_opts);
    return serve_opts_long_opts(opts, NUM_OWN_OPTS, cap, SERVE_OPTS_SERVE);
}

static void usage_print(void)
{
    fputs(usage_head, stdout);
    serve_opts_help(stdout, SERVE_OPTS_SERVE);
    fputs(usage_tail, stdout);
}

static bool parse_uint(const char *s, unsigned long max, unsigned *out)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool set_mode(serve_opts *o, tp_mode m, const char *flag)
{
    if (o->mode_flag && strcmp(o->mode_flag, flag) != 0)
        return false;
    o->mode = m;
    o->mode_flag = flag;
    return true;
}

/* An option whose value is checked: 0 when taken, the exit code after the
 * message when the value is bad, -1 when ch is none of them. */
static int parse_checked(int ch, const char *arg, serve_opts *o)
{
    switch (ch) {
    case OPT_PORT:
        if (!parse_uint(arg, 65535, &o->port))
            return usage_error("--port %s: not a port (0-65535)", arg);
        return 0;
    case OPT_LISTEN:
        if (!serve_opts_listen_valid(arg))
            return usage_error(
                "--listen %s: not an address to listen on (" SERVE_OPTS_LISTEN_HINT ")", arg);
        if (o->num_listen == MAX_LISTEN)
            return usage_error("--listen %s: too many addresses (at most %d)", arg, MAX_LISTEN);
        o->listen[o->num_listen++] = arg;
        return 0;
    case OPT_WORKERS:
        if (!parse_uint(arg, MAX_WORKERS, &o->workers) || !o->workers)
            return usage_error("--workers %s: not a worker count (1-%d)", arg, MAX_WORKERS);
        return 0;
    case OPT_MAX_CONNS:
        if (!parse_uint(arg, MAX_CONNS, &o->max_conns) || !o->max_conns)
            return usage_error("--max-conns %s: not a connection count (1-%d)", arg, MAX_CONNS);
        return 0;
    case OPT_QUIRK: {
        char err[1024];
        if (!tp_quirk_set_add(&o->quirks, arg, err, sizeof err))
            return usage_error("--quirk %s: %s", arg, err);
        return 0;
    }
    default:
        return -1;
    }
}

/* A mode or a plain value; -1 when ch is none of them. */
static int parse_plain(int ch, const char *arg, serve_opts *o)
{
    const char **dst = ch == OPT_SAVE_CERT   ? &o->save_cert
                       : ch == OPT_TRACE     ? &o->trace
                       : ch == OPT_KEYLOG    ? &o->keylog
                       : ch == OPT_PCAP      ? &o->pcap
                       : ch == OPT_DASHBOARD ? &o->dashboard
                                             : NULL;
    if (dst) {
        *dst = arg;
        return 0;
    }
    if (ch == OPT_FLEET_SUMMARY) {
        o->fleet_summary = true;
        o->fleet_file = arg && *arg ? arg : NULL;
        return 0;
    }
    if (ch == OPT_ECHO || ch == OPT_HTTP || ch == OPT_INTERACTIVE) {
        tp_mode m = ch == OPT_ECHO   ? TP_MODE_ECHO
                    : ch == OPT_HTTP ? TP_MODE_HTTP
                                     : TP_MODE_INTERACTIVE;
        const char *f = ch == OPT_ECHO ? "--echo" : ch == OPT_HTTP ? "--http" : "--interactive";
        if (!set_mode(o, m, f))
            return usage_error("%s and %s: choose one mode (--http, --echo, --interactive)",
                               o->mode_flag, f);
        return 0;
    }
    if (ch == OPT_RECORDS)
        o->records = true;
    else if (ch == 'v')
        o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
    else if (ch == 'q')
        o->verbosity = -1;
    else
        return -1;
    return 0;
}

/* The options together. */
static int check_opts(serve_opts *o)
{
    int rc = serve_opts_check(&o->shape, serve_cmd);
    if (!rc)
        rc = certs_opts_check(&o->shape, serve_cmd);
    if (!rc)
        rc = engine_opts_check(&o->shape, serve_cmd);
    if (rc)
        return rc;
    if (o->shape.has_upstream && o->mode_flag)
        return usage_error("--upstream and %s: the proxy is a mode of its own; choose one",
                           o->mode_flag);
    if (o->shape.cert && o->shape.key_type)
        return usage_error("--key-type %s: only for the generated certificate, not with "
                           "--cert",
                           o->shape.key_type);
    if (o->shape.cert && o->save_cert)
        return usage_error("--save-cert %s: only for the generated certificate, not with "
                           "--cert",
                           o->save_cert);
    if (o->shape.mail && o->mode_flag) /* mail: --smtp, --starttls smtp, ... */
        return usage_error("%s and --%s: choose one mode", o->mode_flag, o->shape.mail_flag);
    if (o->shape.mail)
        o->mode = (tp_mode)tp_mode_for_mail(o->shape.mail);
    if (o->shape.has_upstream) /* the proxy; --starttls P / --smtp name its protocol */
        o->mode = TP_MODE_PROXY;
    if (o->verbosity > 2)
        o->verbosity = 2;
    return 0;
}

/* Returns 0 to go on, or an exit code (help: 0 through *out_done). */
static int parse_opts(int argc, char **argv, serve_opts *o, bool *out_done)
{
    memset(o, 0, sizeof *o);
    o->port = 5556;
    o->mode = TP_MODE_HTTP;
    o->shape.timeout = 30;
    o->workers = 1;
    *out_done = false;
    struct option long_opts[NUM_OWN_OPTS + SERVE_OPTS_ROWS_MAX + 1];
    const char *shorts;
    if (!cmd_serve_options(long_opts, sizeof long_opts / sizeof long_opts[0], &shorts))
        return 1;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
        int rc = serve_opts_handle(&o->shape, serve_cmd, ch, optarg);
        if (rc < 0)
            rc = parse_checked(ch, optarg, o);
        if (rc < 0)
            rc = parse_plain(ch, optarg, o);
        if (rc > 0)
            return rc;
        if (rc == 0)
            continue;
        if (ch == 'h') {
            usage_print();
            *out_done = true;
            return 0;
        }
        if (ch == ':')
            return usage_error("%s needs a value", argv[optind - 1]);
        return usage_error("unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'; see --help", argv[optind]);
    return check_opts(o);
}

/* Addresses for the generated certificate's SAN: the listening addresses,
 * with wildcards replaced by the loopback of their family. */
static unsigned san_addresses(const serve_opts *o, const char **out, char bufs[][64], unsigned max)
{
    unsigned n = 0;
    if (!o->num_listen) {
        out[n++] = "127.0.0.1";
        out[n++] = "::1";
        return n;
    }
    for (unsigned i = 0; i < o->num_listen && n < max; i++) {
        const char *a = o->listen[i];
        size_t len = strlen(a);
        if (len >= 2 && a[0] == '[' && a[len - 1] == ']' && len - 2 < 64) {
            memcpy(bufs[i], a + 1, len - 2);
            bufs[i][len - 2] = '\0';
            a = bufs[i];
        }
        if (!strcmp(a, "0.0.0.0"))
            a = "127.0.0.1";
        else if (!strcmp(a, "::"))
            a = "::1";
        out[n++] = a;
    }
    return n;
}

/* --save-cert: the engine hands over the generated certificate's PEM and
 * the command writes it.  A certificate is public: 0644 (files that hold
 * secrets, traces and key logs, are 0600), never through a symbolic link. */
static bool save_cert(const char *path, const tp_engine *engine, char *err, size_t err_len)
{
    size_t len = 0;
    const char *pem = tp_engine_cert_pem(engine, &len);
    if (!pem) {
        snprintf(err, err_len, "--save-cert %s: no generated certificate to save", path);
        return false;
    }
    return certs_write_public("--save-cert", path, pem, len, err, err_len);
}

/* The connection limit in force, and a warning when --max-conns asks for
 * more than the open-file limit allows (the excess is refused at accept()). */
static void max_conns_hint(const serve_opts *o, const tp_server *srv)
{
    unsigned max = tp_server_max_conns(srv);
    struct rlimit nofile;
    bool known = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY;
    if (o->max_conns && known && o->max_conns >= nofile.rlim_cur)
        fprintf(stderr,
                "tlsprobe %s: --max-conns %u is above the open-file limit (%llu, ulimit -n): "
                "connections beyond it are refused when accept() fails\n",
                serve_cmd, o->max_conns, (unsigned long long)nofile.rlim_cur);
    else
        fprintf(stderr, "at most %u connections at once%s\n", max,
                o->max_conns ? "" : " (the open-file limit minus a margin; --max-conns)");
}

/* How to reach the first listener, for the http hint. */
static void connect_hint(const char *bound, char *out, size_t out_len)
{
    const char *colon = strrchr(bound, ':');
    const char *port = colon ? colon + 1 : "5556";
    if (!strncmp(bound, "0.0.0.0:", 8) || !strncmp(bound, "[::]:", 5))
        snprintf(out, out_len, "https://localhost:%s/", port);
    else
        snprintf(out, out_len, "https://%.*s:%s/", (int)(colon ? colon - bound : 0), bound, port);
}

/* The priority string: --priority as given (checked), or built from the
 * lists.  0, or the exit code after the message. */
static int serve_priority(const serve_opts *o, char *priority, size_t cap)
{
    char err[2048];
    if (engine_opts_openssl(&o->shape)) { /* the lists go to the engine as typed */
        priority[0] = '\0';
        return 0;
    }
    if (o->shape.priority) {
        if (engine_priority_check(o->shape.priority, err, sizeof err) != TP_OK) {
            fprintf(stderr, "tlsprobe %s: --priority: %s\n", serve_cmd, err);
            return 2;
        }
        snprintf(priority, cap, "%s", o->shape.priority);
    } else if (engine_build_priority(&o->shape.lists, priority, cap, err, sizeof err) != TP_OK) {
        fprintf(stderr, "tlsprobe %s: %s\n", serve_cmd, err);
        return 2;
    }
    fprintf(stderr, "priority: %s\n", priority);
    return 0;
}

/* The engine with its credentials (and --save-cert); NULL after the message. */
static tp_engine *serve_engine(const serve_opts *o, const char *priority)
{
    char err[2048];
    char hostname[256] = "";
    if (gethostname(hostname, sizeof hostname - 1) != 0)
        hostname[0] = '\0';
    const char *san_dns[3] = {"localhost", NULL, NULL};
    if (hostname[0] && strcmp(hostname, "localhost") != 0)
        san_dns[1] = hostname;
    const char *san_ip[MAX_LISTEN + 1];
    char san_bufs[MAX_LISTEN][64];
    unsigned num_ip = san_addresses(o, san_ip, san_bufs, MAX_LISTEN);
    san_ip[num_ip] = NULL;

    tp_engine_config ecfg = {
        .priority = priority,
        .cert_file = o->shape.cert,
        .key_file = o->shape.key,
        .key_type = o->shape.key_type ? o->shape.key_type : "rsa:2048",
        .san_dns = san_dns,
        .san_ip = san_ip,
        .client_cert = o->shape.client_cert,
        .renegotiation = o->shape.renegotiation,
        .psk = o->shape.psk,
        .num_psk = o->shape.num_psk,
        .srp = o->shape.srp,
        .num_srp = o->shape.num_srp,
        .chain = o->shape.chain,
        .cert_variant = o->shape.cert_variant,
        .ocsp = o->shape.ocsp,
        .client_ca = o->shape.client_ca,
    };
    engine_opts_config(&ecfg, &o->shape);
    serve_opts_names_for_mode(&ecfg.names, &o->shape.names, o->mode == TP_MODE_HTTP);
    serve_opts_names_note(&ecfg.names, o->mode == TP_MODE_HTTP, serve_cmd);
    serve_opts_resumption_apply(&o->shape, &ecfg);
    /* A renegotiation the server asks for (--quirk hello-request, the
     * interactive /renegotiate): GnuTLS fails it while a TLS 1.2 ticket is
     * due, so no TLS 1.2 tickets then (docs/design.md, resumption) */
    if (strstr(o->quirks.all_label, "hello-request") || o->mode == TP_MODE_INTERACTIVE)
        ecfg.resumption_off |= TP_RESUME_TICKET;
    tp_engine *engine = tp_engine_new(&ecfg, err, sizeof err);
    if (!engine) {
        fprintf(stderr, "tlsprobe %s: %s\n", serve_cmd, err);
        return NULL;
    }
    if (o->save_cert && !save_cert(o->save_cert, engine, err, sizeof err)) {
        fprintf(stderr, "tlsprobe %s: %s\n", serve_cmd, err);
        tp_engine_free(engine);
        return NULL;
    }
    if (o->shape.save_client_cert && !certs_save_client_cert(o->shape.save_client_cert, serve_cmd)) {
        tp_engine_free(engine);
        return NULL;
    }
    if (o->shape.save_ca && !certs_save_ca(o->shape.save_ca, engine, err, sizeof err)) {
        fprintf(stderr, "tlsprobe %s: %s\n", serve_cmd, err);
        tp_engine_free(engine);
        return NULL;
    }
    if (engine_opts_openssl(&o->shape)) /* where gnutls says its priority string */
        fprintf(stderr, "engine: openssl (OpenSSL %s, security level 0)\n",
                tp_engine_openssl_version());
    fprintf(stderr, "certificate SHA-256 %s\n", tp_engine_cert_fingerprint(engine));
    if (o->save_cert)
        fprintf(stderr, "certificate written to %s\n", o->save_cert);
    return engine;
}

/* Many idle clients (or a load test) need more descriptors than the usual
 * soft limit of 1024; the hard limit is the user's ceiling. */
static void raise_fd_limit(void)
{
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
        rlim_t want = nofile.rlim_max > 65536 ? 65536 : nofile.rlim_max;
        if (want > nofile.rlim_cur) {
            nofile.rlim_cur = want;
            (void)setrlimit(RLIMIT_NOFILE, &nofile);
        }
    }
}

/* The sinks and files of one run. */
typedef struct {
    capture_outfile trace_file, keylog_file;
    tp_sink *text, *json, *pcap;
    serve_keep keep; /* --keep failing, --rotate: instead of the three */
    const char *keylog; /* --keylog or $SSLKEYLOGFILE, or NULL */
    tp_sink *fleet;     /* --fleet-summary: the same grouping as tlsprobe fleet */
    fleet_table fleet_table;
} serve_outputs;

static void trace_flush(void *json_sink)
{
    report_json_sink_flush(json_sink);
}

/* The text, JSON and pcapng sinks into p; false after the message. */
static bool outputs_sinks(const serve_opts *o, serve_outputs *out, tp_server_params *p)
{
    char err[2048];
    out->text =
        report_text_sink_new(stdout, o->verbosity, report_text_want_color(stdout), o->records);
    if (out->text)
        p->sinks[p->num_sinks++] = out->text;
    if (o->trace) {
        if (!serve_opts_open_output(&out->trace_file, CMD_LABEL("--trace"), o->trace, false))
            return false;
        if (!(out->json = report_json_sink_new_file(&out->trace_file, o->records)))
            return false;
        p->sinks[p->num_sinks++] = out->json;
        if (report_json_sink_batch(out->json)) { /* a pass's lines in one write() */
            p->on_pass = trace_flush;
            p->on_pass_ctx = out->json;
        }
    }
    if (o->pcap) {
        out->pcap = report_pcapng_sink_new(CMD_LABEL("--pcap"), o->pcap, err, sizeof err);
        if (!out->pcap) {
            fprintf(stderr, "%s\n", err);
            return false;
        }
        p->sinks[p->num_sinks++] = out->pcap;
    }
    return true;
}

/* Opens them and adds the sinks to p; false after the message. */
static bool outputs_open(const serve_opts *o, serve_outputs *out, tp_server_params *p)
{
    if (serve_keep_wanted(&o->shape)) { /* --keep failing, --rotate */
        if (o->trace &&
            !serve_opts_open_output(&out->trace_file, CMD_LABEL("--trace"), o->trace, false))
            return false;
        if (!serve_keep_open(&out->keep, &o->shape, o->trace ? &out->trace_file : NULL, o->pcap,
                             o->records, o->verbosity, CMD_LABEL("--pcap"), p))
            return false;
    } else if (!outputs_sinks(o, out, p)) {
        return false;
    }
    if (o->fleet_summary) {
        fleet_table_init(&out->fleet_table);
        if (!(out->fleet = fleet_sink_new(&out->fleet_table, 0)))
            return false;
        p->sinks[p->num_sinks++] = out->fleet;
    }
    out->keylog = o->keylog;
    const char *env = getenv("SSLKEYLOGFILE");
    if (!out->keylog && env && env[0])
        out->keylog = env;
    if (out->keylog && !serve_opts_open_output(&out->keylog_file,
                                               o->keylog ? CMD_LABEL("--keylog")
                                                         : CMD_LABEL("SSLKEYLOGFILE"),
                                               out->keylog, true))
        return false;
    p->keylog = out->keylog ? &out->keylog_file : NULL;
    return true;
}

/* Closes them; a write error (named on stderr when it happened) fails the run. */
static int outputs_close(serve_outputs *out, int rc)
{
    if (report_pcapng_sink_free(out->pcap) != 0 || serve_keep_close(&out->keep) != 0)
        rc = 1;
    report_json_sink_free(out->json);
    report_text_sink_free(out->text);
    if (out->fleet) {
        fleet_sink_free(out->fleet);
        fleet_table_cleanup(&out->fleet_table);
    }
    if (capture_outfile_close(&out->trace_file) != 0 ||
        capture_outfile_close(&out->keylog_file) != 0)
        rc = 1;
    return rc;
}

/* What a user needs before the first client: where, the limit, how to connect. */
static void print_ready(const serve_opts *o, tp_server *srv, const char *keylog)
{
    max_conns_hint(o, srv);
    const char *const *bound;
    unsigned num_bound = tp_server_bound(srv, &bound);
    for (unsigned i = 0; i < num_bound; i++)
        fprintf(stderr, "listening on %s\n", bound[i]);
    if (keylog)
        fprintf(stderr, "key log: %s\n", keylog);
    if (o->quirks.num)
        fprintf(stderr, "record quirks: %s (the server's records are reshaped; docs/quirks.md)\n",
                o->quirks.all_label);
    if (o->mode == TP_MODE_HTTP) {
        char url[128];
        connect_hint(bound[0], url, sizeof url);
        fprintf(stderr,
                "connect with: curl -k %s   (or open it in a browser; "
                "curl -k -H 'Accept: text/plain' %s for text)\n",
                url, url);
    } else if (o->mode == TP_MODE_PROXY) {
        fprintf(stderr, "proxy to %s%s (the client's TLS ends here)\n", o->shape.proxy.addr_text,
                o->shape.upstream_tls ? " over TLS" : "");
    } else if (o->shape.mail) { /* a mail client; any credentials */
        char url[128];
        connect_hint(bound[0], url, sizeof url); /* https://HOST:PORT/ */
        const char *p = wire_mail_proto_name(o->shape.mail);
        if (o->shape.mail == TP_MAIL_SMTP)
            fprintf(stderr, "connect with: swaks --server %.*s %s --to rcpt@example.org\n",
                    (int)strlen(url + 8) - 1, url + 8, o->shape.starttls ? "--tls" : "--tlsc");
        else
            fprintf(stderr, "connect with: curl -k%s %s%s%s -u user:any\n",
                    o->shape.starttls ? " --ssl-reqd" : "", p, o->shape.starttls ? "" : "s",
                    url + 5);
    } else if (o->mode == TP_MODE_INTERACTIVE) {
        fprintf(stderr, "waiting for one client; once it is connected, lines typed here "
                        "go to it\n");
    }
    fflush(stderr);
}

/* --fleet-summary: the groups on standard output, or to FILE (0600, no
 * symbolic link: capture/outfile.h).  0, or 1 after a message naming the
 * file. */
static int fleet_summary_write(fleet_table *t, const char *path)
{
    fleet_out_params fp = {.cmd = serve_as_proxy ? "tlsprobe proxy" : "tlsprobe serve", .keys = true};
    if (!path)
        return fleet_out_write(t, &fp, stdout);
    capture_outfile f;
    char err[256];
    if (!capture_outfile_open(&f, CMD_LABEL("--fleet-summary"), path,
                              CAPTURE_OUTFILE_TRUNC, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *out = capture_outfile_stream(&f, "w");
    int rc = out ? fleet_out_write(t, &fp, out) : 1;
    if (out && (ferror(out) | fclose(out))) {
        fprintf(stderr, "tlsprobe %s: --fleet-summary %s: write failed: %s\n", serve_cmd,
                path, strerror(errno));
        rc = 1;
    }
    capture_outfile_close(&f);
    return rc;
}

int cmd_proxy_serve(int argc, char **argv)
{
    serve_cmd = "proxy";
    serve_as_proxy = true;
    return cmd_serve(argc, argv);
}

int cmd_serve(int argc, char **argv)
{
    serve_opts o;
    bool done;
    int rc = parse_opts(argc, argv, &o, &done);
    if (rc || done)
        return rc;
    char priority[4096];
    if ((rc = serve_priority(&o, priority, sizeof priority)) != 0)
        return rc;
    tp_engine *engine = serve_engine(&o, priority);
    if (!engine)
        return 2;
    raise_fd_limit();
    /* A client that closes early must not kill the server through SIGPIPE
     * (sockets use MSG_NOSIGNAL; this covers stdout to a closed pipe). */
    signal(SIGPIPE, SIG_IGN);

    rc = 1;
    serve_outputs out = {.trace_file = {.fd = -1}, .keylog_file = {.fd = -1}};
    tp_server *srv = NULL;
    tp_server_params p;
    memset(&p, 0, sizeof p);
    cli_dashboard *dash = NULL; /* --dashboard: a sink of its own */
    if (!outputs_open(&o, &out, &p) ||
        (o.dashboard && !(dash = cli_dashboard_start(serve_cmd, o.dashboard))))
        goto end;
    if (dash)
        p.sinks[p.num_sinks++] = cli_dashboard_sink(dash);
    p.listen = o.listen;
    p.num_listen = o.num_listen;
    p.port = o.port;
    p.workers = o.workers;
    p.mode = o.mode;
    p.starttls = o.shape.starttls;
    p.timeout = o.shape.timeout;
    p.engine = engine;
    p.want_data_events = o.pcap || o.verbosity >= 2;
    p.want_record_bytes = o.records;
    p.quirks = o.quirks.num ? &o.quirks : NULL;
    p.max_conns = o.max_conns;
    p.proxy = serve_opts_upstream(&o.shape);
    char err[2048];
    if (!(srv = tp_server_new(&p, err, sizeof err))) {
        fprintf(stderr, "tlsprobe %s: %s\n", serve_cmd, err);
        goto end;
    }
    print_ready(&o, srv, out.keylog);
    tp_server_run(srv);
    unsigned conns, ok, failed;
    tp_server_totals(srv, &conns, &ok, &failed);
    fprintf(stderr, "tlsprobe: %u connection%s, %u ok, %u failed, %u unused\n", conns,
            conns == 1 ? "" : "s", ok, failed, tp_server_unused(srv));
    rc = 0;
    if (out.fleet && (out.fleet_table.num_conns || o.fleet_file))
        rc = fleet_summary_write(&out.fleet_table, o.fleet_file);
end:
    tp_server_free(srv);
    cli_dashboard_stop(dash);
    rc = outputs_close(&out, rc);
    fflush(stdout);
    tp_engine_free(engine);
    return rc;
}
