/* The verdict rules: a table of (cause, applies, say) entries over one
 * observation.  The first rule that applies decides the outcome, phase,
 * actor and the one summary sentence; most specific first.  `cause` is the
 * rule's stable id in the trace.  The layers (verdict_layers.c) say what
 * happened at each layer whatever rule decided.
 *
 * Mutation testing (tests/mutants/run): with TP_MUTANTS defined, the
 * generated tp_mutant.h may define TP_MUTANT (skip rule n) or
 * TP_MUTANT_FLIP (invert rule n's applicability). */
#include "verdict.h"
#include "verdict_alpn_sni.h"
#include "verdict_int.h"
#include "verdict_mail.h"
#include "verdict_relations.h"
#include "verdict_psk.h"
#include "verdict_upstream.h"

#include <stdio.h>
#include <string.h>

#ifdef TP_MUTANTS
#include "tp_mutant.h"
#endif

const char *tp_phase_name(tp_phase p)
{
    switch (p) {
    case TP_PHASE_HANDSHAKE:
        return "handshake";
    case TP_PHASE_AFTER_HANDSHAKE:
        return "after-handshake";
    case TP_PHASE_NOT_TLS:
        return "not-tls";
    case TP_PHASE_TIMEOUT:
        return "timeout";
    case TP_PHASE_TRANSPORT:
        return "transport";
    case TP_PHASE_PREAMBLE:
        return "preamble";
    }
    return "handshake";
}

/* ---- the rules --------------------------------------------------------- */

static bool when_not_tls(const tp_observation *o)
{
    return o->not_tls;
}
static void say_not_tls(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_NOT_TLS, o->not_tls_dir_c2s ? TP_ACTOR_CLIENT : TP_ACTOR_SERVER);
    const char *who = o->not_tls_dir_c2s ? "client" : "server";
    if (o->looks_http)
        vd_say(v, "the %s's bytes are plain HTTP (\"%s\"), not TLS", who, o->first_bytes);
    else if (o->looks_smtp)
        vd_say(v, "the %s's bytes are plain text (\"%s\", SMTP-like), not TLS", who,
               o->first_bytes);
    else
        vd_say(v, "the %s's bytes are not TLS (first bytes: %s)", who, o->first_bytes);
}

static bool when_unused(const tp_observation *o)
{
    /* the server may have answered the close (s_server: decode_error) */
    return vd_client_silent(o) && !o->server.name && !o->server_hello &&
           (o->end == TP_END_PEER_CLOSED || o->end == TP_END_PEER_RESET) &&
           vd_closer(o) == TP_ACTOR_CLIENT;
}
static void say_unused(const tp_observation *o, tp_verdict *v)
{
    v->outcome = TP_OUTCOME_UNUSED;
    v->phase = TP_PHASE_TRANSPORT;
    v->actor = TP_ACTOR_CLIENT;
    vd_say(v,
           "the client opened a TCP connection and %s after %.3f s without sending a byte (a "
           "browser's preconnect or a port check): unused, not a TLS failure",
           o->end == TP_END_PEER_RESET ? "reset it" : "closed it", o->t_end);
    if (o->server.has_alert)
        vd_say_more(v, "; the server answered the close with %s %s", o->server.alert.level,
                    o->server.alert.description);
}

static bool when_server_refused(const tp_observation *o)
{
    return o->end == TP_END_REFUSED;
}
static void say_server_refused(const tp_observation *o, tp_verdict *v)
{
    (void)o;
    vd_fail(v, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER);
    vd_say(v, "the server refused the connection (RST to the client's SYN): nothing accepted "
              "connections on that port");
}

/* A ClientHello after the completed handshake (TLS <= 1.2) that the server
 * did not take up, and the connection ended in a fatal alert over it. */
static bool when_renegotiation_refused(const tp_observation *o)
{
    return o->renegotiation && !o->renegotiation_accepted &&
           (vd_client_fatal(o) || o->server.fatal_alert || !o->app_exchanged);
}
static void say_renegotiation_refused(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v,
           "the client asked to renegotiate (a ClientHello in a protected record after the "
           "completed handshake) and the server refused (renegotiation not allowed by the server)");
    bool fatal = o->server.fatal_alert && !vd_is(o->server.alert.description, "no_renegotiation");
    if (o->server_no_renegotiation)
        vd_say_more(v, ": warning no_renegotiation%s%s", fatal ? ", then fatal " : "",
                    fatal ? o->server.alert.description : "");
    else if (fatal)
        vd_say_more(v, ": fatal %s", o->server.alert.description);
    else
        vd_say_more(v, " by not answering it");
    if (vd_client_fatal(o))
        vd_say_more(v, "; the client then sent %s%s %s",
                    o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level,
                    o->client.alert.description);
}

