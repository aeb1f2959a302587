/* The certificate options serve and sweep share (rows of serve_opts.c):
 * --chain, --cert-variant, --ocsp, --save-ca, --client-ca. */
#ifndef TP_CLI_CERTS_OPTS_H
#define TP_CLI_CERTS_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "serve_opts.h"

int certs_take_chain(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
int certs_take_variant(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
int certs_take_ocsp(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
/* The options together (no variant nor --save-ca with --cert): 0 or the
 * exit code after a message. */
int certs_opts_check(const serve_shape *s, const char *cmd);
/* The variants, ", " between them (for messages and --help). */
void certs_variants_print(FILE *f);
/* tlsprobe list: the variants with a line each, and --ocsp's values. */
void certs_list(FILE *f);
/* --save-ca: the generated root CA's PEM into path (0644: a certificate is
 * public; never through a symbolic link).  false with err set. */
bool certs_save_ca(const char *path, const tp_engine *e, char *err, size_t err_len);
/* Writes a public file (a certificate: mode 0644), never through a
 * symbolic link; false with "OPT: cannot write 'PATH': why" in err. */
bool certs_write_public(const char *opt, const char *path, const char *pem, size_t len,
                        char *err, size_t err_len);

/* --save-client-cert: a client certificate and key of the generated CA
 * into path (0600, no symbolic link).  false with the message on stderr. */
bool certs_save_client_cert(const char *path, const char *cmd);
/* sweep --save-ca and --save-client-cert: the process's CA, generated before the first server so
 * the client command can be given the file.  0 or the exit code. */
int certs_save_ca_first(const serve_shape *s, const char *cmd);

#endif
