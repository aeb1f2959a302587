/* The interactive mode (--interactive): one client; the lines typed on
 * stdin go to it, what it sends goes to stdout.  A line that starts with
 * '/' is a command to the server instead (/help lists them): renegotiate,
 * KeyUpdate, post-handshake client authentication, close_notify, an alert
 * of your choice.  "//" at the start sends one '/'. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mode.h"
#include "wire/handshake.h"

#define LINE_MAX_LEN 4096

/* The one client: stdin goes to it, what it sends to stdout. */
typedef struct {
    const tp_mode_conn *conn;
    ev_io in; /* stdin, while the client is open and reading */
    bool watching;
    bool mid_line; /* the client's last line to stdout is not complete */
    char line[LINE_MAX_LEN]; /* what stdin gave since the last line end */
    size_t line_len;
} interactive_state;

static void interactive_on_data(void *st, const tp_mode_conn *c, const uint8_t *data,
                                size_t len)
{
    (void)c;
    interactive_state *is = st;
    /* Each line the client sends appears prefixed with "< "; a partial line
     * continues on the next chunk. */
    for (size_t i = 0; i < len; i++) {
        if (!is->mid_line)
            fputs("< ", stdout);
        unsigned char ch = data[i];
        if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch != 0x7f) || ch == '\r')
            fputc(ch, stdout);
        else
            fprintf(stdout, "\\x%02x", ch);
        is->mid_line = ch != '\n';
    }
    fflush(stdout);
}

static void interactive_watch(interactive_state *is, bool on)
{
    if (on && !is->watching)
        ev_io_start(is->conn->loop, &is->in);
    else if (!on && is->watching)
        ev_io_stop(is->conn->loop, &is->in);
    is->watching = on;
}

/* ---- commands ---- */

typedef struct {
    const char *name;
    tp_engine_action action;
    const char *help;
} interactive_cmd;

static const interactive_cmd cmds[] = {
    {"renegotiate", TP_ACT_RENEGOTIATE, "ask the client to renegotiate (HelloRequest; TLS <= 1.2)"},
    {"keyupdate", TP_ACT_KEY_UPDATE, "send a KeyUpdate, update_not_requested (TLS 1.3)"},
    {"keyupdate-request", TP_ACT_KEY_UPDATE_REQUESTED,
     "send a KeyUpdate, update_requested: the client updates its keys too (TLS 1.3)"},
    {"auth", TP_ACT_REQUEST_CERT,
     "ask for a client certificate after the handshake (TLS 1.3; the\n"
     "                      client must offer post_handshake_auth: s_client -enable_pha)"},
};

static void help_print(void)
{
    fputs("tlsprobe: interactive commands (a line starting with '/'; '//' sends one '/'):\n",
          stderr);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(stderr, "  /%-18s %s\n", cmds[i].name, cmds[i].help);
    fputs("  /close              send close_notify and end the connection\n"
          "  /alert LEVEL NAME   send an alert, e.g. /alert warning user_canceled\n"
          "                      (LEVEL warning or fatal; a fatal one ends the connection)\n"
          "  /help               this list\n",
          stderr);
}

/* "warning user_canceled" -> level 1, description 90 (RFC 8446 6). */
static bool alert_parse(const char *args, uint8_t *out_level, uint8_t *out_desc)
{
    char level[16], name[48];
    if (sscanf(args, "%15s %47s", level, name) != 2)
        return false;
    if (strcmp(level, "warning") == 0)
        *out_level = 1;
    else if (strcmp(level, "fatal") == 0)
        *out_level = 2;
    else
        return false;
    for (unsigned d = 0; d < 256; d++) {
        const char *n = wire_alert_description_name((uint8_t)d);
        if (n && strcmp(n, name) == 0) {
            *out_desc = (uint8_t)d;
            return true;
        }
    }
    return false;
}

/* Tells the trace what the operator did (a note), and stderr. */
static void act_note(const tp_mode_conn *c, const char *what, bool ok, const char *why)
{
    char text[320];
    snprintf(text, sizeof text, "interactive: %s%s%s", what, ok ? "" : " refused: ",
             ok ? "" : why);
    tp_session_note(c->sess, c->ops->t(c->conn), text);
    fprintf(stderr, "tlsprobe: %s\n", text);
}

static void act(const tp_mode_conn *c, tp_engine_action a, uint8_t level, uint8_t desc,
                const char *what)
{
    char why[256] = "";
    bool ok = c->ops->act(c->conn, a, level, desc, why, sizeof why);
    act_note(c, what, ok, why);
}

