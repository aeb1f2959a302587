/* tlsprobe bundle: a bug-report bundle from outputs already written
 * (bundle_make.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bundle_make.h"
#include "cmd.h"

static const char *const usage_text =
    "usage: tlsprobe bundle -o FILE.tar.gz [options] FILE...\n"
    "\n"
    "Packs tlsprobe outputs into one reproducible .tar.gz (mode 0600) to attach\n"
    "to a bug report, with a README.md inside that lists the files and says how\n"
    "to read them, the verdicts, the sweep's rule, the versions and this command\n"
    "line. Each FILE is recognised from its contents: text trace, JSON trace,\n"
    "pcap/pcapng, sweep JSON, HTML report, certificate.\n"
    "\n"
    "  -o, --output FILE         the bundle to write (never through a symbolic link)\n"
    "  --user-cert               the outputs come from a server with your own\n"
    "                            certificate (--cert): the keys inside a pcapng stay out\n"
    "  --bundle-include-secrets  include private keys, key logs and pcapng keys too\n"
    "                            (for a private report only)\n"
    "  -h, --help                this text\n"
    "\n"
    "Without --bundle-include-secrets a private key or key log is left out and\n"
    "tlsprobe says why: a bundle is made for a public bug tracker.\n";

enum { OPT_SECRETS = 256, OPT_USER_CERT };
static const struct option bundle_opts_table[] = {
    {"output", required_argument, NULL, 'o'},
    {"bundle-include-secrets", no_argument, NULL, OPT_SECRETS},
    {"user-cert", no_argument, NULL, OPT_USER_CERT},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* The parser's table (cli/cmd.h), also for tlsprobe complete. */
unsigned cmd_bundle_options(struct option *opts, unsigned cap, const char **out_shorts)
{
    unsigned n = sizeof bundle_opts_table / sizeof bundle_opts_table[0];
    *out_shorts = "o:h";
    if (cap < n)
        return 0;
    memcpy(opts, bundle_opts_table, sizeof bundle_opts_table);
    return n - 1;
}

int cmd_bundle(int argc, char **argv)
{
    struct option opts[sizeof bundle_opts_table / sizeof bundle_opts_table[0]];
    const char *shorts;
    (void)cmd_bundle_options(opts, sizeof opts / sizeof opts[0], &shorts);
    bundle_job j = {.cmd = "bundle", .argc = argc, .argv = argv};
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (ch == 'o')
            j.out = optarg;
        else if (ch == OPT_SECRETS)
            j.include_secrets = true;
        else if (ch == OPT_USER_CERT)
            j.real = "they come from a server with your certificate (--user-cert)";
        else if (ch == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else {
            fputs("(tlsprobe bundle --help for the options)\n", stderr);
            return 2;
        }
    }
    if (!j.out || optind >= argc) {
        fprintf(stderr, "tlsprobe bundle: %s\n(tlsprobe bundle --help for the options)\n",
                !j.out ? "-o FILE.tar.gz is required" : "no input files: name the outputs to pack");
        return 2;
    }
    bundle_input in[BUNDLE_MAX_INPUTS];
    unsigned n = 0;
    for (int i = optind; i < argc; i++) {
        if (n == BUNDLE_MAX_INPUTS) {
            fprintf(stderr, "tlsprobe bundle: %d files: at most %d\n", argc - optind,
                    BUNDLE_MAX_INPUTS);
            return 2;
        }
        in[n++] = (bundle_input){.path = argv[i], .hint = BUNDLE_AUTO};
    }
    return bundle_make(&j, in, n);
}
