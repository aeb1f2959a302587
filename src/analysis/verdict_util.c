/* Phrases and facts the verdict rules share (verdict_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../wire/iana.h"
#include "verdict_int.h"

void vd_say(tp_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->summary, sizeof v->summary, fmt, ap);
    va_end(ap);
}

/* Appends to the summary. */
void vd_say_more(tp_verdict *v, const char *fmt, ...)
{
    size_t used = strlen(v->summary);
    if (used + 1 >= sizeof v->summary)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->summary + used, sizeof v->summary - used, fmt, ap);
    va_end(ap);
}

const char *vd_or(const char *name, const char *none)
{
    return name ? name : none;
}

bool vd_is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool vd_in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (vd_is(name, *list))
            return true;
    return false;
}

void vd_list_suites(char *out, size_t out_len, const uint16_t *ids, unsigned n, unsigned total)
{
    size_t used = wire_names_join(out, out_len, ids, n < 6 ? n : 6, ", ", wire_suite_name);
    if (total > 6)
        snprintf(out + used, out_len - used, ", … %u in all", total);
}

/* ---- facts the rules share ------------------------------------------- */

/* Alerts a client sends when it rejects a record it received (RFC 8446 6.2,
 * RFC 5246 7.2.2). */
const char *const vd_record_alerts[] = {"bad_record_mac",  "decrypt_error", "decryption_failed",
                                        "record_overflow", "decode_error",  NULL};
/* Alerts that reject the peer's certificate (RFC 8446 6.2). */
const char *const vd_certificate_alerts[] = {"bad_certificate",
                                             "unsupported_certificate",
                                             "certificate_revoked",
                                             "certificate_expired",
                                             "certificate_unknown",
                                             "unknown_ca",
                                             "access_denied",
                                             "bad_certificate_status_response",
                                             NULL};

bool vd_client_fatal(const tp_observation *o)
{
    return o->client.has_alert && o->client.fatal_alert;
}

/* The client's reaction (its alert, or its silent close) came right after
 * the server's last record, with nothing of the client's in between. */
bool vd_reaction_follows(const tp_observation *o)
{
    if (!o->server_last_protected)
        return false;
    if (vd_client_fatal(o))
        return o->client.alert_record == o->server_last_client_records + 1;
    return o->client.num_records == o->server_last_client_records && !vd_client_idled(o);
}

bool vd_client_idled(const tp_observation *o)
{
    return o->t_end - o->server_last_t >= VD_REACTION_SECONDS;
}

bool vd_client_silent(const tp_observation *o)
{
    return o->client.bytes == 0 && o->client.num_records == 0 && !o->client_hello;
}

bool vd_no_app_data(const tp_observation *o)
{
    return !o->app_exchanged && !o->client.sent_appdata && !o->server.sent_appdata &&
           !o->client.app_bytes && !o->server.app_bytes;
}

tp_actor vd_closer(const tp_observation *o)
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

const char *vd_close_words(const tp_observation *o)
{
    return o->end == TP_END_PEER_RESET || o->end == TP_END_SERVER_RESET ? "reset the connection"
                                                                        : "closed the connection";
}

/* The server's alert that came before the client's first fatal one, or NULL. */
static const tp_alert_info *server_alert_before_client(const tp_observation *o)
{
    const tp_alert_info *last = NULL;
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        const tp_alert_info *a = &o->alerts[i];
        if (vd_is(a->from, "client") && !vd_is(a->level, "warning"))
            return last;
        if (vd_is(a->from, "server"))
            last = a;
    }
    return NULL;
}

/* "after the server's Finished", or where there was no server message. */
void vd_say_where(const tp_observation *o, tp_verdict *v)
{
    const tp_alert_info *before = server_alert_before_client(o);
    if (before && vd_is(before->description, "encrypted"))
        vd_say_more(v, " after the server's own encrypted alert");
    else if (before)
        vd_say_more(v, " after the server's %s%s %s", before->is_protected ? "encrypted " : "",
                    before->level, before->description);
    else if (o->server_last_first_protected)
        vd_say_more(v, " right after the server's first protected record (%s)",
                    vd_or(o->server.name, "?"));
    else if (o->server.name)
        vd_say_more(v, " after the server's %s", o->server.name);
    else if (o->client_hello)
        vd_say_more(v, " after its %s, before the server sent anything",
                    vd_or(o->client.name, "ClientHello"));
    else
        vd_say_more(v, " before any handshake message");
}

/* What our own check said of the server's last record before the client
 * gave up.  Only said where the client's reaction followed that record. */
