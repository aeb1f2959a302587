/* serve's outputs for long-running use (--keep failing, --rotate SIZE[,N]):
 * the text output, the JSON trace and the pcapng file through the keep
 * sinks of report/keep_sink.h. */
#ifndef TP_CLI_SERVE_KEEP_H
#define TP_CLI_SERVE_KEEP_H

#include <stdbool.h>

#include "serve_opts.h"
#include "server/server.h"

typedef struct {
    tp_sink *text, *json, *pcap;
} serve_keep;

/* --keep failing or --rotate given. */
bool serve_keep_wanted(const serve_shape *sh);
/* Opens the outputs (trace: the open trace file, or NULL; pcap: a path, or
 * NULL; pcap_label starts its messages, "tlsprobe serve: --pcap", and must
 * outlive the sinks) and adds their sinks to p; false after a message. */
bool serve_keep_open(serve_keep *k, const serve_shape *sh, capture_outfile *trace,
                     const char *pcap, bool records, int verbosity, const char *pcap_label,
                     tp_server_params *p);
/* Writes what is held, frees; 0 or 1 after a write error. */
int serve_keep_close(serve_keep *k);

#endif
