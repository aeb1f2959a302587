/* Record-layer quirks: a record rewriter on the server -> client path.
 *
 * The engine's records are opened with the engine's own keys (the key log
 * lines it hands to the server), re-shaped (padding, fragmentation, split,
 * extra records, header version) and sealed again with the rewriter's own
 * write state (sequence numbers, TLS 1.0 chained IV, explicit IVs, nonces),
 * so the client sees a valid stream that differs from the engine's only in
 * the chosen property.  Client -> server bytes are not touched.
 *
 * Uses wire/ (framing, handshake parsing) and crypto/ (open/seal); nothing
 * higher.  One tp_quirk_set per configuration (read-only, shared by its
 * connections), one tp_rewriter per connection (one thread at a time). */
#ifndef TP_QUIRK_QUIRK_H
#define TP_QUIRK_QUIRK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TP_QUIRK_MAX 12
#define TP_QUIRK_LABEL_MAX 40

typedef struct quirk_def quirk_def;

/* One --quirk NAME[=VALUE] as given. */
typedef struct {
    const quirk_def *def;
    char label[TP_QUIRK_LABEL_MAX]; /* "cbc-padding=max": what the trace names */
    long n;                         /* numeric value (meaning per quirk) */
    int mode;                       /* symbolic value (per quirk) */
} tp_quirk;

typedef struct {
    unsigned num;
    tp_quirk q[TP_QUIRK_MAX];
    char all_label[TP_QUIRK_MAX * TP_QUIRK_LABEL_MAX]; /* every label, ',' between */
} tp_quirk_set;

/* Adds one "NAME[=VALUE]".  false with a message naming the bad name or
 * value and listing the valid ones ("unknown quirk 'x'; valid: ..."). */
bool tp_quirk_set_add(tp_quirk_set *s, const char *arg, char *err, size_t err_len);

/* Prints one line per quirk (name, values, the client bug it reproduces,
 * "out of spec" where it is), for `tlsprobe list`. */
void tp_quirk_list(FILE *out);

/* Representative values for the sweep's quirk axis ("none" first). */
unsigned tp_quirk_axis_values(const char **out, unsigned max);

/* ---- the per-connection rewriter ---- */

typedef struct {
    /* One or more whole records to send; quirk: the label of the quirk that
     * shaped them (NULL: passed on unchanged / only re-sealed).  Pointers
     * are valid during the call only. */
    void (*emit)(void *ctx, const uint8_t *data, size_t len, const char *quirk);
    /* A remark for the connection's trace (a quirk that cannot apply). */
    void (*note)(void *ctx, const char *text);
    void *ctx;
} tp_rewriter_out;

typedef struct tp_rewriter tp_rewriter;

/* The set must outlive the rewriter.  NULL on allocation failure. */
tp_rewriter *tp_rewriter_new(const tp_quirk_set *set, const tp_rewriter_out *out);
void tp_rewriter_free(tp_rewriter *rw);
/* A key log line the engine derived (same order as the engine's). */
void tp_rewriter_add_secret(tp_rewriter *rw, const char *nss_line);
/* Bytes the engine pushed, in order.  Whole records go out at once; a
 * partial record waits for its rest. */
void tp_rewriter_push(tp_rewriter *rw, const uint8_t *data, size_t len);
/* true once per connection, when the hello-request quirk is set, the
 * protocol has renegotiation (TLS <= 1.2) and the engine's first
 * application data record went out: the caller then has the engine send a
 * HelloRequest (tp_engine_conn_request_renegotiation). */
bool tp_rewriter_take_hello_request(tp_rewriter *rw);
/* Writes an alert record of the caller's choice (RFC 5246 7.2) after what
 * went out, sealed with the rewriter's own write state when protected: the
 * engine's later records are sealed with the sequence number after it (an
 * engine that cannot send an alert of one's choice: --interactive's /alert
 * on libssl).  false when it cannot (before the ServerHello, given up). */
bool tp_rewriter_inject_alert(tp_rewriter *rw, uint8_t level, uint8_t desc);
/* End of the engine's burst (the server is about to send): records that
 * a quirk holds back to coalesce go out now. */
void tp_rewriter_flush(tp_rewriter *rw);

#endif
