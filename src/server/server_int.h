/* Internals shared by server.c (listeners, workers), conn.c (one
 * connection's I/O and engine driving) and common.c (what both use).  The
 * modes (modes.c) see none of this: they get mode.h.  Not a public
 * header. */
#ifndef TP_SERVER_SERVER_INT_H
#define TP_SERVER_SERVER_INT_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "mode.h"
#include "server.h"

/* Output queue: while more than this is waiting for the socket, the
 * connection stops reading from its client (a client that does not read
 * cannot make us buffer more). */
#define SRV_OUT_HIGH (64 * 1024)
/* Reading resumes once the queue drained below this. */
#define SRV_OUT_LOW (16 * 1024)
/* Hard ceiling (a bug guard: the pause above keeps us far below it). */
#define SRV_OUT_MAX (4 * 1024 * 1024)
/* Received bytes the engine has not consumed yet. */
#define SRV_IN_MAX (64 * 1024)
/* One recv() / one engine read. */
#define SRV_IO_CHUNK 16384
/* Bytes still queued after the session ended: how long we wait for them. */
#define SRV_LINGER_SECONDS 2.0

/* A growable byte queue that owns no memory while empty: idle connections
 * must stay small. */
typedef struct {
    uint8_t *data;
    size_t off, len, cap;
} srv_buf;

bool srv_buf_append(srv_buf *b, const uint8_t *data, size_t len, size_t max);
void srv_buf_consume(srv_buf *b, size_t n);
void srv_buf_free(srv_buf *b);
static inline const uint8_t *srv_buf_data(const srv_buf *b)
{
    return b->data + b->off;
}

typedef struct tp_worker tp_worker;
typedef struct tp_conn tp_conn;

typedef struct {
    int fd;
    ev_io io;
    tp_worker *w;
    char local[80];
} srv_listener;

struct tp_worker {
    tp_server *srv;
    unsigned index;
    struct ev_loop *loop;
    pthread_t thread;
    bool thread_started;
    srv_listener *listeners;
    unsigned num_listeners;
    bool accepting;
    ev_async wake;
    ev_timer accept_retry;       /* after EMFILE and friends */
    ev_prepare pass;             /* cfg.on_pass (pass.c) */
    int reserve_fd;              /* spare descriptor: freed to accept-and-refuse at EMFILE */
    double refusal_logged_at;    /* stderr lines about refusals: at most one a second */
    unsigned refusals_unlogged;
    ev_signal sig_int, sig_term; /* worker 0 only */
    tp_conn *conns;              /* open connections, doubly linked */
    unsigned num_conns;
    tp_conn *sole; /* the one client of a one-client mode (interactive) */
};

struct tp_server {
    tp_server_params cfg;
    bool max_conns_default; /* cfg.max_conns came from the open-file limit */
    char **listen_copy;
    char **bound;
    unsigned num_bound;
    tp_worker *workers;
    unsigned num_workers;
    atomic_uint next_conn;
    atomic_uint open_conns;
    atomic_uint total_conns, total_ok, total_failed, total_unused;
    atomic_bool stopping;
    pthread_mutex_t cb_lock;
    capture_outfile *keylog; /* borrowed */
    pthread_mutex_t keylog_lock;
};

typedef enum { CONN_HANDSHAKE, CONN_OPEN, CONN_PLAIN /* mail preamble (--starttls) */ } conn_state;

struct tp_conn {
    tp_conn *prev, *next;
    tp_worker *w;
    int fd;
    unsigned id;
    conn_state state;
    ev_io rio, wio;
    ev_timer timer;
    double t0; /* monotonic seconds at accept */
    tp_session *sess;
    tp_engine *engine;
    void *tag;
    tp_engine_conn *ec;
    tp_transport transport;
    tp_rewriter *rw; /* --quirk: reshapes what the engine pushes, or NULL */
    tp_server_config allowed; /* analysis view of what the engine allows */
    srv_buf in;               /* received, not yet pulled by the engine */
    const uint8_t *chunk;     /* the recv() being processed, not copied yet */
    size_t chunk_len;
    srv_buf out;      /* pushed by the engine, not yet sent */
    bool finished;    /* end reason decided; destroyed once flushed */
    bool io_dead;     /* socket unusable: do not wait to flush */
    bool reading;     /* rio started */
    bool read_paused; /* backpressure */
    bool input_held;  /* the mode holds the client's input (conn_read.c) */
    bool drive_due;   /* ... let go: hand on what is already read, at settle */
    bool got_app, sent_app, exchanged;
    bool linger_armed; /* finished: waiting for the queue / the client's close */
    tp_end_reason end_reason;
    double t_end;
    double t_fed; /* time of the last bytes given to the session */
    unsigned long long rx_bytes, tx_bytes; /* TCP bytes received / sent so far */
    bool close_noted;                      /* the first FIN or RST is told to the session */
    char peer[64];
    const tp_mode_ops *mode;
    tp_mode_conn mode_conn; /* what the mode is handed */
    bool mode_started;      /* on_open was called: on_close is due */
    const tp_quirk_set *plain_quirks; /* CONN_PLAIN: the quirks TLS starts with */
    _Alignas(max_align_t) unsigned char mode_state[]; /* mode->state_size bytes */
};

