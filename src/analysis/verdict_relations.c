/* See verdict_relations.h.  The sentences name the relation that decided:
 * "the client asked for wrong.example; the certificate is for localhost". */
#include "verdict_relations.h"

#include "verdict_alpn_sni.h"
#include "verdict_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static double deadline(const tp_observation *o)
{
    return o->timeout > 0 ? o->timeout : o->t_end;
}

/* ---- refused before TLS ---- */

bool tp_when_at_capacity(const tp_observation *o)
{
    return o->facts.refused == TP_REFUSED_AT_CAPACITY || o->facts.refused == TP_REFUSED_NO_FDS;
}
void tp_say_at_capacity(const tp_observation *o, tp_verdict *v)
{
    const tp_facts *f = &o->facts;
    vd_fail(v, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER);
    /* the client sees the accept, then a FIN: no RST, no ECONNREFUSED */
    if (f->refused == TP_REFUSED_AT_CAPACITY && f->max_conns_default)
        vd_say(v,
               "the server was at capacity (%u connections, the default limit from the open-file "
               "limit %lu): it accepted the connection and closed it at once",
               f->max_conns, f->fd_limit);
    else if (f->refused == TP_REFUSED_AT_CAPACITY)
        vd_say(v,
               "the server was at capacity (--max-conns %u): it accepted the connection and "
               "closed it at once",
               f->max_conns);
    else
        vd_say(v,
               "the server was at capacity: it ran out of file descriptors (accept() failed with "
               "%s; open-file limit %lu): it accepted the connection on a reserve descriptor and "
               "closed it at once",
               f->accept_errno == ENFILE ? "ENFILE, the system's limit" : "EMFILE", f->fd_limit);
}

bool tp_when_interactive_busy(const tp_observation *o)
{
    return o->facts.refused == TP_REFUSED_INTERACTIVE;
}
void tp_say_interactive_busy(const tp_observation *o, tp_verdict *v)
{
    (void)o;
    vd_fail(v, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER);
    vd_say(v, "the server was busy: --interactive serves one client at a time and already has one; "
              "connection refused");
}

/* ---- renegotiation ---- */

/* The server asked for a renegotiation (HelloRequest), the client declined
 * with a warning no_renegotiation (RFC 5246 7.4.1.1 lets it) and the server
 * then ended the connection with a fatal alert: a server that requires the
 * renegotiation (RFC 5246 7.2.2: "the original requester can decide whether
 * to proceed"; OpenSSL does not).  The client's decline is allowed, so the
 * failure is the server's: it insisted.  The client's act still leads the
 * summary (cause before symptom), the server's alert follows it. */
bool tp_when_renegotiation_declined(const tp_observation *o)
{
    return o->facts.rel.hello_request && o->client_no_renegotiation && !o->renegotiation &&
           o->server.fatal_alert && !o->client.fatal_alert;
}
void tp_say_renegotiation_declined(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "the client declined the server's renegotiation request (HelloRequest) with a "
              "warning no_renegotiation, which RFC 5246 7.4.1.1 allows; the server requires the renegotiation: it then sent "
              "%s%s %s and ended the connection",
           o->server.alert.is_protected ? "encrypted " : "", o->server.alert.level,
           o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        vd_say_more(v, " (engine: %s)", o->engine_error_text);
}

/* What became of a renegotiation on a working session. */
void vd_say_renegotiation(const tp_observation *o, tp_verdict *v)
{
    bool asked = o->facts.rel.hello_request;
    if (o->renegotiation_accepted)
        vd_say_more(v, ", after a %s renegotiation (%s)",
                    asked ? "server-requested" : "client-initiated",
                    o->renegotiation_resumed ? "the session resumed: an abbreviated handshake"
                                             : "a second full handshake");
    else if (asked && o->client_no_renegotiation)
        vd_say_more(v, "; the client declined the server's renegotiation request (HelloRequest) "
                       "with a warning no_renegotiation");
    else if (asked && !o->renegotiation)
        vd_say_more(v, "; the client ignored the server's renegotiation request (HelloRequest)");
}

/* ---- relations in the handshake ---- */

