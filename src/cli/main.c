/* tlsprobe: find out why a TLS client fails.  Dispatches to one
 * cmd_<name>.c per subcommand. */
#include <stdio.h>
#include <string.h>

#include "bundle_wrap.h"
#include "cmd.h"

/* Each row's options function is the parser's own table: the completion
 * scripts and the man page test (cli/complete.c) walk it. */
static const cmd_entry commands[] = {
    {"serve", cmd_serve, "run a TLS test server; every connection ends in a trace and a verdict",
     cmd_serve_options},
    {"sweep", cmd_sweep, "one configuration per connection; report what decides the failure",
     cmd_sweep_options},
    {"decode", cmd_decode, "the same trace and checks for a pcap/pcapng capture",
     cmd_decode_options},
    {"proxy", cmd_proxy, "serve in front of a real server (--upstream HOST:PORT): a terminating proxy",
     cmd_serve_options},
    {"fleet", cmd_fleet, "group connections of captures or traces by client and verdict",
     cmd_fleet_options},
    {"list", cmd_list, "names accepted by --protocols, --ciphers, --macs, --kx, --groups, ...",
     cmd_list_options},
    {"bundle", cmd_bundle, "pack outputs into a .tar.gz for a bug report (README.md inside)",
     cmd_bundle_options},
    {"report", cmd_report, "the HTML report or a Markdown summary of a saved sweep or trace",
     cmd_report_options},
};
#define NUM_COMMANDS (unsigned)(sizeof commands / sizeof commands[0])

int main(int argc, char **argv)
{
    /* no command, --help, --version, help [TOPIC]: cli/top.c */
    if (argc < 2 || argv[1][0] == '-' || !strcmp(argv[1], "help"))
        return cmd_top(argc, argv, commands, NUM_COMMANDS);
    if (!strcmp(argv[1], "complete")) /* completion scripts: cli/complete.c */
        return cmd_complete(argc - 1, argv + 1, commands, NUM_COMMANDS);
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            /* --bundle FILE.tar.gz on serve, sweep, decode, proxy (bundle_wrap.h) */
            int rc = bundle_wrap_wants(argv[1])
                         ? bundle_wrap_run(argv[1], commands[i].run, argc - 1, argv + 1)
                         : -1;
            return rc >= 0 ? rc : commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "tlsprobe: unknown command '%s'; valid:", argv[1]);
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(stderr, " %s,", commands[i].name);
    fprintf(stderr, " help, complete\n");
    return 2;
}
