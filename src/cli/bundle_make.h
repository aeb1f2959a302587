/* The bug-report bundle (--bundle FILE.tar.gz, tlsprobe bundle): which
 * files go in, under which names, what is left out and why, the versions,
 * the command line and the README.md inside (report/bundle.h writes it).
 *
 * Secrets stay out unless include_secrets: a private key file, a key log
 * the user named (--keylog, $SSLKEYLOGFILE: a browser's holds every
 * session it made with real servers) and, when the server ran with the
 * user's own certificate (--cert), the keys inside the pcapng (the
 * Decryption Secrets Blocks are dropped: the packets stay). */
#ifndef TP_CLI_BUNDLE_MAKE_H
#define TP_CLI_BUNDLE_MAKE_H

#include <stdbool.h>

typedef enum {
    BUNDLE_AUTO,     /* decide from the contents */
    BUNDLE_SECRET,   /* a key log or key the user named: only with the flag */
    BUNDLE_FLEET,    /* the fleet summary (tlsprobe fleet's text) */
} bundle_hint;

typedef struct {
    const char *path;
    bundle_hint hint;
} bundle_input;

typedef struct {
    const char *cmd;   /* "serve", "bundle": messages start "tlsprobe <cmd>: --bundle" */
    const char *out;   /* FILE.tar.gz */
    bool include_secrets;
    /* why the sessions are a real server's (--cert, --upstream): the
     * pcapng's keys stay out; NULL: tlsprobe's throwaway certificate */
    const char *real;
    int argc;          /* the command line, for command.txt */
    char **argv;
} bundle_job;

#define BUNDLE_MAX_INPUTS 32

/* Builds and writes the bundle; says on stderr what it left out and why,
 * and the path written.  0, or 1 after a message. */
int bundle_make(const bundle_job *j, const bundle_input *in, unsigned n);

#endif
