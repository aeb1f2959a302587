/* The verdict rules.  Each rule looks at the observation and, if it applies,
 * writes the outcome, phase and one summary sentence; the first that applies
 * wins, most specific first. */
#include "verdict.h"

#include <errno.h>
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
    case TP_PHASE_TRANSPORT:
        return "transport";
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

/* ---- rules of the server helper: refusals, relations, timing, the
 * application layer (facts from relations.h) ---- */

static void decided(tp_verdict *v, tp_actor actor, const char *cause)
{
    v->actor = actor;
    v->cause = cause;
}

static bool rule_refused(const tp_observation *o, tp_verdict *v)
{
    const tp_facts *f = &o->facts;
    if (f->refused == TP_REFUSED_NONE)
        return false;
    v->phase = TP_PHASE_TRANSPORT;
    if (f->refused == TP_REFUSED_INTERACTIVE) {
        decided(v, TP_ACTOR_SERVER, "interactive-busy");
        say(v, "the server was busy: --interactive serves one client at a time and already "
               "has one; connection refused");
        return true;
    }
    decided(v, TP_ACTOR_SERVER, "at-capacity");
    if (f->refused == TP_REFUSED_AT_CAPACITY)
        say(v, "the server was at capacity (--max-conns %u): connection refused", f->max_conns);
    else
        say(v,
            "the server was at capacity: it ran out of file descriptors (accept() failed with "
            "%s; open-file limit %lu): connection refused",
            f->accept_errno == ENFILE ? "ENFILE, the system's limit" : "EMFILE", f->fd_limit);
    return true;
}

/* "--client-cert require" live, "CertificateRequest" offline. */
static void say_cert_wanted(const tp_observation *o, tp_verdict *v)
{
    const char *mode = o->facts.rel.client_cert_mode;
    if (mode && strcmp(mode, "require") == 0)
        say(v, "the server requires a client certificate (--client-cert require)");
    else if (mode && strcmp(mode, "request") == 0)
        say(v, "the server asked for a client certificate (--client-cert request)");
    else
        say(v, "the server asked for a client certificate (CertificateRequest)");
}

static bool rule_client_cert_missing(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!r->cert_requested || r->client_certs_sent > 0 || o->client.fatal_alert ||
        (!o->server.fatal_alert && !o->engine_error_name))
        return false;
    v->phase = TP_PHASE_HANDSHAKE;
    decided(v, TP_ACTOR_CLIENT, "client-cert-missing");
    say_cert_wanted(o, v);
    if (r->client_certs_sent == 0)
        say_more(v, " and the client sent none (Certificate with 0 certificates)");
    else
        say_more(v, " and the client sent no Certificate message");
    if (o->server.fatal_alert)
        say_more(v, "; the server then sent %s %s", o->server.alert.level,
                 o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        say_more(v, " (engine: %s)", o->engine_error_text);
    return true;
}

/* The client rejected the certificate and it does not carry the name asked for. */
static bool rule_certificate_name(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!o->client.fatal_alert || r->sni_match != 0)
        return false;
    const char *d = o->client.alert.description;
    if (strcmp(d, "bad_certificate") != 0 && strcmp(d, "certificate_unknown") != 0)
        return false;
    char names[300];
    tp_rel_cert_names(r, names, sizeof names);
    v->phase = TP_PHASE_HANDSHAKE;
    decided(v, TP_ACTOR_CLIENT, "certificate-name-mismatch");
    say(v,
        "the client rejected the server's certificate (%s%s %s after the server's %s): the "
        "client asked for %s; the certificate names %s",
        o->client.alert.is_protected ? "encrypted " : "", o->client.alert.level, d,
        or_nothing(o->server.name, "nothing"), r->sni, names);
    return true;
}

/* A handshake that ran into the deadline: still trickling, or stalled. */
static bool rule_handshake_timeout(const tp_observation *o, tp_verdict *v)
{
    const tp_facts *f = &o->facts;
    if (o->end != TP_END_TIMEOUT || o->handshake_done || o->client.bytes == 0 || !f->c2s_feeds)
        return false;
    double limit = o->timeout > 0 ? o->timeout : o->t_end;
    double gap = o->t_end - f->c2s_last_t;
    v->phase = TP_PHASE_TIMEOUT;
    decided(v, TP_ACTOR_CLIENT, "handshake-timeout");
    /* still sending: the silence before the deadline is no longer than
     * the client's own pace between its earlier sends */
    double pace = f->c2s_feeds >= 3 ? (f->c2s_last_t - f->c2s_first_t) / (f->c2s_feeds - 1) : 0;
    if (f->c2s_feeds >= 3 && gap <= 2 * pace + 0.1) {
        double rate = (double)o->client.bytes / (o->t_end > 0 ? o->t_end : 1);
        char pace_text[32];
        /* "1 byte/s", "4 bytes/s", "0.2 bytes/s" */
        if (rate >= 0.95)
            snprintf(pace_text, sizeof pace_text, "%.0f byte%s/s", rate, rate < 1.5 ? "" : "s");
        else
            snprintf(pace_text, sizeof pace_text, "%.1f bytes/s", rate);
        say(v,
            "the client was still sending: %llu bytes over %.0f s (about %s), last byte %.1f s "
            "before the %.0f s handshake timeout; the handshake did not complete in time (last "
            "message it completed: %s)",
            o->client.bytes, o->t_end, pace_text, gap, limit, or_nothing(o->client.name, "none"));
        return true;
    }
    say(v,
        "the client stalled after %llu bytes (last message it sent: %s; last from the server: "
        "%s): its last byte came at %.1f s, then nothing for %.1f s until the %.0f s handshake "
        "timeout",
        o->client.bytes, or_nothing(o->client.name, "none complete"),
        or_nothing(o->server.name, "nothing"), f->c2s_last_t, gap, limit);
    return true;
}

