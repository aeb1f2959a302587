/* The session model: one per connection, fed the connection's bytes in
 * order per direction, emits tp_events to its sinks and, at the end, exactly
 * one verdict.  Used identically by `serve` (bytes from the transport shim)
 * and `decode` (bytes from TCP reassembly).  Does no I/O. */
#ifndef TP_ANALYSIS_SESSION_H
#define TP_ANALYSIS_SESSION_H

#include "../wire/mail.h"
#include "events.h"

typedef struct tp_session tp_session;

#define TP_MAX_SINKS 8

/* What the server side was configured to accept, so the verdict can say
 * "the client offered no suite the server allows".  Optional (offline: none). */
typedef struct {
    const uint16_t *suites; /* allowed suite ids, or NULL when unknown */
    unsigned num_suites;
    const uint16_t *groups;
    unsigned num_groups;
    const uint16_t *versions;
    unsigned num_versions;
} tp_server_config;

/* Engine-reported facts (live only).  Strings are copied. */
typedef struct {
    const char *protocol, *kx, *cipher, *mac, *group, *sigalg;
} tp_negotiated;

typedef enum {
    TP_END_PEER_CLOSED,   /* client closed (FIN) */
    TP_END_PEER_RESET,    /* RST or read error */
    TP_END_SERVER_CLOSED, /* we closed after a normal end or an error (offline: the
                             server's FIN came first) */
    TP_END_TIMEOUT,       /* handshake/idle timeout */
    TP_END_SHUTDOWN,      /* server stopping (SIGINT/SIGTERM) */
    TP_END_CAPTURE_END,   /* offline: capture ended */
    TP_END_CAPACITY,      /* the server refused it: at its connection limit or out of fds */
    TP_END_REFUSED,       /* offline: the server answered the client's SYN with RST */
    TP_END_SERVER_RESET,  /* offline: the server reset the connection first */
} tp_end_reason;

typedef struct {
    unsigned conn;
    const char *peer, *local;                  /* printable addresses, copied */
    const struct sockaddr *peer_sa, *local_sa; /* may be NULL */
    double wall;                               /* epoch seconds at accept */
    tp_sink *sinks[TP_MAX_SINKS];
    unsigned num_sinks;
    const tp_server_config *server; /* may be NULL; must outlive the session */
    bool want_data_events;          /* emit TP_EV_DATA (pcapng, -vv) */
    bool want_record_bytes;         /* --records: keep ciphertext/plaintext pairs */
    bool expect_secrets;            /* live: the engine hands over key log lines as it
                                       derives them, so a protected record that arrives
                                       before its keys is held back (bounded) until they come */
    /* the mail dialogue (session_mail.c): live, the server's mail mode;
     * decode --starttls P; NONE: recognised from a server greeting */
    tp_mail_proto mail;
    bool mail_starttls; /* a plaintext preamble up to STARTTLS comes first */
} tp_session_params;

/* Creates a session and emits TP_EV_ACCEPT.  NULL on allocation failure. */
tp_session *tp_session_new(const tp_session_params *p);

/* Feeds bytes seen on the wire in one direction, in order.  t is seconds since
 * accept.  Emits record/handshake/alert events as they complete.  Memory held
 * is bounded: a peer cannot make the session buffer more than one record and
 * one handshake message (WIRE_HS_MAX_LEN) per direction. */
void tp_session_feed(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len);

/* The same for whole records that a record rewriter (--quirk) shaped: each
 * record framed from these bytes carries quirk (copied; NULL: none) in its
 * record event. */
void tp_session_feed_shaped(tp_session *s, tp_dir dir, double t, const uint8_t *data, size_t len,
                            const char *quirk);

/* A remark for this connection's trace (TP_EV_NOTE), e.g. a quirk that
 * cannot apply to the negotiated connection. */
void tp_session_note(tp_session *s, double t, const char *text);

/* Offline only: `len` bytes of this direction are missing from the capture. */
void tp_session_gap(tp_session *s, tp_dir dir, double t, size_t len);

/* A key log line for this connection ("CLIENT_RANDOM <cr> <secret>" or a
 * TLS 1.3 label).  Emits TP_EV_SECRET and, once enough is known, enables the
 * independent record check. */
void tp_session_add_secret(tp_session *s, double t, const char *nss_line);

/* Offline: a key log store (crypto/keylog.h) to take this connection's
 * secrets from once its ClientHello is seen.  Must outlive the session. */
struct crypto_keylog_store;
void tp_session_set_keylog_store(tp_session *s, const struct crypto_keylog_store *store);

/* Live only: what the engine says was negotiated, and the engine's error
 * when the handshake or a read failed (NULL for none). */
void tp_session_set_negotiated(tp_session *s, const tp_negotiated *n);
void tp_session_engine_error(tp_session *s, double t, const char *error_name,
                             const char *error_text);
void tp_session_handshake_done(tp_session *s, double t);
/* The server's handshake/idle timeout, quoted by timeout verdicts. */
void tp_session_set_timeout(tp_session *s, double timeout);
/* Application data went both ways (echo/http served): the connection counts ok. */
void tp_session_app_exchanged(tp_session *s);

/* The first FIN or RST of the connection, as the transport saw it: who sent
 * it, when, whether it was a reset, and the TCP bytes each way before it
 * (bytes_given; else the bytes fed so far).  later_reset: the side that
 * closed first reset the connection afterwards (decode: a FIN, then a RST
 * to bytes that came after it).  Only the first call counts. */
typedef struct {
    tp_actor who;
    double t;
    bool rst;
    bool bytes_given;
    unsigned long long c2s_bytes, s2c_bytes;
    bool later_reset;
} tp_close_note;
void tp_session_note_close(tp_session *s, const tp_close_note *n);

/* Ends the session: emits the verdict and TP_EV_CLOSE.  Idempotent. */
void tp_session_end(tp_session *s, double t, tp_end_reason why);

/* The facts the verdict relates (relations.h): the server sets its mode,
 * --client-cert and refusals here before feeding bytes; the session fills
 * the rest from the messages it parses. */
tp_facts *tp_session_facts(tp_session *s);

/* Valid after end. */
const tp_verdict *tp_session_verdict(const tp_session *s);

/* The client's first ClientHello as raw handshake bytes (header + body, or
 * the SSLv2-format record fragment); NULL before it arrived. */
const uint8_t *tp_session_client_hello(const tp_session *s, size_t *out_len);
/* The same ClientHello as the session parsed it (the one parse: the http
 * status page decodes and fingerprints this); a view into the session's
 * copy, valid while the session lives.  NULL before it arrived. */
const wire_client_hello *tp_session_client_hello_parsed(const tp_session *s);

/* Whether the first bytes of a stream that is not TLS are shown as text
 * (else hex): the first line printable ASCII, nothing binary after it. */
bool tp_session_is_text(const uint8_t *p, size_t len);

/* Frees; NULL is a no-op.  Does not end the session (call end first). */
void tp_session_free(tp_session *s);

#endif
