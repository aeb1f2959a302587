/* --bundle FILE.tar.gz on serve, sweep and decode: the command runs with
 * the outputs a bundle needs added (into a private 0700 directory: the
 * JSON trace, the pcapng with keys, the generated certificate, the sweep
 * JSON and report), its standard output copied to a text trace, and at
 * the end bundle_make packs them with the outputs the user named. */
#ifndef TP_CLI_BUNDLE_WRAP_H
#define TP_CLI_BUNDLE_WRAP_H

#include <getopt.h>
#include <stdbool.h>

/* The options the wrapper takes out of argv (--bundle FILE,
 * --bundle-include-secrets; terminated by a zero row): the completions list
 * them for each command bundle_wrap_wants (cli/complete.c). */
extern const struct option bundle_wrap_opts[];

/* Whether the command takes --bundle (serve, sweep, decode, proxy). */
bool bundle_wrap_wants(const char *cmd);
/* -1 when argv has no --bundle (run the command as usual); else runs
 * it and returns its exit code (1 when only the bundle failed). */
int bundle_wrap_run(const char *cmd, int (*run)(int, char **), int argc, char **argv);

#endif
