/* --bundle on serve, sweep and decode; see bundle_wrap.h. */
#include "bundle_wrap.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle_make.h"
#include "cmd.h"

#define WRAP_MAX_ARGS 512

typedef struct {
    const char *cmd, *out;
    bool secrets;
    char dir[64];
    char *argv[WRAP_MAX_ARGS];
    int argc;
    char paths[8][128]; /* the files added in dir */
    char fleet_arg[160];  /* --fleet-summary=DIR/fleet.txt */
    unsigned npaths;
    bundle_input in[BUNDLE_MAX_INPUTS];
    unsigned nin;
} wrap;

/* The value of --name VALUE or --name=VALUE in argv, or NULL. */
static const char *opt_value(int argc, char **argv, const char *name)
{
    size_t l = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strncmp(argv[i], name, l) && argv[i][l] == '=')
            return argv[i] + l + 1;
        if (!strcmp(argv[i], name) && i + 1 < argc)
            return argv[i + 1];
    }
    return NULL;
}

static bool opt_present(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return opt_value(argc, argv, name) != NULL;
}

static void input(wrap *w, const char *path, bundle_hint hint)
{
    if (path && w->nin < BUNDLE_MAX_INPUTS)
        w->in[w->nin++] = (bundle_input){.path = path, .hint = hint};
}

/* Adds "--opt DIR/name" when the user did not give --opt, and bundles the
 * file either way. */
static void output(wrap *w, const char *opt, const char *name)
{
    const char *user = opt_value(w->argc, w->argv, opt);
    if (user) {
        input(w, user, BUNDLE_AUTO);
        return;
    }
    if (w->argc + 2 >= WRAP_MAX_ARGS || w->npaths >= 8)
        return;
    char *p = w->paths[w->npaths++];
    snprintf(p, 128, "%s/%s", w->dir, name);
    w->argv[w->argc++] = (char *)opt;
    w->argv[w->argc++] = p;
    input(w, p, BUNDLE_AUTO);
}

const struct option bundle_wrap_opts[] = {
    {"bundle", required_argument, NULL, 0},
    {"bundle-include-secrets", no_argument, NULL, 0},
    {NULL, 0, NULL, 0},
};

/* argv without --bundle FILE and --bundle-include-secrets (the rows of
 * bundle_wrap_opts); false on a usage error (message printed). */
static bool strip(wrap *w, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--bundle-include-secrets")) {
            w->secrets = true;
        } else if (!strncmp(argv[i], "--bundle=", 9)) {
            w->out = argv[i] + 9;
        } else if (!strcmp(argv[i], "--bundle")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tlsprobe %s: --bundle needs a file name (FILE.tar.gz)\n",
                        w->cmd);
                return false;
            }
            w->out = argv[++i];
        } else if (w->argc < WRAP_MAX_ARGS - 16) {
            w->argv[w->argc++] = argv[i];
        }
    }
    if (w->secrets && !w->out) {
        fprintf(stderr, "tlsprobe %s: --bundle-include-secrets: only with --bundle FILE.tar.gz\n",
                w->cmd);
        return false;
    }
    return true;
}

/* The child that copies the command's standard output to the terminal
 * and to the text trace; it ends at end of file (signals are the
 * command's to handle). */