static void command_run(const tp_mode_conn *c, const char *cmd)
{
    size_t n = strcspn(cmd, " \t");
    const char *args = cmd + n + strspn(cmd + n, " \t");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strlen(cmds[i].name) == n && strncmp(cmd, cmds[i].name, n) == 0) {
            char what[64];
            snprintf(what, sizeof what, "/%s", cmds[i].name);
            act(c, cmds[i].action, 0, 0, what);
            return;
        }
    uint8_t level, desc;
    if (n == 5 && strncmp(cmd, "close", 5) == 0) {
        act_note(c, "/close (close_notify)", true, "");
        tp_mode_conn_close(c);
    } else if (n == 5 && strncmp(cmd, "alert", 5) == 0) {
        char what[96];
        snprintf(what, sizeof what, "/alert %.80s", args);
        if (alert_parse(args, &level, &desc))
            act(c, TP_ACT_ALERT, level, desc, what);
        else
            act_note(c, what, false,
                     "expected LEVEL NAME, LEVEL warning or fatal, NAME an alert of RFC 8446 6 "
                     "(e.g. user_canceled)");
    } else {
        if (!(n == 4 && strncmp(cmd, "help", 4) == 0))
            fprintf(stderr, "tlsprobe: unknown command '/%.*s'\n", (int)n, cmd);
        help_print();
    }
}

/* The line so far goes to the client (a command when it starts with '/').
 * false when the connection is gone. */
static bool line_flush(interactive_state *is)
{
    const tp_mode_conn *c = is->conn;
    size_t n = is->line_len;
    is->line_len = 0;
    if (n == 0)
        return true;
    if (is->line[0] == '/' && (n < 2 || is->line[1] != '/')) {
        while (n && (is->line[n - 1] == '\n' || is->line[n - 1] == '\r'))
            n--;
        is->line[n] = '\0';
        command_run(c, is->line + 1);
    } else {
        size_t skip = is->line[0] == '/'; /* "//": one '/' */
        (void)tp_mode_conn_write(c, (const uint8_t *)is->line + skip, n - skip);
    }
    return c->ops->writable(c->conn);
}

static bool line_take(interactive_state *is, char ch)
{
    is->line[is->line_len++] = ch;
    if (ch == '\n' || is->line_len == sizeof is->line - 1)
        return line_flush(is);
    return true;
}

static void interactive_stdin_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    interactive_state *is = io->data;
    const tp_mode_conn *c = is->conn;
    if (!c->ops->writable(c->conn)) {
        /* Closed, or the client is not reading: stdin waits (restarted on
         * drain). */
        interactive_watch(is, false);
        return;
    }
    uint8_t buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        /* End of input: what is left of a line, then close the TLS session
         * properly (close_notify). */
        interactive_watch(is, false);
        (void)line_flush(is);
        fprintf(stderr, "tlsprobe: end of input, closing connection %u\n", c->id);
        tp_mode_conn_close(c);
    } else {
        for (ssize_t i = 0; i < n; i++)
            if (!line_take(is, (char)buf[i]))
                break;
    }
    c->ops->settle(c->conn);
}

static void interactive_on_open(void *st, const tp_mode_conn *c)
{
    interactive_state *is = st;
    is->conn = c;
    ev_io_init(&is->in, interactive_stdin_cb, STDIN_FILENO, EV_READ);
    is->in.data = is;
}

static void interactive_on_handshake_done(void *st, const tp_mode_conn *c)
{
    fprintf(stderr,
            "tlsprobe: client %s connected (connection %u); lines you type go to it, "
            "/help lists the commands, end of input (Ctrl-D) closes\n",
            c->peer, c->id);
    interactive_watch(st, true);
}

static void interactive_on_flow(void *st, const tp_mode_conn *c)
{
    interactive_watch(st, c->ops->writable(c->conn));
}

static void interactive_on_close(void *st, const tp_mode_conn *c)
{
    (void)c;
    interactive_state *is = st;
    interactive_watch(is, false);
    if (is->mid_line) {
        fputc('\n', stdout);
        fflush(stdout);
    }
}

/* ---- the table ---- */

const tp_mode_ops tp_mode_interactive = {
    .name = "interactive",
    .state_size = sizeof(interactive_state),
    .no_timer = true,
    .one_client = true,
    .on_open = interactive_on_open,
    .on_handshake_done = interactive_on_handshake_done,
    .on_appdata = interactive_on_data,
    .on_flow = interactive_on_flow,
    .on_close = interactive_on_close,
};
