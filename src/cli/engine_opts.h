/* The engine options serve and sweep share (rows of serve_opts.c):
 * --engine gnutls|openssl, and the openssl engine's own strings
 * --cipher-string and --ciphersuites (as --priority is GnuTLS's). */
#ifndef TP_CLI_ENGINE_OPTS_H
#define TP_CLI_ENGINE_OPTS_H

#include "serve_opts.h"

int engine_take_engine(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
/* The options together: --priority only with gnutls, the OpenSSL strings
 * only with openssl.  0 or the exit code after a message. */
int engine_opts_check(const serve_shape *s, const char *cmd);
/* The configuration's engine fields from the options. */
void engine_opts_config(tp_engine_config *ec, const serve_shape *s);
/* Whether the options chose the openssl engine. */
bool engine_opts_openssl(const serve_shape *s);

#endif
