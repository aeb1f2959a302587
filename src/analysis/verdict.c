/* The verdict rules.  Each rule looks at the observation and, if it applies,
 * writes the outcome, phase and one summary sentence; the first that applies
 * wins, most specific first. */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../wire/iana.h"
#include "../wire/record.h"

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
    }
    return "handshake";
}

const char *tp_actor_name(tp_actor a)
{
    switch (a) {
    case TP_ACTOR_CLIENT:
        return "client";
    case TP_ACTOR_SERVER:
        return "server";
    case TP_ACTOR_NETWORK:
        return "network";
    case TP_ACTOR_NONE:
        break;
    }
    return "none";
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

static bool rule_not_tls(const tp_observation *o, tp_verdict *v)
{
    if (!o->not_tls)
        return false;
    v->phase = TP_PHASE_NOT_TLS;
    v->actor = o->not_tls_dir_c2s ? TP_ACTOR_CLIENT : TP_ACTOR_SERVER;
    const char *who = o->not_tls_dir_c2s ? "client" : "server";
    if (o->looks_http)
        say(v, "the %s's bytes are plain HTTP (\"%s\"), not TLS", who, o->first_bytes);
    else if (o->looks_smtp)
        say(v, "the %s's bytes are plain text (\"%s\", SMTP-like), not TLS", who, o->first_bytes);
    else
        say(v, "the %s's bytes are not TLS (first bytes: %s)", who, o->first_bytes);
    return true;
}

static bool rule_timeout(const tp_observation *o, tp_verdict *v)
{
    if (o->end != TP_END_TIMEOUT)
        return false;
    if (o->handshake_done && o->app_exchanged)
        return false; /* an idle connection that already did its job */
    v->phase = TP_PHASE_TIMEOUT;
    if (o->client.bytes == 0) {
        say(v, "the client connected and sent nothing for %.0f s", o->t_end);
        return true;
    }
    if (!o->handshake_done) {
        say(v,
            "the client stalled after %llu bytes (last message it sent: %s; last from the server: "
            "%s); "
            "nothing more came for %.0f s",
            o->client.bytes, or_nothing(o->client.name, "none complete"),
            or_nothing(o->server.name, "nothing"), o->timeout > 0 ? o->timeout : o->t_end);
        return true;
    }
    say(v, "handshake completed but the client sent no application data before the %.0f s timeout",
        o->timeout > 0 ? o->timeout : o->t_end);
    return true;
}

static bool rule_broken_stream(const tp_observation *o, tp_verdict *v)
{
    if (!o->broken_stream)
        return false;
    v->phase = o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
    say(v, "the client's byte stream stopped being valid TLS: %s", o->broken_detail);
    return true;
}

static bool rule_no_shared_suite(const tp_observation *o, tp_verdict *v)
{
    if (o->server_hello || !o->client_hello || !o->suite_overlap_known || o->suite_overlap)
        return false;
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
    return true;
}

static bool rule_no_shared_version(const tp_observation *o, tp_verdict *v)
{
    if (o->server_hello || !o->client_hello || !o->version_overlap_known || o->version_overlap)
        return false;
    say(v, "no common protocol version: the client offers %s; the server allows %s",
        o->client_versions, o->server_versions);
    if (o->server.has_alert)
        say_more(v, "; the server sent %s %s", o->server.alert.level, o->server.alert.description);
    return true;
}

static bool rule_no_shared_group(const tp_observation *o, tp_verdict *v)
{
    if (o->server_hello || !o->client_hello || !o->group_overlap_known || o->group_overlap)
        return false;
    if (o->server.has_alert)
        say(v, "the server sent %s %s: no common group (client offered %s; server allows %s)",
            o->server.alert.level, o->server.alert.description, o->offered_groups,
            o->allowed_groups);
    else
        say(v, "no common group (client offered %s; server allows %s)", o->offered_groups,
            o->allowed_groups);
    return true;
}

/* What our own check said of the server's last record before the client gave up. */
static void add_server_record_check(const tp_observation *o, tp_verdict *v)
{
    if (!o->server_last_protected)
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
                 "is valid; "
                 "the client rejected a valid record",
                 o->server_last_padding_len,
                 o->server_last_padding_valid ? "well-formed" : "malformed",
                 o->server_last_padding_minimal ? "" : " (not minimal)");
    else
        say_more(
            v,
            "; our check of that record: integrity ok → the server's record is valid; the client "
            "rejected a valid record");
}

static bool rule_client_bad_record(const tp_observation *o, tp_verdict *v)
{
    if (!o->client.bad_record)
        return false;
    v->phase = o->handshake_done ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
    say(v, "the client sent an invalid protected record (#%u: %s)", o->client.bad_record_index,
        o->client.bad_record_detail);
    if (o->server.has_alert)
        say_more(v, "; the server answered with %s %s", o->server.alert.level,
                 o->server.alert.description);
    return true;
}