static bool when_client_bad_record(const tp_observation *o)
{
    return o->client.bad_record;
}
static void say_client_bad_record(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say(v, "the client sent an invalid protected record (#%u: %s)", o->client.bad_record_index,
           o->client.bad_record_detail);
    if (o->server.has_alert)
        vd_say_more(v, "; the server answered with %s %s", o->server.alert.level,
                    o->server.alert.description);
}

static bool when_broken_stream(const tp_observation *o)
{
    return o->broken_stream;
}
static void say_broken_stream(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say(v, "the client's byte stream stopped being valid TLS: %s", o->broken_detail);
}

static bool offer_refused(const tp_observation *o, bool known, bool overlap)
{
    return !o->server_hello && o->client_hello && known && !overlap;
}

static bool when_no_shared_version(const tp_observation *o)
{
    return offer_refused(o, o->version_overlap_known, o->version_overlap);
}
static void say_no_shared_version(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "no common protocol version: the client offers %s; the server allows %s",
           o->client_versions, o->server_versions);
    if (o->server.has_alert)
        vd_say_more(v, "; the server sent %s %s", o->server.alert.level,
                    o->server.alert.description);
}

static bool when_no_shared_suite(const tp_observation *o)
{
    return offer_refused(o, o->suite_overlap_known, o->suite_overlap);
}
static void say_no_shared_suite(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    char offered[320], allowed[320];
    vd_list_suites(offered, sizeof offered, o->offered_suites, o->num_offered_suites,
                   o->num_offered_total);
    const tp_server_config *c = o->server_cfg;
    vd_list_suites(allowed, sizeof allowed, c ? c->suites : NULL, c ? c->num_suites : 0,
                   c ? c->num_suites : 0);
    vd_say(
        v,
        "the client offered no suite the server allows: client offered %u (%s); server allows %u "
        "(%s)",
        o->num_offered_total, offered, c ? c->num_suites : 0, allowed);
}

static bool when_no_shared_group(const tp_observation *o)
{
    return offer_refused(o, o->group_overlap_known, o->group_overlap);
}
static void say_no_shared_group(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->server.has_alert)
        vd_say(v, "the server sent %s %s: no common group (client offered %s; server allows %s)",
               o->server.alert.level, o->server.alert.description, o->offered_groups,
               o->allowed_groups);
    else
        vd_say(v, "no common group (client offered %s; server allows %s)", o->offered_groups,
               o->allowed_groups);
}

/* Protected records both ways, none opened, no alert readable: whatever
 * happened is behind encryption tlsprobe has no keys for. */
static bool when_unreadable(const tp_observation *o)
{
    if (o->handshake_done || !o->client.recs.unchecked || !o->server.recs.unchecked ||
        o->client.recs.ok || o->server.recs.ok)
        return false;
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++)
        if (!vd_is(o->alerts[i].description, "encrypted"))
            return false;
    return true;
}
static void say_unreadable(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_NONE);
    vd_say(v,
           "the session went on encrypted after the server's %s and tlsprobe has no keys to read "
           "it (%u protected records from the client, %u from the server; pass --keylog FILE, "
           "or a capture with its keys): whether the handshake completed is not known",
           vd_or(o->server.name, "flight"), o->client.recs.protected_n, o->server.recs.protected_n);
    if (o->num_alerts)
        vd_say_more(v, "; %u encrypted alert%s", o->num_alerts, o->num_alerts > 1 ? "s" : "");
    vd_say_more(v, "; the %s then %s", tp_actor_name(vd_closer(o)), vd_close_words(o));
}

static bool when_client_rejected_certificate(const tp_observation *o)
{
    return vd_client_fatal(o) && vd_in_list(o->client.alert.description, vd_certificate_alerts);
}
static void say_client_rejected_certificate(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, vd_client_alert_phase(o), TP_ACTOR_CLIENT);
    vd_say_cert_rejected(o, v);
    vd_say_alert_sent(o, v);
    vd_add_server_reaction(o, v);
}