/* After the handshake the client sent something, but not enough for the
 * mode to answer, before the deadline. */
static bool rule_app_timeout(const tp_observation *o, tp_verdict *v)
{
    if (o->end != TP_END_TIMEOUT || !o->handshake_done || o->app_exchanged ||
        !o->facts.app_bytes[0])
        return false;
    char first[80];
    tp_facts_first_bytes(&o->facts, first, sizeof first);
    bool http = o->facts.mode && strcmp(o->facts.mode, "http") == 0;
    v->phase = TP_PHASE_TIMEOUT;
    decided(v, TP_ACTOR_CLIENT, "app-incomplete");
    say(v, "handshake completed (%s, %s); the client sent %llu bytes (%s)",
        or_nothing(o->protocol, "?"), or_nothing(o->cipher, "?"), o->facts.app_bytes[0], first);
    if (http)
        say_more(v, " but no complete HTTP request (its head ends with a blank line) before the "
                    "%.0f s timeout",
                 o->timeout > 0 ? o->timeout : o->t_end);
    else
        say_more(v, " and nothing was answered before the %.0f s timeout",
                 o->timeout > 0 ? o->timeout : o->t_end);
    return true;
}

/* " ; the client offered ALPN h2 only; the server selected none" when it matters. */
static void say_alpn(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    if (!r->alpn_answer_seen || r->alpn_selected[0] || !r->num_alpn_offered)
        return;
    char offered[200];
    tp_rel_alpn_offered(r, offered, sizeof offered);
    say_more(v, "; the client offered ALPN %s%s; the server selected none", offered,
             r->num_alpn_offered == 1 ? " only" : "");
}

/* TLS worked; the application data did not fit the mode. */
static bool rule_app_mismatch(const tp_observation *o, tp_verdict *v)
{
    if (!o->handshake_done || !v->app.fit)
        return false;
    bool h2 = strcmp(v->app.fit, "h2-preface") == 0;
    bool not_http = strcmp(v->app.fit, "not-http") == 0;
    bool alpn = strcmp(v->app.fit, "no-data") == 0 && tp_rel_alpn_without_http11(&o->facts.rel) &&
                o->facts.rel.alpn_answer_seen && !o->facts.rel.alpn_selected[0];
    if (!h2 && !not_http && !alpn)
        return false;
    v->ok = o->end != TP_END_SHUTDOWN;
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    decided(v, TP_ACTOR_CLIENT, h2 ? "app-h2-preface" : not_http ? "app-not-http" : "alpn-not-selected");
    say(v, "handshake completed (%s, %s)", or_nothing(o->protocol, "?"),
        or_nothing(o->cipher, "?"));
    if (v->app.note[0])
        say_more(v, "; %s", v->app.note);
    say_alpn(o, v);
    if (alpn)
        say_more(v, "; the client then %s without sending data",
                 o->client.close_notify ? "sent close_notify" : "closed the connection");
    else if (o->facts.mode && strcmp(o->facts.mode, "http") == 0 && v->app.s2c_bytes)
        say_more(v, "; tlsprobe answered %s",
                 h2 ? "with HTTP/2 GOAWAY HTTP_1_1_REQUIRED" : "400 Bad Request");
    return true;
}

typedef bool (*verdict_rule)(const tp_observation *o, tp_verdict *v);

static const verdict_rule rules[] = {
    rule_refused,
    rule_not_tls,
    rule_client_bad_record,
    rule_broken_stream,
    rule_no_shared_version,
    rule_no_shared_suite,
    rule_no_shared_group,
    rule_client_cert_missing,
    rule_certificate_name,
    rule_client_alert,
    rule_server_alert,
    rule_handshake_timeout,
    rule_app_timeout,
    rule_timeout,
    rule_engine_error,
    rule_closed_during_handshake,
    rule_app_mismatch,
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
    v->relations = o->facts.rel;
    tp_facts_app_fit(&o->facts, &v->app);
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
