/* The interactive mode (--interactive): one client; the lines typed on
 * stdin go to it, what it sends goes to stdout. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "mode.h"

/* The one client: stdin goes to it, what it sends to stdout. */
typedef struct {
    const tp_mode_conn *conn;
    ev_io in; /* stdin, while the client is open and reading */
    bool watching;
    bool mid_line; /* the client's last line to stdout is not complete */
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
        /* End of input: close the TLS session properly (close_notify). */
        interactive_watch(is, false);
        fprintf(stderr, "tlsprobe: end of input, closing connection %u\n", c->id);
        tp_mode_conn_close(c);
    } else {
        (void)tp_mode_conn_write(c, buf, (size_t)n);
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
            "end of input (Ctrl-D) closes\n",
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
