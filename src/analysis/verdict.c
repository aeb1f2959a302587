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

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../wire/iana.h"
#include "../wire/record.h"

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
    }
    return "handshake";
}

static void say(tp_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(tp_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->summary, sizeof v->summary, fmt, ap);
    va_end(ap);
}

/* Appends to the summary. */
static void say_more(tp_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_more(tp_verdict *v, const char *fmt, ...)
{
    size_t used = strlen(v->summary);
    if (used + 1 >= sizeof v->summary)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->summary + used, sizeof v->summary - used, fmt, ap);
    va_end(ap);
}

static const char *or_nothing(const char *name, const char *none)
{
    return name ? name : none;
}

static bool is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (is(name, *list))
            return true;
    return false;
}

static void list_suites(char *out, size_t out_len, const uint16_t *ids, unsigned n, unsigned total)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n && i < 6; i++) {
        const char *name = wire_suite_name(ids[i]);
        char num[12];
        snprintf(num, sizeof num, "0x%04x", ids[i]);
        int w = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", name ? name : num);
        if (w < 0 || (size_t)w >= out_len - used)
            return;
        used += (size_t)w;
    }
    if (total > 6)
        snprintf(out + used, out_len - used, ", … %u in all", total);
}

/* ---- facts the rules share ------------------------------------------- */

/* Alerts a client sends when it rejects a record it received (RFC 8446 6.2,
 * RFC 5246 7.2.2); "encrypted" is an alert we could not open. */
static const char *const record_alerts[] = {"bad_record_mac", "decrypt_error", "decryption_failed",
                                            "record_overflow", "decode_error", "encrypted", NULL};
/* Alerts that reject the peer's certificate (RFC 8446 6.2). */
static const char *const certificate_alerts[] = {
    "bad_certificate",     "unsupported_certificate", "certificate_revoked",
    "certificate_expired", "certificate_unknown",     "unknown_ca",
    "access_denied",       "bad_certificate_status_response", NULL};

static bool client_fatal(const tp_observation *o)
{
    return o->client.has_alert && o->client.fatal_alert;
}

/* The client's reaction (its alert, or its silent close) came right after
 * the server's last record, with nothing of the client's in between. */
static bool reaction_follows_server_record(const tp_observation *o)
{
    if (!o->server_last_protected)
        return false;
    if (client_fatal(o))
        return o->client.alert_record == o->server_last_client_records + 1;
    return o->client.num_records == o->server_last_client_records;
}

static bool client_sent_nothing(const tp_observation *o)
{
    return o->client.bytes == 0 && o->client.num_records == 0 && !o->client_hello;
}

static bool no_app_data(const tp_observation *o)
{
    return !o->app_exchanged && !o->client.sent_appdata && !o->server.sent_appdata &&
           !o->client.app_bytes && !o->server.app_bytes;
}

static tp_actor closer(const tp_observation *o)
{
    if (o->closed_by)
        return o->closed_by;
    switch (o->end) {
    case TP_END_PEER_CLOSED:
    case TP_END_PEER_RESET:
        return TP_ACTOR_CLIENT;
    case TP_END_CAPTURE_END:
        return TP_ACTOR_NETWORK;
    default:
        return TP_ACTOR_SERVER;
    }
}

static const char *close_words(const tp_observation *o)
{
    return o->end == TP_END_PEER_RESET ? "reset the connection" : "closed the connection";
}

/* "after the server's Finished", or where there was no server message. */
static void say_where(const tp_observation *o, tp_verdict *v)
{
    if (o->server_last_first_protected)
        say_more(v, " right after the server's first protected record (%s)",
                 or_nothing(o->server.name, "?"));
    else if (o->server.name)
        say_more(v, " after the server's %s", o->server.name);
    else if (o->client_hello)
        say_more(v, " after its %s, before the server sent anything",
                 or_nothing(o->client.name, "ClientHello"));
    else
        say_more(v, " before any handshake message");
}

/* What our own check said of the server's last record before the client
 * gave up.  Only said where the client's reaction followed that record. */
