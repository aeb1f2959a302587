/* Inside the decode driver: what decode.c (one pass) and decode_par.c
 * (sessions on worker threads) share.  Not for other modules. */
#ifndef TP_ANALYSIS_DECODE_INT_H
#define TP_ANALYSIS_DECODE_INT_H

#include "../capture/tcp.h"
#include "decode.h"

typedef struct {
    const tp_decode_params *p;
    crypto_keylog_store *keys;
    unsigned next_conn; /* the last connection number given, in first-packet order */
    uint64_t sessions;
} decode_ctx;

/* Seconds from t0 to ts (ns), 0 when ts is earlier. */
double decode_rel_t(uint64_t t0, uint64_t ts);
/* A session for connection conn with the parameters and key log of ctx;
 * NULL without memory. */
tp_session *decode_session_new(const decode_ctx *ctx, unsigned conn, const struct sockaddr *client,
                               const struct sockaddr *server, uint64_t ts);
/* Tells the session how the segments ended it, ends it (verdict, close)
 * and frees it.  t0: the connection's first timestamp. */
void decode_session_close(tp_session *s, uint64_t t0, uint64_t ts, capture_close_reason why,
                          const capture_close_info *info);
/* Session threads (decode_par.c, jobs > 1): starts them and points cb at
 * the reader's callbacks, which take the returned handle as their ctx;
 * NULL without memory or threads. */
typedef struct par_run decode_par;
decode_par *decode_par_new(decode_ctx *ctx, capture_tcp_callbacks *cb);
/* After capture_tcp_finish: lets the threads end every connection, joins
 * and frees them.  false when a message could not be allocated. */
bool decode_par_end(decode_par *r);

#endif