static bool when_client_rejected_record(const tp_observation *o)
{
    return vd_client_fatal(o) && vd_in_list(o->client.alert.description, vd_record_alerts);
}
static void say_client_alert(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, vd_client_alert_phase(o), TP_ACTOR_CLIENT);
    if (o->server_empty_ticket)
        vd_say(v, "the client rejected the server's empty NewSessionTicket (TLS 1.3 requires a "
                  "ticket of at least one byte; --quirk empty-ticket): it sent %s%s %s",
               o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level,
               o->client.alert.description);
    else if (vd_is(o->client.alert.description, "encrypted"))
        vd_say(v, "the client sent an encrypted alert (unreadable without keys: pass --keylog)");
    else
        vd_say(v, "the client sent %s%s %s", o->client.alert.is_protected ? "encrypted " : "",
               o->client.alert.level, o->client.alert.description);
    vd_say_where(o, v);
    vd_add_server_reaction(o, v);
}
static void say_client_rejected_record(const tp_observation *o, tp_verdict *v)
{
    say_client_alert(o, v);
    if (!o->server_empty_ticket) /* the record is valid, its message is not */
        vd_add_record_check(o, v);
}

static bool when_client_alert(const tp_observation *o)
{
    return vd_client_fatal(o);
}

static bool when_server_alert(const tp_observation *o)
{
    return o->server.has_alert && o->server.fatal_alert;
}
static void say_server_alert(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->client.name)
        vd_say(v, "the server sent %s %s after the client's %s", o->server.alert.level,
               o->server.alert.description, o->client.name);
    else
        vd_say(v,
               "the server sent %s %s after the client's first bytes, before any handshake "
               "message",
               o->server.alert.level, o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        vd_say_more(v, " (engine: %s)", o->engine_error_text);
}

static double timeout_of(const tp_observation *o)
{
    return o->timeout > 0 ? o->timeout : o->t_end;
}

static bool when_silent_timeout(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && vd_client_silent(o);
}
static void say_silent_timeout(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    vd_say(v, "the client connected and sent nothing for %.0f s", o->t_end);
}

static bool when_stalled(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && !o->handshake_done;
}
static void say_stalled(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    /* the silence since the client's last byte, not the whole timeout */
    double quiet = o->facts.c2s_feeds ? o->t_end - o->facts.c2s_last_t : timeout_of(o);
    vd_say(v,
           "the client stalled after %llu bytes (last message it sent: %s; last from the server: "
           "%s); nothing more came for %.0f s",
           o->client.bytes, vd_or(o->client.name, "none complete"),
           vd_or(o->server.name, "nothing"), quiet);
    if (o->facts.c2s_feeds && quiet + 0.5 < timeout_of(o))
        vd_say_more(v, " before the %.0f s handshake timeout", timeout_of(o));
}

static bool when_idle_after_handshake(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && o->handshake_done && vd_no_app_data(o);
}
/* The TLS session worked and the client never used it: unused (the one
 * rule of unused-after-handshake), ended by the server's idle timeout. */
static void say_idle_after_handshake(const tp_observation *o, tp_verdict *v)
{
    v->outcome = TP_OUTCOME_UNUSED;
    v->phase = TP_PHASE_TIMEOUT;
    v->actor = TP_ACTOR_CLIENT;
    vd_say(v,
           "the client completed the handshake (%s, %s) and sent no application data before the "
           "server's %.0f s idle timeout closed the connection: unused, not a TLS failure",
           vd_or(o->protocol, "?"), vd_or(o->cipher, "?"), timeout_of(o));
}

static bool when_engine_error(const tp_observation *o)
{
    return o->engine_error_name && !o->handshake_done;
}
static void say_engine_error(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "the server's TLS engine failed after the client's %s: %s (%s)",
           vd_or(o->client.name, "first bytes"), vd_or(o->engine_error_text, ""),
           o->engine_error_name);
}

static bool when_server_stopped(const tp_observation *o)
{
    return o->end == TP_END_SHUTDOWN && vd_no_app_data(o);
}
static void say_server_stopped(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->handshake_done) {
        vd_say_completed(o, v);
        vd_say_more(v, "; the server stopped before data was exchanged");
    } else if (vd_client_silent(o)) {
        vd_fail(v, TP_PHASE_TRANSPORT, TP_ACTOR_SERVER);
        vd_say(v, "the server stopped before the client sent anything");
    } else {
        vd_say(v, "the server stopped during the handshake (last from the client: ");
        vd_say_client_last(o, v);
        vd_say_more(v, ")");
    }
}

