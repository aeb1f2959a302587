/* Option handling that tlsprobe serve and tlsprobe sweep share (the sweep
 * takes the serve options): the negotiation lists, --client-cert, the valid
 * --key-type values and the 0600 output files.  Each command keeps its own
 * messages; only the logic lives here. */
#ifndef TP_CLI_SERVE_OPTS_H
#define TP_CLI_SERVE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/engine.h"
#include "engine/names.h"
#include "capture/outfile.h"

/* getopt_long value of a negotiation list option: SERVE_OPT_LIST plus its
 * engine_flag; above the values the commands number their own options with. */
enum { SERVE_OPT_LIST = 1024 };

/* The struct option rows for --protocols ... --comp, for a command's
 * long_opts table. */
/* clang-format off */
#define SERVE_OPTS_LIST_LONG_OPTS                                                   \
    {"protocols", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_PROTOCOLS}, \
    {"ciphers", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_CIPHERS},     \
    {"macs", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_MACS},           \
    {"kx", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_KX},               \
    {"groups", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_GROUPS},       \
    {"sigalgs", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_SIGALGS},     \
    {"comp", required_argument, NULL, SERVE_OPT_LIST + ENGINE_FLAG_COMP}
/* clang-format on */

/* The list a getopt_long return value names, or ENGINE_FLAG_COUNT when it is
 * not a list option. */
engine_flag serve_opts_list_flag(int ch);

/* --client-cert none|request|require into *out.  False (*out untouched) for
 * any other value; the caller says so in its own words. */
bool serve_opts_client_cert(const char *value, tp_client_cert *out);

/* Writes the valid --key-type values to f, ", " between them, no newline. */
void serve_opts_key_types_print(FILE *f);

/* Opens an output file that holds secrets or client data (traces, key logs:
 * capture/outfile.h: no symlink, mode 0600), created or truncated, or
 * appended to.  label starts every message ("tlsprobe serve: --trace").
 * On failure says why on stderr and returns false. */
/* --listen ADDR: an IPv4 or IPv6 address ("[::1]" too). */
bool serve_opts_listen_valid(const char *addr);
#define SERVE_OPTS_LISTEN_HINT "an IPv4 or IPv6 address, e.g. 127.0.0.1, 0.0.0.0, ::1 or ::"

bool serve_opts_open_output(capture_outfile *f, const char *label, const char *path, bool append);

#endif