static pid_t tee_start(const char *path, int *saved)
{
    int fds[2];
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0 || pipe(fds) != 0) {
        if (out >= 0)
            close(out);
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        close(fds[1]);
        char buf[8192];
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf)) > 0) {
            if (write(1, buf, (size_t)n) < 0) { /* the terminal gone: keep the file */
            }
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        }
        _exit(0);
    }
    close(fds[0]);
    close(out);
    if (pid < 0) {
        close(fds[1]);
        return -1;
    }
    *saved = dup(1);
    dup2(fds[1], 1);
    close(fds[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    return pid;
}

static void tee_stop(pid_t pid, int saved)
{
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    waitpid(pid, NULL, 0);
}

/* Runs fn(argc, argv) in a child with its standard output to path (0600,
 * no symbolic link) and waits for it; getopt starts over in the child. */
static void run_to_file(const char *path, int (*fn)(int, char **), int argc, char **argv)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(1);
        optind = 0; /* the first run used getopt */
        int rc = fn(argc, argv);
        fflush(stdout);
        _exit(rc);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

/* decode: the JSON trace is a second run with --json, its standard
 * output to DIR/trace.jsonl. */
static void decode_json(wrap *w, int (*run)(int, char **))
{
    char *p = w->paths[w->npaths++];
    snprintf(p, 128, "%s/trace.jsonl", w->dir);
    w->argv[w->argc++] = "--json";
    w->argv[w->argc] = NULL;
    run_to_file(p, run, w->argc, w->argv);
    input(w, p, BUNDLE_AUTO);
}

/* serve, proxy: the fleet summary (the connections grouped by client
 * fingerprint and verdict) as fleet.txt, unless the user prints it on
 * standard output (then it ends the text trace) or names a file of their
 * own (bundled). */
static void fleet_output(wrap *w)
{
    for (int i = 1; i < w->argc; i++) {
        if (!strcmp(w->argv[i], "--fleet-summary"))
            return;
        if (!strncmp(w->argv[i], "--fleet-summary=", 16)) {
            input(w, w->argv[i] + 16, BUNDLE_FLEET);
            return;
        }
    }
    if (w->argc + 1 >= WRAP_MAX_ARGS || w->npaths >= 8)
        return;
    char *p = w->paths[w->npaths++];
    snprintf(p, 128, "%s/fleet.txt", w->dir);
    snprintf(w->fleet_arg, sizeof w->fleet_arg, "--fleet-summary=%s", p);
    w->argv[w->argc++] = w->fleet_arg;
    input(w, p, BUNDLE_FLEET);
}

/* decode: the fleet summary of the same capture (tlsprobe fleet, with the
 * key log when one was given), its standard output to DIR/fleet.txt. */
static void decode_fleet(wrap *w, const char *capture)
{
    if (!capture || w->npaths >= 8)
        return;
    char *p = w->paths[w->npaths++];
    snprintf(p, 128, "%s/fleet.txt", w->dir);
    const char *kl = opt_value(w->argc, w->argv, "--keylog");
    char *args[] = {"fleet", (char *)capture, kl ? "--keylog" : NULL, (char *)kl, NULL};
    run_to_file(p, cmd_fleet, kl ? 4 : 2, args);
    input(w, p, BUNDLE_FLEET);
}

/* The outputs each command adds, and the files of the user it bundles. */
static void plan(wrap *w)
{
    bool own_cert = opt_present(w->argc, w->argv, "--cert");
    output(w, "--trace", "trace.jsonl");
    if (!strcmp(w->cmd, "serve") || !strcmp(w->cmd, "proxy")) {
        output(w, "--pcap", "capture.pcapng");
        fleet_output(w);
        if (!own_cert && !opt_present(w->argc, w->argv, "--chain") &&
            !opt_present(w->argc, w->argv, "--cert-variant"))
            output(w, "--save-cert", "cert.pem");
    }
    if (!strcmp(w->cmd, "sweep")) {
        output(w, "--json", "sweep.json");
        output(w, "--report", "report.html");
    }
    input(w, opt_value(w->argc, w->argv, "--save-ca"), BUNDLE_AUTO);
    input(w, opt_value(w->argc, w->argv, "--cert"), BUNDLE_AUTO);
    input(w, opt_value(w->argc, w->argv, "--key"), BUNDLE_SECRET);
    const char *kl = opt_value(w->argc, w->argv, "--keylog");
    if (!kl && getenv("SSLKEYLOGFILE") && *getenv("SSLKEYLOGFILE"))
        kl = getenv("SSLKEYLOGFILE");
    input(w, kl, BUNDLE_SECRET);
}

/* decode's capture: the first word that is no option nor an option's value. */
static const char *decode_capture(const wrap *w)
{
    for (int i = 1; i < w->argc; i++) {
        if (!strcmp(w->argv[i], "--keylog") || !strcmp(w->argv[i], "--starttls"))
            i++;
        else if (w->argv[i][0] != '-')
            return w->argv[i];
    }
    return NULL;
}

static void cleanup(wrap *w)
{
    for (unsigned i = 0; i < w->npaths; i++)
        unlink(w->paths[i]);
    char p[128];
    snprintf(p, sizeof p, "%s/trace.txt", w->dir);
    unlink(p);
    rmdir(w->dir);
}

bool bundle_wrap_wants(const char *cmd)
{
    return !strcmp(cmd, "serve") || !strcmp(cmd, "sweep") || !strcmp(cmd, "decode") ||
           !strcmp(cmd, "proxy");
}

int bundle_wrap_run(const char *cmd, int (*run)(int, char **), int argc, char **argv)
{
    wrap *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->cmd = cmd;
    if (!strip(w, argc, argv) || !w->out) {
        int rc = w->out || w->secrets ? 2 : -1;
        free(w);
        return rc;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(w->dir, sizeof w->dir, "%s/tlsprobe-bundle-XXXXXX",
             tmp && *tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (!mkdtemp(w->dir)) {
        fprintf(stderr, "tlsprobe %s: --bundle: cannot make a private directory in %s\n", cmd,
                tmp ? tmp : "/tmp");
        free(w);
        return 1;
    }
    bool decode = !strcmp(cmd, "decode");
    if (decode)
        input(w, decode_capture(w), BUNDLE_AUTO);
    else
        plan(w);
    char text[128];
    snprintf(text, sizeof text, "%s/trace.txt", w->dir);
    input(w, text, BUNDLE_AUTO);
    int saved = -1, rc;
    char **args = w->argv;
    int nargs = w->argc;
    w->argv[w->argc] = NULL;
    pid_t tee = tee_start(text, &saved);
    rc = run(nargs, args);
    if (tee > 0)
        tee_stop(tee, saved);
    if (rc == 2) { /* a usage error: nothing ran, nothing to bundle */
        cleanup(w);
        free(w);
        return rc;
    }
    if (decode) {
        decode_json(w, run);
        decode_fleet(w, decode_capture(w));
    }
    bundle_job j = {.cmd = cmd, .out = w->out, .include_secrets = w->secrets,
                    .real = opt_present(w->argc, w->argv, "--cert")
                                ? "the server used your certificate (--cert), so its sessions "
                                  "are a real server's"
                            : opt_present(w->argc, w->argv, "--upstream")
                                ? "the proxy carried a real server's data (--upstream)"
                                : NULL,
                    .argc = argc, .argv = argv};
    int brc = bundle_make(&j, w->in, w->nin);
    cleanup(w);
    free(w);
    return rc ? rc : brc;
}
