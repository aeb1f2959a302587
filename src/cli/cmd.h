/* One entry point per subcommand; main.c dispatches.  Each returns the
 * process exit code: 0 ok, 1 failure, 2 usage error. */
#ifndef TP_CLI_CMD_H
#define TP_CLI_CMD_H

int cmd_serve(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_list(int argc, char **argv);
/* list --engine openssl (list_openssl.c) */
void list_openssl(void);
int cmd_bundle(int argc, char **argv); /* cmd_bundle.c */
int cmd_report(int argc, char **argv); /* cmd_report.c */
int cmd_proxy(int argc, char **argv); /* serve --upstream */

#endif
