/* The ALPN and SNI rows of the shared option table (serve_opts.c):
 * --alpn, --alpn-mode, --sni-cert, --sni-mode.  Handlers in serve_opts_names.c. */
#ifndef TP_CLI_SERVE_OPTS_NAMES_H
#define TP_CLI_SERVE_OPTS_NAMES_H

#include "serve_opts.h"

int serve_opts_take_alpn(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
int serve_opts_take_alpn_mode(serve_shape *s, const char *cmd, const serve_opt *row,
                              const char *arg);
int serve_opts_take_sni_cert(serve_shape *s, const char *cmd, const serve_opt *row,
                             const char *arg);
int serve_opts_take_sni_mode(serve_shape *s, const char *cmd, const serve_opt *row,
                             const char *arg);

/* The engine's names for a mode: without --alpn, --http selects http/1.1
 * when the client offers it; "--alpn none": no ALPN. */
void serve_opts_names_for_mode(tp_engine_names *out, const tp_engine_names *given, bool http);

/* A note on stderr when --http would select h2, which it does not speak. */
void serve_opts_names_note(const tp_engine_names *n, bool http, const char *cmd);

#endif
