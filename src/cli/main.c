/* tlsprobe: find out why a TLS client fails.  Dispatches to one
 * cmd_<name>.c per subcommand. */
#include <stdio.h>
#include <string.h>

#include "bundle_wrap.h"
#include "cmd.h"

#ifndef TP_VERSION
#define TP_VERSION "0.1.0"
#endif

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"serve", cmd_serve, "run a TLS test server; every connection ends in a trace and a verdict"},
    {"sweep", cmd_sweep, "one configuration per connection; report what decides the failure"},
    {"decode", cmd_decode, "the same trace and checks for a pcap/pcapng capture"},
    {"proxy", cmd_proxy, "serve in front of a real server (--upstream HOST:PORT): a terminating proxy"},
    {"fleet", cmd_fleet, "group connections of captures or traces by client and verdict"},
    {"list", cmd_list, "names accepted by --protocols, --ciphers, --macs, --kx, --groups, ..."},
    {"bundle", cmd_bundle, "pack outputs into a .tar.gz for a bug report (README.md inside)"},
    {"report", cmd_report, "the HTML report or a Markdown summary of a saved sweep or trace"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tlsprobe COMMAND [options]   (tlsprobe COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].what);
    fprintf(out, "\nSee README.md and docs/ (trace format, man page tlsprobe.1).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tlsprobe %s\n", TP_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            /* --bundle FILE.tar.gz on serve, sweep, decode, proxy (bundle_wrap.h) */
            int rc = bundle_wrap_wants(argv[1])
                         ? bundle_wrap_run(argv[1], commands[i].run, argc - 1, argv + 1)
                         : -1;
            return rc >= 0 ? rc : commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr,
            "tlsprobe: unknown command '%s'; valid: serve, sweep, decode, proxy, fleet, list, "
            "bundle, report\n",
            argv[1]);
    return 2;
}
