/* The server: listeners, worker event loops (libev), connections.  The only
 * module that blocks or polls.  `serve` runs it with one engine for every
 * connection; `sweep` runs it with a chooser that hands each new connection
 * the engine of the next configuration. */
#ifndef TP_SERVER_SERVER_H
#define TP_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/events.h"
#include "../analysis/session.h"
#include "../capture/outfile.h"
#include "../engine/engine.h"
#include "../quirk/quirk.h"
#include "proxy.h"
#include "../wire/mail.h"

/* The mail modes speak SMTP, IMAP or POP3 inside TLS (implicit TLS, ports
 * 465/993/995), or with starttls first in plaintext up to STARTTLS. */
typedef enum {
    TP_MODE_HTTP,
    TP_MODE_ECHO,
    TP_MODE_INTERACTIVE,
    TP_MODE_SMTP,
    TP_MODE_IMAP,
    TP_MODE_POP3,
    TP_MODE_PROXY /* serve --upstream (proxy.h) */
} tp_mode;

/* The mail mode of a mail protocol (--smtp, --starttls smtp, ...); -1 for none. */
static inline int tp_mode_for_mail(tp_mail_proto p)
{
    return p == TP_MAIL_SMTP ? TP_MODE_SMTP
           : p == TP_MAIL_IMAP ? TP_MODE_IMAP
           : p == TP_MAIL_POP3 ? TP_MODE_POP3
                               : -1;
}

typedef struct tp_server tp_server;

/* Per-connection choice (sweep).  Called on the worker thread that accepted
 * the connection, serialised by the server (never concurrently).  Return the
 * engine to use (must stay valid until the connection ends) and, through
 * *out_tag, an opaque pointer given back in on_verdict; return NULL to reject
 * the connection (closed at once, no session). */
typedef tp_engine *(*tp_choose_engine_fn)(void *ctx, unsigned conn, const char *peer,
                                          void **out_tag);
/* Optional (sweep): the record quirks of a connection whose choose gave
 * this tag (NULL: the params' quirks).  Called right after choose, under the
 * same lock; the set must stay valid until the connection ends. */
typedef const tp_quirk_set *(*tp_choose_quirks_fn)(void *ctx, void *tag);
/* Called once per connection after its verdict (serialised, like choose). */
typedef void (*tp_on_verdict_fn)(void *ctx, unsigned conn, const char *peer, void *tag,
                                 const tp_verdict *v);

/* Named tp_server_params (not _config): analysis/session.h already has a
 * tp_server_config (what the server allows, for the verdict). */
typedef struct {
    const char *const *listen; /* addresses; NULL or empty: "0.0.0.0" and "::" */
    unsigned num_listen;
    unsigned port;    /* 0: kernel picks (printed) */
    unsigned workers; /* event loops / threads, >= 1 */
    tp_mode mode;
    double timeout;              /* handshake and idle timeout, seconds */
    tp_engine *engine;           /* default engine (serve) */
    tp_choose_engine_fn choose;  /* optional (sweep) */
    tp_on_verdict_fn on_verdict; /* optional */
    tp_choose_quirks_fn choose_quirks; /* optional (sweep) */
    const tp_quirk_set *quirks;  /* --quirk: record rewriting of every connection, or NULL */
    void *cb_ctx;
    tp_sink *sinks[TP_MAX_SINKS]; /* every session gets these */
    unsigned num_sinks;
    bool want_data_events;   /* pcapng or -vv */
    bool want_record_bytes;  /* --records */
    capture_outfile *keylog; /* NSS key log (borrowed, opened by the caller), or NULL */
    unsigned max_conns;      /* refuse (with a verdict) above this many open; 0: the
                              * open-file limit minus a margin (server.c fd_margin) */
    /* (added by sweep) Do not watch SIGINT/SIGTERM: several servers run in
     * one process (sweep -j N, one per slot) and libev lets only one loop
     * watch a signal; the caller handles signals and calls tp_server_stop. */
    bool no_signals;
    /* TP_MODE_PROXY (serve --upstream): the upstream, borrowed */
    const tp_proxy_params *proxy;
    /* (mail) --starttls: a mail mode begins in plaintext (greeting,
     * capabilities, STARTTLS) and starts TLS on the same connection */
    bool starttls;
    /* Optional: called on each worker thread once per pass of its event loop,
     * before it waits (serve: the buffered --trace lines go out) */
    void (*on_pass)(void *ctx);
    void *on_pass_ctx;
} tp_server_params;

/* Binds the listeners (so the port is known before run).  NULL with a
 * message in err (e.g. "cannot listen on 127.0.0.1:5556: Address in use"). */
tp_server *tp_server_new(const tp_server_params *cfg, char *err, size_t err_len);
/* Actual bound addresses, e.g. "127.0.0.1:40123", "[::1]:40123". */
unsigned tp_server_bound(const tp_server *s, const char *const **out);
/* Runs until tp_server_stop (any thread or a signal handler via the
 * server's own signal watchers for SIGINT/SIGTERM) or, in interactive mode,
 * until the client leaves.  Returns 0. */
int tp_server_run(tp_server *s);
/* Async-signal-safe request to stop. */
void tp_server_stop(tp_server *s);
/* The connection limit in force (max_conns, or its default). */
unsigned tp_server_max_conns(const tp_server *s);
/* Totals, valid after run. */
void tp_server_totals(const tp_server *s, unsigned *out_conns, unsigned *out_ok,
                      unsigned *out_failed);
/* Connections whose verdict is "unused" (opened and closed without a byte);
 * counted neither ok nor failed.  Valid after run. */
unsigned tp_server_unused(const tp_server *s);
void tp_server_free(tp_server *s);

#endif
