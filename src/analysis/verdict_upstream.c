/* See verdict_upstream.h. */
#include "verdict_upstream.h"

#include "verdict_int.h"

#include <stdio.h>

const char *tp_upstream_state_name(tp_upstream_state s)
{
    static const char *const names[] = {
        [TP_UP_NONE] = "none",
        [TP_UP_CONNECTING] = "connecting",
        [TP_UP_CONNECTED] = "connected",
        [TP_UP_REFUSED] = "refused",
        [TP_UP_UNREACHABLE] = "unreachable",
        [TP_UP_CONNECT_TIMEOUT] = "connect-timeout",
        [TP_UP_TLS_FAILED] = "tls-failed",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "none";
}

static tp_phase upstream_phase(const tp_observation *o)
{
    return o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
}

/* "; the client's side was fine: handshake completed (TLS1.3, AES-256-GCM)" */
static void say_client_fine(const tp_observation *o, tp_verdict *v)
{
    if (o->handshake_done) {
        vd_say_more(v, "; the client is not at fault: its handshake completed (%s, %s)",
                    vd_or(o->protocol, "?"), vd_or(o->cipher, "?"));
    } else {
        vd_say_more(v, "; the client's handshake had not completed (last message it sent: %s)",
                    vd_or(o->client.name, "none"));
    }
}

static bool upstream_unanswered(const tp_upstream_facts *u)
{
    return !u->u2c_bytes || (u->c2u_bytes && u->last_c2u_t > u->last_u2c_t);
}

bool tp_when_upstream_refused(const tp_observation *o)
{
    tp_upstream_state s = o->facts.up.state;
    return s == TP_UP_REFUSED || s == TP_UP_UNREACHABLE || s == TP_UP_CONNECT_TIMEOUT;
}
void tp_say_upstream_refused(const tp_observation *o, tp_verdict *v)
{
    const tp_upstream_facts *u = &o->facts.up;
    vd_fail(v, upstream_phase(o), TP_ACTOR_SERVER);
    if (u->state == TP_UP_CONNECT_TIMEOUT)
        vd_say(v, "upstream refused: %s did not answer the connection attempt within %.0f s",
               u->addr, u->connect_t);
    else
        vd_say(v, "upstream refused: the connection to %s failed after %.3f s (%s)", u->addr,
               u->connect_t, u->error[0] ? u->error : "?");
    say_client_fine(o, v);
    vd_say_more(v, "; tlsprobe closed the client's session");
}

bool tp_when_upstream_tls_failed(const tp_observation *o)
{
    return o->facts.up.state == TP_UP_TLS_FAILED;
}
void tp_say_upstream_tls_failed(const tp_observation *o, tp_verdict *v)
{
    const tp_upstream_facts *u = &o->facts.up;
    vd_fail(v, upstream_phase(o), TP_ACTOR_SERVER);
    vd_say(v, "upstream TLS failed: the handshake of tlsprobe with the upstream %s failed (%s)",
           u->addr, u->error[0] ? u->error : "?");
    say_client_fine(o, v);
}

bool tp_when_upstream_closed_first(const tp_observation *o)
{
    const tp_upstream_facts *u = &o->facts.up;
    return u->state == TP_UP_CONNECTED && u->closed && upstream_unanswered(u);
}
void tp_say_upstream_closed_first(const tp_observation *o, tp_verdict *v)
{
    const tp_upstream_facts *u = &o->facts.up;
    vd_fail(v, upstream_phase(o), TP_ACTOR_SERVER);
    const char *how = u->reset ? "reset" : "closed";
    if (!u->u2c_bytes)
        vd_say(v, "upstream closed first: %s %s the connection at %.3f s without sending a byte",
               u->addr, how, u->closed_t);
    else
        vd_say(v,
               "upstream closed first: %s %s the connection at %.3f s with the client's last "
               "bytes unanswered (%llu bytes forwarded to it, %llu back)",
               u->addr, how, u->closed_t, u->c2u_bytes, u->u2c_bytes);
    say_client_fine(o, v);
}

bool tp_when_upstream_slow(const tp_observation *o)
{
    const tp_upstream_facts *u = &o->facts.up;
    return o->end == TP_END_TIMEOUT && o->handshake_done && u->state == TP_UP_CONNECTED &&
           upstream_unanswered(u);
}
void tp_say_upstream_slow(const tp_observation *o, tp_verdict *v)
{
    const tp_upstream_facts *u = &o->facts.up;
    vd_fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_SERVER);
    if (!u->c2u_bytes)
        vd_say(v,
               "slow upstream: %s sent nothing (no greeting) and the client waited for it; "
               "the %.0f s timeout ended the connection",
               u->addr, o->t_end - u->connect_t);
    else
        vd_say(v,
               "slow upstream: %s did not answer the client's last bytes (%llu bytes forwarded "
               "to it, %llu back) for %.0f s",
               u->addr, u->c2u_bytes, u->u2c_bytes, o->t_end - u->last_c2u_t);
    say_client_fine(o, v);
}