/* Alerts a client sends when it does not accept the server's certificate
 * (RFC 8446 6.2, RFC 5246 7.2.2). */
static bool is_certificate_alert(const char *d)
{
    static const char *const names[] = {"bad_certificate",     "unsupported_certificate",
                                        "certificate_revoked", "certificate_expired",
                                        "certificate_unknown", "unknown_ca"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(d, names[i]) == 0)
            return true;
    return false;
}

/* The engine's own alert after the client's: the reaction, said after the cause. */
static void add_server_reaction(const tp_observation *o, tp_verdict *v)
{
    if (o->server_answered_client && o->server.fatal_alert)
        say_more(v, "; the server's engine then answered %s", o->server.alert.description);
}

static bool rule_client_rejected_certificate(const tp_observation *o, tp_verdict *v)
{
    const tp_alert_info *a = &o->client.alert;
    if (!o->client.has_alert || !o->client.fatal_alert || o->client.sent_appdata ||
        !is_certificate_alert(a->description) ||
        !(o->server_certificate || o->server.num_protected > 0))
        return false;
    v->phase = TP_PHASE_HANDSHAKE;
    v->actor = TP_ACTOR_CLIENT;
    v->cause = "client-rejected-certificate";
    const char *last = or_nothing(o->server.name, "flight");
    say(v, "the client rejected the server's certificate: %s", a->description);
    if (a->is_protected)
        say_more(v, ", sent encrypted after the server's %s", last);
    else if (o->server.num_protected > 0) /* TLS 1.3: before it had handshake keys */
        say_more(v, ", sent unencrypted after the server's encrypted flight (last: %s)", last);
    else
        say_more(v, ", sent after the server's %s, before the client's ChangeCipherSpec", last);
    add_server_reaction(o, v);
    return true;
}

/* A ClientHello after the completed handshake that the server did not take
 * up, and the connection ended in a fatal alert because of it. */
static bool rule_renegotiation_refused(const tp_observation *o, tp_verdict *v)
{
    if (!o->renegotiation || o->renegotiation_accepted ||
        !(o->client.fatal_alert || o->server.fatal_alert || !o->app_exchanged))
        return false;
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    v->actor = TP_ACTOR_SERVER;
    v->cause = "renegotiation-refused";
    say(v, "the client asked to renegotiate (a ClientHello in a protected record after the "
           "completed handshake) and the server refused (renegotiation not allowed by the server)");
    bool fatal = o->server.fatal_alert && strcmp(o->server.alert.description, "no_renegotiation");
    if (o->server_no_renegotiation)
        say_more(v, ": warning no_renegotiation%s%s", fatal ? ", then fatal " : "",
                 fatal ? o->server.alert.description : "");
    else if (fatal)
        say_more(v, ": fatal %s", o->server.alert.description);
    else
        say_more(v, " by not answering it");
    if (o->client.fatal_alert)
        say_more(v, "; the client then sent %s%s %s",
                 o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level,
                 o->client.alert.description);
    return true;
}

static bool rule_client_alert(const tp_observation *o, tp_verdict *v)
{
    if (!o->client.has_alert || !o->client.fatal_alert)
        return false;
    const char *last = or_nothing(o->server.name, "nothing");
    /* The server's engine is done once it sent its Finished, but a client
     * that answers it with a fatal alert, before any data, never finished
     * its side: that is a handshake failure (DESIGN.md's example). */
    if (!o->client.sent_appdata)
        v->phase = TP_PHASE_HANDSHAKE;
    if (o->server_last_first_protected)
        say(v, "client sent %s%s %s right after the server's first protected record (%s)",
            o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level,
            o->client.alert.description, last);
    else
        say(v, "client sent %s%s %s after the server's %s",
            o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level,
            o->client.alert.description, last);
    add_server_record_check(o, v);
    return true;
}

static bool rule_server_alert(const tp_observation *o, tp_verdict *v)
{
    if (!o->server.has_alert || !o->server.fatal_alert)
        return false;
    say(v, "the server sent %s %s after the client's %s", o->server.alert.level,
        o->server.alert.description, or_nothing(o->client.name, "first bytes"));
    if (o->engine_error_text)
        say_more(v, " (engine: %s)", o->engine_error_text);
    return true;
}

static bool rule_engine_error(const tp_observation *o, tp_verdict *v)
{
    if (!o->engine_error_name || o->handshake_done)
        return false;
    say(v, "the server's TLS engine failed after the client's %s: %s (%s)",
        or_nothing(o->client.name, "first bytes"), or_nothing(o->engine_error_text, ""),
        o->engine_error_name);
    return true;
}

/* Offline: the server refused the SYN, or closed or reset first without an
 * alert (capture/tcp.c tells who). */