void vd_add_record_check(const tp_observation *o, tp_verdict *v)
{
    if (!vd_reaction_follows(o))
        return;
    if (o->server_last_quirk[0])
        vd_say_more(v, "; the server's last record was shaped by --quirk %s", o->server_last_quirk);
    if (o->server_last_integrity == TP_INTEGRITY_UNCHECKED) {
        vd_say_more(v, "; the server's last record was protected and not checked (no keys)");
        return;
    }
    if (o->server_last_integrity == TP_INTEGRITY_BAD) {
        vd_say_more(v, "; our check of that record: %s → the server sent an invalid record",
                    vd_or(o->server_last_detail, "integrity check failed"));
        return;
    }
    if (o->server_last_has_padding)
        vd_say_more(
            v,
            "; our check of that record: MAC ok, padding %zu bytes %s%s → the server's record "
            "is valid; the client rejected a valid record",
            o->server_last_padding_len, o->server_last_padding_valid ? "well-formed" : "malformed",
            o->server_last_padding_minimal ? "" : " (not minimal)");
    else
        vd_say_more(v,
                    "; our check of that record: integrity ok → the server's record is valid; the "
                    "client rejected a valid record");
}

/* The server's fatal alert that came after the client's: the engine's
 * reaction, said after the client's act (cause before symptom). */
void vd_add_server_reaction(const tp_observation *o, tp_verdict *v)
{
    bool after_client = false;
    for (unsigned i = 0; i < o->num_alerts && i < TP_LAYER_MAX_ALERTS; i++) {
        const tp_alert_info *a = &o->alerts[i];
        if (vd_is(a->from, "client") && vd_is(a->level, "fatal"))
            after_client = true;
        else if (after_client && vd_is(a->from, "server") &&
                 !vd_is(a->description, "close_notify")) {
            vd_say_more(v, "; the server's engine answered %s %s", a->level, a->description);
            return;
        }
    }
}

/* "sent encrypted" / "sent unencrypted after the server's encrypted flight" */
void vd_say_alert_sent(const tp_observation *o, tp_verdict *v)
{
    if (!o->client.alert.is_protected && o->server_last_protected &&
        !server_alert_before_client(o)) {
        /* unread (no keys), the last message named is the last plaintext one */
        if (o->server_last_integrity == TP_INTEGRITY_UNCHECKED && o->server.name)
            vd_say_more(v, ", sent unencrypted after the server's %s and its encrypted flight",
                        o->server.name);
        else
            vd_say_more(v, ", sent unencrypted after the server's encrypted flight (last: %s)",
                        vd_or(o->server.name, "?"));
        return;
    }
    vd_say_more(v, ", sent %s", o->client.alert.is_protected ? "encrypted" : "unencrypted");
    vd_say_where(o, v);
}

/* "4 bytes, no complete record" / "1 record, no complete handshake message"
 * or the client's last handshake message: what the client got across. */
void vd_say_client_last(const tp_observation *o, tp_verdict *v)
{
    if (o->client.name)
        vd_say_more(v, "%s", o->client.name);
    else if (!o->client.num_records)
        vd_say_more(v, "%llu byte%s, no complete record", o->client.bytes,
                    o->client.bytes == 1 ? "" : "s");
    else
        vd_say_more(v, "%u record%s, no complete handshake message", o->client.num_records,
                    o->client.num_records == 1 ? "" : "s");
}

tp_phase vd_client_alert_phase(const tp_observation *o)
{
    /* The server's engine is done once it sent its Finished, but a client
     * that answers it with a fatal alert, before any data, never finished
     * its side: that is a handshake failure. */
    return o->client.sent_appdata ? TP_PHASE_AFTER_HANDSHAKE : TP_PHASE_HANDSHAKE;
}

void vd_fail(tp_verdict *v, tp_phase phase, tp_actor actor)
{
    v->outcome = TP_OUTCOME_FAIL;
    v->phase = phase;
    v->actor = actor;
}

void vd_ok(tp_verdict *v)
{
    v->outcome = TP_OUTCOME_OK;
    v->phase = TP_PHASE_AFTER_HANDSHAKE;
    v->actor = TP_ACTOR_NONE;
}

void vd_say_completed(const tp_observation *o, tp_verdict *v)
{
    vd_say(v, "handshake completed (%s, %s)", vd_or(o->protocol, "?"), vd_or(o->cipher, "?"));
    vd_say_retry(o, v);
}

void vd_say_retry(const tp_observation *o, tp_verdict *v)
{
    char res[200]; /* resumed or why not (analysis/resumption.c) */
    tp_resumption_say(&o->facts.rel.resumption, res, sizeof res);
    if (res[0])
        vd_say_more(v, "; %s", res);
    if (!o->hello_retry)
        return;
    if (o->group)
        vd_say_more(v, " after a HelloRetryRequest for %s", o->group);
    else
        vd_say_more(v, " after a HelloRetryRequest");
}