static bool when_capture_ended(const tp_observation *o)
{
    return o->end == TP_END_CAPTURE_END && vd_no_app_data(o);
}
static void say_capture_ended(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_NETWORK);
    vd_say(v, "the capture ends %s (last from the client: %s; from the server: %s)",
           o->handshake_done ? "after the handshake, before any application data"
                             : "during the handshake",
           vd_or(o->client.name, "nothing"), vd_or(o->server.name, "nothing"));
}

/* The client's FIN came right after its ClientHello, before any byte of the
 * server's answer: it half-closed (shutdown of its sending side), and the
 * server answered anyway.  Its reaction cannot have followed that answer. */
static bool when_client_half_closed(const tp_observation *o)
{
    return !o->handshake_done && o->first_close_known && o->closed_by == TP_ACTOR_CLIENT &&
           o->client_hello && o->first_close_s2c == 0 && o->server.name && !vd_client_fatal(o);
}
static void say_client_half_closed(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say(v, "the client %s (FIN) right after its %s, before the server's flight",
           o->end == TP_END_PEER_RESET ? "closed the connection" : "half-closed the connection",
           vd_or(o->client.name, "ClientHello"));
    if (o->end == TP_END_PEER_RESET)
        vd_say_more(v,
                    "; the server still answered (last: %s) and the client reset the "
                    "connection: it had closed it for reading too",
                    o->server.name);
    else
        vd_say_more(v,
                    "; the server still answered (last: %s, %llu bytes) and the client read "
                    "it without a reset, but with its sending side closed it could not "
                    "finish the handshake",
                    o->server.name, o->server.bytes);
}

/* decode: the server's FIN (or RST) came before the client's first byte. */
static bool when_server_closed_first(const tp_observation *o)
{
    return !o->handshake_done && o->first_close_known && o->closed_by == TP_ACTOR_SERVER &&
           o->first_close_c2s == 0 && !vd_client_silent(o) && !o->server.name;
}
static void say_server_closed_first(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    const char *hello = vd_or(o->client.name, "first bytes");
    vd_say(v, "the server %s before the client's %s",
           o->first_close_rst ? "reset the connection" : "closed the connection", hello);
    if (o->closer_reset_later)
        vd_say_more(v, " (and reset it when the %s arrived)", hello);
}

static bool when_nothing_sent(const tp_observation *o)
{
    return !o->handshake_done && vd_client_silent(o);
}
static void say_nothing_sent(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = vd_closer(o);
    vd_fail(v, TP_PHASE_HANDSHAKE, who);
    vd_say(v, "the %s %s before the client sent anything", tp_actor_name(who), vd_close_words(o));
}

static bool when_closed_before_answer(const tp_observation *o)
{
    return !o->handshake_done && !o->server.name;
}
static void say_closed_before_answer(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = vd_closer(o);
    vd_fail(v, TP_PHASE_HANDSHAKE, who);
    vd_say(v, "the %s %s without an alert after the client's %s, before the server answered",
           tp_actor_name(who), vd_close_words(o), vd_or(o->client.name, "first bytes"));
}

static bool when_closed_after_flight(const tp_observation *o)
{
    return !o->handshake_done;
}
static void say_closed_after_flight(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = vd_closer(o);
    vd_fail(v, TP_PHASE_HANDSHAKE, who);
    vd_say(v, "the %s %s without an alert right after the server's flight (last: %s)",
           tp_actor_name(who), vd_close_words(o), vd_or(o->server.name, "?"));
    if (who == TP_ACTOR_CLIENT)
        vd_add_record_check(o, v);
}

static bool when_server_bad_record(const tp_observation *o)
{
    return o->server.bad_record;
}
static void say_server_bad_record(const tp_observation *o, tp_verdict *v)
{
    vd_fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "the server sent an invalid protected record (#%u: %s)", o->server.bad_record_index,
           o->server.bad_record_detail);
}

static bool client_data(const tp_observation *o)
{
    return o->client.sent_appdata || o->client.app_bytes;
}
static bool server_data(const tp_observation *o)
{
    return o->server.sent_appdata || o->server.app_bytes;
}