static void add_server_record_check(const tp_observation *o, tp_verdict *v)
{
    if (!reaction_follows_server_record(o))
        return;
    if (o->server_last_integrity == TP_INTEGRITY_UNCHECKED) {
        say_more(v, "; the server's last record was protected and not checked (no keys)");
        return;
    }
    if (o->server_last_integrity == TP_INTEGRITY_BAD) {
        say_more(v, "; our check of that record: %s → the server sent an invalid record",
                 or_nothing(o->server_last_detail, "integrity check failed"));
        return;
    }
    if (o->server_last_has_padding)
        say_more(v,
                 "; our check of that record: MAC ok, padding %zu bytes %s%s → the server's record "
                 "is valid; the client rejected a valid record",
                 o->server_last_padding_len,
                 o->server_last_padding_valid ? "well-formed" : "malformed",
                 o->server_last_padding_minimal ? "" : " (not minimal)");
    else
        say_more(v, "; our check of that record: integrity ok → the server's record is valid; the "
                    "client rejected a valid record");
}

/* The server's fatal alert that came after the client's: the engine's
 * reaction, said after the client's act (cause before symptom). */
static void add_server_reaction(const tp_observation *o, tp_verdict *v)
{
    bool after_client = false;
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        const tp_alert_info *a = &o->alerts[i];
        if (is(a->from, "client") && is(a->level, "fatal"))
            after_client = true;
        else if (after_client && is(a->from, "server") && !is(a->description, "close_notify")) {
            say_more(v, "; the server's engine answered %s %s", a->level, a->description);
            return;
        }
    }
}

/* "sent encrypted" / "sent unencrypted after the server's encrypted flight" */
static const char *alert_protection(const tp_observation *o)
{
    if (o->client.alert.is_protected)
        return "sent encrypted";
    return o->server_last_protected ? "sent unencrypted after the server's encrypted flight"
                                    : "sent unencrypted";
}

static tp_phase client_alert_phase(const tp_observation *o)
{
    /* The server's engine is done once it sent its Finished, but a client
     * that answers it with a fatal alert, before any data, never finished
     * its side: that is a handshake failure. */
    return o->client.sent_appdata ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
}

static void fail(tp_verdict *v, tp_phase phase, tp_actor actor)
{
    v->outcome = TP_OUTCOME_FAIL;
    v->phase = phase;
    v->actor = actor;
}

static void ok(tp_verdict *v)
{
    v->outcome = TP_OUTCOME_OK;
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    v->actor = TP_ACTOR_NONE;
}

static void say_completed(const tp_observation *o, tp_verdict *v)
{
    say(v, "handshake completed (%s, %s)", or_nothing(o->protocol, "?"),
        or_nothing(o->cipher, "?"));
}

/* ---- the rules --------------------------------------------------------- */

static bool when_not_tls(const tp_observation *o)
{
    return o->not_tls;
}
static void say_not_tls(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_NOT_TLS, o->not_tls_dir_c2s ? TP_ACTOR_CLIENT : TP_ACTOR_SERVER);
    const char *who = o->not_tls_dir_c2s ? "client" : "server";
    if (o->looks_http)
        say(v, "the %s's bytes are plain HTTP (\"%s\"), not TLS", who, o->first_bytes);
    else if (o->looks_smtp)
        say(v, "the %s's bytes are plain text (\"%s\", SMTP-like), not TLS", who, o->first_bytes);
    else
        say(v, "the %s's bytes are not TLS (first bytes: %s)", who, o->first_bytes);
}

static bool when_unused(const tp_observation *o)
{
    return client_sent_nothing(o) && o->server.bytes == 0 &&
           (o->end == TP_END_PEER_CLOSED || o->end == TP_END_PEER_RESET) &&
           closer(o) == TP_ACTOR_CLIENT;
}
static void say_unused(const tp_observation *o, tp_verdict *v)
{
    v->outcome = TP_OUTCOME_UNUSED;
    v->phase = TP_PHASE_TRANSPORT;
    v->actor = TP_ACTOR_CLIENT;
    say(v,
        "the client opened a TCP connection and %s after %.3f s without sending a byte (a "
        "browser's preconnect or a port check): unused, not a TLS failure",
        o->end == TP_END_PEER_RESET ? "reset it" : "closed it", o->t_end);
}

