/* TCP stream reassembly for offline captures.
 *
 * Feed every decoded TCP segment in capture order; the table finds the
 * connection by its 4-tuple, decides which side is the client, and calls
 * back with each direction's bytes in order:
 *
 *   on_open   a new connection (client = SYN sender; without a SYN, the side
 *             not on a well-known TLS/server port, else the first sender)
 *   on_data   contiguous bytes of one direction, in stream order; `data`
 *             points into the caller's packet or an internal buffer and is
 *             valid only during the call
 *   on_gap    `len` bytes of one direction are missing from the capture: the
 *             peer acknowledged past them, a reassembly bound was hit, or the
 *             capture/connection ended with a hole
 *   on_close  last call for the connection (FIN both ways, RST, end, reuse),
 *             with who closed first and whether the SYN was refused
 *
 * Retransmissions and overlaps are delivered once (first copy wins).
 * Out-of-order segments are copied and held, bounded per direction and per
 * table; when a bound is hit the hole before them is reported as a gap.
 * Callbacks must not call back into the table. */
#ifndef TP_CAPTURE_TCP_H
#define TP_CAPTURE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../crypto/dir.h"
#include "packet.h"

typedef enum {
    CAPTURE_CLOSE_FIN,    /* both directions sent FIN and all data arrived */
    CAPTURE_CLOSE_RST,    /* either side reset */
    CAPTURE_CLOSE_END,    /* capture_tcp_finish(): the capture ended first */
    CAPTURE_CLOSE_REUSED, /* a new SYN reused the 4-tuple */
    CAPTURE_CLOSE_LIMIT,  /* evicted (least recently active) to stay under max_conns */
} capture_close_reason;

/* How the connection ended, as the segments tell (given to on_close). */
typedef struct {
    int first_close_dir;      /* tp_dir of the first FIN or RST, -1 when neither came */
    bool first_close_rst;     /* that first close was a RST */
    uint64_t first_close_ts;  /* when it came (capture time, ns) */
    uint64_t before_close[2]; /* stream bytes each way (tp_dir) before it */
    bool closer_reset;        /* the side that sent the first FIN later sent a RST */
    bool refused;             /* the server answered the client's SYN with RST (no SYN-ACK) */
    bool syn_seen;            /* the client's SYN is in the capture */
} capture_close_info;

typedef struct {
    /* Returns the caller's handle for the connection, passed back to the
     * other callbacks; NULL means "ignore this connection" (no further
     * callbacks for it).  client/server are sockaddr_in or sockaddr_in6. */
    void *(*on_open)(void *ctx, const struct sockaddr *client, const struct sockaddr *server,
                     uint64_t ts_ns);
    void (*on_data)(void *ctx, void *conn, tp_dir dir, uint64_t ts_ns, const uint8_t *data,
                    size_t len);
    void (*on_gap)(void *ctx, void *conn, tp_dir dir, uint64_t ts_ns, size_t len);
    void (*on_close)(void *ctx, void *conn, uint64_t ts_ns, capture_close_reason why,
                     const capture_close_info *info);
} capture_tcp_callbacks;

/* Zero fields take the defaults shown. */
typedef struct {
    size_t max_conns;           /* live connections tracked at once: 65536 */
    size_t max_ooo_bytes;       /* held out-of-order bytes per direction: 4 MiB */
    size_t max_ooo_segments;    /* held out-of-order segments per direction: 4096 */
    size_t max_total_ooo_bytes; /* held out-of-order bytes, whole table: 256 MiB */
} capture_tcp_limits;

typedef struct {
    uint64_t segments;      /* segments given to capture_tcp_add */
    uint64_t conns;         /* connections opened */
    uint64_t conns_evicted; /* closed with CAPTURE_CLOSE_LIMIT */
    uint64_t bytes;         /* bytes delivered through on_data */
    uint64_t gap_bytes;     /* bytes reported through on_gap */
    uint64_t retransmitted; /* payload bytes dropped as already delivered */
    uint64_t ooo_segments;  /* segments that had to be held */
} capture_tcp_stats;

typedef struct capture_tcp capture_tcp;

/* cb is copied; ctx is passed to every callback; lim may be NULL.
 * NULL on allocation failure. */
capture_tcp *capture_tcp_new(const capture_tcp_callbacks *cb, void *ctx,
                             const capture_tcp_limits *lim);

/* One segment seen at ts_ns (nanoseconds, any epoch).  The payload is only
 * read during the call. */
void capture_tcp_add(capture_tcp *t, uint64_t ts_ns, const capture_segment *seg);

/* End of capture: reports remaining holes as gaps, delivers held data and
 * closes every open connection with CAPTURE_CLOSE_END. */
void capture_tcp_finish(capture_tcp *t, uint64_t ts_ns);

const capture_tcp_stats *capture_tcp_get_stats(const capture_tcp *t);

/* Frees everything without calling back (call finish first to get the
 * closes).  NULL is a no-op. */
void capture_tcp_free(capture_tcp *t);

#endif