/* Who sent close_notify first (NONE: nobody sent one). */
static tp_actor close_notify_first(const tp_observation *o)
{
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++)
        if (vd_is(o->alerts[i].description, "close_notify"))
            return vd_is(o->alerts[i].from, "server") ? TP_ACTOR_SERVER : TP_ACTOR_CLIENT;
    /* past the alerts kept: by the sides' flags */
    if (o->client.close_notify)
        return TP_ACTOR_CLIENT;
    return o->server.close_notify ? TP_ACTOR_SERVER : TP_ACTOR_NONE;
}

/* An alert tlsprobe could not read (no keys): maybe a close_notify. */
static bool any_encrypted_alert(const tp_observation *o)
{
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++)
        if (vd_is(o->alerts[i].description, "encrypted"))
            return true;
    return false;
}

/* The close, in the order on the wire: who closed first, then the answer. */
static void say_close(const tp_observation *o, tp_verdict *v)
{
    tp_actor first = close_notify_first(o);
    if (first == TP_ACTOR_SERVER)
        vd_say_more(v, "; the server then closed with close_notify%s",
                    o->client.close_notify ? " and the client answered close_notify" : "");
    else if (first == TP_ACTOR_CLIENT)
        vd_say_more(v, "; the client then closed with close_notify%s",
                    o->server.close_notify ? " and the server answered close_notify" : "");
    else if (o->end == TP_END_TIMEOUT)
        vd_say_more(v, "; the connection then timed out (the server's timeout)");
    else /* a truncated close: no close_notify either way (RFC 8446 6.1) */
        vd_say_more(v, "; the %s then %s%s", tp_actor_name(vd_closer(o)), vd_close_words(o),
                    any_encrypted_alert(o) ? "" : " without close_notify");
}

static bool when_session_ok(const tp_observation *o)
{
    return o->app_exchanged || (client_data(o) && server_data(o));
}
static void say_session_ok(const tp_observation *o, tp_verdict *v)
{
    vd_ok(v);
    vd_say(v, "handshake completed (%s, %s, %s)", vd_or(o->protocol, "?"), vd_or(o->kx, "?"),
           vd_or(o->cipher, "?"));
    vd_say_retry(o, v);
    vd_say_more(v, " and application data went both ways");
    vd_say_renegotiation(o, v); /* verdict_relations.c */
    say_close(o, v);
}

static bool when_no_answer(const tp_observation *o)
{
    return client_data(o) && !server_data(o);
}
/* An ok session whose application data went one way only: what went. */
static void say_one_way(const tp_observation *o, tp_verdict *v, const char *what)
{
    vd_ok(v);
    vd_say_completed(o, v);
    vd_say_more(v, " and the TLS session worked; %s", what);
    say_close(o, v);
}
static void say_no_answer(const tp_observation *o, tp_verdict *v)
{
    char what[128] = "the client sent application data and the server answered nothing";
    if (o->client.app_bytes)
        snprintf(what, sizeof what,
                 "the client sent %llu bytes of application data and the server answered nothing",
                 o->client.app_bytes);
    say_one_way(o, v, what);
}

static bool when_no_request(const tp_observation *o)
{
    return server_data(o) && !client_data(o);
}
static void say_no_request(const tp_observation *o, tp_verdict *v)
{
    say_one_way(o, v, "the server sent application data, the client none");
}

static bool when_handshake_only(const tp_observation *o)
{
    return o->client.close_notify;
}
static void say_handshake_only(const tp_observation *o, tp_verdict *v)
{
    vd_ok(v);
    vd_say_completed(o, v);
    if (close_notify_first(o) == TP_ACTOR_SERVER)
        vd_say_more(v, " and the TLS session worked; the server sent close_notify before any "
                       "application data and the client answered close_notify");
    else
        vd_say_more(v, " and the TLS session worked; the client sent close_notify without sending "
                       "data (a handshake-only client)");
}

/* A socket opened ahead and never used (a browser's preconnect): the
 * handshake done, then the client left without data or alert.  In TLS 1.3
 * the client's Finished is the last message, sent once it accepted the
 * server's; in TLS 1.2 the server's Finished comes last, so the client must
 * also have idled after it (an immediate close may be its rejection). */
