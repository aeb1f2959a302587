/* See verdict_psk.h.  RFC 4279 2 (TLS <= 1.2: the identity in
 * ClientKeyExchange, unknown_psk_identity), RFC 8446 4.2.11 (TLS 1.3: the
 * identities and binders in pre_shared_key), 4.6.2 and 4.6.3. */
#include "verdict_psk.h"

#include "verdict_int.h"

#include <string.h>

static const tp_rel_psk *psk_of(const tp_observation *o)
{
    return &o->facts.rel.psk;
}

static void say_server_alert(const tp_observation *o, tp_verdict *v)
{
    if (o->server.has_alert)
        vd_say_more(v, " (the server sent %s %s)", o->server.alert.level,
                    o->server.alert.description);
}

bool tp_when_psk_unknown_identity(const tp_observation *o)
{
    return !o->handshake_done && tp_rel_psk_known(psk_of(o)) == 0 &&
           (o->server.fatal_alert || o->engine_error_name);
}
void tp_say_psk_unknown_identity(const tp_observation *o, tp_verdict *v)
{
    const tp_rel_psk *p = psk_of(o);
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    vd_say(v, "the client offered PSK identity '%s'; the server has %s", p->identity,
           p->server_ids);
    say_server_alert(o, v);
}

/* TLS <= 1.2: the client's Finished (its first protected record) fails our
 * check with the keys the server derived from its PSK.  TLS 1.3: the server
 * refused the ClientHello whose PSK identity it has (the binder). */
bool tp_when_psk_key_mismatch(const tp_observation *o)
{
    const tp_rel_psk *p = psk_of(o);
    if (o->handshake_done || tp_rel_psk_known(p) != 1 || vd_client_fatal(o))
        return false;
    if (o->client.bad_record)
        return o->client.bad_record_index > 0 && o->kx && strstr(o->kx, "PSK");
    /* a binder that checks out with the server's key is no key mismatch */
    return !o->server_hello && o->client_hello && p->binder_ok != 1 &&
           (o->server.fatal_alert || o->engine_error_name);
}
void tp_say_psk_key_mismatch(const tp_observation *o, tp_verdict *v)
{
    const tp_rel_psk *p = psk_of(o);
    vd_fail(v, TP_PHASE_HANDSHAKE, TP_ACTOR_CLIENT);
    if (o->client.bad_record) {
        vd_say(v,
               "the client's key for PSK identity '%s' differs from the server's: its Finished "
               "(record #%u) fails our check with the server's keys (%s); the server noticed",
               p->identity, o->client.bad_record_index, o->client.bad_record_detail);
    } else {
        vd_say(v,
               "the client's key for PSK identity '%s' differs from the server's: the server "
               "rejected the client's PSK binder (RFC 8446 4.2.11)%s",
               p->identity,
               p->binder_ok == 0 ? "; our check: the binder does not match the server's key" : "");
    }
    say_server_alert(o, v);
}

/* The engine failed after the server's post-handshake CertificateRequest
 * (GnuTLS 3.7 fails when the client's KeyUpdate comes before its
 * Certificate): who is at fault follows from our check of the answer. */
bool tp_when_pha_failed(const tp_observation *o)
{
    return psk_of(o)->pha_requests && o->handshake_done && !vd_client_fatal(o) &&
           o->engine_error_name;
}
void tp_say_pha_failed(const tp_observation *o, tp_verdict *v)
{
    const tp_rel_psk *p = psk_of(o);
    bool valid = p->pha_finished && o->client.finished_verified == 1 && !o->client.bad_record;
    vd_fail(v, TP_PHASE_AFTER_HANDSHAKE, valid ? TP_ACTOR_SERVER : TP_ACTOR_CLIENT);
    vd_say(v, "the server asked for a certificate after the handshake; ");
    if (valid)
        vd_say_more(v, "the client answered (%u certificate%s) and its Finished checks out (our "
                       "check); the server's engine then failed",
                    p->pha_certs, p->pha_certs == 1 ? "" : "s");
    else if (p->pha_answered)
        vd_say_more(v, "the client's answer (%u certificate%s) is %s", p->pha_certs,
                    p->pha_certs == 1 ? "" : "s",
                    p->pha_finished ? "wrong: its Finished fails our check" : "missing a Finished");
    else
        vd_say_more(v, "the client did not answer");
    if (o->server.fatal_alert)
        vd_say_more(v, ": fatal %s", o->server.alert.description);
    vd_say_more(v, " (engine: %s)", vd_or(o->engine_error_text, o->engine_error_name));
}

static void say_pha(const tp_rel_psk *p, tp_verdict *v)
{
    vd_say_more(v, "; the server asked for a certificate after the handshake");
    if (p->pha_requests > 1)
        vd_say_more(v, " (%u times)", p->pha_requests);
    if (!p->pha_answered)
        vd_say_more(v, "; the client did not answer");
    else if (p->pha_certs == 0)
        vd_say_more(v, "; the client sent none");
    else
        vd_say_more(v, "; the client sent one (%u in its chain)", p->pha_certs);
    if (p->pha_answered && !p->pha_finished)
        vd_say_more(v, " and no Finished");
}

static void say_key_updates(const tp_rel_psk *p, tp_verdict *v)
{
    unsigned s = p->key_updates[1], c = p->key_updates[0];
    if (s)
        vd_say_more(v, "; the server updated its keys %u time%s (KeyUpdate%s)", s,
                    s == 1 ? "" : "s",
                    p->ku_requested[1] ? ", update_requested" : ", update_not_requested");
    if (c)
        vd_say_more(v, "%s the client updated its own %u time%s", s ? " and" : ";", c,
                    c == 1 ? "" : "s");
    else if (p->ku_requested[1])
        vd_say_more(v, " and the client did not update its own");
}

/* A warning alert of the server's other than the usual ones (interactive's
 * "/alert warning user_canceled"). */
static void say_server_warnings(const tp_observation *o, tp_verdict *v)
{
    for (unsigned i = 0; i < o->num_alerts; i++) {
        const tp_alert_info *a = &o->alerts[i];
        if (vd_is(a->from, "server") && vd_is(a->level, "warning") &&
            !vd_is(a->description, "close_notify") && !vd_is(a->description, "no_renegotiation") &&
            a->description && !strstr(v->summary, a->description)) /* said once */
            vd_say_more(v, "; the server sent warning %s", a->description);
    }
}

void tp_verdict_actions_more(const tp_observation *o, tp_verdict *v)
{
    const tp_rel_psk *p = psk_of(o);
    if (p->pha_requests && !vd_is(v->cause, "post-handshake-auth-failed"))
        say_pha(p, v);
    say_server_warnings(o, v);
    if (p->key_updates[0] || p->key_updates[1])
        say_key_updates(p, v);
}
