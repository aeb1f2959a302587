/* Verdict phrases and rules over the certificates the server was set up
 * with (relations.h, certs: the generated chain's variant, the OCSP staple,
 * the --client-ca check).  The server fills those facts from its engine;
 * the rules only read them. */
#include "verdict_relations.h"

#include "verdict_int.h"

#include <string.h>

/* "the client rejected the server's certificate (variant expired: notAfter
 * ...; stapled OCSP response: revoked): fatal certificate_expired" */
void vd_say_cert_rejected(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    const char *open = " (";
    vd_say(v, "the client rejected the server's certificate");
    if (r->certs.variant && strcmp(r->certs.variant, "none") != 0) {
        vd_say_more(v, "%svariant %s: %s", open, r->certs.variant, r->certs.detail);
        open = "; ";
    }
    if (r->certs.ocsp && r->certs.ocsp_stapled) {
        vd_say_more(v, "%sstapled OCSP response: %s", open, r->certs.ocsp);
        open = "; ";
    }
    if (r->certs.variant && open[0] == ' ') {
        /* many clients always send status_request (Chromium, gnutls-cli) */
        bool asked = r->certs.ocsp_offered && !r->certs.ocsp_stapled;
        vd_say_more(v, " (the valid generated chain%s: does the client trust its CA (--save-ca)%s?",
                    asked ? ", no OCSP response stapled to the client's status_request" : "",
                    asked ? ", or want a staple (--ocsp)" : "");
        open = "; ";
    }
    vd_say_more(v, "%s: %s %s", open[0] == ';' ? ")" : "", o->client.alert.level,
                o->client.alert.description);
}

/* What the --client-ca check found, in words around the file's name. */
static void say_verify(tp_verdict *v, const char *status, const char *ca)
{
    static const struct {
        const char *status, *before, *after;
    } w[] = {
        {"unknown-ca", "unknown CA (no CA of --client-ca ", " issued it)"},
        {"bad-signature", "bad signature (it does not verify with its issuer's key; --client-ca ",
         ")"},
        {"expired", "expired (checked against --client-ca ", ")"},
        {"not-yet-valid", "not yet valid (checked against --client-ca ", ")"},
    };
    size_t i = 0;
    while (i < sizeof w / sizeof w[0] && strcmp(w[i].status, status) != 0)
        i++;
    if (i < sizeof w / sizeof w[0])
        vd_say_more(v, "%s%s%s", w[i].before, ca, w[i].after);
    else
        vd_say_more(v, "invalid (it does not verify against --client-ca %s)", ca);
}

/* The client sent a certificate and the server's check of it failed. */
bool tp_when_client_cert_rejected(const tp_observation *o)
{
    const char *s = o->facts.rel.certs.client_verify;
    return s && strcmp(s, "ok") != 0 && !vd_client_fatal(o) &&
           (o->server.fatal_alert || o->engine_error_name);
}
void tp_say_client_cert_rejected(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_SERVER);
    vd_say(v, "the server rejected the client's certificate: ");
    say_verify(v, r->certs.client_verify, vd_or(r->certs.client_ca, "?"));
    if (o->server.fatal_alert)
        vd_say_more(v, "; the server sent %s %s", o->server.alert.level,
                    o->server.alert.description);
    if (o->engine_error_text && o->engine_error_text[0])
        vd_say_more(v, " (engine: %s)", o->engine_error_text);
}

/* A client that checks the certificate after the handshake (curl, and
 * OpenSSL's hostname check in general, verify the name then) leaves
 * without an alert: right after the handshake, no data, no alert, while
 * the server served a flawed variant on purpose. */
bool tp_when_client_left_flawed_cert(const tp_observation *o)
{
    const char *variant = o->facts.rel.certs.variant;
    return o->handshake_done && variant && strcmp(variant, "none") != 0 &&
           !o->facts.app_bytes[0] && !vd_client_fatal(o) &&
           (o->client.close_notify || vd_closer(o) == TP_ACTOR_CLIENT) && !vd_client_idled(o) &&
           o->end != TP_END_SHUTDOWN;
}
void tp_say_client_left_flawed_cert(const tp_observation *o, tp_verdict *v)
{
    const tp_relations *r = &o->facts.rel;
    vd_fail(v, TP_PHASE_AFTER_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say_completed(o, v);
    vd_say_more(v,
                "; the client then %s at once without sending data or a fatal alert: it did not take "
                "the server's certificate (variant %s: %s), as a client that checks the "
                "certificate after the handshake leaves",
                o->client.close_notify ? "sent close_notify" : vd_close_words(o),
                r->certs.variant, r->certs.detail);
}
