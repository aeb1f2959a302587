/* tlsprobe's own options and topics: --version (tlsprobe's version and the
 * libraries' it runs on), --help, help [TOPIC] (a command's --help). */
#include <ev.h>
#include <getopt.h>
#include <json-c/json_c_version.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "engine/names.h"

#ifndef TP_VERSION
#define TP_VERSION "0.1.0"
#endif

static const struct option top_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

unsigned cmd_top_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof top_opts / sizeof top_opts[0];
    *out_shorts = ":h";
    if (cap < n)
        return 0;
    memcpy(opts, top_opts, sizeof top_opts);
    return n - 1;
}

static void usage(FILE *out, const cmd_entry *cmds, unsigned num_cmds)
{
    fprintf(out,
            "usage: tlsprobe COMMAND [options]   (tlsprobe COMMAND --help for its options)\n"
            "       tlsprobe help COMMAND | --version | --help\n\n");
    for (unsigned i = 0; i < num_cmds; i++)
        fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].what);
    fprintf(out, "  %-8s %s\n", "help", "help COMMAND: that command's options (= COMMAND --help)");
    fprintf(out, "  %-8s %s\n", "complete",
            "complete bash|zsh: the shell completion script (installed by meson install)");
    fprintf(out, "\nThe manual: man tlsprobe (a section per command).\n");
}

/* The runtime versions: what the process actually loaded. */
static int version(void)
{
    printf("tlsprobe %s\n", TP_VERSION);
    printf("%s (the TLS engine)\n", engine_version_string()); /* "GnuTLS 3.7.9" */
    printf("OpenSSL libcrypto %s (the record verifier; %s)\n",
           OpenSSL_version(OPENSSL_VERSION_STRING), OpenSSL_version(OPENSSL_VERSION));
    printf("libev %d.%d\n", ev_version_major(), ev_version_minor());
    printf("json-c %s\n", json_c_version());
    return fflush(stdout) == 0 ? 0 : 1;
}

/* help TOPIC: the command's own --help. */
static int help_topic(const char *topic, const cmd_entry *cmds, unsigned num_cmds)
{
    for (unsigned i = 0; i < num_cmds; i++) {
        if (strcmp(topic, cmds[i].name))
            continue;
        char name[32], flag[] = "--help";
        snprintf(name, sizeof name, "%s", cmds[i].name);
        char *argv[] = {name, flag, NULL};
        return cmds[i].run(2, argv);
    }
    if (!strcmp(topic, "complete")) {
        puts("usage: tlsprobe complete bash|zsh|options\n\n"
             "Prints the bash or zsh completion script, made from the option tables the\n"
             "commands parse with (options: one line per command and option).");
        return 0;
    }
    fprintf(stderr, "tlsprobe help: unknown topic '%s'; valid:", topic);
    for (unsigned i = 0; i < num_cmds; i++)
        fprintf(stderr, " %s,", cmds[i].name);
    fprintf(stderr, " complete\n");
    return 2;
}

int cmd_top(int argc, char **argv, const cmd_entry *cmds, unsigned num_cmds)
{
    if (argc < 2) {
        usage(stderr, cmds, num_cmds);
        return 2;
    }
    if (!strcmp(argv[1], "help")) {
        if (argc > 3) {
            fprintf(stderr, "tlsprobe help: one topic at a time (tlsprobe help COMMAND)\n");
            return 2;
        }
        if (argc == 3)
            return help_topic(argv[2], cmds, num_cmds);
        usage(stdout, cmds, num_cmds);
        return 0;
    }
    struct option opts[sizeof top_opts / sizeof top_opts[0]];
    const char *shorts;
    (void)cmd_top_options(opts, sizeof opts / sizeof opts[0], &shorts);
    optind = 1;
    opterr = 0;
    int c = getopt_long(argc, argv, shorts, opts, NULL);
    if (c == 'V' && optind == argc)
        return version();
    if (c == 'h' && optind == argc) {
        usage(stdout, cmds, num_cmds);
        return 0;
    }
    fprintf(stderr, "tlsprobe: %s '%s'; valid: --help, -h, --version, or a command "
                    "(tlsprobe --help)\n",
            c == 'V' || c == 'h' ? "unexpected argument after" : "unknown option", argv[1]);
    return 2;
}
