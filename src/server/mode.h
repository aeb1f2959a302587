/* The interface between a connection (conn.c) and its mode (modes.c: echo,
 * the http status page, interactive).
 *
 * The arrows go one way: the connection calls the mode through its
 * tp_mode_ops table; the mode acts on its connection only through the
 * narrow tp_mode_conn handle it is handed (write bytes, close, peer name,
 * the session, the negotiated parameters).  modes.c includes this header
 * and nothing of conn.c or server.c; server.c does not know the modes.
 * Not a public header. */
#ifndef TP_SERVER_MODE_H
#define TP_SERVER_MODE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../analysis/session.h"
#include "../engine/engine.h"
#include "../wire/mail.h"
#include "server.h"

/* What the connection offers its mode (conn.c fills it). */
typedef struct {
    /* Queues application data through the engine (chunked); false when the
     * connection is closed or the engine failed. */
    bool (*write)(void *conn, const uint8_t *data, size_t len);
    /* Sends close_notify; the connection then ends (server closed). */
    void (*close)(void *conn);
    /* Sends what is queued and frees a finished connection: call last when
     * acting outside a connection callback (stdin). */
    void (*settle)(void *conn);
    /* Open (handshake done, not finished) and the client is reading (no
     * backpressure). */
    bool (*writable)(void *conn);
    void (*engine_info)(void *conn, tp_engine_info *out);
    /* Seconds since accept. */
    double (*t)(void *conn);
    /* An on-demand action after the handshake (engine.h tp_engine_conn_act;
     * level and desc for TP_ACT_ALERT); false with why when refused.  A
     * fatal alert ends the connection. */
    bool (*act)(void *conn, tp_engine_action a, uint8_t level, uint8_t desc, char *why,
                size_t why_len);
    /* The plaintext phase (mail --starttls): bytes straight to the socket
     * (traced like every byte), and the switch to TLS on the same
     * connection (the handshake starts with the client's next bytes). */
    bool (*write_plain)(void *conn, const uint8_t *data, size_t len);
    void (*start_tls)(void *conn);
    /* Stops (true) or resumes (false) reading the client's socket; what
     * was already read is still handed on.  The proxy holds while its
     * upstream queue is above a mark. */
    void (*hold_input)(void *conn, bool hold);
} tp_conn_ops;

/* The handle a mode is handed; valid until on_close returns. */
typedef struct {
    const tp_conn_ops *ops;
    void *conn;
    unsigned id;
    const char *peer;     /* "192.0.2.1:5555" */
    struct ev_loop *loop; /* the connection's event loop */
    tp_session *sess;     /* the ClientHello, engine errors */
    const tp_proxy_params *proxy; /* proxy mode: the upstream (server params) */
    bool starttls;        /* the connection begins in plaintext (--starttls) */
} tp_mode_conn;

static inline bool tp_mode_conn_write(const tp_mode_conn *mc, const uint8_t *data, size_t len)
{
    return mc->ops->write(mc->conn, data, len);
}
static inline void tp_mode_conn_close(const tp_mode_conn *mc)
{
    mc->ops->close(mc->conn);
}

/* A mode.  Each callback gets the mode's per-connection state (state_size
 * bytes, zeroed at accept, owned by the connection) and the handle. */
typedef struct {
    const char *name; /* "http", "echo", "interactive" (the trace's facts) */
    size_t state_size;
    /* Traffic after the handshake re-arms the idle timer (echo); otherwise
     * the timer set at the handshake runs out regardless (http: the request
     * deadline), or, with no_timer, none runs (interactive: a person
     * types at their pace). */
    bool idle_timeout;
    bool no_timer;
    /* One client at a time (others are refused), and the server ends with
     * the first that got through the handshake (interactive). */
    bool one_client;
    tp_mail_proto mail; /* the mail dialogue it speaks (smtp, imap, pop3), or NONE */
    /* accepted: TLS starts, or (mc->starttls) the plaintext phase */
    void (*on_open)(void *st, const tp_mode_conn *mc);
    /* bytes from the client in the plaintext phase (mc->starttls, before
     * the mode called start_tls) */
    void (*on_plain)(void *st, const tp_mode_conn *mc, const uint8_t *data, size_t len);
    void (*on_handshake_done)(void *st, const tp_mode_conn *mc);
    void (*on_appdata)(void *st, const tp_mode_conn *mc, const uint8_t *data, size_t len);
    /* writable() may have changed: backpressure began or ended, or the
     * connection finished. */
    void (*on_flow)(void *st, const tp_mode_conn *mc);
    void (*on_close)(void *st, const tp_mode_conn *mc); /* about to be freed */
} tp_mode_ops;

/* The interactive mode's table (interactive.c). */
extern const tp_mode_ops tp_mode_interactive;
/* The proxy mode (proxy.c). */
extern const tp_mode_ops tp_mode_proxy;

/* The table of a mode (never NULL: unknown modes get http). */
const tp_mode_ops *tp_mode_ops_get(tp_mode mode);

#endif