static bool when_unused_after_handshake(const tp_observation *o)
{
    return (vd_is(o->protocol, "TLS1.3") || vd_client_idled(o)) &&
           vd_is(o->client.name, "Finished") && o->client.finished_verified != 0 &&
           !o->client.has_alert && (o->end == TP_END_PEER_CLOSED || o->end == TP_END_PEER_RESET) &&
           vd_closer(o) == TP_ACTOR_CLIENT;
}
static void say_unused_after_handshake(const tp_observation *o, tp_verdict *v)
{
    v->outcome = TP_OUTCOME_UNUSED;
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    v->actor = TP_ACTOR_CLIENT;
    vd_say(v,
           "the client completed the handshake (%s, %s) and %s after %.3f s without sending "
           "application data (as a browser's speculative connection does): unused, not a TLS "
           "failure",
           vd_or(o->protocol, "?"), vd_or(o->cipher, "?"),
           o->end == TP_END_PEER_RESET ? "reset the connection" : "closed it", o->t_end);
}

static bool when_closed_after_handshake(const tp_observation *o)
{
    (void)o;
    return true;
}
static void say_closed_after_handshake(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = vd_closer(o);
    vd_fail(v, TP_PHASE_AFTER_HANDSHAKE, who);
    vd_say_completed(o, v);
    vd_say_more(v, "; the %s %s without close_notify before any application data",
                tp_actor_name(who), vd_close_words(o));
    /* A client that leaves right after the server's Finished may have
     * rejected it: say what our own check found. */
    if (who == TP_ACTOR_CLIENT && o->server_last_first_protected && vd_reaction_follows(o)) {
        vd_say_more(v, ", right after the server's first protected record (%s)",
                    vd_or(o->server.name, "?"));
        vd_add_record_check(o, v);
    }
}

typedef struct {
    const char *cause;
    bool (*applies)(const tp_observation *o);
    void (*say)(const tp_observation *o, tp_verdict *v);
} verdict_rule;

#define RULE(cause, name)                                                                          \
    {                                                                                              \
        cause, when_##name, say_##name                                                             \
    }
/* rules over relations, refusals, pace and the app layer (verdict_relations.c) */
#define XRULE(cause, name)                                                                         \
    {                                                                                              \
        cause, tp_when_##name, tp_say_##name                                                       \
    }

static const verdict_rule rules[] = {
    XRULE("at-capacity", at_capacity),
    XRULE("interactive-busy", interactive_busy),
    /* mail (verdict_mail.c): the STARTTLS preamble, the wrong kind of port */
    XRULE("mail-tls-without-starttls", mail_tls_early),
    XRULE("mail-other-protocol", mail_other_protocol),
    XRULE("mail-line-too-long", mail_line_too_long),
    XRULE("mail-auth-before-starttls", mail_auth_plain),
    XRULE("mail-preamble-timeout", mail_preamble_timeout),
    XRULE("mail-no-starttls", mail_no_starttls),
    XRULE("mail-starttls-refused", mail_starttls_refused),
    XRULE("mail-closed-after-greeting", mail_closed_after_greeting),
    XRULE("mail-closed-in-preamble", mail_closed_in_preamble),
    XRULE("mail-plaintext-on-implicit-port", mail_plaintext_on_implicit),
    XRULE("mail-client-waits-for-greeting", mail_waits_for_greeting),
    RULE("not-tls", not_tls),
    RULE("unused-connection", unused),
    RULE("server-refused", server_refused),
    XRULE("psk-unknown-identity", psk_unknown_identity),
    XRULE("psk-key-mismatch", psk_key_mismatch),
    RULE("client-bad-record", client_bad_record),
    RULE("broken-stream", broken_stream),
    RULE("no-shared-version", no_shared_version),
    RULE("no-shared-suite", no_shared_suite),
    RULE("no-shared-group", no_shared_group),
    RULE("unreadable-without-keys", unreadable),
    RULE("renegotiation-refused", renegotiation_refused),
    XRULE("server-required-renegotiation", renegotiation_declined), /* verdict_relations.c */
    XRULE("post-handshake-auth-failed", pha_failed),
    XRULE("client-cert-rejected", client_cert_rejected),
    XRULE("client-cert-missing", client_cert_missing),
    XRULE("no-application-protocol", no_application_protocol), /* verdict_alpn_sni.c */
    XRULE("sni-unrecognized-name", sni_unrecognized),
    XRULE("certificate-name-mismatch", certificate_name_mismatch),
    XRULE("client-rejected-sni-warning", sni_warning_rejected),
    RULE("client-rejected-certificate", client_rejected_certificate),
    RULE("client-rejected-record", client_rejected_record),
    RULE("client-alert", client_alert),
    RULE("server-alert", server_alert),
    /* the proxy's upstream (verdict_upstream.c): before the timeouts, so a
     * silent upstream is not blamed on the waiting client */
    XRULE("upstream-refused", upstream_refused),
    XRULE("upstream-tls-failed", upstream_tls_failed),
    XRULE("upstream-closed-first", upstream_closed_first),
    XRULE("upstream-slow", upstream_slow),
    RULE("client-silent-timeout", silent_timeout),
    XRULE("client-still-sending", still_sending),
    RULE("client-stalled", stalled),
    RULE("idle-after-handshake", idle_after_handshake),
    RULE("engine-error", engine_error),
    RULE("server-stopped", server_stopped),
    RULE("capture-ended", capture_ended),
    RULE("closed-before-client-spoke", nothing_sent),
    RULE("client-half-closed", client_half_closed),
    RULE("server-closed-before-client-hello", server_closed_first),
    RULE("closed-before-server-answered", closed_before_answer),
    RULE("closed-after-server-flight", closed_after_flight),
    RULE("server-bad-record", server_bad_record),
    XRULE("alpn-h2-in-http", alpn_h2_in_http),
    XRULE("app-not-http", app_not_http),
    XRULE("app-h2-preface", app_h2_preface),
    XRULE("app-incomplete", app_incomplete),
    XRULE("alpn-not-selected", alpn_not_selected),
    XRULE("client-left-flawed-certificate", client_left_flawed_cert),
    XRULE("mail-session-ok", mail_session_ok),
    RULE("session-ok", session_ok),
    RULE("app-no-answer", no_answer),
    RULE("app-no-request", no_request),
    RULE("handshake-only", handshake_only),
    RULE("unused-after-handshake", unused_after_handshake),
    RULE("closed-after-handshake", closed_after_handshake),
};

