/* tlsprobe decode FILE [--keylog F] [--json] [--records] [-v|-vv|-q]
 *
 * Option parsing and the sink; the driver (capture → TCP reassembly →
 * sessions) is analysis/decode.c. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/decode.h"
#include "capture/outfile.h"
#include "cli/cmd.h"
#include "report/json_sink.h"
#include "report/text_sink.h"

static void decode_usage(FILE *f)
{
    fputs("usage: tlsprobe decode FILE.pcap|FILE.pcapng [--keylog FILE] [--json] [--records]\n"
          "                       [-v|-vv|-q] [--color|--no-color]\n"
          "  --keylog FILE  NSS key log (SSLKEYLOGFILE); secrets inside a pcapng are used too\n"
          "  --json         JSON lines trace instead of text\n"
          "  --records      keep ciphertext/plaintext of every record in the trace\n"
          "  --starttls P   the connections begin with a plaintext smtp, imap or pop3\n"
          "                 preamble (one is also recognised from a server greeting)\n"
          "  --bundle FILE.tar.gz  a bug-report bundle: the capture, text and JSON trace,\n"
          "                 versions, README.md (tlsprobe bundle --help)\n",
          f);
}

typedef struct {
    const char *keylog, *path;
    bool json, records;
    tp_mail_proto starttls; /* --starttls P */
    int verbosity, color; /* color: -1 auto */
} decode_opts;

static void print_notes(const tp_decode_counts *n)
{
    if (n->fragments)
        fprintf(stderr,
                "tlsprobe decode: note: %" PRIu64 " IP fragments ignored "
                "(fragments are not reassembled)\n",
                n->fragments);
    if (n->truncated || n->bad)
        fprintf(stderr,
                "tlsprobe decode: note: %" PRIu64 " packets cut short by the snap length "
                "or malformed were skipped\n",
                n->truncated + n->bad);
}

/* The trace on standard output: JSON lines or text. */
static tp_sink *sink_new(capture_outfile *json_out, const decode_opts *o)
{
    bool json = o->json, records = o->records;
    int verbosity = o->verbosity, color = o->color;
    if (json &&
        !capture_outfile_attach(json_out, "tlsprobe decode:", STDOUT_FILENO, "standard output"))
        return NULL;
    tp_sink *sink = json ? report_json_sink_new_file(json_out, records)
                         : report_text_sink_new(
                               stdout, verbosity,
                               color < 0 ? report_text_want_color(stdout) : color == 1, records);
    if (!sink)
        fprintf(stderr, "tlsprobe decode: out of memory\n");
    return sink;
}

static int decode_file(const decode_opts *o)
{
    char err[512] = "";
    tp_decode d;
    if (!tp_decode_open(&d, o->path, o->keylog, err, sizeof err)) {
        fprintf(stderr, "tlsprobe decode: %s\n", err);
        tp_decode_close(&d);
        return 1;
    }
    if (d.bad_key_reason)
        fprintf(stderr,
                "tlsprobe decode: note: malformed key log lines ignored (first: %s line %zu: %s)\n",
                d.bad_key_source, d.bad_key_line, d.bad_key_reason);
    int rc = 1;
    capture_outfile json_out = {.fd = -1};
    tp_decode_params p = {.records = o->records, .data_events = o->verbosity >= 2,
                          .starttls = o->starttls};
    tp_sink *sink = sink_new(&json_out, o);
    if (!sink)
        goto out;
    p.sinks[p.num_sinks++] = sink;
    tp_decode_counts n;
    if (!tp_decode_run(&d, &p, &n)) {
        fprintf(stderr, "tlsprobe decode: out of memory\n");
        goto free_sink;
    }
    fflush(stdout);
    print_notes(&n);
    if (tp_decode_result(&d, &n, err, sizeof err))
        rc = 0;
    else
        fprintf(stderr, "tlsprobe decode: %s\n", err);
free_sink:
    if (o->json)
        report_json_sink_free(sink);
    else
        report_text_sink_free(sink);
    /* a full disk under `> out.jsonl` is not a success (JSON: named when it happened) */
    if (capture_outfile_close(&json_out) != 0)
        rc = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tlsprobe decode: writing standard output failed\n");
        rc = 1;
    }
out:
    capture_outfile_close(&json_out); /* an early exit: nothing written, nothing to report */
    tp_decode_close(&d);
    return rc;
}

static const struct option decode_opts_table[] = {
    {"keylog", required_argument, NULL, 'k'},
    {"json", no_argument, NULL, 'j'},
    {"records", no_argument, NULL, 'r'},
    {"starttls", required_argument, NULL, 'S'},
    {"help", no_argument, NULL, 'h'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"color", no_argument, NULL, 'C'},
    {"no-color", no_argument, NULL, 'N'},
    {NULL, 0, NULL, 0},
};

unsigned cmd_decode_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof decode_opts_table / sizeof decode_opts_table[0];
    *out_shorts = ":k:jrS:hqvCN";
    if (cap < n)
        return 0;
    memcpy(opts, decode_opts_table, sizeof decode_opts_table);
    return n - 1;
}

/* Parses the command line; -1 to go on, else the exit status. */
static int decode_parse(int argc, char **argv, decode_opts *o)
{
    struct option opts[sizeof decode_opts_table / sizeof decode_opts_table[0]];
    const char *shorts;
    (void)cmd_decode_options(opts, sizeof opts / sizeof opts[0], &shorts);
    int c;
    *o = (decode_opts){.color = -1};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            o->keylog = optarg;
            break;
        case 'j':
            o->json = true;
            break;
        case 'r':
            o->records = true;
            break;
        case 'S':
            if (!wire_mail_proto_parse(optarg, &o->starttls)) {
                fprintf(stderr, "tlsprobe decode: --starttls %s: valid: %s\n", optarg,
                        wire_mail_proto_names());
                return 2;
            }
            break;
        case 'q':
            o->verbosity = -1;
            break;
        case 'v':
            o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
            break;
        case 'C':
        case 'N':
            o->color = c == 'C';
            break;
        case 'h':
            decode_usage(stdout);
            return 0;
        default:
            if (c == ':')
                fprintf(stderr, "tlsprobe decode: %s needs a value\n", argv[optind - 1]);
            else
                fprintf(stderr, "tlsprobe decode: unknown option '%s'\n", argv[optind - 1]);
            decode_usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "tlsprobe decode: %s\n",
                optind >= argc ? "missing capture FILE" : "only one capture FILE is accepted");
        decode_usage(stderr);
        return 2;
    }
    o->path = argv[optind];
    return -1;
}

int cmd_decode(int argc, char **argv)
{
    decode_opts o;
    int rc = decode_parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    return decode_file(&o);
}