/* conn.c */
/* accept_errno: 0, or EMFILE/ENFILE when the connection was accepted on the
 * reserve descriptor only to be refused with a verdict. */
void conn_accept(tp_worker *w, int fd, const struct sockaddr *peer, socklen_t peer_len,
                 const srv_listener *l, int accept_errno);
/* Ends the session (once, with this reason); the connection is freed at the
 * end of the current callback, after its queued bytes went out. */
void conn_finish(tp_conn *c, tp_end_reason why);
/* conn_close.c: the first FIN or RST (`who` sent it); the client's FIN has
 * arrived (its TCP state); our FIN is about to leave: who was first. */
void conn_note_close(tp_conn *c, tp_actor who, bool rst);
bool conn_peer_fin_pending(const tp_conn *c);
void conn_note_our_close(tp_conn *c);
/* Finish, flush what can be flushed right now, and free. */
void conn_shutdown(tp_conn *c);
/* Queues application data through the engine (chunked). */
bool conn_write_app(tp_conn *c, const uint8_t *data, size_t len);
/* Sends close_notify and finishes with TP_END_SERVER_CLOSED. */
void conn_close_gracefully(tp_conn *c);
/* conn_act.c: tp_conn_ops.act (an action after the handshake, engine.h
 * tp_engine_conn_act); a fatal alert finishes the connection. */
bool conn_api_act(void *conn, tp_engine_action a, uint8_t level, uint8_t desc, char *why,
                  size_t why_len);
/* conn_rewrite.c: the quirk set the connection's record rewriter runs with
 * (NULL: none): quirks, or with --interactive on an engine that cannot send
 * an alert of one's choice an empty set (its /alert goes through it). */
const tp_quirk_set *conn_act_rewriting(tp_conn *c, const tp_quirk_set *quirks);
/* Frees the connection now if it finished and nothing is left to send;
 * otherwise arranges for the rest to go out.  Call last in a callback. */
void conn_settle(tp_conn *c);
double conn_t(const tp_conn *c);
/* Bytes for the socket, traced as the server's (false: queue full). */
bool conn_queue(tp_conn *c, const uint8_t *data, size_t len, const char *quirk);
/* TLS starts: the engine session, the handshake deadline; on_open unless
 * a plaintext phase already called it.  quirks: --quirk, NULL for none. */
void conn_start_tls(tp_conn *c, const tp_quirk_set *quirks);

/* conn_read.c: the read watcher (started unless paused, held or
 * finished) and tp_conn_ops.hold_input. */
void conn_read_start(tp_conn *c);
void conn_read_stop(tp_conn *c);
void conn_hold_input(void *conn, bool hold);

/* conn_api.c: the ops a mode acts through (tp_conn_ops), among them the
 * plaintext phase of --starttls (state CONN_PLAIN: conn.c gives the mode's
 * on_open its greeting and the client's bytes to on_plain until the mode
 * calls start_tls).  conn.c only takes the table's address, so the calls
 * go one way. */
extern const tp_conn_ops conn_api;

/* server.c */
void srv_accept_resume(tp_worker *w);
void srv_accept_pause(tp_worker *w);

/* pass.c: starts the loop's cfg.on_pass watcher, if any */
void srv_pass_init(tp_worker *w);

/* common.c (tp_server_stop too) */
double srv_now(void);
void srv_keylog_write(tp_server *s, const char *line);
/* The process's open-file limit (RLIMIT_NOFILE soft), 0 when unknown. */
unsigned long srv_fd_limit(void);
/* One stderr line about a refused connection (rate-limited per worker). */
void srv_log_refusal(tp_worker *w, unsigned conn, const char *peer, const tp_facts *f);

#endif