static bool rule_server_ended_first(const tp_observation *o, tp_verdict *v)
{
    if (o->end == TP_END_REFUSED) {
        v->phase = TP_PHASE_HANDSHAKE;
        v->actor = TP_ACTOR_SERVER;
        v->cause = "server-refused";
        say(v, "the server refused the connection (RST to the client's SYN): nothing accepted "
               "connections on that port");
        return true;
    }
    bool reset = o->end == TP_END_SERVER_RESET;
    if ((!reset && o->end != TP_END_SERVER_CLOSED) || o->server.has_alert || o->client.has_alert ||
        o->engine_error_name || (o->handshake_done && o->app_exchanged))
        return false;
    const char *how = reset ? "reset the connection" : "closed the connection";
    v->actor = TP_ACTOR_SERVER;
    v->cause = reset ? "server-reset-first" : "server-closed-first";
    if (o->handshake_done)
        say(v, "handshake completed (%s, %s); the server %s first, before any application data",
            or_nothing(o->protocol, "?"), or_nothing(o->cipher, "?"), how);
    else if (o->client.bytes == 0)
        say(v, "the server %s first, before the client sent anything", how);
    else if (!o->server.name)
        say(v, "the server %s first, without an answer or an alert, after the client's %s", how,
            or_nothing(o->client.name, "first bytes"));
    else
        say(v,
            "the server %s first, without an alert, during the handshake (last from the client: "
            "%s; from the server: %s)",
            how, or_nothing(o->client.name, "nothing"), o->server.name);
    return true;
}

static bool rule_closed_during_handshake(const tp_observation *o, tp_verdict *v)
{
    if (o->handshake_done)
        return false;
    const char *how =
        o->end == TP_END_PEER_RESET ? "reset the connection" : "closed the connection";
    if (o->end == TP_END_SHUTDOWN) {
        say(v, "the server stopped during the handshake (last from the client: %s)",
            or_nothing(o->client.name, "nothing"));
        return true;
    }
    if (o->end == TP_END_CAPTURE_END) {
        say(v,
            "the capture ends during the handshake (last from the client: %s; from the server: %s)",
            or_nothing(o->client.name, "nothing"), or_nothing(o->server.name, "nothing"));
        return true;
    }
    if (o->client.bytes == 0)
        say(v, "the client %s without sending anything", how);
    else if (!o->server.name)
        say(v, "the client %s without an alert after its %s, before the server answered", how,
            or_nothing(o->client.name, "first bytes"));
    else
        say(v, "the client %s without an alert right after the server's flight (last: %s)", how,
            o->server.name);
    add_server_record_check(o, v);
    return true;
}

static bool rule_after_handshake(const tp_observation *o, tp_verdict *v)
{
    if (o->app_exchanged) {
        v->ok = true;
        v->phase = TP_PHASE_AFTER_HANDSHAKE;
        say(v, "handshake completed (%s, %s, %s) and application data went both ways",
            or_nothing(o->protocol, "?"), or_nothing(o->kx, "?"), or_nothing(o->cipher, "?"));
        return true;
    }
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    if (o->end == TP_END_SHUTDOWN)
        say(v, "handshake completed (%s, %s); the server stopped before data was exchanged",
            or_nothing(o->protocol, "?"), or_nothing(o->cipher, "?"));
    else if (o->client.close_notify)
        say(v, "handshake completed (%s, %s); the client sent close_notify without sending data",
            or_nothing(o->protocol, "?"), or_nothing(o->cipher, "?"));
    else
        say(v, "handshake completed (%s, %s); the client %s without sending data",
            or_nothing(o->protocol, "?"), or_nothing(o->cipher, "?"),
            o->end == TP_END_PEER_RESET ? "reset the connection" : "closed the connection");
    /* A client that leaves right after the server's Finished may have
     * rejected it: say what our own check found. */
    if (o->end != TP_END_SHUTDOWN && o->server_last_first_protected) {
        say_more(v, ", right after the server's first protected record (%s)",
                 or_nothing(o->server.name, "?"));
        add_server_record_check(o, v);
    }
    return true;
}

typedef bool (*verdict_rule)(const tp_observation *o, tp_verdict *v);

static const verdict_rule rules[] = {
    rule_not_tls,
    rule_client_bad_record,
    rule_broken_stream,
    rule_no_shared_version,
    rule_no_shared_suite,
    rule_no_shared_group,
    rule_renegotiation_refused,
    rule_client_rejected_certificate,
    rule_client_alert,
    rule_server_alert,
    rule_timeout,
    rule_engine_error,
    rule_server_ended_first,
    rule_closed_during_handshake,
    rule_after_handshake,
};

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
    /* The alert in the verdict: the first fatal one, the client's first when both. */
    if (o->client.has_alert && (o->client.fatal_alert || !o->server.fatal_alert)) {
        v->has_alert = true;
        v->alert = o->client.alert;
    } else if (o->server.has_alert) {
        v->has_alert = true;
        v->alert = o->server.alert;
    }
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (rules[i](o, v)) {
            /* a close_notify-only alert does not make an ok connection fail */
            if (v->ok && v->has_alert && strcmp(v->alert.description, "close_notify") == 0)
                v->has_alert = false;
            return;
        }
    }
}
