/* tlsprobe proxy: `tlsprobe serve --upstream HOST:PORT ...` under its own
 * name (server/proxy.h): the same options, the same outputs; --upstream is
 * required. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_proxy(int argc, char **argv)
{
    bool help = false, upstream = false;
    for (int i = 1; i < argc; i++) {
        help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
        upstream |= !strcmp(argv[i], "--upstream") || !strncmp(argv[i], "--upstream=", 11);
    }
    if (help) {
        fputs("usage: tlsprobe proxy --upstream HOST:PORT [--upstream-tls | --upstream-starttls P]\n"
              "                      [serve options]\n\n"
              "A terminating proxy in front of a real server: the client's TLS ends here, with\n"
              "every check and verdict of tlsprobe serve; the plaintext goes to HOST:PORT and\n"
              "its answers back.  The same as `tlsprobe serve --upstream HOST:PORT ...`; with\n"
              "--starttls P the preamble comes from the upstream and tlsprobe takes over at\n"
              "the client's STARTTLS.  The serve options:\n\n",
              stdout);
        return cmd_proxy_serve(argc, argv);
    }
    if (!upstream) {
        fprintf(stderr, "tlsprobe proxy: --upstream HOST:PORT is required (the real server "
                        "behind the proxy, e.g. --upstream 127.0.0.1:25)\n"
                        "(tlsprobe proxy --help for the options)\n");
        return 2;
    }
    return cmd_proxy_serve(argc, argv);
}