static bool when_client_bad_record(const tp_observation *o)
{
    return o->client.bad_record;
}
static void say_client_bad_record(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    say(v, "the client sent an invalid protected record (#%u: %s)", o->client.bad_record_index,
        o->client.bad_record_detail);
    if (o->server.has_alert)
        say_more(v, "; the server answered with %s %s", o->server.alert.level,
                 o->server.alert.description);
}

static bool when_broken_stream(const tp_observation *o)
{
    return o->broken_stream;
}
static void say_broken_stream(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    say(v, "the client's byte stream stopped being valid TLS: %s", o->broken_detail);
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
    fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    say(v, "no common protocol version: the client offers %s; the server allows %s",
        o->client_versions, o->server_versions);
    if (o->server.has_alert)
        say_more(v, "; the server sent %s %s", o->server.alert.level, o->server.alert.description);
}

static bool when_no_shared_suite(const tp_observation *o)
{
    return offer_refused(o, o->suite_overlap_known, o->suite_overlap);
}
static void say_no_shared_suite(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    char offered[320], allowed[320];
    list_suites(offered, sizeof offered, o->offered_suites, o->num_offered_suites,
                o->num_offered_total);
    const tp_server_config *c = o->server_cfg;
    list_suites(allowed, sizeof allowed, c ? c->suites : NULL, c ? c->num_suites : 0,
                c ? c->num_suites : 0);
    say(v,
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
    fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->server.has_alert)
        say(v, "the server sent %s %s: no common group (client offered %s; server allows %s)",
            o->server.alert.level, o->server.alert.description, o->offered_groups,
            o->allowed_groups);
    else
        say(v, "no common group (client offered %s; server allows %s)", o->offered_groups,
            o->allowed_groups);
}

static bool when_client_rejected_certificate(const tp_observation *o)
{
    return client_fatal(o) && in_list(o->client.alert.description, certificate_alerts);
}
static void say_client_rejected_certificate(const tp_observation *o, tp_verdict *v)
{
    fail(v, client_alert_phase(o), TP_ACTOR_CLIENT);
    say(v, "the client rejected the server's certificate: %s %s, %s", o->client.alert.level,
        o->client.alert.description, alert_protection(o));
    say_where(o, v);
    add_server_reaction(o, v);
}

static bool when_client_rejected_record(const tp_observation *o)
{
    return client_fatal(o) && in_list(o->client.alert.description, record_alerts);
}
static void say_client_alert(const tp_observation *o, tp_verdict *v)
{
    fail(v, client_alert_phase(o), TP_ACTOR_CLIENT);
    say(v, "client sent %s%s %s", o->client.alert.is_protected ? "encrypted " : "",
        o->client.alert.level, o->client.alert.description);
    say_where(o, v);
    add_server_reaction(o, v);
}
static void say_client_rejected_record(const tp_observation *o, tp_verdict *v)
{
    say_client_alert(o, v);
    add_server_record_check(o, v);
}

static bool when_client_alert(const tp_observation *o)
{
    return client_fatal(o);
}

static bool when_server_alert(const tp_observation *o)
{
    return o->server.has_alert && o->server.fatal_alert;
}
static void say_server_alert(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->client.name)
        say(v, "the server sent %s %s after the client's %s", o->server.alert.level,
            o->server.alert.description, o->client.name);
    else
        say(v, "the server sent %s %s after the client's first bytes, before any handshake "
               "message",
            o->server.alert.level, o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        say_more(v, " (engine: %s)", o->engine_error_text);
}

static double timeout_of(const tp_observation *o)
{
    return o->timeout > 0 ? o->timeout : o->t_end;
}

static bool when_silent_timeout(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && client_sent_nothing(o);
}
static void say_silent_timeout(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    say(v, "the client connected and sent nothing for %.0f s", o->t_end);
}

