/* tlsprobe list --engine openssl: the names each negotiation flag accepts,
 * marking those the openssl engine can negotiate, and OpenSSL's suites
 * (their names are accepted by --ciphers too). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/engine.h"
#include "engine/openssl_list.h"

static void list_flag(engine_flag flag)
{
    const engine_name *t;
    unsigned n = engine_names(flag, &t);
    printf("%s\n", engine_flag_option(flag));
    for (unsigned i = 0; i < n; i++) {
        const char *why;
        bool ok = engine_ossl_negotiable(flag, t[i].name, &why);
        if (ok && t[i].needs)
            printf("  * %-24s (with %s)\n", t[i].name, t[i].needs); /* --psk, --srp */
        else if (ok)
            printf("  * %s\n", t[i].name);
        else
            printf("    %-24s (not negotiable: %s)\n", t[i].name, why ? why : "unsupported");
    }
}

void list_openssl(void)
{
    printf("engine: openssl (OpenSSL %s, security level 0)\n", tp_engine_openssl_version());
    printf("names for the negotiation flags; * = this engine can negotiate it\n"
           "(OpenSSL spellings are taken too: TLSv1.2, AES128-SHA, P-256)\n\n");
    for (unsigned f = 0; f < ENGINE_FLAG_COUNT; f++) {
        list_flag((engine_flag)f);
        putchar('\n');
    }
    engine_ossl_suite s[256];
    unsigned n = engine_ossl_suites(s, 256);
    printf("OpenSSL cipher suites (--ciphers takes either name; --cipher-string and\n"
           "--ciphersuites take OpenSSL's strings)\n");
    for (unsigned i = 0; i < n; i++)
        printf("  * %-32s %-44s %s %s %s %s\n", s[i].name, s[i].standard, s[i].version,
               s[i].kx[0] ? s[i].kx : "-", s[i].cipher[0] ? s[i].cipher : "?",
               s[i].mac[0] ? s[i].mac : "?");
}
