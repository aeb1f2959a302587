/* tlsprobe report: a saved sweep (--json) or trace (--trace) as the HTML
 * report or a Markdown summary (report/sweep_doc.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "capture/outfile.h"
#include "cmd.h"
#include "report/sweep_doc.h"

#define REPORT_MAX_VERDICTS 100000

static const char *const usage_text =
    "usage: tlsprobe report [options] FILE.json\n"
    "\n"
    "Renders a saved sweep (sweep --json FILE) as its HTML report, or a JSON\n"
    "lines trace (--trace FILE) as a table of its verdicts.\n"
    "\n"
    "  --markdown       a Markdown summary instead (the rule, totals and tables,\n"
    "                   for pasting into a GitHub or GitLab issue)\n"
    "  -o, --output F   write to F (mode 0600, never through a symbolic link)\n"
    "                   instead of standard output\n"
    "  -h, --help       this text\n";

static int usage(const char *fmt, const char *arg)
{
    fputs("tlsprobe report: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(tlsprobe report --help for the options)\n", stderr);
    return 2;
}

/* The verdict events of a JSON lines trace; -1 when a line is no JSON. */
static long trace_verdicts(const char *path, json_object **out, size_t cap, long *bad_line)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -2;
    char *line = NULL;
    size_t len = 0, n = 0;
    long lineno = 0;
    while (getline(&line, &len, f) > 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        json_object *o = json_tokener_parse(line);
        json_object *ev;
        if (!o) { /* the verdicts read so far go with the failure */
            *bad_line = lineno;
            while (n > 0)
                json_object_put(out[--n]);
            n = (size_t)-1;
            break;
        }
        if (json_object_object_get_ex(o, "event", &ev) &&
            !strcmp(json_object_get_string(ev), "verdict") && n < cap)
            out[n++] = o;
        else
            json_object_put(o);
    }
    free(line);
    fclose(f);
    return (long)n;
}

static int write_out(const char *path, wire_buf *b)
{
    if (!wire_buf_ok(b)) {
        fputs("tlsprobe report: out of memory\n", stderr);
        return 1;
    }
    if (!path) {
        fwrite(wire_buf_data(b), 1, wire_buf_len(b), stdout);
        return fflush(stdout) ? 1 : 0;
    }
    capture_outfile f;
    char err[512];
    if (!capture_outfile_open(&f, "tlsprobe report: --output", path, CAPTURE_OUTFILE_TRUNC, err,
                              sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    capture_outfile_write(&f, wire_buf_data(b), wire_buf_len(b));
    return capture_outfile_close(&f) ? 1 : 0;
}

/* A trace: the file's JSON lines' verdicts; 0 or the exit code. */
static int render_trace(const char *in, bool markdown, wire_buf *b)
{
    json_object **v = calloc(REPORT_MAX_VERDICTS, sizeof *v);
    long bad = 0, n = v ? trace_verdicts(in, v, REPORT_MAX_VERDICTS, &bad) : -2;
    int rc = 0;
    if (n == -1) {
        fprintf(stderr, "tlsprobe report: %s line %ld: not JSON; expected the sweep's --json "
                        "or a JSON lines trace (--trace)\n", in, bad);
        rc = 1;
    } else if (n >= 0 && markdown)
        report_trace_doc_markdown(b, v, (size_t)n);
    else if (n >= 0)
        report_trace_doc_html(b, v, (size_t)n);
    for (long i = 0; i < n; i++)
        json_object_put(v[i]);
    free(v);
    return rc;
}

static const struct option report_opts_table[] = {
    {"markdown", no_argument, NULL, 'm'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* The parser's table (cli/cmd.h), also for tlsprobe complete. */
unsigned cmd_report_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof report_opts_table / sizeof report_opts_table[0];
    *out_shorts = "o:h";
    if (cap < n)
        return 0;
    memcpy(opts, report_opts_table, sizeof report_opts_table);
    return n - 1;
}

int cmd_report(int argc, char **argv)
{
    struct option opts[sizeof report_opts_table / sizeof report_opts_table[0]];
    const char *shorts;
    (void)cmd_report_options(opts, sizeof opts / sizeof opts[0], &shorts);
    bool markdown = false;
    const char *out = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (ch == 'm')
            markdown = true;
        else if (ch == 'o')
            out = optarg;
        else if (ch == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else
            return usage("%s", "unknown option");
    }
    if (optind + 1 != argc)
        return usage("%s", optind >= argc ? "name one FILE.json (a sweep's --json or a --trace)"
                                          : "one FILE.json only");
    const char *in = argv[optind];
    FILE *probe = fopen(in, "r");
    if (!probe)
        return usage("%s: cannot open it", in);
    fclose(probe);
    wire_buf b;
    wire_buf_init(&b, 0);
    json_object *whole = json_object_from_file(in);
    int rc = 0;
    if (whole && report_sweep_doc_is_sweep(whole)) {
        if (markdown)
            report_sweep_doc_markdown(&b, whole);
        else
            report_sweep_doc_html(&b, whole);
    } else
        rc = render_trace(in, markdown, &b);
    json_object_put(whole);
    if (!rc)
        rc = write_out(out, &b);
    wire_buf_cleanup(&b);
    return rc;
}