static bool when_stalled(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && !o->handshake_done;
}
static void say_stalled(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    say(v,
        "the client stalled after %llu bytes (last message it sent: %s; last from the server: "
        "%s); nothing more came for %.0f s",
        o->client.bytes, or_nothing(o->client.name, "none complete"),
        or_nothing(o->server.name, "nothing"), timeout_of(o));
}

static bool when_idle_after_handshake(const tp_observation *o)
{
    return o->end == TP_END_TIMEOUT && o->handshake_done && no_app_data(o);
}
static void say_idle_after_handshake(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_TIMEOUT, TP_ACTOR_CLIENT);
    say(v, "handshake completed but the client sent no application data before the %.0f s timeout",
        timeout_of(o));
}

static bool when_engine_error(const tp_observation *o)
{
    return o->engine_error_name && !o->handshake_done;
}
static void say_engine_error(const tp_observation *o, tp_verdict *v)
{
    fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    say(v, "the server's TLS engine failed after the client's %s: %s (%s)",
        or_nothing(o->client.name, "first bytes"), or_nothing(o->engine_error_text, ""),
        o->engine_error_name);
}

static bool when_server_stopped(const tp_observation *o)
{
    return o->end == TP_END_SHUTDOWN && no_app_data(o);
}
static void say_server_stopped(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    if (o->handshake_done) {
        say_completed(o, v);
        say_more(v, "; the server stopped before data was exchanged");
    } else {
        say(v, "the server stopped during the handshake (last from the client: %s)",
            or_nothing(o->client.name, "nothing"));
    }
}

static bool when_capture_ended(const tp_observation *o)
{
    return o->end == TP_END_CAPTURE_END && no_app_data(o);
}
static void say_capture_ended(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_NETWORK);
    say(v, "the capture ends %s (last from the client: %s; from the server: %s)",
        o->handshake_done ? "after the handshake, before any application data"
                          : "during the handshake",
        or_nothing(o->client.name, "nothing"), or_nothing(o->server.name, "nothing"));
}

static bool when_nothing_sent(const tp_observation *o)
{
    return !o->handshake_done && client_sent_nothing(o);
}
static void say_nothing_sent(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = closer(o);
    fail(v, TP_PHASE_HANDSHAKE, who);
    say(v, "the %s %s before the client sent anything", tp_actor_name(who), close_words(o));
}

static bool when_closed_before_answer(const tp_observation *o)
{
    return !o->handshake_done && !o->server.name;
}
static void say_closed_before_answer(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = closer(o);
    fail(v, TP_PHASE_HANDSHAKE, who);
    say(v, "the %s %s without an alert after the client's %s, before the server answered",
        tp_actor_name(who), close_words(o), or_nothing(o->client.name, "first bytes"));
}

static bool when_closed_after_flight(const tp_observation *o)
{
    return !o->handshake_done;
}
static void say_closed_after_flight(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = closer(o);
    fail(v, TP_PHASE_HANDSHAKE, who);
    say(v, "the %s %s without an alert right after the server's flight (last: %s)",
        tp_actor_name(who), close_words(o), or_nothing(o->server.name, "?"));
    if (who == TP_ACTOR_CLIENT)
        add_server_record_check(o, v);
}

