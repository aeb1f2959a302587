/* The decode driver's sessions (decode_int.h): one made for a connection,
 * one ended from how its segments ended; for decode.c (one pass) and
 * decode_par.c (session threads). */
#include <string.h>

#include "addr.h"
#include "decode_int.h"

double decode_rel_t(uint64_t t0, uint64_t ts)
{
    return ts > t0 ? (double)(ts - t0) / 1e9 : 0.0;
}

tp_session *decode_session_new(const decode_ctx *ctx, unsigned conn, const struct sockaddr *client,
                               const struct sockaddr *server, uint64_t ts)
{
    char peer[64], local[64];
    tp_addr_format(client, peer, sizeof peer);
    tp_addr_format(server, local, sizeof local);
    tp_session_params p = {
        .conn = conn,
        .peer = peer,
        .local = local,
        .peer_sa = client,
        .local_sa = server,
        .wall = (double)ts / 1e9,
        .num_sinks = ctx->p->num_sinks,
        .want_data_events = ctx->p->data_events,
        .want_record_bytes = ctx->p->records,
        .mail = ctx->p->starttls,
        .mail_starttls = ctx->p->starttls != TP_MAIL_NONE,
    };
    for (unsigned i = 0; i < ctx->p->num_sinks; i++)
        p.sinks[i] = ctx->p->sinks[i];
    tp_session *s = tp_session_new(&p);
    /* the session takes its lines once it has seen the ClientHello random */
    if (s && ctx->keys)
        tp_session_set_keylog_store(s, ctx->keys);
    return s;
}

/* Who ended the connection, from the segments: a refused SYN, else the
 * side whose FIN or RST came first, else the end of the capture. */
static tp_end_reason end_reason(capture_close_reason why, const capture_close_info *info)
{
    if (info->refused)
        return TP_END_REFUSED;
    if (info->first_close_dir == TP_S2C)
        return info->first_close_rst ? TP_END_SERVER_RESET : TP_END_SERVER_CLOSED;
    if (info->first_close_dir == TP_C2S)
        return info->first_close_rst ? TP_END_PEER_RESET : TP_END_PEER_CLOSED;
    return why == CAPTURE_CLOSE_RST ? TP_END_PEER_RESET : TP_END_CAPTURE_END;
}

void decode_session_close(tp_session *s, uint64_t t0, uint64_t ts, capture_close_reason why,
                          const capture_close_info *info)
{
    if (info->first_close_dir >= 0) {
        tp_close_note n = {
            .who = info->first_close_dir == TP_S2C ? TP_ACTOR_SERVER : TP_ACTOR_CLIENT,
            .t = decode_rel_t(t0, info->first_close_ts),
            .rst = info->first_close_rst,
            .bytes_given = true,
            .c2s_bytes = info->before_close[TP_C2S],
            .s2c_bytes = info->before_close[TP_S2C],
            .later_reset = info->closer_reset,
        };
        tp_session_note_close(s, &n);
    }
    tp_session_end(s, decode_rel_t(t0, ts), end_reason(why, info));
    tp_session_free(s);
}

