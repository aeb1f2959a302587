/* tlsprobe fleet FILE... [--keylog F] [--json] [--html FILE]
 *
 * Options and inputs only: captures go through the decode driver
 * (analysis/decode.c) into the fleet sink (analysis/fleet.h), traces
 * through fleet_trace.c; the summary is written by fleet_out.c. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/decode.h"
#include "analysis/fleet.h"
#include "cli/cmd.h"
#include "cli/fleet_out.h"
#include "cli/fleet_trace.h"

static void fleet_usage(FILE *f)
{
    fputs("usage: tlsprobe fleet FILE.pcap|FILE.pcapng|TRACE.jsonl... [--keylog FILE] [--json]\n"
          "                      [--html FILE] [-j N] [--progress|--no-progress]\n"
          "Groups every connection by client fingerprint (JA4; JA3 and the offer beside it)\n"
          "and verdict cause: count, distinct peers, outcomes, the typical verdict, first and\n"
          "last seen, an example connection; failing groups first; then the offered\n"
          "properties that distinguish the failing groups.  Without keys the verdicts come\n"
          "from the plaintext part and each group says what could not be checked.\n"
          "  --keylog FILE   NSS key log (SSLKEYLOGFILE) for the captures; secrets inside\n"
          "                  a pcapng are used too\n"
          "  --json          one JSON object instead of text (docs/trace-format.md, fleet)\n"
          "  --html FILE     also write the fleet as an HTML page, mode 0600\n"
          "  -j, --jobs N    N threads run the connections of a capture (1-64; default\n"
          "                  1: one pass; try -j 4 on an idle many-core machine).  The\n"
          "                  result is the same for every N\n"
          "  --progress      a progress bar on stderr (default: when stderr is a terminal)\n"
          "  --no-progress   none\n",
          f);
}

typedef struct {
    const char *keylog, *html;
    bool json;
    int progress; /* -1 auto */
    unsigned jobs;
    char **files;
    unsigned num_files;
} fleet_opts;

static void progress_bar(void *arg, size_t done, size_t total)
{
    const char *name = arg;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    char bar[41];
    memset(bar, '#', pct * 40 / 100);
    memset(bar + pct * 40 / 100, '.', 40 - pct * 40 / 100);
    bar[40] = '\0';
    fprintf(stderr, "\r%s [%s] %3u%%", name, bar, pct);
    fflush(stderr);
}

/* A trace starts with '{'; anything else is a capture (the reader checks). */
static bool is_trace(const char *path)
{
    FILE *f = fopen(path, "r");
    int c = f ? fgetc(f) : EOF;
    if (f)
        fclose(f);
    return c == '{';
}

static int read_trace(const char *path, tp_sink *sink)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "tlsprobe fleet: cannot open %s: %m\n", path);
        return 1;
    }
    fleet_trace_counts n;
    bool ok = fleet_trace_read(f, sink, &n);
    fclose(f);
    if (!ok) {
        fprintf(stderr, "tlsprobe fleet: cannot read %s\n", path);
        return 1;
    }
    if (n.bad_lines)
        fprintf(stderr,
                "tlsprobe fleet: note: %s: %llu line%s skipped, not a JSON object (first: line %llu)\n",
                path, n.bad_lines, n.bad_lines == 1 ? "" : "s", n.first_bad);
    if (n.verdicts == 0) {
        fprintf(stderr, "tlsprobe fleet: %s holds no verdict line (not a tlsprobe trace?)\n", path);
        return 1;
    }
    return 0;
}

static void capture_notes(const char *path, const tp_decode_counts *n)
{
    if (n->fragments)
        fprintf(stderr, "tlsprobe fleet: note: %s: %" PRIu64 " IP fragments ignored\n", path,
                n->fragments);
    if (n->truncated || n->bad)
        fprintf(stderr,
                "tlsprobe fleet: note: %s: %" PRIu64 " packets cut short or malformed skipped\n",
                path, n->truncated + n->bad);
    if (n->not_tcp || n->unsupported)
        fprintf(stderr, "tlsprobe fleet: note: %s: %" PRIu64 " packets not TCP, %" PRIu64
                        " of an unsupported link type\n",
                path, n->not_tcp, n->unsupported);
    if (n->ooo_segments || n->retransmitted || n->gap_bytes)
        fprintf(stderr,
                "tlsprobe fleet: note: %s: %" PRIu64 " out-of-order segments put back in order, %" PRIu64
                " retransmitted bytes dropped, %" PRIu64 " bytes missing from the capture\n",
                path, n->ooo_segments, n->retransmitted, n->gap_bytes);
}