static bool when_server_bad_record(const tp_observation *o)
{
    return o->server.bad_record;
}
static void say_server_bad_record(const tp_observation *o, tp_verdict *v)
{
    fail(v, o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    say(v, "the server sent an invalid protected record (#%u: %s)", o->server.bad_record_index,
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

static bool when_session_ok(const tp_observation *o)
{
    return o->app_exchanged || (client_data(o) && server_data(o));
}
static void say_session_ok(const tp_observation *o, tp_verdict *v)
{
    ok(v);
    say(v, "handshake completed (%s, %s, %s) and application data went both ways",
        or_nothing(o->protocol, "?"), or_nothing(o->kx, "?"), or_nothing(o->cipher, "?"));
}

static void say_close(const tp_observation *o, tp_verdict *v)
{
    if (o->client.close_notify)
        say_more(v, "; the client then closed with close_notify");
    else if (o->end == TP_END_TIMEOUT)
        say_more(v, "; the connection then timed out");
    else
        say_more(v, "; the %s then %s", tp_actor_name(closer(o)), close_words(o));
}

static bool when_no_answer(const tp_observation *o)
{
    return client_data(o) && !server_data(o);
}
static void say_no_answer(const tp_observation *o, tp_verdict *v)
{
    ok(v);
    say_completed(o, v);
    if (o->client.app_bytes)
        say_more(v, " and the TLS session worked; the client sent %llu bytes of application data "
                    "and the server answered nothing",
                 o->client.app_bytes);
    else
        say_more(v, " and the TLS session worked; the client sent application data and the "
                    "server answered nothing");
    say_close(o, v);
}

static bool when_no_request(const tp_observation *o)
{
    return server_data(o) && !client_data(o);
}
static void say_no_request(const tp_observation *o, tp_verdict *v)
{
    ok(v);
    say_completed(o, v);
    say_more(v, " and the TLS session worked; the server sent application data, the client none");
    say_close(o, v);
}

static bool when_handshake_only(const tp_observation *o)
{
    return o->client.close_notify;
}
static void say_handshake_only(const tp_observation *o, tp_verdict *v)
{
    ok(v);
    say_completed(o, v);
    say_more(v, " and the TLS session worked; the client sent close_notify without sending data "
                "(a handshake-only client)");
}

static bool when_closed_after_handshake(const tp_observation *o)
{
    (void)o;
    return true;
}
static void say_closed_after_handshake(const tp_observation *o, tp_verdict *v)
{
    tp_actor who = closer(o);
    fail(v, TP_PHASE_AFTER_HANDSHAKE, who);
    say_completed(o, v);
    say_more(v, "; the %s %s without close_notify before any application data",
             tp_actor_name(who), close_words(o));
    /* A client that leaves right after the server's Finished may have
     * rejected it: say what our own check found. */
    if (who == TP_ACTOR_CLIENT && o->server_last_first_protected &&
        reaction_follows_server_record(o)) {
        say_more(v, ", right after the server's first protected record (%s)",
                 or_nothing(o->server.name, "?"));
        add_server_record_check(o, v);
    }
}

typedef struct {
    const char *cause;
    bool (*applies)(const tp_observation *o);
    void (*say)(const tp_observation *o, tp_verdict *v);
} verdict_rule;

#define RULE(cause, name) {cause, when_##name, say_##name}

static const verdict_rule rules[] = {
    RULE("not-tls", not_tls),
    RULE("unused-connection", unused),
    RULE("client-bad-record", client_bad_record),
    RULE("broken-stream", broken_stream),
    RULE("no-shared-version", no_shared_version),
    RULE("no-shared-suite", no_shared_suite),
    RULE("no-shared-group", no_shared_group),
    RULE("client-rejected-certificate", client_rejected_certificate),
    RULE("client-rejected-record", client_rejected_record),
    RULE("client-alert", client_alert),
    RULE("server-alert", server_alert),
    RULE("client-silent-timeout", silent_timeout),
    RULE("client-stalled", stalled),
    RULE("idle-after-handshake", idle_after_handshake),
    RULE("engine-error", engine_error),
    RULE("server-stopped", server_stopped),
    RULE("capture-ended", capture_ended),
    RULE("closed-before-client-spoke", nothing_sent),
    RULE("closed-before-server-answered", closed_before_answer),
    RULE("closed-after-server-flight", closed_after_flight),
    RULE("server-bad-record", server_bad_record),
    RULE("session-ok", session_ok),
    RULE("app-no-answer", no_answer),
    RULE("app-no-request", no_request),
    RULE("handshake-only", handshake_only),
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
    v->cause = "undecided";
    say(v, "no verdict rule applies (end of connection after %.3f s)", o->t_end);
    for (unsigned i = 0; i < NUM_RULES; i++) {
        if (rule_applies(i, o)) {
            v->cause = rules[i].cause;
            rules[i].say(o, v);
            break;
        }
    }
    v->ok = v->outcome == TP_OUTCOME_OK;
    /* a close_notify-only alert does not make an ok connection fail */
    if (v->ok && v->has_alert && is(v->alert.description, "close_notify"))
        v->has_alert = false;
}
