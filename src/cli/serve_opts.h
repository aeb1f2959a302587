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

/* Opens path for writing, created or truncated, mode 0600: traces and key
 * logs hold client data.  NULL with errno set on failure. */
FILE *serve_opts_open_private(const char *path);

#endif
