/* One entry point per subcommand; main.c dispatches.  Each returns the
 * process exit code: 0 ok, 1 failure, 2 usage error. */
#ifndef TP_CLI_CMD_H
#define TP_CLI_CMD_H

#include <getopt.h>

int cmd_serve(int argc, char **argv);
/* tlsprobe proxy: cmd_serve under its own name (messages "tlsprobe proxy:"). */
int cmd_proxy_serve(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_list(int argc, char **argv);
/* list --engine openssl (list_openssl.c) */
void list_openssl(void);
int cmd_bundle(int argc, char **argv); /* cmd_bundle.c */
int cmd_report(int argc, char **argv); /* cmd_report.c */
int cmd_proxy(int argc, char **argv); /* serve --upstream */

/* A command's options exactly as its parser takes them: fills opts (room
 * for cap rows; terminated by a zero row) and *out_shorts (getopt's
 * optstring).  Returns the number of rows, 0 when cap is too small.  The
 * parser calls it, and so does `tlsprobe complete` (cli/complete.c): the
 * completion scripts and the man page test walk the same table. */
typedef unsigned cmd_options_fn(struct option *opts, unsigned cap, const char **out_shorts);
cmd_options_fn cmd_serve_options, cmd_sweep_options, cmd_decode_options, cmd_list_options;
cmd_options_fn cmd_fleet_options, cmd_bundle_options, cmd_report_options;
cmd_options_fn cmd_top_options; /* tlsprobe's own: --help, --version (cli/top.c) */

/* A row of main.c's command table. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
    cmd_options_fn *options; /* NULL: the command takes no options */
} cmd_entry;

/* cli/top.c: tlsprobe --version | --help, tlsprobe help [TOPIC]. */
int cmd_top(int argc, char **argv, const cmd_entry *cmds, unsigned num_cmds);
/* cli/complete.c: tlsprobe complete bash|zsh|options. */
int cmd_complete(int argc, char **argv, const cmd_entry *cmds, unsigned num_cmds);

#endif