static int read_capture(const fleet_opts *o, const char *path, tp_sink *sink, bool *keys)
{
    char err[512];
    tp_decode d;
    int rc = 1;
    if (!tp_decode_open(&d, path, o->keylog, err, sizeof err)) {
        fprintf(stderr, "tlsprobe fleet: %s\n", err);
        goto out;
    }
    *keys = *keys || d.keys;
    bool bar = o->progress < 0 ? isatty(STDERR_FILENO) : o->progress;
    tp_decode_params p = {.num_sinks = 1, .progress = bar ? progress_bar : NULL,
                          .progress_arg = (void *)path, .jobs = o->jobs};
    p.sinks[0] = sink;
    tp_decode_counts n;
    if (!tp_decode_run(&d, &p, &n)) {
        fprintf(stderr, "tlsprobe fleet: out of memory\n");
        goto out;
    }
    if (bar)
        fputs("\r\033[K", stderr);
    capture_notes(path, &n);
    if (tp_decode_result(&d, &n, err, sizeof err))
        rc = 0;
    else
        fprintf(stderr, "tlsprobe fleet: %s\n", err);
out:
    tp_decode_close(&d);
    return rc;
}

/* -j: the default is 1 (one pass): measured on a busy 2-core machine, -j 2
 * was slower than one pass (bench/README.md, fleet). */
enum { FLEET_MAX_JOBS = 64 };

static bool parse_jobs(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < 1 || v > FLEET_MAX_JOBS) {
        fprintf(stderr, "tlsprobe fleet: -j '%s': not a number of threads (1 to %d)\n", s,
                FLEET_MAX_JOBS);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

static const struct option fleet_opts_table[] = {
    {"keylog", required_argument, NULL, 'k'}, {"json", no_argument, NULL, 'J'},
    {"jobs", required_argument, NULL, 'j'},
    {"html", required_argument, NULL, 'H'},   {"progress", no_argument, NULL, 'p'},
    {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The parser's table (cli/cmd.h), also for tlsprobe complete. */
unsigned cmd_fleet_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof fleet_opts_table / sizeof fleet_opts_table[0];
    *out_shorts = ":k:j:H:h";
    if (cap < n)
        return 0;
    memcpy(opts, fleet_opts_table, sizeof fleet_opts_table);
    return n - 1;
}

static int fleet_parse(int argc, char **argv, fleet_opts *o)
{
    struct option opts[sizeof fleet_opts_table / sizeof fleet_opts_table[0]];
    const char *shorts;
    (void)cmd_fleet_options(opts, sizeof opts / sizeof opts[0], &shorts);
    int c;
    *o = (fleet_opts){.progress = -1, .jobs = 1};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (c == 'k' || c == 'H')
            *(c == 'k' ? &o->keylog : &o->html) = optarg;
        else if (c == 'J')
            o->json = true;
        else if (c == 'j') {
            if (!parse_jobs(optarg, &o->jobs))
                return 2;
        }
        else if (c == 'p' || c == 'P')
            o->progress = c == 'p';
        else if (c == 'h') {
            fleet_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, c == ':' ? "tlsprobe fleet: %s needs a value\n"
                                     : "tlsprobe fleet: unknown option '%s'\n",
                    argv[optind - 1]);
            fleet_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "tlsprobe fleet: missing FILE (a pcap, pcapng or JSON lines trace)\n");
        fleet_usage(stderr);
        return 2;
    }
    o->files = argv + optind;
    o->num_files = (unsigned)(argc - optind);
    return -1;
}

int cmd_fleet(int argc, char **argv)
{
    fleet_opts o;
    int rc = fleet_parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    fleet_table t;
    fleet_table_init(&t);
    tp_sink *sink = fleet_sink_new(&t, 0);
    bool keys = false;
    rc = sink ? 0 : 1;
    for (unsigned i = 0; sink && i < o.num_files; i++) {
        fleet_sink_set_source(sink, i);
        int r = is_trace(o.files[i]) ? read_trace(o.files[i], sink)
                                     : read_capture(&o, o.files[i], sink, &keys);
        rc = r ? r : rc;
    }
    fleet_out_params p = {.cmd = "tlsprobe fleet", .sources = (const char *const *)o.files,
                          .num_sources = o.num_files, .keys = keys, .json = o.json,
                          .html_path = o.html};
    if (sink && t.num_conns && fleet_out_write(&t, &p, stdout) != 0)
        rc = 1;
    if (sink && !t.num_conns)
        fprintf(stderr, "tlsprobe fleet: no connection in %s\n",
                o.num_files == 1 ? o.files[0] : "the files");
    fleet_sink_free(sink);
    fleet_table_cleanup(&t);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tlsprobe fleet: writing standard output failed\n");
        rc = 1;
    }
    return sink ? rc : 1;
}
