/* See serve_keep.h. */
#include "serve_keep.h"

#include <stdio.h>
#include <string.h>

#include "report/json_sink.h"
#include "report/keep_sink.h"
#include "report/text_sink.h"

/* The per-connection sinks the keep sinks make. */
typedef struct {
    bool records;
    int verbosity;
    bool color;
} keep_args;

static keep_args args; /* one serve per process */

static tp_sink *make_json(FILE *f, void *arg)
{
    const keep_args *a = arg;
    return report_json_sink_new(f, a->records);
}

static tp_sink *make_text(FILE *f, void *arg)
{
    const keep_args *a = arg;
    return report_text_sink_new(f, a->verbosity, a->color, a->records);
}

bool serve_keep_wanted(const serve_shape *sh)
{
    return sh->keep_failing || sh->rotate_size;
}

bool serve_keep_open(serve_keep *k, const serve_shape *sh, capture_outfile *trace,
                     const char *pcap, bool records, int verbosity, const char *pcap_label,
                     tp_server_params *p)
{
    memset(k, 0, sizeof *k);
    report_keep_opts o = {.failing_only = sh->keep_failing, .rotate_size = sh->rotate_size,
                          .rotate_keep = sh->rotate_keep};
    report_keep_opts text_o = o;
    text_o.rotate_size = 0; /* standard output is not rotated */
    args = (keep_args){.records = records, .verbosity = verbosity,
                       .color = report_text_want_color(stdout)};
    k->text = report_keep_lines_new(make_text, report_text_sink_free, &args, NULL, stdout, &text_o);
    if (trace)
        k->json = report_keep_lines_new(make_json, report_json_sink_free, &args, trace, NULL, &o);
    if (pcap) {
        char err[1024];
        k->pcap = report_keep_pcapng_new(pcap_label, pcap, &o, err, sizeof err);
        if (!k->pcap)
            fprintf(stderr, "%s\n", err);
    }
    if (!k->text || (trace && !k->json) || (pcap && !k->pcap))
        return false;
    tp_sink *all[] = {k->text, k->json, k->pcap};
    for (unsigned i = 0; i < 3; i++)
        if (all[i] && p->num_sinks < TP_MAX_SINKS)
            p->sinks[p->num_sinks++] = all[i];
    return true;
}

int serve_keep_close(serve_keep *k)
{
    int rc = 0;
    tp_sink *all[] = {k->pcap, k->json, k->text};
    for (unsigned i = 0; i < 3; i++)
        if (report_keep_free(all[i]) != 0)
            rc = 1;
    return rc;
}
