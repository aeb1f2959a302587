/* tlsprobe list [--engine gnutls|openssl]: the names each negotiation flag accepts,
 * marking those this engine build can negotiate. */
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/certs_opts.h"
#include "cli/cmd.h"
#include "engine/names.h"
#include "quirk/quirk.h"
#include "sweep/axis_names.h"

static void list_usage(FILE *f)
{
    fputs("usage: tlsprobe list [--engine gnutls|openssl] [-h | --help]\n", f);
}

static void list_flag(engine_flag flag)
{
    const engine_name *t;
    unsigned n = engine_names(flag, &t);
    printf("%s\n", engine_flag_option(flag));
    for (unsigned i = 0; i < n; i++) {
        if (t[i].negotiable && t[i].needs)
            printf("  * %-24s (with %s)\n", t[i].name, t[i].needs);
        else if (t[i].negotiable)
            printf("  * %s\n", t[i].name);
        else
            printf("    %-24s (not negotiable: %s)\n", t[i].name,
                   t[i].note ? t[i].note : "unsupported");
    }
}

static const struct option list_opts[] = {
    {"engine", required_argument, NULL, 'e'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

unsigned cmd_list_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof list_opts / sizeof list_opts[0];
    *out_shorts = ":h";
    if (cap < n)
        return 0;
    memcpy(opts, list_opts, sizeof list_opts);
    return n - 1;
}

int cmd_list(int argc, char **argv)
{
    const char *engine = "gnutls";
    struct option opts[sizeof list_opts / sizeof list_opts[0]];
    const char *shorts;
    (void)cmd_list_options(opts, sizeof opts / sizeof opts[0], &shorts);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (c == 'e') {
            engine = optarg;
        } else if (c == 'h') {
            list_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "tlsprobe list: %s '%s'\n",
                    c == ':' ? "a value is missing after" : "unknown option", argv[optind - 1]);
            list_usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tlsprobe list: unexpected argument '%s'\n", argv[optind]);
        list_usage(stderr);
        return 2;
    }
    bool ossl = strcmp(engine, "openssl") == 0;
    if (!ossl && strcmp(engine, "gnutls") != 0) {
        fprintf(stderr, "tlsprobe list: unknown engine '%s'; valid: gnutls, openssl\n", engine);
        return 2;
    }
    if (ossl) {
        list_openssl();
    } else {
        printf("engine: gnutls (%s)\n", engine_version_string());
        printf("names for the negotiation flags; * = this engine can negotiate it\n\n");
        for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
            list_flag((engine_flag)f);
            putchar('\n');
        }
    }
    const char *const *kts;
    unsigned n = engine_key_types(&kts);
    printf("--key-type\n");
    for (unsigned i = 0; i < n; i++)
        printf("  * %s%s\n", kts[i], strcmp(kts[i], "rsa:2048") == 0 ? "  (default)" : "");
    printf("\n--client-cert\n  * none  (default)\n  * request\n  * require\n");
    /* ALPN and SNI (serve_opts_names.c, sweep/axis_names.c) */
    printf("\n--alpn-mode\n  * ignore  (default)\n  * strict\n"
           "\n--sni-mode\n  * ignore  (default)\n  * warn\n  * strict\n"
           "\nsweep --alpns (the alpn axis: the server's ALPN list, '+' between protocols)\n");
    const char *alpns[16];
    n = sweep_alpn_values(alpns, 16);
    for (unsigned i = 0; i < n; i++)
        printf("  * %s\n", alpns[i]);
    certs_list(stdout);
    printf("\n--quirk (record rewriting, docs/quirks.md; the client bug each reproduces)\n");
    tp_quirk_list(stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