#define NUM_RULES (sizeof rules / sizeof rules[0])

unsigned tp_verdict_num_rules(void)
{
    return (unsigned)NUM_RULES;
}

const char *tp_verdict_rule_cause(unsigned i)
{
    return i < NUM_RULES ? rules[i].cause : NULL;
}

static bool rule_applies(unsigned i, const tp_observation *o)
{
#ifdef TP_MUTANT
    if (i == TP_MUTANT)
        return false;
#endif
    bool yes = rules[i].applies(o);
#ifdef TP_MUTANT_FLIP
    if (i == TP_MUTANT_FLIP)
        yes = !yes;
#endif
    return yes;
}

static void pick_alert(const tp_observation *o, tp_verdict *v)
{
    /* The alert in the verdict: the first fatal one, the client's first when both. */
    if (o->client.has_alert && (o->client.fatal_alert || !o->server.fatal_alert)) {
        v->has_alert = true;
        v->alert = o->client.alert;
    } else if (o->server.has_alert) {
        v->has_alert = true;
        v->alert = o->server.alert;
    }
}

void tp_verdict_decide(const tp_observation *o, tp_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->phase = o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
    v->protocol = o->protocol;
    v->kx = o->kx;
    v->cipher = o->cipher;
    v->mac = o->mac;
    v->group = o->group;
    v->sigalg = o->sigalg;
    pick_alert(o, v);
    tp_layers_fill(o, &v->layers);
    tp_verdict_relations_fill(o, v);
    v->cause = "undecided";
    vd_say(v, "no verdict rule applies (end of connection after %.3f s)", o->t_end);
    for (unsigned i = 0; i < NUM_RULES; i++) {
        if (rule_applies(i, o)) {
            v->cause = rules[i].cause;
            rules[i].say(o, v);
            break;
        }
    }
    tp_verdict_actions_more(o, v);
    if (o->handshake_unchecked && v->outcome != TP_OUTCOME_FAIL)
        vd_say_more(v, "; its records were not checked (no keys: pass --keylog FILE)");
    v->ok = v->outcome == TP_OUTCOME_OK;
    /* a close_notify-only alert does not make an ok connection fail */
    if (v->ok && v->has_alert && vd_is(v->alert.description, "close_notify"))
        v->has_alert = false;
}