bool tp_when_client_cert_missing(const tp_observation *o)
{
    const tp_relations *r = &o->facts.rel;
    return r->cert_requested && r->client_certs_sent <= 0 && !vd_client_fatal(o) &&
           (o->server.fatal_alert || o->engine_error_name);
}
void tp_say_client_cert_missing(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    if (vd_is(r->client_cert_mode, "require"))
        vd_say(v, "the server requires a client certificate (--client-cert require)");
    else if (vd_is(r->client_cert_mode, "request"))
        vd_say(v, "the server asked for a client certificate (--client-cert request)");
    else
        vd_say(v, "the server asked for a client certificate (CertificateRequest)");
    if (r->client_certs_sent == 0)
        vd_say_more(v, " and the client sent none (Certificate with 0 certificates)");
    else
        vd_say_more(v, " and the client sent no Certificate message");
    if (o->server.fatal_alert)
        vd_say_more(v, "; the server then sent %s %s", o->server.alert.level,
                    o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        vd_say_more(v, " (engine: %s)", o->engine_error_text);
}

/* The client rejected the certificate, which does not name what it asked for. */
bool tp_when_certificate_name_mismatch(const tp_observation *o)
{
    return vd_client_fatal(o) && o->facts.rel.sni_match == 0 &&
           (vd_is(o->client.alert.description, "bad_certificate") ||
            vd_is(o->client.alert.description, "certificate_unknown"));
}
void tp_say_certificate_name_mismatch(const tp_observation *o, tp_verdict *v)
{
    char names[300];
    tp_rel_cert_names(&o->facts.rel, names, sizeof names);
    vd_fail(v, vd_client_alert_phase(o), TP_ACTOR_CLIENT);
    vd_say_cert_rejected(o, v);
    vd_say_alert_sent(o, v);
    vd_say_more(v, "; the client asked for %s; the certificate is for %s", o->facts.rel.sni, names);
    vd_say_sni_choice(o, v);
    vd_add_server_reaction(o, v);
}

/* ---- the client's pace ---- */

/* The handshake deadline expired while the client was still sending: the
 * silence before it is no longer than twice the client's own pace. */
bool tp_when_still_sending(const tp_observation *o)
{
    const tp_facts *f = &o->facts;
    if (o->end != TP_END_TIMEOUT || o->handshake_done || f->c2s_feeds < 3)
        return false;
    double pace = (f->c2s_last_t - f->c2s_first_t) / (f->c2s_feeds - 1);
    return o->t_end - f->c2s_last_t <= 2 * pace + 0.1;
}
void tp_say_still_sending(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    double rate = (double)o->client.bytes / (o->t_end > 0 ? o->t_end : 1);
    char pace[32];
    /* "1 byte/s", "4 bytes/s", "0.2 bytes/s" */
    if (rate >= 0.95)
        snprintf(pace, sizeof pace, "%.0f byte%s/s", rate, rate < 1.5 ? "" : "s");
    else
        snprintf(pace, sizeof pace, "%.1f bytes/s", rate);
    vd_say(v,
           "the client was still sending: %llu bytes over %.0f s (about %s), last byte %.1f s "
           "before the %.0f s handshake timeout; the handshake did not complete in time (last "
           "message it completed: %s)",
           o->client.bytes, o->t_end, pace, o->t_end - o->facts.c2s_last_t, deadline(o),
           vd_or(o->client.name, "none"));
}

/* ---- the application layer ---- */

static bool app_fits(const tp_observation *o, const char *fit)
{
    tp_app_layer a;
    tp_facts_app_fit(&o->facts, &a);
    return o->handshake_done && vd_is(a.fit, fit);
}

/* "; the client offered ALPN h2 only; the server selected none" when it matters. */
static void put_alpn(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!r->alpn_answer_seen || r->alpn_selected[0] || !r->num_alpn_offered)
        return;
    char offered[200];
    tp_rel_alpn_offered(r, offered, sizeof offered);
    vd_say_more(v, "; the client offered ALPN %s%s; the server selected none", offered,
                r->num_alpn_offered == 1 ? " only" : "");
    vd_say_alpn_server(o, v);
}

static void put_misfit(const tp_observation *o, tp_verdict *v, const char *answer)
{
    vd_ok(v);
    v->actor = TP_ACTOR_CLIENT; /* the client did not fit the mode */
    vd_say_completed(o, v);
    put_alpn(o, v); /* what was agreed first, then what the client sent and the hint */
    vd_say_more(v, "; %s", v->layers.app.note);
    if (vd_is(o->facts.mode, "http") && o->server.app_bytes)
        vd_say_more(v, "; tlsprobe answered %s", answer);
}

bool tp_when_app_not_http(const tp_observation *o)
{
    return app_fits(o, "not-http");
}
void tp_say_app_not_http(const tp_observation *o, tp_verdict *v)
{
    put_misfit(o, v, "400 Bad Request");
}

bool tp_when_app_h2_preface(const tp_observation *o)
{
    return app_fits(o, "h2-preface");
}
void tp_say_app_h2_preface(const tp_observation *o, tp_verdict *v)
{
    put_misfit(o, v, "with HTTP/2 GOAWAY HTTP_1_1_REQUIRED");
}

/* --http waited for the rest of a request head until the timeout. */
bool tp_when_app_incomplete(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && vd_is(o->facts.mode, "http") && !o->app_exchanged &&
           o->facts.app_bytes[0] && !o->server.app_bytes && app_fits(o, "http");
}
void tp_say_app_incomplete(const tp_observation *o, tp_verdict *v)
{
    char first[40];
    tp_facts_first_bytes(&o->facts, first, sizeof first);
    vd_ok(v);
    v->actor = TP_ACTOR_CLIENT; /* the client did not fit the mode */
    vd_say_completed(o, v);
    vd_say_more(v,
                " and the TLS session worked; the client sent %llu bytes (%s) but no complete HTTP "
                "request (its head ends with a blank line) before the %.0f s timeout",
                o->facts.app_bytes[0], first, deadline(o));
}

/* An h2-only client (like gRPC) that leaves when no ALPN was selected. */
bool tp_when_alpn_not_selected(const tp_observation *o)
{
    const tp_relations *r = &o->facts.rel;
    return o->handshake_done && !o->app_exchanged && !o->facts.app_bytes[0] &&
           !o->facts.app_bytes[1] && tp_rel_alpn_without_http11(r) && r->alpn_answer_seen &&
           !r->alpn_selected[0] && o->end != TP_END_SHUTDOWN;
}
void tp_say_alpn_not_selected(const tp_observation *o, tp_verdict *v)
{
    vd_ok(v);
    v->actor = TP_ACTOR_CLIENT; /* the client did not fit the mode */
    vd_say_completed(o, v);
    put_alpn(o, v);
    vd_say_more(v, "; the client then %s without sending data",
                o->client.close_notify ? "sent close_notify" : "closed the connection");
}

void tp_verdict_relations_fill(const tp_observation *o, tp_verdict *v)
{
    v->relations = o->facts.rel;
    tp_app_layer a;
    tp_facts_app_fit(&o->facts, &a);
    if (o->app_fit || !a.note[0] || !o->handshake_done)
        return;
    v->layers.app.fit = a.fit;
    snprintf(v->layers.app.note, sizeof v->layers.app.note, "%s", a.note);
}
