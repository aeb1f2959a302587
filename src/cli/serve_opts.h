/* Option handling that tlsprobe serve and tlsprobe sweep share (the sweep
 * takes the serve options): one table of the server-shaping options, the
 * valid --key-type values, --listen and the 0600 output files. */
#ifndef TP_CLI_SERVE_OPTS_H
#define TP_CLI_SERVE_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/engine.h"
#include "wire/mail.h"
#include "engine/names.h"
#include "capture/outfile.h"
#include "server/proxy.h"

/* ---- the server-shaping options, defined once ----
 *
 * serve and sweep take the same options that shape the server: the
 * negotiation lists, --priority, the credentials, --client-cert and
 * --timeout.  Each is one row of serve_opts_table (name, argument, help,
 * handler); both commands add the rows to their getopt_long table
 * (serve_opts_long_opts), hand what getopt returns to serve_opts_handle,
 * and print the rows in --help (serve_opts_help). */

#define SERVE_OPTS_MAX_PSK 16

/* What the shared options set; the command copies it into its own
 * configuration after parsing. */
typedef struct {
    engine_lists lists; /* --protocols ... --comp, unchecked csv */
    bool any_list;
    const char *priority;
    const char *cert, *key, *key_type;
    tp_client_cert client_cert;
    bool renegotiation; /* --renegotiation allow */
    tp_engine_names names; /* --alpn, --alpn-mode, --sni-cert, --sni-mode (serve_opts_names.c) */
    /* --resumption (TP_RESUME_* bits switched off), --tickets, --early-data */
    unsigned resumption_off;
    bool resumption_set; /* --resumption given (sweep: else none) */
    unsigned tickets;
    bool tickets_set;
    bool early_data;
    double timeout; /* seconds; the command sets its default first */
    /* --psk ID:HEX and --srp USER:PASSWORD, repeatable (checked when taken) */
    const char *psk[SERVE_OPTS_MAX_PSK], *srp[SERVE_OPTS_MAX_PSK];
    unsigned num_psk, num_srp;
    /* ---- proxy: --upstream HOST:PORT [--upstream-tls | --upstream-starttls P] ---- */
    bool has_upstream;
    tp_proxy_params proxy; /* resolved by --upstream; see serve_opts_upstream */
    bool upstream_tls;
    tp_mail_proto upstream_starttls;
    /* ---- long-running outputs (serve): --keep failing, --rotate SIZE[,N] ---- */
    bool keep_failing;
    unsigned long long rotate_size; /* 0: no rotation */
    unsigned rotate_keep;
    /* certificates (certs_opts.c) */
    bool chain;
    const char *cert_variant, *save_ca, *ocsp, *client_ca;
    const char *cert_variants; /* sweep: the cert axis' values */
    const char *save_client_cert; /* a client certificate + key of the generated CA */
    /* the engine (engine_opts.c): NULL is gnutls */
    const char *engine, *cipher_string, *ciphersuites;
    /* mail: --smtp/--imap/--pop3 (implicit TLS) or --starttls P (a
     * plaintext preamble first); mail_flag names the option for messages */
    tp_mail_proto mail;
    bool starttls;
    const char *mail_flag;
} serve_shape;

/* Which command a row belongs to (a bit mask). */
enum { SERVE_OPTS_SERVE = 1, SERVE_OPTS_SWEEP = 2, SERVE_OPTS_BOTH = 3 };

typedef struct serve_opt serve_opt;
struct serve_opt {
    const char *name; /* long option, without "--" */
    const char *arg;  /* argument name in --help ("L", "FILE"); NULL: none */
    const char *help; /* one line; more lines start with "\n" */
    unsigned commands;
    /* Takes the value: 0, or (after a message naming cmd, the option, the
     * value and the valid ones) the exit code. */
    int (*handle)(serve_shape *s, const char *cmd, const serve_opt *row, const char *arg);
    int flag;     /* the engine_flag of a list option */
    size_t field; /* offsetof the const char * a plain string option sets */
};

/* getopt_long value of row i of the table: SERVE_OPT_BASE + i, above the
 * values the commands number their own options with. */
enum { SERVE_OPT_BASE = 1024 };
/* At most this many rows (checked at compile time in serve_opts.c): a
 * command's getopt_long table has room for its own rows + this + 1. */
#define SERVE_OPTS_ROWS_MAX 96

/* Appends the rows of the command (SERVE_OPTS_SERVE or _SWEEP) to a
 * getopt_long table that holds n rows of the command's own (without the
 * terminating zero row) and has room for cap; terminates it.  Returns the
 * number of rows, or 0 when cap is too small (a bug). */
unsigned serve_opts_long_opts(struct option *opts, unsigned n, unsigned cap, unsigned command);
/* Handles a getopt_long return value: -1 when it is none of the shared
 * options, 0 when taken, else the exit code after a message. */
int serve_opts_handle(serve_shape *s, const char *cmd, int ch, const char *arg);
/* The rows of the command as --help lines ("  --name ARG   help"). */
void serve_opts_help(FILE *f, unsigned command);
/* The options together: --cert with --key, --priority not with the lists.
 * 0 or the exit code after a message. */
int serve_opts_check(const serve_shape *s, const char *cmd);

/* The upstream of --upstream with --upstream-tls/-starttls and --timeout
 * applied (call after serve_opts_check), or NULL without --upstream. */
const tp_proxy_params *serve_opts_upstream(serve_shape *s);

/* "tlsprobe CMD: <message>" and the --help hint on stderr; returns 2. */
__attribute__((format(printf, 2, 3))) int serve_opts_usage_error(const char *cmd, const char *fmt,
                                                                 ...);

/* Writes the valid --key-type values to f, ", " between them, no newline. */
void serve_opts_key_types_print(FILE *f);

/* --resumption's value: "none", "all" or a list of id, ticket, psk, as the
 * TP_RESUME_* bits it switches off; false when a name is unknown. */
bool serve_opts_resumption_parse(const char *csv, unsigned *out_off);
#define SERVE_OPTS_RESUMPTION_VALID "none, all, or a list of id, ticket, psk"

/* Into an engine configuration: the resumption options of s. */
void serve_opts_resumption_apply(const serve_shape *s, tp_engine_config *cfg);

/* Opens an output file that holds secrets or client data (traces, key logs:
 * capture/outfile.h: no symlink, mode 0600), created or truncated, or
 * appended to.  label starts every message ("tlsprobe serve: --trace").
 * On failure says why on stderr and returns false. */
/* --listen ADDR: an IPv4 or IPv6 address ("[::1]" too). */
bool serve_opts_listen_valid(const char *addr);
#define SERVE_OPTS_LISTEN_HINT "an IPv4 or IPv6 address, e.g. 127.0.0.1, 0.0.0.0, ::1 or ::"

bool serve_opts_open_output(capture_outfile *f, const char *label, const char *path, bool append);

#endif
